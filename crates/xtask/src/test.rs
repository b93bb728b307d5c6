//! `cargo xtask test`: every check CI runs, in order, with a summary.

use std::time::Instant;

use crate::{
    setup::{Component, TARGETS, ensure, venv_python},
    util::{cmd, run},
};

/// The no_std core crates, built for every embedded and browser target.
pub(crate) const CORE_CRATES: [&str; 2] = ["ocpp16", "chargepoint"];

/// The steps, by name.
pub(crate) const STEPS: [&str; 8] = [
    "fmt", "clippy", "doc", "test", "nostd", "firmware", "web", "schema",
];

fn step(name: &str) -> Result<(), String> {
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
        "test" => run(cmd("cargo", &["test", "--workspace"])),
        "nostd" => {
            for target in TARGETS {
                for krate in CORE_CRATES {
                    println!("--- {krate} for {target}");
                    run(cmd(
                        "cargo",
                        &["build", "--release", "-p", krate, "--target", target],
                    ))?;
                }
            }
            Ok(())
        }
        "firmware" => crate::firmware::check(),
        "web" => crate::web::check(),
        "schema" => {
            let py = venv_python();
            let mut c = cmd(
                &py.to_string_lossy(),
                &["-m", "pytest", "tests/schema", "-q"],
            );
            let status = c
                .status()
                .map_err(|e| format!("could not start pytest: {e}"))?;
            match status.code() {
                Some(0) => Ok(()),
                Some(5) => Err(String::from("pytest collected no tests in tests/schema")),
                _ => Err(format!("pytest tests/schema failed ({status})")),
            }
        }
        other => Err(format!(
            "unknown step `{other}` (steps: {})",
            STEPS.join(", ")
        )),
    }
}

/// Runs the steps (all, or those `--only` names, less those `--skip` names).
pub(crate) fn test(args: &[String]) -> Result<(), String> {
    let mut only: Option<Vec<String>> = None;
    let mut skip: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let list = || {
            it.clone()
                .next()
                .map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>())
        };
        match arg.as_str() {
            "--only" => only = list(),
            "--skip" => skip = list().unwrap_or_default(),
            other => {
                return Err(format!(
                    "unknown argument `{other}` (use --only or --skip STEP[,STEP])"
                ));
            }
        }
        it.next();
    }
    let steps: Vec<&str> = STEPS
        .into_iter()
        .filter(|s| only.as_ref().is_none_or(|o| o.iter().any(|x| x == s)))
        .filter(|s| !skip.iter().any(|x| x == s))
        .collect();
    let mut needs = vec![Component::Targets];
    if steps.contains(&"schema") {
        needs.push(Component::Python);
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
        ]);
    }
    println!("==> setup");
    ensure(&needs)?;
    let mut results = Vec::new();
    for name in steps {
        println!("\n==> {name}");
        let started = Instant::now();
        let result = step(name);
        if let Err(e) = &result {
            eprintln!("xtask: step {name}: {e}");
        }
        results.push((name, result.is_ok(), started.elapsed().as_secs_f64()));
    }
    println!("\n==> summary");
    for (name, ok, secs) in &results {
        println!(
            "  {:<8} {:<4} {secs:>7.1} s",
            name,
            if *ok { "ok" } else { "FAIL" }
        );
    }
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
