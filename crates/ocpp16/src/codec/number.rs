//! Number literals read as text, without floats: integers, tenths, and the decimal
//! rendering of a literal that error messages quote.
//!
//! A JSON number is read the way serde_json classifies it: an integer literal in
//! `i64::MIN..=u64::MAX` (except `-0`) is an integer, everything else a floating point
//! number. Messages quote a floating point literal as Rust prints the `f64` it stands
//! for (positional notation, shortest digits, `.0` appended where a message wants a
//! decimal point). For literals of up to 15 significant digits this is exact; longer
//! ones are rounded to 17 digits, which can differ from the `f64` in the last digit.

use alloc::{string::String, vec::Vec};

/// A plain integer literal of at most 18 digits (the common case, read without the
/// general path): `Some` exactly when [`integer`] gives the same value.
fn short_integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 || (negative && digits == "0") {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(if negative { -value } else { value })
}

/// The literal as an `i32`: `Ok` when it is an integer that fits, `Err(true)` for an
/// integer out of range, `Err(false)` when serde_json would read it as a float.
pub(crate) fn int32(text: &str) -> Result<i32, bool> {
    match short_integer(text)
        .map(i128::from)
        .or_else(|| integer(text))
    {
        Some(i) => i32::try_from(i).map_err(|_| true),
        None => Err(false),
    }
}

/// The literal as an integer, when serde_json would read it as one.
pub(crate) fn integer(text: &str) -> Option<i128> {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) || text == "-0" {
        return None;
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.len() > 20 {
        return None;
    }
    let mut value: i128 = 0;
    for b in digits.bytes() {
        value = value * 10 + i128::from(b.wrapping_sub(b'0'));
    }
    let value = if negative { -value } else { value };
    let in_range = if negative {
        value >= i128::from(i64::MIN)
    } else {
        value <= i128::from(u64::MAX)
    };
    in_range.then_some(value)
}

/// A literal split into sign, significant digits (no leading or trailing zeros) and
/// the power of ten of the last digit: value = digits × 10^exp.
struct Parts {
    negative: bool,
    digits: Vec<u8>,
    exp: i64,
}

fn parts(text: &str) -> Parts {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i + 1..).unwrap_or("")),
        None => (rest, ""),
    };
    let mut exp: i64 = 0;
    let (exp_negative, exp_digits) = match exponent.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, exponent.strip_prefix('+').unwrap_or(exponent)),
    };
    for b in exp_digits.bytes() {
        exp = exp
            .saturating_mul(10)
            .saturating_add(i64::from(b.wrapping_sub(b'0')));
    }
    if exp_negative {
        exp = -exp;
    }
    let mut digits = Vec::new();
    let mut after_point = false;
    for b in mantissa.bytes() {
        match b {
            b'.' => after_point = true,
            _ => {
                digits.push(b.wrapping_sub(b'0'));
                if after_point {
                    exp = exp.saturating_sub(1);
                }
            }
        }
    }
    let leading = digits.iter().take_while(|d| **d == 0).count();
    digits.drain(..leading);
    while digits.last() == Some(&0) {
        digits.pop();
        exp = exp.saturating_add(1);
    }
    Parts {
        negative,
        digits,
        exp,
    }
}

/// Rounds to at most 17 significant digits (an `f64` never needs more).
fn round17(p: &mut Parts) {
    if p.digits.len() <= 17 {
        return;
    }
    let cut = p.digits.len() - 17;
    let up = p.digits.get(17).is_some_and(|d| *d >= 5);
    p.digits.truncate(17);
    p.exp = p.exp.saturating_add(i64::try_from(cut).unwrap_or(i64::MAX));
    if up {
        let mut i = p.digits.len();
        loop {
            if i == 0 {
                p.digits.insert(0, 1);
                break;
            }
            i -= 1;
            if let Some(d) = p.digits.get_mut(i) {
                if *d == 9 {
                    *d = 0;
                } else {
                    *d += 1;
                    break;
                }
            }
        }
    }
    while p.digits.last() == Some(&0) {
        p.digits.pop();
        p.exp = p.exp.saturating_add(1);
    }
}

fn push_digits(out: &mut String, digits: &[u8]) {
    for d in digits {
        out.push(char::from(b'0' + d));
    }
}

/// The literal as Rust's `Display` writes the `f64` it stands for; with `point`, a
/// `.0` is appended when there is no decimal point (serde's `Unexpected::Float`).
pub(crate) fn display(text: &str, point: bool) -> String {
    let mut p = parts(text);
    round17(&mut p);
    let len = i64::try_from(p.digits.len()).unwrap_or(i64::MAX);
    // Below the smallest subnormal an f64 is zero.
    if p.digits.is_empty() || len.saturating_add(p.exp) < -323 {
        p.digits.clear();
    }
    let mut out = String::new();
    if p.negative {
        out.push('-');
    }
    if p.digits.is_empty() {
        out.push('0');
        if point {
            out.push_str(".0");
        }
        return out;
    }
    // Digits before the decimal point.
    let whole = len.saturating_add(p.exp);
    if whole >= len {
        push_digits(&mut out, &p.digits);
        for _ in 0..p.exp.min(400) {
            out.push('0');
        }
        if point {
            out.push_str(".0");
        }
    } else if whole > 0 {
        let split = usize::try_from(whole).unwrap_or(0);
        let (int, frac) = p.digits.split_at(split.min(p.digits.len()));
        push_digits(&mut out, int);
        out.push('.');
        push_digits(&mut out, frac);
    } else {
        out.push_str("0.");
        for _ in 0..(-whole).min(400) {
            out.push('0');
        }
        push_digits(&mut out, &p.digits);
    }
    out
}

/// The literal as a count of tenths, by the rule `Decimal` has always used: within
/// 1e-6 of a multiple of 0.1, and at most 1e15 tenths in magnitude.
pub(crate) fn tenths(text: &str) -> Option<i64> {
    if let Some(t) = short_tenths(text) {
        return Some(t);
    }
    let p = parts(text);
    if p.digits.is_empty() {
        return Some(0);
    }
    // The value times ten: digits × 10^(exp + 1).
    let exp = p.exp.saturating_add(1);
    let len = i64::try_from(p.digits.len()).unwrap_or(i64::MAX);
    let whole_len = len.saturating_add(exp);
    if whole_len > 16 {
        return None;
    }
    let mut whole: i64 = 0;
    let mut fraction: Vec<u8> = Vec::new();
    if whole_len > 0 {
        for i in 0..whole_len {
            let d = usize::try_from(i)
                .ok()
                .and_then(|i| p.digits.get(i))
                .copied()
                .unwrap_or(0);
            whole = whole * 10 + i64::from(d);
        }
        let from = usize::try_from(whole_len).unwrap_or(usize::MAX);
        fraction.extend(p.digits.iter().skip(from));
    } else {
        let zeros = usize::try_from(-whole_len).unwrap_or(usize::MAX).min(16);
        fraction.resize(zeros, 0);
        fraction.extend(&p.digits);
    }
    const LIMIT: i64 = 1_000_000_000_000_000;
    let exact = fraction.is_empty();
    if whole > LIMIT || (whole == LIMIT && !exact) {
        return None;
    }
    // The first six fraction digits, and whether any digit follows them.
    let mut six: u32 = 0;
    for i in 0..6 {
        six = six * 10 + u32::from(fraction.get(i).copied().unwrap_or(0));
    }
    let rest = fraction.iter().skip(6).any(|d| *d != 0);
    let tenths = if six == 0 || (six == 1 && !rest) {
        whole
    } else if six >= 999_999 {
        whole + 1
    } else {
        return None;
    };
    Some(if p.negative { -tenths } else { tenths })
}

/// `-?digits` or `-?digits.d` with at most 15 digits before the point (the common
/// case, read without the general path).
fn short_tenths(text: &str) -> Option<i64> {
    let (whole, tenth) = match text.split_once('.') {
        Some((whole, tenth)) if tenth.len() == 1 => (whole, tenth),
        Some(_) => return None,
        None => (text, "0"),
    };
    let whole = short_integer(whole).filter(|w| w.unsigned_abs() < 1_000_000_000_000_000)?;
    let d = tenth.bytes().next().filter(u8::is_ascii_digit)?;
    let negative = text.starts_with('-');
    let tenths = whole.unsigned_abs() * 10 + u64::from(d - b'0');
    let tenths = i64::try_from(tenths).ok()?;
    Some(if negative { -tenths } else { tenths })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_as_serde_json_classifies_them() {
        assert_eq!(integer("5"), Some(5));
        assert_eq!(integer("-5"), Some(-5));
        assert_eq!(integer("-0"), None);
        assert_eq!(integer("1.0"), None);
        assert_eq!(integer("1e2"), None);
        assert_eq!(integer("18446744073709551615"), Some(i128::from(u64::MAX)));
        assert_eq!(integer("18446744073709551616"), None);
        assert_eq!(integer("-9223372036854775809"), None);
    }

    #[test]
    fn floats_as_rust_displays_them() {
        for (text, shown) in [
            ("1.5", "1.5"),
            ("1.0", "1.0"),
            ("-0", "-0.0"),
            ("0.0", "0.0"),
            ("1e2", "100.0"),
            ("1.25E-3", "0.00125"),
            ("16.750", "16.75"),
            ("18446744073709551616", "18446744073709552000.0"),
        ] {
            assert_eq!(display(text, true), shown, "{text}");
            let expected = alloc::format!("{}", text.parse::<f64>().unwrap());
            assert_eq!(display(text, false), expected, "{text}");
        }
    }

    #[test]
    fn tenths_by_the_old_rule() {
        assert_eq!(tenths("16.7"), Some(167));
        assert_eq!(tenths("-0.3"), Some(-3));
        assert_eq!(tenths("32"), Some(320));
        assert_eq!(tenths("0.30000000000000004"), Some(3));
        assert_eq!(tenths("0.29999999999"), Some(3));
        assert_eq!(tenths("16.75"), None);
        assert_eq!(tenths("1e300"), None);
        assert_eq!(tenths("1e14"), Some(1_000_000_000_000_000));
        assert_eq!(tenths("1.00000000000001e14"), None);
        assert_eq!(tenths("0"), Some(0));
        assert_eq!(tenths("1e-400"), Some(0));
        assert_eq!(tenths("-0.5"), Some(-5));
        assert_eq!(tenths("-0"), Some(0));
        assert_eq!(tenths("10.50"), Some(105));
        assert_eq!(tenths("99999999999999.9"), Some(999_999_999_999_999));
        assert_eq!(int32("-0"), Err(false));
        assert_eq!(int32("2147483648"), Err(true));
        assert_eq!(int32("-2147483648"), Ok(i32::MIN));
        assert_eq!(int32("1.0"), Err(false));
    }
}
