//! Requests from the CSMS: decode, dispatch through the profiles' handler table,
//! answer. A known OCPP action that no profile handles is answered `NotSupported`, an
//! unknown one `NotImplemented`; a new profile is a new module in `features/` and one
//! entry in its table, nothing here.

use alloc::{format, string::String};
use ocpp16::{Action, Call, ErrorCode, Side, WireError, decode_call};

use crate::{
    engine::{ChargePoint, Registration},
    features,
    interface::Command,
    mistakes::MistakeKind,
    time::Instant,
};

impl ChargePoint {
    pub(crate) fn on_call(&mut self, now: Instant, call: &Call) {
        if self.registration == Registration::Rejected {
            // OCPP 1.6 §4.2: while Rejected the charge point does not respond to the CSMS.
            self.warn(format!(
                "{} from the CSMS not answered: registration was rejected",
                call.action
            ));
            self.mistake(
                MistakeKind::Senseless,
                Some(&call.action),
                Some(&call.id),
                String::from(
                    "sent while the box's registration is Rejected: not answered (OCPP 1.6 §4.2)",
                ),
            );
            return;
        }
        // A known action this box does not support is NotSupported whatever its payload.
        let handler = Action::from_name(&call.action)
            .filter(|a| a.sender().allows(Side::Csms))
            .map(|a| (a, features::handler(a)));
        if let Some((action, None)) = handler {
            let error = WireError::new(
                ErrorCode::NotSupported,
                format!("{action} is not supported by this charge point"),
            );
            self.refused_call(&call.action, &call.id, &error);
            return self.reply_error(&call.id, &error);
        }
        let request = match decode_call(Side::ChargePoint, &call.action, &call.payload) {
            Ok(request) => request,
            Err(error) => {
                self.refused_call(&call.action, &call.id, &error);
                return self.reply_error(&call.id, &error);
            }
        };
        let Some((_, Some(handler))) = handler else {
            // decode_call refused every action without a handler above.
            return;
        };
        self.senseless = None;
        match handler(self, now, request) {
            Ok(response) => self.reply(&call.id, response),
            Err(error) => {
                self.refused_call(&call.action, &call.id, &error);
                self.reply_error(&call.id, &error);
            }
        }
        if let Some(detail) = self.senseless.take() {
            self.mistake(
                MistakeKind::Senseless,
                Some(&call.action),
                Some(&call.id),
                detail,
            );
        }
        self.after_request(now);
    }

    /// Things a request changed that take effect once its answer is queued.
    fn after_request(&mut self, now: Instant) {
        self.update_outputs(now);
        if let Some(hard) = self.reset
            && (hard || !self.session.has_messages_to_deliver())
        {
            self.reboot(now, hard);
        }
    }

    /// The engine restarts as after power-up: the connection is closed, registration
    /// starts again, transaction messages stay queued, the hardware state stays.
    pub(crate) fn reboot(&mut self, now: Instant, hard: bool) {
        let why = if *self.firmware.phase() == crate::firmware::Phase::Installed {
            alloc::format!("rebooting into firmware {}", self.firmware_version())
        } else if hard {
            alloc::string::String::from("hard Reset")
        } else {
            alloc::string::String::from("soft Reset")
        };
        self.security_event(
            now,
            crate::features::security::SecurityEvent::ResetOrReboot,
            Some(why),
        );
        self.reset = None;
        self.timers = crate::timers::Timers::default();
        self.commands.push_back(Command::Disconnect);
        self.commands.push_back(Command::Rebooted { hard });
        self.session.lose_connection();
        self.connector.reboot();
        self.cp_reported = None;
        self.relay = None;
        self.led = None;
        self.power_on(now);
        self.started_up();
        self.flush_startup(now);
        if self
            .security
            .upload()
            .is_some_and(|u| u.upload.job.is_none())
        {
            self.timers.set(crate::timers::Timer::LogRetry, now);
        }
        // What waits for a time goes on waiting across the reboot.
        self.arm_firmware(now);
        if self.diagnostics.upload().is_some_and(|u| u.job.is_none()) {
            self.timers.set(crate::timers::Timer::DiagnosticsRetry, now);
        }
    }
}
