//! The state behind the page: the charge point in one of two homes, both thin adapters
//! over the engine's [`Driver`]: the built-in demo CSMS (the engine's harness, in memory,
//! virtual time) or a real CSMS over WebSocket (`live.rs`), advanced in real time times
//! the demo speed. What the page shows is read from the driver the same way for both.

use chargepoint::{
    ChargePoint, Command, Driver, Event, HardwareEvent, Instant, Led, Settings,
    firmware::Phase,
    harness::{Harness, Traced},
    world::{EvSpec, World},
};
use ocpp16::{DateTime, Frame, messages::FirmwareStatus};
use std::cell::RefCell;

use crate::{
    json::Json,
    live::Live,
    storage::Setup,
    transfer::{Received, Transfers},
};

/// Cards on the panel's card shelf.
pub(crate) const CARDS: [&str; 3] = ["04A2B3C4D5", "04E5F6A7B8", "BLOCKED-CARD"];

/// The sample firmware files served with the page (`www/firmware/`): the choice of the
/// demo CSMS's UpdateFirmware, (label, file). The last one is not there (HTTP 404).
pub(crate) const SAMPLES: [(&str, &str); 4] = [
    ("1.13.0", "evc-1.13.0.fw"),
    (
        "1.13.0, corrupt (SHA-256 mismatch)",
        "evc-1.13.0-corrupt.fw",
    ),
    ("2.0.0 for another product", "other-product-2.0.0.fw"),
    ("9.9.9, missing (HTTP 404)", "evc-9.9.9.fw"),
];

/// Where the demo CSMS takes diagnostics: uploads there stay in the page.
pub(crate) const DEMO_UPLOADS: &str = "https://demo-csms.invalid/diagnostics/";

/// The root CA the demo CSMS installs (a fixture of the engine's tests, valid 2025 to
/// 2045). Only its certificate is in the page, never a private key: the demo CSMS
/// cannot sign a CSR.
pub(crate) const DEMO_ROOT: &str = include_str!("../../chargepoint/tests/fixtures/pki/root.pem");

/// A line of the security log: when, what.
type LogLine = (DateTime, String);

/// What expert mode does with the CSMS's CALLs.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum HoldOp {
    /// Hold them (true), or let the box answer all held (false).
    Set(bool),
    /// Let the box answer this one now.
    Release(String),
    /// Never answer this one.
    Drop(String),
}

/// Where the box is connected.
pub(crate) enum Home {
    /// The built-in demo CSMS, in memory, and the transfers of the box on it.
    Demo(Box<Harness>, Box<Transfers>),
    /// A real CSMS over WebSocket.
    Live(Box<Live>),
}

/// The whole playground state.
pub(crate) struct Sim {
    pub(crate) home: Home,
    /// Demo speed (1, 10, 60).
    pub(crate) speed: u32,
    /// Real milliseconds at the last tick (demo home).
    last_real: f64,
    /// The EV to plug in.
    pub(crate) ev: EvSpec,
    /// What the user set up.
    pub(crate) setup: Setup,
    /// The pending CSR as last made, with the security log line that announced it:
    /// made again only when a new CSR was sent (it costs a signature).
    csr: RefCell<Option<(Option<LogLine>, String)>>,
    /// Why the link the page was opened with was not applied.
    pub(crate) link_error: Option<String>,
    /// What the CSMS did wrong since the setup was applied.
    pub(crate) mistakes: crate::mistakes::Mistakes,
    /// What the charts draw.
    pub(crate) history: crate::charts::History,
    /// The scenario the link carries: the one the tab's scenario card runs (a ready
    /// one's name or its TOML), or the one an opened link brought, for the card to run.
    pub(crate) scenario: Option<String>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn demo(setup: &Setup) -> Home {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "Date.now() fits i64 for millennia"
    )]
    let epoch = DateTime::from_unix_millis(now_ms() as i64);
    let settings = Settings::new(&setup.id, setup.variant);
    let mut h = Harness::starting_at(settings, epoch);
    h.csms.script.blocked_tags.push(CARDS[2].into());
    if let Some(seed) = crate::live::key_seed() {
        h.cp_mut().provide_key_seed(seed);
    }
    h.run_for(0);
    let transfers = Transfers::new(
        &setup.id,
        &h.cp().settings().identity.model,
        Some(DEMO_UPLOADS),
    );
    Home::Demo(Box::new(h), Box::new(transfers))
}

/// Hands the demo box's jobs to the transfers and their reports to the box.
fn demo_jobs(h: &mut Harness, transfers: &mut Transfers) {
    for (_, job) in std::mem::take(&mut h.jobs) {
        transfers.start(&job);
    }
    for (id, update) in transfers.poll(h.now) {
        h.job(id, update);
    }
    // A job that ended may start the next (a download's end, the installation).
    for (_, job) in std::mem::take(&mut h.jobs) {
        transfers.start(&job);
    }
}

/// The URL of a sample firmware file, next to the page.
fn sample_url(file: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(&format!("firmware/{file}"), &base)
        .map_or_else(|_| format!("firmware/{file}"), |u| u.href())
}

impl Sim {
    /// The box as the user last set it up: live when a CSMS URL is stored.
    pub(crate) fn new() -> Self {
        let mut setup = Setup::load();
        let (mut speed, mut ev, mut link_error) = (1, EvSpec::default(), None);
        let mut scenario = None;
        // A shared link (the page's #fragment) sets the setup, speed and EV.
        match crate::share::take_from_location() {
            Some(Ok(link)) => {
                setup = link.apply(setup);
                setup.save();
                speed = link.speed.unwrap_or(1);
                if let Some((ma, phases)) = link.ev {
                    ev.max_current_ma = ma;
                    ev.phases = phases;
                }
                scenario = link.scenario;
            }
            Some(Err(e)) => link_error = Some(e),
            None => {}
        }
        let home = if setup.url.is_empty() {
            demo(&setup)
        } else {
            Home::Live(Box::new(Live::new(&setup, speed, false)))
        };
        Self {
            home,
            speed,
            last_real: now_ms(),
            ev,
            setup,
            csr: RefCell::new(None),
            link_error,
            mistakes: crate::mistakes::Mistakes::default(),
            history: crate::charts::History::default(),
            scenario,
        }
    }

    /// The link to this setup, speed and EV (never the key).
    pub(crate) fn share_link(&self) -> String {
        crate::share::page_url(&crate::share::Link::fragment(
            &self.setup,
            self.speed,
            &self.ev,
            self.scenario.as_deref(),
        ))
    }

    /// Switches to a new setup: the demo CSMS when the URL is empty, else that CSMS.
    /// A key typed into the form goes into the engine; an unchanged one does not
    /// overwrite the key a CSMS set since.
    pub(crate) fn apply_setup(&mut self, setup: Setup) {
        setup.save();
        let key_entered = setup.key != self.setup.key;
        self.home = if setup.url.is_empty() {
            demo(&setup)
        } else {
            Home::Live(Box::new(Live::new(&setup, self.speed, key_entered)))
        };
        self.setup = setup;
        self.mistakes = crate::mistakes::Mistakes::default();
        self.history = crate::charts::History::default();
    }

    /// Advances the simulation to the real time now.
    pub(crate) fn tick(&mut self) {
        let real = now_ms();
        let elapsed = (real - self.last_real).max(0.0);
        self.last_real = real;
        match &mut self.home {
            Home::Demo(h, transfers) => {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a tick is milliseconds"
                )]
                let dt = (elapsed * f64::from(self.speed)) as u64;
                h.run_for(dt.min(3_600_000));
                demo_jobs(h, transfers);
                // A demo runs for hours: keep the latest of what the harness records.
                trim(&mut h.trace, 400);
                trim(&mut h.commands, 200);
                trim(&mut h.events, 200);
                trim(&mut h.csms.received, 200);
            }
            Home::Live(l) => l.tick(),
        }
        self.collect_mistakes();
        self.sample();
    }

    /// Records what the charts draw, once per real second of the box's time.
    fn sample(&mut self) {
        let (cp, world) = (self.cp(), self.world());
        let reading = cp.reading();
        let sample = crate::charts::Sample {
            at_ms: self.driver().now().as_millis(),
            offered_ma: world.relay().1,
            drawn_ma: reading.current_ma.iter().copied().max().unwrap_or(0),
            power_w: reading.power_w,
            session_wh: cp
                .connector()
                .transaction()
                .map_or(0, |t| reading.energy_wh.saturating_sub(t.meter_start_wh)),
            soc_permille: world.ev().map(chargepoint::world::Ev::soc_permille),
        };
        self.history.record(sample, 1000 * u64::from(self.speed));
    }

    /// Moves the mistakes either home reported into the report (each tick, and before
    /// the test API reads it: a demo CSMS call runs between two ticks).
    pub(crate) fn collect_mistakes(&mut self) {
        match &mut self.home {
            Home::Demo(h, _) => {
                let mut events = std::mem::take(&mut h.events);
                self.mistakes.collect(&mut events, h.driver().cp());
                h.events = events;
            }
            Home::Live(l) => {
                let (events, driver) = l.events_and_driver();
                self.mistakes.collect(events, driver.cp());
            }
        }
    }

    /// Sets the demo speed.
    pub(crate) fn set_speed(&mut self, speed: u32) {
        self.speed = speed;
        if let Home::Live(l) = &mut self.home {
            l.set_speed(speed);
        }
    }

    /// The driver behind either home.
    pub(crate) fn driver(&self) -> &Driver {
        match &self.home {
            Home::Demo(h, _) => h.driver(),
            Home::Live(l) => l.driver(),
        }
    }

    /// The engine.
    pub(crate) fn cp(&self) -> &ChargePoint {
        self.driver().cp()
    }

    /// The emulated car, meter and relay.
    pub(crate) fn world(&self) -> &World {
        self.driver().world().unwrap_or(&NO_WORLD)
    }

    /// Changes the emulated world and tells the engine what it caused.
    fn with_world(&mut self, change: impl FnOnce(&mut World) -> Vec<HardwareEvent>) {
        match &mut self.home {
            Home::Demo(h, _) => h.with_world(change),
            Home::Live(l) => l.with_world(change),
        }
    }

    /// Frames both ways, oldest first, each with the box's wall time when it passed.
    pub(crate) fn trace(&self) -> Vec<(Traced, String)> {
        let cp = self.cp();
        let with_wall = |t: &Traced| (t.clone(), cp.wall_clock(t.at).to_rfc3339());
        match &self.home {
            Home::Demo(h, _) => h.trace.iter().map(with_wall).collect(),
            Home::Live(l) => l.driver().trace().map(with_wall).collect(),
        }
    }

    fn commands(&self) -> &[(Instant, Command)] {
        match &self.home {
            Home::Demo(h, _) => &h.commands,
            Home::Live(l) => &l.commands,
        }
    }

    fn events(&self) -> &[(Instant, Event)] {
        match &self.home {
            Home::Demo(h, _) => &h.events,
            Home::Live(l) => &l.events,
        }
    }

    fn now(&self) -> Instant {
        self.driver().now()
    }

    /// Hands hardware events to the engine.
    pub(crate) fn hardware(&mut self, events: Vec<HardwareEvent>) {
        match &mut self.home {
            Home::Demo(h, _) => h.hardware(events),
            Home::Live(l) => l.hardware(events),
        }
    }

    /// Plugs the EV in.
    pub(crate) fn plug(&mut self) {
        self.plug_ev(self.ev);
    }

    /// Plugs this EV in (a scenario's).
    pub(crate) fn plug_ev(&mut self, ev: EvSpec) {
        self.with_world(|w| w.plug(ev));
    }

    /// The CSMS cannot be reached (a scenario's offline step; the link drops now) or
    /// can again (the box reconnects on its own schedule).
    pub(crate) fn set_offline(&mut self, offline: bool) {
        match &mut self.home {
            Home::Demo(h, _) => h.reachable = !offline,
            Home::Live(l) => l.offline = offline,
        }
        if offline {
            self.drop_link();
        }
    }

    /// Unplugs it.
    pub(crate) fn unplug(&mut self) {
        self.with_world(World::unplug);
    }

    /// The EV pauses or resumes.
    pub(crate) fn set_paused(&mut self, paused: bool) {
        self.with_world(|w| w.set_paused(paused));
    }

    /// A card at the reader.
    pub(crate) fn tap(&mut self, tag: &str) {
        self.hardware(vec![HardwareEvent::RfidTap(tag.into())]);
    }

    /// The demo CSMS, when the box is connected to it.
    pub(crate) fn demo(&mut self) -> Option<&mut Harness> {
        match &mut self.home {
            Home::Demo(h, _) => Some(h),
            Home::Live(_) => None,
        }
    }

    /// The transfers of the box.
    fn transfers(&self) -> &Transfers {
        match &self.home {
            Home::Demo(_, t) => t,
            Home::Live(l) => l.transfers(),
        }
    }

    /// The transfer events for the trace: (engine ms, wall time, line).
    pub(crate) fn transfer_events(&self) -> Vec<(u64, String, String)> {
        let cp = self.cp();
        self.transfers()
            .events()
            .iter()
            .map(|(at, line)| {
                (
                    at.as_millis(),
                    cp.wall_clock(*at).to_rfc3339(),
                    line.clone(),
                )
            })
            .collect()
    }

    /// The files the demo CSMS received.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.transfers().received()
    }

    /// The firmware the box runs and the update in progress ("Firmware 1.0.0 → 1.13.0:
    /// Downloading 45 %"), and why the last one failed.
    pub(crate) fn firmware(&self) -> (String, Option<String>) {
        let cp = self.cp();
        let installed = cp.firmware_version();
        let last = self.events().iter().rev().find_map(|(_, e)| match e {
            Event::Firmware { status, reason } => Some((*status, reason.clone())),
            _ => None,
        });
        let phase = cp.firmware().phase();
        let Some((status, reason)) = last else {
            return (format!("Firmware {installed}"), None);
        };
        if *phase == Phase::Idle
            && matches!(status, FirmwareStatus::Installed | FirmwareStatus::Idle)
        {
            return (format!("Firmware {installed}"), None);
        }
        let transfers = self.transfers();
        let target = transfers.version().unwrap_or_else(|| String::from("?"));
        let percent = match phase {
            Phase::Downloading { .. } => transfers
                .running()
                .iter()
                .find(|r| r.what == "download")
                .and_then(|r| {
                    r.total
                        .filter(|t| *t > 0)
                        .map(|t| format!(" {} %", r.done.min(t) * 100 / t))
                })
                .unwrap_or_default(),
            _ => String::new(),
        };
        (
            format!("Firmware {installed} → {target}: {status:?}{percent}"),
            reason,
        )
    }

    /// The demo CSMS sends a request, `payload` JSON text (only while the box is
    /// connected to it; one parser for every button instead of a `json!` each).
    pub(crate) fn demo_call(&mut self, action: &str, payload: &str) {
        if let Some(h) = self.demo() {
            let _ = h.call_text(action, payload);
        }
    }

    /// The demo CSMS sends a request (the console's, the test API's): the box's answer
    /// frame, or why nothing was sent.
    pub(crate) fn csms_request(&mut self, action: &str, payload: &str) -> Result<Frame, String> {
        let Some(h) = self.demo() else {
            return Err("the box is connected to a real CSMS, not the demo CSMS".into());
        };
        if !h.connected() {
            return Err(
                "the demo CSMS is not connected to the box (it reconnects by itself)".into(),
            );
        }
        let holding = h.driver().holding_calls();
        match h.call_text(action, payload) {
            Some(answer @ (Frame::CallResult(_) | Frame::CallError(_))) => Ok(answer),
            _ if holding => Err(format!(
                "the box did not answer {action} within 60 s: expert mode holds the CSMS's CALLs"
            )),
            _ => Err(format!("the box did not answer {action} within 60 s")),
        }
    }

    /// What the console's and the composer's templates fill in.
    pub(crate) fn template_context(&self) -> crate::templates::Context {
        let now = self.cp().wall_clock(self.driver().now());
        crate::templates::Context {
            now: now.to_rfc3339(),
            later: now.add_millis(3_600_000).to_rfc3339(),
            transaction: self
                .cp()
                .connector()
                .transaction()
                .and_then(|t| t.transaction_id),
            firmware: sample_url(SAMPLES[0].1),
            uploads: String::from(DEMO_UPLOADS),
            root: DEMO_ROOT,
        }
    }

    /// The demo CSMS asks for a firmware update from a sample file served with the page.
    pub(crate) fn update_firmware(&mut self, file: &str) {
        let location = sample_url(file);
        let Some(retrieve) = self.demo().map(|h| h.wall().to_rfc3339()) else {
            return;
        };
        let mut payload = Json::new();
        payload.str("location", &location);
        payload.str("retrieveDate", &retrieve);
        self.demo_call("UpdateFirmware", &payload.end());
    }

    /// The demo CSMS asks for the box's diagnostics, to its own location.
    pub(crate) fn get_diagnostics(&mut self) {
        let mut payload = Json::new();
        payload.str("location", DEMO_UPLOADS);
        self.demo_call("GetDiagnostics", &payload.end());
    }

    /// The demo CSMS installs its root CA as the CentralSystemRootCertificate.
    pub(crate) fn install_root(&mut self) {
        let mut payload = Json::new();
        payload.str("certificateType", "CentralSystemRootCertificate");
        payload.str("certificate", DEMO_ROOT);
        self.demo_call("InstallCertificate", &payload.end());
    }

    /// The demo CSMS asks the box for a CSR (the box answers with SignCertificate).
    pub(crate) fn request_certificate(&mut self) {
        self.demo_call(
            "ExtendedTriggerMessage",
            r#"{"requestedMessage":"SignChargePointCertificate"}"#,
        );
    }

    /// The pending CSR (PEM), when the box sent one that no certificate answered yet.
    pub(crate) fn pending_csr(&self) -> Option<String> {
        let cp = self.cp();
        if !cp.csr_pending() {
            return None;
        }
        // The newest "CSR sent" line of the security log tells one CSR from the next.
        let sent = cp
            .security()
            .log_within(None, None)
            .filter(|(_, line)| line.starts_with("CSR sent"))
            .last()
            .cloned();
        // (None when the ring dropped that line: a new CSR adds one again.)
        let mut cache = self.csr.borrow_mut();
        if let Some((key, csr)) = cache.as_ref()
            && *key == sent
        {
            return Some(csr.clone());
        }
        let csr = cp.pending_csr()?;
        *cache = Some((sent, csr.clone()));
        Some(csr)
    }

    /// Whether the box talks to the built-in demo CSMS.
    pub(crate) fn demo_home(&self) -> bool {
        matches!(self.home, Home::Demo(..))
    }

    /// Whether the box's link to its CSMS is up.
    pub(crate) fn connected(&self) -> bool {
        match &self.home {
            Home::Demo(h, _) => h.connected(),
            Home::Live(l) => l.connected(),
        }
    }

    /// Drops the link now, as a network fault would; the box reconnects by itself.
    pub(crate) fn drop_link(&mut self) {
        match &mut self.home {
            Home::Demo(h, _) => h.drop_connection(),
            Home::Live(l) => l.drop_link(),
        }
    }

    /// Expert mode: a frame of the tester's own to the CSMS, as it is.
    pub(crate) fn send_raw(&mut self, text: &str) -> Result<(), String> {
        if text.trim().is_empty() {
            return Err("the frame is empty".into());
        }
        match &mut self.home {
            Home::Demo(h, _) => h.send_from_cp(text).map_err(String::from),
            Home::Live(l) => l.send_raw(text),
        }
    }

    /// Expert mode's hold on the CSMS's CALLs, either home: false when no CALL of that
    /// id is held.
    pub(crate) fn hold(&mut self, op: HoldOp) -> bool {
        let apply = |d: &mut Driver, now: u64| match &op {
            HoldOp::Set(on) => {
                d.hold_calls(now, *on);
                true
            }
            HoldOp::Release(id) => d.release_held(now, id),
            HoldOp::Drop(id) => d.drop_held(id),
        };
        match &mut self.home {
            Home::Demo(h, _) => match &op {
                HoldOp::Set(on) => {
                    h.hold_calls(*on);
                    true
                }
                HoldOp::Release(id) => h.release_held(id),
                HoldOp::Drop(id) => h.drop_held(id),
            },
            Home::Live(l) => l.with_driver(apply),
        }
    }

    /// The CSMS's CALLs held: `(id, action, ms held)`, oldest first.
    pub(crate) fn held(&self) -> Vec<(String, String, u64)> {
        let d = self.driver();
        d.held_calls()
            .map(|c| {
                (
                    c.id.clone(),
                    c.action.clone(),
                    d.now().as_millis().saturating_sub(c.since.as_millis()),
                )
            })
            .collect()
    }

    /// Network faults on the link to a real CSMS (`seed=7 latency=200 drop=5 …`).
    pub(crate) fn set_network_faults(&mut self, spec: &str) -> Result<(), String> {
        let faults = crate::netfault::Faults::parse(spec)?;
        match &mut self.home {
            Home::Live(l) => {
                l.set_faults(faults);
                Ok(())
            }
            Home::Demo(..) => {
                Err("network faults are for a real CSMS: connect to one first".into())
            }
        }
    }

    /// What the network faults did: dropped, duplicated, reordered (live home).
    pub(crate) fn network_faults(&self) -> Option<(u64, u64, u64)> {
        match &self.home {
            Home::Live(l) => {
                let (f, dropped, duplicated, reordered) = l.faults();
                f.active().then_some((dropped, duplicated, reordered))
            }
            Home::Demo(..) => None,
        }
    }

    /// Connection state in words.
    pub(crate) fn link(&self) -> String {
        match &self.home {
            Home::Demo(..) => String::from("built-in demo CSMS"),
            Home::Live(l) if l.connected() => format!("connected to {}", self.setup.url),
            Home::Live(l) => match l.driver().last_link_error() {
                Some(why) => format!("connecting to {} … ({why})", self.setup.url),
                None => format!("connecting to {} …", self.setup.url),
            },
        }
    }

    /// The last card decided: (idTag, accepted).
    pub(crate) fn last_card(&self) -> Option<(String, bool)> {
        self.events().iter().rev().find_map(|(_, e)| match e {
            Event::Authorization { id_tag, accepted } => Some((id_tag.clone(), *accepted)),
            _ => None,
        })
    }

    /// Things a person should know (live home).
    pub(crate) fn notes(&self) -> &[String] {
        match &self.home {
            Home::Demo(..) => &[],
            Home::Live(l) => &l.notes,
        }
    }

    /// The light the box shows now.
    pub(crate) fn led(&self) -> Led {
        self.commands()
            .iter()
            .rev()
            .find_map(|(_, c)| match c {
                Command::Indicator(led) if *led != Led::Rejected => Some(*led),
                _ => None,
            })
            .unwrap_or(Led::Booting)
    }

    /// Whether a refused card was shown in the last two seconds.
    pub(crate) fn rejected_recently(&self) -> bool {
        let now = self.now().as_millis();
        let window = 2_000 * u64::from(self.speed);
        self.commands()
            .iter()
            .rev()
            .take_while(|(t, _)| now.saturating_sub(t.as_millis()) < window)
            .any(|(_, c)| *c == Command::Indicator(Led::Rejected))
    }
}

static NO_WORLD: World = World::EMPTY;

/// Keeps the latest `keep` entries once there are twice as many.
pub(crate) fn trim<T>(v: &mut Vec<T>, keep: usize) {
    if v.len() > keep * 2 {
        v.drain(..v.len() - keep);
    }
}
