//! The self-test image: the engine against a CSMS inside the firmware (`csms.rs`, over a
//! loopback transport), running a scripted session (`session.rs`), printing the results
//! over semihosting and exiting with their verdict. Under QEMU:
//!
//! ```text
//! cd crates/firmware && cargo run --release --bin selftest
//! ```

#![no_std]
#![no_main]

extern crate alloc;

mod csms;
mod session;

use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::{debug, hprintln};
use firmware::{CORE_HZ, board, heap};

#[exception]
fn SysTick() {
    board::tick();
}

#[entry]
fn main() -> ! {
    heap::init();
    let verdict = match cortex_m::Peripherals::take() {
        Some(peripherals) => {
            let clock = board::SysTickClock::start(peripherals.SYST, CORE_HZ);
            session::run(&clock)
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
