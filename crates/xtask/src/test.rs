//! `cargo xtask test`: every check CI runs, in order, with a summary.

use std::time::Instant;

use crate::{
    setup::{Component, STATIC_TARGET, TARGETS, ensure, venv_python},
    util::{cmd, run},
};

/// The no_std core crates, built for every embedded and browser target.
pub(crate) const CORE_CRATES: [&str; 2] = ["ocpp16", "chargepoint"];

/// The steps, by name.
pub(crate) const STEPS: [&str; 9] = [
    "fmt", "clippy", "doc", "test", "nostd", "firmware", "web", "schema", "e2e",
];

/// Runs one step; `ran_tests` says whether this run's `test` step already ran.
fn step(name: &str, ran_tests: bool) -> Result<(), String> {
    match name {
        "fmt" => run(cmd("cargo", &["fmt", "--all", "--", "--check"])),
        "clippy" => run(cmd(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )),
        "doc" => {
            let mut c = cmd("cargo", &["doc", "--workspace", "--no-deps"]);
            c.env("RUSTDOCFLAGS", "-D warnings");
            run(c)
        }
        "test" => {
            run(cmd("cargo", &["test", "--workspace"]))?;
            // The core again without the fast decode path: the decoder the tab and the
            // MCU ship (the crash property with fewer cases: it ran in full above).
            let mut core = cmd(
                "cargo",
                &[
                    "test",
                    "-p",
                    "ocpp16",
                    "-p",
                    "chargepoint",
                    "--no-default-features",
                ],
            );
            core.env("PROPTEST_CASES", "500");
            run(core)
        }
        "nostd" => nostd(),
        "firmware" => crate::firmware::check(),
        "web" => crate::web::check(),
        "schema" => schema(ran_tests),
        "e2e" => e2e(),
        other => Err(format!(
            "unknown step `{other}` (steps: {})",
            STEPS.join(", ")
        )),
    }
}

/// Every core crate for every target; all are built even when one fails.
fn nostd() -> Result<(), String> {
    let mut failed = Vec::new();
    for target in TARGETS {
        for krate in CORE_CRATES {
            println!("--- {krate} for {target}");
            let build = cmd(
                "cargo",
                &["build", "--release", "-p", krate, "--target", target],
            );
            if let Err(e) = run(build) {
                eprintln!("xtask: {e}");
                failed.push(format!("{krate} for {target}"));
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("no_std builds failed: {}", failed.join(", ")))
    }
}

/// The schema suite. It also checks the frames `cargo test -p chargepoint` writes, so
/// when this run did not run the `test` step, those tests run first.
fn schema(ran_tests: bool) -> Result<(), String> {
    if !ran_tests {
        println!("--- cargo test -p chargepoint (writes the engine frames the suite checks)");
        run(cmd("cargo", &["test", "--quiet", "-p", "chargepoint"]))?;
    }
    pytest("tests/schema", &[])
}

/// The end-to-end suite: the native runner against CSMSs written with PyPI `ocpp` and
/// `ocpp-csms`.
fn e2e() -> Result<(), String> {
    println!("--- cargo build -p evc (the runner the suite drives)");
    run(cmd("cargo", &["build", "--quiet", "-p", "evc"]))?;
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| crate::util::root().join("target"),
        std::path::PathBuf::from,
    );
    let evc = target.join("debug").join("evc");
    println!(
        "--- cargo build --release --locked --target {STATIC_TARGET} -p evc (the container image's static binary)"
    );
    let mut build = cmd(
        "cargo",
        &[
            "build",
            "--quiet",
            "--release",
            "--locked",
            "--target",
            STATIC_TARGET,
            "-p",
            "evc",
        ],
    );
    build
        .env("CC_x86_64_unknown_linux_musl", "musl-gcc")
        .env("CARGO_PROFILE_RELEASE_STRIP", "symbols");
    run(build)?;
    let static_evc = target.join(STATIC_TARGET).join("release").join("evc");
    pytest(
        "tests/e2e",
        &[
            ("EVC_BIN", &evc.to_string_lossy()),
            ("EVC_STATIC_BIN", &static_evc.to_string_lossy()),
        ],
    )
}

/// Runs a pytest suite in the project's venv; no test collected is a failure.
fn pytest(dir: &str, env: &[(&str, &str)]) -> Result<(), String> {
    let py = venv_python();
    let mut c = cmd(&py.to_string_lossy(), &["-m", "pytest", dir, "-q"]);
    for (k, v) in env {
        c.env(k, v);
    }
    let status = c
        .status()
        .map_err(|e| format!("could not start pytest ({}): {e}", py.display()))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(5) => Err(format!(
            "pytest collected no tests in {dir} (exit code 5), which counts as a failure",
        )),
        _ => Err(format!(
            "pytest {dir} failed ({status})\n  rerun it alone: cd {} && .tools/venv/bin/python -m pytest {dir} -q",
            crate::util::root().display()
        )),
    }
}

/// Step names from a `--only`/`--skip` value, each checked.
fn step_list(flag: &str, value: Option<&String>) -> Result<Vec<&'static str>, String> {
    let value = value.ok_or_else(|| {
        format!(
            "{flag} needs a value: STEP[,STEP] (steps: {})",
            STEPS.join(", ")
        )
    })?;
    value
        .split(',')
        .map(|name| {
            STEPS.into_iter().find(|s| *s == name).ok_or_else(|| {
                format!(
                    "unknown step `{name}` in {flag} (steps: {})",
                    STEPS.join(", ")
                )
            })
        })
        .collect()
}

/// Runs the steps (all, or those `--only` names, less those `--skip` names).
pub(crate) fn test(args: &[String]) -> Result<(), String> {
    let mut only: Option<Vec<&str>> = None;
    let mut skip: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--only" => only = Some(step_list("--only", it.next())?),
            "--skip" => skip.extend(step_list("--skip", it.next())?),
            other => {
                return Err(format!(
                    "unknown argument `{other}` (use --only or --skip STEP[,STEP])"
                ));
            }
        }
    }
    let steps: Vec<&str> = STEPS
        .into_iter()
        .filter(|s| only.as_ref().is_none_or(|o| o.contains(s)))
        .filter(|s| !skip.contains(s))
        .collect();
    if steps.is_empty() {
        return Err(String::from("--only and --skip leave no step to run"));
    }
    let mut needs = vec![Component::Targets];
    if steps.contains(&"schema") || steps.contains(&"e2e") {
        needs.push(Component::Python);
    }
    if steps.contains(&"e2e") {
        needs.push(Component::Musl);
    }
    if steps.contains(&"firmware") {
        needs.push(Component::Qemu);
    }
    if steps.contains(&"web") {
        needs.extend([
            Component::Chromium,
            Component::Playwright,
            Component::WasmOpt,
            Component::WasmBindgen,
            Component::Trunk,
            Component::WasmPack,
        ]);
    }
    println!("==> setup");
    ensure(&needs).map_err(|e| format!("setup failed, so no step ran: {e}"))?;
    let mut results = Vec::new();
    let ran_tests = steps.contains(&"test");
    for name in steps {
        println!("\n==> {name}");
        let started = Instant::now();
        let result = step(name, ran_tests);
        let secs = started.elapsed().as_secs_f64();
        match &result {
            Ok(()) => println!("<== {name}: ok in {secs:.1} s"),
            Err(e) => eprintln!("<== {name}: FAILED in {secs:.1} s\nxtask: step {name}: {e}"),
        }
        results.push((name, result.is_ok(), secs));
    }
    println!("\n==> summary");
    println!("  {:<8} {:<6} {:>9}", "step", "result", "seconds");
    for (name, ok, secs) in &results {
        let verdict = if *ok { "ok" } else { "FAIL" };
        println!("  {name:<8} {verdict:<6} {secs:>9.1}");
    }
    let total: f64 = results.iter().map(|r| r.2).sum();
    println!("  {:<8} {:<6} {total:>9.1}", "total", "");
    let failed: Vec<&str> = results.iter().filter(|r| !r.1).map(|r| r.0).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "failed steps: {} (rerun one with `cargo xtask test --only STEP`)",
            failed.join(", ")
        ))
    }
}
