//! The self-test session: boot, a configuration change from the CSMS, a card, an EV, ten
//! minutes of charging with meter samples, the card again, unplug; then the checks.

use alloc::{format, string::String};

use chargepoint::{
    ChargePoint, Driver, DriverConfig, Instant, Settings,
    durable::DurableState,
    model::Variant,
    world::{EvSpec, World},
};
use cortex_m_semihosting::hprintln;
use ocpp16::{
    CiString50, CiString500, DateTime, Request,
    messages::{
        ChangeConfigurationRequest, ChargePointStatus, ConfigurationStatus, Reason, ResetRequest,
        ResetType,
    },
};

use firmware::{
    board,
    hal::{Monotonic, RamStore, Store, Transport},
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
const END_AT: u64 = 640_000;
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
    let (mut outputs, mut inputs) = board::io();
    let mut store = RamStore::new(8 * 1024);
    let mut seen = Seen::default();
    let mut done = [false; 6];
    let real_start = clock.now_ms();

    loop {
        let real = clock.now_ms();
        driver.timeout(real);
        let t = driver.now().as_millis();
        csms.now = start_wall.add_millis(i64::try_from(t).unwrap_or(0));
        // The script: the CSMS's calls, a card, the EV.
        // Each step of the script once, when its moment has come.
        let due = |i: usize, done: &mut [bool; 6], at: bool| {
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
        // The board: the inputs, then the frames from the CSMS.
        driver.hardware(real, inputs.poll());
        while let Some(text) = csms.receive() {
            driver.frame(real, &text);
        }
        let carried = home::carry_out(&mut driver, real, &mut csms, &mut outputs, &mut store);
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
            "booted at power-on and again after the CSMS's Reset",
            r.boots == 2,
        ),
        (
            "the link closed for the reset and opened again",
            r.closes == 1 && r.opens == 2,
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
