//! `evc run`: builds every charge point from the command line (refusing bad input before
//! anything connects), runs them, draws the progress line, stops cleanly and sums up.

use std::{io::IsTerminal, sync::Arc, time::Duration};

use chargepoint::{
    ChargePoint, Driver, DriverConfig, Instant, Settings,
    driver::MeterCadence,
    model::{Key, Variant, check_csms_url},
    world::World,
};
use tokio::sync::{Mutex, mpsc, watch};
use tracing::{error, info};

use chargepoint::scenario::{Rng, Scenario, Script};

use crate::{
    args::{Progress, RunArgs, VariantArg, expand_id},
    connect::Tls,
    station::{Report, Station},
    stats::Stats,
    store::StateFile,
    trace::Trace,
    transfer::Transfers,
};

/// Exit codes.
pub(crate) const EXIT_BAD_INPUT: u8 = 2;
/// A charge point's first connection failed.
pub(crate) const EXIT_CONNECT: u8 = 3;
/// The run did not do what it was asked: a transaction message was lost (given up after
/// its attempts), or a scenario step was skipped (its `until` timed out). The summary's
/// `lost` and `skipped` say which.
pub(crate) const EXIT_NOT_DONE: u8 = 4;

/// The home's real time: ms of the process's monotonic clock since the run was built
/// (the driver turns it into engine time at `--speed`).
#[derive(Debug)]
pub(crate) struct Clock {
    origin: tokio::time::Instant,
}

impl Clock {
    fn new() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
        }
    }

    /// Real ms now.
    pub(crate) fn real_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The instant of real time `ms`.
    pub(crate) fn instant(&self, ms: u64) -> tokio::time::Instant {
        self.origin + Duration::from_millis(ms)
    }
}

/// Entropy for one charge point's engine (its reconnect jitter and message-id prefix),
/// fresh at every start of the process: from the OS, or, should that fail, from the
/// hasher keys std draws, the time and the process id.
fn entropy(index: u32) -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_ok() {
        return u64::from_le_bytes(bytes);
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(index);
    h.write_u32(std::process::id());
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// Spaces connection attempts across the fleet (`--connect-rate`).
#[derive(Debug)]
pub(crate) struct Gate {
    next: Mutex<tokio::time::Instant>,
    interval: Duration,
}

impl Gate {
    /// `per_second` 0: no limit.
    fn new(per_second: u32) -> Self {
        Self {
            next: Mutex::new(tokio::time::Instant::now()),
            interval: match per_second {
                0 => Duration::ZERO,
                n => Duration::from_secs(1) / n,
            },
        }
    }

    /// Waits for this attempt's slot.
    pub(crate) async fn wait_turn(&self) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(tokio::time::Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// What every charge point of the run shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) tls: Tls,
    /// File transfers (UpdateFirmware, GetDiagnostics).
    pub(crate) transfers: Arc<Transfers>,
    pub(crate) stats: Stats,
    pub(crate) trace: Option<Trace>,
    pub(crate) clock: Clock,
    pub(crate) gate: Gate,
    pub(crate) keep_trying: bool,
    pub(crate) verbose: bool,
    /// How many charge points run.
    pub(crate) count: u32,
    /// When they were started.
    pub(crate) started: tokio::time::Instant,
}

fn bad(msg: impl std::fmt::Display) -> u8 {
    error!("{msg}");
    EXIT_BAD_INPUT
}

/// The installer's settings from the command line, in the order they must be applied.
fn installer_config(args: &RunArgs) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for kv in &args.config {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--config {kv:?}: expected KEY=VALUE"))?;
        out.push((k.trim().to_owned(), v.to_owned()));
    }
    if let Some(key) = &args.auth_key {
        out.insert(0, (String::from("AuthorizationKey"), key.clone()));
    }
    Ok(out)
}

/// Applies the installer's settings; a raised SecurityProfile goes last (it needs the key).
pub(crate) fn configure(
    cp: &mut ChargePoint,
    now: Instant,
    config: &[(String, String)],
    security_profile: Option<u8>,
    auth_key: bool,
) -> Result<(), String> {
    for (k, v) in config {
        cp.configure(now, k, v).map_err(|e| {
            format!(
                "--config {k}={}: {e}",
                if k == "AuthorizationKey" { "…" } else { v }
            )
        })?;
    }
    let current = cp.configuration().int(Key::SecurityProfile);
    let wanted = match (security_profile, auth_key) {
        (Some(p), _) => Some(i64::from(p)),
        (None, true) if current < 1 => Some(1),
        _ => None,
    };
    if let Some(p) = wanted.filter(|p| *p != current) {
        cp.configure(now, "SecurityProfile", &p.to_string())
            .map_err(|e| format!("--security-profile {p}: {e}"))?;
    }
    Ok(())
}

/// Runs `evc run`; returns the exit code.
#[allow(
    clippy::too_many_lines,
    reason = "one linear story: check, build, run, sum up"
)]
pub(crate) async fn run(args: RunArgs) -> u8 {
    let rss_start = crate::sys::usage().rss_bytes;
    if let Err(e) = check_csms_url(&args.url) {
        return bad(format_args!("{}: {e}", args.url));
    }
    let wss = args.url.starts_with("wss://");
    if args.count == 0 {
        return bad("--count must be at least 1");
    }
    let shard = args.shard.unwrap_or_default();
    let count = shard.size(args.count);
    if count == 0 {
        return bad(format_args!(
            "--shard {shard} has no charge points: --count {} is fewer than {} shards",
            args.count, shard.count
        ));
    }
    let scenario = match &args.scenario {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| Scenario::parse(&t))
            .and_then(|s| {
                if s.has_csms_steps() {
                    Err(String::from(
                        "a do = \"csms\" step has the CSMS send a CALL: only the tab's demo \
                         CSMS can; a real CSMS decides its own CALLs",
                    ))
                } else {
                    Ok(s)
                }
            }) {
            Ok(s) => Some(s),
            Err(e) => return bad(format_args!("scenario {}: {e}", path.display())),
        },
    };
    let speed = args
        .speed
        .or(scenario.as_ref().and_then(|s| s.speed))
        .unwrap_or(1);
    if speed == 0 {
        return bad("--speed must be at least 1");
    }
    let seed = args
        .seed
        .or(scenario.as_ref().and_then(|s| s.seed))
        .unwrap_or(0);
    let profile = args.security_profile.unwrap_or(0);
    if profile >= 2 && !wss {
        return bad(format_args!(
            "security profile {profile} needs a wss:// URL"
        ));
    }
    if profile == 3 && args.cert.is_none() {
        return bad("security profile 3 needs a client certificate: --cert and --key");
    }
    let tls = if wss {
        let client = args.cert.as_deref().zip(args.key.as_deref());
        match Tls::new(args.ca.as_deref(), client) {
            Ok(t) => t,
            Err(e) => return bad(e),
        }
    } else {
        Tls::none()
    };
    // Transfers trust what the CSMS link trusts: the public roots and --ca.
    let transfers = match Tls::new(args.ca.as_deref(), None).and_then(|t| {
        let root = args.state_dir.as_ref().map_or_else(
            || std::env::temp_dir().join(format!("evc-files-{}", std::process::id())),
            |d| d.join("files"),
        );
        Transfers::new(
            t.config().ok_or_else(|| String::from("no TLS settings"))?,
            root,
        )
    }) {
        Ok(t) => Arc::new(t),
        Err(e) => return bad(e),
    };
    let config = match installer_config(&args) {
        Ok(c) => c,
        Err(e) => return bad(e),
    };
    if let Some(dir) = &args.state_dir
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return bad(format_args!("--state-dir {}: {e}", dir.display()));
    }
    let trace = match &args.trace {
        None => None,
        Some(p) => match Trace::open(p) {
            Ok(t) => Some(t),
            Err(e) => return bad(format_args!("--trace {}: {e}", p.display())),
        },
    };
    let fds = crate::sys::raise_fd_limit();
    if u64::from(count) + 64 > fds {
        return bad(format_args!(
            "{count} charge points need {} open files; the limit is {fds} (raise the hard limit: ulimit -Hn)",
            u64::from(count) + 64
        ));
    }
    let clock = Clock::new();
    let driver_config = DriverConfig {
        speed,
        // The meter is read when the engine takes a value (at an input or its own
        // sampling) and the world's changes are foreseen (`World::next_change_ms`), so
        // a periodic reading is only a backstop: each one is a wake-up of every
        // charging box, and at 1 s they were five for every CALL of a busy fleet.
        meter: MeterCadence {
            period_ms: 60_000,
            min_real_ms: 100,
            while_idle: false,
            fresh_on_input: true,
        },
        pings: true,
        ..DriverConfig::default()
    };
    let variant = match args.variant {
        VariantArg::Tethered => Variant::Tethered,
        VariantArg::Socket => Variant::Socket,
    };
    let wall = crate::sys::wall_clock();
    let mut control = match crate::control::Control::open(&args, &config) {
        Ok(c) => c,
        Err(e) => return bad(e),
    };
    let mut stations = Vec::new();
    // The global index (its position in the whole fleet plus --first) names the charge
    // point, its state file and its scenario plan and randomness: the same in any shard.
    for i in shard.positions(args.count) {
        let index = args.first.saturating_add(i);
        let id = match expand_id(&args.id, index) {
            Ok(id) => id,
            Err(e) => return bad(e),
        };
        let mut settings = Settings::new(&id, variant);
        settings.call_timeout_ms = settings.call_timeout_ms.saturating_mul(u64::from(speed));
        settings.trace_frames = false;
        settings.seed = entropy(index);
        settings.csms_url.clone_from(&args.url);
        let state = args.state_dir.as_deref().map(|d| StateFile::new(d, &id));
        let stored = match state.as_ref().map(StateFile::load).transpose() {
            Ok(s) => s.flatten(),
            Err(e) => return bad(e),
        };
        let real = clock.real_ms();
        let config_ = driver_config.clone();
        let mut driver = match stored {
            Some(s) => {
                let world = World::new(s.energy_wh);
                Driver::restore(settings, s, Some(world), config_, real, wall)
            }
            None => Driver::new(settings, Some(World::new(0)), config_, real, wall),
        };
        // The box's key pairs (SignCertificate's CSR) come from the OS's generator.
        let mut key_seed = [0u8; 32];
        if getrandom::getrandom(&mut key_seed).is_ok() {
            driver.cp_mut().provide_key_seed(key_seed);
        }
        let now = driver.now();
        let (profile, key) = (args.security_profile, args.auth_key.is_some());
        if let Err(e) = configure(driver.cp_mut(), now, &config, profile, key) {
            return bad(format_args!("{id}: {e}"));
        }
        driver.flush();
        let script = scenario
            .as_ref()
            .map(|s| Script::new(s.plan_for(index), Rng::new(seed, index)));
        stations.push(Station {
            control: control.as_mut().map(|c| c.add(&id)),
            id,
            driver,
            script,
            state,
        });
    }
    let shared = Arc::new(Shared {
        tls,
        transfers,
        stats: Stats::new(),
        trace,
        clock,
        gate: Gate::new(args.connect_rate),
        keep_trying: args.keep_trying,
        verbose: count <= 10,
        count,
        started: tokio::time::Instant::now(),
    });
    shared
        .stats
        .rss_start_bytes
        .store(rss_start, std::sync::atomic::Ordering::Relaxed);
    info!(
        "{count} charge point(s) {} … against {} at {speed}× speed{}",
        stations.first().map_or("", |s| s.id.as_str()),
        args.url,
        if shard.count > 1 {
            format!(" (shard {shard} of a fleet of {})", args.count)
        } else {
            String::new()
        }
    );
    let (stop_tx, stop_rx) = watch::channel(false);
    let (report_tx, mut reports) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    let with_scenario = scenario.is_some();
    for st in stations {
        tasks.spawn(st.run(shared.clone(), stop_rx.clone(), report_tx.clone()));
    }
    drop(report_tx);
    if let Some(c) = control {
        tasks.spawn(c.serve(stop_rx.clone()));
    }
    let started = tokio::time::Instant::now();
    let progress = match args.progress {
        Progress::Never => None,
        Progress::Always => Some(std::io::stderr().is_terminal()),
        Progress::Auto => std::io::stderr().is_terminal().then_some(true),
    };
    let mut progress_tick = tokio::time::interval(Duration::from_secs(if progress == Some(true) {
        1
    } else {
        5
    }));
    let deadline = args.duration.map(|d| started + d);
    let mut done = 0u32;
    let mut exit = 0u8;
    let mut fatal: Option<String> = None;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let term = terminate();
    tokio::pin!(term);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => { info!("interrupted: stopping"); break; }
            () = &mut term => { info!("terminated: stopping"); break; }
            () = async { match deadline { Some(d) => tokio::time::sleep_until(d).await, None => std::future::pending().await } } => {
                info!("--duration reached: stopping");
                break;
            }
            report = reports.recv() => match report {
                Some(Report::Done) => {
                    done += 1;
                    if with_scenario && done == count {
                        let lost = shared.stats.messages_lost.load(std::sync::atomic::Ordering::Relaxed);
                        let skipped = shared.stats.steps_skipped.load(std::sync::atomic::Ordering::Relaxed);
                        if lost == 0 && skipped == 0 {
                            info!("every scenario has run and everything was delivered");
                        } else {
                            error!("every scenario has run, but {lost} transaction message(s) were lost and {skipped} step(s) skipped (see the summary)");
                        }
                        break;
                    }
                }
                Some(Report::Fatal(e)) => { fatal = Some(e); exit = EXIT_CONNECT; break; }
                None => break,
            },
            _ = progress_tick.tick() => {
                if let Some(tty) = progress {
                    let line = shared.stats.progress_line(count, started.elapsed());
                    if tty { eprint!("\r{line}\x1b[K"); } else { eprintln!("{line}"); }
                }
            }
        }
    }
    if progress == Some(true) {
        eprintln!();
    }
    if let Some(e) = &fatal {
        error!("{e}");
    }
    shared.stats.rss_running_bytes.store(
        crate::sys::usage().rss_bytes,
        std::sync::atomic::Ordering::Relaxed,
    );
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    let summary = shared.stats.summary(count, started.elapsed(), shard);
    if exit == 0 && (summary.messages_lost > 0 || summary.steps_skipped > 0) {
        exit = EXIT_NOT_DONE;
    }
    let _ = summary.print(&mut std::io::stderr());
    if let Some(path) = &args.summary_json {
        let json = serde_json::to_string_pretty(&summary).unwrap_or_default();
        if let Err(e) = std::fs::write(path, json + "\n") {
            error!("--summary-json {}: {e}", path.display());
        }
    }
    exit
}

/// SIGTERM (Unix), like Ctrl-C.
async fn terminate() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut s) = signal(SignalKind::terminate()) {
            s.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await;
}
