//! Connector 1 and the charge point as a whole (connector 0): the status machine, and
//! the relay, lock and light that follow from it.

use alloc::string::String;
use ocpp16::{
    CiString20, CiString50, Request,
    messages::{ChargePointErrorCode, ChargePointStatus, StatusNotificationRequest},
};

use crate::{
    engine::{ChargePoint, Registration},
    interface::{Command, Event, Fault, Led},
    model::Variant,
    session::Purpose,
    time::Instant,
    transaction::Transaction,
};

/// An idTag that may start a transaction once an EV is plugged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    /// The idTag.
    pub id_tag: CiString20,
    /// Its group, when the CSMS or the local list named one.
    pub parent_id_tag: Option<CiString20>,
    /// When it was accepted (ConnectionTimeOut counts from here).
    pub since: Instant,
}

/// The state of connector 1.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connector {
    /// An EV is connected (control pilot state B or C).
    pub ev_plugged: bool,
    /// The EV draws current when offered (false after it suspends).
    pub ev_suspended: bool,
    /// Active faults; the first one raised is reported.
    pub faults: alloc::vec::Vec<Fault>,
    /// Made inoperative by ChangeAvailability.
    pub inoperative: bool,
    /// A ChangeAvailability waiting for the transaction to end (`true` = inoperative).
    pub scheduled_inoperative: Option<bool>,
    /// An accepted idTag waiting for the EV.
    pub authorized: Option<Authorized>,
    /// The transaction in progress.
    pub transaction: Option<Transaction>,
    /// The transaction ended while the EV stays plugged in.
    pub finishing: bool,
    /// The socket's cable lock is closed.
    pub locked: bool,
    /// The connector is held for an idTag (ReserveNow).
    pub reservation: Option<crate::Reservation>,
    /// The last status sent (or queued) to the CSMS.
    pub(crate) reported: Option<(ChargePointStatus, ChargePointErrorCode)>,
    /// The charging profiles limit the current below the least that charges (pause).
    pub(crate) limit_paused: bool,
}

impl Connector {
    /// The status as OCPP defines it, with the error code and info to report.
    #[must_use]
    pub fn status(
        &self,
        cp_operative: bool,
    ) -> (
        ChargePointStatus,
        ChargePointErrorCode,
        Option<&'static str>,
    ) {
        if let Some(fault) = self.faults.first() {
            return (
                ChargePointStatus::Faulted,
                fault.error_code(),
                Some(fault.info()),
            );
        }
        let status = if let Some(tx) = &self.transaction {
            if !self.ev_plugged {
                ChargePointStatus::Finishing
            } else if !tx.energy_allowed || self.limit_paused || self.inoperative || !cp_operative {
                ChargePointStatus::SuspendedEvse
            } else if self.ev_suspended {
                ChargePointStatus::SuspendedEv
            } else {
                ChargePointStatus::Charging
            }
        } else if self.inoperative || !cp_operative {
            ChargePointStatus::Unavailable
        } else if self.finishing && self.ev_plugged {
            ChargePointStatus::Finishing
        } else if self.ev_plugged || self.authorized.is_some() {
            ChargePointStatus::Preparing
        } else if self.reservation.is_some() {
            ChargePointStatus::Reserved
        } else {
            ChargePointStatus::Available
        };
        (status, ChargePointErrorCode::NoError, None)
    }

    /// Whether energy may flow: a transaction that may charge, no fault, available.
    pub(crate) fn relay_closed(&self, cp_operative: bool) -> bool {
        self.faults.is_empty()
            && self.ev_plugged
            && !self.inoperative
            && cp_operative
            && !self.limit_paused
            && self
                .transaction
                .as_ref()
                .is_some_and(|tx| tx.energy_allowed)
    }
}

impl ChargePoint {
    /// Brings the relay, lock, light and StatusNotifications in line with the state.
    /// Called after every change; does nothing when nothing changed.
    pub(crate) fn update_outputs(&mut self, now: Instant) {
        // Smart Charging: below the least current that charges, the box pauses.
        let limit_ma = self.charging_limit_ma(now);
        let least_ma = self.settings.limits.min_current_a.saturating_mul(1000);
        self.connector.limit_paused = limit_ma.is_some_and(|l| l < least_ma);
        let (status, error, info) = self.connector.status(self.cp_operative);
        if self.connector.reported != Some((status, error)) {
            self.connector.reported = Some((status, error));
            self.events.push_back(Event::StatusChanged {
                connector: 1,
                status,
                error,
            });
            self.queue_status(now, 1, status, error, info);
        }
        let cp_status = self.cp_status();
        if self.cp_reported != Some(cp_status) {
            self.cp_reported = Some(cp_status);
            self.events.push_back(Event::StatusChanged {
                connector: 0,
                status: cp_status,
                error: ChargePointErrorCode::NoError,
            });
            self.queue_status(now, 0, cp_status, ChargePointErrorCode::NoError, None);
        }

        let closed = self.connector.relay_closed(self.cp_operative);
        let offered = if closed {
            self.settings
                .max_current_ma
                .min(limit_ma.unwrap_or(u32::MAX))
        } else {
            0
        };
        if self.relay != Some((closed, offered)) {
            self.relay = Some((closed, offered));
            self.commands.push_back(Command::SetRelay {
                closed,
                offered_ma: offered,
            });
        }

        if self.settings.variant == Variant::Socket {
            // Locked while a transaction runs with the EV connected; after an EV-side
            // disconnect it stays locked only if UnlockConnectorOnEVSideDisconnect is 0.
            let keep = self.connector.locked
                && !self.connector.ev_plugged
                && !self
                    .config
                    .bool(crate::model::Key::UnlockConnectorOnEVSideDisconnect);
            let lock = self.connector.transaction.is_some() && self.connector.ev_plugged || keep;
            if lock != self.connector.locked {
                self.connector.locked = lock;
                self.commands.push_back(Command::Lock(lock));
            }
        }

        let led = match (self.registration, status) {
            (_, ChargePointStatus::Faulted) => Led::Fault,
            (Registration::Unknown | Registration::Pending | Registration::Rejected, _)
                if self.connector.transaction.is_none() =>
            {
                Led::Booting
            }
            (_, ChargePointStatus::Unavailable) => Led::Unavailable,
            (_, ChargePointStatus::Charging) => Led::Charging,
            (_, ChargePointStatus::SuspendedEv | ChargePointStatus::SuspendedEvse) => {
                Led::Suspended
            }
            (_, ChargePointStatus::Preparing) => Led::WaitingForAuthorization,
            _ => Led::Available,
        };
        if self.led != Some(led) {
            self.led = Some(led);
            self.commands.push_back(Command::Indicator(led));
        }
    }

    /// The status of the charge point as a whole (connector 0).
    pub(crate) const fn cp_status(&self) -> ChargePointStatus {
        if self.cp_operative {
            ChargePointStatus::Available
        } else {
            ChargePointStatus::Unavailable
        }
    }

    /// Queues a StatusNotification: online, every transition is reported, in order (a
    /// CSMS reads Finishing as "the session ended, the cable is still in"). Offline or
    /// before registration nothing is queued: the reconnect or the acceptance reports
    /// every connector's present status.
    pub(crate) fn queue_status(
        &mut self,
        now: Instant,
        connector: i32,
        status: ChargePointStatus,
        error: ChargePointErrorCode,
        info: Option<&'static str>,
    ) {
        if self.registration != Registration::Accepted || !self.session.is_connected() {
            return;
        }
        let request = StatusNotificationRequest {
            connector_id: connector,
            error_code: error,
            info: info.map(CiString50::truncated),
            status,
            timestamp: Some(self.wall_clock(now)),
            vendor_id: None,
            vendor_error_code: None,
        };
        self.session
            .push(Request::StatusNotification(request), Purpose::Status);
    }

    /// Applies a ChangeAvailability that waited for the transaction to end.
    pub(crate) fn apply_scheduled_availability(&mut self) {
        if self.connector.transaction.is_none()
            && let Some(inoperative) = self.connector.scheduled_inoperative.take()
        {
            self.connector.inoperative = inoperative;
            self.dirty = true;
            if let Some(cp_inoperative) = self.cp_scheduled_inoperative.take() {
                self.cp_operative = !cp_inoperative;
            }
        }
    }

    /// An idTag for display in events.
    pub(crate) fn tag_text(tag: &CiString20) -> String {
        String::from(tag.as_str())
    }
}
