//! The product image: the engine, the board layer and OCPP frames over the serial line
//! to the modem, as a box ships. No self-test, no CSMS, no semihosting: a fault resets
//! the box. Every profile the engine implements is in it, so its size is the budget's
//! figure (`cargo xtask test --only firmware` checks it).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;

use chargepoint::{
    ChargePoint, Command, HardwareEvent, Settings, TimeScale, durable::DurableState, model::Variant,
};
use cortex_m_rt::{entry, exception};
use firmware::{
    CORE_HZ,
    board::{self, Pin, ScriptedReader, SysTickClock},
    hal::{Inputs, Monotonic, Outputs, RamStore, Store, Transport},
    heap,
    uart::{LineTransport, UART0, Uart},
};

/// The serial line to the modem.
const BAUD: u32 = 115_200;
/// Room for the durable state (a flash page on the real board).
const STORE_BYTES: usize = 8 * 1024;

#[exception]
fn SysTick() {
    board::tick();
}

#[entry]
fn main() -> ! {
    heap::init();
    if let Some(peripherals) = cortex_m::Peripherals::take() {
        let clock = SysTickClock::start(peripherals.SYST, CORE_HZ);
        run(&clock, LineTransport::new(Uart::new(UART0, CORE_HZ, BAUD)));
    }
    cortex_m::peripheral::SCB::sys_reset()
}

/// The engine's loop: inputs, the meter once a second, frames in, timers, then the
/// durable state before the frames that depend on it, frames out and commands.
fn run(clock: &impl Monotonic, mut transport: impl Transport) -> ! {
    let scale = TimeScale::new(clock.now_ms());
    let now = scale.now(clock.now_ms());
    let mut store = RamStore::new(STORE_BYTES);
    let mut settings = Settings::new("EVC-0001", Variant::Socket);
    // No one reads a trace on the box.
    settings.trace_frames = false;
    let restored = store
        .load("state")
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| DurableState::from_json(&text).ok());
    let mut cp = match restored {
        Some(state) => ChargePoint::restore(settings, state, now),
        None => ChargePoint::new(settings, now),
    };
    let mut outputs = Outputs::new(
        Pin(&board::RELAY),
        Pin(&board::LOCK),
        Pin(&board::LED_RED),
        Pin(&board::LED_GREEN),
        Pin(&board::LED_BLUE),
    );
    let mut inputs = Inputs::new(Pin(&board::PLUG), ScriptedReader::default());
    let mut last_meter = now;
    loop {
        let now = scale.now(clock.now_ms());
        for event in inputs.poll() {
            cp.handle_hardware(now, event);
        }
        if now.millis_since(last_meter) >= 1_000 {
            last_meter = now;
            cp.handle_hardware(now, HardwareEvent::Meter(board::meter_reading()));
        }
        while let Some(text) = transport.receive() {
            cp.handle_frame(now, &text);
        }
        if cp.poll_timeout().is_some_and(|at| at <= now) {
            cp.handle_timeout(now);
        }
        if cp.poll_persist() {
            // A full store keeps the last state written; the engine carries on.
            let _ = store.save("state", cp.durable_state().to_json().as_bytes());
        }
        while let Some(text) = cp.poll_transmit() {
            transport.send(&text);
        }
        while let Some(command) = cp.poll_command() {
            match &command {
                Command::Connect { .. } => {
                    if transport.open() {
                        cp.handle_connected(now);
                    }
                }
                other => outputs.apply(other),
            }
        }
        while cp.poll_event().is_some() {}
        cortex_m::asm::wfi();
    }
}

/// A fault resets the box.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m::peripheral::SCB::sys_reset()
}
