//! # firmware: the charge point core on a Cortex-M4F
//!
//! `no_std` images for a Cortex-M4F class MCU (512 KiB flash, 128 KiB RAM, `memory.x`)
//! that link the same `chargepoint` engine the browser and native homes run. The
//! hardware sits behind small traits ([`hal`]); [`board`] implements them for the
//! emulated board (pins backed by memory, a SysTick clock) and [`uart`] carries OCPP
//! frames over a serial line to the modem that holds the WebSocket and does the file
//! transfers; [`files`] carries out the engine's jobs (download into the image slot,
//! upload, installation checked with the engine's firmware-file verifier).
//!
//! Two images are built from this crate:
//! - `product` (`src/bin/product`): the engine, the board layer and the serial
//!   transport, as a box ships; every OCPP profile the engine implements is in it.
//! - `selftest` (`src/bin/selftest`): the engine against a CSMS inside the firmware,
//!   running a scripted session under QEMU (mps2-an386) and reporting over semihosting.
//!
//! ```text
//! cd crates/firmware && cargo run --release --bin selftest
//! ```

#![no_std]

extern crate alloc;

pub mod board;
pub mod files;
pub mod hal;
pub mod heap;
pub mod home;
pub mod uart;

/// Lines of the security log an MCU keeps (the engine's default is 64): the log lives in
/// RAM and in the durable state, whose flash page on this board is 8 KiB.
pub const SECURITY_LOG_LINES: usize = 8;

/// Lines of the event log (GetDiagnostics' file) an MCU keeps (the engine's default is
/// 24): with the security log, the box's RAM budget (16 KiB of heap at its peak).
pub const EVENT_LOG_LINES: usize = 20;

/// The core clock of the mps2-an386 board (25 MHz).
pub const CORE_HZ: u32 = 25_000_000;
