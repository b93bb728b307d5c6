//! The emulated board: pins backed by memory that the self-test script drives and
//! checks, a SysTick millisecond clock, and a card reader fed by the script.

use alloc::{collections::VecDeque, string::String};
use core::{
    convert::Infallible,
    sync::atomic::{AtomicBool, AtomicU32, Ordering},
};

use cortex_m::peripheral::{SYST, syst::SystClkSource};
use embedded_hal::digital::{ErrorType, InputPin, OutputPin};

use crate::hal::{CardReader, Monotonic};

/// A pin level in memory.
pub struct Level(AtomicBool);

impl Level {
    /// A low level.
    pub const fn low() -> Self {
        Self(AtomicBool::new(false))
    }

    /// Whether it is high.
    pub fn is_high(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Drives it.
    pub fn set(&self, high: bool) {
        self.0.store(high, Ordering::Relaxed);
    }
}

/// The relay's pin (high: closed).
pub static RELAY: Level = Level::low();
/// The socket lock's pin (high: locked).
pub static LOCK: Level = Level::low();
/// The red light's pin.
pub static LED_RED: Level = Level::low();
/// The green light's pin.
pub static LED_GREEN: Level = Level::low();
/// The blue light's pin.
pub static LED_BLUE: Level = Level::low();
/// The plug-detect input (high: an EV is plugged in).
pub static PLUG: Level = Level::low();

/// An output pin writing a [`Level`].
pub struct Pin(pub &'static Level);

impl ErrorType for Pin {
    type Error = Infallible;
}

impl OutputPin for Pin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.0.set(false);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.0.set(true);
        Ok(())
    }
}

impl InputPin for Pin {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        Ok(self.0.is_high())
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        Ok(!self.0.is_high())
    }
}

/// Milliseconds counted by the SysTick interrupt.
static TICKS: AtomicU32 = AtomicU32::new(0);

/// Counts one millisecond; each image's `SysTick` exception handler calls it.
pub fn tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// The SysTick clock: a 1 kHz interrupt counting milliseconds.
pub struct SysTickClock;

impl SysTickClock {
    /// Starts SysTick at 1 kHz from a core clock of `core_hz`.
    pub fn start(mut syst: SYST, core_hz: u32) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(core_hz / 1_000 - 1);
        syst.clear_current();
        syst.enable_counter();
        syst.enable_interrupt();
        Self
    }
}

impl Monotonic for SysTickClock {
    fn now_ms(&self) -> u64 {
        // 32 bits of milliseconds last 49 days; a long-running board would extend it.
        u64::from(TICKS.load(Ordering::Relaxed))
    }
}

/// A card reader the script presents cards to.
#[derive(Default)]
pub struct ScriptedReader {
    cards: VecDeque<String>,
}

impl ScriptedReader {
    /// A card is held to the reader.
    pub fn present(&mut self, uid: &str) {
        self.cards.push_back(String::from(uid));
    }
}

impl CardReader for ScriptedReader {
    fn poll(&mut self) -> Option<String> {
        self.cards.pop_front()
    }
}

/// The energy meter's import register in Wh, as the metering chip reports it.
pub static METER_ENERGY_WH: AtomicU32 = AtomicU32::new(0);
/// The meter's total active power in W.
pub static METER_POWER_W: AtomicU32 = AtomicU32::new(0);

/// The meter's registers as the engine's reading.
#[must_use]
pub fn meter_reading() -> chargepoint::MeterReading {
    chargepoint::MeterReading {
        energy_wh: u64::from(METER_ENERGY_WH.load(Ordering::Relaxed)),
        power_w: METER_POWER_W.load(Ordering::Relaxed),
        ..chargepoint::MeterReading::default()
    }
}

/// The real-time clock (battery-backed on a real board; the emulated one starts at
/// 2026-01-01T00:00:00Z). The CSMS's time corrects it at the first BootNotification.
#[must_use]
pub fn rtc() -> ocpp16::DateTime {
    ocpp16::DateTime::from_unix_millis(1_767_225_600_000)
}

/// The MCU's unique device id (factory-programmed on a real part; fixed here), which
/// the box mixes into its entropy.
#[must_use]
pub fn unique_id() -> u64 {
    0x4556_435f_4d43_5530
}

/// The board's outputs on their pins: relay, cable lock, RGB light.
pub type BoardOutputs = crate::hal::Outputs<Pin, Pin, Pin, Pin, Pin>;
/// The board's inputs: plug detect and the card reader.
pub type BoardInputs = crate::hal::Inputs<Pin, ScriptedReader>;

/// The board's outputs and inputs on their pins.
#[must_use]
pub fn io() -> (BoardOutputs, BoardInputs) {
    let outputs = crate::hal::Outputs::new(
        Pin(&RELAY),
        Pin(&LOCK),
        Pin(&LED_RED),
        Pin(&LED_GREEN),
        Pin(&LED_BLUE),
    );
    let inputs = crate::hal::Inputs::new(Pin(&PLUG), ScriptedReader::default());
    (outputs, inputs)
}
