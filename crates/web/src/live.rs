//! The live home: the engine and the emulated EV connected to a real CSMS over the
//! browser's WebSocket (subprotocol `ocpp1.6`), with its durable state in localStorage.

use std::{cell::RefCell, collections::VecDeque, rc::Rc};

use chargepoint::{
    ChargePoint, Command, Event, HardwareEvent, Instant, Settings, TimeScale, harness::Traced,
    world::World,
};
use ocpp16::DateTime;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{MessageEvent, WebSocket};

use crate::storage::{self, Setup};

/// What the socket reported.
enum WsEvent {
    Open,
    Text(String),
    Closed,
}

/// The engine, the world and the socket.
pub struct Live {
    /// The engine.
    pub cp: ChargePoint,
    /// The emulated car, meter and relay.
    pub world: World,
    /// Frames both ways (the AuthorizationKey redacted).
    pub trace: Vec<Traced>,
    /// The engine's commands, for the light and the relay.
    pub commands: Vec<(Instant, Command)>,
    /// Engine time now.
    pub now: Instant,
    /// Problems a person should see (a refused stored state, socket errors).
    pub notes: Vec<String>,
    /// The last card decided: (idTag, accepted).
    pub last_card: Option<(String, bool)>,
    setup: Setup,
    scale: TimeScale,
    ws: Option<WebSocket>,
    inbox: Rc<RefCell<VecDeque<WsEvent>>>,
    connect_at: Option<Instant>,
    last_meter: Instant,
    /// Keeps the socket's callbacks alive as long as the socket.
    _callbacks: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

fn real_ms() -> u64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "Date.now() is positive ms"
    )]
    let ms = js_sys::Date::now() as u64;
    ms
}

impl Live {
    /// Powers the box on from the stored state (or defaults) for this setup.
    pub fn new(setup: Setup, speed: u32) -> Self {
        let mut scale = TimeScale::new(real_ms());
        scale.set_speed(real_ms(), speed);
        let now = scale.now(real_ms());
        let mut settings = Settings::new(&setup.id, setup.variant);
        settings.call_timeout_ms = settings.call_timeout_ms.saturating_mul(u64::from(speed));
        let mut notes = Vec::new();
        let mut cp = match storage::load_state() {
            Ok(Some(state)) => ChargePoint::restore(settings, state, now),
            Ok(None) => ChargePoint::new(settings, now),
            Err(e) => {
                notes.push(e);
                ChargePoint::new(settings, now)
            }
        };
        #[allow(clippy::cast_possible_wrap, reason = "Date.now() fits i64")]
        cp.set_wall_clock(now, DateTime::from_unix_millis(real_ms() as i64));
        let mut live = Self {
            cp,
            world: World::default(),
            trace: Vec::new(),
            commands: Vec::new(),
            now,
            notes,
            last_card: None,
            setup,
            scale,
            ws: None,
            inbox: Rc::new(RefCell::new(VecDeque::new())),
            connect_at: None,
            last_meter: now,
            _callbacks: Vec::new(),
        };
        live.drain();
        live
    }

    /// Changes the demo speed.
    pub fn set_speed(&mut self, speed: u32) {
        self.scale.set_speed(real_ms(), speed);
    }

    fn open(&mut self) {
        let url = self.setup.endpoint();
        let ws = match WebSocket::new_with_str(&url, "ocpp1.6") {
            Ok(ws) => ws,
            Err(_) => {
                self.notes
                    .push(format!("could not open a WebSocket to {}", self.setup.url));
                self.inbox.borrow_mut().push_back(WsEvent::Closed);
                return;
            }
        };
        let events = [("open", 0), ("message", 1), ("close", 2)];
        self._callbacks.clear();
        for (name, kind) in events {
            let inbox = self.inbox.clone();
            let callback = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let event = match kind {
                    0 => WsEvent::Open,
                    1 => match e
                        .dyn_ref::<MessageEvent>()
                        .and_then(|m| m.data().as_string())
                    {
                        Some(text) => WsEvent::Text(text),
                        None => return,
                    },
                    _ => WsEvent::Closed,
                };
                inbox.borrow_mut().push_back(event);
            });
            let _ = ws.add_event_listener_with_callback(name, callback.as_ref().unchecked_ref());
            self._callbacks.push(callback);
        }
        self.ws = Some(ws);
    }

    fn close(&mut self) {
        if let Some(ws) = self.ws.take() {
            let _ = ws.close();
        }
        self._callbacks.clear();
        self.inbox.borrow_mut().clear();
    }

    /// Hardware events from the page's controls.
    pub fn hardware(&mut self, events: Vec<HardwareEvent>) {
        for e in events {
            self.cp.handle_hardware(self.now, e);
        }
        self.drain();
    }

    /// Advances to the real time now.
    pub fn tick(&mut self) {
        let now = self.scale.now(real_ms());
        let dt = now.millis_since(self.now);
        self.now = now;
        for e in self.world.advance(dt) {
            self.cp.handle_hardware(now, e);
        }
        if now.millis_since(self.last_meter) >= 1_000 {
            self.last_meter = now;
            self.cp
                .handle_hardware(now, HardwareEvent::Meter(self.world.reading()));
        }
        if self.connect_at.is_some_and(|at| at <= now) {
            self.connect_at = None;
            self.open();
        }
        let events: Vec<WsEvent> = self.inbox.borrow_mut().drain(..).collect();
        for event in events {
            match event {
                WsEvent::Open => self.cp.handle_connected(now),
                WsEvent::Text(text) => self.cp.handle_frame(now, &text),
                WsEvent::Closed => {
                    self.ws = None;
                    self.cp.handle_disconnected(now);
                }
            }
        }
        if self.cp.poll_timeout().is_some_and(|t| t <= now) {
            self.cp.handle_timeout(now);
        }
        self.drain();
    }

    fn drain(&mut self) {
        if self.cp.poll_persist() {
            storage::save_state(&self.cp.durable_state());
        }
        while let Some(text) = self.cp.poll_transmit() {
            if let Some(ws) = &self.ws {
                let _ = ws.send_with_str(&text);
            }
        }
        while let Some(command) = self.cp.poll_command() {
            match &command {
                Command::Connect { after_ms } => self.connect_at = Some(self.now + *after_ms),
                Command::Disconnect => self.close(),
                other => self.world.apply(other),
            }
            self.commands.push((self.now, command));
        }
        while let Some(event) = self.cp.poll_event() {
            match event {
                Event::Frame { incoming, text } => self.trace.push(Traced {
                    at: self.now,
                    from_cp: !incoming,
                    text,
                }),
                Event::Warning(w) => self.notes.push(w),
                Event::Authorization { id_tag, accepted } => {
                    self.last_card = Some((id_tag, accepted));
                }
                _ => {}
            }
        }
        crate::sim::trim(&mut self.trace, 400);
        crate::sim::trim(&mut self.commands, 200);
        crate::sim::trim(&mut self.notes, 20);
    }

    /// Whether the socket is open.
    pub fn connected(&self) -> bool {
        self.cp.is_connected()
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.close();
    }
}
