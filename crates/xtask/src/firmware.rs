//! The firmware images: lint, build both, check their sizes and the self-test's heap
//! against the budgets, print a size breakdown by crate, feed the product image broken
//! frames over its serial line, and run the self-test under QEMU (mps2-an386, a
//! Cortex-M4).

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    thread::sleep,
    time::{Duration, Instant},
};

use crate::util::{cmd, root, run};

/// The images and their flash budgets (text + rodata + data).
const IMAGES: [(&str, u64); 2] = [("product", 192 * 1024), ("selftest", 256 * 1024)];
/// The most heap the self-test session may use at its peak.
const HEAP_BUDGET: u64 = 16 * 1024;
/// The self-test takes about a second; this is far beyond that.
const QEMU_LIMIT: Duration = Duration::from_secs(180);

fn in_firmware(program: &str, args: &[&str]) -> Command {
    let mut c = cmd(program, args);
    c.current_dir(root().join("crates/firmware"));
    c
}

fn elf(image: &str) -> String {
    format!("target/thumbv7em-none-eabihf/release/{image}")
}

/// The first of the tools on PATH (the ARM binutils, else the host's, which read ARM
/// ELF files too).
fn tool(names: [&'static str; 2]) -> &'static str {
    let found = |name: &str| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    names.into_iter().find(|n| found(n)).unwrap_or(names[0])
}

/// An image's sizes from `size`: (text, data, bss).
pub(crate) fn sizes(image: &str) -> Result<(u64, u64, u64), String> {
    let size = tool(["arm-none-eabi-size", "size"]);
    let out = in_firmware(size, &[&elf(image)])
        .output()
        .map_err(|e| format!("could not run {size}: {e}"))?;
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
        _ => Err(format!("unexpected {size} output: {text}")),
    }
}

/// The crate a demangled symbol belongs to: the first path segment, looking through
/// `<Type as Trait>` to the type.
fn crate_of(symbol: &str) -> String {
    let s = symbol.trim_start_matches(['<', '&', ' ']);
    let s = s.strip_prefix("mut ").unwrap_or(s);
    let s = s.strip_prefix("dyn ").unwrap_or(s);
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    match s.get(..end) {
        Some(name) if s.get(end..end + 2) == Some("::") => String::from(name),
        _ if symbol.starts_with(".L") => String::from("(anonymous constants)"),
        _ => String::from("(other)"),
    }
}

/// Code and constant sizes by crate, from `nm --size-sort` (heap and stack excluded).
pub(crate) fn breakdown(image: &str) -> Result<Vec<(String, u64)>, String> {
    let nm = tool(["arm-none-eabi-nm", "nm"]);
    let out = in_firmware(nm, &["-C", "-S", "--size-sort", &elf(image)])
        .output()
        .map_err(|e| format!("could not run {nm}: {e}"))?;
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut parts = line.splitn(4, ' ');
        let (_, Some(size), Some(kind), Some(name)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if !matches!(kind, "t" | "T" | "r" | "R" | "d" | "D") {
            continue;
        }
        let size = u64::from_str_radix(size, 16).unwrap_or(0);
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    let mut rows: Vec<(String, u64)> = by_crate.into_iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
    Ok(rows)
}

fn print_breakdown(image: &str) -> Result<(), String> {
    let rows = breakdown(image)?;
    let total: u64 = rows.iter().map(|r| r.1).sum();
    println!("firmware {image}: symbols by crate ({total} B in all)");
    for (name, size) in rows.iter().take(12) {
        #[allow(clippy::cast_precision_loss, reason = "a percentage")]
        let share = *size as f64 * 100.0 / total.max(1) as f64;
        println!("  {name:<24} {size:>8} B {share:>5.1} %");
    }
    Ok(())
}

/// Runs a command, killing it after `limit`; returns what it printed.
fn run_limited(mut c: Command, limit: Duration) -> Result<String, String> {
    let mut child = c
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start QEMU: {e}"))?;
    let printed = Arc::new(Mutex::new(String::new()));
    let reader = child.stdout.take().map(|out| {
        let printed = Arc::clone(&printed);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                if let Ok(mut p) = printed.lock() {
                    p.push_str(&line);
                    p.push('\n');
                }
            }
        })
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
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
    };
    if let Some(r) = reader {
        let _ = r.join();
    }
    if !status.success() {
        return Err(format!("the firmware self-test failed ({status})"));
    }
    let printed = printed.lock().map(|p| p.clone()).unwrap_or_default();
    Ok(printed)
}

/// The heap peak the self-test printed (`selftest: heap peak N B of …`).
fn heap_peak(printed: &str) -> Option<u64> {
    printed
        .lines()
        .find_map(|l| l.split_once("heap peak "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// What the product image is fed over its serial line under QEMU: frames a broken or
/// hostile CSMS could send (one per line), two valid CALLs, an UpdateFirmware the box
/// must hand to the modem (`#get 1 <url>`), then broken reports of the modem's file
/// transfer. The box must answer and must not restart (a panic resets it, and it would
/// boot again).
const PRODUCT_INPUT: &[&str] = &[
    "",
    "not json",
    "[",
    "[2]",
    "[2,\"1\"]",
    "[2,1,\"Reset\",{}]",
    "[2,\"a\",\"Reset\",{\"type\":\"Warm\"}]",
    "[2,\"b\",\"Reset\",{\"type\":5}]",
    "[2,\"c\",\"Nope\",{}]",
    "[2,\"d\",\"Heartbeat\",{}]",
    "[2,\"e\",\"SetChargingProfile\",{\"connectorId\":1e400}]",
    "[2,\"f\",\"SetChargingProfile\",{\"connectorId\":1,\"csChargingProfiles\":{\"chargingProfileId\":1,\"stackLevel\":0,\"chargingProfilePurpose\":\"TxDefaultProfile\",\"chargingProfileKind\":\"Absolute\",\"chargingSchedule\":{\"chargingRateUnit\":\"A\",\"chargingSchedulePeriod\":[{\"startPeriod\":0,\"limit\":16.75}]}}}]",
    "[2,\"g\",\"ChangeConfiguration\",{\"key\":\"\\ud800\",\"value\":\"x\"}]",
    "[2,\"h\",\"DataTransfer\",{\"vendorId\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]",
    "[3,\"zz\",{\"status\":\"Accepted\"}]",
    "[4,\"zz\",\"GenericError\",\"x\",{}]",
    "[5,\"x\"]",
    "[2,\"i\",\"GetConfiguration\",{\"key\":[\"HeartbeatInterval\"]}]",
    "[2,\"j\",\"TriggerMessage\",{\"requestedMessage\":\"Heartbeat\"}]",
    "[2,\"k\",\"UpdateFirmware\",{\"location\":\"http://files.test/fw.bin\",\"retrieveDate\":\"2020-01-01T00:00:00Z\"}]",
    "#started 1 99999999999999999999999",
    "#data 1 zz",
    "#data 1 abc",
    "#data 1 00ff",
    "#data",
    "#done 4294967296",
    "#bogus 1 x",
    "#fail 1",
];

/// The modem line the UpdateFirmware of [`PRODUCT_INPUT`] must produce.
const PRODUCT_GET: &str = "#get 1 http://files.test/fw.bin";

/// Runs the product image under QEMU for a few seconds with [`PRODUCT_INPUT`] on its
/// serial line; checks that it booted once and answered the CALLs.
fn product_smoke() -> Result<(), String> {
    let mut child = in_firmware(
        "qemu-system-arm",
        &[
            "-cpu",
            "cortex-m4",
            "-machine",
            "mps2-an386",
            "-display",
            "none",
            "-monitor",
            "none",
            "-serial",
            "stdio",
            "-kernel",
            &elf("product"),
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .map_err(|e| format!("could not start QEMU: {e}"))?;
    let out = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        if let Some(out) = out {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                lines.push(line);
            }
        }
        lines
    });
    sleep(Duration::from_secs(2));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        for frame in PRODUCT_INPUT {
            let _ = writeln!(stdin, "{frame}");
        }
        let _ = stdin.flush();
        sleep(Duration::from_secs(4));
    }
    let _ = child.kill();
    let _ = child.wait();
    let lines = reader.join().unwrap_or_default();
    let boots = lines
        .iter()
        .filter(|l| l.contains("\"BootNotification\""))
        .count();
    let answered = |id: &str| {
        lines.iter().any(|l| {
            l.starts_with(&format!("[3,\"{id}\"")) || l.starts_with(&format!("[4,\"{id}\""))
        })
    };
    let missing: Vec<&str> = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
        .into_iter()
        .filter(|id| !answered(id))
        .collect();
    let modem = PRODUCT_INPUT.iter().filter(|l| l.starts_with('#')).count();
    println!(
        "firmware product: under QEMU with {} hostile or broken frames, 3 valid CALLs and {modem} broken modem reports: booted {boots} time(s), {} lines sent",
        PRODUCT_INPUT.len() - 3 - modem,
        lines.len()
    );
    for line in &lines {
        println!("  < {line}");
    }
    if boots != 1 {
        return Err(format!(
            "firmware product: booted {boots} times under QEMU (a panic resets the box)\n{}",
            lines.join("\n")
        ));
    }
    if !missing.is_empty() {
        return Err(format!(
            "firmware product: no answer to the CALLs {missing:?}\n{}",
            lines.join("\n")
        ));
    }
    if !lines.iter().any(|l| l == PRODUCT_GET) {
        return Err(format!(
            "firmware product: UpdateFirmware did not reach the modem as `{PRODUCT_GET}`\n{}",
            lines.join("\n")
        ));
    }
    Ok(())
}

/// Lints, builds, measures and runs the images.
pub(crate) fn check() -> Result<(), String> {
    run(in_firmware("cargo", &["fmt", "--", "--check"]))?;
    run(in_firmware(
        "cargo",
        &["clippy", "--release", "--", "-D", "warnings"],
    ))?;
    run(in_firmware("cargo", &["build", "--release"]))?;
    let mut over = Vec::new();
    for (image, budget) in IMAGES {
        let (text, data, bss) = sizes(image)?;
        let flash = text + data;
        println!(
            "firmware {image}: flash {flash} B = {:.1} KiB of {} KiB (text+rodata {text}, data {data}), static RAM {} B (data {data}, bss {bss})",
            kib(flash),
            budget / 1024,
            data + bss
        );
        print_breakdown(image)?;
        if flash > budget {
            over.push(format!(
                "firmware {image}: flash {flash} B is over its {budget} B budget"
            ));
        }
    }
    if !over.is_empty() {
        return Err(over.join("; "));
    }
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
            &elf("selftest"),
        ],
    );
    product_smoke()?;
    let printed = run_limited(qemu, QEMU_LIMIT)?;
    match heap_peak(&printed) {
        Some(peak) if peak <= HEAP_BUDGET => {
            println!("firmware selftest: heap peak {peak} B of a {HEAP_BUDGET} B budget");
            Ok(())
        }
        Some(peak) => Err(format!(
            "firmware selftest: heap peak {peak} B is over its {HEAP_BUDGET} B budget"
        )),
        None => Err(String::from(
            "firmware selftest: it printed no heap peak (`selftest: heap peak N B …`)",
        )),
    }
}

#[allow(clippy::cast_precision_loss, reason = "a figure for people")]
fn kib(bytes: u64) -> f64 {
    bytes as f64 / 1024.0
}
