//! Requests from the CSMS: the dispatch table and the Core profile's handlers.
//!
//! [`SUPPORTED`] lists the actions this charge point implements. A known OCPP action
//! missing from it is answered `NotSupported`, an unknown one `NotImplemented`; both
//! come from [`ocpp16::decode_call`] and this one table, so a new profile is a new row
//! and a new handler, nothing else.

use alloc::format;
use ocpp16::{
    Action, Call, ErrorCode, Request, Response, Side, WireError, decode_call, messages::*,
};

use crate::{
    config::ChangeOutcome,
    engine::{ChargePoint, Registration},
    io::Command,
    model::{Key, Variant},
    session::Purpose,
    time::Instant,
};

/// The CSMS-initiated actions this charge point answers (the rest of the 39 are
/// `NotSupported`). The profiles still to come add rows here.
pub const SUPPORTED: &[Action] = &[
    Action::ChangeAvailability,
    Action::ChangeConfiguration,
    Action::ClearCache,
    Action::DataTransfer,
    Action::GetConfiguration,
    Action::RemoteStartTransaction,
    Action::RemoteStopTransaction,
    Action::Reset,
    Action::UnlockConnector,
];

impl ChargePoint {
    pub(crate) fn on_call(&mut self, now: Instant, call: &Call) {
        if self.registration == Registration::Rejected {
            // OCPP 1.6 §4.2: while Rejected the charge point does not respond to the CSMS.
            self.warn(format!(
                "{} from the CSMS not answered: registration was rejected",
                call.action
            ));
            return;
        }
        let request = match decode_call(Side::ChargePoint, &call.action, &call.payload) {
            Ok(request) => request,
            Err(error) => return self.reply_error(&call.id, &error),
        };
        let action = request.action();
        if !SUPPORTED.contains(&action) {
            let error = WireError::new(
                ErrorCode::NotSupported,
                format!("{action:?} is not supported by this charge point"),
            );
            return self.reply_error(&call.id, &error);
        }
        match self.handle_request(now, request) {
            Ok(response) => self.reply(&call.id, response),
            Err(error) => self.reply_error(&call.id, &error),
        }
        self.after_request(now);
    }

    fn handle_request(&mut self, now: Instant, request: Request) -> Result<Response, WireError> {
        Ok(match request {
            Request::ChangeAvailability(r) => self.change_availability(now, &r).into(),
            Request::ChangeConfiguration(r) => self.change_configuration(now, &r).into(),
            Request::ClearCache(_) => {
                self.clear_cache();
                ClearCacheResponse {
                    status: ClearCacheStatus::Accepted,
                }
                .into()
            }
            Request::DataTransfer(r) => {
                let status = if r.vendor_id.eq_ignore_case(&self.settings.identity.vendor) {
                    DataTransferStatus::UnknownMessageId
                } else {
                    DataTransferStatus::UnknownVendorId
                };
                DataTransferResponse { status, data: None }.into()
            }
            Request::GetConfiguration(r) => {
                let keys = r.key.unwrap_or_default();
                self.config.get(&keys, &self.settings.limits)?.into()
            }
            Request::RemoteStartTransaction(r) => self.remote_start(now, r).into(),
            Request::RemoteStopTransaction(r) => self.remote_stop(now, &r).into(),
            Request::Reset(r) => self.reset(now, r.kind).into(),
            Request::UnlockConnector(r) => self.unlock(now, &r).into(),
            other => {
                return Err(WireError::new(
                    ErrorCode::InternalError,
                    format!("{:?} has no handler", other.action()),
                ));
            }
        })
    }

    /// Things a request changed that take effect once its answer is queued.
    fn after_request(&mut self, now: Instant) {
        self.update_outputs(now);
        if let Some(hard) = self.reset
            && (hard || !self.session.has_transaction_messages())
        {
            self.reboot(now, hard);
        }
    }

    fn change_availability(
        &mut self,
        now: Instant,
        r: &ChangeAvailabilityRequest,
    ) -> ChangeAvailabilityResponse {
        let inoperative = r.kind == AvailabilityType::Inoperative;
        let status = match r.connector_id {
            0 | 1 if self.connector.transaction.is_some() => {
                self.connector.scheduled_inoperative = Some(inoperative);
                if r.connector_id == 0 {
                    self.cp_scheduled_inoperative = Some(inoperative);
                }
                AvailabilityStatus::Scheduled
            }
            0 => {
                self.cp_operative = !inoperative;
                self.connector.inoperative = inoperative;
                AvailabilityStatus::Accepted
            }
            1 => {
                self.connector.inoperative = inoperative;
                AvailabilityStatus::Accepted
            }
            _ => AvailabilityStatus::Rejected,
        };
        if inoperative && status == AvailabilityStatus::Accepted {
            self.connector.authorized = None;
        }
        self.update_outputs(now);
        ChangeAvailabilityResponse { status }
    }

    fn change_configuration(
        &mut self,
        now: Instant,
        r: &ChangeConfigurationRequest,
    ) -> ChangeConfigurationResponse {
        let outcome = self
            .config
            .change(&r.key, &r.value, self.has_root_certificate());
        match &outcome {
            ChangeOutcome::Rejected(reason) => {
                self.warn(format!("ChangeConfiguration refused: {reason}"));
            }
            ChangeOutcome::Reconnect => {
                // New credentials or security profile: reconnect once the answer is out.
                self.commands.push_back(Command::Disconnect);
                self.handle_disconnected(now);
            }
            ChangeOutcome::Accepted => self.config_changed(now, &r.key),
            ChangeOutcome::RebootRequired | ChangeOutcome::NotSupported => {}
        }
        ChangeConfigurationResponse {
            status: outcome.status(),
        }
    }

    /// Re-arms what depends on a key that just changed.
    fn config_changed(&mut self, now: Instant, key: &str) {
        match Key::from_name(key) {
            Some(Key::HeartbeatInterval) => {
                let s = u64::try_from(self.config.int(Key::HeartbeatInterval)).unwrap_or(0);
                self.heartbeat_ms = crate::time::secs(s);
                self.arm_heartbeat(now);
            }
            Some(Key::MeterValueSampleInterval) => self.arm_meter_sample(now),
            Some(Key::ClockAlignedDataInterval) => self.arm_clock_aligned(now),
            Some(Key::AuthorizationCacheEnabled)
                if !self.config.bool(Key::AuthorizationCacheEnabled) =>
            {
                self.clear_cache();
            }
            _ => {}
        }
    }

    /// The authorization cache arrives with the offline-authorization work; until then
    /// there is nothing to clear.
    fn clear_cache(&mut self) {}

    /// No certificates can be installed yet (Security profile to come).
    fn has_root_certificate(&self) -> bool {
        false
    }

    fn remote_start(
        &mut self,
        now: Instant,
        r: RemoteStartTransactionRequest,
    ) -> RemoteStartTransactionResponse {
        let accepted = self.registration == Registration::Accepted
            && matches!(r.connector_id, None | Some(1))
            && self.connector.transaction.is_none()
            && self.connector.faults.is_empty()
            && !self.connector.inoperative
            && self.cp_operative
            && r.charging_profile
                .as_ref()
                .is_none_or(|p| p.charging_profile_purpose == ChargingProfilePurpose::TxProfile);
        if !accepted {
            return RemoteStartTransactionResponse {
                status: RemoteStartStopStatus::Rejected,
            };
        }
        if self.config.bool(Key::AuthorizeRemoteTxRequests) {
            self.session.push(
                Request::Authorize(AuthorizeRequest { id_tag: r.id_tag }),
                Purpose::Authorize { remote: true },
            );
        } else {
            self.accept_tag(now, r.id_tag, None);
        }
        RemoteStartTransactionResponse {
            status: RemoteStartStopStatus::Accepted,
        }
    }

    fn remote_stop(
        &mut self,
        now: Instant,
        r: &RemoteStopTransactionRequest,
    ) -> RemoteStopTransactionResponse {
        let ours = self
            .connector
            .transaction
            .as_ref()
            .is_some_and(|tx| tx.transaction_id == Some(r.transaction_id));
        if !ours {
            return RemoteStopTransactionResponse {
                status: RemoteStartStopStatus::Rejected,
            };
        }
        self.stop_transaction(now, Reason::Remote, None);
        RemoteStopTransactionResponse {
            status: RemoteStartStopStatus::Accepted,
        }
    }

    fn reset(&mut self, now: Instant, kind: ResetType) -> ResetResponse {
        let hard = kind == ResetType::Hard;
        let reason = if hard {
            Reason::HardReset
        } else {
            Reason::SoftReset
        };
        self.stop_transaction(now, reason, None);
        self.reset = Some(hard);
        if !hard {
            self.timers.set(
                crate::timers::Timer::ResetGrace,
                now + crate::time::secs(30),
            );
        }
        ResetResponse {
            status: ResetStatus::Accepted,
        }
    }

    fn unlock(&mut self, now: Instant, r: &UnlockConnectorRequest) -> UnlockConnectorResponse {
        if self.settings.variant == Variant::Tethered || r.connector_id != 1 {
            // NotSupported: "no connector lock, or ConnectorId is unknown" (OCPP 1.6 §7.44).
            return UnlockConnectorResponse {
                status: UnlockStatus::NotSupported,
            };
        }
        self.stop_transaction(now, Reason::UnlockCommand, None);
        if self.connector.locked {
            self.connector.locked = false;
            self.commands.push_back(Command::Lock(false));
        }
        UnlockConnectorResponse {
            status: UnlockStatus::Unlocked,
        }
    }

    /// The engine restarts as after power-up: the connection is closed, registration
    /// starts again, transaction messages stay queued, the hardware state stays.
    pub(crate) fn reboot(&mut self, now: Instant, hard: bool) {
        self.reset = None;
        self.timers = crate::timers::Timers::default();
        self.commands.push_back(Command::Disconnect);
        self.commands.push_back(Command::Rebooted { hard });
        self.session.lose_connection();
        self.connector.authorized = None;
        self.connector.finishing = false;
        self.connector.reported = None;
        self.cp_reported = None;
        self.relay = None;
        self.led = None;
        self.power_on(now);
    }
}
