//! The browser playground: `cargo xtask serve`, and its check in `cargo xtask test`
//! (a release build, its weight, and headless Chromium running it).

use std::{
    fs,
    net::TcpListener,
    process::{Child, Command, Stdio},
    thread::sleep,
    time::Duration,
};

use crate::{
    setup::{Component, ensure},
    util::{cmd, output, root, run},
};

/// Page weight budget: wasm + JS + CSS, gzipped.
const WEIGHT_BUDGET: usize = 300 * 1000;

fn tools() -> Result<(), String> {
    ensure(&[
        Component::Targets,
        Component::WasmOpt,
        Component::WasmBindgen,
        Component::Trunk,
        Component::Terser,
    ])?;
    run(cmd("cargo", &["fetch"]))
}

/// Builds the release page into `dist/`.
pub(crate) fn build() -> Result<(), String> {
    tools()?;
    run(cmd("trunk", &["build", "--release", "--offline"]))
}

/// `cargo xtask serve`: installs what is missing, builds the release page and serves it.
pub(crate) fn serve() -> Result<(), String> {
    tools()?;
    println!("\nEVC Playground: http://127.0.0.1:8080/ (Ctrl-C to stop)\n");
    run(cmd(
        "trunk",
        &[
            "serve",
            "--release",
            "--offline",
            "--address",
            "127.0.0.1",
            "--port",
            "8080",
        ],
    ))
}

fn gzip_len(path: &std::path::Path) -> Result<usize, String> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len())
}

/// Budget of the scenario module (`scenario.js` + `scenario_bg.wasm`, gzipped), which
/// the page fetches the first time a scenario runs.
const SCENARIO_BUDGET: usize = 60 * 1000;

/// wasm + JS + CSS of `dist/`, gzipped: (what the page loads, the scenario module).
fn weight() -> Result<(usize, usize), String> {
    let (mut page, mut scenario) = (0, 0);
    let entries = fs::read_dir(root().join("dist")).map_err(|e| format!("reading dist/: {e}"))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path
            .extension()
            .is_some_and(|e| e == "wasm" || e == "js" || e == "css")
        {
            let on_demand = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("scenario"));
            *if on_demand { &mut scenario } else { &mut page } += gzip_len(&path)?;
        }
    }
    Ok((page, scenario))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// A `--trace` of the native runner: two charge points against `evc csms`, each plugged,
/// authorized, charging and unplugged (`tests/web/runner-scenario.toml`), at 100×.
fn runner_trace() -> Result<std::path::PathBuf, String> {
    run(cmd("cargo", &["build", "-q", "-p", "evc", "--bin", "evc"]))?;
    let evc = root().join("target/debug/evc");
    let port = free_port()?;
    let listen = format!("127.0.0.1:{port}");
    let csms = Command::new(&evc)
        .args(["csms", "--listen", &listen, "--stats-every", "0"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start evc csms: {e}"))?;
    let _csms = Server(csms);
    sleep(Duration::from_millis(500));
    let trace = std::env::temp_dir().join(format!("evc-runner-trace-{port}.jsonl"));
    let mut runner = Command::new(&evc);
    runner
        .args([
            "run",
            &format!("ws://{listen}/"),
            "--count",
            "2",
            "--speed",
            "100",
        ])
        .args(["--duration", "20s", "--progress", "never", "--scenario"])
        .arg(root().join("tests/web/runner-scenario.toml"))
        .arg("--trace")
        .arg(&trace)
        .stdout(Stdio::null());
    run(runner)?;
    Ok(trace)
}

/// Builds the page, checks its weight, and has headless Chromium run it: the engine
/// must boot against the built-in demo CSMS and the panel must show it.
pub(crate) fn check() -> Result<(), String> {
    ensure(&[
        Component::Chromium,
        Component::Playwright,
        Component::Python,
        Component::WasmPack,
    ])?;
    build()?;
    let (weight, scenario) = weight()?;
    println!("web: page weight {weight} B gzipped (wasm + JS + CSS), budget {WEIGHT_BUDGET} B");
    println!(
        "web: scenario module {scenario} B gzipped (fetched when a scenario first runs), budget {SCENARIO_BUDGET} B"
    );
    if weight > WEIGHT_BUDGET {
        return Err(format!(
            "page weight {weight} B is over the {WEIGHT_BUDGET} B budget"
        ));
    }
    if scenario == 0 || scenario > SCENARIO_BUDGET {
        return Err(format!(
            "the scenario module weighs {scenario} B (budget {SCENARIO_BUDGET} B; 0: not built)"
        ));
    }
    let port = free_port()?;
    let server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(root().join("dist"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start a static server: {e}"))?;
    let _server = Server(server);
    sleep(Duration::from_millis(500));
    let profile = std::env::temp_dir().join(format!("evc-chromium-{port}"));
    let url = format!("http://127.0.0.1:{port}/");
    let dom = output(
        "chromium",
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--virtual-time-budget=5000",
            "--dump-dom",
            &url,
        ],
    )
    .ok_or("headless Chromium did not run")?;
    let _ = fs::remove_dir_all(&profile);
    for needle in [
        "status-light",
        "BootNotification",
        "StatusNotification",
        "Available",
        "Demo CSMS",
    ] {
        if !dom.contains(needle) {
            return Err(format!(
                "the page in Chromium does not show \"{needle}\"; DOM:\n{}",
                dom.chars().take(2000).collect::<String>()
            ));
        }
    }
    println!("web: headless Chromium ran the page: the engine booted against the demo CSMS");
    let playwright_core = format!("{}/", crate::util::tools().join("playwright").display());
    // A person's session through Playwright: plug, card, charge, blocked card, unplug;
    // the trace replay also loads what the native runner wrote.
    let runner_trace = runner_trace()?;
    let mut playground = cmd(
        "node",
        &[
            "tests/web/playground.mjs",
            &url,
            &runner_trace.to_string_lossy(),
        ],
    );
    playground.env("PLAYWRIGHT_CORE", &playwright_core);
    let result = run(playground);
    let _ = fs::remove_file(&runner_trace);
    result?;
    // The CSMS console of demo mode: every CSMS action, the key helper, the period builder.
    let mut console = cmd("node", &["tests/web/console.mjs", &url]);
    console.env("PLAYWRIGHT_CORE", &playwright_core);
    run(console)?;
    // The keyboard and the projector: one column at 1024 px, Tab and Enter, the keys, the
    // large panel.
    let mut keys = cmd("node", &["tests/web/keys.mjs", &url]);
    keys.env("PLAYWRIGHT_CORE", &playwright_core);
    run(keys)?;
    // Scenarios in the tab: the module on demand, a broken file, the ready "offline" and
    // "peak-hours" scenarios.
    let mut scenario = cmd("node", &["tests/web/scenario.mjs", &url]);
    scenario.env("PLAYWRIGHT_CORE", &playwright_core);
    run(scenario)?;
    // The same page against an independent CSMS (PyPI `ocpp`) over a real WebSocket,
    // reloaded mid-transaction.
    let csms_port = free_port()?;
    let log = std::env::temp_dir().join(format!("evc-csms-{csms_port}.jsonl"));
    fs::write(&log, "").map_err(|e| format!("creating {}: {e}", log.display()))?;
    let python = crate::setup::venv_python();
    let csms = Command::new(&python)
        .arg("tests/web/csms.py")
        .arg(csms_port.to_string())
        .arg(&log)
        .current_dir(root())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start the test CSMS: {e}"))?;
    let _csms = Server(csms);
    sleep(Duration::from_millis(1500));
    let csms_url = format!("ws://127.0.0.1:{csms_port}/");
    let mut live = cmd(
        "node",
        &[
            "tests/web/live.mjs",
            &url,
            &csms_url,
            &log.to_string_lossy(),
        ],
    );
    live.env("PLAYWRIGHT_CORE", &playwright_core);
    // The example of a CSMS team's own Playwright test: only `window.evc`.
    let mut api = cmd(
        "node",
        &["tests/web/api.mjs", &url, &csms_url, &log.to_string_lossy()],
    );
    api.env("PLAYWRIGHT_CORE", &playwright_core);
    let result = run(live)
        .and_then(|()| run(api))
        .and_then(|()| browser_suite(csms_port));
    let _ = fs::remove_file(&log);
    result
}

/// The wasm-bindgen-test suites of `crates/web/tests` in headless Chromium, with the
/// test CSMS's port compiled in.
fn browser_suite(csms_port: u16) -> Result<(), String> {
    let port = csms_port.to_string();
    let wasm = ["--target", "wasm32-unknown-unknown", "-p", "web"];
    let mut clippy = cmd("cargo", &["clippy"]);
    clippy
        .args(wasm)
        .args(["--all-targets", "--", "-D", "warnings"])
        .env("EVC_TEST_CSMS_PORT", &port);
    run(clippy)?;
    let mut tests = cmd("cargo", &["test"]);
    tests
        .args(wasm)
        .args(["--test", "browser"])
        .env("EVC_TEST_CSMS_PORT", &port)
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", "/usr/bin/chromedriver");
    run(tests)?;
    // The test kit's example the way its users run it: wasm-pack test in headless Chrome.
    let mut kit = cmd(
        "wasm-pack",
        &[
            "test",
            "--headless",
            "--chrome",
            "--chromedriver",
            "/usr/bin/chromedriver",
            "crates/web",
            "--test",
            "kit",
        ],
    );
    kit.env("EVC_TEST_CSMS_PORT", &port);
    run(kit)
}
