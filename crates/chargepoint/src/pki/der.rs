//! The DER the box reads and writes: a strict reader of definite-length TLVs (what an
//! X.509 certificate, an ECDSA signature and basicConstraints are made of) and a writer
//! for the CSR, the PKCS#8 key and signatures. Written here rather than taken from the
//! `der` / `x509-cert` crates: their generic decoders cost the MCU image about 28 KiB for
//! the handful of structures the box reads (ARCHITECTURE.md).
//!
//! Strict DER: a length must be definite and minimal, a tag low-number form; every
//! fault is a [`PkiError::BadDer`] naming the element and what was wrong.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::PkiError;

pub(super) const BOOLEAN: u8 = 0x01;
pub(super) const INTEGER: u8 = 0x02;
pub(super) const BIT_STRING: u8 = 0x03;
pub(super) const OCTET_STRING: u8 = 0x04;
pub(super) const OID: u8 = 0x06;
pub(super) const UTF8_STRING: u8 = 0x0c;
pub(super) const UTC_TIME: u8 = 0x17;
pub(super) const GENERALIZED_TIME: u8 = 0x18;
pub(super) const SEQUENCE: u8 = 0x30;
pub(super) const SET: u8 = 0x31;

/// One element: its tag, its contents and its whole encoding (tag and length included).
#[derive(Clone, Copy)]
pub(super) struct Tlv<'a> {
    pub(super) tag: u8,
    pub(super) content: &'a [u8],
    pub(super) whole: &'a [u8],
}

/// Reads the elements of one level in order.
pub(super) struct Der<'a> {
    rest: &'a [u8],
}

pub(super) fn bad(what: &str, why: &str) -> PkiError {
    PkiError::BadDer(format!("{what}: {why}"))
}

impl<'a> Der<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Der { rest: bytes }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element, whatever its tag.
    pub(super) fn any(&mut self, what: &str) -> Result<Tlv<'a>, PkiError> {
        let bytes = self.rest;
        let (&tag, after) = bytes.split_first().ok_or_else(|| bad(what, "missing"))?;
        if tag & 0x1f == 0x1f {
            return Err(bad(what, "high tag numbers are not used in X.509"));
        }
        let (&first, mut after) = after.split_first().ok_or_else(|| bad(what, "truncated"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else if first == 0x80 {
            return Err(bad(what, "indefinite length is not DER"));
        } else {
            let n = usize::from(first & 0x7f);
            if n > 4 {
                return Err(bad(what, "length too large"));
            }
            let (digits, tail) = after
                .split_at_checked(n)
                .ok_or_else(|| bad(what, "truncated"))?;
            after = tail;
            let len = digits
                .iter()
                .fold(0usize, |a, d| (a << 8) | usize::from(*d));
            if digits.first() == Some(&0) || len < 0x80 {
                return Err(bad(what, "length not minimally encoded"));
            }
            len
        };
        let (content, rest) = after
            .split_at_checked(len)
            .ok_or_else(|| bad(what, "truncated"))?;
        let whole_len = bytes.len() - rest.len();
        self.rest = rest;
        Ok(Tlv {
            tag,
            content,
            whole: bytes.get(..whole_len).unwrap_or(&[]),
        })
    }

    /// The next element, which must have `tag`.
    pub(super) fn expect(&mut self, tag: u8, what: &str) -> Result<Tlv<'a>, PkiError> {
        let tlv = self.any(what)?;
        if tlv.tag != tag {
            return Err(bad(
                what,
                &format!("expected tag 0x{tag:02x}, found 0x{:02x}", tlv.tag),
            ));
        }
        Ok(tlv)
    }

    /// The next element if it has `tag`.
    pub(super) fn optional(&mut self, tag: u8, what: &str) -> Result<Option<Tlv<'a>>, PkiError> {
        if self.rest.first() == Some(&tag) {
            self.any(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Nothing may follow.
    pub(super) fn end(&self, what: &str) -> Result<(), PkiError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(bad(what, "unexpected data after its last element"))
        }
    }
}

/// A constructed element's contents as a reader.
pub(super) fn inside<'a>(tlv: &Tlv<'a>) -> Der<'a> {
    Der::new(tlv.content)
}

/// The bits of a BIT STRING with no unused bits (keys and signatures).
pub(super) fn bit_string<'a>(tlv: &Tlv<'a>, what: &str) -> Result<&'a [u8], PkiError> {
    match tlv.content.split_first() {
        Some((0, bits)) => Ok(bits),
        Some(_) => Err(bad(what, "unused bits in a key or signature")),
        None => Err(bad(what, "empty BIT STRING")),
    }
}

/// A BOOLEAN: DER writes true as 0xff.
pub(super) fn boolean(tlv: &Tlv<'_>, what: &str) -> Result<bool, PkiError> {
    match tlv.content {
        [0x00] => Ok(false),
        [0xff] => Ok(true),
        _ => Err(bad(what, "not a DER BOOLEAN")),
    }
}

/// The magnitude of a non-negative INTEGER, without leading zero bytes.
pub(super) fn unsigned<'a>(tlv: &Tlv<'a>, what: &str) -> Result<&'a [u8], PkiError> {
    let c = tlv.content;
    match c {
        [] => Err(bad(what, "empty INTEGER")),
        [0, next, ..] if *next < 0x80 => Err(bad(what, "INTEGER not minimally encoded")),
        [first, ..] if *first >= 0x80 => Err(bad(what, "negative INTEGER")),
        _ => {
            let skip = c.iter().take_while(|b| **b == 0).count();
            Ok(c.get(skip..).unwrap_or(&[]))
        }
    }
}

/// An OBJECT IDENTIFIER's contents in dotted form (`1.2.840.10045.4.3.2`). Arcs are
/// 32-bit and the first two share one byte (as RustCrypto's `const-oid` reads them; no
/// OID of a certificate's algorithms or names needs more).
pub(super) fn oid_string(content: &[u8], what: &str) -> Result<String, PkiError> {
    let Some((&first, rest)) = content.split_first() else {
        return Err(bad(what, "empty OID"));
    };
    if first >= 120 {
        return Err(bad(what, "OID first arcs out of range"));
    }
    let mut s = format!("{}.{}", first / 40, first % 40);
    let mut value: u32 = 0;
    let mut open = false;
    for b in rest {
        if !open && *b == 0x80 {
            return Err(bad(what, "OID arc not minimally encoded"));
        }
        if value > u32::MAX >> 7 {
            return Err(bad(what, "OID arc too large"));
        }
        value = (value << 7) | u32::from(b & 0x7f);
        open = b & 0x80 != 0;
        if !open {
            s.push_str(&format!(".{value}"));
            value = 0;
        }
    }
    if open {
        return Err(bad(what, "truncated OID"));
    }
    Ok(s)
}

/// A TLV with a definite, minimal length.
pub(super) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        out.push(short);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub(super) fn integer(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let m = magnitude.get(skip..).unwrap_or(&[]);
    let mut content = Vec::with_capacity(m.len() + 1);
    if m.first().is_none_or(|b| *b >= 0x80) {
        content.push(0);
    }
    content.extend_from_slice(m);
    tlv(INTEGER, &content)
}

/// A BIT STRING with no unused bits.
pub(super) fn bits(bytes: &[u8]) -> Vec<u8> {
    let mut content = Vec::with_capacity(bytes.len() + 1);
    content.push(0);
    content.extend_from_slice(bytes);
    tlv(BIT_STRING, &content)
}
