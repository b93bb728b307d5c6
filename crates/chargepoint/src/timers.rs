//! The engine's timers: one table, the next deadline is its minimum.

use crate::time::Instant;

/// Every timer the engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Send BootNotification again (after Pending / Rejected, or a failed attempt).
    BootRetry,
    /// Send Heartbeat.
    Heartbeat,
    /// Our outstanding CALL got no answer in time.
    CallTimeout,
    /// Send a queued transaction message again after a failed attempt.
    TxRetry,
    /// Take a periodic meter sample of the running transaction.
    MeterSample,
    /// Take a clock-aligned meter sample.
    ClockAligned,
    /// Give up an authorization that no EV was plugged in for.
    ConnectionTimeOut,
    /// A soft reset waits this long at most for its StopTransaction to be delivered.
    ResetGrace,
    /// The reservation of connector 1 lapses.
    ReservationExpiry,
    /// The charging profiles' limit changes: offer the new current.
    ChargingSchedule,
    /// A firmware download attempt is due (retrieveDate, or the next retry).
    FirmwareUpdate,
    /// The next attempt of a failed diagnostics upload is due.
    DiagnosticsRetry,
    /// The next attempt of a failed GetLog upload is due.
    LogRetry,
}

impl Timer {
    const COUNT: usize = 13;

    const fn index(self) -> usize {
        self as usize
    }

    const ALL: [Self; Self::COUNT] = [
        Self::BootRetry,
        Self::Heartbeat,
        Self::CallTimeout,
        Self::TxRetry,
        Self::MeterSample,
        Self::ClockAligned,
        Self::ConnectionTimeOut,
        Self::ResetGrace,
        Self::ReservationExpiry,
        Self::ChargingSchedule,
        Self::FirmwareUpdate,
        Self::DiagnosticsRetry,
        Self::LogRetry,
    ];
}

/// Deadlines by timer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Timers {
    at: [Option<Instant>; Timer::COUNT],
}

impl Timers {
    pub(crate) fn set(&mut self, timer: Timer, at: Instant) {
        if let Some(slot) = self.at.get_mut(timer.index()) {
            *slot = Some(at);
        }
    }

    pub(crate) fn clear(&mut self, timer: Timer) {
        if let Some(slot) = self.at.get_mut(timer.index()) {
            *slot = None;
        }
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<Instant> {
        self.at.get(timer.index()).copied().flatten()
    }

    pub(crate) fn is_set(&self, timer: Timer) -> bool {
        self.get(timer).is_some()
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.at.iter().flatten().min().copied()
    }

    /// Takes the earliest timer that is due at `now`, clearing it.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<Timer> {
        let due = Timer::ALL
            .into_iter()
            .filter_map(|t| self.get(t).filter(|at| *at <= now).map(|at| (at, t)))
            .min_by_key(|(at, _)| *at)
            .map(|(_, t)| t)?;
        self.clear(due);
        Some(due)
    }
}
