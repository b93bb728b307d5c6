//! The self-test session: boot, a configuration change from the CSMS, a card, an EV, ten
//! minutes of charging with meter samples, the card again, unplug; then the checks.

use alloc::{format, string::String};

use chargepoint::{
    ChargePoint, Command, HardwareEvent, Instant, Settings, TimeScale,
    durable::DurableState,
    model::Variant,
    world::{EvSpec, World},
};
use cortex_m_semihosting::hprintln;
use ocpp16::{
    CiString50, CiString500, DateTime, Request,
    messages::{ChangeConfigurationRequest, ChargePointStatus, ConfigurationStatus, Reason},
};

use firmware::{
    board::{self, Pin, ScriptedReader},
    hal::{Inputs, Monotonic, Outputs, RamStore, Store, Transport},
    heap::{HEAP, HEAP_SIZE},
};

use crate::csms::LoopbackCsms;

/// Engine time runs this many times faster than SysTick, so the session takes seconds.
const SPEED: u32 = 600;
/// The script's moments, in engine milliseconds.
const TAP_AT: u64 = 10_000;
const PLUG_AT: u64 = 20_000;
const STOP_AT: u64 = 620_000;
const UNPLUG_AT: u64 = 630_000;
const END_AT: u64 = 640_000;
/// The most engine time one turn of the loop may advance.
const MAX_STEP_MS: u64 = 2_000;
/// Give up after this much real time.
const REAL_LIMIT_MS: u64 = 60_000;
const CARD: &str = "04A2B3C4D5";

/// Runs the session; true when every check passed.
pub(crate) fn run(clock: &impl Monotonic) -> bool {
    let start_wall = DateTime::from_unix_millis(1_767_225_600_000);
    let mut scale = TimeScale::new(clock.now_ms());
    scale.set_speed(clock.now_ms(), SPEED);
    let now = scale.now(clock.now_ms());
    let mut settings = Settings::new("EVC-MCU-0001", Variant::Socket);
    settings.trace_frames = false;
    let mut cp = ChargePoint::new(settings, now);
    cp.set_wall_clock(now, start_wall);
    let mut csms = LoopbackCsms::new(start_wall);
    let mut outputs = Outputs::new(
        Pin(&board::RELAY),
        Pin(&board::LOCK),
        Pin(&board::LED_RED),
        Pin(&board::LED_GREEN),
        Pin(&board::LED_BLUE),
    );
    let mut inputs = Inputs::new(Pin(&board::PLUG), ScriptedReader::default());
    let mut world = World::default();
    let mut store = RamStore::new(8 * 1024);
    // (written, failed) writes of the durable state.
    let mut persists = (0u32, 0u32);
    let (mut tapped, mut plugged, mut stopped, mut unplugged, mut configured) =
        (false, false, false, false, false);
    let (mut relay_closed_seen, mut last_meter) = (false, now);
    let real_start = clock.now_ms();
    let mut engine_now = now;

    loop {
        let real = clock.now_ms();
        // Engine time follows SysTick at SPEED, but never jumps more than MAX_STEP_MS at
        // once: when the host starves QEMU the session takes longer instead of skipping
        // its script (a stall of one real second would otherwise be ten engine minutes).
        let now = scale.now(real).min(engine_now + MAX_STEP_MS);
        engine_now = now;
        let t = now.as_millis();
        csms.now = start_wall.add_millis(i64::try_from(t).unwrap_or(0));
        // The script.
        if !configured && cp.registration() == chargepoint::Registration::Accepted {
            configured = true;
            csms.call(&Request::ChangeConfiguration(ChangeConfigurationRequest {
                key: CiString50::truncated("MeterValueSampleInterval"),
                value: CiString500::truncated("60"),
            }));
        }
        if !tapped && t >= TAP_AT {
            tapped = true;
            inputs.reader().present(CARD);
        }
        if !plugged && t >= PLUG_AT {
            plugged = true;
            let _ = world.plug(EvSpec::default());
            board::PLUG.set(true);
        }
        if !stopped && t >= STOP_AT {
            stopped = true;
            inputs.reader().present(CARD);
        }
        if !unplugged && t >= UNPLUG_AT {
            unplugged = true;
            let _ = world.unplug();
            board::PLUG.set(false);
        }
        // The board: inputs, the meter once a second, frames from the CSMS, timers.
        for event in inputs.poll() {
            cp.handle_hardware(now, event);
        }
        if now.millis_since(last_meter) >= 1_000 {
            for event in world.advance(now.millis_since(last_meter)) {
                cp.handle_hardware(now, event);
            }
            last_meter = now;
            cp.handle_hardware(now, HardwareEvent::Meter(world.reading()));
        }
        while let Some(text) = csms.receive() {
            cp.handle_frame(now, &text);
        }
        if cp.poll_timeout().is_some_and(|at| at <= now) {
            cp.handle_timeout(now);
        }
        // The engine's outputs: the durable state first, then the frames that need it.
        if cp.poll_persist() {
            let saved = store.save("state", cp.durable_state().to_json().as_bytes());
            persists.0 += u32::from(saved.is_ok());
            persists.1 += u32::from(saved.is_err());
        }
        while let Some(text) = cp.poll_transmit() {
            csms.send(&text);
        }
        while let Some(command) = cp.poll_command() {
            match &command {
                Command::Connect { .. } => {
                    if csms.open() {
                        cp.handle_connected(now);
                    }
                }
                other => {
                    outputs.apply(other);
                    world.apply(other);
                }
            }
        }
        while cp.poll_event().is_some() {}
        relay_closed_seen |= board::RELAY.is_high();
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
    report(&cp, &csms, &store, persists, relay_closed_seen, engine_now)
}

/// Prints every check and returns whether all passed.
fn report(
    cp: &ChargePoint,
    csms: &LoopbackCsms,
    store: &RamStore,
    persists: (u32, u32),
    relay_closed_seen: bool,
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
        ("booted once", r.boots == 1),
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
            r.statuses.ends_with(&[
                ChargePointStatus::Preparing,
                ChargePointStatus::Charging,
                ChargePointStatus::Finishing,
                ChargePointStatus::Available,
            ]),
        ),
        (
            "relay closed while charging, open after",
            relay_closed_seen && !board::RELAY.is_high(),
        ),
        ("cable lock released", !board::LOCK.is_high()),
        ("every frame schema-valid", r.violations == 0),
        (
            "durable state persisted and restored",
            persists.0 > 5
                && persists.1 == 0
                && restored.as_ref().is_some_and(|new| {
                    new.configuration() == cp.configuration()
                        && new.durable_state().outbox.is_empty()
                        && new.connector().transaction.is_none()
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
