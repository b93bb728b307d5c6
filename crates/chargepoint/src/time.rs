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

/// Maps the home's real monotonic clock to engine time at an adjustable speed, for demos
/// (1×, 10×, 60×): sampling, heartbeats and the emulated EV all run faster together.
/// Changing the speed never makes engine time jump or run backwards.
///
/// At high speeds the engine's timeouts shrink in real time as well; a home talking to a
/// real CSMS should scale `Settings::call_timeout_ms` by the speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeScale {
    real_origin: u64,
    engine_origin: u64,
    speed: u32,
}

impl TimeScale {
    /// Real time `real_ms` is engine time `real_ms`, at 1×.
    #[must_use]
    pub const fn new(real_ms: u64) -> Self {
        Self {
            real_origin: real_ms,
            engine_origin: real_ms,
            speed: 1,
        }
    }

    /// The speed factor.
    #[must_use]
    pub const fn speed(&self) -> u32 {
        self.speed
    }

    /// Engine time at real time `real_ms`.
    #[must_use]
    pub const fn now(&self, real_ms: u64) -> Instant {
        let elapsed = real_ms.saturating_sub(self.real_origin);
        Instant(
            self.engine_origin
                .saturating_add(elapsed.saturating_mul(self.speed as u64)),
        )
    }

    /// Changes the speed (at least 1) from real time `real_ms` on.
    pub fn set_speed(&mut self, real_ms: u64, speed: u32) {
        self.engine_origin = self.now(real_ms).0;
        self.real_origin = real_ms;
        self.speed = speed.max(1);
    }

    /// Real milliseconds until engine time `at` (for the home's timer), rounded up.
    #[must_use]
    pub const fn real_delay(&self, real_now_ms: u64, at: Instant) -> u64 {
        let engine_wait = at.0.saturating_sub(self.now(real_now_ms).0);
        engine_wait.div_ceil(self.speed as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_changes_do_not_jump() {
        let mut t = TimeScale::new(1_000);
        assert_eq!(t.now(2_000), Instant::from_millis(2_000));
        t.set_speed(2_000, 60);
        assert_eq!(t.now(2_000), Instant::from_millis(2_000));
        assert_eq!(t.now(3_000), Instant::from_millis(62_000));
        assert_eq!(t.real_delay(3_000, Instant::from_millis(62_061)), 2);
        t.set_speed(3_000, 0);
        assert_eq!(t.speed(), 1);
        assert_eq!(t.now(4_000), Instant::from_millis(63_000));
        assert_eq!(t.now(0), Instant::from_millis(62_000), "never backwards");
    }
}
