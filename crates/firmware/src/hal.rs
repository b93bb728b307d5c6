//! The thin hardware layer: the engine's commands onto embedded-hal style outputs, the
//! board's inputs into the engine's hardware events, and the services a charge point
//! needs from its platform (a monotonic clock, durable storage, a WebSocket transport,
//! file transfers and a slot for a downloaded image),
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

/// What a file transfer reports (a modem's HTTP/FTP client on a real board).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileEvent {
    /// The transfer began; the size when the server told it.
    Started {
        /// Bytes to come, if known.
        total: Option<u64>,
    },
    /// Bytes of a download, in order.
    Data(Vec<u8>),
    /// The transfer ended well.
    Done,
    /// It failed: the reason a person should read (host not found, HTTP 404, …).
    Failed(String),
}

/// File transfers for the engine's jobs: the board asks, the transfer reports through
/// [`FileTransfer::poll_file`]. Each transfer is named by the engine's job id.
pub trait FileTransfer {
    /// Starts downloading `url`; its bytes come as [`FileEvent::Data`].
    fn get(&mut self, id: u32, url: &str);
    /// Starts uploading `content` to `url` as the file `name`.
    fn put(&mut self, id: u32, url: &str, name: &str, content: &[u8]);
    /// The next report of a transfer, if any.
    fn poll_file(&mut self) -> Option<(u32, FileEvent)>;
}

/// Where a downloaded firmware image is kept until it is installed (the second flash
/// bank on a real board, read in place; RAM when emulated).
pub trait ImageSlot {
    /// Empties the slot for a new image.
    fn erase(&mut self);
    /// Appends bytes; the slot's size when they do not fit.
    fn append(&mut self, bytes: &[u8]) -> Result<(), SlotFull>;
    /// What the slot holds.
    fn contents(&self) -> &[u8];
}

/// The image does not fit the slot, of this many bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotFull(pub usize);

/// An image slot in static RAM (outside the heap, as a flash bank would be).
pub struct RamSlot {
    bytes: &'static mut [u8],
    len: usize,
}

impl RamSlot {
    /// A slot over `bytes` (from `cortex_m::singleton!`, once at start-up).
    #[must_use]
    pub const fn new(bytes: &'static mut [u8]) -> Self {
        Self { bytes, len: 0 }
    }
}

impl ImageSlot for RamSlot {
    fn erase(&mut self) {
        self.len = 0;
    }

    fn append(&mut self, bytes: &[u8]) -> Result<(), SlotFull> {
        let end = self.len.saturating_add(bytes.len());
        let room = self.bytes.len();
        let target = self.bytes.get_mut(self.len..end).ok_or(SlotFull(room))?;
        target.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    fn contents(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
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
                    Led::WaitingForAuthorization | Led::WaitingForEv => (false, false, true),
                    Led::Charging | Led::Suspended => (false, true, false),
                    Led::Fault(_) | Led::Rejected => (true, false, false),
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
