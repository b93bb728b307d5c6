//! The emulated board: pins backed by memory that the self-test script drives and
//! checks, a SysTick millisecond clock, and a card reader fed by the script.

use alloc::{collections::VecDeque, string::String};
use core::{
    convert::Infallible,
    sync::atomic::{AtomicBool, AtomicU32, Ordering},
};

use cortex_m::peripheral::{SYST, syst::SystClkSource};
use cortex_m_rt::exception;
use embedded_hal::digital::{ErrorType, InputPin, OutputPin};

use crate::hal::{CardReader, Monotonic};

/// A pin level in memory.
pub(crate) struct Level(AtomicBool);

impl Level {
    /// A low level.
    pub(crate) const fn low() -> Self {
        Self(AtomicBool::new(false))
    }

    /// Whether it is high.
    pub(crate) fn is_high(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Drives it.
    pub(crate) fn set(&self, high: bool) {
        self.0.store(high, Ordering::Relaxed);
    }
}

/// The relay, lock and light pins, and the plug-detect input.
pub(crate) static RELAY: Level = Level::low();
pub(crate) static LOCK: Level = Level::low();
pub(crate) static LED_RED: Level = Level::low();
pub(crate) static LED_GREEN: Level = Level::low();
pub(crate) static LED_BLUE: Level = Level::low();
pub(crate) static PLUG: Level = Level::low();

/// An output pin writing a [`Level`].
pub(crate) struct Pin(pub(crate) &'static Level);

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

#[exception]
fn SysTick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

/// The SysTick clock: a 1 kHz interrupt counting milliseconds.
pub(crate) struct SysTickClock;

impl SysTickClock {
    /// Starts SysTick at 1 kHz from a core clock of `core_hz`.
    pub(crate) fn start(mut syst: SYST, core_hz: u32) -> Self {
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
pub(crate) struct ScriptedReader {
    cards: VecDeque<String>,
}

impl ScriptedReader {
    /// A card is held to the reader.
    pub(crate) fn present(&mut self, uid: &str) {
        self.cards.push_back(String::from(uid));
    }
}

impl CardReader for ScriptedReader {
    fn poll(&mut self) -> Option<String> {
        self.cards.pop_front()
    }
}
