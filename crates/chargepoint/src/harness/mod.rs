//! A deterministic test harness: the [`Driver`] (engine + emulated world) and a scripted
//! [`Csms`] stepping against each other in virtual time, so that an hour of charging
//! runs in milliseconds. Every frame the engine sends is checked against the OCPP 1.6
//! schemas; breaches are collected in [`Csms::violations`].
//!
//! It is a home like the others (an adapter that only does "I/O" against the scripted
//! CSMS), part of the library so that every crate's tests and benchmarks, and the tab's
//! demo, drive a charge point the same way.

mod scripted;

use alloc::{format, string::String, vec::Vec};
use ocpp16::{DateTime, Frame};
use serde_json::Value;

pub use crate::driver::Traced;
pub use scripted::{Csms, CsmsScript};

use crate::{
    driver::{Driver, DriverConfig, Output},
    engine::{ChargePoint, Settings},
    interface::{Command, Event, HardwareEvent},
    time::Instant,
    world::{EvSpec, World},
};

/// The driver and the CSMS in one deterministic loop.
#[derive(Debug, Clone)]
pub struct Harness {
    driver: Driver,
    /// Virtual time (the home's "real" time; engine time at 1×).
    pub now: Instant,
    /// The scripted CSMS.
    pub csms: Csms,
    /// Whether the CSMS can be reached: when false, connection attempts fail.
    pub reachable: bool,
    /// Every frame both ways.
    pub trace: Vec<Traced>,
    /// Every command the engine gave (the connection schedule included).
    pub commands: Vec<(Instant, Command)>,
    /// Every event the engine reported.
    pub events: Vec<(Instant, Event)>,
    /// The durable state as last persisted (JSON), as a home would hold it.
    pub persisted: Option<String>,
    /// How many times the engine asked for its state to be persisted.
    pub persist_count: u64,
    /// The parameters of every connection attempt the driver asked for.
    pub opens: Vec<crate::interface::ConnectParams>,
    /// Every job the engine handed out; a test reports their course with
    /// [`Harness::job`].
    pub jobs: Vec<(Instant, crate::jobs::Job)>,
    connected: bool,
    /// The driver asked for a connection: attempted at the next step of virtual time.
    open_at: Option<Instant>,
    /// UTC at virtual time zero.
    epoch: DateTime,
}

/// 2026-01-01T00:00:00Z: the wall clock at the harness's time zero.
pub const HARNESS_EPOCH_MS: i64 = 1_767_225_600_000;

impl Harness {
    /// A charge point just powered on, the CSMS reachable with the default script.
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        Self::starting_at(settings, DateTime::from_unix_millis(HARNESS_EPOCH_MS))
    }

    /// The same, with the wall clock at virtual time zero reading `epoch` (a page's
    /// demo uses the real time).
    #[must_use]
    pub fn starting_at(settings: Settings, epoch: DateTime) -> Self {
        let csms = Csms::new(CsmsScript::default(), settings.call_timeout_ms);
        // A short frame trace, as the homes keep (diagnostics uploads carry it).
        let config = DriverConfig {
            trace_capacity: 64,
            ..DriverConfig::default()
        };
        let driver = Driver::new(settings, Some(World::default()), config, 0, epoch);
        let mut h = Self {
            driver,
            now: Instant::ZERO,
            csms,
            reachable: true,
            trace: Vec::new(),
            commands: Vec::new(),
            events: Vec::new(),
            persisted: None,
            persist_count: 0,
            jobs: Vec::new(),
            opens: Vec::new(),
            connected: false,
            open_at: None,
            epoch,
        };
        h.drain();
        h
    }

    /// The engine.
    #[must_use]
    pub fn cp(&self) -> &ChargePoint {
        self.driver.cp()
    }

    /// The engine, to feed it directly (benchmarks); call [`Harness::drain`] after.
    pub fn cp_mut(&mut self) -> &mut ChargePoint {
        self.driver.cp_mut()
    }

    /// The driver.
    #[must_use]
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// The engine, taking the harness apart.
    #[must_use]
    pub fn into_cp(self) -> ChargePoint {
        self.driver.into_engine()
    }

    /// The emulated hardware.
    #[must_use]
    pub fn world(&self) -> &World {
        self.driver.world().unwrap_or(&EMPTY_WORLD)
    }

    /// The emulated hardware, to change it without telling the engine.
    pub fn world_mut(&mut self) -> Option<&mut World> {
        self.driver.world_mut()
    }

    /// Changes the emulated world and reports what it caused to the engine.
    pub fn with_world(&mut self, change: impl FnOnce(&mut World) -> Vec<HardwareEvent>) {
        self.driver.with_world(self.now.as_millis(), change);
        self.drain();
    }

    /// A meter reading every `ms` of virtual time (1 s unless changed).
    pub fn set_meter_period(&mut self, ms: u64) {
        self.driver.set_meter_period(ms);
    }

    /// The CSMS's clock (the same as the harness's wall clock).
    #[must_use]
    pub fn wall(&self) -> DateTime {
        self.epoch
            .add_millis(i64::try_from(self.now.as_millis()).unwrap_or(i64::MAX))
    }

    /// Carries out everything the driver asks, until it and the CSMS are quiet.
    pub fn drain(&mut self) {
        self.driver.flush();
        loop {
            let mut progressed = false;
            while let Some(output) = self.driver.poll_output() {
                progressed = true;
                self.carry_out(output);
            }
            progressed |= self.deliver_due();
            if !progressed {
                break;
            }
        }
    }

    fn carry_out(&mut self, output: Output) {
        let now = self.now;
        match output {
            // Persist first: no frame leaves before the state it depends on is stored.
            Output::Persist(p) => {
                self.persisted = Some(self.driver.durable_state().to_json());
                self.persist_count += 1;
                self.driver.persisted(p.token, Ok(()));
            }
            Output::Send(text) => {
                self.trace.push(Traced {
                    at: now,
                    from_cp: true,
                    text: text.clone(),
                });
                let wall = self.wall();
                if let Some(answer) = self.csms.receive(now, wall, &text) {
                    let due = now + self.csms.script.delay_ms;
                    self.csms.delayed.push((due, answer));
                }
            }
            Output::Open(params) => {
                self.opens.push(*params);
                self.open_at = Some(now);
            }
            Output::Close => {
                self.commands.push((now, Command::Disconnect));
                self.connected = false;
                self.csms.link_lost();
            }
            Output::Ping => self.driver.pong(now.as_millis()),
            Output::Hardware(command) => self.commands.push((now, command)),
            Output::Job(job) => self.jobs.push((now, job)),
            Output::Event(Event::ConnectionScheduled { after_ms }) => {
                self.commands.push((now, Command::Connect { after_ms }));
            }
            Output::Event(event) => self.events.push((now, event)),
        }
    }

    /// The connection attempt the driver asked for, when it is due.
    fn open_if_due(&mut self) {
        if self.open_at.is_some_and(|at| at <= self.now) {
            self.open_at = None;
            let now = self.now.as_millis();
            if self.reachable {
                self.connected = true;
                self.driver.opened(now);
            } else {
                self.driver.open_failed(now, "the CSMS is unreachable");
            }
            self.drain();
        }
    }

    /// Hands the engine the CSMS answers that are due.
    fn deliver_due(&mut self) -> bool {
        let now = self.now;
        let (due, later): (Vec<_>, Vec<_>) =
            self.csms.delayed.drain(..).partition(|(at, _)| *at <= now);
        self.csms.delayed = later;
        let any = !due.is_empty();
        for (_, text) in due {
            self.csms.delivered(&text);
            if self.connected {
                self.trace.push(Traced {
                    at: now,
                    from_cp: false,
                    text: text.clone(),
                });
                self.driver.frame(now.as_millis(), &text);
            }
        }
        any
    }

    /// The next moment something happens.
    fn next_deadline(&self) -> Option<Instant> {
        let mut next = self.driver.poll_timeout().map(Instant::from_millis);
        for at in self
            .open_at
            .iter()
            .chain(self.csms.delayed.iter().map(|(at, _)| at))
        {
            next = Some(next.map_or(*at, |n| n.min(*at)));
        }
        next
    }

    /// Runs until virtual time `until`.
    pub fn run_until_time(&mut self, until: Instant) {
        self.drain();
        loop {
            let next = self.next_deadline().map_or(until, |n| n.max(self.now));
            if next > until {
                self.now = until;
                self.driver.timeout(until.as_millis());
                self.drain();
                break;
            }
            self.now = next;
            self.open_if_due();
            self.driver.timeout(next.as_millis());
            self.drain();
        }
    }

    /// Runs for `ms` of virtual time.
    pub fn run_for(&mut self, ms: u64) {
        self.run_until_time(self.now + ms);
    }

    /// Feeds hardware events to the engine.
    pub fn hardware(&mut self, events: Vec<HardwareEvent>) {
        self.driver.hardware(self.now.as_millis(), events);
        self.drain();
    }

    /// Plugs in an EV.
    pub fn plug(&mut self, ev: EvSpec) {
        self.with_world(|w| w.plug(ev));
    }

    /// Unplugs the EV.
    pub fn unplug(&mut self) {
        self.with_world(World::unplug);
    }

    /// The home's report on a job.
    pub fn job(&mut self, id: u32, update: crate::jobs::JobUpdate) {
        self.driver.job(self.now.as_millis(), id, update);
        self.drain();
    }

    /// Taps a card.
    pub fn tap(&mut self, tag: &str) {
        self.hardware(alloc::vec![HardwareEvent::RfidTap(String::from(tag))]);
    }

    /// Power cut: the engine and everything it held in RAM are gone, the connection
    /// with them. A new engine starts from the last persisted state (or from defaults
    /// when nothing was persisted) and is told what the hardware reads now.
    pub fn crash_and_restore(&mut self) {
        let settings = self.driver.cp().settings().clone();
        let config = self.driver.config().clone();
        self.connected = false;
        self.open_at = None;
        self.csms.link_lost();
        let mut world = self.driver.world().cloned().unwrap_or_default();
        // The relay drops with the power, and booting takes a few seconds.
        world.apply(&Command::SetRelay {
            closed: false,
            offered_ma: 0,
        });
        let _ = world.advance(3_000);
        self.now = self.now + 3_000;
        let real = self.now.as_millis();
        let wall = self.wall();
        let stored = self
            .persisted
            .as_deref()
            .map(crate::durable::DurableState::from_json);
        self.driver = match stored {
            Some(Ok(state)) => Driver::restore(settings, state, Some(world), config, real, wall),
            Some(Err(e)) => {
                self.csms
                    .violations
                    .push(format!("persisted state refused: {e}"));
                Driver::new(settings, Some(world), config, real, wall)
            }
            None => Driver::new(settings, Some(world), config, real, wall),
        };
        self.drain();
    }

    /// Drops the connection (the CSMS stays reachable unless `reachable` is cleared).
    pub fn drop_connection(&mut self) {
        if self.connected {
            self.connected = false;
            self.csms.link_lost();
            self.driver
                .closed(self.now.as_millis(), "dropped by the test");
            self.drain();
        }
    }

    /// Whether the connection is up.
    #[must_use]
    pub fn connected(&self) -> bool {
        self.connected
    }

    /// The CSMS sends a CALL (any action name and payload); returns the charge point's
    /// answer once it arrived (after running up to 60 s of virtual time).
    pub fn call(&mut self, action: &str, payload: Value) -> Option<Frame> {
        self.call_text(action, &serde_json::to_string(&payload).unwrap_or_default())
    }

    /// [`Harness::call`] with the payload as JSON text, sent as it is (a console's, which
    /// checked it, or a broken one on purpose).
    pub fn call_text(&mut self, action: &str, payload: &str) -> Option<Frame> {
        let (id, text) = self.csms.call(action, payload);
        self.send_raw(&text);
        for _ in 0..60 {
            if let Some(pos) = self.csms.answers.iter().position(|(a, _)| *a == id) {
                return Some(self.csms.answers.remove(pos).1);
            }
            self.run_for(1_000);
        }
        None
    }

    /// The CSMS sends any text.
    pub fn send_raw(&mut self, text: &str) {
        self.trace.push(Traced {
            at: self.now,
            from_cp: false,
            text: String::from(text),
        });
        self.driver.frame(self.now.as_millis(), text);
        self.drain();
    }

    /// The tester sends a frame of their own to the CSMS, as it is
    /// ([`Driver::send_raw`]), and the CSMS answers.
    ///
    /// # Errors
    /// Why it was not sent (no connection).
    pub fn send_from_cp(&mut self, text: &str) -> Result<(), &'static str> {
        self.driver.send_raw(self.now.as_millis(), text)?;
        self.drain();
        Ok(())
    }

    /// Expert mode's hold on the CSMS's CALLs ([`Driver::hold_calls`]).
    pub fn hold_calls(&mut self, on: bool) {
        self.driver.hold_calls(self.now.as_millis(), on);
        self.drain();
    }

    /// Lets the engine answer a held CALL now ([`Driver::release_held`]).
    pub fn release_held(&mut self, id: &str) -> bool {
        let released = self.driver.release_held(self.now.as_millis(), id);
        self.drain();
        released
    }

    /// Forgets a held CALL unanswered ([`Driver::drop_held`]).
    pub fn drop_held(&mut self, id: &str) -> bool {
        self.driver.drop_held(id)
    }

    /// A CALLRESULT the CSMS sends for any id (for late or unknown answers).
    pub fn send_result(&mut self, id: &str, payload: &Value) {
        let text = ocpp16::frame::encode_raw_call_result(id, payload);
        self.send_raw(&text);
    }

    /// The payload of an answer as a JSON value, if it was a CALLRESULT.
    #[must_use]
    pub fn result_payload(frame: &Frame) -> Option<Value> {
        match frame {
            Frame::CallResult(r) => serde_json::from_str(&r.payload).ok(),
            _ => None,
        }
    }
}

static EMPTY_WORLD: World = World::EMPTY;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{JobKind, JobUpdate, model::Variant};

    fn ended(h: &Harness) -> Vec<(u32, Result<(), String>)> {
        h.events
            .iter()
            .filter_map(|(_, e)| match e {
                Event::JobEnded { job, outcome } => Some((job.id, outcome.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_job_reaches_the_home_survives_in_the_state_and_a_power_cut_ends_it() {
        let mut h = Harness::new(Settings::new("EVC-JOBS", Variant::Tethered));
        h.run_for(5_000);
        let id = h.cp_mut().start_job(JobKind::Download {
            url: String::from("http://127.0.0.1:1/fw.bin"),
            file: String::from("fw.bin"),
        });
        h.drain();
        assert_eq!(h.jobs.len(), 1);
        assert_eq!(h.jobs[0].1.id, id);
        h.job(id, JobUpdate::Started);
        assert!(h.persisted.as_deref().is_some_and(|s| s.contains("fw.bin")));
        h.crash_and_restore();
        assert_eq!(
            ended(&h),
            [(id, Err(String::from("interrupted by a power cut")))]
        );
        assert!(!h.cp().jobs().is_active(id));
        // A late report of the old job changes nothing.
        h.job(id, JobUpdate::Done);
        assert_eq!(ended(&h).len(), 1);
    }

    #[test]
    fn a_failed_job_is_reported_with_its_reason() {
        let mut h = Harness::new(Settings::new("EVC-JOBS", Variant::Tethered));
        h.run_for(5_000);
        let id = h.cp_mut().start_job(JobKind::Upload {
            url: String::from("ftp://127.0.0.1/"),
            file: String::from("diag.txt"),
            content: String::from("log"),
        });
        h.drain();
        h.job(id, JobUpdate::Started);
        h.job(id, JobUpdate::Failed(String::from("connection refused")));
        assert_eq!(ended(&h), [(id, Err(String::from("connection refused")))]);
    }
}
