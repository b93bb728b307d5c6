//! The firmware image: lint, build, check its size against the budget, and run its
//! self-test under QEMU (mps2-an386, a Cortex-M4).

use std::{
    process::{Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

use crate::util::{cmd, root, run};

/// Flash budget of the image (text + rodata + data).
const FLASH_BUDGET: u64 = 256 * 1024;
/// The self-test takes about a second; this is far beyond that.
const QEMU_LIMIT: Duration = Duration::from_secs(180);

fn in_firmware(program: &str, args: &[&str]) -> Command {
    let mut c = cmd(program, args);
    c.current_dir(root().join("crates/firmware"));
    c
}

/// The image's sizes from `arm-none-eabi-size`: (text, data, bss).
pub(crate) fn sizes() -> Result<(u64, u64, u64), String> {
    let out = in_firmware(
        "arm-none-eabi-size",
        &["target/thumbv7em-none-eabihf/release/firmware"],
    )
    .output()
    .map_err(|e| format!("could not run arm-none-eabi-size: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<u64> = text
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .filter_map(|n| n.parse().ok())
        .collect();
    match numbers[..] {
        [t, d, b] => Ok((t, d, b)),
        _ => Err(format!("unexpected arm-none-eabi-size output: {text}")),
    }
}

/// Runs a command, killing it after `limit`.
fn run_limited(mut c: Command, limit: Duration) -> Result<(), String> {
    let mut child = c
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start QEMU: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("the firmware self-test failed ({status})")),
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                return Err(format!(
                    "the firmware self-test did not end within {} s",
                    limit.as_secs()
                ));
            }
            Ok(None) => sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("waiting for QEMU: {e}")),
        }
    }
}

/// Lints, builds, measures and runs the image.
pub(crate) fn check() -> Result<(), String> {
    run(in_firmware("cargo", &["fmt", "--", "--check"]))?;
    run(in_firmware(
        "cargo",
        &["clippy", "--release", "--", "-D", "warnings"],
    ))?;
    run(in_firmware("cargo", &["build", "--release"]))?;
    let (text, data, bss) = sizes()?;
    println!(
        "firmware: flash {} B (text+rodata {text}, data {data}), static RAM {} B (data {data}, bss {bss})",
        text + data,
        data + bss
    );
    if text + data > FLASH_BUDGET {
        return Err(format!(
            "firmware flash {} B is over the {FLASH_BUDGET} B budget",
            text + data
        ));
    }
    let elf = "target/thumbv7em-none-eabihf/release/firmware";
    let qemu = in_firmware(
        "qemu-system-arm",
        &[
            "-cpu",
            "cortex-m4",
            "-machine",
            "mps2-an386",
            "-nographic",
            "-semihosting-config",
            "enable=on,target=native",
            "-kernel",
            elf,
        ],
    );
    run_limited(qemu, QEMU_LIMIT)
}
