//! OCPP frames over a serial line: the ARM CMSDK APB UART of the mps2 boards, one frame
//! per line, as a modem that holds the WebSocket passes them on. Lines that start with
//! `#` (no OCPP-J frame does) steer the modem: `#open <url> <security profile>`, then
//! `#auth <user>` when the engine gives Basic-auth credentials (the password follows on
//! its own `#key <password>` line, which the modem never echoes), and `#close`.
//!
//! The modem also does the file transfers (HTTP, HTTPS, FTP, FTPS), named by the engine's
//! job id:
//!
//! ```text
//! box → modem   #get <id> <url>
//!               #put <id> <length> <name> <url>, then #data <id> <hex>… and #end <id>
//! modem → box   #started <id> [<total bytes>]
//!               #data <id> <hex>          (a download's bytes, in order)
//!               #done <id>
//!               #fail <id> <reason>
//! ```
//!
//! Bytes go as hex (a frame line never carries raw binary); a line the box does not
//! understand is dropped, never taken for a frame.

use alloc::{collections::VecDeque, string::String, vec::Vec};

use crate::hal::{FileEvent, FileTransfer, Transport};

/// UART0 of the mps2-an386 board.
pub const UART0: usize = 0x4000_4000;

/// The longest frame accepted; a longer line is dropped whole.
const MAX_FRAME: usize = 16 * 1024;

const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const BAUDDIV: usize = 0x10;
const STATE_TX_FULL: u32 = 1;
const STATE_RX_FULL: u32 = 2;

/// One CMSDK UART, polled.
pub struct Uart {
    base: usize,
}

#[allow(
    unsafe_code,
    reason = "memory-mapped registers of the UART, at the addresses of the board's manual"
)]
impl Uart {
    fn read(&self, offset: usize) -> u32 {
        // SAFETY: `base` is the UART's register block (see `Uart::new`); its registers
        // are 32-bit and aligned, and reading them has no effect beyond the UART.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write(&self, offset: usize, value: u32) {
        // SAFETY: as in `read`; writing these registers only drives the UART.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    /// The UART at `base` (such as [`UART0`]), enabled at `baud` for a core at `core_hz`.
    /// `base` must be the address of a CMSDK UART's register block.
    #[must_use]
    pub fn new(base: usize, core_hz: u32, baud: u32) -> Self {
        let uart = Self { base };
        uart.write(BAUDDIV, core_hz / baud.max(1));
        uart.write(CTRL, 0b11);
        uart
    }

    /// Sends one byte, waiting while the transmitter is full.
    pub fn put(&mut self, byte: u8) {
        while self.read(STATE) & STATE_TX_FULL != 0 {}
        self.write(DATA, u32::from(byte));
    }

    /// A received byte, if one is waiting.
    pub fn get(&mut self) -> Option<u8> {
        (self.read(STATE) & STATE_RX_FULL != 0).then(|| self.read(DATA).to_le_bytes()[0])
    }
}

/// Bytes per `#data` line of an upload.
const CHUNK: usize = 256;

/// Frames and file transfers as lines over a [`Uart`].
pub struct LineTransport {
    uart: Uart,
    line: Vec<u8>,
    overlong: bool,
    frames: VecDeque<String>,
    files: VecDeque<(u32, FileEvent)>,
}

impl LineTransport {
    /// A transport over `uart`.
    #[must_use]
    pub const fn new(uart: Uart) -> Self {
        Self {
            uart,
            line: Vec::new(),
            overlong: false,
            frames: VecDeque::new(),
            files: VecDeque::new(),
        }
    }

    /// Reads what the modem sent: frames and file reports.
    fn read(&mut self) {
        while let Some(b) = self.uart.get() {
            if b == b'\n' {
                let line = core::mem::take(&mut self.line);
                if core::mem::take(&mut self.overlong) {
                    continue;
                }
                // Text that is not UTF-8 is not a frame; the engine would refuse it anyway.
                let Ok(text) = String::from_utf8(line) else {
                    continue;
                };
                if text.starts_with('#') {
                    self.files.extend(modem_line(&text));
                } else {
                    self.frames.push_back(text);
                }
            } else if self.line.len() < MAX_FRAME {
                self.line.push(b);
            } else {
                self.overlong = true;
            }
        }
    }
}

/// A file report of the modem, if `line` is one.
fn modem_line(line: &str) -> Option<(u32, FileEvent)> {
    let mut words = line.splitn(3, ' ');
    let word = words.next()?;
    let id = words.next()?.parse::<u32>().ok()?;
    let rest = words.next().unwrap_or("").trim();
    let event = match word {
        "#started" => FileEvent::Started {
            total: rest.parse().ok(),
        },
        "#data" => FileEvent::Data(from_hex(rest)?),
        "#done" => FileEvent::Done,
        "#fail" if rest.is_empty() => FileEvent::Failed(String::from("the modem gave no reason")),
        "#fail" => FileEvent::Failed(String::from(rest)),
        _ => return None,
    };
    Some((id, event))
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| match pair {
            [hi, lo] => Some(digit(*hi)? << 4 | digit(*lo)?),
            _ => None,
        })
        .collect()
}

fn decimal(n: u64) -> String {
    alloc::format!("{n}")
}

impl LineTransport {
    fn line(&mut self, parts: &[&str]) {
        for part in parts {
            for b in part.bytes() {
                self.uart.put(b);
            }
        }
        self.uart.put(b'\n');
    }
}

impl Transport for LineTransport {
    fn open(&mut self, params: &chargepoint::ConnectParams) -> bool {
        let profile = [b'0' + params.security_profile.min(9)];
        let profile = core::str::from_utf8(&profile).unwrap_or("0");
        self.line(&["#open ", &params.url, " ", profile]);
        if let Some((user, key)) = &params.basic_auth {
            self.line(&["#auth ", user]);
            self.line(&["#key ", key]);
        }
        true
    }

    fn close(&mut self) {
        self.line(&["#close"]);
        self.line.clear();
        self.overlong = false;
    }

    fn send(&mut self, text: &str) {
        self.line(&[text]);
    }

    fn receive(&mut self) -> Option<String> {
        self.read();
        self.frames.pop_front()
    }
}

impl FileTransfer for LineTransport {
    fn get(&mut self, id: u32, url: &str) {
        self.line(&["#get ", &decimal(id.into()), " ", url]);
    }

    fn put(&mut self, id: u32, url: &str, name: &str, content: &[u8]) {
        let id = decimal(id.into());
        let length = decimal(content.len() as u64);
        self.line(&["#put ", &id, " ", &length, " ", name, " ", url]);
        let mut hex = String::with_capacity(2 * CHUNK);
        for chunk in content.chunks(CHUNK) {
            hex.clear();
            for b in chunk {
                for nibble in [b >> 4, b & 15] {
                    hex.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                }
            }
            self.line(&["#data ", &id, " ", &hex]);
        }
        self.line(&["#end ", &id]);
    }

    fn poll_file(&mut self) -> Option<(u32, FileEvent)> {
        self.read();
        self.files.pop_front()
    }
}
