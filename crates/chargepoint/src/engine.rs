//! The charge point: state, the `handle_*` inputs and the `poll_*` outputs.

use alloc::{collections::VecDeque, string::String};
use ocpp16::{
    Action, DateTime, ErrorCode, Frame, Request, WireError,
    frame::{self, encode_call_error, encode_call_payload, encode_call_result_payload},
    messages::{BootNotificationRequest, ChangeConfigurationRequest, RegistrationStatus},
};

use crate::{
    config::Configuration,
    connector::Connector,
    interface::{Command, Event, HardwareEvent, Led, MeterReading},
    model::{Identity, Limits, Variant},
    session::{DEFAULT_CALL_TIMEOUT_MS, Purpose, Session},
    time::{Instant, secs},
    timers::{Timer, Timers},
};

/// What the home tells the engine once, at creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Vendor, model, serial number (the charge point id), firmware version.
    pub identity: Identity,
    /// Tethered cable or socket with a cable lock.
    pub variant: Variant,
    /// The limits of the product.
    pub limits: Limits,
    /// The installation's maximum current per phase in mA (the box offers at most this).
    pub max_current_ma: u32,
    /// How long to wait for the CSMS to answer a CALL.
    pub call_timeout_ms: u64,
    /// Report every frame in and out as [`Event::Frame`] (a trace for people).
    pub trace_frames: bool,
    /// Entropy from the home (a hardware RNG, the OS, `crypto.getRandomValues`): it
    /// seeds the engine's own generator (reconnect jitter, message id prefixes), which
    /// the engine keeps apart from the settings. [`Settings::new`] derives a fixed value
    /// from the serial for deterministic tests; a home sets a random one.
    pub seed: u64,
    /// The CSMS's URL as configured at the box (`ws://` or `wss://`, ending with `/`);
    /// the charge point id is appended to it at every connection
    /// ([`ChargePoint::connection_params`]).
    pub csms_url: String,
    /// Lines the engine's event log keeps (what GetDiagnostics uploads); the oldest go
    /// first. [`crate::log::DEFAULT_CAPACITY`] unless the home chooses.
    pub log_capacity: usize,
    /// Lines the security log keeps (durable; what GetLog SecurityLog uploads).
    /// [`crate::security::DEFAULT_LOG_CAPACITY`] unless the home chooses.
    pub security_log_capacity: usize,
}

impl Settings {
    /// Settings of a Teltonika EVC with charge point id `serial`.
    #[must_use]
    pub fn new(serial: &str, variant: Variant) -> Self {
        Self {
            identity: Identity::new(serial),
            variant,
            limits: Limits::TELTONIKA,
            max_current_ma: 32_000,
            call_timeout_ms: DEFAULT_CALL_TIMEOUT_MS,
            trace_frames: true,
            seed: serial.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            }),
            csms_url: String::new(),
            log_capacity: crate::log::DEFAULT_CAPACITY,
            security_log_capacity: crate::security::DEFAULT_LOG_CAPACITY,
        }
    }
}

/// A frame as traces may show it: a ChangeConfiguration of the write-only
/// AuthorizationKey has its value replaced, so the key never reaches a trace or a log,
/// and so has the password of a URL in it (an FTP location's).
#[must_use]
pub fn redact(text: &str) -> String {
    if crate::text::contains(text, "://") {
        return redact_key(&crate::log::redact_url_passwords(text));
    }
    redact_key(text)
}

fn redact_key(text: &str) -> String {
    if !crate::text::contains(text, "AuthorizationKey") {
        return String::from(text);
    }
    match frame::parse(text) {
        Ok(Frame::Call(call)) if call.action == "ChangeConfiguration" => {
            let redacted = ocpp16::decode_message::<ChangeConfigurationRequest>(&call.payload)
                .ok()
                .and_then(|mut p| {
                    p.value = ocpp16::CiString500::new(String::from("(redacted)")).ok()?;
                    let payload = ocpp16::codec::encode(&p);
                    Some(encode_call_payload(
                        &call.id,
                        Action::ChangeConfiguration,
                        &payload,
                    ))
                });
            redacted.unwrap_or_else(|| {
                String::from("(a ChangeConfiguration of AuthorizationKey, redacted)")
            })
        }
        _ => String::from(text),
    }
}

/// Where the registration with the CSMS stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// No BootNotification answered yet.
    Unknown,
    /// The CSMS answered Pending: only BootNotification may be sent.
    Pending,
    /// Accepted: normal operation.
    Accepted,
    /// Rejected: BootNotification again after the interval; CSMS requests are not answered.
    Rejected,
}

/// The Teltonika EVC charge point engine. See the crate docs for the contract.
#[derive(Debug, Clone)]
pub struct ChargePoint {
    pub(crate) settings: Settings,
    pub(crate) config: Configuration,
    pub(crate) local_list: crate::id_tags::LocalList,
    pub(crate) cache: crate::id_tags::AuthCache,
    /// The installed charging profiles.
    pub(crate) smart: crate::smart::ChargingProfiles,
    /// The TxProfile of a RemoteStartTransaction, installed when its idTag's
    /// transaction starts.
    /// Boxed: it is rare, and a fleet holds thousands of engines.
    pub(crate) remote_profile:
        Option<alloc::boxed::Box<(ocpp16::CiString20, ocpp16::messages::ChargingProfile)>>,
    /// The durable state changed since the home last took it.
    pub(crate) dirty: bool,
    pub(crate) registration: Registration,
    pub(crate) session: Session,
    pub(crate) timers: Timers,
    pub(crate) connector: Connector,
    /// Availability of the charge point as a whole (connector 0).
    pub(crate) cp_operative: bool,
    pub(crate) cp_reported: Option<ocpp16::messages::ChargePointStatus>,
    pub(crate) reading: MeterReading,
    /// Wall clock anchor: (monotonic instant, UTC at that instant).
    pub(crate) wall: (Instant, DateTime),
    /// The `now` of the latest input.
    pub(crate) last_input: Instant,
    pub(crate) heartbeat_ms: u64,
    pub(crate) next_local_tx: u32,
    /// CSMS transaction ids of ended transactions whose StopTransaction is not delivered.
    pub(crate) finished_ids: alloc::vec::Vec<(u32, i32)>,
    /// A ChangeAvailability of connector 0 waiting for the transaction to end.
    pub(crate) cp_scheduled_inoperative: Option<bool>,
    /// Reset requested and not yet carried out (`true` = hard).
    pub(crate) reset: Option<bool>,
    pub(crate) reconnect_attempts: u32,
    /// The engine's random generator, seeded from the home's entropy.
    pub(crate) rng: crate::entropy::Rng,
    /// The demo speed the home runs engine time at (1 = real time).
    pub(crate) speed: u32,
    /// Long work handed to the home.
    pub(crate) jobs: crate::jobs::Jobs,
    /// The firmware update (durable) and the version an update installed.
    pub(crate) firmware: crate::firmware::Firmware,
    /// The diagnostics upload in progress.
    pub(crate) diagnostics: crate::firmware::Diagnostics,
    /// The event log GetDiagnostics uploads.
    pub(crate) log: crate::log::EventLog,
    /// The Security extension: security log, profile fallback, GetLog, certificates.
    pub(crate) security: crate::security::Security,
    /// A power-on whose StartupOfTheDevice waits for the wall clock (the home sets it
    /// right after creating the engine) or the first connection.
    pub(crate) startup_pending: bool,
    /// Power-ons and reboots over the life of the box (durable): mixed into the message
    /// id prefix, so ids differ after a restart even if the home's entropy did not.
    pub(crate) boots: u64,
    pub(crate) led: Option<Led>,
    pub(crate) relay: Option<(bool, u32)>,
    pub(crate) transmit: VecDeque<String>,
    pub(crate) commands: VecDeque<Command>,
    pub(crate) events: VecDeque<Event>,
    /// What a handler found senseless in the request it is answering (see
    /// [`crate::mistakes`]).
    pub(crate) senseless: Option<String>,
}

impl ChargePoint {
    /// A charge point that has just been powered on. Its first command asks the home to
    /// connect to the CSMS.
    #[must_use]
    pub fn new(settings: Settings, now: Instant) -> Self {
        let mut cp = Self::powered(settings, now);
        cp.started_up();
        cp
    }

    /// Powered on, before the security event of the startup.
    fn powered(settings: Settings, now: Instant) -> Self {
        let settings_seed = settings.seed;
        let security = crate::security::Security::new(settings.security_log_capacity);
        let config = Configuration::for_limits(&settings.limits);
        let log = crate::log::EventLog::new(settings.log_capacity);
        let mut cp = Self {
            settings,
            config,
            local_list: crate::id_tags::LocalList::default(),
            cache: crate::id_tags::AuthCache::default(),
            smart: crate::smart::ChargingProfiles::default(),
            remote_profile: None,
            dirty: false,
            registration: Registration::Unknown,
            session: Session::default(),
            timers: Timers::default(),
            connector: Connector::default(),
            cp_operative: true,
            cp_reported: None,
            reading: MeterReading::default(),
            wall: (now, DateTime::UNIX_EPOCH),
            last_input: now,
            heartbeat_ms: 0,
            next_local_tx: 1,
            finished_ids: alloc::vec::Vec::new(),
            cp_scheduled_inoperative: None,
            reset: None,
            reconnect_attempts: 0,
            rng: crate::entropy::Rng::new(settings_seed),
            speed: 1,
            jobs: crate::jobs::Jobs::default(),
            firmware: crate::firmware::Firmware::default(),
            diagnostics: crate::firmware::Diagnostics::default(),
            log,
            security,
            startup_pending: false,
            boots: 0,
            led: None,
            relay: None,
            transmit: VecDeque::new(),
            commands: VecDeque::new(),
            events: VecDeque::new(),
            senseless: None,
        };
        cp.power_on(now);
        cp
    }

    /// What every (re)boot does: nothing registered, ask for a connection.
    pub(crate) fn power_on(&mut self, now: Instant) {
        self.registration = Registration::Unknown;
        self.boots = self.boots.wrapping_add(1);
        let boot = self.rng.next_u64() ^ self.boots;
        self.session.new_boot(boot);
        self.heartbeat_ms =
            secs(u64::try_from(self.config.int(crate::model::Key::HeartbeatInterval)).unwrap_or(0));
        self.update_outputs(now);
        self.commands.push_back(Command::Connect { after_ms: 0 });
    }

    // ---- getters -------------------------------------------------------------------

    /// The configuration as the CSMS sees it.
    #[must_use]
    pub fn configuration(&self) -> &Configuration {
        &self.config
    }

    /// The settings given at creation.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Where registration with the CSMS stands.
    #[must_use]
    pub fn registration(&self) -> Registration {
        self.registration
    }

    /// Whether the WebSocket connection is up (as the home last said).
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.session.is_connected()
    }

    /// The wall clock (UTC) at `now`. Not inlined: some thirty call sites would each
    /// carry the clamped 64-bit arithmetic (about 3 KB of the MCU image).
    #[must_use]
    #[inline(never)]
    pub fn wall_clock(&self, now: Instant) -> DateTime {
        let (at, utc) = self.wall;
        let elapsed = i64::try_from(now.millis_since(at)).unwrap_or(i64::MAX);
        utc.add_millis(elapsed)
    }

    /// The connector's public view.
    #[must_use]
    pub fn connector(&self) -> &Connector {
        &self.connector
    }

    /// The latest meter reading.
    #[must_use]
    pub fn reading(&self) -> &MeterReading {
        &self.reading
    }

    // ---- inputs --------------------------------------------------------------------

    /// The WebSocket connection to the CSMS is open.
    pub fn handle_connected(&mut self, now: Instant) {
        self.last_input = self.last_input.max(now);
        if !self.session.connect() {
            return;
        }
        self.reconnect_attempts = 0;
        self.note(now, String::from("connection up"));
        self.flush_startup(now);
        self.security_connected(now);
        match self.registration {
            Registration::Accepted => {
                // A reconnect of a box that is already registered: no BootNotification
                // (it is sent at power-on only); report the statuses again.
                self.cp_reported = None;
                self.connector.forget_reported();
                self.update_outputs(now);
                self.arm_heartbeat(now);
            }
            _ => self.send_boot(now),
        }
        self.pump(now);
    }

    /// The WebSocket connection closed or could not be opened.
    pub fn handle_disconnected(&mut self, now: Instant) {
        self.last_input = self.last_input.max(now);
        let was_connected = self.session.is_connected();
        if was_connected {
            self.note(now, String::from("connection down"));
        } else {
            self.security_connection_failed(now);
        }
        self.session.lose_connection();
        self.timers.clear(Timer::CallTimeout);
        self.timers.clear(Timer::Heartbeat);
        self.timers.clear(Timer::BootRetry);
        if was_connected
            || !self
                .commands
                .iter()
                .any(|c| matches!(c, Command::Connect { .. }))
        {
            let delay = self.reconnect_delay();
            self.commands
                .push_back(Command::Connect { after_ms: delay });
        }
        self.update_outputs(now);
    }

    /// A text frame from the CSMS.
    pub fn handle_frame(&mut self, now: Instant, text: &str) {
        self.last_input = self.last_input.max(now);
        if self.settings.trace_frames {
            self.events.push_back(Event::Frame {
                incoming: true,
                text: redact(text),
            });
        }
        match frame::parse(text) {
            Ok(Frame::Call(call)) => self.on_call(now, &call),
            Ok(Frame::CallResult(result)) => self.on_call_result(now, &result),
            Ok(Frame::CallError(error)) => self.on_call_error(now, &error),
            Err(error) => {
                self.warn(alloc::format!("frame from the CSMS refused: {error}"));
                let id = match &error {
                    frame::FrameError::Malformed { reply_to, .. } => reply_to.as_deref(),
                    frame::FrameError::UnknownMessageType(_) => None,
                };
                self.mistake(
                    crate::mistakes::MistakeKind::MalformedFrame,
                    None,
                    id.filter(|i| *i != frame::UNKNOWN_MESSAGE_ID),
                    alloc::format!("{error}"),
                );
                if let Some(reply) = error.reply() {
                    self.send_frame(reply);
                }
            }
        }
        self.pump(now);
    }

    /// An event from the hardware.
    pub fn handle_hardware(&mut self, now: Instant, event: HardwareEvent) {
        self.last_input = self.last_input.max(now);
        self.on_hardware(now, event);
        self.pump(now);
    }

    /// Timers may be due. Calling it early or twice is harmless.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.last_input = self.last_input.max(now);
        while let Some(timer) = self.timers.pop_due(now) {
            self.on_timer(now, timer);
        }
        self.pump(now);
    }

    /// How a job the engine asked for ([`Command::StartJob`]) goes. Updates of
    /// unknown or ended jobs are ignored.
    pub fn handle_job(&mut self, now: Instant, id: u32, update: crate::jobs::JobUpdate) {
        self.last_input = self.last_input.max(now);
        let started = matches!(update, crate::jobs::JobUpdate::Started);
        if let Some(job) = self.jobs.update(id, &update) {
            self.changed();
            self.job_ended(now, job, &update);
        } else if started {
            self.changed();
        }
        self.pump(now);
    }

    /// Hands long work to the home; the owner hears of its end in `job_ended`.
    pub(crate) fn start_job(&mut self, kind: crate::jobs::JobKind) -> u32 {
        let job = self.jobs.start(kind);
        let id = job.id;
        self.changed();
        self.commands.push_back(Command::StartJob(job));
        id
    }

    /// A job ended: its owner decides what follows; every end is reported.
    fn job_ended(&mut self, now: Instant, job: crate::jobs::Job, update: &crate::jobs::JobUpdate) {
        let outcome = match update {
            crate::jobs::JobUpdate::Failed(why) => Err(why.clone()),
            _ => Ok(()),
        };
        if let Err(why) = &outcome {
            self.warn(alloc::format!("job {} failed: {why}", job.id));
        }
        self.firmware_job_ended(now, &job, update);
        self.events.push_back(Event::JobEnded { job, outcome });
    }

    /// The jobs in progress.
    #[must_use]
    pub fn jobs(&self) -> &crate::jobs::Jobs {
        &self.jobs
    }

    /// More entropy from the home (mixed into the engine's generator).
    pub fn add_entropy(&mut self, bytes: &[u8]) {
        self.rng.mix(bytes);
    }

    /// The speed the home runs engine time at (1 = real time). Above 1× the box's clock
    /// runs ahead of the CSMS's, so the CSMS's `currentTime` is no longer taken: the
    /// timestamps the box sends stay monotonic and consistent with each other.
    pub fn set_time_speed(&mut self, speed: u32) {
        self.speed = speed.max(1);
    }

    /// What the home needs for the next connection attempt, from the box's
    /// configuration as it is now: the URL (the configured CSMS URL + the charge point
    /// id), Basic-auth credentials (user = the id, password = AuthorizationKey) at
    /// SecurityProfile 1–2, the profile, the trusted roots and the client identity.
    #[must_use]
    pub fn connection_params(&self) -> crate::interface::ConnectParams {
        let serial = &self.settings.identity.serial;
        let profile = self.config.int(crate::model::Key::SecurityProfile);
        let key = self.config.text(crate::model::Key::AuthorizationKey);
        let basic_auth = ((1..=2).contains(&profile) && !key.is_empty())
            .then(|| (serial.clone(), String::from(key)));
        let (trusted_roots, client_identity) = self.tls_material(profile);
        crate::interface::ConnectParams {
            url: alloc::format!("{}{serial}", self.settings.csms_url),
            basic_auth,
            security_profile: u8::try_from(profile).unwrap_or(0),
            trusted_roots,
            client_identity,
        }
    }

    /// The CSMS's time from a BootNotification or Heartbeat answer: taken at 1×.
    pub(crate) fn csms_time(&mut self, now: Instant, utc: DateTime) {
        if self.speed <= 1 {
            let old = self.wall_clock(now);
            self.set_wall_clock(now, utc);
            self.clock_stepped(now, old, utc);
        }
    }

    /// The real-time clock: UTC at `now` (from an RTC, the browser, or the host).
    pub fn set_wall_clock(&mut self, now: Instant, utc: DateTime) {
        self.last_input = self.last_input.max(now);
        self.wall = (now, utc);
        self.events.push_back(Event::ClockSet(utc));
        self.flush_startup(now);
        self.arm_clock_aligned(now);
        self.arm_firmware(now);
    }

    // ---- outputs -------------------------------------------------------------------

    /// The next frame to send to the CSMS. Drain it first, after every input.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<String> {
        self.transmit.pop_front()
    }

    /// The next command for the hardware or the home. Drain it after the frames.
    #[must_use]
    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// The next event for UI and logs.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front()?;
        if let Some(line) = crate::log::describe(&event) {
            let at = self.wall_clock(self.last_input);
            self.log.push(at, line);
        }
        Some(event)
    }

    /// The engine's event log (what GetDiagnostics uploads).
    #[must_use]
    pub fn log(&self) -> &crate::log::EventLog {
        &self.log
    }

    /// A line for the event log only.
    pub(crate) fn note(&mut self, now: Instant, text: String) {
        let at = self.wall_clock(now);
        self.log.push(at, text);
    }

    /// When to call [`ChargePoint::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    // ---- internals shared by the handlers -------------------------------------------

    /// Marks the durable state as changed.
    pub(crate) fn changed(&mut self) {
        self.dirty = true;
    }

    /// A charge point powered on again with the state it last persisted: queued
    /// transaction messages are delivered, and a transaction that was running when the
    /// power went is stopped with reason PowerLoss at the last persisted time and meter
    /// value, as the real unit does. The home reports the hardware's present state
    /// (an EV still plugged in, faults) right after.
    #[must_use]
    pub fn restore(settings: Settings, state: crate::durable::DurableState, now: Instant) -> Self {
        let mut cp = Self::powered(settings, now);
        // Jobs and the firmware update first: what follows may start an installation.
        cp.jobs = state.jobs;
        cp.firmware = state.firmware;
        let interrupted = cp.jobs.interrupted();
        cp.config = state.config;
        cp.config.derive(&cp.settings.limits);
        cp.local_list = state.local_list;
        cp.cache = state.cache;
        cp.finished_ids = state.finished_ids;
        cp.next_local_tx = state.next_transaction.max(1);
        cp.connector
            .restore(state.inoperative, state.reservation, state.transaction);
        cp.smart = crate::smart::ChargingProfiles::load(&state.charging_profiles);
        cp.cp_operative = !state.cp_inoperative;
        // This power-on counts after the ones the state remembers: a new id prefix.
        cp.boots = state.boots.wrapping_add(1);
        cp.rng.mix(&cp.boots.to_le_bytes());
        let boot = cp.rng.next_u64() ^ cp.boots;
        cp.session.new_boot(boot);
        cp.reading.energy_wh = state.energy_wh;
        cp.wall = (now, state.wall_clock);
        cp.heartbeat_ms =
            secs(u64::try_from(cp.config.int(crate::model::Key::HeartbeatInterval)).unwrap_or(0));
        for call in &state.outbox {
            match crate::durable::load_call(call) {
                Some(out) => cp.session.restore(out),
                None => cp.warn(alloc::format!(
                    "stored {} could not be read again; dropped",
                    call.action
                )),
            }
        }
        cp.restore_security_events(&state.security.events);
        cp.security =
            crate::security::Security::load(state.security, cp.settings.security_log_capacity);
        cp.started_up();
        if cp.connector.transaction().is_some() {
            cp.stop_transaction(now, ocpp16::messages::Reason::PowerLoss, None);
        }
        let cut = crate::jobs::JobUpdate::Failed(String::from("interrupted by a power cut"));
        for job in interrupted {
            cp.job_ended(now, job, &cut);
        }
        cp.firmware_restored(now);
        cp.firmware_maybe_install();
        cp.arm_reservation(now);
        cp.changed();
        cp.update_outputs(now);
        cp
    }

    /// Everything that must survive a power cut, as it is now.
    #[must_use]
    pub fn durable_state(&self) -> crate::durable::DurableState {
        let outbox = self
            .session
            .unanswered()
            .filter_map(crate::durable::store_call)
            .collect();
        crate::durable::DurableState {
            format: crate::durable::FORMAT_VERSION,
            config: self.config.clone(),
            local_list: self.local_list.clone(),
            cache: self.cache.clone(),
            outbox,
            transaction: self.connector.transaction().cloned(),
            finished_ids: self.finished_ids.clone(),
            next_transaction: self.next_local_tx,
            energy_wh: self.reading.energy_wh,
            inoperative: self.connector.is_inoperative(),
            cp_inoperative: !self.cp_operative,
            reservation: self.connector.reservation().cloned(),
            charging_profiles: self.smart.store(),
            wall_clock: self.wall_clock(self.last_input),
            jobs: self.jobs.clone(),
            firmware: self.firmware.clone(),
            boots: self.boots,
            security: self.security.store(self.stored_security_events()),
        }
    }

    /// Whether the durable state changed since the last call: if so, write
    /// [`ChargePoint::durable_state`] before sending the frames of this input.
    pub fn poll_persist(&mut self) -> bool {
        core::mem::take(&mut self.dirty) | self.session.take_dirty()
    }

    /// How many of our CALLs are in flight or queued (a home waits for 0 before it ends
    /// a run on purpose).
    #[must_use]
    pub fn undelivered(&self) -> usize {
        self.session.undelivered()
    }

    /// The local authorization list.
    #[must_use]
    pub fn local_list(&self) -> &crate::id_tags::LocalList {
        &self.local_list
    }

    /// The authorization cache.
    #[must_use]
    pub fn cache(&self) -> &crate::id_tags::AuthCache {
        &self.cache
    }

    /// A transaction message that will never reach the CSMS: a warning and
    /// [`Event::MessageLost`], so a home can say so and fail a run.
    pub(crate) fn lost(&mut self, action: ocpp16::Action, reason: String) {
        self.warn(alloc::format!("{action} {reason}"));
        self.events.push_back(Event::MessageLost { action, reason });
    }

    pub(crate) fn warn(&mut self, text: String) {
        self.events.push_back(Event::Warning(text));
    }

    pub(crate) fn send_frame(&mut self, text: String) {
        if self.settings.trace_frames {
            self.events.push_back(Event::Frame {
                incoming: false,
                text: text.clone(),
            });
        }
        self.transmit.push_back(text);
    }

    pub(crate) fn reply(&mut self, id: &str, response: ocpp16::Response) {
        // Only the answers a charge point sends are encoded here, so the image does not
        // carry the encoders of the answers a CSMS sends.
        match response.payload_from_charge_point() {
            Some(payload) => self.send_frame(encode_call_result_payload(id, &payload)),
            None => self.reply_error(
                id,
                &WireError::new(
                    ErrorCode::InternalError,
                    alloc::format!(
                        "{} is answered by the CSMS, not by a charge point",
                        response.action().as_str()
                    ),
                ),
            ),
        }
    }

    pub(crate) fn reply_error(&mut self, id: &str, error: &ocpp16::WireError) {
        self.send_frame(encode_call_error(id, error.code, &error.description));
    }

    pub(crate) fn send_boot(&mut self, now: Instant) {
        let id = &self.settings.identity;
        let boot = BootNotificationRequest {
            charge_point_vendor: ocpp16::CiString20::truncated(&id.vendor),
            charge_point_model: ocpp16::CiString20::truncated(&id.model),
            charge_point_serial_number: Some(ocpp16::CiString25::truncated(&id.serial)),
            charge_box_serial_number: None,
            firmware_version: Some(ocpp16::CiString50::truncated(self.firmware_version())),
            iccid: None,
            imsi: None,
            meter_type: Some(ocpp16::CiString25::truncated("Teltonika internal meter")),
            meter_serial_number: None,
        };
        self.note(
            now,
            alloc::format!("BootNotification (firmware {})", self.firmware_version()),
        );
        self.session.drop_queued(|p| p == Purpose::Boot);
        self.session.push_front(crate::session::Outgoing {
            request: Request::BootNotification(boot),
            purpose: Purpose::Boot,
            attempts: 0,
        });
    }

    /// Sends the next queued CALL if the line is free and the registration allows it.
    pub(crate) fn pump(&mut self, now: Instant) {
        let retry_wait = self.timers.is_set(Timer::TxRetry);
        let registration = self.registration;
        let may_send = |o: &crate::session::Outgoing| {
            let allowed = match registration {
                Registration::Accepted => true,
                _ => o.purpose == Purpose::Boot,
            };
            // Transaction messages wait for their retry interval.
            allowed && !(retry_wait && o.purpose.is_durable())
        };
        let Some(mut out) = self.session.next_to_send(may_send) else {
            return;
        };
        if !self.fill_transaction_id(&mut out) {
            // Its StartTransaction was never answered (it was dropped after its
            // attempts), so the CSMS has no transaction to attach it to.
            let reason = String::from("dropped: its transaction has no id from the CSMS");
            self.lost(out.request.action(), reason);
            return self.pump(now);
        }
        // Only the requests a charge point sends are encoded here (see `reply`).
        let Some(payload) = out.request.payload_from_charge_point() else {
            let reason = String::from("dropped: only the CSMS sends this action");
            self.lost(out.request.action(), reason);
            return self.pump(now);
        };
        let id = self.session.new_id();
        self.send_frame(encode_call_payload(&id, out.request.action(), &payload));
        self.session.in_flight(id, out);
        self.timers
            .set(Timer::CallTimeout, now + self.settings.call_timeout_ms);
    }

    /// Reconnect delay: exponential from 1 s to 5 min, with up to 50 % jitter.
    fn reconnect_delay(&mut self) -> u64 {
        let attempt = self.reconnect_attempts.min(8);
        self.reconnect_attempts = self.reconnect_attempts.saturating_add(1);
        let base = secs(1) << attempt;
        let base = base.min(secs(300));
        let jitter = self.rng.next_u64() % (base / 2 + 1);
        base + jitter
    }

    /// Queues a Heartbeat unless one is already waiting.
    pub(crate) fn queue_heartbeat(&mut self) {
        if !self.session.queued(|p| p == Purpose::Heartbeat) {
            let heartbeat = Request::Heartbeat(ocpp16::messages::HeartbeatRequest {});
            self.session.push(heartbeat, Purpose::Heartbeat);
        }
    }

    pub(crate) fn arm_heartbeat(&mut self, now: Instant) {
        if self.registration == Registration::Accepted
            && self.session.is_connected()
            && self.heartbeat_ms > 0
        {
            self.timers.set(Timer::Heartbeat, now + self.heartbeat_ms);
        } else {
            self.timers.clear(Timer::Heartbeat);
        }
    }

    pub(crate) fn registered(&mut self, now: Instant, status: RegistrationStatus, interval_s: i32) {
        self.events.push_back(Event::Registration(status));
        let interval_ms = secs(u64::try_from(interval_s).unwrap_or(0));
        match status {
            RegistrationStatus::Accepted => {
                self.registration = Registration::Accepted;
                if interval_s > 0 {
                    self.config.set_heartbeat_from_boot(interval_s);
                    self.changed();
                    self.heartbeat_ms = interval_ms;
                }
                self.timers.clear(Timer::BootRetry);
                self.cp_reported = None;
                self.connector.forget_reported();
                self.update_outputs(now);
                self.arm_heartbeat(now);
                self.firmware_booted(now);
            }
            RegistrationStatus::Pending | RegistrationStatus::Rejected => {
                self.registration = if status == RegistrationStatus::Pending {
                    Registration::Pending
                } else {
                    Registration::Rejected
                };
                let retry = if interval_ms > 0 {
                    interval_ms
                } else {
                    secs(60)
                };
                self.timers.set(Timer::BootRetry, now + retry);
                self.update_outputs(now);
            }
        }
    }
}
