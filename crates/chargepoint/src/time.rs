//! Monotonic time as the home passes it in. The engine never reads a clock.

use core::ops::{Add, Sub};

/// A monotonic instant in milliseconds since an arbitrary start the home chooses
/// (boot of the MCU, page load, process start, or virtual time in tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The home's time zero.
    pub const ZERO: Self = Self(0);

    /// `ms` milliseconds after the home's time zero.
    #[must_use]
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// `s` seconds after the home's time zero.
    #[must_use]
    pub const fn from_secs(s: u64) -> Self {
        Self(s.saturating_mul(1000))
    }

    /// Milliseconds since the home's time zero.
    #[must_use]
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Milliseconds from `earlier` to `self`, zero if `earlier` is later.
    #[must_use]
    pub const fn millis_since(self, earlier: Self) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<u64> for Instant {
    type Output = Self;
    /// `self` plus milliseconds (saturating).
    fn add(self, ms: u64) -> Self {
        Self(self.0.saturating_add(ms))
    }
}

impl Sub<Instant> for Instant {
    type Output = u64;
    /// Milliseconds between two instants (saturating at zero).
    fn sub(self, earlier: Instant) -> u64 {
        self.millis_since(earlier)
    }
}

/// Milliseconds in `s` seconds.
#[must_use]
pub const fn secs(s: u64) -> u64 {
    s.saturating_mul(1000)
}
