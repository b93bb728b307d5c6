//! The live home: a thin adapter over [`chargepoint::Driver`] with the emulated EV,
//! connected to a real CSMS over the browser's WebSocket (subprotocol `ocpp1.6`), its
//! durable state in localStorage. The tab only does I/O: it opens and closes the socket
//! the driver asks for (with the engine's credentials), writes the state before anything
//! else goes out, and feeds the driver what happened, in real milliseconds since the page
//! started. Jobs (firmware downloads and installations, diagnostics uploads) go to
//! [`Transfers`], which carries them out with `fetch`.

use std::{cell::RefCell, collections::VecDeque, rc::Rc};

use chargepoint::{
    Command, ConnectParams, Driver, DriverConfig, Event, HardwareEvent, Instant, Link, Output,
    Settings, driver::MeterCadence, model::Key, world::World,
};
use ocpp16::DateTime;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{MessageEvent, WebSocket};

use crate::{
    netfault::{Faults, Line},
    storage::{self, Setup},
    transfer::Transfers,
};

/// How many frames the trace keeps.
const TRACE_FRAMES: usize = 400;

/// What a socket reported, with the generation of the socket that said it.
enum WsEvent {
    Open,
    Text(String),
    Closed(String),
}

type Inbox = Rc<RefCell<VecDeque<(u32, WsEvent)>>>;
type Handler = Closure<dyn FnMut(web_sys::Event)>;

/// One WebSocket and the handlers it calls. Dropping it detaches the handlers before
/// they are freed, so no event of this socket can reach a dropped closure, and closes it.
struct Socket {
    ws: WebSocket,
    generation: u32,
    opened: bool,
    _handlers: [Handler; 3],
}

impl Socket {
    fn detach(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.detach();
        let _ = self.ws.close();
    }
}

/// The driver, the socket, and what the page shows of them.
pub struct Live {
    driver: Driver,
    /// The engine's commands, for the light and the relay.
    pub commands: Vec<(Instant, Command)>,
    /// Events the engine reported (cards decided, transactions).
    pub events: Vec<(Instant, Event)>,
    /// Problems a person should see (a refused stored state, socket errors).
    pub notes: Vec<String>,
    socket: Option<Socket>,
    /// Sockets the driver closed, detached, closed at a later tick: Chromium may drop a
    /// frame sent just before `close()` (the answer to a Reset would never arrive).
    closing: Vec<(u8, Socket)>,
    generation: u32,
    inbox: Inbox,
    transfers: Transfers,
    /// Network faults each way (`netfault.rs`): box → CSMS, CSMS → box.
    lines: [Line; 2],
    /// A scenario's offline step holds: connection attempts fail until its online step.
    pub offline: bool,
}

/// Real milliseconds since the page started (monotonic).
fn real_ms() -> u64 {
    let ms = web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now());
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "positive ms since the page started"
    )]
    let ms = ms.max(0.0) as u64;
    ms
}

fn utc_now() -> DateTime {
    #[allow(clippy::cast_possible_truncation, reason = "Date.now() fits i64")]
    DateTime::from_unix_millis(js_sys::Date::now() as i64)
}

/// 8 bytes from `crypto.getRandomValues` (the clock when the browser has none).
fn entropy() -> u64 {
    let mut bytes = [0u8; 8];
    let random = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if random {
        u64::from_le_bytes(bytes)
    } else {
        js_sys::Date::now().to_bits() ^ real_ms().rotate_left(32)
    }
}

/// 32 bytes from `crypto.getRandomValues` for the box's key pairs; `None` without it
/// (the engine's own generator then fills each seed).
pub(crate) fn key_seed() -> Option<[u8; 32]> {
    let mut seed = [0u8; 32];
    let random = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut seed).is_ok());
    random.then_some(seed)
}

/// The URL to open: `params.url` with the engine's Basic-auth credentials as URL
/// credentials (the browser presents them after the CSMS's 401), replacing any typed in.
pub fn socket_url(params: &ConnectParams) -> String {
    let Some((user, key)) = &params.basic_auth else {
        return params.url.clone();
    };
    let (scheme, rest) = params.url.split_once("://").unwrap_or(("ws", &params.url));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!(
        "{scheme}://{}:{}@{host}{path}",
        String::from(js_sys::encode_uri_component(user)),
        String::from(js_sys::encode_uri_component(key))
    )
}

impl Live {
    /// Powers the box on from the stored state (or defaults) for this setup. The form's
    /// AuthorizationKey goes into the engine when the installer just typed it
    /// (`key_entered`) or the engine holds none; after that the key is the engine's
    /// (a CSMS may change it).
    pub fn new(setup: &Setup, speed: u32, key_entered: bool) -> Self {
        let now = real_ms();
        let mut settings = Settings::new(&setup.id, setup.variant);
        settings.call_timeout_ms = settings.call_timeout_ms.saturating_mul(u64::from(speed));
        settings.csms_url.clone_from(&setup.url);
        settings.seed = entropy();
        settings.trace_frames = false;
        let config = DriverConfig {
            speed,
            max_step_ms: None,
            meter: MeterCadence {
                period_ms: 1_000,
                min_real_ms: 0,
                while_idle: true,
                fresh_on_input: true,
            },
            pings: false,
            trace_capacity: TRACE_FRAMES,
        };
        let world = Some(World::default());
        let mut notes = Vec::new();
        let mut driver = match storage::load_state() {
            Ok(Some(state)) => Driver::restore(settings, state, world, config, now, utc_now()),
            Ok(None) => Driver::new(settings, world, config, now, utc_now()),
            Err(e) => {
                notes.push(e);
                Driver::new(settings, world, config, now, utc_now())
            }
        };
        // The box's key pairs (SignCertificate's CSR) come from the browser's generator.
        if let Some(seed) = key_seed() {
            driver.cp_mut().provide_key_seed(seed);
        }
        let engine_key = driver.cp().configuration().text(Key::AuthorizationKey);
        if !setup.key.is_empty() && (key_entered || engine_key.is_empty()) {
            install_key(&mut driver, &setup.key, &mut notes);
        }
        let transfers = Transfers::new(&setup.id, &driver.cp().settings().identity.model, None);
        let mut live = Self {
            driver,
            commands: Vec::new(),
            events: Vec::new(),
            notes,
            socket: None,
            closing: Vec::new(),
            generation: 0,
            inbox: Rc::new(RefCell::new(VecDeque::new())),
            transfers,
            lines: [Line::default(), Line::default()],
            offline: false,
        };
        live.carry_out();
        live
    }

    /// The driver (engine, world, trace).
    pub fn driver(&self) -> &Driver {
        &self.driver
    }

    /// The events so far (to move some out) beside the driver that made them.
    pub fn events_and_driver(&mut self) -> (&mut Vec<(Instant, Event)>, &Driver) {
        (&mut self.events, &self.driver)
    }

    /// The box's file transfers.
    pub fn transfers(&self) -> &Transfers {
        &self.transfers
    }

    /// Changes the demo speed.
    pub fn set_speed(&mut self, speed: u32) {
        self.driver.set_speed(real_ms(), speed);
        self.carry_out();
    }

    /// Hardware events from the page's controls.
    pub fn hardware(&mut self, events: Vec<HardwareEvent>) {
        self.driver.hardware(real_ms(), events);
        self.carry_out();
    }

    /// Changes the emulated world and reports what it caused.
    pub fn with_world(&mut self, change: impl FnOnce(&mut World) -> Vec<HardwareEvent>) {
        self.driver.with_world(real_ms(), change);
        self.carry_out();
    }

    /// Feeds the driver what the socket said since the last tick, and the time.
    pub fn tick(&mut self) {
        // A closed socket goes once what was sent on it left (or after 2 s).
        self.closing.retain_mut(|(ticks, s)| {
            *ticks += 1;
            s.ws.buffered_amount() > 0 && *ticks < 10
        });
        let events: Vec<(u32, WsEvent)> = self.inbox.borrow_mut().drain(..).collect();
        for (generation, event) in events {
            let Some(socket) = self.socket.as_mut().filter(|s| s.generation == generation) else {
                continue; // an event of a socket already dropped
            };
            let now = real_ms();
            match event {
                WsEvent::Open => {
                    socket.opened = true;
                    self.driver.opened(now);
                }
                WsEvent::Text(text) if self.lines[1].faults().active() => {
                    self.lines[1].push(now, text);
                }
                WsEvent::Text(text) => self.driver.frame(now, &text),
                WsEvent::Closed(reason) => {
                    let opened = socket.opened;
                    self.socket = None;
                    // What was on the way is lost with the link.
                    self.lines.iter_mut().for_each(Line::clear);
                    if opened {
                        self.driver.closed(now, &reason);
                    } else {
                        self.driver.open_failed(now, &reason);
                    }
                }
            }
            self.carry_out();
        }
        // The frames the faulty line delivers now, each way.
        let real = real_ms();
        for text in self.lines[1].due(real) {
            if self.connected() {
                self.driver.frame(real, &text);
                self.carry_out();
            }
        }
        for text in self.lines[0].due(real) {
            self.send_now(&text);
        }
        let now = self.driver.now();
        for (id, update) in self.transfers.poll(now) {
            self.driver.job(real_ms(), id, update);
            self.carry_out();
        }
        self.driver.timeout(real_ms());
        self.carry_out();
    }

    /// Carries out what the driver asks, in order.
    fn carry_out(&mut self) {
        while let Some(output) = self.driver.poll_output() {
            let now = self.driver.now();
            match output {
                Output::Persist(p) => {
                    let written = storage::save_state(&self.driver.durable_state());
                    self.driver.persisted(p.token, written);
                }
                Output::Send(text) => self.send(&text),
                Output::Open(params) => self.open(&params),
                Output::Close => self.retire(),
                // Pings are off: a browser cannot send WebSocket pings.
                Output::Ping => {}
                Output::Hardware(command) => self.commands.push((now, command)),
                Output::Job(job) => self.transfers.start(&job),
                Output::Event(Event::Warning(w)) => self.notes.push(w),
                Output::Event(event) => self.events.push((now, event)),
            }
        }
        crate::sim::trim(&mut self.commands, 200);
        crate::sim::trim(&mut self.events, 200);
        crate::sim::trim(&mut self.notes, 20);
    }

    /// Stops listening to the socket now; closes it at the next tick.
    fn retire(&mut self) {
        if let Some(socket) = self.socket.take() {
            socket.detach();
            self.closing.push((0, socket));
        }
    }

    fn send(&mut self, text: &str) {
        if self.lines[0].faults().active() {
            self.lines[0].push(real_ms(), text.to_string());
        } else {
            self.send_now(text);
        }
    }

    fn send_now(&mut self, text: &str) {
        let Some(socket) = &self.socket else { return };
        if socket.ws.ready_state() == WebSocket::OPEN && socket.ws.send_with_str(text).is_ok() {
            return;
        }
        // Closing already: the close event is on its way; the link is lost now.
        self.socket = None;
        self.driver
            .closed(real_ms(), "the socket closed while sending");
    }

    fn open(&mut self, params: &ConnectParams) {
        self.retire();
        if self.offline {
            let reason = "the CSMS is unreachable (the scenario is offline)";
            self.driver.open_failed(real_ms(), reason);
            return;
        }
        self.lines.iter_mut().for_each(Line::clear);
        self.generation = self.generation.wrapping_add(1);
        let ws = match WebSocket::new_with_str(&socket_url(params), "ocpp1.6") {
            Ok(ws) => ws,
            Err(e) => {
                let reason = e
                    .dyn_ref::<js_sys::Error>()
                    .map_or_else(|| String::from("refused"), |e| String::from(e.message()));
                self.notes.push(format!(
                    "could not open a WebSocket to {}: {reason}",
                    params.url
                ));
                self.driver.open_failed(real_ms(), &reason);
                return;
            }
        };
        let generation = self.generation;
        let handler = |kind: u8| {
            let inbox = self.inbox.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let event = match kind {
                    0 => WsEvent::Open,
                    1 => match e
                        .dyn_ref::<MessageEvent>()
                        .and_then(|m| m.data().as_string())
                    {
                        Some(text) => WsEvent::Text(text),
                        None => return,
                    },
                    _ => WsEvent::Closed(match e.dyn_ref::<web_sys::CloseEvent>() {
                        Some(c) if c.reason().is_empty() => format!("closed, code {}", c.code()),
                        Some(c) => format!("closed, code {}: {}", c.code(), c.reason()),
                        None => String::from("closed"),
                    }),
                };
                inbox.borrow_mut().push_back((generation, event));
            })
        };
        let [on_open, on_message, on_close] = [handler(0), handler(1), handler(2)];
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.socket = Some(Socket {
            ws,
            generation,
            opened: false,
            _handlers: [on_open, on_message, on_close],
        });
    }

    /// Puts network faults on the link, both ways (none: [`Faults::default`]).
    pub fn set_faults(&mut self, faults: Faults) {
        self.lines = [Line::new(faults, 1), Line::new(faults, 2)];
    }

    /// The faults on the link and what they did: (faults, dropped, duplicated, reordered).
    pub fn faults(&self) -> (Faults, u64, u64, u64) {
        let [a, b] = &self.lines;
        (
            a.faults(),
            a.dropped + b.dropped,
            a.duplicated + b.duplicated,
            a.reordered + b.reordered,
        )
    }

    /// Drops the link now (a network fault): the socket goes, the box reconnects.
    pub fn drop_link(&mut self) {
        self.driver.drop_link(real_ms());
        self.carry_out();
    }

    /// Sends a frame of the tester's own as it is (see `Driver::send_raw`).
    ///
    /// # Errors
    /// Why it was not sent.
    pub fn send_raw(&mut self, text: &str) -> Result<(), String> {
        self.driver.send_raw(real_ms(), text)?;
        self.carry_out();
        Ok(())
    }

    /// Runs `change` on the driver at the real time now, then carries out what it
    /// made (expert mode's hold on the CSMS's CALLs).
    pub fn with_driver<R>(&mut self, change: impl FnOnce(&mut Driver, u64) -> R) -> R {
        let result = change(&mut self.driver, real_ms());
        self.carry_out();
        result
    }

    /// Whether the socket is open.
    pub fn connected(&self) -> bool {
        self.driver.link() == Link::Open
    }
}

/// The installer's key, and SecurityProfile 1 so that it is used (as `evc --auth-key`).
fn install_key(driver: &mut Driver, key: &str, notes: &mut Vec<String>) {
    let now = driver.now();
    let cp = driver.cp_mut();
    let mut result = cp.configure(now, "AuthorizationKey", key);
    if result.is_ok() && cp.configuration().int(Key::SecurityProfile) < 1 {
        result = cp.configure(now, "SecurityProfile", "1");
    }
    if let Err(e) = result {
        notes.push(format!("the AuthorizationKey was not taken: {e}"));
    }
    driver.flush();
}
