//! Connector 1 and the charge point as a whole (connector 0): the status machine, and
//! the relay, lock and light that follow from it.

use alloc::string::String;
use ocpp16::{
    CiString20, CiString50, Request,
    messages::{ChargePointErrorCode, ChargePointStatus, StatusNotificationRequest},
};

use crate::{
    engine::{ChargePoint, Registration},
    features::reservation::Reservation,
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
    ev_plugged: bool,
    /// The EV draws current when offered (false after it suspends).
    ev_suspended: bool,
    /// Active faults; the first one raised is reported.
    faults: alloc::vec::Vec<Fault>,
    /// Made inoperative by ChangeAvailability.
    inoperative: bool,
    /// A ChangeAvailability waiting for the transaction to end (`true` = inoperative).
    scheduled_inoperative: Option<bool>,
    /// An accepted idTag waiting for the EV.
    authorized: Option<Authorized>,
    /// The transaction in progress.
    transaction: Option<Transaction>,
    /// The transaction ended while the EV stays plugged in.
    finishing: bool,
    /// The socket's cable lock is closed.
    locked: bool,
    /// The connector is held for an idTag (ReserveNow).
    reservation: Option<Reservation>,
    /// The last status sent (or queued) to the CSMS.
    reported: Option<(ChargePointStatus, ChargePointErrorCode)>,
    /// The charging profiles limit the current below the least that charges (pause).
    limit_paused: bool,
}

impl Connector {
    /// Takes back what a power cut left in the durable state: the availability, the
    /// reservation and the transaction that was running (which the restore then stops).
    /// The rest stays as power-on found it (what it reported, the derived pause): the
    /// home reports the hardware right after.
    pub(crate) fn restore(
        &mut self,
        inoperative: bool,
        reservation: Option<Reservation>,
        transaction: Option<Transaction>,
    ) {
        self.inoperative = inoperative;
        self.reservation = reservation;
        self.transaction = transaction;
    }

    /// An EV is connected (control pilot state B or C).
    #[must_use]
    pub const fn ev_plugged(&self) -> bool {
        self.ev_plugged
    }

    /// The EV has suspended charging (it draws no current when offered).
    #[must_use]
    pub const fn ev_suspended(&self) -> bool {
        self.ev_suspended
    }

    /// The active faults, in the order they were raised; the first one is reported.
    #[must_use]
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }

    /// Made inoperative by ChangeAvailability.
    #[must_use]
    pub const fn is_inoperative(&self) -> bool {
        self.inoperative
    }

    /// A ChangeAvailability waiting for the transaction to end (`true` = inoperative).
    #[must_use]
    pub const fn scheduled_inoperative(&self) -> Option<bool> {
        self.scheduled_inoperative
    }

    /// The accepted idTag waiting for the EV, if any.
    #[must_use]
    pub const fn authorized(&self) -> Option<&Authorized> {
        self.authorized.as_ref()
    }

    /// The transaction in progress, if any.
    #[must_use]
    pub const fn transaction(&self) -> Option<&Transaction> {
        self.transaction.as_ref()
    }

    /// The transaction ended while the EV stays plugged in (status Finishing).
    #[must_use]
    pub const fn is_finishing(&self) -> bool {
        self.finishing
    }

    /// The socket's cable lock is closed.
    #[must_use]
    pub const fn is_locked(&self) -> bool {
        self.locked
    }

    /// The reservation holding the connector (ReserveNow), if any.
    #[must_use]
    pub const fn reservation(&self) -> Option<&Reservation> {
        self.reservation.as_ref()
    }

    /// An EV was plugged in: it is connected and draws current when offered.
    pub(crate) const fn plugged(&mut self) {
        self.ev_plugged = true;
        self.ev_suspended = false;
    }

    /// The EV was unplugged: no EV, and no Finishing hold for it any more.
    pub(crate) const fn unplugged(&mut self) {
        self.ev_plugged = false;
        self.finishing = false;
    }

    /// The EV suspended (`true`) or resumed (`false`) charging.
    pub(crate) const fn set_suspended(&mut self, suspended: bool) {
        self.ev_suspended = suspended;
    }

    /// A fault is raised; raising an active fault again changes nothing.
    pub(crate) fn raise(&mut self, fault: Fault) {
        if !self.faults.contains(&fault) {
            self.faults.push(fault);
        }
    }

    /// A fault cleared; the others stay active in their order.
    pub(crate) fn clear(&mut self, fault: Fault) {
        self.faults.retain(|f| *f != fault);
    }

    /// An idTag was accepted: it may start a transaction once the EV is there.
    /// Replaces an earlier one still waiting.
    pub(crate) fn authorize(&mut self, authorized: Authorized) {
        self.authorized = Some(authorized);
    }

    /// Takes the waiting authorization, to start a transaction with it or to let it lapse.
    pub(crate) const fn take_authorized(&mut self) -> Option<Authorized> {
        self.authorized.take()
    }

    /// Forgets the waiting authorization (the connector became unusable, the box rebooted).
    pub(crate) fn drop_authorization(&mut self) {
        self.authorized = None;
    }

    /// A transaction starts: the connector is no longer Finishing an earlier one.
    pub(crate) fn start(&mut self, transaction: Transaction) {
        self.finishing = false;
        self.transaction = Some(transaction);
    }

    /// The transaction in progress, to record what the CSMS and the meter said.
    pub(crate) const fn transaction_mut(&mut self) -> Option<&mut Transaction> {
        self.transaction.as_mut()
    }

    /// Ends the transaction in progress and returns it; the connector is Finishing
    /// while the EV stays plugged in. `None` (and no change) when none runs.
    pub(crate) fn end(&mut self) -> Option<Transaction> {
        let transaction = self.transaction.take()?;
        self.finishing = self.ev_plugged;
        Some(transaction)
    }

    /// ChangeAvailability takes effect now: operative (`false`) or inoperative (`true`).
    pub(crate) const fn set_inoperative(&mut self, inoperative: bool) {
        self.inoperative = inoperative;
    }

    /// ChangeAvailability waits for the transaction to end (`true` = inoperative).
    pub(crate) const fn schedule_availability(&mut self, inoperative: bool) {
        self.scheduled_inoperative = Some(inoperative);
    }

    /// Once no transaction runs, the ChangeAvailability that waited takes effect.
    /// True if one did.
    pub(crate) const fn apply_scheduled(&mut self) -> bool {
        if self.transaction.is_some() {
            return false;
        }
        match self.scheduled_inoperative.take() {
            Some(inoperative) => {
                self.inoperative = inoperative;
                true
            }
            None => false,
        }
    }

    /// The connector is held for an idTag (ReserveNow); replaces an earlier reservation.
    pub(crate) fn reserve(&mut self, reservation: Reservation) {
        self.reservation = Some(reservation);
    }

    /// Ends the reservation (used, cancelled or expired) and returns it.
    pub(crate) const fn take_reservation(&mut self) -> Option<Reservation> {
        self.reservation.take()
    }

    /// Opens the cable lock (UnlockConnector). True if it was closed.
    pub(crate) const fn unlock(&mut self) -> bool {
        let was_locked = self.locked;
        self.locked = false;
        was_locked
    }

    /// Moves the cable lock to where the state wants it: closed while a transaction
    /// runs with the EV connected; after an EV-side disconnect it stays closed unless
    /// `unlock_on_ev_disconnect`. The new position when it moved.
    pub(crate) const fn follow_lock(&mut self, unlock_on_ev_disconnect: bool) -> Option<bool> {
        let keep = self.locked && !self.ev_plugged && !unlock_on_ev_disconnect;
        let lock = self.transaction.is_some() && self.ev_plugged || keep;
        if lock == self.locked {
            return None;
        }
        self.locked = lock;
        Some(lock)
    }

    /// Whether the charging profiles hold the current below the least that charges.
    pub(crate) const fn set_limit_paused(&mut self, paused: bool) {
        self.limit_paused = paused;
    }

    /// Records the status the CSMS is told about; true if it differs from the last
    /// one (then it must be reported).
    pub(crate) fn note_reported(
        &mut self,
        status: ChargePointStatus,
        error: ChargePointErrorCode,
    ) -> bool {
        let now = Some((status, error));
        if self.reported == now {
            return false;
        }
        self.reported = now;
        true
    }

    /// Forgets what was reported, so that the present status is reported again (a
    /// reconnect, a BootNotification accepted).
    pub(crate) const fn forget_reported(&mut self) {
        self.reported = None;
    }

    /// The engine restarts: the waiting authorization, the Finishing hold and what was
    /// reported are forgotten; the hardware state, availability, reservation and
    /// transaction stay.
    pub(crate) fn reboot(&mut self) {
        self.drop_authorization();
        self.finishing = false;
        self.forget_reported();
    }

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
        self.connector
            .set_limit_paused(limit_ma.is_some_and(|l| l < least_ma));
        let (status, error, info) = self.connector.status(self.cp_operative);
        if self.connector.note_reported(status, error) {
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
            let unlock_on_ev_disconnect = self
                .config
                .bool(crate::model::Key::UnlockConnectorOnEVSideDisconnect);
            if let Some(lock) = self.connector.follow_lock(unlock_on_ev_disconnect) {
                self.commands.push_back(Command::Lock(lock));
            }
        }

        let led = match (self.registration, status) {
            (_, ChargePointStatus::Faulted) => Led::Fault(
                self.connector
                    .faults()
                    .first()
                    .map_or(crate::FaultClass::Other, |f| f.class()),
            ),
            (Registration::Unknown | Registration::Pending | Registration::Rejected, _)
                if self.connector.transaction().is_none() =>
            {
                Led::Booting
            }
            (_, ChargePointStatus::Unavailable) => Led::Unavailable,
            (_, ChargePointStatus::Charging) => Led::Charging,
            (
                _,
                ChargePointStatus::SuspendedEv
                | ChargePointStatus::SuspendedEvse
                | ChargePointStatus::Finishing,
            ) => Led::Suspended,
            (_, ChargePointStatus::Preparing) if self.connector.ev_plugged() => {
                Led::WaitingForAuthorization
            }
            (_, ChargePointStatus::Preparing) => Led::WaitingForEv,
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
        if self.connector.apply_scheduled() {
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
