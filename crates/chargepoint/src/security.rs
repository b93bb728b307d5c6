//! The Security extension's state (OCPP 1.6 Security Whitepaper ed. 2): the bounded
//! security log, a SecurityProfile raise waiting to prove itself (the fallback), the
//! GetLog upload in progress, and the certificate material (the installed
//! CentralSystemRootCertificate, the key of a CSR sent, the box's own certificate and
//! its key). The engine's `features/security.rs` and `features/certificates.rs` carry
//! out the requests; this module owns the state and its stored form ([`Stored`], part
//! of [`crate::durable::DurableState`]).
//!
//! Choices (the whitepaper's use cases where it decides, ours where it is silent):
//! - The security log keeps [`crate::Settings::security_log_capacity`] lines (64 unless
//!   the home chooses), durable, oldest dropped first. The whitepaper sends
//!   `SecurityLogWasCleared` when "the Security log was cleared"; this box has no
//!   command that clears it, so it is sent when the ring starts dropping lines: at the
//!   first line dropped, then again each time a whole log's worth was dropped.
//! - A raised SecurityProfile must connect: after [`FALLBACK_AFTER`] failed connection
//!   attempts with it the box falls back to the previous profile (whitepaper: the
//!   Charge Point falls back to the previous security profile when it cannot connect
//!   with the new one), logs it and reports `ReconfigurationOfSecurityParameters`.
//! - Private keys are stored as their secret hex, never shown: [`Security`]'s `Debug`
//!   and [`Stored`]'s `Debug` redact them.

use alloc::{collections::VecDeque, string::String, vec::Vec};
use ocpp16::DateTime;

/// Lines the security log keeps unless the settings say otherwise.
pub const DEFAULT_LOG_CAPACITY: usize = 64;

/// A clock step by the CSMS smaller than this is not reported as `SettingSystemTime`
/// (it is network delay and drift, not a setting of the time).
pub const CLOCK_STEP_MS: i64 = 10_000;

/// Failed connection attempts with a raised SecurityProfile before the box falls back.
pub const FALLBACK_AFTER: u32 = 3;

/// A SecurityEventNotification waiting for delivery, in stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The event type (`StartupOfTheDevice`, …).
    pub kind: String,
    /// When it happened.
    pub timestamp: DateTime,
    /// Its techInfo.
    pub tech_info: Option<String>,
    /// Failed deliveries so far.
    pub attempts: u32,
}

ocpp16::stored_struct! {
    StoredEvent {
        kind: "type" req,
        timestamp: "timestamp" req,
        tech_info: "techInfo" opt,
        attempts: "attempts" def,
    }
}

/// The Security extension's part of the durable state. Every field is "missing means
/// default", so a state written before the extension loads.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The security log, oldest first.
    pub log: Vec<(DateTime, String)>,
    /// Lines dropped since the last SecurityLogWasCleared.
    pub dropped: u32,
    /// SecurityEventNotifications not yet delivered, oldest first.
    pub events: Vec<StoredEvent>,
    /// The profile before a raise not yet proven by a connection (0 = none pending;
    /// stored as previous + 1).
    pub fallback: u8,
    /// Failed connection attempts since that raise.
    pub failures: u32,
    /// The installed CentralSystemRootCertificate (PEM).
    pub root: String,
    /// The secret of the key whose CSR was sent (hex; empty: none).
    pub pending_key: String,
    /// The box's own certificate chain (PEM, leaf first).
    pub chain: String,
    /// The secret of that certificate's key (hex).
    pub chain_key: String,
}

ocpp16::stored_struct! {
    Stored {
        log: "log" def,
        dropped: "dropped" def,
        events: "events" def,
        fallback: "fallback" def,
        failures: "failures" def,
        root: "root" def,
        pending_key: "pendingKey" def,
        chain: "chain" def,
        chain_key: "chainKey" def,
    }
}

impl core::fmt::Debug for Stored {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Stored")
            .field("log", &self.log.len())
            .field("events", &self.events)
            .field("fallback", &self.fallback)
            .field("root", &!self.root.is_empty())
            .field("pending_key", &"(redacted)")
            .field("chain", &!self.chain.is_empty())
            .field("chain_key", &"(redacted)")
            .finish_non_exhaustive()
    }
}

/// A GetLog upload in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogUpload {
    /// The CSMS's requestId.
    pub request_id: i32,
    /// A DiagnosticsLog (the driver appends its frames), not the security log.
    pub diagnostics: bool,
    /// The upload (shared with GetDiagnostics).
    pub upload: crate::firmware::Upload,
}

/// The Security extension's state (sub-machine of the engine; it owns its state).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Security {
    capacity: usize,
    log: VecDeque<(DateTime, String)>,
    dropped: u32,
    fallback: Option<(u8, u32)>,
    upload: Option<alloc::boxed::Box<LogUpload>>,
    root: Option<String>,
    pending_key: Option<String>,
    identity: Option<(String, String)>,
    /// Key entropy the home gave for the next key pair (RAM only, used once).
    key_seed: Option<[u8; 32]>,
}

impl core::fmt::Debug for Security {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Security")
            .field("log", &self.log.len())
            .field("fallback", &self.fallback)
            .field("upload", &self.upload)
            .field("root", &self.root.is_some())
            .field(
                "pending_key",
                &self.pending_key.as_ref().map(|_| "(redacted)"),
            )
            .field("identity", &self.identity.as_ref().map(|_| "(redacted)"))
            .finish_non_exhaustive()
    }
}

#[cfg_attr(
    not(feature = "certificates"),
    allow(
        dead_code,
        reason = "the certificate part is used with the `certificates` feature"
    )
)]
impl Security {
    /// An empty state whose log keeps `capacity` lines.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            ..Self::default()
        }
    }

    /// The state read back from its stored form (its events go to the session).
    #[must_use]
    pub fn load(stored: Stored, capacity: usize) -> Self {
        let mut log: VecDeque<_> = stored.log.into();
        while log.len() > capacity {
            log.pop_front();
        }
        let some = |s: String| (!s.is_empty()).then_some(s);
        Self {
            capacity,
            log,
            dropped: stored.dropped,
            fallback: stored
                .fallback
                .checked_sub(1)
                .map(|previous| (previous, stored.failures)),
            upload: None,
            root: some(stored.root),
            pending_key: some(stored.pending_key),
            identity: match (some(stored.chain), some(stored.chain_key)) {
                (Some(chain), Some(key)) => Some((chain, key)),
                _ => None,
            },
            key_seed: None,
        }
    }

    /// The stored form, with the undelivered `events`.
    #[must_use]
    pub fn store(&self, events: Vec<StoredEvent>) -> Stored {
        let (chain, chain_key) = self.identity.clone().unwrap_or_default();
        Stored {
            log: self.log.iter().cloned().collect(),
            dropped: self.dropped,
            events,
            fallback: self.fallback.map_or(0, |(p, _)| p.saturating_add(1)),
            failures: self.fallback.map_or(0, |(_, n)| n),
            root: self.root.clone().unwrap_or_default(),
            pending_key: self.pending_key.clone().unwrap_or_default(),
            chain,
            chain_key,
        }
    }

    // ---- the security log -----------------------------------------------------------

    /// Adds a line; `true` when a SecurityLogWasCleared is due (see the module docs).
    pub(crate) fn push(&mut self, at: DateTime, text: String) -> bool {
        if self.capacity == 0 {
            return false;
        }
        let mut due = false;
        while self.log.len() >= self.capacity {
            self.log.pop_front();
            let turnover = u32::try_from(self.capacity).unwrap_or(u32::MAX);
            due |= self.dropped.is_multiple_of(turnover);
            self.dropped = self.dropped.wrapping_add(1);
        }
        self.log.push_back((at, text));
        due
    }

    /// The security log's lines from `start` to `stop` (both included; `None`:
    /// unbounded), oldest first.
    pub fn log_within(
        &self,
        start: Option<DateTime>,
        stop: Option<DateTime>,
    ) -> impl Iterator<Item = &(DateTime, String)> {
        self.log
            .iter()
            .filter(move |(at, _)| start.is_none_or(|s| *at >= s) && stop.is_none_or(|s| *at <= s))
    }

    /// Lines in the security log.
    #[must_use]
    pub fn log_len(&self) -> usize {
        self.log.len()
    }

    // ---- SecurityProfile fallback -----------------------------------------------------

    /// A raise from `previous` waits for its first connection.
    pub(crate) fn raised(&mut self, previous: u8) {
        // A second raise before the first connected keeps the profile that last worked.
        let previous = self.fallback.map_or(previous, |(p, _)| p);
        self.fallback = Some((previous, 0));
    }

    /// A connection attempt failed; `Some(previous)` when it is time to fall back.
    pub(crate) fn connection_failed(&mut self) -> Option<u8> {
        let (previous, failures) = self.fallback.as_mut()?;
        *failures = failures.saturating_add(1);
        if *failures >= FALLBACK_AFTER {
            let previous = *previous;
            self.fallback = None;
            Some(previous)
        } else {
            None
        }
    }

    /// A connection came up: a raised profile proved itself. Whether one was pending.
    pub(crate) fn connected(&mut self) -> bool {
        self.fallback.take().is_some()
    }

    /// The profile a pending raise would fall back to.
    #[must_use]
    pub fn fallback(&self) -> Option<u8> {
        self.fallback.map(|(p, _)| p)
    }

    // ---- GetLog ---------------------------------------------------------------------

    /// The GetLog upload in progress.
    #[must_use]
    pub fn upload(&self) -> Option<&LogUpload> {
        self.upload.as_deref()
    }

    pub(crate) fn upload_mut(&mut self) -> Option<&mut LogUpload> {
        self.upload.as_deref_mut()
    }

    pub(crate) fn set_upload(&mut self, upload: Option<LogUpload>) {
        self.upload = upload.map(alloc::boxed::Box::new);
    }

    // ---- certificates ---------------------------------------------------------------

    /// The installed CentralSystemRootCertificate (PEM).
    #[must_use]
    pub fn root(&self) -> Option<&str> {
        self.root.as_deref()
    }

    pub(crate) fn set_root(&mut self, pem: String) {
        self.root = Some(pem);
    }

    /// The secret (hex) of the key whose CSR is waiting for its certificate.
    pub(crate) fn pending_key(&self) -> Option<&str> {
        self.pending_key.as_deref()
    }

    pub(crate) fn set_pending_key(&mut self, secret_hex: Option<String>) {
        self.pending_key = secret_hex;
    }

    /// The box's own certificate chain (PEM) and its key's secret (hex).
    pub(crate) fn identity(&self) -> Option<(&str, &str)> {
        self.identity
            .as_ref()
            .map(|(c, k)| (c.as_str(), k.as_str()))
    }

    /// Whether the box holds a certificate of its own.
    #[must_use]
    pub fn has_identity(&self) -> bool {
        self.identity.is_some()
    }

    pub(crate) fn set_identity(&mut self, chain_pem: String, secret_hex: String) {
        self.identity = Some((chain_pem, secret_hex));
    }

    pub(crate) fn set_key_seed(&mut self, seed: [u8; 32]) {
        self.key_seed = Some(seed);
    }

    pub(crate) fn take_key_seed(&mut self) -> Option<[u8; 32]> {
        self.key_seed.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn the_log_reports_clearing_once_per_turnover_and_round_trips() {
        let t = |s: i64| DateTime::from_unix_millis(s * 1000);
        let mut sec = Security::new(3);
        let dues: Vec<bool> = (0..10)
            .map(|s| sec.push(t(s), format!("line {s}")))
            .collect();
        assert_eq!(
            dues,
            [
                false, false, false, true, false, false, true, false, false, true
            ]
        );
        assert_eq!(sec.log_len(), 3);
        sec.raised(1);
        sec.set_root(String::from("ROOT"));
        sec.set_pending_key(Some(String::from("00ff")));
        let stored = sec.store(Vec::new());
        assert!(!format!("{stored:?}").contains("00ff"));
        assert!(!format!("{sec:?}").contains("00ff"));
        let back = Security::load(stored, 3);
        assert_eq!(back, sec);
        assert_eq!(back.fallback(), Some(1));
    }

    #[test]
    fn a_raise_falls_back_after_the_failures() {
        let mut sec = Security::new(1);
        assert_eq!(sec.connection_failed(), None);
        sec.raised(0);
        sec.raised(1);
        assert_eq!(sec.connection_failed(), None);
        assert_eq!(sec.connection_failed(), None);
        assert_eq!(
            sec.connection_failed(),
            Some(0),
            "the profile that last worked"
        );
        assert!(!sec.connected());
        sec.raised(2);
        assert!(sec.connected());
    }
}
