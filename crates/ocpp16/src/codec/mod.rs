//! The wire codec: every payload decoded and encoded from a declarative description of
//! its schema (`messages/schema.rs`), over a small pull tokenizer on the text.
//!
//! - No tree: the decoder reads the text once, field by field, straight into the types.
//! - No floats: `multipleOf: 0.1` numbers become integer tenths from their digits; a
//!   `1.0` for an integer field stays a `TypeConstraintViolation`.
//! - One decoder per type, not per deserializer: the object and array walkers are
//!   plain functions, and a message's own code is a table of names and one `match`.
//! - The same CALLERROR code and description for every fault as the serde-based decoder
//!   that came before (its wording is kept: `idTag: 23 characters, at most 20 allowed`).
//!
//! A payload is read twice only when it fails. The first pass reads in text order and
//! stops at the first fault; the second reads every object in key order with duplicate
//! keys collapsed (as a JSON object model holds them), so that of several faults the
//! one named is the one the tree-based decoder named. A payload that is not JSON at all
//! is described by the tokenizer's cold checker (`codec/scan.rs`) in serde_json's words,
//! with line and column, as before; serde_json's parser is not on this path.

mod error;
mod number;
pub mod plain;
mod reader;
mod scan;

use alloc::{borrow::Cow, format, string::String, vec::Vec};

pub use error::DecodeError;
pub use plain::Record;
pub(crate) use reader::Kind;
pub use reader::Reader;
pub(crate) use scan::{NumberValue, Scan};

use crate::{
    CiString, DateTime, Decimal, Uri,
    error::{ErrorCode, WireError},
};

/// A type with a wire form: decoded from and encoded to OCPP-J JSON by this crate's
/// codec. Every message type, their shared types and enumerations implement it.
pub trait Payload: Sized {
    /// Reads one value of this type.
    ///
    /// # Errors
    /// The fault, with its CALLERROR code and the path to the field.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Appends the JSON text of this value.
    fn write(&self, out: &mut String);

    /// Rules of the schema beyond the value's type (minimum item counts, an
    /// enumeration narrowed in one message), checked once the whole payload decoded.
    ///
    /// # Errors
    /// The CALLERROR for the first rule broken.
    fn check(&self) -> Result<(), WireError> {
        Ok(())
    }
}

/// Decodes a payload of type `T`: the value, or the exact CALLERROR.
///
/// # Errors
/// The CALLERROR code and description for a payload that breaks the schema.
pub fn decode<T: Payload>(payload: &str) -> Result<T, WireError> {
    let mut value = None;
    read_passes(payload, &mut |r| {
        value = Some(T::read(r)?);
        Ok(())
    })?;
    // A pass that succeeded has stored its value.
    let value = value.ok_or_else(|| {
        WireError::new(
            ErrorCode::InternalError,
            String::from("payload not decoded"),
        )
    })?;
    value.check()?;
    Ok(value)
}

/// A value read by one pass, kept by the caller; not generic, so that each type's
/// decoder holds only its own reading code and the passes around it exist once.
type ReadOne<'f> = dyn FnMut(&mut Reader<'_>) -> Result<(), DecodeError> + 'f;

/// The first pass and, if it failed, the second.
fn read_passes(payload: &str, read: &mut ReadOne<'_>) -> Result<(), WireError> {
    match read_all(payload, false, read) {
        Ok(()) => Ok(()),
        Err(_) => exact(payload, read),
    }
}

fn read_all(payload: &str, sorted: bool, read: &mut ReadOne<'_>) -> Result<(), DecodeError> {
    let mut r = Reader::new(payload, sorted);
    read(&mut r)?;
    r.end()
}

/// The second pass, for a payload that failed the first: names the fault exactly.
#[cold]
fn exact(payload: &str, read: &mut ReadOne<'_>) -> Result<(), WireError> {
    if let Some(e) = not_an_object(payload) {
        return Err(e);
    }
    read_all(payload, true, read).map_err(|e| {
        if e.is_syntax() {
            WireError::new(
                ErrorCode::FormationViolation,
                String::from("payload is not valid JSON"),
            )
        } else {
            e.into_wire()
        }
    })
}

/// The description of a payload that is not JSON (in serde_json's words, as before:
/// the tokenizer's cold path names the fault and its place as serde_json's parser does)
/// or not a JSON object.
fn not_an_object(payload: &str) -> Option<WireError> {
    let description = match scan::Scan::document(payload) {
        Err(e) => format!("payload is not valid JSON: {}", e.describe(payload)),
        Ok(reader::Kind::Object) => return None,
        Ok(other) => format!("payload must be a JSON object, got {}", other.name()),
    };
    Some(WireError::new(ErrorCode::FormationViolation, description))
}

/// Encodes a payload.
#[must_use]
pub fn encode<T: Payload>(value: &T) -> String {
    // Most payloads fit; a MeterValues of six measurands grows it once or twice.
    let mut out = String::with_capacity(256);
    value.write(&mut out);
    out
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..0x20 => "",
            _ => continue,
        };
        out.push_str(s.get(run..i).unwrap_or(""));
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(
                HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
            ));
            out.push(char::from(
                HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
            ));
        } else {
            out.push_str(escape);
        }
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or(""));
    out.push('"');
}

/// Writes the fields of one object: `{`, then `"name":value` pairs, then `}`.
pub(crate) struct Fields<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Fields<'o> {
    pub(crate) fn new(out: &'o mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    pub(crate) fn field<T: Payload>(&mut self, name: &str, value: &T) {
        self.key(name);
        value.write(self.out);
    }

    /// `,"name":` (no comma before the first). Not generic, and not inlined into each
    /// field's writer: that is most of an encoder's code.
    #[inline(never)]
    fn key(&mut self, name: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
    }

    pub(crate) fn optional<T: Payload>(&mut self, name: &str, value: Option<&T>) {
        if let Some(v) = value {
            self.field(name, v);
        }
    }

    pub(crate) fn end(self) {
        self.out.push('}');
    }
}

/// A required field's value, or the error naming it.
pub(crate) fn required<T>(value: Option<T>, name: &str) -> Result<T, DecodeError> {
    value.ok_or_else(|| DecodeError::missing(name))
}

impl Payload for i32 {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        const WHAT: &str = "an integer";
        if r.kind()? != reader::Kind::Number {
            return Err(r.wrong_type(WHAT));
        }
        let text = r.number()?;
        match number::int32(text) {
            Ok(i) => Ok(i),
            // An integer literal is written as it came (JSON has no other spelling of it).
            Err(true) => Err(DecodeError::property(format!(
                "{text} is out of range for {WHAT}"
            ))),
            Err(false) => Err(DecodeError::wrong_type(WHAT, &error::Got::Number(text))),
        }
    }

    fn write(&self, out: &mut String) {
        use core::fmt::Write;
        let _ = write!(out, "{self}");
    }
}

impl Payload for bool {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.bool()
    }

    fn write(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Payload for String {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.string().map(Cow::into_owned)
    }

    fn write(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl<const N: usize> Payload for CiString<N> {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::new(r.string()?.into_owned()).map_err(DecodeError::property)
    }

    fn write(&self, out: &mut String) {
        write_str(out, self.as_str());
    }
}

impl Payload for Uri {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::new(r.string()?.into_owned()).map_err(DecodeError::property)
    }

    fn write(&self, out: &mut String) {
        write_str(out, self.as_str());
    }
}

impl Payload for DateTime {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let s = r.string()?;
        Self::parse(&s).map_err(|e| DecodeError::property(format!("{e}, got \"{s}\"")))
    }

    fn write(&self, out: &mut String) {
        use core::fmt::Write;
        out.push('"');
        let _ = write!(out, "{self}");
        out.push('"');
    }
}

impl Payload for Decimal {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.kind()? != reader::Kind::Number {
            return Err(r.wrong_type("a number"));
        }
        let text = r.number()?;
        number::tenths(text).map(Self::from_tenths).ok_or_else(|| {
            DecodeError::property(format!(
                "{} is not a multiple of 0.1",
                number::display(text, false)
            ))
        })
    }

    fn write(&self, out: &mut String) {
        use core::fmt::Write;
        let _ = write!(out, "{self}");
    }
}

impl<T: Payload> Payload for Vec<T> {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut items = Vec::new();
        r.array(&mut |r, _| {
            items.push(T::read(r)?);
            Ok(())
        })?;
        Ok(items)
    }

    fn write(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write(out);
        }
        out.push(']');
    }
}

/// Reads an enumeration's wire spelling.
pub(crate) fn read_enum<T>(
    r: &mut Reader<'_>,
    names: &'static [&'static str],
    from_wire: fn(&str) -> Option<T>,
) -> Result<T, DecodeError> {
    let s = r.string()?;
    from_wire(&s).ok_or_else(|| DecodeError::unknown_variant(&s, names))
}

/// Describes message types field by field: `Type { rust_name: "wireName" req, … }`,
/// `opt` for an optional field, and `check path::to::fn` for rules beyond the types.
/// Generates the type's [`Payload`] impl: the decoder (one `match` over the field
/// indices, then the required fields in declaration order) and the encoder (fields in
/// declaration order, absent optional fields left out).
macro_rules! wire_struct {
    ($(
        $name:ident { $($field:ident : $wire:literal $kind:ident),* $(,)? } $(check $check:path)?;
    )*) => {$(
        impl $crate::codec::Payload for $name {
            #[allow(unused_mut, unused_variables, reason = "empty messages have no fields")]
            fn read(r: &mut $crate::codec::Reader<'_>) -> Result<Self, $crate::codec::DecodeError> {
                const NAMES: &[&str] = &[$($wire),*];
                $(let mut $field = None;)*
                r.object(NAMES, &mut |r, index| {
                    let mut at = 0usize;
                    $(
                        if index == at {
                            $field = Some($crate::codec::Payload::read(r)?);
                            return Ok(());
                        }
                        at += 1;
                    )*
                    let _ = at;
                    Ok(())
                })?;
                Ok(Self { $($field: wire_struct!(@finish $kind $field $wire),)* })
            }

            #[allow(unused_mut, reason = "empty messages have no fields")]
            fn write(&self, out: &mut alloc::string::String) {
                let mut fields = $crate::codec::Fields::new(out);
                $(wire_struct!(@write $kind fields self.$field, $wire);)*
                fields.end();
            }

            $(
                fn check(&self) -> Result<(), $crate::WireError> {
                    $check(self)
                }
            )?
        }
    )*};
    (@finish req $field:ident $wire:literal) => { $crate::codec::required($field, $wire)? };
    (@finish opt $field:ident $wire:literal) => { $field };
    (@write req $fields:ident $value:expr, $wire:literal) => { $fields.field($wire, &$value) };
    (@write opt $fields:ident $value:expr, $wire:literal) => { $fields.optional($wire, $value.as_ref()) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::*;

    fn first_pass<T: Payload>(payload: &str) -> bool {
        read_all(payload, false, &mut |r| T::read(r).map(drop)).is_ok()
    }

    /// Valid payloads decode on the first pass (a second pass would still give the
    /// right answer, only slower), and the common frames are split without serde_json.
    #[test]
    fn valid_payloads_take_the_first_pass() {
        let boot = r#"{"chargePointVendor":"Teltonika","chargePointModel":"TeltoCharge","chargePointSerialNumber":"EVC-0001","firmwareVersion":"1.0.0"}"#;
        assert!(first_pass::<BootNotificationRequest>(boot));
        let profile = r#"{"connectorId":1,"csChargingProfiles":{"chargingProfileId":5,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","recurrencyKind":"Daily","chargingSchedule":{"duration":86400,"startSchedule":"2026-01-01T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16.0},{"startPeriod":3600,"limit":10.5,"numberPhases":1}],"minChargingRate":6.0}}}"#;
        assert!(first_pass::<SetChargingProfileRequest>(profile));
        let conf = r#"{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}"#;
        assert!(first_pass::<BootNotificationResponse>(conf));
        let text = alloc::format!("[2,\"1\",\"BootNotification\",{boot}]");
        assert!(crate::frame::plain(&text).is_some());
        let text = alloc::format!("[3, \"1\" , {conf} ]");
        assert!(crate::frame::plain(&text).is_some());
    }
}
