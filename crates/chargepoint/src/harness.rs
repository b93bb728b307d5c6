//! A deterministic test harness: the engine, the emulated world and a scripted CSMS
//! stepping against each other in virtual time, so that an hour of charging runs in
//! milliseconds. Every frame the engine sends is checked against the OCPP 1.6 schemas
//! (through `ocpp16`'s strict decoders); breaches are collected in
//! [`Csms::violations`].
//!
//! It is part of the library (not only of its tests) so that every crate's tests and
//! benchmarks can drive a charge point the same way.

use alloc::{format, string::String, vec::Vec};
use ocpp16::{
    Action, DateTime, ErrorCode, Frame, Request, Response, Side, decode_call,
    frame::{self, encode_call_error, encode_raw_call, encode_raw_call_result},
    messages::*,
};
use serde_json::Value;

use crate::{
    engine::{ChargePoint, Settings},
    io::{Command, Event, HardwareEvent},
    time::Instant,
    world::{EvSpec, World},
};

/// One frame on the wire, as the harness saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Traced {
    /// When it was sent.
    pub at: Instant,
    /// `true` when the charge point sent it.
    pub from_cp: bool,
    /// The text.
    pub text: String,
}

/// How the scripted CSMS answers.
#[derive(Debug, Clone, PartialEq)]
pub struct CsmsScript {
    /// BootNotification status.
    pub boot_status: RegistrationStatus,
    /// BootNotification interval (s).
    pub boot_interval: i32,
    /// idTags answered `Invalid` (everything else is `Accepted`), for Authorize and
    /// StartTransaction alike.
    pub invalid_tags: Vec<String>,
    /// idTags answered `Blocked`.
    pub blocked_tags: Vec<String>,
    /// The answer for every other idTag (`Accepted` unless a test or a trainer says so).
    pub other_tags: AuthorizationStatus,
    /// (idTag, parentIdTag): the group each idTag belongs to.
    pub parents: Vec<(String, String)>,
    /// The expiry date given with every accepted idTag.
    pub expiry: Option<DateTime>,
    /// Answer CALLs at all (false: the CSMS swallows them, the engine times out).
    pub answer: bool,
    /// Answer CALLs of these actions with a CALLERROR instead.
    pub call_error_for: Vec<Action>,
    /// Delay before each answer, in ms.
    pub delay_ms: u64,
}

impl Default for CsmsScript {
    fn default() -> Self {
        Self {
            boot_status: RegistrationStatus::Accepted,
            boot_interval: 300,
            invalid_tags: Vec::new(),
            blocked_tags: Vec::new(),
            other_tags: AuthorizationStatus::Accepted,
            parents: Vec::new(),
            expiry: None,
            answer: true,
            call_error_for: Vec::new(),
            delay_ms: 0,
        }
    }
}

/// The scripted CSMS.
#[derive(Debug, Clone, Default)]
pub struct Csms {
    /// How it answers.
    pub script: CsmsScript,
    /// Every CALL the charge point sent, decoded, with the time it arrived.
    pub received: Vec<(Instant, Request)>,
    /// Answers the charge point gave to the CSMS's own CALLs: (id, frame).
    pub answers: Vec<(String, Frame)>,
    /// Frames from the charge point that broke the OCPP 1.6 schemas or framing.
    pub violations: Vec<String>,
    next_transaction_id: i32,
    next_call_id: u32,
    /// The CSMS's own CALLs in flight: id → action.
    calls: Vec<(String, Action)>,
    /// Answers waiting for their delay: (due, text).
    delayed: Vec<(Instant, String)>,
    /// The charge point's CALL waiting for our answer: (id, sent at).
    cp_call: Option<(String, Instant)>,
    /// Transactions started: the request and the id given, so that a StartTransaction
    /// sent again after a crash (its answer lost with the power) gets the same id, as a
    /// CSMS that recognises a repeated message answers.
    starts: Vec<(StartTransactionRequest, i32)>,
    /// The engine's call timeout, to tell a timed-out CALL from a second one in flight.
    call_timeout_ms: u64,
}

impl Csms {
    /// The requests of one action the charge point sent, in order.
    #[must_use]
    pub fn sent(&self, action: Action) -> Vec<&Request> {
        self.received
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.action() == action)
            .collect()
    }

    fn id_tag_info(&self, tag: &str) -> IdTagInfo {
        let status = if self
            .script
            .invalid_tags
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tag))
        {
            AuthorizationStatus::Invalid
        } else if self
            .script
            .blocked_tags
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tag))
        {
            AuthorizationStatus::Blocked
        } else {
            self.script.other_tags
        };
        let parent = self
            .script
            .parents
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(tag));
        IdTagInfo {
            expiry_date: self
                .script
                .expiry
                .filter(|_| status == AuthorizationStatus::Accepted),
            parent_id_tag: parent.and_then(|(_, p)| ocpp16::CiString20::new(p.as_str()).ok()),
            status,
        }
    }

    /// Reads a frame from the charge point; returns the answer to send back, if any.
    fn receive(&mut self, now: Instant, wall: DateTime, text: &str) -> Option<String> {
        let parsed = match frame::parse(text) {
            Ok(f) => f,
            Err(e) => {
                self.violations
                    .push(format!("unparsable frame {text}: {e}"));
                return None;
            }
        };
        match parsed {
            Frame::Call(call) => {
                let request = match decode_call(Side::Csms, &call.action, &call.payload) {
                    Ok(r) => r,
                    Err(e) => {
                        self.violations.push(format!("{text}: {e}"));
                        return Some(encode_call_error(&call.id, e.code, &e.description));
                    }
                };
                if let Some((previous, since)) = &self.cp_call
                    && now.millis_since(*since) < self.call_timeout_ms
                {
                    self.violations.push(format!(
                        "second CALL {text} while CALL {previous} waits for its answer"
                    ));
                }
                self.cp_call = Some((call.id.clone(), now));
                self.received.push((now, request.clone()));
                if !self.script.answer {
                    return None;
                }
                if self.script.call_error_for.contains(&request.action()) {
                    return Some(encode_call_error(
                        &call.id,
                        ErrorCode::InternalError,
                        "scripted",
                    ));
                }
                let response = self.respond(wall, &request);
                Some(frame::encode_call_result(&call.id, &response))
            }
            Frame::CallResult(result) => {
                self.check_answer(
                    &result.id,
                    |action| Response::decode(action, &result.payload).map(|_| ()),
                    text,
                );
                self.answers
                    .push((result.id.clone(), Frame::CallResult(result)));
                None
            }
            Frame::CallError(error) => {
                if error.error_code().is_none() {
                    self.violations
                        .push(format!("not an OCPP 1.6 error code: {text}"));
                }
                self.calls.retain(|(id, _)| *id != error.id);
                self.answers
                    .push((error.id.clone(), Frame::CallError(error)));
                None
            }
        }
    }

    fn check_answer(
        &mut self,
        id: &str,
        decode: impl FnOnce(Action) -> Result<(), ocpp16::WireError>,
        text: &str,
    ) {
        let Some(pos) = self.calls.iter().position(|(call_id, _)| call_id == id) else {
            self.violations
                .push(format!("answer to no CALL of ours: {text}"));
            return;
        };
        let (_, action) = self.calls.remove(pos);
        if let Err(e) = decode(action) {
            self.violations.push(format!("{text}: {e}"));
        }
    }

    fn respond(&mut self, wall: DateTime, request: &Request) -> Response {
        match request {
            Request::BootNotification(_) => BootNotificationResponse {
                status: self.script.boot_status,
                current_time: wall,
                interval: self.script.boot_interval,
            }
            .into(),
            Request::Heartbeat(_) => HeartbeatResponse { current_time: wall }.into(),
            Request::Authorize(r) => AuthorizeResponse {
                id_tag_info: self.id_tag_info(&r.id_tag),
            }
            .into(),
            Request::StartTransaction(r) => {
                let known = self.starts.iter().find(|(s, _)| s == r).map(|(_, id)| *id);
                let transaction_id = known.unwrap_or_else(|| {
                    self.next_transaction_id += 1;
                    self.starts.push((r.clone(), self.next_transaction_id));
                    self.next_transaction_id
                });
                StartTransactionResponse {
                    id_tag_info: self.id_tag_info(&r.id_tag),
                    transaction_id,
                }
                .into()
            }
            Request::StopTransaction(_) => StopTransactionResponse { id_tag_info: None }.into(),
            Request::StatusNotification(_) => StatusNotificationResponse {}.into(),
            Request::MeterValues(_) => MeterValuesResponse {}.into(),
            Request::DataTransfer(_) => DataTransferResponse {
                status: DataTransferStatus::UnknownVendorId,
                data: None,
            }
            .into(),
            Request::DiagnosticsStatusNotification(_) => {
                DiagnosticsStatusNotificationResponse {}.into()
            }
            Request::FirmwareStatusNotification(_) => FirmwareStatusNotificationResponse {}.into(),
            Request::LogStatusNotification(_) => LogStatusNotificationResponse {}.into(),
            Request::SecurityEventNotification(_) => SecurityEventNotificationResponse {}.into(),
            Request::SignCertificate(_) => SignCertificateResponse {
                status: GenericStatus::Accepted,
            }
            .into(),
            Request::SignedFirmwareStatusNotification(_) => {
                SignedFirmwareStatusNotificationResponse {}.into()
            }
            // decode_call refuses CSMS-to-charge-point actions before this point.
            other => {
                self.violations.push(format!(
                    "{:?} is not sent by a charge point",
                    other.action()
                ));
                HeartbeatResponse { current_time: wall }.into()
            }
        }
    }
}

/// The engine, the world and the CSMS in one deterministic loop.
#[derive(Debug, Clone)]
pub struct Harness {
    /// The engine under test.
    pub cp: ChargePoint,
    /// Virtual time.
    pub now: Instant,
    /// The emulated hardware.
    pub world: World,
    /// The scripted CSMS.
    pub csms: Csms,
    /// Whether the CSMS can be reached: when false, connection attempts fail.
    pub reachable: bool,
    /// Every frame both ways.
    pub trace: Vec<Traced>,
    /// Every command the engine gave.
    pub commands: Vec<(Instant, Command)>,
    /// Every event the engine reported.
    pub events: Vec<(Instant, Event)>,
    /// How often the world reports a meter reading, in ms.
    pub meter_period_ms: u64,
    /// The durable state as last persisted (JSON), as a home would hold it.
    pub persisted: Option<String>,
    /// How many times the engine asked for its state to be persisted.
    pub persist_count: u64,
    connected: bool,
    connect_at: Option<Instant>,
    next_meter: Instant,
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
        let now = Instant::ZERO;
        let call_timeout_ms = settings.call_timeout_ms;
        let mut cp = ChargePoint::new(settings, now);
        cp.set_wall_clock(now, epoch);
        let mut h = Self {
            cp,
            now,
            world: World::default(),
            csms: Csms {
                call_timeout_ms,
                ..Csms::default()
            },
            reachable: true,
            trace: Vec::new(),
            commands: Vec::new(),
            events: Vec::new(),
            meter_period_ms: 1_000,
            persisted: None,
            persist_count: 0,
            connected: false,
            connect_at: None,
            next_meter: now,
            epoch,
        };
        h.drain();
        h
    }

    /// The CSMS's clock (the same as the harness's wall clock).
    #[must_use]
    pub fn wall(&self) -> DateTime {
        self.epoch
            .add_millis(i64::try_from(self.now.as_millis()).unwrap_or(i64::MAX))
    }

    /// Delivers everything the engine wants to say, until it is quiet.
    pub fn drain(&mut self) {
        loop {
            let mut progressed = false;
            // Persist first: no frame leaves before the state it depends on is stored.
            if self.cp.poll_persist() {
                self.persisted = Some(self.cp.durable_state().to_json());
                self.persist_count += 1;
            }
            while let Some(text) = self.cp.poll_transmit() {
                progressed = true;
                self.trace.push(Traced {
                    at: self.now,
                    from_cp: true,
                    text: text.clone(),
                });
                if !self.connected {
                    self.csms
                        .violations
                        .push(format!("frame sent while disconnected: {text}"));
                    continue;
                }
                let wall = self.wall();
                if let Some(answer) = self.csms.receive(self.now, wall, &text) {
                    let due = self.now + self.csms.script.delay_ms;
                    self.csms.delayed.push((due, answer));
                }
            }
            while let Some(command) = self.cp.poll_command() {
                progressed = true;
                self.apply(&command);
                self.commands.push((self.now, command));
            }
            while let Some(event) = self.cp.poll_event() {
                self.events.push((self.now, event));
            }
            progressed |= self.deliver_due();
            if !progressed {
                break;
            }
        }
    }

    fn apply(&mut self, command: &Command) {
        match command {
            Command::Connect { after_ms } => self.connect_at = Some(self.now + *after_ms),
            Command::Disconnect => {
                self.connected = false;
                self.csms.delayed.clear();
                self.csms.cp_call = None;
            }
            other => self.world.apply(other),
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
            if let Some((id, _)) = &self.csms.cp_call
                && frame::parse(&text).is_ok_and(|f| f.id() == id)
            {
                self.csms.cp_call = None;
            }
            if self.connected {
                self.trace.push(Traced {
                    at: now,
                    from_cp: false,
                    text: text.clone(),
                });
                self.cp.handle_frame(now, &text);
            }
        }
        any
    }

    /// The next moment something happens.
    fn next_deadline(&self) -> Instant {
        let mut next = self.next_meter;
        for t in [self.cp.poll_timeout(), self.connect_at]
            .into_iter()
            .flatten()
        {
            next = next.min(t);
        }
        for (at, _) in &self.csms.delayed {
            next = next.min(*at);
        }
        next
    }

    /// Runs until virtual time `until`.
    pub fn run_until_time(&mut self, until: Instant) {
        self.drain();
        loop {
            let next = self.next_deadline().max(self.now);
            if next > until {
                self.advance_world(until);
                break;
            }
            self.advance_world(next);
            if self.connect_at.is_some_and(|at| at <= self.now) {
                self.connect_at = None;
                if self.reachable {
                    self.connected = true;
                    self.cp.handle_connected(self.now);
                } else {
                    self.cp.handle_disconnected(self.now);
                }
            }
            if self.next_meter <= self.now {
                self.next_meter = self.now + self.meter_period_ms;
                let reading = self.world.reading();
                self.cp
                    .handle_hardware(self.now, HardwareEvent::Meter(reading));
            }
            if self.cp.poll_timeout().is_some_and(|t| t <= self.now) {
                self.cp.handle_timeout(self.now);
            }
            self.drain();
        }
        self.drain();
    }

    /// Runs for `ms` of virtual time.
    pub fn run_for(&mut self, ms: u64) {
        self.run_until_time(self.now + ms);
    }

    fn advance_world(&mut self, to: Instant) {
        let dt = to.millis_since(self.now);
        self.now = to;
        if dt > 0 {
            for event in self.world.advance(dt) {
                self.cp.handle_hardware(self.now, event);
            }
        }
    }

    /// Feeds hardware events (from the world's plug / unplug / pause) to the engine.
    pub fn hardware(&mut self, events: Vec<HardwareEvent>) {
        for event in events {
            self.cp.handle_hardware(self.now, event);
        }
        self.drain();
    }

    /// Plugs in an EV.
    pub fn plug(&mut self, ev: EvSpec) {
        let events = self.world.plug(ev);
        self.hardware(events);
    }

    /// Unplugs the EV.
    pub fn unplug(&mut self) {
        let events = self.world.unplug();
        self.hardware(events);
    }

    /// Taps a card.
    pub fn tap(&mut self, tag: &str) {
        self.hardware(alloc::vec![HardwareEvent::RfidTap(String::from(tag))]);
    }

    /// Power cut: the engine and everything it held in RAM are gone, the connection
    /// with them. A new engine starts from the last persisted state (or from defaults
    /// when nothing was persisted) and is told what the hardware reads now.
    pub fn crash_and_restore(&mut self) {
        let settings = self.cp.settings().clone();
        self.connected = false;
        self.connect_at = None;
        self.csms.delayed.clear();
        self.csms.cp_call = None;
        // The relay drops with the power, and booting takes a few seconds.
        self.world.apply(&Command::SetRelay {
            closed: false,
            offered_ma: 0,
        });
        self.advance_world(self.now + 3_000);
        let stored = self
            .persisted
            .as_deref()
            .map(crate::durable::DurableState::from_json);
        self.cp = match stored {
            Some(Ok(state)) => ChargePoint::restore(settings, state, self.now),
            Some(Err(e)) => {
                self.csms
                    .violations
                    .push(format!("persisted state refused: {e}"));
                ChargePoint::new(settings, self.now)
            }
            None => ChargePoint::new(settings, self.now),
        };
        let wall = self.wall();
        self.cp.set_wall_clock(self.now, wall);
        let reading = self.world.reading();
        self.cp
            .handle_hardware(self.now, HardwareEvent::Meter(reading));
        if self.world.ev().is_some() {
            self.cp.handle_hardware(self.now, HardwareEvent::EvPlugged);
        }
        self.drain();
    }

    /// Drops the connection (the CSMS stays reachable unless `reachable` is cleared).
    pub fn drop_connection(&mut self) {
        if self.connected {
            self.connected = false;
            self.csms.delayed.clear();
            self.csms.cp_call = None;
            self.cp.handle_disconnected(self.now);
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
        self.csms.next_call_id += 1;
        let id = format!("csms-{}", self.csms.next_call_id);
        if let Some(known) = Action::from_name(action) {
            self.csms.calls.push((id.clone(), known));
        }
        let text = encode_raw_call(&id, action, &payload);
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
        self.cp.handle_frame(self.now, text);
        self.drain();
    }

    /// A CALLRESULT the CSMS sends for any id (for late or unknown answers).
    pub fn send_result(&mut self, id: &str, payload: &Value) {
        let text = encode_raw_call_result(id, payload);
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
