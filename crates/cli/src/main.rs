//! `evc`: the native home of the EVC Playground charge point. One binary runs one or ten
//! thousand emulated Teltonika EVC charge points against a CSMS (`evc run`), or a fast
//! loopback CSMS for load tests (`evc csms`), and makes or checks firmware files
//! (`evc firmware pack|check`). See `evc --help`.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line program: the progress line, the summary and the CSMS URL are its output"
)]

/// mimalloc rather than the system's malloc: 7 % less CPU per CALL in the busy fleet and
/// 320 B less per charge point (BENCHMARKS.md, "the lean fleet").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod connect;
mod control;
mod csms;
mod firmware;
mod fleet;
mod merge;
mod shard;
mod station;
mod stats;
mod store;
mod sys;
mod trace;
mod transfer;

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let command = match args::Cli::parse().command {
        args::Cmd::Firmware(f) => return ExitCode::from(firmware::run(f)),
        args::Cmd::Summary(args::SummaryCmd::Merge(m)) => return ExitCode::from(merge::run(&m)),
        other => other,
    };
    let (filter, threads) = match &command {
        args::Cmd::Run(a) => (a.log.clone(), a.threads),
        args::Cmd::Csms(a) => (String::from("info"), a.threads),
        args::Cmd::Firmware(_) | args::Cmd::Summary(_) => return ExitCode::SUCCESS,
    };
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // One thread: the current-thread runtime (no work stealing, no cross-thread
    // wake-ups: 40 → 26 µs of CPU per CALL in the busy fleet on two cores).
    let mut builder = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder.enable_all();
    let runtime = match builder.build() {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async move {
        match command {
            args::Cmd::Run(a) => fleet::run(*a).await,
            args::Cmd::Csms(a) => csms::run(a).await,
            args::Cmd::Firmware(_) | args::Cmd::Summary(_) => 0,
        }
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    ExitCode::from(code)
}
