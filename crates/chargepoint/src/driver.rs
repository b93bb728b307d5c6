//! The one driver every home runs: the engine, the optional emulated world and its meter
//! cadence, the connection schedule with its parameters, the WebSocket ping policy and a
//! bounded trace, behind **one ordered output** and one `poll_timeout`.
//!
//! A home only does I/O. It feeds the driver what happened (`opened`, `open_failed`,
//! `closed`, `frame`, `pong`, `hardware`, `timeout`, `persisted`, all in the home's
//! *real* milliseconds) and carries out what [`Driver::poll_output`] returns, in order:
//!
//! - [`Output::Persist`]: write [`Driver::durable_state`]; until [`Driver::persisted`] is called with
//!   its token, `poll_output` returns nothing more, so no frame that depends on the
//!   state can leave before it is stored (rustls's unbuffered API enforces its order the
//!   same way);
//! - [`Output::Send`] a text frame; [`Output::Open`] a connection with the given
//!   parameters (report `opened` or `open_failed`); [`Output::Close`] it (report
//!   nothing); [`Output::Ping`] a WebSocket ping (report `pong`);
//! - [`Output::Hardware`]: relay, cable lock, light, reboot (already applied to the
//!   emulated world, when there is one);
//! - [`Output::Job`]: long work (download, upload, install); report how it goes with
//!   [`Driver::job`];
//! - [`Output::Event`]: for the UI and logs.
//!
//! Then sleep until [`Driver::poll_timeout`] (real ms) or the next I/O, and call
//! [`Driver::timeout`]. Engine time is the home's real time through a [`TimeScale`]
//! (demo speeds), never jumping more than `max_step_ms` per input when set.

use alloc::{collections::VecDeque, string::String, vec::Vec};
use ocpp16::{CallError, CallResult, DateTime, Frame, frame};

use crate::{
    durable::DurableState,
    engine::{ChargePoint, Settings, redact},
    interface::{Command, ConnectParams, Event, HardwareEvent},
    model::Key,
    time::{Instant, TimeScale},
    world::World,
};

/// One frame on the wire, as a trace shows it (the AuthorizationKey redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traced {
    /// Engine time when it passed.
    pub at: Instant,
    /// `true` when the charge point sent it.
    pub from_cp: bool,
    /// The text.
    pub text: String,
}

/// How the emulated world reports meter readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeterCadence {
    /// A reading every this many engine ms…
    pub period_ms: u64,
    /// …but not more often than this in real ms (high speeds in a fleet).
    pub min_real_ms: u64,
    /// Also while no EV is plugged in (a fleet of idle boxes would wake for nothing).
    pub while_idle: bool,
    /// Also read the meter at every frame and hardware input, so that a transaction
    /// stopped by a CSMS request or a card ends on the energy of that very moment (a
    /// home talking to a real CSMS); off for virtual time, where readings come only at
    /// the cadence.
    pub fresh_on_input: bool,
}

/// What the home chooses once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverConfig {
    /// Demo speed (1 = real time).
    pub speed: u32,
    /// The most engine time one input may advance (a starved MCU then runs its session
    /// slower instead of skipping through it); `None`: no limit.
    pub max_step_ms: Option<u64>,
    /// The world's meter readings.
    pub meter: MeterCadence,
    /// Send WebSocket pings every WebSocketPingInterval (a browser cannot).
    pub pings: bool,
    /// How many frames the trace keeps (0: none).
    pub trace_capacity: usize,
}

impl Default for DriverConfig {
    fn default() -> Self {
        Self {
            speed: 1,
            max_step_ms: None,
            meter: MeterCadence {
                period_ms: 1_000,
                min_real_ms: 0,
                while_idle: true,
                fresh_on_input: false,
            },
            pings: false,
            trace_capacity: 0,
        }
    }
}

/// The durable state changed: write [`Driver::durable_state`] before anything else
/// leaves the box. The state is taken when the home writes it, never built for a home
/// that stores nothing (a fleet without state files); taken then, it is at least as new
/// as every frame behind this output, which is all the order needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Persist {
    /// Hand it back to [`Driver::persisted`] once written.
    pub token: u64,
}

/// The next thing the home must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Write the state, then call [`Driver::persisted`].
    Persist(Persist),
    /// Send a text frame.
    Send(String),
    /// Open the connection (report [`Driver::opened`] or [`Driver::open_failed`]).
    /// Boxed, like the state: the output queue of a fleet of thousands stays small.
    Open(alloc::boxed::Box<ConnectParams>),
    /// Close the connection; the driver already knows it is closed.
    Close,
    /// Send a WebSocket ping.
    Ping,
    /// Drive the hardware (relay, lock, light, reboot).
    Hardware(Command),
    /// Carry out a job (download, upload, install) and report it with [`Driver::job`].
    Job(crate::jobs::Job),
    /// Something for the UI and logs.
    Event(Event),
}

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// No connection and none asked for.
    Idle,
    /// A connection attempt is due at this engine instant.
    Waiting(Instant),
    /// [`Output::Open`] was given; the home is connecting.
    Opening,
    /// Connected.
    Open,
}

/// The driver. See the module docs.
#[derive(Debug, Clone)]
pub struct Driver {
    cp: ChargePoint,
    world: Option<World>,
    config: DriverConfig,
    scale: TimeScale,
    real: u64,
    now: Instant,
    link: Link,
    next_meter: Instant,
    next_ping: Option<u64>,
    pong_due: Option<u64>,
    trace: VecDeque<Traced>,
    out: VecDeque<Output>,
    next_token: u64,
    waiting_for: Option<u64>,
    last_error: Option<String>,
    /// The ids of the tester's own CALLs ([`Driver::send_raw`]) whose answers are theirs,
    /// not the engine's (the newest [`OWN_CALLS_KEPT`]).
    own_calls: VecDeque<String>,
    /// Expert mode's hold on the CSMS's CALLs.
    held: crate::held::Held,
}

/// How many of the tester's own CALLs wait for their answers at most.
const OWN_CALLS_KEPT: usize = 8;

impl Driver {
    /// A box just powered on at real time `real_ms` with the wall clock at `utc`.
    #[must_use]
    pub fn new(
        settings: Settings,
        world: Option<World>,
        config: DriverConfig,
        real_ms: u64,
        utc: DateTime,
    ) -> Self {
        Self::start(settings, None, world, config, real_ms, utc)
    }

    /// A box powered on again with the state it last persisted (see
    /// [`ChargePoint::restore`]); the world's present state (an EV still plugged in)
    /// is reported to it.
    #[must_use]
    pub fn restore(
        settings: Settings,
        state: DurableState,
        world: Option<World>,
        config: DriverConfig,
        real_ms: u64,
        utc: DateTime,
    ) -> Self {
        Self::start(settings, Some(state), world, config, real_ms, utc)
    }

    fn start(
        settings: Settings,
        state: Option<DurableState>,
        world: Option<World>,
        config: DriverConfig,
        real_ms: u64,
        utc: DateTime,
    ) -> Self {
        let mut scale = TimeScale::new(real_ms);
        scale.set_speed(real_ms, config.speed);
        let now = scale.now(real_ms);
        let mut cp = match state {
            Some(state) => ChargePoint::restore(settings, state, now),
            None => ChargePoint::new(settings, now),
        };
        cp.set_time_speed(config.speed);
        cp.set_wall_clock(now, utc);
        let mut d = Self {
            cp,
            world,
            config,
            scale,
            real: real_ms,
            now,
            link: Link::Idle,
            next_meter: now,
            next_ping: None,
            pong_due: None,
            trace: VecDeque::new(),
            out: VecDeque::new(),
            next_token: 0,
            waiting_for: None,
            last_error: None,
            own_calls: VecDeque::new(),
            held: crate::held::Held::default(),
        };
        if let Some(w) = &d.world {
            let reading = w.reading();
            let plugged = w.ev().is_some();
            d.cp.handle_hardware(now, HardwareEvent::Meter(reading));
            if plugged {
                d.cp.handle_hardware(now, HardwareEvent::EvPlugged);
            }
        }
        d.collect();
        d
    }

    // ---- getters -------------------------------------------------------------------

    /// The engine.
    #[must_use]
    pub fn cp(&self) -> &ChargePoint {
        &self.cp
    }

    /// The engine, for tests and tools that feed it directly; what it says is
    /// collected at the next input or [`Driver::flush`].
    pub fn cp_mut(&mut self) -> &mut ChargePoint {
        &mut self.cp
    }

    /// Collects what the engine has to say after it was fed through
    /// [`Driver::cp_mut`].
    pub fn flush(&mut self) {
        self.collect();
    }

    /// The emulated world, if the home has one.
    #[must_use]
    pub fn world(&self) -> Option<&World> {
        self.world.as_ref()
    }

    /// Engine time at the latest input.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Where the connection stands.
    #[must_use]
    pub fn link(&self) -> Link {
        self.link
    }

    /// Why the latest connection attempt failed or the link was lost.
    #[must_use]
    pub fn last_link_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// The latest frames both ways, oldest first.
    pub fn trace(&self) -> impl Iterator<Item = &Traced> {
        self.trace.iter()
    }

    /// The demo speed.
    #[must_use]
    pub fn speed(&self) -> u32 {
        self.scale.speed()
    }

    /// The state to write for an [`Output::Persist`].
    #[must_use]
    pub fn durable_state(&self) -> DurableState {
        self.cp.durable_state()
    }

    /// What the home chose.
    #[must_use]
    pub fn config(&self) -> &DriverConfig {
        &self.config
    }

    /// The engine, taking the driver apart.
    #[must_use]
    pub fn into_engine(self) -> ChargePoint {
        self.cp
    }

    /// The emulated world, to change it without telling the engine (a test setting the
    /// ambient temperature); plug and unplug through [`Driver::with_world`].
    pub fn world_mut(&mut self) -> Option<&mut World> {
        self.world.as_mut()
    }

    /// A meter reading every `ms` of engine time from now on.
    pub fn set_meter_period(&mut self, ms: u64) {
        self.config.meter.period_ms = ms.max(1);
    }

    /// The real time (home ms) at which engine instant `at` falls.
    #[must_use]
    pub fn real_at(&self, at: Instant) -> u64 {
        self.real + self.scale.real_delay(self.real, at)
    }

    // ---- inputs --------------------------------------------------------------------

    /// Time passed: the world, the meter, the connection schedule, pings and the
    /// engine's timers. Calling it early or twice is harmless.
    pub fn timeout(&mut self, real_ms: u64) {
        self.advance(real_ms);
        if let Link::Waiting(at) = self.link
            && at <= self.now
        {
            self.link = Link::Opening;
            self.out.push_back(Output::Open(alloc::boxed::Box::new(
                self.cp.connection_params(),
            )));
        }
        self.ping_policy();
        if self.cp.poll_timeout().is_some_and(|t| t <= self.now) {
            // A sample the engine takes now reads the meter of now, not of the cadence.
            self.fresh_reading();
            self.cp.handle_timeout(self.now);
        }
        self.collect();
    }

    /// The connection asked for with [`Output::Open`] is up.
    pub fn opened(&mut self, real_ms: u64) {
        self.advance(real_ms);
        if self.link == Link::Opening {
            self.link = Link::Open;
            self.last_error = None;
            self.pong_due = None;
            self.next_ping = self.ping_interval_ms().map(|i| self.real + i);
            self.cp.handle_connected(self.now);
        }
        self.collect();
    }

    /// The connection attempt failed; the engine schedules the next with backoff.
    pub fn open_failed(&mut self, real_ms: u64, reason: &str) {
        self.advance(real_ms);
        if self.link == Link::Opening {
            self.link = Link::Idle;
            self.last_error = Some(String::from(reason));
            self.cp.handle_disconnected(self.now);
        }
        self.collect();
    }

    /// The connection closed by itself (the CSMS closed it, it broke). A close the
    /// driver asked for with [`Output::Close`] is not reported.
    pub fn closed(&mut self, real_ms: u64, reason: &str) {
        self.advance(real_ms);
        if matches!(self.link, Link::Open | Link::Opening) {
            self.lose(reason);
        }
        self.collect();
    }

    /// A text frame from the CSMS.
    pub fn frame(&mut self, real_ms: u64, text: &str) {
        self.advance(real_ms);
        self.fresh_reading();
        if self.link == Link::Open {
            self.pong_due = None;
            self.record(false, text);
            if !self.answers_own_call(text) && !self.held.keep(self.now, text) {
                self.cp.handle_frame(self.now, text);
            }
        }
        self.collect();
    }

    /// Sends a frame of the tester's own as it is (expert mode: any CALL, a frame that
    /// breaks the schema or is no OCPP-J at all), traced as the box's. The answer to a
    /// CALL of theirs is traced and kept from the engine, which did not send that CALL
    /// (so it is no mistake of the CSMS). Refused while the link is not open.
    ///
    /// # Errors
    /// The reason it was not sent.
    pub fn send_raw(&mut self, real_ms: u64, text: &str) -> Result<(), &'static str> {
        self.advance(real_ms);
        if self.link != Link::Open {
            return Err("the box is not connected to its CSMS");
        }
        if let Ok(Frame::Call(call)) = frame::parse(text) {
            if self.own_calls.len() == OWN_CALLS_KEPT {
                self.own_calls.pop_front();
            }
            self.own_calls.push_back(call.id);
        }
        self.held.answered_by(text);
        self.record(true, text);
        self.out.push_back(Output::Send(String::from(text)));
        self.collect();
        Ok(())
    }

    /// Expert mode: holds the CSMS's CALLs from the engine (on), or lets the engine
    /// answer every CALL held, oldest first (off). A held CALL is answered with
    /// [`Driver::release_held`] (by the engine), with [`Driver::send_raw`] (by hand: a
    /// CALLRESULT or CALLERROR with its id) or not at all ([`Driver::drop_held`]); the
    /// hold keeps at most [`HELD_MAX`](crate::held::HELD_MAX), and a lost link voids it.
    pub fn hold_calls(&mut self, real_ms: u64, on: bool) {
        self.advance(real_ms);
        for call in self.held.set(on) {
            self.cp.handle_frame(self.now, &call.text);
        }
        self.collect();
    }

    /// Whether the CSMS's CALLs are being held.
    #[must_use]
    pub fn holding_calls(&self) -> bool {
        self.held.is_on()
    }

    /// The CALLs held, oldest first.
    pub fn held_calls(&self) -> impl Iterator<Item = &crate::held::HeldCall> {
        self.held.calls()
    }

    /// Lets the engine answer the held CALL `id` now (late, by as long as it was
    /// held); false if no CALL of that id is held.
    pub fn release_held(&mut self, real_ms: u64, id: &str) -> bool {
        self.advance(real_ms);
        let Some(call) = self.held.take(id) else {
            return false;
        };
        self.cp.handle_frame(self.now, &call.text);
        self.collect();
        true
    }

    /// Forgets the held CALL `id` unanswered (the CSMS's wait for it times out).
    pub fn drop_held(&mut self, id: &str) -> bool {
        self.held.take(id).is_some()
    }

    /// Whether `text` answers one of the tester's own CALLs (and so is theirs).
    fn answers_own_call(&mut self, text: &str) -> bool {
        if self.own_calls.is_empty() {
            return false;
        }
        let Ok(Frame::CallResult(CallResult { id, .. }) | Frame::CallError(CallError { id, .. })) =
            frame::parse(text)
        else {
            return false;
        };
        let Some(i) = self.own_calls.iter().position(|own| *own == id) else {
            return false;
        };
        self.own_calls.remove(i);
        true
    }

    /// The answer to a WebSocket ping (or any sign of life of the link).
    pub fn pong(&mut self, real_ms: u64) {
        self.advance(real_ms);
        self.pong_due = None;
        self.collect();
    }

    /// Hardware events the home read (a real plug detect, a card reader).
    pub fn hardware(&mut self, real_ms: u64, events: Vec<HardwareEvent>) {
        self.advance(real_ms);
        self.fresh_reading();
        for e in events {
            self.cp.handle_hardware(self.now, e);
        }
        self.collect();
    }

    /// Changes the emulated world (plug, unplug, pause) and reports what it caused.
    pub fn with_world(
        &mut self,
        real_ms: u64,
        change: impl FnOnce(&mut World) -> Vec<HardwareEvent>,
    ) {
        self.advance(real_ms);
        self.fresh_reading();
        let events = self.world.as_mut().map(change).unwrap_or_default();
        let plugged = self.world.as_ref().is_some_and(|w| w.ev().is_some());
        for e in events {
            self.cp.handle_hardware(self.now, e);
        }
        if plugged {
            self.next_meter = self.next_meter.min(self.now);
        }
        self.collect();
    }

    /// The state with this token is written (`Err`: it could not be; the reason is
    /// reported and the box goes on, as a real one with a failing flash would).
    pub fn persisted(&mut self, token: u64, result: Result<(), String>) {
        if self.waiting_for == Some(token) {
            self.waiting_for = None;
        }
        if let Err(e) = result {
            self.out
                .push_front(Output::Event(Event::Warning(alloc::format!(
                    "could not write the durable state: {e}"
                ))));
        }
    }

    /// How a job given with [`Output::Job`] goes.
    pub fn job(&mut self, real_ms: u64, id: u32, update: crate::jobs::JobUpdate) {
        self.advance(real_ms);
        self.cp.handle_job(self.now, id, update);
        self.collect();
    }

    /// More entropy from the home.
    pub fn entropy(&mut self, bytes: &[u8]) {
        self.cp.add_entropy(bytes);
    }

    /// Changes the demo speed from real time `real_ms` on.
    pub fn set_speed(&mut self, real_ms: u64, speed: u32) {
        self.advance(real_ms);
        self.scale.set_speed(self.real, speed);
        self.cp.set_time_speed(speed);
        self.config.speed = speed.max(1);
        self.collect();
    }

    /// The RTC (or the host) says UTC is `utc` now.
    pub fn set_wall_clock(&mut self, real_ms: u64, utc: DateTime) {
        self.advance(real_ms);
        self.cp.set_wall_clock(self.now, utc);
        self.collect();
    }

    /// Drops the link now (a tester pulling the cable): closed, the engine told.
    pub fn drop_link(&mut self, real_ms: u64) {
        self.advance(real_ms);
        if matches!(self.link, Link::Open | Link::Opening) {
            self.out.push_back(Output::Close);
            self.lose("dropped on request");
        }
        self.collect();
    }

    // ---- outputs -------------------------------------------------------------------

    /// The next thing to do, in order; `None` when there is nothing, or while a
    /// [`Output::Persist`] waits for [`Driver::persisted`].
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        if self.waiting_for.is_some() {
            return None;
        }
        let mut next = self.out.pop_front()?;
        if self.out.is_empty() && self.out.capacity() > 4 {
            // A burst (a boot, a restore) leaves no large buffer behind in each of
            // thousands of charge points.
            self.out.shrink_to(4);
        }
        match &mut next {
            Output::Persist(p) => self.waiting_for = Some(p.token),
            // The parameters as the box's configuration stands when the home takes
            // them (a home that configures the engine right after starting the driver,
            // before taking anything, connects with what it configured).
            Output::Open(params) => **params = self.cp.connection_params(),
            _ => {}
        }
        Some(next)
    }

    /// When to call [`Driver::timeout`] next, in the home's real ms.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        let mut at: Option<Instant> = self.cp.poll_timeout();
        let mut consider = |t: Instant| at = Some(at.map_or(t, |a| a.min(t)));
        if let Link::Waiting(t) = self.link {
            consider(t);
        }
        if self.meter_wanted() {
            consider(self.next_meter);
        }
        if let Some(ms) = self.world.as_ref().and_then(World::next_change_ms) {
            consider(self.now + ms);
        }
        let mut real = at.map(|t| self.real_at(t));
        for t in [self.next_ping, self.pong_due].into_iter().flatten() {
            real = Some(real.map_or(t, |r| r.min(t)));
        }
        real
    }

    // ---- internals -----------------------------------------------------------------

    /// Moves engine time to real time `real_ms` and lets the world catch up.
    fn advance(&mut self, real_ms: u64) {
        self.real = self.real.max(real_ms);
        let mut now = self.scale.now(self.real).max(self.now);
        if let Some(step) = self.config.max_step_ms {
            now = now.min(self.now + step);
        }
        let dt = now.millis_since(self.now);
        self.now = now;
        let Some(world) = self.world.as_mut() else {
            return;
        };
        if dt > 0 {
            for e in world.advance(dt) {
                self.cp.handle_hardware(now, e);
            }
        }
        if self.meter_wanted() && self.next_meter <= now {
            let reading = self.world.as_ref().map(World::reading).unwrap_or_default();
            let cadence = self.config.meter;
            let step = cadence.period_ms.max(
                cadence
                    .min_real_ms
                    .saturating_mul(u64::from(self.scale.speed())),
            );
            self.next_meter = now + step.max(1);
            self.cp.handle_hardware(now, HardwareEvent::Meter(reading));
        }
    }

    /// The world's reading now, when the cadence asks for one at every input and the
    /// world moved since the last.
    fn fresh_reading(&mut self) {
        if !self.config.meter.fresh_on_input {
            return;
        }
        if let Some(reading) = self.world.as_ref().map(World::reading)
            && reading != *self.cp.reading()
        {
            self.cp
                .handle_hardware(self.now, HardwareEvent::Meter(reading));
        }
    }

    fn meter_wanted(&self) -> bool {
        self.world
            .as_ref()
            .is_some_and(|w| self.config.meter.while_idle || w.ev().is_some())
    }

    fn ping_interval_ms(&self) -> Option<u64> {
        if !self.config.pings {
            return None;
        }
        let secs = u64::try_from(self.cp.configuration().int(Key::WebSocketPingInterval)).ok()?;
        (secs > 0).then(|| secs.saturating_mul(1_000))
    }

    fn ping_policy(&mut self) {
        if self.link != Link::Open {
            return;
        }
        if self.pong_due.is_some_and(|t| t <= self.real) {
            self.out.push_back(Output::Close);
            self.lose("no answer to a WebSocket ping");
            return;
        }
        if self.next_ping.is_some_and(|t| t <= self.real) {
            self.out.push_back(Output::Ping);
            let interval = self.ping_interval_ms();
            self.next_ping = interval.map(|i| self.real + i);
            self.pong_due = interval.map(|i| self.real + i);
        }
    }

    fn lose(&mut self, reason: &str) {
        self.link = Link::Idle;
        self.next_ping = None;
        self.pong_due = None;
        self.last_error = Some(String::from(reason));
        // An answer on the next connection is not to a CALL of this one.
        self.own_calls.clear();
        self.held.clear();
        self.cp.handle_disconnected(self.now);
    }

    fn record(&mut self, from_cp: bool, text: &str) {
        if self.config.trace_capacity == 0 {
            return;
        }
        let text = redact(text);
        if self.trace.len() >= self.config.trace_capacity {
            self.trace.pop_front();
        }
        self.trace.push_back(Traced {
            at: self.now,
            from_cp,
            text,
        });
    }

    /// A diagnostics upload (GetDiagnostics, GetLog DiagnosticsLog) carries the trace's
    /// frames of its window (redacted).
    fn append_frames(&self, job: &mut crate::jobs::Job) {
        use core::fmt::Write;
        let crate::jobs::JobKind::Upload { content, .. } = &mut job.kind else {
            return;
        };
        let Some((start, stop)) = self.cp.frames_window(job.id) else {
            return;
        };
        content.push_str("\n[frames]\n");
        if self.config.trace_capacity == 0 {
            content.push_str("(this home keeps no frame trace)\n");
        }
        for t in &self.trace {
            let at = self.cp.wall_clock(t.at);
            if start.is_none_or(|s| at >= s) && stop.is_none_or(|s| at <= s) {
                let dir = if t.from_cp { ">>" } else { "<<" };
                let _ = writeln!(content, "{at} {dir} {}", t.text);
            }
        }
    }

    /// Moves everything the engine has to say into the ordered output.
    fn collect(&mut self) {
        if self.cp.poll_persist() {
            self.next_token += 1;
            self.out.push_back(Output::Persist(Persist {
                token: self.next_token,
            }));
        }
        while let Some(text) = self.cp.poll_transmit() {
            if self.link == Link::Open {
                self.record(true, &text);
                self.out.push_back(Output::Send(text));
            } else {
                self.out
                    .push_back(Output::Event(Event::Warning(alloc::format!(
                        "a frame was dropped: no connection ({})",
                        redact(&text)
                    ))));
            }
        }
        while let Some(command) = self.cp.poll_command() {
            match command {
                Command::Connect { after_ms } => {
                    if !matches!(self.link, Link::Open | Link::Opening) {
                        self.link = Link::Waiting(self.now + after_ms);
                        self.out
                            .push_back(Output::Event(Event::ConnectionScheduled { after_ms }));
                    }
                }
                Command::Disconnect => {
                    if matches!(self.link, Link::Open | Link::Opening) {
                        self.out.push_back(Output::Close);
                    }
                    self.link = Link::Idle;
                    self.next_ping = None;
                    self.pong_due = None;
                }
                Command::StartJob(mut job) => {
                    self.append_frames(&mut job);
                    self.out.push_back(Output::Job(job));
                }
                other => {
                    if let Some(w) = self.world.as_mut() {
                        w.apply(&other);
                    }
                    self.out.push_back(Output::Hardware(other));
                }
            }
        }
        while let Some(event) = self.cp.poll_event() {
            self.out.push_back(Output::Event(event));
        }
        if let Link::Waiting(at) = self.link
            && at <= self.now
        {
            self.link = Link::Opening;
            self.out.push_back(Output::Open(alloc::boxed::Box::new(
                self.cp.connection_params(),
            )));
        }
    }
}
