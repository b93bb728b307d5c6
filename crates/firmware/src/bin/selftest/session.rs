//! The self-test session: boot, a configuration change from the CSMS, a card, an EV, ten
//! minutes of charging with meter samples, the card again, unplug, a Reset; then three
//! firmware updates through the board's file transfer from the loopback's file server
//! (a missing file, a corrupt image, a good one the box boots into) and a diagnostics
//! upload; then the checks.

use alloc::{format, string::String};

use chargepoint::{
    ChargePoint, Driver, DriverConfig, Instant, Settings,
    durable::DurableState,
    model::Variant,
    world::{EvSpec, World},
};
use cortex_m_semihosting::hprintln;
use ocpp16::{
    CiString50, CiString500, DateTime, Request, Uri,
    messages::{
        ChangeConfigurationRequest, ChargePointStatus, ConfigurationStatus, DiagnosticsStatus,
        FirmwareStatus, GetDiagnosticsRequest, Reason, ResetRequest, ResetType,
        UpdateFirmwareRequest,
    },
};

use firmware::{
    board,
    files::Transfers,
    hal::{Monotonic, RamSlot, RamStore, Store, Transport},
    heap::{HEAP, HEAP_SIZE},
    home,
};

use crate::csms::LoopbackCsms;

/// Engine time runs this many times faster than SysTick, so the session takes seconds.
const SPEED: u32 = 600;
/// The script's moments, in engine milliseconds.
const TAP_AT: u64 = 10_000;
const PLUG_AT: u64 = 20_000;
const STOP_AT: u64 = 620_000;
const UNPLUG_AT: u64 = 630_000;
/// The CSMS resets the box: the link must close and the box boot again.
const RESET_AT: u64 = 632_000;
/// UpdateFirmware of a file the server does not have, of a corrupt image, of a good one.
const UPDATE_MISSING_AT: u64 = 650_000;
const UPDATE_CORRUPT_AT: u64 = 670_000;
const UPDATE_GOOD_AT: u64 = 700_000;
const DIAGNOSTICS_AT: u64 = 740_000;
const END_AT: u64 = 770_000;
/// The loopback file server's files.
const MISSING_URL: &str = "http://files.invalid/evc-9.9.9.bin";
const CORRUPT_URL: &str = "http://files.invalid/evc-1.12.9.bin";
const GOOD_URL: &str = "http://files.invalid/evc-1.13.0.bin";
const UPLOAD_URL: &str = "ftp://files.invalid/diagnostics/";
const NEW_VERSION: &str = "1.13.0";
/// Room for a downloaded image in RAM.
const SLOT_BYTES: usize = 2 * 1024;
/// The most engine time one turn of the loop may advance: when the host starves QEMU
/// the session takes longer instead of skipping its script (a stall of one real second
/// would otherwise be ten engine minutes).
const MAX_STEP_MS: u64 = 2_000;
/// Give up after this much real time.
const REAL_LIMIT_MS: u64 = 60_000;
const CARD: &str = "04A2B3C4D5";

/// What the board did with the driver's outputs.
#[derive(Default)]
struct Seen {
    /// (written, failed) writes of the durable state.
    persists: (u32, u32),
    relay_closed: bool,
}

/// Runs the session; true when every check passed.
pub(crate) fn run(clock: &impl Monotonic) -> bool {
    let start_wall = DateTime::from_unix_millis(1_767_225_600_000);
    let mut settings = Settings::new("EVC-MCU-0001", Variant::Socket);
    settings.trace_frames = false;
    settings.security_log_capacity = firmware::SECURITY_LOG_LINES;
    settings.log_capacity = firmware::EVENT_LOG_LINES;
    let product = settings.identity.model.clone();
    // The default cadence: a meter reading every engine second, EV or not.
    let config = DriverConfig {
        speed: SPEED,
        max_step_ms: Some(MAX_STEP_MS),
        ..DriverConfig::default()
    };
    let mut driver = Driver::new(
        settings,
        Some(World::default()),
        config,
        clock.now_ms(),
        start_wall,
    );
    let mut csms = LoopbackCsms::new(start_wall);
    csms.serve(GOOD_URL, &product, NEW_VERSION, false);
    csms.serve(CORRUPT_URL, &product, "1.12.9", true);
    let Some(slot) = cortex_m::singleton!(: [u8; SLOT_BYTES] = [0; SLOT_BYTES]) else {
        hprintln!("selftest: FAIL: the image slot was taken twice");
        return false;
    };
    let mut files = Transfers::new(RamSlot::new(slot));
    let (mut outputs, mut inputs) = board::io();
    let mut store = RamStore::new(8 * 1024);
    let mut seen = Seen::default();
    let mut done = [false; 10];
    let real_start = clock.now_ms();

    loop {
        let real = clock.now_ms();
        driver.timeout(real);
        let t = driver.now().as_millis();
        csms.now = start_wall.add_millis(i64::try_from(t).unwrap_or(0));
        // The script: the CSMS's calls, a card, the EV.
        // Each step of the script once, when its moment has come.
        let due = |i: usize, done: &mut [bool; 10], at: bool| {
            done.get_mut(i)
                .is_some_and(|d| at && !core::mem::replace(d, true))
        };
        if due(
            0,
            &mut done,
            driver.cp().registration() == chargepoint::Registration::Accepted,
        ) {
            csms.call(&Request::ChangeConfiguration(ChangeConfigurationRequest {
                key: CiString50::truncated("MeterValueSampleInterval"),
                value: CiString500::truncated("60"),
            }));
        }
        if due(1, &mut done, t >= TAP_AT) || due(3, &mut done, t >= STOP_AT) {
            inputs.reader().present(CARD);
        }
        if due(2, &mut done, t >= PLUG_AT) {
            driver.with_world(real, |w| {
                let _ = w.plug(EvSpec::default());
                alloc::vec::Vec::new()
            });
            board::PLUG.set(true);
        }
        if due(4, &mut done, t >= UNPLUG_AT) {
            driver.with_world(real, |w| {
                let _ = w.unplug();
                alloc::vec::Vec::new()
            });
            board::PLUG.set(false);
        }
        if due(5, &mut done, t >= RESET_AT) {
            csms.call(&Request::Reset(ResetRequest {
                kind: ResetType::Soft,
            }));
        }
        for (i, at, url) in [
            (6, UPDATE_MISSING_AT, MISSING_URL),
            (7, UPDATE_CORRUPT_AT, CORRUPT_URL),
            (8, UPDATE_GOOD_AT, GOOD_URL),
        ] {
            if due(i, &mut done, t >= at)
                && let Ok(location) = Uri::new(url)
            {
                csms.call(&Request::UpdateFirmware(UpdateFirmwareRequest {
                    location,
                    retries: Some(0),
                    retrieve_date: csms.now,
                    retry_interval: None,
                }));
            }
        }
        if due(9, &mut done, t >= DIAGNOSTICS_AT)
            && let Ok(location) = Uri::new(UPLOAD_URL)
        {
            csms.call(&Request::GetDiagnostics(GetDiagnosticsRequest {
                location,
                retries: None,
                retry_interval: None,
                start_time: None,
                stop_time: None,
            }));
        }
        // The board: the inputs, then the frames from the CSMS.
        driver.hardware(real, inputs.poll());
        while let Some(text) = csms.receive() {
            driver.frame(real, &text);
        }
        files.pump(&mut driver, real, &mut csms);
        let carried = home::carry_out(
            &mut driver,
            real,
            &mut csms,
            &mut outputs,
            &mut store,
            &mut files,
        );
        seen.persists.0 += carried.persisted;
        seen.persists.1 += carried.store_full;
        seen.relay_closed |= carried.relay_closed || board::RELAY.is_high();
        if t >= END_AT {
            break;
        }
        if real.saturating_sub(real_start) > REAL_LIMIT_MS {
            hprintln!(
                "selftest: FAIL: session did not finish within {} s",
                REAL_LIMIT_MS / 1000
            );
            return false;
        }
        cortex_m::asm::wfi();
    }
    let end = driver.now();
    report(driver.cp(), &csms, &store, &seen, end)
}

/// Prints every check and returns whether all passed.
fn report(
    cp: &ChargePoint,
    csms: &LoopbackCsms,
    store: &RamStore,
    seen: &Seen,
    end: Instant,
) -> bool {
    let r = &csms.record;
    let energy = match (r.meter_start, r.stop) {
        (Some(start), Some((stop, _))) => stop - start,
        _ => -1,
    };
    // Durable state: what was persisted last starts a new engine with the same
    // configuration and nothing left to deliver.
    let restored = store
        .load("state")
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|text| DurableState::from_json(&text).ok())
        .map(|state| ChargePoint::restore(cp.settings().clone(), state, end));
    let checks = [
        (
            "booted at power-on, after the CSMS's Reset and into the new firmware",
            r.boots == 3,
        ),
        (
            "the link closed for the reset and the installation and opened again",
            r.closes == 2 && r.opens == 3,
        ),
        (
            "the last boot carried the installed version",
            r.versions.last().is_some_and(|v| v == NEW_VERSION)
                && cp.firmware_version() == NEW_VERSION,
        ),
        (
            "a missing file: Downloading, DownloadFailed",
            r.firmware.get(..2)
                == Some(&[FirmwareStatus::Downloading, FirmwareStatus::DownloadFailed][..]),
        ),
        (
            "a corrupt image: Downloading, Downloaded, Installing, InstallationFailed",
            r.firmware.get(2..6)
                == Some(
                    &[
                        FirmwareStatus::Downloading,
                        FirmwareStatus::Downloaded,
                        FirmwareStatus::Installing,
                        FirmwareStatus::InstallationFailed,
                    ][..],
                ),
        ),
        (
            "a good image: Downloading, Downloaded, Installing, Installed after the boot",
            r.firmware.get(6..)
                == Some(
                    &[
                        FirmwareStatus::Downloading,
                        FirmwareStatus::Downloaded,
                        FirmwareStatus::Installing,
                        FirmwareStatus::Installed,
                    ][..],
                ),
        ),
        (
            "diagnostics: Uploading, Uploaded, the log of the session in the file",
            r.diagnostics == [DiagnosticsStatus::Uploading, DiagnosticsStatus::Uploaded]
                && r.uploads.iter().any(|(url, name, text)| {
                    url == UPLOAD_URL
                        && name.starts_with("EVC-MCU-0001-diagnostics-")
                        && text.contains("InstallationFailed")
                        && text.contains(NEW_VERSION)
                }),
        ),
        (
            "configuration change accepted",
            r.config_answer == Some(ConfigurationStatus::Accepted),
        ),
        ("card authorized", r.authorized.iter().any(|c| c == CARD)),
        ("transaction started at 0 Wh", r.meter_start == Some(0)),
        ("a meter sample every minute", r.meter_values >= 9),
        (
            "stopped by the card",
            matches!(r.stop, Some((_, Some(Reason::Local)))),
        ),
        // 32 A on three phases at 230 V for ten minutes is 3,680 Wh.
        (
            "energy of ten minutes at 22 kW",
            (3_600..=3_700).contains(&energy),
        ),
        (
            "Preparing, Charging, Finishing, Available",
            r.statuses.windows(4).any(|w| {
                w == [
                    ChargePointStatus::Preparing,
                    ChargePointStatus::Charging,
                    ChargePointStatus::Finishing,
                    ChargePointStatus::Available,
                ]
            }),
        ),
        (
            "relay closed while charging, open after",
            seen.relay_closed && !board::RELAY.is_high(),
        ),
        ("cable lock released", !board::LOCK.is_high()),
        ("every frame schema-valid", r.violations == 0),
        (
            "durable state persisted and restored",
            seen.persists.0 > 5
                && seen.persists.1 == 0
                && restored.as_ref().is_some_and(|new| {
                    new.configuration() == cp.configuration()
                        && new.durable_state().outbox.is_empty()
                        && new.connector().transaction().is_none()
                }),
        ),
    ];
    let mut pass = true;
    for (name, ok) in checks {
        hprintln!("selftest: {} {}", if ok { "ok  " } else { "FAIL" }, name);
        pass &= ok;
    }
    hprintln!(
        "selftest: session of {} s engine time, {} Wh, {} meter samples",
        end.as_millis() / 1000,
        energy,
        r.meter_values
    );
    hprintln!(
        "selftest: heap peak {} B of {} B, {} B in use at the end",
        HEAP.peak(),
        HEAP_SIZE,
        HEAP.used()
    );
    hprintln!(
        "{}",
        format!("selftest: {}", if pass { "PASS" } else { "FAIL" })
    );
    pass
}
