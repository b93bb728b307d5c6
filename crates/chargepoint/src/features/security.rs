//! The Security extension (OCPP 1.6 Security Whitepaper ed. 2): ExtendedTriggerMessage,
//! SecurityEventNotification, the security log, SecurityProfile raises with their
//! fallback; GetLog is carried out in `get_log`, the certificates in `certificates`
//! (their choices are listed here and there). It is not an OCPP 1.6
//! feature profile, so `SupportedFeatureProfiles` (derived from the six 1.6 profiles)
//! does not change with it. The state is [`crate::security`]'s.
//!
//! Choices (the whitepaper's words in quotes where it decides):
//! - SecurityEventNotification is sent for the contract's six types only:
//!   `StartupOfTheDevice` at every power-on, reboot and restore; `ResetOrReboot` when a
//!   Reset is carried out or the box reboots into installed firmware; `FirmwareUpdated`
//!   when that firmware's BootNotification is Accepted; `SettingSystemTime` when the
//!   CSMS's `currentTime` moves the wall clock by more than
//!   [`crate::security::CLOCK_STEP_MS`] (smaller corrections are network delay, not a
//!   setting of the time); `SecurityLogWasCleared`
//!   (see [`crate::security`]); `ReconfigurationOfSecurityParameters` when
//!   SecurityProfile or AuthorizationKey change, a raise falls back, or a root
//!   certificate is installed. They are queued like transaction messages: durable,
//!   kept across offline periods and power cuts, retried
//!   (TransactionMessageAttempts / TransactionMessageRetryInterval), in order among
//!   themselves (after a power cut the restored transaction messages go first); each
//!   also goes into the security log. The first power-on's StartupOfTheDevice waits
//!   for the wall clock (the home sets it right after creating the engine), so its
//!   timestamp is the real one.
//! - GetLog: a location whose scheme is not HTTP, HTTPS or FTP, or without a host, is
//!   `Rejected` (nothing can be uploaded, as GetDiagnostics answers without a file
//!   name). Otherwise `Accepted` (`AcceptedCanceled` when it replaces a running one:
//!   "Accepted this log upload, but in doing this has canceled an ongoing log file
//!   upload") with `<id>-securitylog|diagnosticslog-<yyyymmddThhmmssZ>.log`; then
//!   `Uploading`, and `Uploaded` or, after `retries` more attempts `retryInterval` s
//!   apart, `UploadFailure`. A server that refuses for a reason another attempt does
//!   not change ends it at once: HTTP 401/403 or FTP 530 `PermissionDenied`, HTTP 400
//!   `BadMessage`, HTTP 405/501 or FTP 502 `NotSupportedOperation` (the home's reason
//!   names the code, `HTTP 403 Forbidden`). A DiagnosticsLog is what GetDiagnostics
//!   uploads (with the driver's frames); a SecurityLog is the security log.
//! - ExtendedTriggerMessage: as TriggerMessage for the messages both have (connector
//!   0 or 1, else `Rejected`; while not Accepted only BootNotification);
//!   FirmwareStatusNotification is the plain one (the box has no signed firmware);
//!   LogStatusNotification reports the GetLog upload's status, `Idle` when none runs.
//! - SecurityProfile: raising is `Accepted` and reconnects with the new profile; 2–3
//!   are `Rejected` while the CSMS URL is `ws://` (they need TLS); lowering is
//!   `Rejected` ("may only be raised"). After [`crate::security::FALLBACK_AFTER`]
//!   failed connections with a raised profile the box falls back to the previous one.

use alloc::{format, string::String};
use ocpp16::{Action, DateTime, Request, WireError, messages::*};

use super::{Handler, rows};
use crate::{
    engine::{ChargePoint, Registration},
    interface::Event,
    model::Key,
    security::StoredEvent,
    session::{Outgoing, Purpose},
    time::Instant,
};

/// The Security extension's rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    ExtendedTriggerMessage => |cp, now, r| Ok(cp.extended_trigger(now, &r)),
];

/// The SecurityEventNotification types this box sends (the contract's six).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SecurityEvent {
    StartupOfTheDevice,
    ResetOrReboot,
    SettingSystemTime,
    SecurityLogWasCleared,
    FirmwareUpdated,
    ReconfigurationOfSecurityParameters,
}

impl SecurityEvent {
    const fn as_str(self) -> &'static str {
        match self {
            Self::StartupOfTheDevice => "StartupOfTheDevice",
            Self::ResetOrReboot => "ResetOrReboot",
            Self::SettingSystemTime => "SettingSystemTime",
            Self::SecurityLogWasCleared => "SecurityLogWasCleared",
            Self::FirmwareUpdated => "FirmwareUpdated",
            Self::ReconfigurationOfSecurityParameters => "ReconfigurationOfSecurityParameters",
        }
    }
}

impl ChargePoint {
    // ---- security events and the security log ----------------------------------------

    /// A line for the security log (durable); a SecurityLogWasCleared when the ring
    /// starts another turnover.
    pub(crate) fn security_note(&mut self, now: Instant, text: String) {
        if self.security_line(now, text) {
            self.security_event(now, SecurityEvent::SecurityLogWasCleared, None);
        }
    }

    fn security_line(&mut self, now: Instant, text: String) -> bool {
        self.changed();
        let at = self.wall_clock(now);
        self.security.push(at, text)
    }

    /// Queues a SecurityEventNotification (durable, retried, in order) and logs it.
    pub(crate) fn security_event(
        &mut self,
        now: Instant,
        kind: SecurityEvent,
        tech_info: Option<String>,
    ) {
        let line = match &tech_info {
            Some(info) => format!("security event {}: {info}", kind.as_str()),
            None => format!("security event {}", kind.as_str()),
        };
        let due = self.security_line(now, line);
        let request = SecurityEventNotificationRequest {
            kind: ocpp16::CiString50::truncated(kind.as_str()),
            timestamp: self.wall_clock(now),
            tech_info: tech_info.as_deref().map(ocpp16::CiString255::truncated),
        };
        self.session.push(
            Request::SecurityEventNotification(request),
            Purpose::SecurityEvent,
        );
        self.events.push_back(Event::SecurityEvent {
            kind: String::from(kind.as_str()),
            tech_info,
        });
        if due && kind != SecurityEvent::SecurityLogWasCleared {
            self.security_event(now, SecurityEvent::SecurityLogWasCleared, None);
        }
    }

    /// A power-on: StartupOfTheDevice once the wall clock is known
    /// ([`ChargePoint::flush_startup`]).
    pub(crate) fn started_up(&mut self) {
        self.startup_pending = true;
    }

    /// The pending StartupOfTheDevice, now.
    pub(crate) fn flush_startup(&mut self, now: Instant) {
        if core::mem::take(&mut self.startup_pending) {
            let info = format!(
                "power-on {} (firmware {})",
                self.boots,
                self.firmware_version()
            );
            self.security_event(now, SecurityEvent::StartupOfTheDevice, Some(info));
        }
    }

    /// The security events not yet delivered, in stored form.
    pub(crate) fn stored_security_events(&self) -> alloc::vec::Vec<StoredEvent> {
        self.session
            .unanswered()
            .filter(|o| o.purpose == Purpose::SecurityEvent)
            .filter_map(|o| match &o.request {
                Request::SecurityEventNotification(r) => Some(StoredEvent {
                    kind: String::from(r.kind.as_str()),
                    timestamp: r.timestamp,
                    tech_info: r.tech_info.as_ref().map(|t| String::from(t.as_str())),
                    attempts: o.attempts,
                }),
                _ => None,
            })
            .collect()
    }

    /// Stored security events back in the queue, in order.
    pub(crate) fn restore_security_events(&mut self, events: &[StoredEvent]) {
        for e in events {
            let request = SecurityEventNotificationRequest {
                kind: ocpp16::CiString50::truncated(&e.kind),
                timestamp: e.timestamp,
                tech_info: e.tech_info.as_deref().map(ocpp16::CiString255::truncated),
            };
            self.session.restore(Outgoing {
                request: Request::SecurityEventNotification(request),
                purpose: Purpose::SecurityEvent,
                attempts: e.attempts,
            });
        }
    }

    /// The CSMS set the clock from `old` to `new`: reported when it is a real step.
    pub(crate) fn clock_stepped(&mut self, now: Instant, old: DateTime, new: DateTime) {
        let step = new.unix_millis().saturating_sub(old.unix_millis());
        if step.unsigned_abs() > crate::security::CLOCK_STEP_MS.unsigned_abs() {
            let info = format!("clock set from {old} by {:+} s", step / 1000);
            self.security_event(now, SecurityEvent::SettingSystemTime, Some(info));
        }
    }

    /// The security log as GetLog uploads it.
    #[must_use]
    pub fn security_log_text(
        &self,
        now: Instant,
        start: Option<DateTime>,
        stop: Option<DateTime>,
    ) -> String {
        use core::fmt::Write;
        let mut text = format!(
            "EVC security log\ncharge point: {}\ntime: {}\n\n",
            self.settings.identity.serial,
            self.wall_clock(now)
        );
        for (at, line) in self.security.log_within(start, stop) {
            let _ = writeln!(text, "{at} {line}");
        }
        text
    }

    /// The Security extension's state.
    #[must_use]
    pub fn security(&self) -> &crate::security::Security {
        &self.security
    }

    // ---- SecurityProfile and AuthorizationKey ---------------------------------------

    /// A ChangeConfiguration the Security extension refuses before the store sees it.
    pub(crate) fn security_change_refused(&self, r: &ChangeConfigurationRequest) -> Option<String> {
        let profile = Key::from_name(&r.key) == Some(Key::SecurityProfile);
        let tls = r.value.as_str().trim().parse::<i64>().is_ok_and(|p| p >= 2);
        let plain = self
            .settings
            .csms_url
            .get(..5)
            .is_some_and(|s| s.eq_ignore_ascii_case("ws://"));
        (profile && tls && plain).then(|| {
            String::from(
                "SecurityProfile 2–3 needs a wss:// CSMS URL (TLS); this box connects with ws://",
            )
        })
    }

    /// A security parameter changed (SecurityProfile from `previous`, AuthorizationKey).
    pub(crate) fn security_reconfigured(&mut self, now: Instant, key: Key, previous: i64) {
        let info = match key {
            Key::SecurityProfile => {
                self.security.raised(u8::try_from(previous).unwrap_or(0));
                let new = self.config.int(Key::SecurityProfile);
                format!("SecurityProfile raised from {previous} to {new}")
            }
            _ => String::from("AuthorizationKey changed"),
        };
        self.security_event(
            now,
            SecurityEvent::ReconfigurationOfSecurityParameters,
            Some(info),
        );
    }

    /// The connection came up with the configured profile.
    pub(crate) fn security_connected(&mut self, now: Instant) {
        let profile = self.config.int(Key::SecurityProfile);
        let proven = self.security.connected();
        let mut line = format!("connected with SecurityProfile {profile}");
        if proven {
            line.push_str(" (the raise is kept)");
        }
        self.security_note(now, line);
    }

    /// A connection attempt failed: a raised profile falls back after enough of them.
    pub(crate) fn security_connection_failed(&mut self, now: Instant) {
        let Some(previous) = self.security.connection_failed() else {
            if self.security.fallback().is_some() {
                self.changed();
            }
            return;
        };
        let failed = self.config.int(Key::SecurityProfile);
        self.config.set_security_profile(i64::from(previous));
        self.changed();
        self.reconnect_attempts = 0;
        let info = format!(
            "SecurityProfile {failed} could not connect {} times; back to {previous}",
            crate::security::FALLBACK_AFTER
        );
        self.warn(info.clone());
        self.security_event(
            now,
            SecurityEvent::ReconfigurationOfSecurityParameters,
            Some(info),
        );
    }

    // ---- ExtendedTriggerMessage ------------------------------------------------------

    fn extended_trigger(
        &mut self,
        now: Instant,
        r: &ExtendedTriggerMessageRequest,
    ) -> ExtendedTriggerMessageResponse {
        use ExtendedMessageTrigger as X;
        let shared = match r.requested_message {
            X::BootNotification => Some(MessageTrigger::BootNotification),
            X::FirmwareStatusNotification => Some(MessageTrigger::FirmwareStatusNotification),
            X::Heartbeat => Some(MessageTrigger::Heartbeat),
            X::MeterValues => Some(MessageTrigger::MeterValues),
            X::StatusNotification => Some(MessageTrigger::StatusNotification),
            X::LogStatusNotification | X::SignChargePointCertificate => None,
        };
        let status = if let Some(m) = shared {
            let request = TriggerMessageRequest {
                requested_message: m,
                connector_id: r.connector_id,
            };
            self.trigger(now, &request).status
        } else if r.connector_id.is_some_and(|c| !(0..=1).contains(&c))
            || self.registration != Registration::Accepted
        {
            TriggerMessageStatus::Rejected
        } else if r.requested_message == X::LogStatusNotification {
            let (status, request_id) = self
                .security
                .upload()
                .map_or((UploadLogStatus::Idle, None), |u| {
                    (UploadLogStatus::Uploading, Some(u.request_id))
                });
            let request = LogStatusNotificationRequest { status, request_id };
            self.session
                .push(Request::LogStatusNotification(request), Purpose::Triggered);
            TriggerMessageStatus::Accepted
        } else {
            self.sign_certificate_trigger(now)
        };
        ExtendedTriggerMessageResponse { status }
    }

    /// SignChargePointCertificate: a new key and its CSR (see `certificates`).
    fn sign_certificate_trigger(&mut self, now: Instant) -> TriggerMessageStatus {
        if !cfg!(feature = "certificates") {
            // Whitepaper: NotImplemented, "the requested message is not implemented".
            return TriggerMessageStatus::NotImplemented;
        }
        if self.send_csr(now) {
            TriggerMessageStatus::Accepted
        } else {
            TriggerMessageStatus::Rejected
        }
    }
}
