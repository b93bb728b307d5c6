//! RFC 3339 date-times as OCPP carries them: any offset accepted on input, UTC emitted.

use alloc::string::String;
use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// An instant on the UTC time line with millisecond precision, the resolution OCPP
/// messages use in practice. Parsed from any RFC 3339 offset, always written in UTC
/// (`2024-01-01T00:00:00Z`, or `…00.123Z` when there are milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    millis: i64,
}

/// Why a string is not an RFC 3339 date-time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeError {
    /// The text does not have the `YYYY-MM-DDTHH:MM:SS` shape.
    Shape,
    /// A field is out of its range (month 13, 30 February, hour 24, …).
    Range,
    /// The offset (`Z`, `+hh:mm` or `-hh:mm`) is missing or malformed.
    Offset,
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Shape => "not an RFC 3339 date-time (expected YYYY-MM-DDThh:mm:ssZ)",
            Self::Range => "RFC 3339 date-time with a field out of range",
            Self::Offset => "RFC 3339 date-time without a valid offset (Z, +hh:mm or -hh:mm)",
        })
    }
}

impl core::error::Error for DateTimeError {}

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads `n` ASCII digits at `at`.
fn digits(b: &[u8], at: usize, n: usize) -> Result<i64, DateTimeError> {
    let slice = b.get(at..at + n).ok_or(DateTimeError::Shape)?;
    slice.iter().try_fold(0i64, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + i64::from(c - b'0'))
        } else {
            Err(DateTimeError::Shape)
        }
    })
}

fn expect(b: &[u8], at: usize, allowed: &[u8]) -> Result<(), DateTimeError> {
    match b.get(at) {
        Some(c) if allowed.contains(c) => Ok(()),
        _ => Err(DateTimeError::Shape),
    }
}

impl DateTime {
    /// The Unix epoch, 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Self = Self { millis: 0 };
    /// The earliest instant that can be written: 0001-01-01T00:00:00Z.
    pub const MIN: Self = Self {
        millis: -62_135_596_800_000,
    };
    /// The latest instant that can be written: 9999-12-31T23:59:59.999Z.
    pub const MAX: Self = Self {
        millis: 253_402_300_799_999,
    };

    /// The instant `millis` milliseconds after the Unix epoch, clamped to
    /// [`DateTime::MIN`]..=[`DateTime::MAX`] so that it can always be written.
    #[must_use]
    pub const fn from_unix_millis(millis: i64) -> Self {
        let millis = if millis < Self::MIN.millis {
            Self::MIN.millis
        } else if millis > Self::MAX.millis {
            Self::MAX.millis
        } else {
            millis
        };
        Self { millis }
    }

    /// Milliseconds since the Unix epoch.
    #[must_use]
    pub const fn unix_millis(self) -> i64 {
        self.millis
    }

    /// Whole seconds since the Unix epoch (rounded down).
    #[must_use]
    pub const fn unix_seconds(self) -> i64 {
        self.millis.div_euclid(1000)
    }

    /// This instant moved by `millis` (clamped like [`DateTime::from_unix_millis`]).
    #[must_use]
    pub const fn add_millis(self, millis: i64) -> Self {
        Self::from_unix_millis(self.millis.saturating_add(millis))
    }

    /// Parses RFC 3339 (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.5+02:00`, lower-case
    /// `t`/`z` and a space separator as RFC 3339 allows). Digits past milliseconds are
    /// truncated; a leap second (`:60`) is read as the last millisecond of that minute.
    pub fn parse(s: &str) -> Result<Self, DateTimeError> {
        let b = s.as_bytes();
        let year = digits(b, 0, 4)?;
        expect(b, 4, b"-")?;
        let month = digits(b, 5, 2)?;
        expect(b, 7, b"-")?;
        let day = digits(b, 8, 2)?;
        expect(b, 10, b"Tt ")?;
        let hour = digits(b, 11, 2)?;
        expect(b, 13, b":")?;
        let minute = digits(b, 14, 2)?;
        expect(b, 16, b":")?;
        let second = digits(b, 17, 2)?;
        let mut at = 19;
        let mut millis = 0;
        if b.get(at) == Some(&b'.') {
            at += 1;
            let start = at;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                if at - start < 3 {
                    millis = millis * 10 + i64::from(b.get(at).map_or(0, |c| c - b'0'));
                }
                at += 1;
            }
            if at == start {
                return Err(DateTimeError::Shape);
            }
            for _ in (at - start)..3 {
                millis *= 10;
            }
        }
        let offset_minutes = match b.get(at) {
            Some(b'Z' | b'z') if b.len() == at + 1 => 0,
            Some(sign @ (b'+' | b'-')) if b.len() == at + 6 => {
                let h = digits(b, at + 1, 2).map_err(|_| DateTimeError::Offset)?;
                expect(b, at + 3, b":").map_err(|_| DateTimeError::Offset)?;
                let m = digits(b, at + 4, 2).map_err(|_| DateTimeError::Offset)?;
                if h > 23 || m > 59 {
                    return Err(DateTimeError::Offset);
                }
                if *sign == b'-' {
                    -(h * 60 + m)
                } else {
                    h * 60 + m
                }
            }
            _ => return Err(DateTimeError::Offset),
        };
        if year < 1
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return Err(DateTimeError::Range);
        }
        let (second, millis) = if second == 60 {
            (59, 999)
        } else {
            (second, millis)
        };
        let local = days_from_civil(year, month, day) * MS_PER_DAY
            + ((hour * 60 + minute) * 60 + second) * 1000
            + millis;
        let utc = local - offset_minutes * 60_000;
        if !(Self::MIN.millis..=Self::MAX.millis).contains(&utc) {
            return Err(DateTimeError::Range);
        }
        Ok(Self { millis: utc })
    }

    /// The UTC calendar fields: (year, month, day, hour, minute, second, millisecond).
    #[must_use]
    pub fn to_utc_fields(self) -> (i64, i64, i64, i64, i64, i64, i64) {
        let days = self.millis.div_euclid(MS_PER_DAY);
        let ms_of_day = self.millis.rem_euclid(MS_PER_DAY);
        let (y, mo, d) = civil_from_days(days);
        let secs = ms_of_day / 1000;
        (
            y,
            mo,
            d,
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            ms_of_day % 1000,
        )
    }

    /// The RFC 3339 text in UTC.
    #[must_use]
    pub fn to_rfc3339(self) -> String {
        alloc::format!("{self}")
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s, ms) = self.to_utc_fields();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
        if ms != 0 {
            write!(f, ".{ms:03}")?;
        }
        f.write_str("Z")
    }
}

impl core::str::FromStr for DateTime {
    type Err = DateTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = DateTime;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
                DateTime::parse(v).map_err(|e| E::custom(format_args!("{e}, got \"{v}\"")))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_emits_utc() {
        let t = DateTime::parse("2024-01-01T05:30:00+05:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-01T00:00:00Z");
        let t = DateTime::parse("2023-12-31T16:00:00.5-08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-01T00:00:00.500Z");
        let t = DateTime::parse("1970-01-01t00:00:00.123456z").unwrap();
        assert_eq!(t.unix_millis(), 123);
    }

    #[test]
    fn calendar_round_trip_over_four_centuries() {
        let mut days = days_from_civil(1600, 1, 1);
        let end = days_from_civil(2400, 12, 31);
        while days <= end {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            days += 1;
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn rejects_bad_forms() {
        for bad in [
            "2024-01-01T00:00:00",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "yesterday",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0100",
            "2024-01-01T00:00:00Z ",
            "",
        ] {
            assert!(DateTime::parse(bad).is_err(), "{bad}");
        }
        assert!(DateTime::parse("2024-02-29T23:59:60Z").is_ok());
    }

    #[test]
    fn limits_are_writable() {
        assert_eq!(DateTime::MIN.to_rfc3339(), "0001-01-01T00:00:00Z");
        assert_eq!(DateTime::MAX.to_rfc3339(), "9999-12-31T23:59:59.999Z");
        assert_eq!(DateTime::from_unix_millis(i64::MAX), DateTime::MAX);
    }
}
