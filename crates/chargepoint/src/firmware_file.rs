//! The firmware file format: a short text header, then the image.
//!
//! ```text
//! EVC-FIRMWARE 1
//! product: TeltoCharge
//! version: 1.2.3
//! length: 123456
//! sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//!
//! <length bytes of image>
//! ```
//!
//! Every header line ends in `\n`, in exactly this order, and an empty line ends the
//! header, which is at most [`MAX_HEADER`] bytes long (the blank line included).
//! `product` is the box's chargePointModel ([`crate::model::Identity::model`]: 1–20
//! printable ASCII characters); `version` is 1–50 printable ASCII characters without
//! spaces (it becomes BootNotification's firmwareVersion, a CiString50); `length` is the
//! body's size in decimal; `sha256` the body's SHA-256 in 64 lowercase hex digits.
//!
//! [`Verifier`] checks a file as it streams past (a download on an MCU never holds the
//! image): it keeps the header (≤ 512 bytes) and a running hash, nothing of the body.
//! Its verdict does not depend on how the file is cut into chunks. This module does no
//! I/O; the homes feed it what they read.

use alloc::{format, string::String, vec::Vec};
use core::fmt;
use sha2::{Digest, Sha256};

/// The first line of every firmware file.
pub const MAGIC_LINE: &str = "EVC-FIRMWARE 1";

/// The longest header, the blank line that ends it included.
pub const MAX_HEADER: usize = 512;

/// The most characters of `product`.
const MAX_PRODUCT: usize = 20;
/// The most characters of `version`.
const MAX_VERSION: usize = 50;
/// How much of a file's start a "not a firmware file" reason shows.
const SHOWN_START: usize = 16;

/// What a firmware file's header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The product it is for (the box's chargePointModel).
    pub product: String,
    /// The firmware version it installs.
    pub version: String,
    /// The body's length in bytes.
    pub length: u64,
    /// The body's SHA-256.
    pub sha256: [u8; 32],
}

/// Why a file is not an installable firmware image for this box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Not a single byte arrived.
    Empty,
    /// The file does not start with [`MAGIC_LINE`]; what it starts with (printable,
    /// other bytes shown as `.`, at most 16 characters).
    NotFirmware {
        /// The file's first bytes.
        starts_with: String,
    },
    /// The file ended inside the header.
    HeaderTruncated,
    /// No blank line within the first [`MAX_HEADER`] bytes.
    HeaderTooLong,
    /// A header line is not what it must be.
    MalformedLine {
        /// The line's number (1 = the magic line).
        line: usize,
        /// What was expected there.
        expected: &'static str,
        /// What was found (printable, at most 40 characters).
        found: String,
    },
    /// The image is for another product.
    WrongProduct {
        /// The header's product.
        file: String,
        /// This box's product.
        this_box: String,
    },
    /// The file ended before the body did.
    BodyTruncated {
        /// Body bytes that arrived.
        got: u64,
        /// The header's length.
        expected: u64,
    },
    /// More body bytes arrived than the header says.
    BodyTooLong {
        /// The header's length.
        expected: u64,
    },
    /// The body's SHA-256 is not the header's.
    Sha256Mismatch {
        /// What the header says.
        expected: [u8; 32],
        /// What the body hashes to.
        actual: [u8; 32],
    },
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "the firmware file is empty"),
            Self::NotFirmware { starts_with } => write!(
                f,
                "not a firmware file: it starts with \"{starts_with}\", not \"{MAGIC_LINE}\""
            ),
            Self::HeaderTruncated => write!(f, "the firmware file ends inside its header"),
            Self::HeaderTooLong => write!(
                f,
                "the firmware header has no blank line within its first {MAX_HEADER} bytes"
            ),
            Self::MalformedLine {
                line,
                expected,
                found,
            } => write!(
                f,
                "firmware header line {line} is malformed: expected {expected}, found \"{found}\""
            ),
            Self::WrongProduct { file, this_box } => {
                write!(f, "firmware for product {file}, this box is {this_box}")
            }
            Self::BodyTruncated { got, expected } => write!(
                f,
                "the firmware file is truncated: body is {got} of {expected} bytes"
            ),
            Self::BodyTooLong { expected } => write!(
                f,
                "the firmware body is longer than the {expected} bytes its header says"
            ),
            Self::Sha256Mismatch { expected, actual } => write!(
                f,
                "SHA-256 mismatch: the header says {}, the body is {}",
                hex(expected),
                hex(actual)
            ),
        }
    }
}

impl core::error::Error for FileError {}

/// The header of a firmware file, the blank line that ends it included.
#[must_use]
pub fn header_text(product: &str, version: &str, length: u64, sha256: &[u8; 32]) -> String {
    format!(
        "{MAGIC_LINE}\nproduct: {product}\nversion: {version}\nlength: {length}\nsha256: {}\n\n",
        hex(sha256)
    )
}

/// A whole firmware file: header and body.
#[must_use]
pub fn pack(product: &str, version: &str, body: &[u8]) -> Vec<u8> {
    let digest: [u8; 32] = Sha256::digest(body).into();
    let length = u64::try_from(body.len()).unwrap_or(u64::MAX);
    let mut file = header_text(product, version, length, &digest).into_bytes();
    file.extend_from_slice(body);
    file
}

/// Lowercase hex of bytes.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            s.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    s
}

/// Bytes as a person may read them: printable ASCII kept, anything else `.`, at most
/// `max` characters.
fn printable(bytes: &[u8], max: usize) -> String {
    bytes
        .iter()
        .take(max)
        .map(|&b| {
            if b == b' ' || b.is_ascii_graphic() {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect()
}

/// Where a [`Verifier`] stands.
#[derive(Debug, Clone)]
enum Phase {
    /// Collecting the header (never more than [`MAX_HEADER`] bytes).
    Header(Vec<u8>),
    /// Hashing the body.
    Body {
        header: Header,
        hasher: Sha256,
        got: u64,
    },
    /// A verdict was reached; every later call gives it again.
    Failed(FileError),
}

/// Checks a firmware file as it streams past, for this box's product. Keeps the header
/// and a running SHA-256, never the body.
#[derive(Debug, Clone)]
pub struct Verifier {
    product: String,
    phase: Phase,
}

impl Verifier {
    /// A verifier for files meant for `product` (the box's chargePointModel).
    #[must_use]
    pub fn new(product: &str) -> Self {
        Self {
            product: String::from(product),
            phase: Phase::Header(Vec::new()),
        }
    }

    /// The next bytes of the file. An error is final: every later call (and
    /// [`Verifier::finish`]) gives the same one.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), FileError> {
        let mut rest = chunk;
        while !rest.is_empty() {
            match &mut self.phase {
                Phase::Failed(e) => return Err(e.clone()),
                Phase::Header(buf) => {
                    let Some((&byte, tail)) = rest.split_first() else {
                        break;
                    };
                    rest = tail;
                    buf.push(byte);
                    let step = if buf.ends_with(b"\n\n") {
                        parse_header(buf, &self.product).map(Some)
                    } else if buf.len() == SHOWN_START && !starts_with_magic(buf) {
                        Err(not_firmware(buf))
                    } else if buf.len() >= MAX_HEADER {
                        Err(FileError::HeaderTooLong)
                    } else {
                        Ok(None)
                    };
                    match step {
                        Ok(None) => {}
                        Ok(Some(header)) => {
                            self.phase = Phase::Body {
                                header,
                                hasher: Sha256::new(),
                                got: 0,
                            };
                        }
                        Err(e) => self.phase = Phase::Failed(e),
                    }
                }
                Phase::Body {
                    header,
                    hasher,
                    got,
                } => {
                    let left = header.length.saturating_sub(*got);
                    let n = u64::try_from(rest.len()).unwrap_or(u64::MAX);
                    if n > left {
                        let expected = header.length;
                        self.phase = Phase::Failed(FileError::BodyTooLong { expected });
                        continue;
                    }
                    hasher.update(rest);
                    *got += n;
                    rest = &[];
                }
            }
        }
        match &self.phase {
            Phase::Failed(e) => Err(e.clone()),
            _ => Ok(()),
        }
    }

    /// The file ended: its header when it is a whole, intact image for this product.
    pub fn finish(self) -> Result<Header, FileError> {
        match self.phase {
            Phase::Failed(e) => Err(e),
            Phase::Header(buf) if buf.is_empty() => Err(FileError::Empty),
            Phase::Header(buf) if !starts_with_magic(&buf) => Err(not_firmware(&buf)),
            Phase::Header(_) => Err(FileError::HeaderTruncated),
            Phase::Body {
                header,
                hasher,
                got,
            } => {
                if got < header.length {
                    return Err(FileError::BodyTruncated {
                        got,
                        expected: header.length,
                    });
                }
                let actual: [u8; 32] = hasher.finalize().into();
                if actual == header.sha256 {
                    Ok(header)
                } else {
                    Err(FileError::Sha256Mismatch {
                        expected: header.sha256,
                        actual,
                    })
                }
            }
        }
    }
}

/// Whether `buf` (a file's first bytes) agrees with the magic line and its `\n` as far
/// as it goes.
fn starts_with_magic(buf: &[u8]) -> bool {
    let magic = MAGIC_LINE.as_bytes();
    let n = buf.len().min(magic.len());
    buf.get(..n) == magic.get(..n) && buf.get(magic.len()).is_none_or(|b| *b == b'\n')
}

fn not_firmware(buf: &[u8]) -> FileError {
    FileError::NotFirmware {
        starts_with: printable(buf, SHOWN_START),
    }
}

/// Parses a whole header (its blank line included) and checks the product.
fn parse_header(buf: &[u8], product: &str) -> Result<Header, FileError> {
    // The header ends "\n\n": its lines are what comes before the last two bytes.
    let body = buf.get(..buf.len().saturating_sub(2)).unwrap_or_default();
    let mut lines = body.split(|b| *b == b'\n');
    let mut n = 0;
    let mut next = |expected: &'static str| {
        n += 1;
        let line = n;
        let text = lines.next().ok_or(FileError::MalformedLine {
            line,
            expected,
            found: String::new(),
        })?;
        Ok::<_, FileError>((line, text))
    };
    let (_, magic) = next("")?;
    if magic != MAGIC_LINE.as_bytes() {
        return Err(not_firmware(buf));
    }

    const PRODUCT: &str = "\"product: <1-20 printable ASCII characters>\"";
    let (line, text) = next(PRODUCT)?;
    let value = field(line, text, "product", PRODUCT)?;
    if value.is_empty()
        || value.len() > MAX_PRODUCT
        || !value.iter().all(|b| *b == b' ' || b.is_ascii_graphic())
    {
        return Err(malformed(line, PRODUCT, text));
    }
    let file_product = printable(value, MAX_PRODUCT);

    const VERSION: &str = "\"version: <1-50 printable ASCII characters, no spaces>\"";
    let (line, text) = next(VERSION)?;
    let value = field(line, text, "version", VERSION)?;
    if value.is_empty() || value.len() > MAX_VERSION || !value.iter().all(u8::is_ascii_graphic) {
        return Err(malformed(line, VERSION, text));
    }
    let version = printable(value, MAX_VERSION);

    const LENGTH: &str = "\"length: <the body's size in decimal>\"";
    let (line, text) = next(LENGTH)?;
    let value = field(line, text, "length", LENGTH)?;
    let length = core::str::from_utf8(value)
        .ok()
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| malformed(line, LENGTH, text))?;

    const SHA: &str = "\"sha256: <64 lowercase hex digits>\"";
    let (line, text) = next(SHA)?;
    let value = field(line, text, "sha256", SHA)?;
    let sha256 = parse_digest(value).ok_or_else(|| malformed(line, SHA, text))?;

    if let Some(extra) = lines.next() {
        return Err(malformed(
            n + 1,
            "the blank line that ends the header",
            extra,
        ));
    }
    if file_product != product {
        return Err(FileError::WrongProduct {
            file: file_product,
            this_box: String::from(product),
        });
    }
    Ok(Header {
        product: file_product,
        version,
        length,
        sha256,
    })
}

fn malformed(line: usize, expected: &'static str, text: &[u8]) -> FileError {
    FileError::MalformedLine {
        line,
        expected,
        found: printable(text, 40),
    }
}

/// The value of the header line `text` (`<name>: <value>`).
fn field<'a>(
    line: usize,
    text: &'a [u8],
    name: &str,
    expected: &'static str,
) -> Result<&'a [u8], FileError> {
    text.strip_prefix(name.as_bytes())
        .and_then(|t| t.strip_prefix(b": "))
        .ok_or_else(|| malformed(line, expected, text))
}

/// 64 lowercase hex digits as 32 bytes.
fn parse_digest(text: &[u8]) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let &[hi, lo] = pair else {
            return None;
        };
        *slot = (digit(hi)? << 4) | digit(lo)?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    const BOX: &str = "TeltoCharge";

    fn verify(file: &[u8]) -> Result<Header, FileError> {
        let mut v = Verifier::new(BOX);
        let _ = v.update(file);
        v.finish()
    }

    fn reason(file: &[u8]) -> String {
        verify(file).unwrap_err().to_string()
    }

    #[test]
    fn a_packed_file_verifies_and_says_its_version() {
        let body = b"\x7fELF and then the image";
        let file = pack(BOX, "1.2.3-rc.1", body);
        let header = verify(&file).unwrap();
        assert_eq!(header.version, "1.2.3-rc.1");
        assert_eq!(header.product, BOX);
        assert_eq!(header.length, 23);
        let text = header_text(BOX, "1.2.3-rc.1", 23, &header.sha256);
        assert!(file.starts_with(text.as_bytes()));
        assert_eq!(file.len(), text.len() + body.len());
        // An empty body is an (odd) valid image.
        assert_eq!(verify(&pack(BOX, "0", b"")).unwrap().length, 0);
        // The SHA-256 of "abc" (FIPS 180-2 example).
        assert!(String::from_utf8(pack(BOX, "1", b"abc")).unwrap().contains(
            "sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
        ));
    }

    #[test]
    fn every_fault_has_its_own_reason() {
        assert_eq!(reason(b""), "the firmware file is empty");
        assert_eq!(
            reason(b"PK\x03\x04zip file contents here"),
            "not a firmware file: it starts with \"PK..zip file con\", not \"EVC-FIRMWARE 1\""
        );
        assert!(reason(b"<html>\n\n").contains("starts with \"<html>..\""));
        assert_eq!(
            reason(b"EVC-FIRMWARE 1\nproduct: Telto"),
            "the firmware file ends inside its header"
        );
        assert_eq!(
            reason(b"EVC-FIRM"),
            "the firmware file ends inside its header"
        );
        let mut long = b"EVC-FIRMWARE 1\n".to_vec();
        long.resize(600, b'x');
        assert!(reason(&long).contains("no blank line within its first 512 bytes"));
        let other = pack("OtherBox", "2.0", b"x");
        assert_eq!(
            reason(&other),
            "firmware for product OtherBox, this box is TeltoCharge"
        );
        let good = pack(BOX, "2.0", b"0123456789");
        let cut = good.get(..good.len() - 4).unwrap();
        assert_eq!(
            reason(cut),
            "the firmware file is truncated: body is 6 of 10 bytes"
        );
        let mut longer = good.clone();
        longer.push(b'!');
        assert_eq!(
            reason(&longer),
            "the firmware body is longer than the 10 bytes its header says"
        );
        let mut flipped = good.clone();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        let r = reason(&flipped);
        assert!(r.starts_with("SHA-256 mismatch: the header says "), "{r}");
        assert!(r.matches(|c: char| c.is_ascii_hexdigit()).count() >= 128);
    }

    #[test]
    fn malformed_lines_are_named() {
        let sha = "0".repeat(64);
        let cases = [
            (
                format!(
                    "EVC-FIRMWARE 1\nmodel: TeltoCharge\nversion: 1\nlength: 1\nsha256: {sha}\n\n"
                ),
                "line 2",
                "product:",
            ),
            (
                format!(
                    "EVC-FIRMWARE 1\nproduct: TeltoCharge\nversion: 1 2\nlength: 1\nsha256: {sha}\n\n"
                ),
                "line 3",
                "version:",
            ),
            (
                format!(
                    "EVC-FIRMWARE 1\nproduct: TeltoCharge\nversion: 1\nlength: -1\nsha256: {sha}\n\n"
                ),
                "line 4",
                "length:",
            ),
            (
                format!(
                    "EVC-FIRMWARE 1\nproduct: TeltoCharge\nversion: 1\nlength: 1\nsha256: {}\n\n",
                    "A".repeat(64)
                ),
                "line 5",
                "sha256:",
            ),
            (
                format!(
                    "EVC-FIRMWARE 1\nproduct: TeltoCharge\nversion: 1\nlength: 1\nsha256: {sha}\nextra: 1\n\n"
                ),
                "line 6",
                "blank line",
            ),
            (
                String::from("EVC-FIRMWARE 1\nproduct: TeltoCharge\n\n"),
                "line 3",
                "version:",
            ),
            (
                format!(
                    "EVC-FIRMWARE 1\nproduct: TeltoCharge\nversion: {}\nlength: 1\nsha256: {sha}\n\n",
                    "9".repeat(51)
                ),
                "line 3",
                "version:",
            ),
        ];
        for (text, line, expected) in cases {
            let r = reason(text.as_bytes());
            assert!(r.contains(line) && r.contains(expected), "{text:?}: {r}");
        }
    }

    #[test]
    fn an_error_is_final() {
        let mut v = Verifier::new(BOX);
        let e = v.update(b"GIF89a, not firmware at all").unwrap_err();
        assert_eq!(v.update(&pack(BOX, "1", b"x")), Err(e.clone()));
        assert_eq!(v.finish(), Err(e));
    }
}
