//! Bounded strings (`CiString20` … and the Security Whitepaper's lengths) and URIs.

use alloc::string::String;
use core::{fmt, ops::Deref};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A string of at most `N` characters (Unicode scalar values, as JSON Schema's
/// `maxLength` counts them). OCPP's `CiStringN` types are these; they compare
/// case-insensitively on the CSMS side, but the text is kept as received.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CiString<const N: usize>(String);

/// `CiString20Type`: idTags, vendor and model names.
pub type CiString20 = CiString<20>;
/// `CiString25Type`: serial numbers.
pub type CiString25 = CiString<25>;
/// `CiString50Type`: configuration keys, message ids of DataTransfer, infos.
pub type CiString50 = CiString<50>;
/// `CiString255Type`: vendor ids, file names.
pub type CiString255 = CiString<255>;
/// `CiString500Type`: configuration values.
pub type CiString500 = CiString<500>;

/// A string longer than its type allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong {
    /// Characters given.
    pub len: usize,
    /// Characters allowed.
    pub max: usize,
}

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} characters, at most {} allowed", self.len, self.max)
    }
}

impl core::error::Error for TooLong {}

impl<const N: usize> CiString<N> {
    /// The maximum length in characters.
    pub const MAX_LEN: usize = N;

    /// Checks the length. Fast path: a string of at most `N` bytes has at most `N` characters.
    pub fn new(s: impl Into<String>) -> Result<Self, TooLong> {
        let s = s.into();
        if s.len() > N {
            let len = s.chars().count();
            if len > N {
                return Err(TooLong { len, max: N });
            }
        }
        Ok(Self(s))
    }

    /// The text, cut to the first `N` characters when longer: for values the charge
    /// point builds itself (a firmware version, an info text) where cutting is right.
    #[must_use]
    pub fn truncated(s: &str) -> Self {
        match s.char_indices().nth(N) {
            Some((end, _)) => Self(String::from(s.get(..end).unwrap_or(s))),
            None => Self(String::from(s)),
        }
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The owned text.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }

    /// Case-insensitive (ASCII) equality, as OCPP compares `CiString`s.
    #[must_use]
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl<const N: usize> Deref for CiString<N> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const N: usize> fmt::Display for CiString<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const N: usize> TryFrom<&str> for CiString<N> {
    type Error = TooLong;
    fn try_from(s: &str) -> Result<Self, TooLong> {
        Self::new(s)
    }
}

impl<const N: usize> TryFrom<String> for CiString<N> {
    type Error = TooLong;
    fn try_from(s: String) -> Result<Self, TooLong> {
        Self::new(s)
    }
}

impl<const N: usize> Serialize for CiString<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de, const N: usize> Deserialize<'de> for CiString<N> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::new(s).map_err(de::Error::custom)
    }
}

/// A URI (`format: uri` in the schemas): it must start with a scheme (`ftp:`, `https:` …).
/// Whether the charge point can use the scheme is the caller's decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uri(String);

/// A string that is not an absolute URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAUri;

impl fmt::Display for NotAUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an absolute URI (expected scheme:rest, e.g. https://host/path)")
    }
}

impl core::error::Error for NotAUri {}

impl Uri {
    /// Checks for `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"` and no white space
    /// or control characters, as RFC 3986 requires of an absolute URI.
    pub fn new(s: impl Into<String>) -> Result<Self, NotAUri> {
        let s = s.into();
        let (scheme, _) = s.split_once(':').ok_or(NotAUri)?;
        let mut chars = scheme.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        let body_ok = !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if first_ok && rest_ok && body_ok {
            Ok(Self(s))
        } else {
            Err(NotAUri)
        }
    }

    /// The scheme, lower-cased comparison is up to the caller (`https`, `ftp`, …).
    #[must_use]
    pub fn scheme(&self) -> &str {
        self.0.split_once(':').map_or("", |(scheme, _)| scheme)
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Uri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uri {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::new(s).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(CiString20::new("é".repeat(20)).is_ok());
        assert_eq!(
            CiString20::new("x".repeat(23)),
            Err(TooLong { len: 23, max: 20 })
        );
        assert_eq!(CiString::<3>::truncated("héllo").as_str(), "hél");
    }

    #[test]
    fn uris_need_a_scheme() {
        assert_eq!(Uri::new("ftp://user@host/dir/").unwrap().scheme(), "ftp");
        for bad in ["", "no scheme", "/path", "1http://x", "http://a b"] {
            assert!(Uri::new(bad).is_err(), "{bad}");
        }
    }
}
