//! Transactions: authorization by card or CSMS, start, stop with the right reason, and
//! the meter values that belong to them.

use ocpp16::{
    CiString20, DateTime, Request,
    messages::{
        MeterValuesRequest, ReadingContext, Reason, StartTransactionRequest, StopTransactionRequest,
    },
};

use crate::{
    connector::Authorized,
    engine::ChargePoint,
    interface::{Command, Event, HardwareEvent, Led},
    metering::{TX_DATA_MAX, TxData, meter_value, sampled_values},
    model::Key,
    session::Purpose,
    time::{Instant, secs},
    timers::Timer,
};

/// A transaction in progress on connector 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// The engine's own number for it, valid before the CSMS assigns an id.
    pub local_id: u32,
    /// The CSMS's transaction id, once StartTransaction was answered.
    pub transaction_id: Option<i32>,
    /// The idTag that started it.
    pub id_tag: CiString20,
    /// Its group (parentIdTag), if known.
    pub parent_id_tag: Option<CiString20>,
    /// The energy register at the start, in Wh.
    pub meter_start_wh: u64,
    /// When it started (UTC).
    pub started_at: DateTime,
    /// False once the CSMS refused the idTag and StopTransactionOnInvalidId is 0:
    /// the transaction stays open but no energy flows.
    pub energy_allowed: bool,
    /// Samples for StopTransaction's transactionData (StopTxnSampledData).
    pub(crate) tx_data: TxData,
}

// The stored form (see `crate::durable`): format 1's names after `|`.
ocpp16::stored_struct! {
    Transaction {
        local_id: "localId" | "local_id" req,
        transaction_id: "transactionId" | "transaction_id" opt,
        id_tag: "idTag" | "id_tag" req,
        parent_id_tag: "parentIdTag" | "parent_id_tag" opt,
        meter_start_wh: "meterStart" | "meter_start_wh" req,
        started_at: "startedAt" | "started_at" req,
        energy_allowed: "energyAllowed" | "energy_allowed" req,
        tx_data: "txData" | "tx_data" req,
    }
}

impl ChargePoint {
    pub(crate) fn on_hardware(&mut self, now: Instant, event: HardwareEvent) {
        match event {
            HardwareEvent::EvPlugged => {
                self.connector.plugged();
                self.timers.clear(Timer::ConnectionTimeOut);
                self.try_start(now);
            }
            HardwareEvent::EvUnplugged => {
                self.connector.unplugged();
                if self.connector.transaction().is_some() {
                    // StopTransactionOnEVSideDisconnect is read-only 1 on this product.
                    self.stop_transaction(now, Reason::EvDisconnected, None);
                }
            }
            HardwareEvent::EvSuspended => self.connector.set_suspended(true),
            HardwareEvent::EvResumed => self.connector.set_suspended(false),
            HardwareEvent::RfidTap(tag) => self.on_tap(now, &tag),
            HardwareEvent::FaultRaised(fault) => self.connector.raise(fault),
            HardwareEvent::FaultCleared(fault) => self.connector.clear(fault),
            HardwareEvent::Meter(reading) => self.reading = reading,
        }
        self.update_outputs(now);
    }

    pub(crate) fn flash_rejected(&mut self) {
        self.commands.push_back(Command::Indicator(Led::Rejected));
        if let Some(led) = self.led {
            self.commands.push_back(Command::Indicator(led));
        }
    }

    /// An idTag may start a transaction: now if the EV is there, else when it comes.
    pub(crate) fn accept_tag(&mut self, now: Instant, tag: CiString20, parent: Option<CiString20>) {
        if self.connector.transaction().is_some() {
            return;
        }
        self.connector.authorize(Authorized {
            id_tag: tag,
            parent_id_tag: parent,
            since: now,
        });
        if self.connector.ev_plugged() {
            self.try_start(now);
        } else {
            let timeout = secs(u64::try_from(self.config.int(Key::ConnectionTimeOut)).unwrap_or(0));
            self.timers.set(Timer::ConnectionTimeOut, now + timeout);
        }
        self.update_outputs(now);
    }

    /// Starts a transaction if an idTag is accepted and the EV is plugged in.
    fn try_start(&mut self, now: Instant) {
        if self.connector.transaction().is_some() || !self.connector.ev_plugged() {
            return;
        }
        let Some(auth) = self.connector.take_authorized() else {
            return;
        };
        self.timers.clear(Timer::ConnectionTimeOut);
        // A transaction of the reserved idTag uses (and ends) the reservation.
        let reservation_id = self.connector.take_reservation().map(|r| r.id);
        if reservation_id.is_some() {
            self.timers.clear(Timer::ReservationExpiry);
        }
        let local_id = self.next_local_tx;
        self.next_local_tx = self.next_local_tx.wrapping_add(1);
        let started_at = self.wall_clock(now);
        let meter_start_wh = self.reading.energy_wh;
        let mut tx_data = TxData::new(TX_DATA_MAX);
        let stop_measurands = self.config.measurands(Key::StopTxnSampledData);
        tx_data.push(
            started_at,
            ReadingContext::TransactionBegin,
            &self.reading,
            self.offered_ma(),
            stop_measurands,
        );
        self.session.push(
            Request::StartTransaction(StartTransactionRequest {
                connector_id: 1,
                id_tag: auth.id_tag.clone(),
                meter_start: clamp_i32(meter_start_wh),
                reservation_id,
                timestamp: started_at,
            }),
            Purpose::StartTx { tx: local_id },
        );
        self.events.push_back(Event::TransactionStarted {
            transaction_id: None,
            id_tag: Self::tag_text(&auth.id_tag),
        });
        self.connector.start(Transaction {
            local_id,
            transaction_id: None,
            id_tag: auth.id_tag,
            parent_id_tag: auth.parent_id_tag,
            meter_start_wh,
            started_at,
            energy_allowed: true,
            tx_data,
        });
        // A RemoteStartTransaction's TxProfile belongs to the transaction of its idTag.
        if let Some((tag, profile)) = self.remote_profile.take().map(|b| *b)
            && self
                .connector
                .transaction()
                .is_some_and(|t| t.id_tag.eq_ignore_case(&tag))
        {
            let status = self.install_profile(now, 1, profile);
            if status != ocpp16::messages::ChargingProfileStatus::Accepted {
                self.warn(alloc::string::String::from(
                    "the charging profile of the RemoteStartTransaction could not be installed",
                ));
            }
        }
        self.arm_meter_sample(now);
        self.update_outputs(now);
    }

    /// Ends the transaction in progress with `reason`; `id_tag` is the card that stopped it.
    pub(crate) fn stop_transaction(
        &mut self,
        now: Instant,
        reason: Reason,
        id_tag: Option<CiString20>,
    ) {
        let Some(mut tx) = self.connector.end() else {
            return;
        };
        self.timers.clear(Timer::MeterSample);
        let at = self.wall_clock(now);
        let stop_measurands = self.config.measurands(Key::StopTxnSampledData);
        let offered = self.offered_ma();
        tx.tx_data.push(
            at,
            ReadingContext::TransactionEnd,
            &self.reading,
            offered,
            stop_measurands,
        );
        if let Some(id) = tx.transaction_id {
            self.finished_ids.push((tx.local_id, id));
        }
        let data = tx.tx_data.to_meter_values();
        self.session.push(
            Request::StopTransaction(StopTransactionRequest {
                id_tag,
                meter_stop: clamp_i32(self.reading.energy_wh.max(tx.meter_start_wh)),
                timestamp: at,
                transaction_id: tx.transaction_id.unwrap_or(0),
                reason: Some(reason),
                transaction_data: if data.is_empty() { None } else { Some(data) },
            }),
            Purpose::StopTx { tx: tx.local_id },
        );
        self.events.push_back(Event::TransactionStopped {
            transaction_id: tx.transaction_id,
            reason,
        });
        self.apply_scheduled_availability();
        self.update_outputs(now);
        self.firmware_maybe_install();
    }

    /// The current the box offers now, in mA.
    pub(crate) fn offered_ma(&self) -> u32 {
        self.relay.map_or(0, |(_, offered)| offered)
    }

    pub(crate) fn arm_meter_sample(&mut self, now: Instant) {
        let interval = u64::try_from(self.config.int(Key::MeterValueSampleInterval)).unwrap_or(0);
        if self.connector.transaction().is_some() && interval > 0 {
            self.timers.set(Timer::MeterSample, now + secs(interval));
        } else {
            self.timers.clear(Timer::MeterSample);
        }
    }

    /// A periodic sample of the transaction: MeterValues now, and one more entry for
    /// StopTransaction's transactionData.
    pub(crate) fn sample_transaction(&mut self, now: Instant) {
        let at = self.wall_clock(now);
        let offered = self.offered_ma();
        let sampled = self.config.measurands(Key::MeterValuesSampledData);
        let stop = self.config.measurands(Key::StopTxnSampledData);
        let reading = self.reading;
        let Some(tx) = self.connector.transaction_mut() else {
            return;
        };
        tx.tx_data
            .push(at, ReadingContext::SamplePeriodic, &reading, offered, stop);
        let local = tx.local_id;
        self.dirty = true;
        if !sampled.is_empty() {
            let values = sampled_values(
                &reading,
                offered,
                sampled.iter(),
                ReadingContext::SamplePeriodic,
            );
            self.session.push(
                Request::MeterValues(MeterValuesRequest {
                    connector_id: 1,
                    transaction_id: None,
                    meter_value: alloc::vec![meter_value(at, values)],
                }),
                Purpose::TxMeter { tx: local },
            );
        }
        self.arm_meter_sample(now);
    }

    /// A clock-aligned sample (MeterValuesAlignedData), with the transaction id when one runs.
    pub(crate) fn sample_aligned(&mut self, now: Instant) {
        let measurands = self.config.measurands(Key::MeterValuesAlignedData);
        if !measurands.is_empty() {
            let at = self.wall_clock(now);
            let values = sampled_values(
                &self.reading,
                self.offered_ma(),
                measurands.iter(),
                ReadingContext::SampleClock,
            );
            let request = MeterValuesRequest {
                connector_id: 1,
                transaction_id: None,
                meter_value: alloc::vec![meter_value(at, values)],
            };
            let purpose = match self.connector.transaction() {
                Some(tx) => Purpose::TxMeter { tx: tx.local_id },
                None => Purpose::Meter,
            };
            self.session.push(Request::MeterValues(request), purpose);
        }
        self.arm_clock_aligned(now);
    }

    pub(crate) fn arm_clock_aligned(&mut self, now: Instant) {
        let interval = u32::try_from(self.config.int(Key::ClockAlignedDataInterval)).unwrap_or(0);
        let utc = self.wall_clock(now).unix_millis();
        match crate::metering::next_aligned(utc, interval) {
            Some(next) => {
                let wait = u64::try_from(next.saturating_sub(utc)).unwrap_or(0);
                self.timers.set(Timer::ClockAligned, now + wait);
            }
            None => self.timers.clear(Timer::ClockAligned),
        }
    }

    /// Fills in the CSMS's transaction id of a queued transaction message. False when
    /// the id is not known yet (the StartTransaction has not been answered).
    pub(crate) fn fill_transaction_id(&self, out: &mut crate::session::Outgoing) -> bool {
        let tx = match out.purpose {
            Purpose::StopTx { tx } | Purpose::TxMeter { tx } => tx,
            _ => return true,
        };
        let known = self.known_transaction_id(tx);
        match (&mut out.request, known) {
            (Request::StopTransaction(stop), Some(id)) => {
                stop.transaction_id = id;
                true
            }
            (Request::MeterValues(values), Some(id)) => {
                values.transaction_id = Some(id);
                true
            }
            _ => false,
        }
    }

    fn known_transaction_id(&self, local: u32) -> Option<i32> {
        if let Some(tx) = self.connector.transaction()
            && tx.local_id == local
        {
            return tx.transaction_id;
        }
        self.finished_ids
            .iter()
            .find(|(l, _)| *l == local)
            .map(|(_, id)| *id)
    }
}

/// OCPP's meterStart/meterStop are 32-bit integers of Wh.
fn clamp_i32(wh: u64) -> i32 {
    i32::try_from(wh).unwrap_or(i32::MAX)
}
