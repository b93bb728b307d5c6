//! Requests of the control channel (`crate::control`), carried out by the charge point's
//! own task between its other inputs: the same driver inputs a scenario uses.

use std::sync::atomic::Ordering::Relaxed;

use chargepoint::{Driver, HardwareEvent, Link, Registration, world::World};
use ocpp16::messages::ChargePointStatus;
use serde_json::{Value, json};

use super::Run;
use crate::control::{
    port::Ask,
    protocol::{Error, Verb},
};

fn not_possible(why: &str) -> Error {
    Error::new("not_possible", why)
}

impl Run {
    /// Carries out one request and answers it.
    pub(super) async fn control(&mut self, ask: Ask) {
        let result = self.carry_out_verb(ask.verb).await;
        let _ = ask.reply.send(result);
    }

    async fn carry_out_verb(&mut self, verb: Verb) -> Result<Value, Error> {
        let real = self.real();
        let plugged = self.st.driver.world().is_some_and(|w| w.ev().is_some());
        let driver = &mut self.st.driver;
        match verb {
            Verb::Plug(ev) => {
                if plugged {
                    return Err(not_possible("an EV is plugged in already"));
                }
                driver.with_world(real, |w| w.plug(ev));
            }
            Verb::Unplug => {
                if !plugged {
                    return Err(not_possible("no EV is plugged in"));
                }
                driver.with_world(real, World::unplug);
            }
            Verb::Pause | Verb::Resume => {
                if !plugged {
                    return Err(not_possible("no EV is plugged in"));
                }
                let pause = verb == Verb::Pause;
                driver.with_world(real, |w| w.set_paused(pause));
            }
            Verb::Tap(tag) => driver.hardware(real, vec![HardwareEvent::RfidTap(tag)]),
            Verb::Fault(f) => driver.hardware(real, vec![HardwareEvent::FaultRaised(f)]),
            Verb::Clear(f) => driver.hardware(real, vec![HardwareEvent::FaultCleared(f)]),
            Verb::Speed(s) => driver.set_speed(real, s),
            Verb::Drop => {
                if !matches!(driver.link(), Link::Open | Link::Opening) {
                    return Err(not_possible("the link is not up"));
                }
                driver.drop_link(real);
            }
            Verb::Reset => self.factory_reset().await?,
            Verb::Trace { since, limit } => {
                let port = self.st.control.as_deref();
                let frames = port
                    .map(|p| p.frames_since(since, limit))
                    .unwrap_or_default();
                return Ok(json!({
                    "cp": self.st.id,
                    "frames": frames.iter().map(|f| &**f).collect::<Vec<_>>(),
                    "first_seq": port.and_then(crate::control::port::Port::first_seq),
                    "last_seq": port.map_or(0, crate::control::port::Port::last_seq),
                }));
            }
            Verb::Status => {}
            other => {
                return Err(Error::new(
                    "bad_request",
                    format!("{other:?} is not for a charge point's task"),
                ));
            }
        }
        // What the input caused (a StatusNotification, a frame) is carried out first,
        // so the reply shows the status it led to.
        self.carry_out().await;
        Ok(self.status_json())
    }

    /// What `status` and `list` say of this charge point.
    pub(super) fn status_json(&self) -> Value {
        let driver = &self.st.driver;
        let cp = driver.cp();
        let ev = driver.world().and_then(World::ev);
        let link = match driver.link() {
            Link::Idle => "idle",
            Link::Waiting(_) => "waiting",
            Link::Opening => "opening",
            Link::Open => "open",
        };
        let registration = match cp.registration() {
            Registration::Unknown => "Unknown",
            Registration::Pending => "Pending",
            Registration::Accepted => "Accepted",
            Registration::Rejected => "Rejected",
        };
        let tx = cp.connector().transaction();
        let port = self.st.control.as_deref();
        json!({
            "cp": self.st.id,
            "status": self.status.as_str(),
            "error": port.map_or("NoError", |p| p.error.as_str()),
            "link": link,
            "registration": registration,
            "plugged": ev.is_some(),
            "paused": ev.is_some_and(|e| e.paused),
            "soc": ev.map(|e| f64::from(e.soc_permille()) / 10.0),
            "faults": cp.connector().faults().iter().map(|f| f.error_code().as_str()).collect::<Vec<_>>(),
            "transaction": tx.map(|t| json!({"transactionId": t.transaction_id, "idTag": t.id_tag.as_str()})),
            "energy_wh": driver.world().map_or(0, |w| w.register_mwh() / 1000),
            "speed": driver.speed(),
            "last_seq": port.map_or(0, crate::control::port::Port::last_seq),
        })
    }

    /// Factory reset: the link closed, the state file removed, a new engine from the
    /// product's defaults plus the installer's settings (as at every start); the world
    /// (an EV still plugged in, the meter) stays as it is.
    async fn factory_reset(&mut self) -> Result<(), Error> {
        let Some(installer) = self.st.control.as_ref().map(|p| p.installer.clone()) else {
            return Err(not_possible("no control channel"));
        };
        if let Some(mut ws) = self.drop_socket("factory reset") {
            let _ = ws.close(None).await;
        }
        self.connecting = None;
        if let Some(state) = &self.st.state {
            state
                .remove()
                .map_err(|e| not_possible(&format!("the state file: {e}")))?;
        }
        let old = &self.st.driver;
        let mut settings = old.cp().settings().clone();
        let mut seed = [0u8; 8];
        if getrandom::getrandom(&mut seed).is_ok() {
            settings.seed = u64::from_le_bytes(seed);
        }
        let config = old.config().clone();
        let world = old.world().cloned();
        let real = self.real();
        let mut driver = Driver::new(settings, world, config, real, crate::sys::wall_clock());
        let mut key_seed = [0u8; 32];
        if getrandom::getrandom(&mut key_seed).is_ok() {
            driver.cp_mut().provide_key_seed(key_seed);
        }
        let now = driver.now();
        crate::fleet::configure(
            driver.cp_mut(),
            now,
            &installer.config,
            installer.security_profile,
            installer.auth_key,
        )
        .map_err(|e| not_possible(&e))?;
        driver.flush();
        self.st.driver = driver;
        self.status = ChargePointStatus::Available;
        self.in_flight = None;
        if self.in_transaction {
            self.in_transaction = false;
            self.stats().in_transaction.fetch_sub(1, Relaxed);
        }
        Ok(())
    }
}
