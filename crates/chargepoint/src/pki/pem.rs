//! PEM (RFC 7468): base64 between `-----BEGIN label-----` and `-----END label-----`
//! lines, written with 64-character lines and LF, read strictly (the standard alphabet,
//! padding only at the end, whitespace between characters tolerated).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::PkiError;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// The bytes of a PEM body (the text between the BEGIN and END lines).
pub(super) fn decode_body(body: &str) -> Result<Vec<u8>, PkiError> {
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut held = 0u8;
    let mut padding = 0u8;
    for c in body.bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return Err(PkiError::BadPem("base64 data after padding".into()));
        }
        let Some(v) = sextet(c) else {
            // Not `{:?}` of a char: that links Unicode's tables (flash on the MCU).
            return Err(PkiError::BadPem(if c.is_ascii_graphic() || c == b' ' {
                format!("invalid base64 character '{}'", char::from(c))
            } else {
                format!("invalid base64 byte 0x{c:02x}")
            }));
        };
        acc = (acc << 6) | u32::from(v);
        held += 1;
        if held == 4 {
            out.extend_from_slice(acc.to_be_bytes().get(1..).unwrap_or(&[]));
            acc = 0;
            held = 0;
        }
    }
    let tail_ok = matches!((held, padding), (0, 0) | (2, 2) | (3, 1));
    if !tail_ok {
        return Err(PkiError::BadPem("base64 length or padding is wrong".into()));
    }
    // 2 characters hold one byte, 3 hold two: align them as the top of 24 bits.
    let last = (acc << (6 * (4 - u32::from(held)))).to_be_bytes();
    out.extend_from_slice(last.get(1..usize::from(held)).unwrap_or(&[]));
    Ok(out)
}

/// `bytes` as one PEM block with `label`, LF line endings, ending in a newline.
pub(super) fn encode(label: &str, bytes: &[u8]) -> String {
    let mut b64 = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |a, (i, b)| a | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            let c = if i <= chunk.len() {
                let index = usize::try_from((n >> (18 - 6 * i)) & 0x3f).unwrap_or(0);
                ALPHABET.get(index).copied().unwrap_or(b'=')
            } else {
                b'='
            };
            b64.push(c);
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.chunks(64) {
        out.push_str(core::str::from_utf8(line).unwrap_or(""));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}
