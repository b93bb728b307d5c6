//! The Remote Trigger profile: TriggerMessage. The answer goes out first, then the
//! requested message, built from the present state (a StatusNotification of the status
//! now, MeterValues of the meter now with context `Trigger`).

use ocpp16::{Action, Request, WireError, messages::*};

use super::{Handler, rows};
use crate::{
    engine::{ChargePoint, Registration},
    metering::{meter_value, sampled_values},
    model::Key,
    session::Purpose,
    time::Instant,
};

/// The Remote Trigger profile's rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    TriggerMessage => |cp, now, r| Ok(cp.trigger(now, &r)),
];

impl ChargePoint {
    pub(super) fn trigger(
        &mut self,
        now: Instant,
        r: &TriggerMessageRequest,
    ) -> TriggerMessageResponse {
        use MessageTrigger as M;
        let status = match (r.connector_id, r.requested_message) {
            // One connector: 0 (the box) or 1; nothing else exists.
            (Some(c), _) if !(0..=1).contains(&c) => {
                self.senseless(alloc::format!(
                    "connector {c} does not exist (the box has 0 and 1)"
                ));
                TriggerMessageStatus::Rejected
            }
            // While Pending, only a BootNotification may be sent.
            (_, m) if self.registration != Registration::Accepted && m != M::BootNotification => {
                TriggerMessageStatus::Rejected
            }
            (_, M::BootNotification) => {
                self.send_boot(now);
                TriggerMessageStatus::Accepted
            }
            (_, M::Heartbeat) => {
                self.queue_heartbeat();
                TriggerMessageStatus::Accepted
            }
            (c, M::StatusNotification) => {
                self.trigger_status(now, c);
                TriggerMessageStatus::Accepted
            }
            (c, M::MeterValues) => {
                self.trigger_meter_values(now, c.unwrap_or(1));
                TriggerMessageStatus::Accepted
            }
            // The status now (OCPP 1.6 §4.4, §4.5): Idle when nothing runs.
            (_, M::DiagnosticsStatusNotification) => {
                let status = self.diagnostics.status();
                let request = DiagnosticsStatusNotificationRequest { status };
                self.triggered(Request::DiagnosticsStatusNotification(request))
            }
            (_, M::FirmwareStatusNotification) => {
                let status = self.firmware.status();
                let request = FirmwareStatusNotificationRequest { status };
                self.triggered(Request::FirmwareStatusNotification(request))
            }
        };
        TriggerMessageResponse { status }
    }

    fn triggered(&mut self, request: Request) -> TriggerMessageStatus {
        self.session.push(request, Purpose::Triggered);
        TriggerMessageStatus::Accepted
    }

    /// The present status of connector `c` (both when `None`), reported again.
    fn trigger_status(&mut self, now: Instant, c: Option<i32>) {
        if c != Some(1) {
            let status = self.cp_status();
            self.queue_status(now, 0, status, ChargePointErrorCode::NoError, None);
        }
        if c != Some(0) {
            let (status, error, info) = self.connector.status(self.cp_operative);
            self.queue_status(now, 1, status, error, info);
        }
    }

    /// MeterValues of the meter now (MeterValuesSampledData, context Trigger), with the
    /// transaction id when one runs on the connector.
    fn trigger_meter_values(&mut self, now: Instant, connector: i32) {
        let mut measurands = self.config.measurands(Key::MeterValuesSampledData);
        if measurands.is_empty() {
            let energy = Measurand::EnergyActiveImportRegister.as_str();
            measurands = crate::model::MeasurandSet::parse(energy).unwrap_or_default();
        }
        let values = sampled_values(
            &self.reading,
            self.offered_ma(),
            measurands.iter(),
            ReadingContext::Trigger,
        );
        let transaction_id = self
            .connector
            .transaction()
            .filter(|_| connector == 1)
            .and_then(|tx| tx.transaction_id);
        let request = MeterValuesRequest {
            connector_id: connector,
            transaction_id,
            meter_value: alloc::vec![meter_value(self.wall_clock(now), values)],
        };
        self.session
            .push(Request::MeterValues(request), Purpose::Triggered);
    }
}
