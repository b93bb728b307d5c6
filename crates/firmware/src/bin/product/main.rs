//! The product image: the engine, the board layer and OCPP frames and file transfers
//! over the serial line to the modem, as a box ships. No self-test, no CSMS, no semihosting: a fault resets
//! the box. Every profile the engine implements is in it, so its size is the budget's
//! figure (`cargo xtask test --only firmware` checks it).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;

use chargepoint::{
    Driver, DriverConfig, HardwareEvent, Settings, driver::MeterCadence, durable::DurableState,
    model::Variant,
};
use cortex_m_rt::{entry, exception};
use firmware::{
    CORE_HZ,
    board::{self, SysTickClock},
    files::Transfers,
    hal::{FileTransfer, Monotonic, RamSlot, RamStore, Store, Transport},
    heap, home,
    uart::{LineTransport, UART0, Uart},
};

/// The serial line to the modem.
const BAUD: u32 = 115_200;
/// Room for the durable state (a flash page on the real board).
const STORE_BYTES: usize = 8 * 1024;
/// Room for a downloaded image. The emulated board keeps it in static RAM, so it is
/// small; a real board implements `ImageSlot` on its second flash bank, read in place.
const SLOT_BYTES: usize = 16 * 1024;
/// The CSMS the box is configured for (set at installation on a real box).
const CSMS_URL: &str = "wss://csms.invalid/ocpp/";

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

/// The board's loop around the driver: inputs and the meter in, frames in, then what the
/// driver asks in its order (the durable state before the frames that depend on it).
fn run(clock: &impl Monotonic, mut transport: impl Transport + FileTransfer) -> ! {
    let mut store = RamStore::new(STORE_BYTES);
    let Some(slot) = cortex_m::singleton!(: [u8; SLOT_BYTES] = [0; SLOT_BYTES]) else {
        // Only reached if `run` ran twice: start afresh.
        cortex_m::peripheral::SCB::sys_reset()
    };
    let mut files = Transfers::new(RamSlot::new(slot));
    let mut settings = Settings::new("EVC-0001", Variant::Socket);
    // No one reads a trace on the box.
    settings.trace_frames = false;
    settings.security_log_capacity = firmware::SECURITY_LOG_LINES;
    settings.log_capacity = firmware::EVENT_LOG_LINES;
    settings.csms_url = String::from(CSMS_URL);
    // The board's unique id and the boot time as entropy (a real board adds its TRNG).
    settings.seed ^= clock.now_ms().rotate_left(17) ^ board::unique_id();
    let config = DriverConfig {
        meter: MeterCadence {
            period_ms: 1_000,
            min_real_ms: 0,
            while_idle: false,
            fresh_on_input: false,
        },
        ..DriverConfig::default()
    };
    let restored = store
        .load("state")
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| DurableState::from_json(&text).ok());
    let (real, wall) = (clock.now_ms(), board::rtc());
    let mut driver = match restored {
        Some(state) => Driver::restore(settings, state, None, config, real, wall),
        None => Driver::new(settings, None, config, real, wall),
    };
    let (mut outputs, mut inputs) = board::io();
    let mut last_meter = real;
    loop {
        let real = clock.now_ms();
        driver.timeout(real);
        let mut events = inputs.poll();
        if real.saturating_sub(last_meter) >= 1_000 {
            last_meter = real;
            events.push(HardwareEvent::Meter(board::meter_reading()));
        }
        driver.hardware(real, events);
        while let Some(text) = transport.receive() {
            driver.frame(real, &text);
        }
        files.pump(&mut driver, real, &mut transport);
        let _ = home::carry_out(
            &mut driver,
            real,
            &mut transport,
            &mut outputs,
            &mut store,
            &mut files,
        );
        cortex_m::asm::wfi();
    }
}

/// A fault resets the box.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    cortex_m::peripheral::SCB::sys_reset()
}
