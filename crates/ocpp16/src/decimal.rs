//! Decimal numbers with one fractional digit (`multipleOf: 0.1` in the schemas).

use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A number that is a multiple of 0.1, as the schemas require of charging limits and
/// rates. Held exactly as a count of tenths, so `16.7` stays `16.7` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Decimal {
    tenths: i64,
}

/// A number that is not a multiple of 0.1, or too large to hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotTenths(pub f64);

impl fmt::Display for NotTenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not a multiple of 0.1", self.0)
    }
}

impl core::error::Error for NotTenths {}

/// Largest magnitude accepted: far above any current or power a charge point meets,
/// and small enough that every value is exact as an `f64`.
const MAX_TENTHS: f64 = 1e15;

impl Decimal {
    /// Zero.
    pub const ZERO: Self = Self { tenths: 0 };

    /// `tenths / 10`.
    #[must_use]
    pub const fn from_tenths(tenths: i64) -> Self {
        Self { tenths }
    }

    /// A whole number.
    #[must_use]
    pub const fn from_int(value: i64) -> Self {
        Self {
            tenths: value.saturating_mul(10),
        }
    }

    /// The value in tenths.
    #[must_use]
    pub const fn tenths(self) -> i64 {
        self.tenths
    }

    /// The value as a float.
    #[must_use]
    #[allow(clippy::cast_precision_loss, reason = "values are far below 2^53")]
    pub fn to_f64(self) -> f64 {
        self.tenths as f64 / 10.0
    }

    /// Accepts a float within 1e-6 of a multiple of 0.1 (floats cannot hold 16.7 exactly).
    #[allow(
        clippy::cast_possible_truncation,
        reason = "range checked before the cast"
    )]
    pub fn from_f64(value: f64) -> Result<Self, NotTenths> {
        let scaled = value * 10.0;
        if !scaled.is_finite() || scaled.abs() > MAX_TENTHS {
            return Err(NotTenths(value));
        }
        let rounded = round(scaled);
        if (scaled - rounded).abs() > 1e-6 {
            return Err(NotTenths(value));
        }
        Ok(Self {
            tenths: rounded as i64,
        })
    }
}

/// `f64::round` lives in std; this is the same for the finite, bounded values used here.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    reason = "bounded"
)]
fn round(x: f64) -> f64 {
    let t = x as i64 as f64;
    if x - t >= 0.5 {
        t + 1.0
    } else if t - x >= 0.5 {
        t - 1.0
    } else {
        t
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.tenths < 0 { "-" } else { "" };
        let abs = self.tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", abs / 10, abs % 10)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.to_f64())
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = f64::deserialize(deserializer)?;
        Self::from_f64(value).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_tenths_only() {
        assert_eq!(Decimal::from_f64(16.7).unwrap().tenths(), 167);
        assert_eq!(Decimal::from_f64(-0.3).unwrap().tenths(), -3);
        assert_eq!(Decimal::from_f64(32.0).unwrap(), Decimal::from_int(32));
        assert!(Decimal::from_f64(16.75).is_err());
        assert!(Decimal::from_f64(f64::NAN).is_err());
        assert!(Decimal::from_f64(1e300).is_err());
        assert_eq!(alloc::format!("{}", Decimal::from_tenths(-5)), "-0.5");
    }

    #[test]
    fn serializes_as_a_short_number() {
        let json = serde_json::to_string(&Decimal::from_tenths(167)).unwrap();
        assert_eq!(json, "16.7");
    }
}
