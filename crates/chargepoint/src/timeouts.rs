//! What each timer of the table ([`Timer`]) does when it is due.

use alloc::format;

use crate::{
    engine::{ChargePoint, Registration},
    time::Instant,
    timers::Timer,
};

impl ChargePoint {
    pub(crate) fn on_timer(&mut self, now: Instant, timer: Timer) {
        match timer {
            Timer::BootRetry => {
                if self.session.is_connected() && self.registration != Registration::Accepted {
                    self.send_boot(now);
                }
            }
            Timer::Heartbeat => {
                if self.session.is_connected() && self.registration == Registration::Accepted {
                    self.queue_heartbeat();
                    self.arm_heartbeat(now);
                }
            }
            Timer::CallTimeout => {
                if let Some(pending) = self.session.take_in_flight() {
                    self.warn(format!(
                        "{} got no answer in time",
                        pending.out.request.action()
                    ));
                    self.mistake(
                        crate::mistakes::MistakeKind::AnswerTimeout,
                        Some(pending.out.request.action().as_str()),
                        Some(&pending.id),
                        format!(
                            "no CALLRESULT or CALLERROR within {} ms",
                            self.settings.call_timeout_ms
                        ),
                    );
                    self.delivery_failed(now, pending);
                    self.after_answer(now);
                }
            }
            Timer::TxRetry => {}
            Timer::MeterSample => self.sample_transaction(now),
            Timer::ClockAligned => self.sample_aligned(now),
            Timer::ChargingSchedule => self.update_outputs(now),
            Timer::ReservationExpiry => {
                if let Some(r) = self.connector.reservation() {
                    self.warn(alloc::format!("reservation {} expired", r.id));
                }
                self.end_reservation(now);
            }
            Timer::ConnectionTimeOut => {
                if self.connector.transaction().is_none()
                    && self.connector.take_authorized().is_some()
                {
                    self.warn(alloc::string::String::from(
                        "no EV plugged in within ConnectionTimeOut; authorization dropped",
                    ));
                    self.update_outputs(now);
                }
            }
            Timer::FirmwareUpdate => self.firmware_due(now),
            Timer::DiagnosticsRetry => self.upload_attempt(now),
            Timer::LogRetry => self.log_attempt(now),
            Timer::ResetGrace => {
                if let Some(hard) = self.reset {
                    self.reboot(now, hard);
                }
            }
        }
    }
}
