//! `evc run` against `evc csms`, both as real processes over real sockets: a small fleet
//! runs a scenario to its end, and the summary adds up.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failure is a panic"
)]

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
};

struct Csms(Child, String);

impl Csms {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_evc"))
            .args(["csms", "--listen", "127.0.0.1:0", "--stats-every", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("ws://127.0.0.1:"), "{line}");
        Self(child, line.trim().to_owned())
    }
}

impl Drop for Csms {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evc-loopback-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SCENARIO: &str = r#"
speed = 60
seed = 9
repeat = 2
ev = { battery_kwh = 50, soc = "10..50", max_current = 16 }
[[step]]
wait = "1s..10s"
do = "plug"
[[step]]
wait = "2s"
do = "tap"
card = "AAA111"
[[step]]
until = "Charging"
wait = "10m"
do = "tap"
card = "AAA111"
[[step]]
wait = "5s"
do = "unplug"
"#;

#[test]
fn a_fleet_runs_its_scenario_to_the_end_and_the_summary_adds_up() {
    let csms = Csms::start();
    let dir = tmp("fleet");
    std::fs::write(dir.join("s.toml"), SCENARIO).unwrap();
    let summary = dir.join("summary.json");
    let trace = dir.join("trace.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_evc"))
        .args(["run", &csms.1, "--count", "20", "--id", "LB{00}"])
        .arg("--scenario")
        .arg(dir.join("s.toml"))
        .arg("--state-dir")
        .arg(dir.join("state"))
        .arg("--trace")
        .arg(&trace)
        .arg("--summary-json")
        .arg(&summary)
        .args([
            "--config",
            "MeterValueSampleInterval=60",
            "--duration",
            "120s",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("every scenario has run"), "{stderr}");
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["charge_points"], 20);
    assert_eq!(s["ever_connected"], 20);
    assert_eq!(s["transactions_started"], 40, "{s}");
    assert_eq!(s["transactions_stopped"], 40, "{s}");
    assert_eq!(s["callerrors_sent"], 0);
    assert_eq!(s["callerrors_received"], 0);
    assert_eq!(
        s["frames_sent"], s["frames_received"],
        "every CALL answered"
    );
    assert!(
        s["energy_wh"].as_u64().unwrap() > 20 * 2 * 1000,
        "10 min at 16 A: {s}"
    );
    // Each charge point's two transactions stopped by the same card (reason Local), and
    // the trace holds every frame both ways.
    let trace = std::fs::read_to_string(&trace).unwrap();
    let lines: Vec<serde_json::Value> = trace
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len() as u64,
        s["frames_sent"].as_u64().unwrap() + s["frames_received"].as_u64().unwrap()
    );
    let stops: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["frame"].as_str())
        .filter(|f| f.contains("\"StopTransaction\""))
        .collect();
    assert_eq!(stops.len(), 40);
    assert!(
        stops.iter().all(|f| f.contains("\"reason\":\"Local\"")),
        "{stops:?}"
    );
    for i in 0..20 {
        assert!(dir.join("state").join(format!("LB{i:02}.json")).exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_input_is_refused_before_anything_connects() {
    let dir = tmp("bad");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_evc"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["run", "ws://127.0.0.1:1/ocpp"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("must end with \"/\""), "{err}");
    std::fs::write(dir.join("bad.toml"), "[[step]]\ndo = \"jump\"").unwrap();
    let scenario = dir.join("bad.toml");
    let (code, err) = run(&[
        "run",
        "ws://127.0.0.1:1/",
        "--scenario",
        &scenario.to_string_lossy(),
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("step[0]: do = \"jump\""), "{err}");
    let (code, err) = run(&[
        "run",
        "ws://127.0.0.1:1/",
        "--config",
        "HeartbeatInterval=abc",
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("HeartbeatInterval"), "{err}");
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("CP0000.json"), "{not json").unwrap();
    let (code, err) = run(&[
        "run",
        "ws://127.0.0.1:1/",
        "--state-dir",
        &state.to_string_lossy(),
    ]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("CP0000.json") && err.contains("left as it is"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(state.join("CP0000.json")).unwrap(),
        "{not json"
    );
    let (code, err) = run(&["run", "ws://127.0.0.1:1/", "--security-profile", "2"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("wss://"), "{err}");
    let (code, err) = run(&["run", "ws://127.0.0.1:1/"]);
    assert_eq!(code, Some(3));
    assert!(err.contains("unreachable"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
