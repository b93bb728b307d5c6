//! The cold path's checker: text the decoder refused is described as serde_json's
//! parser describes it (its words, line and column), and frames of unusual shape are
//! split leniently, as serde_json split them.

use alloc::{string::String, vec::Vec};

use super::reader::Kind;

/// A break of the JSON grammar as serde_json's parser reports it: its words and the
/// byte index its position is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    what: &'static str,
    at: usize,
}

impl SyntaxError {
    /// `expected value at line 1 column 5`: line and column as serde_json counts them
    /// (lines from 1, columns in bytes from the last line feed).
    pub(crate) fn describe(self, text: &str) -> String {
        let before = text.as_bytes().get(..self.at).unwrap_or(text.as_bytes());
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + before
            .get(..line_start)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count());
        alloc::format!(
            "{} at line {line} column {}",
            self.what,
            self.at - line_start
        )
    }
}

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EXPECTED_VALUE: &str = "expected value";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_COLON: &str = "expected `:`";
const LIST_COMMA: &str = "expected `,` or `]`";
const OBJECT_COMMA: &str = "expected `,` or `}`";
const KEY_STRING: &str = "key must be a string";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING: &str = "trailing characters";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const OUT_OF_RANGE: &str = "number out of range";
const CONTROL: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const END_OF_HEX: &str = "unexpected end of hex escape";
const RECURSION: &str = "recursion limit exceeded";

/// The powers of ten from 10^289 to 10^308 as `f64`: only these can take a `u64`
/// significand past `f64::MAX` (2^64 × 10^288 is below it).
const POW10_HIGH: [f64; 20] = [
    1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298, 1e299, 1e300, 1e301,
    1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308,
];

/// A checker of JSON text with serde_json's rules for which fault is named where: the
/// rules of `serde_json::from_str::<Value>` ([`Scan::value`]) and of its raw-value
/// skipping ([`Scan::raw`], which checks neither number ranges, surrogate pairs nor
/// depth). Cold code: it runs only on text the tokenizer refused or to split an unusual
/// frame.
pub(crate) struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

type Scanned<T = ()> = Result<T, SyntaxError>;

/// A number as serde_json's parser holds it on the way: significand and power of ten.
struct Parsed {
    significand: u64,
    exponent: i32,
    float: bool,
}

/// A JSON number's value, as `serde_json::Number` holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumberValue {
    U64(u64),
    I64(i64),
    F64(f64),
}

impl<'a> Scan<'a> {
    pub(crate) const fn new(text: &'a str) -> Self {
        Self {
            b: text.as_bytes(),
            i: 0,
        }
    }

    /// An error at the current index (after the byte just read).
    const fn error(&self, what: &'static str) -> SyntaxError {
        SyntaxError { what, at: self.i }
    }

    /// An error at the byte to be read next.
    fn peek_error(&self, what: &'static str) -> SyntaxError {
        SyntaxError {
            what,
            at: self.b.len().min(self.i + 1),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        if c.is_some() {
            self.i += 1;
        }
        c
    }

    fn ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
        self.peek()
    }

    fn digit(&self) -> Option<u8> {
        self.peek().filter(u8::is_ascii_digit).map(|d| d - b'0')
    }

    /// One whole text as `serde_json::from_str::<Value>` reads it: the kind of its
    /// value, or the fault.
    pub(crate) fn document(text: &'a str) -> Scanned<Kind> {
        let mut s = Self::new(text);
        let kind = s.value(128)?;
        match s.ws() {
            Some(_) => Err(s.peek_error(TRAILING)),
            None => Ok(kind),
        }
    }

    /// One value with `depth` levels of nesting left.
    fn value(&mut self, depth: u32) -> Scanned<Kind> {
        let Some(c) = self.ws() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        match c {
            b'n' => self.ident(b"null").map(|()| Kind::Null),
            b't' => self.ident(b"true").map(|()| Kind::Bool),
            b'f' => self.ident(b"false").map(|()| Kind::Bool),
            b'-' => {
                self.i += 1;
                self.number().map(|_| Kind::Number)
            }
            b'0'..=b'9' => self.number().map(|_| Kind::Number),
            b'"' => {
                self.i += 1;
                self.string(true).map(|()| Kind::String)
            }
            b'[' | b'{' => {
                let depth = depth - 1;
                if depth == 0 {
                    return Err(self.peek_error(RECURSION));
                }
                self.i += 1;
                if c == b'[' {
                    self.list(depth).map(|()| Kind::Array)
                } else {
                    self.map(depth).map(|()| Kind::Object)
                }
            }
            _ => Err(self.peek_error(EXPECTED_VALUE)),
        }
    }

    fn list(&mut self, depth: u32) -> Scanned {
        let mut first = true;
        loop {
            match self.ws() {
                None => return Err(self.peek_error(EOF_LIST)),
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(_) if first => first = false,
                Some(b',') => {
                    self.i += 1;
                    match self.ws() {
                        Some(b']') => return Err(self.peek_error(TRAILING_COMMA)),
                        Some(_) => {}
                        None => return Err(self.peek_error(EOF_VALUE)),
                    }
                }
                Some(_) => return Err(self.peek_error(LIST_COMMA)),
            }
            self.value(depth)?;
        }
    }

    fn map(&mut self, depth: u32) -> Scanned {
        let mut first = true;
        loop {
            match self.ws() {
                None => return Err(self.peek_error(EOF_OBJECT)),
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                Some(c) if first => {
                    first = false;
                    if c != b'"' {
                        return Err(self.peek_error(KEY_STRING));
                    }
                }
                Some(b',') => {
                    self.i += 1;
                    match self.ws() {
                        Some(b'"') => {}
                        Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                        Some(_) => return Err(self.peek_error(KEY_STRING)),
                        None => return Err(self.peek_error(EOF_VALUE)),
                    }
                }
                Some(_) => return Err(self.peek_error(OBJECT_COMMA)),
            }
            self.i += 1;
            self.string(true)?;
            match self.ws() {
                Some(b':') => self.i += 1,
                Some(_) => return Err(self.peek_error(EXPECTED_COLON)),
                None => return Err(self.peek_error(EOF_OBJECT)),
            }
            self.value(depth)?;
        }
    }

    /// `null`, `true` or `false`, its first byte not yet read.
    fn ident(&mut self, word: &[u8]) -> Scanned {
        self.i += 1;
        for expected in word.iter().skip(1) {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(c) if c != *expected => return Err(self.error(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A number after its sign, as serde_json's `f64`-based parser reads it (an
    /// integer beyond `u64` continues as a float; a float whose value overflows is out
    /// of range).
    fn number(&mut self) -> Scanned<Parsed> {
        let first = match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(c) => c,
        };
        let mut significand: u64 = 0;
        let mut exponent: i32 = 0;
        match first {
            b'0' => {
                if self.digit().is_some() {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
            }
            b'1'..=b'9' => {
                significand = u64::from(first - b'0');
                let mut overflowed = false;
                while let Some(d) = self.digit() {
                    match significand
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(u64::from(d)))
                        .filter(|_| !overflowed)
                    {
                        Some(s) => significand = s,
                        // Past `u64`, the rest of the integer only scales the
                        // significand.
                        None => {
                            overflowed = true;
                            exponent = exponent.saturating_add(1);
                        }
                    }
                    self.i += 1;
                }
            }
            _ => return Err(self.error(INVALID_NUMBER)),
        }
        let mut float = exponent != 0;
        if self.peek() == Some(b'.') {
            float = true;
            self.i += 1;
            let mut any = false;
            let mut overflowed = false;
            while let Some(d) = self.digit() {
                any = true;
                if !overflowed {
                    match significand
                        .checked_mul(10)
                        .and_then(|s| s.checked_add(u64::from(d)))
                    {
                        Some(s) => {
                            significand = s;
                            exponent = exponent.saturating_sub(1);
                        }
                        None => overflowed = true,
                    }
                }
                self.i += 1;
            }
            if !any {
                return Err(self.peek_error(match self.peek() {
                    Some(_) => INVALID_NUMBER,
                    None => EOF_VALUE,
                }));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            let positive_exp = match self.peek() {
                Some(b'+') => {
                    self.i += 1;
                    true
                }
                Some(b'-') => {
                    self.i += 1;
                    false
                }
                _ => true,
            };
            let mut exp: i32 = match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
                Some(_) => return Err(self.error(INVALID_NUMBER)),
            };
            while let Some(d) = self.digit() {
                self.i += 1;
                match exp
                    .checked_mul(10)
                    .and_then(|e| e.checked_add(i32::from(d)))
                {
                    Some(e) => exp = e,
                    None => {
                        if significand != 0 && positive_exp {
                            return Err(self.error(OUT_OF_RANGE));
                        }
                        while self.digit().is_some() {
                            self.i += 1;
                        }
                        return Ok(Parsed {
                            significand: 0,
                            exponent: 0,
                            float: true,
                        });
                    }
                }
            }
            exponent = if positive_exp {
                exponent.saturating_add(exp)
            } else {
                exponent.saturating_sub(exp)
            };
            float = true;
        }
        if float && exponent >= 0 && significand != 0 {
            // serde_json multiplies the significand by the power of ten and fails when
            // that overflows.
            let out = match exponent {
                0..289 => false,
                289..=308 => {
                    let pow = POW10_HIGH
                        .get(usize::try_from(exponent - 289).unwrap_or(0))
                        .copied()
                        .unwrap_or(f64::INFINITY);
                    #[allow(
                        clippy::cast_precision_loss,
                        reason = "serde_json converts the significand the same way"
                    )]
                    let f = significand as f64;
                    (f * pow).is_infinite()
                }
                _ => true,
            };
            if out {
                return Err(self.error(OUT_OF_RANGE));
            }
        }
        Ok(Parsed {
            significand,
            exponent,
            float,
        })
    }

    /// A number literal's value as serde_json's parser computes it (integers exactly;
    /// a float from the same significand and power of ten, the power computed by
    /// multiplying, so exact up to 10^22 as serde_json's table is), or `None` when
    /// it is not a number serde_json reads.
    pub(crate) fn number_value(literal: &str) -> Option<NumberValue> {
        let mut s = Scan::new(literal);
        let positive = s.peek() != Some(b'-');
        if !positive {
            s.i += 1;
        }
        let p = s.number().ok()?;
        if s.peek().is_some() {
            return None;
        }
        if !p.float {
            if positive {
                return Some(NumberValue::U64(p.significand));
            }
            // `-0` and integers below `i64::MIN` are floats.
            if let Some(n) = i64::try_from(p.significand)
                .ok()
                .map(i64::wrapping_neg)
                .or_else(|| (p.significand == 1 << 63).then_some(i64::MIN))
                .filter(|n| *n < 0)
            {
                return Some(NumberValue::I64(n));
            }
        }
        #[allow(
            clippy::cast_precision_loss,
            reason = "serde_json converts the significand the same way"
        )]
        let mut f = p.significand as f64;
        let mut exponent = p.exponent;
        loop {
            let k = exponent.unsigned_abs();
            if k <= 308 {
                let mut pow = 1.0f64;
                for _ in 0..k {
                    pow *= 10.0;
                }
                if exponent >= 0 {
                    f *= pow;
                } else {
                    f /= pow;
                }
                break;
            }
            if f == 0.0 {
                break;
            }
            if exponent >= 0 {
                return None;
            }
            f /= 1e308;
            exponent += 308;
        }
        let f = if positive { f } else { -f };
        f.is_finite().then_some(NumberValue::F64(f))
    }

    /// A string after its opening quote; `strict` as serde_json parses a string value
    /// (surrogates must pair), otherwise as it skips one.
    fn string(&mut self, strict: bool) -> Scanned {
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error(EOF_STRING));
            };
            self.i += 1;
            match c {
                b'"' => return Ok(()),
                b'\\' => self.escape(strict)?,
                0..0x20 => {
                    if !strict {
                        self.i -= 1;
                    }
                    return Err(self.error(CONTROL));
                }
                _ => {}
            }
        }
    }

    fn hex4(&mut self) -> Scanned<u16> {
        let Some(digits) = self.b.get(self.i..self.i + 4) else {
            self.i = self.b.len();
            return Err(self.error(EOF_STRING));
        };
        self.i += 4;
        let mut n: u16 = 0;
        for d in digits {
            match char::from(*d).to_digit(16) {
                Some(v) => n = (n << 4) | u16::try_from(v).unwrap_or(0),
                None => return Err(self.error(INVALID_ESCAPE)),
            }
        }
        Ok(n)
    }

    fn escape(&mut self, strict: bool) -> Scanned {
        match self.next() {
            None => Err(self.error(EOF_STRING)),
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(()),
            Some(b'u') => {
                let n = self.hex4()?;
                if !strict || !(0xD800..=0xDFFF).contains(&n) {
                    return Ok(());
                }
                if n >= 0xDC00 {
                    return Err(self.error(LONE_SURROGATE));
                }
                for expected in [b'\\', b'u'] {
                    match self.next() {
                        None => return Err(self.error(EOF_STRING)),
                        Some(c) if c != expected => return Err(self.error(END_OF_HEX)),
                        Some(_) => {}
                    }
                }
                let n2 = self.hex4()?;
                if (0xDC00..=0xDFFF).contains(&n2) {
                    Ok(())
                } else {
                    Err(self.error(LONE_SURROGATE))
                }
            }
            Some(_) => Err(self.error(INVALID_ESCAPE)),
        }
    }

    /// Skips one value after white space as serde_json skips a raw value: the grammar
    /// only, at any depth (no recursion here), numbers of any size, lone surrogates.
    fn raw_value(&mut self) -> Scanned {
        // The open arrays and objects, innermost last.
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value.
            match self.ws() {
                Some(b'n') => self.ident(b"null")?,
                Some(b't') => self.ident(b"true")?,
                Some(b'f') => self.ident(b"false")?,
                Some(b'-') => {
                    self.i += 1;
                    self.raw_number()?;
                }
                Some(b'0'..=b'9') => self.raw_number()?,
                Some(b'"') => {
                    self.i += 1;
                    self.string(false)?;
                }
                Some(c @ (b'[' | b'{')) => {
                    self.i += 1;
                    let close = if c == b'[' { b']' } else { b'}' };
                    if self.ws() == Some(close) {
                        self.i += 1;
                    } else {
                        open.push(c);
                        if c == b'{' {
                            self.raw_key()?;
                        }
                        continue;
                    }
                }
                _ => return Err(self.peek_error(EXPECTED_VALUE)),
            }
            // After a value: a comma, or the ends of open containers.
            loop {
                let Some(&inner) = open.last() else {
                    return Ok(());
                };
                let close = if inner == b'[' { b']' } else { b'}' };
                match self.ws() {
                    Some(b',') => {
                        self.i += 1;
                        if inner == b'{' {
                            self.raw_key()?;
                        }
                        break;
                    }
                    Some(c) if c == close => {
                        self.i += 1;
                        open.pop();
                    }
                    _ => return Err(self.peek_error(EXPECTED_VALUE)),
                }
            }
        }
    }

    fn raw_key(&mut self) -> Scanned {
        if self.ws() != Some(b'"') {
            return Err(self.peek_error(KEY_STRING));
        }
        self.i += 1;
        self.string(false)?;
        if self.ws() != Some(b':') {
            return Err(self.peek_error(EXPECTED_COLON));
        }
        self.i += 1;
        Ok(())
    }

    fn raw_number(&mut self) -> Scanned {
        match self.next() {
            Some(b'0') => {
                if self.digit().is_some() {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
            }
            Some(b'1'..=b'9') => {
                while self.digit().is_some() {
                    self.i += 1;
                }
            }
            _ => return Err(self.error(INVALID_NUMBER)),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digit().is_none() {
                return Err(self.peek_error(INVALID_NUMBER));
            }
            while self.digit().is_some() {
                self.i += 1;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digit().is_none() {
                return Err(self.error(INVALID_NUMBER));
            }
            while self.digit().is_some() {
                self.i += 1;
            }
        }
        Ok(())
    }

    /// Splits a text as `serde_json::from_str::<Vec<&RawValue>>` does: the byte ranges
    /// of the array's items, or `None` when it would refuse the text (what is wrong is
    /// then described by [`Scan::document`]).
    pub(crate) fn items(text: &'a str) -> Option<Vec<core::ops::Range<usize>>> {
        let mut s = Self::new(text);
        if s.ws() != Some(b'[') {
            return None;
        }
        s.i += 1;
        let mut items = Vec::new();
        let mut first = true;
        loop {
            match s.ws()? {
                b']' => {
                    s.i += 1;
                    break;
                }
                _ if first => first = false,
                b',' => {
                    s.i += 1;
                    if s.ws()? == b']' {
                        return None;
                    }
                }
                _ => return None,
            }
            s.ws();
            let start = s.i;
            s.raw_value().ok()?;
            items.push(start..s.i);
        }
        match s.ws() {
            Some(_) => None,
            None => Some(items),
        }
    }
}
