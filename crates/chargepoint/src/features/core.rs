//! The Core profile's CSMS requests: availability, configuration, cache, data transfer,
//! remote start and stop, reset, unlock.

use alloc::format;
use ocpp16::{Action, Request, WireError, messages::*};

use super::{Handler, rows};
use crate::{
    config::ChangeOutcome,
    engine::{ChargePoint, Registration},
    interface::Command,
    model::{Key, Variant},
    session::Purpose,
    time::Instant,
};

/// The Core profile's rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    ChangeAvailability => |cp, now, r| Ok(cp.change_availability(now, &r)),
    ChangeConfiguration => |cp, now, r| Ok(cp.change_configuration(now, &r)),
    ClearCache => |cp, _, _| {
        cp.clear_cache();
        Ok(ClearCacheResponse { status: ClearCacheStatus::Accepted })
    },
    DataTransfer => |cp, _, r| Ok(cp.data_transfer(&r)),
    GetConfiguration => |cp, _, r| cp.get_configuration(&r),
    RemoteStartTransaction => |cp, now, r| Ok(cp.remote_start(now, r)),
    RemoteStopTransaction => |cp, now, r| Ok(cp.remote_stop(now, &r)),
    Reset => |cp, now, r| Ok(cp.reset(now, &r)),
    UnlockConnector => |cp, now, r| Ok(cp.unlock(now, &r)),
];

impl ChargePoint {
    fn change_availability(
        &mut self,
        now: Instant,
        r: &ChangeAvailabilityRequest,
    ) -> ChangeAvailabilityResponse {
        let inoperative = r.kind == AvailabilityType::Inoperative;
        let status = match r.connector_id {
            0 | 1 if self.connector.transaction().is_some() => {
                self.connector.schedule_availability(inoperative);
                if r.connector_id == 0 {
                    self.cp_scheduled_inoperative = Some(inoperative);
                }
                AvailabilityStatus::Scheduled
            }
            0 => {
                self.cp_operative = !inoperative;
                self.connector.set_inoperative(inoperative);
                AvailabilityStatus::Accepted
            }
            1 => {
                self.connector.set_inoperative(inoperative);
                AvailabilityStatus::Accepted
            }
            other => {
                self.senseless(format!(
                    "connector {other} does not exist (the box has 0 and 1)"
                ));
                AvailabilityStatus::Rejected
            }
        };
        self.changed();
        if inoperative && status == AvailabilityStatus::Accepted {
            self.connector.drop_authorization();
        }
        self.update_outputs(now);
        ChangeAvailabilityResponse { status }
    }

    fn change_configuration(
        &mut self,
        now: Instant,
        r: &ChangeConfigurationRequest,
    ) -> ChangeConfigurationResponse {
        let previous_profile = self.config.int(Key::SecurityProfile);
        let previous_cpo = alloc::string::String::from(self.config.text(Key::CpoName));
        let outcome = match self.security_change_refused(r) {
            Some(reason) => ChangeOutcome::Rejected(reason),
            None => self
                .config
                .change(&r.key, &r.value, self.has_root_certificate()),
        };
        let key = Key::from_name(&r.key);
        if !matches!(
            outcome,
            ChangeOutcome::Rejected(_) | ChangeOutcome::NotSupported
        ) {
            self.changed();
            let write_only = crate::model::Key::from_name(&r.key)
                .is_some_and(|k| k.def().access == crate::model::Access::WriteOnly);
            let value = if write_only {
                "(redacted)"
            } else {
                r.value.as_str()
            };
            self.note(now, format!("configuration: {} = {value}", r.key.as_str()));
        }
        match &outcome {
            ChangeOutcome::Rejected(reason) => {
                self.warn(format!("ChangeConfiguration refused: {reason}"));
            }
            ChangeOutcome::Reconnect
                if key == Some(Key::AuthorizationKey)
                    && self.config.int(crate::model::Key::SecurityProfile) == 0 =>
            {
                // Profile 0 sends no credentials: the new key is stored for a later
                // raise of the profile, and the link stays up.
                self.security_reconfigured(now, Key::AuthorizationKey, previous_profile);
            }
            ChangeOutcome::Reconnect => {
                if let Some(k) = key {
                    self.security_reconfigured(now, k, previous_profile);
                }
                // New credentials or security profile: reconnect once the answer is out.
                self.commands.push_back(Command::Disconnect);
                self.handle_disconnected(now);
            }
            ChangeOutcome::Accepted => {
                self.config_changed(now, &r.key);
                // A new CpoName is the O of a new certificate: ask for one.
                if key == Some(Key::CpoName)
                    && self.config.text(Key::CpoName) != previous_cpo
                    && self.registration == Registration::Accepted
                {
                    self.send_csr(now);
                }
            }
            ChangeOutcome::RebootRequired | ChangeOutcome::NotSupported => {}
        }
        ChangeConfigurationResponse {
            status: outcome.status(),
        }
    }

    /// Sets a configuration key as the installer does before the box goes online (the
    /// native runner's `--config`): the same checks as ChangeConfiguration, except that a
    /// SecurityProfile of 2–3 does not wait for an installed root certificate (the
    /// installer provides the CA with it). The durable state is marked changed.
    ///
    /// # Errors
    /// Why the value was refused: an unknown key, a read-only key, a value out of range.
    pub fn configure(
        &mut self,
        now: Instant,
        key: &str,
        value: &str,
    ) -> Result<(), alloc::string::String> {
        match self.config.change(key, value, true) {
            ChangeOutcome::NotSupported => Err(format!(
                "{key} is not a configuration key of this charge point"
            )),
            ChangeOutcome::Rejected(reason) => Err(reason),
            ChangeOutcome::Accepted | ChangeOutcome::Reconnect | ChangeOutcome::RebootRequired => {
                self.changed();
                self.config_changed(now, key);
                Ok(())
            }
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

    /// GetConfiguration, within the product's key limit.
    fn get_configuration(
        &self,
        r: &GetConfigurationRequest,
    ) -> Result<GetConfigurationResponse, WireError> {
        self.config
            .get(r.key.as_deref().unwrap_or_default(), &self.settings.limits)
    }

    /// DataTransfer: this product has no vendor-specific messages.
    fn data_transfer(&self, r: &DataTransferRequest) -> DataTransferResponse {
        let status = if r.vendor_id.eq_ignore_case(&self.settings.identity.vendor) {
            DataTransferStatus::UnknownMessageId
        } else {
            DataTransferStatus::UnknownVendorId
        };
        DataTransferResponse { status, data: None }
    }

    /// ClearCache, and AuthorizationCacheEnabled set to 0.
    fn clear_cache(&mut self) {
        self.cache.clear();
        self.changed();
    }

    /// Whether a CentralSystemRootCertificate is installed (SecurityProfile 2–3 need one).
    fn has_root_certificate(&self) -> bool {
        self.security.root().is_some()
    }

    fn remote_start(
        &mut self,
        now: Instant,
        r: RemoteStartTransactionRequest,
    ) -> RemoteStartTransactionResponse {
        let accepted = self.registration == Registration::Accepted
            && matches!(r.connector_id, None | Some(1))
            && self.connector.transaction().is_none()
            && self.connector.faults().is_empty()
            && !self.connector.is_inoperative()
            && self.cp_operative
            && !self.reserved_for_another(&r.id_tag, None)
            && r.charging_profile
                .as_ref()
                .is_none_or(|p| crate::smart::remote_start_profile_ok(&self.settings.limits, p));
        if !accepted {
            if let Some(c) = r.connector_id.filter(|c| *c != 1) {
                self.senseless(format!(
                    "connector {c} does not exist (the box has connector 1)"
                ));
            } else if let Some(tx) = self.connector.transaction() {
                let id = tx
                    .transaction_id
                    .map_or(alloc::string::String::from("(no id yet)"), |t| {
                        format!("{t}")
                    });
                self.senseless(format!(
                    "transaction {id} is already running on connector 1"
                ));
            }
            return RemoteStartTransactionResponse {
                status: RemoteStartStopStatus::Rejected,
            };
        }
        self.remote_profile = r
            .charging_profile
            .map(|p| alloc::boxed::Box::new((r.id_tag.clone(), p)));
        if self.config.bool(Key::AuthorizeRemoteTxRequests) {
            self.session.push(
                Request::Authorize(AuthorizeRequest { id_tag: r.id_tag }),
                Purpose::Authorize {
                    remote: true,
                    stop: false,
                },
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
            .transaction()
            .is_some_and(|tx| tx.transaction_id == Some(r.transaction_id));
        if !ours {
            let running = match self.connector.transaction().and_then(|t| t.transaction_id) {
                Some(t) => format!("transaction {t} is"),
                None => alloc::string::String::from("none is"),
            };
            self.senseless(format!(
                "no transaction {} on this box ({running} running)",
                r.transaction_id
            ));
            return RemoteStopTransactionResponse {
                status: RemoteStartStopStatus::Rejected,
            };
        }
        self.stop_transaction(now, Reason::Remote, None);
        RemoteStopTransactionResponse {
            status: RemoteStartStopStatus::Accepted,
        }
    }

    fn reset(&mut self, now: Instant, r: &ResetRequest) -> ResetResponse {
        let hard = r.kind == ResetType::Hard;
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
        if r.connector_id != 1 {
            self.senseless(format!(
                "connector {} does not exist (the box has connector 1)",
                r.connector_id
            ));
        }
        if self.settings.variant == Variant::Tethered || r.connector_id != 1 {
            // NotSupported: "no connector lock, or ConnectorId is unknown" (OCPP 1.6 §7.44).
            return UnlockConnectorResponse {
                status: UnlockStatus::NotSupported,
            };
        }
        self.stop_transaction(now, Reason::UnlockCommand, None);
        if self.connector.unlock() {
            self.commands.push_back(Command::Lock(false));
        }
        UnlockConnectorResponse {
            status: UnlockStatus::Unlocked,
        }
    }
}
