//! # firmware: the charge point core on a Cortex-M4F
//!
//! A `no_std`, `no_main` image for a Cortex-M4F class MCU (512 KiB flash, 128 KiB RAM,
//! `memory.x`) that links the same `chargepoint` engine the browser and native homes
//! run. The hardware sits behind small traits (`hal.rs`); this image implements them for
//! an emulated board (`board.rs`) and runs a scripted self-test session against a CSMS
//! inside the firmware (`csms.rs`, over a loopback transport), printing the results over
//! semihosting and exiting with their verdict. Under QEMU:
//!
//! ```text
//! cd crates/firmware && cargo run --release
//! ```

#![no_std]
#![no_main]

extern crate alloc;

mod board;
mod csms;
mod hal;
mod heap;
mod selftest;

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

/// The core clock of the mps2-an386 board (25 MHz).
const CORE_HZ: u32 = 25_000_000;

#[entry]
fn main() -> ! {
    heap::init();
    let verdict = match cortex_m::Peripherals::take() {
        Some(peripherals) => {
            let clock = board::SysTickClock::start(peripherals.SYST, CORE_HZ);
            selftest::run(&clock)
        }
        None => {
            hprintln!("selftest: FAIL: core peripherals already taken");
            false
        }
    };
    debug::exit(if verdict {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Without a debugger attached the exit call returns: restart as a real box would.
    cortex_m::peripheral::SCB::sys_reset()
}

/// A panic reports where it happened and ends the run with failure; on a board without
/// a debugger that is a reset, as for any fault.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("firmware panic: {}", info);
    debug::exit(debug::EXIT_FAILURE);
    cortex_m::peripheral::SCB::sys_reset()
}
