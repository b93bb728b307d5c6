//! Answers to our CALLs (CALLRESULT, CALLERROR) and failed deliveries with their retries.

use alloc::{format, string::String};
use ocpp16::{CallError, CallResult, Request, Response, messages::AuthorizationStatus};

use crate::{
    engine::ChargePoint,
    interface::Event,
    mistakes::MistakeKind,
    model::Key,
    session::{Pending, Purpose},
    time::{Instant, secs},
    timers::Timer,
};

impl ChargePoint {
    pub(crate) fn on_call_result(&mut self, now: Instant, result: &CallResult) {
        let Some(pending) = self.session.take_pending(&result.id) else {
            self.warn(format!(
                "CALLRESULT for unknown or late message id \"{}\" ignored",
                result.id
            ));
            self.mistake(
                MistakeKind::UnknownOrLateAnswer,
                None,
                Some(&result.id),
                String::from("a CALLRESULT for a CALL the box is not waiting for; ignored"),
            );
            return;
        };
        self.timers.clear(Timer::CallTimeout);
        let action = pending.out.request.action();
        match Response::decode_for_charge_point(action, &result.payload) {
            Ok(response) => self.on_response(now, pending, response),
            Err(error) => {
                self.warn(format!("{action} answer refused: {error}"));
                self.mistake(
                    MistakeKind::WrongAnswerShape,
                    Some(action.as_str()),
                    Some(&result.id),
                    format!("refused: {error}"),
                );
                self.delivery_failed(now, pending);
            }
        }
        self.after_answer(now);
    }

    pub(crate) fn on_call_error(&mut self, now: Instant, error: &CallError) {
        let Some(pending) = self.session.take_pending(&error.id) else {
            self.warn(format!(
                "CALLERROR for unknown or late message id \"{}\" ignored",
                error.id
            ));
            self.mistake(
                MistakeKind::UnknownOrLateAnswer,
                None,
                Some(&error.id),
                format!(
                    "a CALLERROR {} for a CALL the box is not waiting for; ignored",
                    error.code
                ),
            );
            return;
        };
        self.timers.clear(Timer::CallTimeout);
        self.warn(format!(
            "{} answered with CALLERROR {}: {}",
            pending.out.request.action(),
            error.code,
            error.description
        ));
        self.mistake(
            MistakeKind::ErrorAnswer,
            Some(pending.out.request.action().as_str()),
            Some(&error.id),
            format!("{}: {}", error.code, error.description),
        );
        // A CSMS without the Security extension answers its notifications so; retrying
        // would only hold back every message queued behind them (the security log
        // keeps the event).
        let refused = matches!(
            error.error_code(),
            Some(ocpp16::ErrorCode::NotImplemented | ocpp16::ErrorCode::NotSupported)
        );
        if refused && matches!(pending.out.purpose, Purpose::SecurityEvent) {
            self.changed(); // it leaves the durable outbox
            self.warn(alloc::string::String::from(
                "the CSMS does not take SecurityEventNotification: the event is kept in the security log only",
            ));
        } else {
            self.delivery_failed(now, pending);
        }
        self.after_answer(now);
    }

    pub(crate) fn after_answer(&mut self, now: Instant) {
        if self.reset == Some(false) && !self.session.has_messages_to_deliver() {
            self.reboot(now, false);
        }
    }

    fn on_response(&mut self, now: Instant, pending: Pending, response: Response) {
        if pending.out.purpose.is_durable() {
            self.changed(); // delivered: it leaves the durable outbox
        }
        match (pending.out.request, response) {
            (_, Response::BootNotification(r)) => {
                self.csms_time(now, r.current_time);
                self.registered(now, r.status, r.interval);
            }
            (_, Response::Heartbeat(r)) => self.csms_time(now, r.current_time),
            (_, Response::SignCertificate(r)) => self.csr_answered(now, r.status),
            (Request::Authorize(req), Response::Authorize(r)) => {
                let stop = matches!(pending.out.purpose, Purpose::Authorize { stop: true, .. });
                self.authorized(now, req.id_tag, &r.id_tag_info, stop);
            }
            (_, Response::StartTransaction(r)) => {
                let Purpose::StartTx { tx } = pending.out.purpose else {
                    return;
                };
                self.transaction_accepted(now, tx, r.transaction_id, r.id_tag_info.status);
            }
            (Request::StopTransaction(req), Response::StopTransaction(r)) => {
                if let (Some(tag), Some(info)) = (&req.id_tag, &r.id_tag_info) {
                    self.remember(now, tag, info);
                }
                if let Purpose::StopTx { tx } = pending.out.purpose {
                    self.finished_ids.retain(|(local, _)| *local != tx);
                }
            }
            _ => {}
        }
    }

    /// StartTransaction answered: the CSMS's id, and whether the idTag may charge.
    fn transaction_accepted(
        &mut self,
        now: Instant,
        local: u32,
        id: i32,
        status: AuthorizationStatus,
    ) {
        let current = self
            .connector
            .transaction_mut()
            .filter(|tx| tx.local_id == local);
        let Some(tx) = current else {
            // It ended before the answer came: remember the id for its StopTransaction.
            self.finished_ids.push((local, id));
            self.changed();
            return;
        };
        tx.transaction_id = Some(id);
        self.dirty = true;
        let tag = tx.id_tag.clone();
        self.events.push_back(Event::TransactionStarted {
            transaction_id: Some(id),
            id_tag: alloc::string::String::from(tag.as_str()),
        });
        if status != AuthorizationStatus::Accepted {
            if self.config.bool(Key::StopTransactionOnInvalidId) {
                self.stop_transaction(now, ocpp16::messages::Reason::DeAuthorized, None);
            } else if let Some(tx) = self.connector.transaction_mut() {
                // OCPP 1.6 §5.11: keep the transaction, stop the energy.
                tx.energy_allowed = false;
            }
        }
        self.update_outputs(now);
    }

    /// A CALL got no usable answer: transaction messages and security events are tried again
    /// (TransactionMessageAttempts, TransactionMessageRetryInterval × attempt), a
    /// BootNotification after a minute, anything else is dropped.
    pub(crate) fn delivery_failed(&mut self, now: Instant, pending: Pending) {
        let mut out = pending.out;
        if out.purpose.is_durable() {
            self.changed(); // one attempt more, or dropped
        }
        out.attempts = out.attempts.saturating_add(1);
        match out.purpose {
            Purpose::Boot => {
                self.timers.set(Timer::BootRetry, now + secs(60));
            }
            p if p.is_durable() => {
                let max =
                    u32::try_from(self.config.int(Key::TransactionMessageAttempts)).unwrap_or(1);
                if out.attempts >= max {
                    let reason = format!("dropped after {} attempts", out.attempts);
                    self.lost(out.request.action(), reason);
                } else {
                    let interval =
                        u64::try_from(self.config.int(Key::TransactionMessageRetryInterval))
                            .unwrap_or(20);
                    self.timers.set(
                        Timer::TxRetry,
                        now + secs(interval.saturating_mul(u64::from(out.attempts))),
                    );
                    self.session.push_front(out);
                }
            }
            Purpose::Authorize { .. } => {
                if let Request::Authorize(req) = &out.request {
                    self.events.push_back(Event::Authorization {
                        id_tag: alloc::string::String::from(req.id_tag.as_str()),
                        accepted: false,
                    });
                }
                self.flash_rejected();
            }
            _ => {}
        }
    }
}
