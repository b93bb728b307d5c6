//! One emulated charge point in the native home: a thin adapter over
//! [`chargepoint::Driver`] (the engine, the emulated EV and meter, the connection
//! schedule and the ping policy), driven by one tokio task that only does I/O: the
//! socket, the state file, the trace, the counters, the logs, and the scenario.

mod control;
mod output;

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

use chargepoint::{Driver, HardwareEvent, Registration};
use futures_util::StreamExt;
use ocpp16::messages::ChargePointStatus;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::{self, Message};
use tracing::{debug, warn};

use chargepoint::scenario::{Action, Deadline, Due, Script};

use crate::{connect::Socket, fleet::Shared, store::StateFile};

/// How long a box without a deadline sleeps before it looks at the clock anyway.
const IDLE_WAKE: Duration = Duration::from_secs(3600);

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
    pub(crate) driver: Driver,
    pub(crate) script: Option<Script>,
    pub(crate) state: Option<StateFile>,
    /// The control channel's end (`--control` only; `None` costs nothing).
    pub(crate) control: Option<Box<crate::control::port::Port>>,
}

/// The running state of one charge point's task.
struct Run {
    st: Station,
    shared: Arc<Shared>,
    ws: Option<Socket>,
    connecting: Option<Connecting>,
    ever_connected: bool,
    status: ChargePointStatus,
    in_flight: Option<(String, std::time::Instant)>,
    start_register_mwh: u64,
    in_transaction: bool,
    fatal: Option<String>,
    /// Updates of the file transfers this box runs (made at its first job).
    jobs: Option<Jobs>,
    /// A scenario's offline step holds: connection attempts fail until its online step.
    offline: bool,
}

/// The channel the transfer tasks report on.
pub(crate) struct Jobs {
    tx: mpsc::UnboundedSender<crate::transfer::Update>,
    rx: mpsc::UnboundedReceiver<crate::transfer::Update>,
}

impl Station {
    /// Runs until shutdown (or a fatal first-connection failure).
    ///
    /// Not an `async fn`: the box's state goes to the heap first, so that the task's
    /// future holds a pointer to it instead of the station twice (the moved argument
    /// and its local) beside the running state.
    pub(crate) fn run(
        self,
        shared: Arc<Shared>,
        shutdown: watch::Receiver<bool>,
        reports: mpsc::UnboundedSender<Report>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let start_register_mwh = self.driver.world().map_or(0, |w| w.register_mwh());
        let run = Box::new(Run {
            st: self,
            shared,
            ws: None,
            connecting: None,
            ever_connected: false,
            status: ChargePointStatus::Available,
            in_flight: None,
            start_register_mwh,
            in_transaction: false,
            fatal: None,
            jobs: None,
            offline: false,
        });
        run.main(shutdown, reports)
    }
}

impl Run {
    /// The task's loop: one wake-up (a frame, a connection, a control request, a job's
    /// update, the clock) at a time, then the script and the driver's outputs.
    async fn main(
        mut self: Box<Self>,
        mut shutdown: watch::Receiver<bool>,
        reports: mpsc::UnboundedSender<Report>,
    ) {
        let run = &mut *self;
        let mut done_reported = false;
        // Made once, not at every wake-up: a fresh `changed()` and timer per turn of
        // the loop were a registration and a removal each, a good part of a wake-up.
        let stop = async move {
            let _ = shutdown.changed().await;
        };
        let mut stop = std::pin::pin!(stop);
        let mut sleep = std::pin::pin!(tokio::time::sleep(IDLE_WAKE));
        run.carry_out().await;
        loop {
            let now = tokio::time::Instant::now();
            match run.wake_at() {
                Some(at) if sleep.deadline() != at => sleep.as_mut().reset(at),
                None if sleep.deadline() < now + IDLE_WAKE / 2 => {
                    sleep.as_mut().reset(now + IDLE_WAKE);
                }
                _ => {}
            }
            tokio::select! {
                biased;
                () = &mut stop => break,
                result = poll_connecting(&mut run.connecting) => {
                    run.connecting = None;
                    run.connected(result);
                }
                msg = next_message(&mut run.ws) => run.received(msg),
                side = next_side(&mut run.jobs, &mut run.st.control) => match side {
                    Side::Job((id, update)) => {
                        let now = run.real();
                        run.st.driver.job(now, id, update);
                    }
                    // Boxed: inline, its future would grow every charge point's task.
                    Side::Ask(ask) => Box::pin(run.control(ask)).await,
                },
                () = &mut sleep => {
                    let now = run.real();
                    run.st.driver.timeout(now);
                }
            }
            run.stats()
                .wakeups
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            run.run_script();
            run.carry_out().await;
            if let Some(fatal) = run.fatal.take() {
                let _ = reports.send(Report::Fatal(fatal));
                break;
            }
            if !done_reported && run.finished() {
                done_reported = true;
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

/// An input besides the socket and the clock.
enum Side {
    /// An update of one of this box's file transfers.
    Job(crate::transfer::Update),
    /// A request of the control channel.
    Ask(crate::control::port::Ask),
}

/// The next update of a file transfer or request of the control channel; forever
/// pending without either. One branch of the task's `select!` for both, polled in
/// place: the control channel, used or not, adds no future to every box's task.
fn next_side<'a>(
    jobs: &'a mut Option<Jobs>,
    control: &'a mut Option<Box<crate::control::port::Port>>,
) -> impl Future<Output = Side> + 'a {
    std::future::poll_fn(move |cx| {
        if let Some(j) = jobs
            && let std::task::Poll::Ready(Some(update)) = j.rx.poll_recv(cx)
        {
            return std::task::Poll::Ready(Side::Job(update));
        }
        if let Some(port) = control
            && let std::task::Poll::Ready(ask) = port.poll_ask(cx)
        {
            return std::task::Poll::Ready(Side::Ask(ask));
        }
        std::task::Poll::Pending
    })
}

/// The next message of the socket, or forever pending without one.
async fn next_message(ws: &mut Option<Socket>) -> Option<Result<Message, tungstenite::Error>> {
    match ws {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

impl Run {
    /// The home's real time (ms since the run started).
    fn real(&self) -> u64 {
        self.shared.clock.real_ms()
    }

    /// When the task must look at the clock next: the driver's deadline or the
    /// script's next step, whichever comes first; nothing else wakes a waiting box.
    fn wake_at(&self) -> Option<tokio::time::Instant> {
        let driver = &self.st.driver;
        let script = self.st.script.as_ref().and_then(Script::deadline);
        let script = script.map(|d| match d {
            Deadline::Engine(at) => driver.real_at(at),
            Deadline::Real(ms) => ms,
        });
        let at = match (driver.poll_timeout(), script) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        at.map(|ms| self.shared.clock.instant(ms))
    }

    /// The outcome of a connection attempt.
    fn connected(&mut self, result: Result<Socket, String>) {
        let now = self.real();
        match result {
            Ok(socket) => {
                self.ws = Some(socket);
                self.ever_connected = true;
                self.shared
                    .stats
                    .connected_once(self.shared.count, self.shared.started);
                if self.shared.verbose {
                    tracing::info!(cp = %self.st.id, "connected");
                }
                self.st.driver.opened(now);
                if let Some(port) = &self.st.control {
                    port.link(true, None);
                }
            }
            Err(e) => {
                self.stats()
                    .connect_failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if !self.ever_connected && !self.shared.keep_trying {
                    self.fatal = Some(format!("{}: {e}", self.st.id));
                    return;
                }
                if self.shared.verbose {
                    warn!(cp = %self.st.id, "{e}");
                } else {
                    debug!(cp = %self.st.id, "{e}");
                }
                self.st.driver.open_failed(now, &e);
            }
        }
    }

    fn received(&mut self, msg: Option<Result<Message, tungstenite::Error>>) {
        let now = self.real();
        match msg {
            Some(Ok(Message::Text(text))) => {
                self.count_received(text.as_str());
                self.st.driver.frame(now, text.as_str());
            }
            Some(Ok(Message::Binary(_))) => {
                self.stats()
                    .warnings
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                warn!(cp = %self.st.id, "a binary WebSocket message was ignored: OCPP-J is text");
                self.st.driver.pong(now);
            }
            Some(Ok(Message::Close(frame))) => {
                let why = frame.map_or_else(
                    || String::from("closed by the CSMS"),
                    |f| format!("closed by the CSMS ({} {})", u16::from(f.code), f.reason),
                );
                self.lost(&why);
            }
            Some(Ok(_)) => self.st.driver.pong(now),
            Some(Err(e)) => self.lost(&e.to_string()),
            None => self.lost("the socket closed"),
        }
    }

    /// The link broke by itself: the driver is told, the socket dropped.
    fn lost(&mut self, why: &str) {
        self.drop_socket(why);
        let now = self.real();
        self.st.driver.closed(now, why);
    }

    fn run_script(&mut self) {
        let Some(script) = &mut self.st.script else {
            return;
        };
        let driver = &mut self.st.driver;
        let real = self.shared.clock.real_ms();
        driver.timeout(real);
        let now = driver.now();
        if !script.started() {
            if driver.cp().registration() != Registration::Accepted {
                return;
            }
            script.start(now, real);
        }
        while let Some(due) = script.poll(now, real, self.status) {
            match due {
                Due::TimedOut {
                    step,
                    until,
                    skipped,
                } => {
                    let what = format!(
                        "{}: scenario step {step} waited in vain for {until} (status is {}); its {} was skipped",
                        self.st.id,
                        self.status,
                        skipped.name()
                    );
                    warn!("{what}");
                    self.shared.stats.step_skipped(what);
                }
                Due::Act(action) => {
                    debug!(cp = %self.st.id, "scenario: {action:?}");
                    // The meter as it reads at this moment (the driver's cadence may be
                    // a second behind), so that a stop's meterStop is the energy drawn.
                    if let Some(reading) = driver.world().map(chargepoint::world::World::reading) {
                        driver.hardware(real, vec![HardwareEvent::Meter(reading)]);
                    }
                    match action {
                        Action::Plug => {
                            let ev = script.ev();
                            driver.with_world(real, |w| w.plug(ev));
                        }
                        Action::Unplug => driver.with_world(real, |w| w.unplug()),
                        Action::Pause => driver.with_world(real, |w| w.set_paused(true)),
                        Action::Resume => driver.with_world(real, |w| w.set_paused(false)),
                        Action::Tap(cards) => driver.hardware(
                            real,
                            cards.into_iter().map(HardwareEvent::RfidTap).collect(),
                        ),
                        Action::Fault(f) => {
                            driver.hardware(real, vec![HardwareEvent::FaultRaised(f)]);
                        }
                        Action::Clear(f) => {
                            driver.hardware(real, vec![HardwareEvent::FaultCleared(f)]);
                        }
                        Action::Offline => {
                            self.offline = true;
                            driver.drop_link(real);
                        }
                        Action::Online => self.offline = false,
                        // Refused when the file is read (fleet.rs): the runner's CSMS is
                        // not its own.
                        Action::Csms { .. } | Action::Wait => {}
                    }
                }
            }
        }
    }

    /// Whether the scenario has run and nothing is left to deliver.
    fn finished(&self) -> bool {
        let cp = self.st.driver.cp();
        self.st.script.as_ref().is_some_and(Script::done)
            && cp.undelivered() == 0
            && cp.registration() == Registration::Accepted
    }
}
