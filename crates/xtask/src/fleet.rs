//! `cargo xtask bench fleet`: the native runner's fleet benchmark against its loopback
//! CSMS (`evc csms`, a separate process answering every CALL at once).
//!
//! Three runs, each against a CSMS of its own, each printing the runner's summary
//! (figures for BENCHMARKS.md):
//! 1. connect: 10,000 charge points connecting at once (`--connect-rate 0`) for 5 s, for
//!    the connect rate (`connects_per_s` in its summary). It runs first: every run leaves
//!    its connections in TIME_WAIT for a minute, and with 30,000 of them on the loopback
//!    the kernel's search for a free source port halved the rate (16,000 → 7,600/s);
//! 2. the target: the same number connected, 1,000 of them charging with 5 s meter
//!    samples (`crates/cli/benches/fleet.toml`);
//! 3. busy: every charge point charging at 10× speed (20,000 CALLs/s), for CPU per frame.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Stdio},
};

use crate::util::{cmd, root, run};

/// Options: `--count N` (10000), `--duration S` (120), `--connect-rate N` (2000),
/// `--runs connect,target,busy` (all three); what follows `--` goes to every `evc run`
/// (e.g. `-- --control 127.0.0.1:0` for the cost of an unused control channel).
pub(crate) fn bench(args: &[&str]) -> Result<(), String> {
    let mut count = "10000";
    let mut duration = "120";
    let mut rate = "2000";
    let mut only = "connect,target,busy";
    let (args, extra) = match args.iter().position(|a| *a == "--") {
        Some(at) => (
            args.get(..at).unwrap_or_default(),
            args.get(at + 1..).unwrap_or_default(),
        ),
        None => (args, &[][..]),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match *flag {
            "--count" => count = value,
            "--duration" => duration = value,
            "--connect-rate" => rate = value,
            "--runs" => only = value,
            other => return Err(format!("bench fleet: unknown option {other}")),
        }
    }
    let only: Vec<&str> = only.split(',').map(str::trim).collect();
    if let Some(bad) = only
        .iter()
        .find(|r| !["connect", "target", "busy"].contains(r))
    {
        return Err(format!(
            "bench fleet --runs: no run {bad:?} (connect, target, busy)"
        ));
    }
    run(cmd("cargo", &["build", "--release", "-p", "evc"]))?;
    let evc = root().join("target/release/evc");
    let evc = evc.to_string_lossy();
    let out = root().join("target/tmp");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let scenario = root().join("crates/cli/benches/fleet.toml");
    let all = out.join("fleet-all-charging.toml");
    let text = std::fs::read_to_string(&scenario).map_err(|e| e.to_string())?;
    let last = count
        .parse::<u32>()
        .map_err(|_| "--count: a number")?
        .saturating_sub(1);
    std::fs::write(
        &all,
        text.replace("cps = \"0..999\"", &format!("cps = \"0..{last}\"")),
    )
    .map_err(|e| e.to_string())?;
    let duration = format!("{duration}s");
    let timed = |scenario: &str, speed: &str| -> Vec<String> {
        [
            "--scenario",
            scenario,
            "--speed",
            speed,
            "--config",
            "MeterValueSampleInterval=5",
            "--duration",
            &duration,
            "--connect-rate",
            rate,
            "--progress",
            "always",
        ]
        .map(String::from)
        .to_vec()
    };
    let burst: Vec<String> = [
        "--connect-rate",
        "0",
        "--duration",
        "5s",
        "--progress",
        "never",
    ]
    .map(String::from)
    .to_vec();
    let runs = [
        ("connect", String::from("connecting at once, 5 s"), burst),
        (
            "target",
            format!("scenario {}, 1x", scenario.display()),
            timed(&scenario.to_string_lossy(), "1"),
        ),
        (
            "busy",
            format!("scenario {}, 10x", all.display()),
            timed(&all.to_string_lossy(), "10"),
        ),
    ];
    for (name, what, options) in runs {
        if !only.contains(&name) {
            continue;
        }
        let summary = out.join(format!("fleet-{name}.json"));
        println!("\n== fleet {name}: {count} charge points, {what} ==");
        let summary_arg = summary.to_string_lossy().into_owned();
        // A CSMS of its own per run: the connect run measured 7,000/s against the CSMS
        // the busy run had just left with 10,000 closed connections, 14,000/s against a
        // fresh one.
        let mut csms = Csms::start(&evc)?;
        let mut argv: Vec<&str> = vec!["run", &csms.url, "--count", count];
        argv.extend(options.iter().map(String::as_str));
        argv.extend(["--summary-json", &summary_arg]);
        argv.extend(extra.iter().copied());
        let result = run(cmd(&evc, &argv));
        csms.stop();
        result?;
        println!("summary: {}", summary.display());
    }
    Ok(())
}

/// The loopback CSMS process.
struct Csms {
    child: Child,
    url: String,
}

impl Csms {
    fn start(evc: &str) -> Result<Self, String> {
        let mut child = cmd(
            evc,
            &["csms", "--listen", "127.0.0.1:0", "--stats-every", "30"],
        )
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("evc csms: {e}"))?;
        let stdout = child.stdout.take().ok_or("evc csms: no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("evc csms: {e}"))?;
        let url = line.trim().to_owned();
        if !url.starts_with("ws://") {
            let _ = child.kill();
            return Err(format!("evc csms printed {url:?} instead of its URL"));
        }
        Ok(Self { child, url })
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
