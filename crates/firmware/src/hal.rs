//! The thin hardware layer: the engine's commands onto embedded-hal style outputs, the
//! board's inputs into the engine's hardware events, and the services a charge point
//! needs from its platform (a monotonic clock, durable storage, a WebSocket transport),
//! each behind a small trait so a real board only implements these.

use alloc::{string::String, vec::Vec};

use chargepoint::{Command, HardwareEvent, Led};
use embedded_hal::digital::{InputPin, OutputPin};

/// A monotonic millisecond clock (SysTick on this board).
pub trait Monotonic {
    /// Milliseconds since start-up.
    fn now_ms(&self) -> u64;
}

/// Durable key-value storage (a flash page on a real board, RAM when emulated).
pub trait Store {
    /// The value stored under `key`.
    fn load(&self, key: &str) -> Option<Vec<u8>>;
    /// Stores `value` under `key`, replacing an older one.
    fn save(&mut self, key: &str, value: &[u8]) -> Result<(), StoreFull>;
}

/// The store has no room for a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFull;

/// A WebSocket text transport to the CSMS (a modem or a TCP/IP stack on a real board).
pub trait Transport {
    /// Opens the connection with the parameters the engine gives (URL, credentials,
    /// security profile); false when it cannot be opened now.
    fn open(&mut self, params: &chargepoint::ConnectParams) -> bool;
    /// Closes the connection (the engine asked: a reset, new credentials).
    fn close(&mut self);
    /// Sends one text frame.
    fn send(&mut self, text: &str);
    /// The next text frame received, if any.
    fn receive(&mut self) -> Option<String>;
}

/// An RFID/NFC reader: the UID of a card held to it.
pub trait CardReader {
    /// The UID of a newly presented card.
    fn poll(&mut self) -> Option<String>;
}

/// A store in RAM with a fixed byte budget, as a flash page would have.
pub struct RamStore {
    entries: Vec<(String, Vec<u8>)>,
    capacity: usize,
}

impl RamStore {
    /// A store that holds at most `capacity` bytes of keys and values.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Vec::new(),
            capacity,
        }
    }

    fn used_without(&self, key: &str) -> usize {
        self.entries
            .iter()
            .filter(|(k, _)| k != key)
            .map(|(k, v)| k.len() + v.len())
            .sum()
    }
}

impl Store for RamStore {
    fn load(&self, key: &str) -> Option<Vec<u8>> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn save(&mut self, key: &str, value: &[u8]) -> Result<(), StoreFull> {
        if self.used_without(key) + key.len() + value.len() > self.capacity {
            return Err(StoreFull);
        }
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((String::from(key), Vec::from(value)));
        Ok(())
    }
}

/// The board's outputs: the relay (contactor) pin, the cable lock pin and an RGB status
/// light; the control pilot's PWM (the offered current) is a timer channel on a real
/// board and is kept here as a number.
pub struct Outputs<R, K, LR, LG, LB> {
    relay: R,
    lock: K,
    red: LR,
    green: LG,
    blue: LB,
    /// The current offered to the EV through the control pilot, in mA.
    pub offered_ma: u32,
    /// The light pattern shown.
    pub led: Option<Led>,
}

impl<R, K, LR, LG, LB> Outputs<R, K, LR, LG, LB>
where
    R: OutputPin,
    K: OutputPin,
    LR: OutputPin,
    LG: OutputPin,
    LB: OutputPin,
{
    /// Outputs on these pins.
    pub fn new(relay: R, lock: K, red: LR, green: LG, blue: LB) -> Self {
        Self {
            relay,
            lock,
            red,
            green,
            blue,
            offered_ma: 0,
            led: None,
        }
    }

    /// Carries out a command of the engine; those for the home (connect, reboot) are
    /// not the outputs' business and are ignored here.
    pub fn apply(&mut self, command: &Command) {
        // Pin errors on this board are infallible; a real board would log them.
        match command {
            Command::SetRelay { closed, offered_ma } => {
                let _ = self.relay.set_state((*closed).into());
                self.offered_ma = *offered_ma;
            }
            Command::Lock(locked) => {
                let _ = self.lock.set_state((*locked).into());
            }
            Command::Indicator(led) => {
                // Colours only; rolling and pulsing are a timer's job on a real board.
                let (r, g, b) = match led {
                    Led::Booting | Led::Available => (true, true, true),
                    Led::WaitingForAuthorization => (false, false, true),
                    Led::Charging | Led::Suspended => (false, true, false),
                    Led::Fault | Led::Rejected => (true, false, false),
                    Led::Unavailable => (false, false, false),
                };
                let _ = self.red.set_state(r.into());
                let _ = self.green.set_state(g.into());
                let _ = self.blue.set_state(b.into());
                self.led = Some(*led);
            }
            Command::Connect { .. }
            | Command::Disconnect
            | Command::Rebooted { .. }
            | Command::StartJob(_) => {}
        }
    }
}

/// The board's inputs: the control pilot's "EV connected" level and the card reader.
pub struct Inputs<P, C> {
    plug: P,
    reader: C,
    plugged: bool,
}

impl<P: InputPin, C: CardReader> Inputs<P, C> {
    /// Inputs from these.
    pub fn new(plug: P, reader: C) -> Self {
        Self {
            plug,
            reader,
            plugged: false,
        }
    }

    /// The card reader (for the emulated board's script).
    pub fn reader(&mut self) -> &mut C {
        &mut self.reader
    }

    /// Hardware events since the last poll: plug edges, then a card.
    pub fn poll(&mut self) -> Vec<HardwareEvent> {
        let mut events = Vec::new();
        let plugged = self.plug.is_high().unwrap_or(self.plugged);
        if plugged != self.plugged {
            self.plugged = plugged;
            events.push(if plugged {
                HardwareEvent::EvPlugged
            } else {
                HardwareEvent::EvUnplugged
            });
        }
        if let Some(uid) = self.reader.poll() {
            events.push(HardwareEvent::RfidTap(uid));
        }
        events
    }
}
