//! One emulated charge point in the native home: the engine, the emulated EV and meter,
//! its scenario, its socket and its state file, driven by one tokio task.

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use chargepoint::{
    ChargePoint, Command, Event, HardwareEvent, Instant, Registration, model::Key, world::World,
};
use futures_util::{SinkExt, StreamExt};
use ocpp16::messages::ChargePointStatus;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{
    Message,
    protocol::{CloseFrame, frame::coding::CloseCode},
};
use tracing::{debug, info, warn};

use crate::{
    connect::{self, Socket},
    fleet::Shared,
    scenario::{Action, Due, Script},
    stats::Stats,
    store::StateFile,
};

/// The world is advanced at least this often (engine ms) while an EV is plugged in.
const WORLD_TICK_MS: u64 = 1_000;
/// …but not more often than this in real time, at high speed-ups.
const WORLD_TICK_MIN_REAL_MS: u64 = 100;

type Connecting = Pin<Box<dyn Future<Output = Result<Socket, String>> + Send>>;

/// What a charge point tells the fleet.
#[derive(Debug)]
pub(crate) enum Report {
    /// Its scenario has run and nothing is left to send.
    Done,
    /// Its first connection failed and `--keep-trying` is off.
    Fatal(String),
}

/// One charge point, ready to run.
pub(crate) struct Station {
    pub(crate) id: String,
    pub(crate) cp: ChargePoint,
    pub(crate) world: World,
    pub(crate) script: Option<Script>,
    pub(crate) state: Option<StateFile>,
}

/// The running state of one charge point's task.
struct Run {
    st: Station,
    shared: Arc<Shared>,
    ws: Option<Socket>,
    connect_at: Option<Instant>,
    connecting: Option<Connecting>,
    ever_connected: bool,
    status: ChargePointStatus,
    in_flight: Option<(String, std::time::Instant)>,
    last_world: Instant,
    next_world: Instant,
    ping_at: Option<tokio::time::Instant>,
    awaiting_pong: Option<tokio::time::Instant>,
    start_register_mwh: u64,
    in_transaction: bool,
    done_reported: bool,
}

impl Station {
    /// Runs until shutdown (or a fatal first-connection failure).
    pub(crate) async fn run(
        self,
        shared: Arc<Shared>,
        mut shutdown: watch::Receiver<bool>,
        reports: mpsc::UnboundedSender<Report>,
    ) {
        let now = shared.clock.now();
        let start_register_mwh = self.world.register_mwh();
        let mut run = Run {
            st: self,
            shared,
            ws: None,
            connect_at: None,
            connecting: None,
            ever_connected: false,
            status: ChargePointStatus::Available,
            in_flight: None,
            last_world: now,
            next_world: now,
            ping_at: None,
            awaiting_pong: None,
            start_register_mwh,
            in_transaction: false,
            done_reported: false,
        };
        run.drain(now).await;
        loop {
            let wake = run.wake_at();
            tokio::select! {
                biased;
                _ = shutdown.changed() => break,
                result = poll_connecting(&mut run.connecting) => {
                    run.connecting = None;
                    let now = run.shared.clock.now();
                    if let Some(fatal) = run.connected(now, result) {
                        let _ = reports.send(Report::Fatal(fatal));
                        break;
                    }
                }
                msg = next_message(&mut run.ws) => {
                    let now = run.shared.clock.now();
                    run.received(now, msg);
                }
                () = tokio::time::sleep_until(wake) => {}
            }
            let now = run.shared.clock.now();
            run.tick(now).await;
            if !run.done_reported && run.finished() {
                run.done_reported = true;
                let _ = reports.send(Report::Done);
            }
        }
        run.stop().await;
    }
}

/// The connection attempt in progress, or forever pending.
async fn poll_connecting(c: &mut Option<Connecting>) -> Result<Socket, String> {
    match c {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// The next message of the socket, or forever pending without one.
async fn next_message(
    ws: &mut Option<Socket>,
) -> Option<Result<Message, tokio_tungstenite::tungstenite::Error>> {
    match ws {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

/// `(type, id)` of an OCPP-J frame, read cheaply for the counters.
fn kind_and_id(text: &str) -> Option<(u8, &str)> {
    let rest = text.trim_start().strip_prefix('[')?.trim_start();
    let kind = rest.bytes().next()?.checked_sub(b'0')?;
    let rest = rest.get(1..)?.trim_start().strip_prefix(',')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some((kind, rest.get(..end)?))
}

impl Run {
    fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// When the task must look at the clock next (real time).
    fn wake_at(&self) -> tokio::time::Instant {
        let clock = &self.shared.clock;
        let mut at: Option<Instant> = self.st.cp.poll_timeout();
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                at = Some(at.map_or(t, |a| a.min(t)));
            }
        };
        consider(self.connect_at.filter(|_| self.connecting.is_none()));
        consider(self.st.script.as_ref().and_then(Script::deadline));
        if self.st.world.ev().is_some() {
            consider(Some(self.next_world));
        }
        let mut wake = at.map_or_else(
            || tokio::time::Instant::now() + Duration::from_secs(3600),
            |t| clock.real_instant(t),
        );
        for t in [self.ping_at, self.awaiting_pong].into_iter().flatten() {
            wake = wake.min(t);
        }
        wake
    }

    /// The outcome of a connection attempt; `Some(message)` when it is fatal.
    fn connected(&mut self, now: Instant, result: Result<Socket, String>) -> Option<String> {
        match result {
            Ok(socket) => {
                self.ws = Some(socket);
                self.ever_connected = true;
                self.stats()
                    .connected
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let before = self
                    .stats()
                    .ever_connected
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if before + 1 == u64::from(self.shared.count) {
                    let ms = u64::try_from(self.shared.started.elapsed().as_millis()).unwrap_or(0);
                    self.stats()
                        .all_connected_ms
                        .store(ms.max(1), std::sync::atomic::Ordering::Relaxed);
                }
                if self.shared.verbose {
                    info!(cp = %self.st.id, "connected");
                }
                self.arm_ping();
                self.sync_world(now);
                self.st.cp.handle_connected(now);
                None
            }
            Err(e) => {
                self.stats()
                    .connect_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if !self.ever_connected && !self.shared.keep_trying {
                    return Some(format!("{}: {e}", self.st.id));
                }
                if self.shared.verbose {
                    warn!(cp = %self.st.id, "{e}");
                } else {
                    debug!(cp = %self.st.id, "{e}");
                }
                self.st.cp.handle_disconnected(now);
                None
            }
        }
    }

    fn arm_ping(&mut self) {
        let secs =
            u64::try_from(self.st.cp.configuration().int(Key::WebSocketPingInterval)).unwrap_or(0);
        self.awaiting_pong = None;
        self.ping_at = (secs > 0).then(|| tokio::time::Instant::now() + Duration::from_secs(secs));
    }

    fn lost(&mut self, now: Instant, why: &str) {
        if self.ws.take().is_some() {
            self.stats()
                .connected
                .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            if self.shared.verbose {
                info!(cp = %self.st.id, "connection lost: {why}");
            } else {
                debug!(cp = %self.st.id, "connection lost: {why}");
            }
        }
        self.ping_at = None;
        self.awaiting_pong = None;
        self.in_flight = None;
        self.st.cp.handle_disconnected(now);
    }

    fn received(
        &mut self,
        now: Instant,
        msg: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) {
        self.awaiting_pong = None;
        match msg {
            Some(Ok(Message::Text(text))) => {
                let text = text.as_str();
                self.stats()
                    .frames_received
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if let Some((kind, id)) = kind_and_id(text) {
                    if kind == 4 {
                        self.stats()
                            .callerrors_received
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    if (kind == 3 || kind == 4)
                        && self.in_flight.as_ref().is_some_and(|(i, _)| i == id)
                        && let Some((_, sent)) = self.in_flight.take()
                    {
                        self.shared.stats.answer_latency(sent.elapsed());
                    }
                }
                if let Some(trace) = &self.shared.trace {
                    trace.frame(
                        &crate::sys::wall_clock().to_rfc3339(),
                        now.as_millis(),
                        &self.st.id,
                        false,
                        text,
                    );
                }
                self.sync_world(now);
                self.st.cp.handle_frame(now, text);
            }
            Some(Ok(Message::Binary(_))) => {
                self.stats()
                    .warnings
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                warn!(cp = %self.st.id, "a binary WebSocket message was ignored: OCPP-J is text");
            }
            Some(Ok(Message::Close(frame))) => {
                let why = frame.map_or_else(
                    || String::from("closed by the CSMS"),
                    |f| format!("closed by the CSMS ({} {})", u16::from(f.code), f.reason),
                );
                self.lost(now, &why);
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => self.lost(now, &e.to_string()),
            None => self.lost(now, "the socket closed"),
        }
    }

    /// Advances the emulated world to `now` and tells the engine what changed.
    fn sync_world(&mut self, now: Instant) {
        let dt = now.millis_since(self.last_world);
        if dt == 0 {
            return;
        }
        self.last_world = now;
        for e in self.st.world.advance(dt) {
            self.st.cp.handle_hardware(now, e);
        }
        self.st
            .cp
            .handle_hardware(now, HardwareEvent::Meter(self.st.world.reading()));
    }

    async fn tick(&mut self, now: Instant) {
        let real = tokio::time::Instant::now();
        if self.ws.is_some() {
            if self.awaiting_pong.is_some_and(|t| t <= real) {
                self.lost(now, "no answer to a WebSocket ping");
            } else if self.ping_at.is_some_and(|t| t <= real) {
                let ok = match &mut self.ws {
                    Some(ws) => ws.send(Message::Ping(Vec::new().into())).await.is_ok(),
                    None => false,
                };
                if ok {
                    self.arm_ping();
                    self.awaiting_pong = self.ping_at;
                } else {
                    self.lost(now, "the ping could not be sent");
                }
            }
        }
        if self.connecting.is_none() && self.connect_at.is_some_and(|t| t <= now) {
            self.connect_at = None;
            self.start_connecting();
        }
        if self.st.world.ev().is_some() && self.next_world <= now {
            let speed = self.shared.clock.speed();
            let step = WORLD_TICK_MS.max(WORLD_TICK_MIN_REAL_MS.saturating_mul(speed));
            self.next_world = now + step;
        }
        self.sync_world(now);
        if self.st.cp.poll_timeout().is_some_and(|t| t <= now) {
            self.st.cp.handle_timeout(now);
        }
        self.run_script(now);
        self.drain(now).await;
    }

    fn start_connecting(&mut self) {
        let url = format!("{}{}", self.shared.url, self.st.id);
        let config = self.st.cp.configuration();
        let profile = config.int(Key::SecurityProfile);
        let key = config.text(Key::AuthorizationKey).to_owned();
        let basic =
            ((1..=2).contains(&profile) && !key.is_empty()).then(|| (self.st.id.clone(), key));
        let shared = self.shared.clone();
        self.connecting = Some(Box::pin(async move {
            shared.gate.wait_turn().await;
            let creds = basic.as_ref().map(|(u, p)| (u.as_str(), p.as_str()));
            connect::open(&url, creds, &shared.tls).await
        }));
    }

    fn run_script(&mut self, now: Instant) {
        let Some(script) = &mut self.st.script else {
            return;
        };
        if !script.started() {
            if self.st.cp.registration() != Registration::Accepted {
                return;
            }
            script.start(now);
        }
        while let Some(due) = script.poll(now, self.status) {
            match due {
                Due::TimedOut { step, until } => {
                    self.shared
                        .stats
                        .warnings
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    warn!(
                        cp = %self.st.id,
                        "scenario step {step} waited in vain for {until}; it was skipped (status is {})",
                        self.status
                    );
                }
                Due::Act(action) => {
                    debug!(cp = %self.st.id, "scenario: {action:?}");
                    let events = match action {
                        Action::Plug => {
                            let ev = script.ev();
                            self.next_world = now;
                            self.st.world.plug(ev)
                        }
                        Action::Unplug => self.st.world.unplug(),
                        Action::Pause => self.st.world.set_paused(true),
                        Action::Resume => self.st.world.set_paused(false),
                        Action::Tap(cards) => {
                            cards.into_iter().map(HardwareEvent::RfidTap).collect()
                        }
                        Action::Fault(f) => vec![HardwareEvent::FaultRaised(f)],
                        Action::Clear(f) => vec![HardwareEvent::FaultCleared(f)],
                        Action::Wait => Vec::new(),
                    };
                    for e in events {
                        self.st.cp.handle_hardware(now, e);
                    }
                }
            }
        }
    }

    /// Whether the scenario has run and nothing is left to deliver.
    fn finished(&self) -> bool {
        self.st.script.as_ref().is_some_and(Script::done)
            && self.st.cp.undelivered() == 0
            && self.st.cp.registration() == Registration::Accepted
    }

    async fn persist(&mut self) {
        if let Some(file) = &self.st.state {
            let json = self.st.cp.durable_state().to_json();
            let file = file.clone();
            let result = tokio::task::spawn_blocking(move || file.save(&json)).await;
            if let Some(e) = match result {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(e) => Some(e.to_string()),
            } {
                self.stats()
                    .warnings
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                warn!(cp = %self.st.id, "could not write the durable state: {e}");
            }
        }
    }

    /// Drains the engine in the contract's order: persist, transmit, commands, events.
    async fn drain(&mut self, now: Instant) {
        for _ in 0..8 {
            if self.st.cp.poll_persist() {
                self.persist().await;
            }
            let mut any = false;
            while let Some(text) = self.st.cp.poll_transmit() {
                any = true;
                self.send(now, text).await;
            }
            while let Some(command) = self.st.cp.poll_command() {
                any = true;
                self.command(now, command).await;
            }
            while let Some(event) = self.st.cp.poll_event() {
                any = true;
                self.event(event);
            }
            if !any {
                break;
            }
        }
    }

    async fn send(&mut self, now: Instant, text: String) {
        let Some(ws) = &mut self.ws else { return };
        let stats = &self.shared.stats;
        stats
            .frames_sent
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match kind_and_id(&text) {
            Some((2, id)) => self.in_flight = Some((id.to_owned(), std::time::Instant::now())),
            Some((4, _)) => {
                stats
                    .callerrors_sent
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            _ => {}
        }
        if let Some(trace) = &self.shared.trace {
            trace.frame(
                &crate::sys::wall_clock().to_rfc3339(),
                now.as_millis(),
                &self.st.id,
                true,
                &text,
            );
        }
        if let Err(e) = ws.send(Message::Text(text.into())).await {
            self.lost(now, &format!("send failed: {e}"));
        }
    }

    async fn command(&mut self, now: Instant, command: Command) {
        match command {
            Command::Connect { after_ms } => self.connect_at = Some(now + after_ms),
            Command::Disconnect => {
                if let Some(mut ws) = self.ws.take() {
                    self.stats()
                        .connected
                        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                    let _ = ws.close(None).await;
                }
                self.connecting = None;
            }
            Command::Rebooted { hard } => {
                if self.shared.verbose {
                    info!(cp = %self.st.id, "rebooted ({} reset)", if hard { "hard" } else { "soft" });
                }
            }
            other => self.st.world.apply(&other),
        }
    }

    fn event(&mut self, event: Event) {
        let stats = &self.shared.stats;
        let relaxed = std::sync::atomic::Ordering::Relaxed;
        let verbose = self.shared.verbose;
        let id = &self.st.id;
        match event {
            Event::StatusChanged {
                connector,
                status,
                error,
            } => {
                if connector == 1 {
                    self.status = status;
                }
                if verbose {
                    info!(cp = %id, "connector {connector}: {status} ({error})");
                }
            }
            Event::TransactionStarted {
                transaction_id,
                id_tag,
            } => {
                if transaction_id.is_none() {
                    stats.transactions_started.fetch_add(1, relaxed);
                    if !self.in_transaction {
                        self.in_transaction = true;
                        stats.in_transaction.fetch_add(1, relaxed);
                    }
                }
                if verbose {
                    match transaction_id {
                        None => info!(cp = %id, "transaction started by {id_tag}"),
                        Some(t) => info!(cp = %id, "the CSMS numbered the transaction {t}"),
                    }
                }
            }
            Event::TransactionStopped {
                transaction_id,
                reason,
            } => {
                stats.transactions_stopped.fetch_add(1, relaxed);
                if self.in_transaction {
                    self.in_transaction = false;
                    stats.in_transaction.fetch_sub(1, relaxed);
                }
                if verbose {
                    let t = transaction_id.map_or_else(|| String::from("?"), |t| t.to_string());
                    info!(cp = %id, "transaction {t} stopped: {reason}");
                }
            }
            Event::Authorization { id_tag, accepted } if verbose => {
                let verdict = if accepted { "accepted" } else { "refused" };
                info!(cp = %id, "card {id_tag} {verdict}");
            }
            Event::Warning(w) => {
                stats.warnings.fetch_add(1, relaxed);
                warn!(cp = %id, "{w}");
            }
            Event::Registration(status) if verbose => {
                info!(cp = %id, "BootNotification answered {status}");
            }
            _ => {}
        }
    }

    /// Clean stop: the state persisted, the socket closed with a close frame.
    async fn stop(&mut self) {
        let now = self.shared.clock.now();
        self.sync_world(now);
        self.persist().await;
        let energy = self
            .st
            .world
            .register_mwh()
            .saturating_sub(self.start_register_mwh)
            / 1_000;
        self.stats()
            .energy_wh
            .fetch_add(energy, std::sync::atomic::Ordering::Relaxed);
        if let Some(mut ws) = self.ws.take() {
            self.stats()
                .connected
                .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            let frame = CloseFrame {
                code: CloseCode::Away,
                reason: "charge point shutting down".into(),
            };
            let closing = async {
                let _ = ws.close(Some(frame)).await;
                while let Some(Ok(_)) = ws.next().await {}
            };
            let _ = tokio::time::timeout(Duration::from_secs(2), closing).await;
        }
        if self.in_transaction {
            self.stats()
                .in_transaction
                .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::kind_and_id;

    #[test]
    fn frame_kinds_are_read_cheaply() {
        assert_eq!(kind_and_id(r#"[2,"17","Heartbeat",{}]"#), Some((2, "17")));
        assert_eq!(kind_and_id(r#" [ 3 , "a-b" , {}]"#), Some((3, "a-b")));
        assert_eq!(
            kind_and_id(r#"[4,"x","NotSupported","",{}]"#),
            Some((4, "x"))
        );
        assert_eq!(kind_and_id("nonsense"), None);
        assert_eq!(kind_and_id("[2,17]"), None);
    }
}
