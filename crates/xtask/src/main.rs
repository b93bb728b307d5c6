//! Developer tasks for EVC Playground: `cargo xtask setup | test | bench | serve`.
//!
//! `setup` installs what is missing at pinned versions; `test` runs every check CI runs
//! (the README's test command); `bench` runs the benchmarks whose figures BENCHMARKS.md
//! records.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on the terminal"
)]

mod firmware;
mod fleet;
mod setup;
mod test;
mod util;
mod web;

use std::process::ExitCode;

use setup::{Component, ensure};
use util::{cmd, run};

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  setup [--only C[,C]]       install what is missing (components: targets, python, chromium,
                             wasm-opt, wasm-bindgen, trunk, qemu, playwright, musl,
                             terser;
                             default: all)
  test [--only S] [--skip S] every check CI runs (steps: fmt, clippy, doc, test, nostd,
                             firmware, web, schema, e2e)
  bench [-- ARGS]            the benchmarks behind BENCHMARKS.md (criterion)
  bench fleet [--count N] [--duration S] [--connect-rate N]
        [--runs connect,target,busy] [-- EVC-RUN-ARGS]
                             the native runner's fleet benchmark (10,000 charge points;
                             what follows -- goes to every evc run)
  serve                      build the browser playground and serve it on http://127.0.0.1:8080/";

fn setup(args: &[String]) -> Result<(), String> {
    let components = match args {
        [] => Component::ALL.to_vec(),
        [flag, list] if flag == "--only" => list
            .split(',')
            .map(Component::parse)
            .collect::<Result<_, _>>()?,
        _ => return Err(format!("setup takes `--only C[,C]`\n\n{USAGE}")),
    };
    ensure(&components)?;
    println!(
        "\nput .tools/binaryen/node_modules/.bin and ~/.cargo/bin on PATH to use the tools outside xtask"
    );
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    let extra: Vec<&str> = args
        .iter()
        .skip_while(|a| *a == "--")
        .map(String::as_str)
        .collect();
    if extra.first() == Some(&"fleet") {
        return fleet::bench(extra.get(1..).unwrap_or_default());
    }
    for (krate, bench) in [("ocpp16", "wire"), ("chargepoint", "engine")] {
        let mut all = vec!["bench", "-p", krate, "--bench", bench];
        if !extra.is_empty() {
            all.push("--");
            all.extend(&extra);
        }
        run(cmd("cargo", &all))?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (task, rest) = match args.split_first() {
        Some((t, r)) => (t.as_str(), r),
        None => ("help", &[][..]),
    };
    let result = match task {
        "setup" => setup(rest),
        "test" => test::test(rest),
        "bench" => bench(rest),
        "serve" => web::serve(),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
