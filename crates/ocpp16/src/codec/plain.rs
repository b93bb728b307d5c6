//! The codec for data that is not an OCPP message: what a charge point stores of its own
//! (its durable state) described with the same [`Payload`] trait and read by the same
//! tokenizer, so that a firmware needs no second JSON library for it.
//!
//! - Integers of every width a state holds (`u8`, `u32`, `u64`, `i64`, `usize`), read
//!   without floats and refused when out of range.
//! - `[T; N]` and `(A, B)` as JSON arrays of exactly that many items.
//! - [`Reader::record`]: an object whose unknown keys are skipped (stored data written by
//!   a later or an earlier program), and [`Reader::named_entries`] for an object of any keys.
//! - [`Record`]: the writer of such objects.
//! - [`stored_struct!`](crate::stored_struct): the description of a stored type, field by
//!   field, with a second (older) name per field, and kinds for "missing means default"
//!   and "absent or `null`".
//!
//! None of this is used by a message: OCPP payloads keep their strict decoders.

use alloc::{borrow::Cow, format};

/// The string type of [`Payload::write`], for [`stored_struct!`](crate::stored_struct)'s
/// expansion in crates that do not name `alloc`.
#[doc(hidden)]
pub use alloc::string::String;

use super::{DecodeError, Fields, Payload, Reader, error::Got, number, reader::Kind};
use crate::WireError;

impl<'a> Reader<'a> {
    /// A reader over a whole stored text (read in text order, nested as deep as the
    /// message decoder allows).
    #[must_use]
    pub const fn over(text: &'a str) -> Self {
        Self::new(text, false)
    }

    /// After the last value: only white space may follow.
    ///
    /// # Errors
    /// A syntax error when anything else follows.
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        self.end()
    }

    /// The JSON text of the next value as it is written, checked against the grammar
    /// and consumed (a field to be handed on whole, e.g. a payload inside a request).
    ///
    /// # Errors
    /// A syntax error when no JSON value follows.
    pub fn raw_value(&mut self) -> Result<&'a str, DecodeError> {
        self.raw()
    }

    /// Consumes a `null` if it is next; whether it was.
    ///
    /// # Errors
    /// A syntax error at the end of the text or on a broken literal.
    pub fn null(&mut self) -> Result<bool, DecodeError> {
        if self.kind()? == Kind::Null {
            self.skip()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Whether the next value is an array (nothing is consumed).
    ///
    /// # Errors
    /// A syntax error when no value follows.
    pub fn at_array(&mut self) -> Result<bool, DecodeError> {
        Ok(self.kind()? == Kind::Array)
    }

    /// Walks an array, calling `item` for each element with its index; an error of an
    /// element is placed at `[index]`.
    ///
    /// # Errors
    /// Not an array, broken JSON, or the error of an element.
    pub fn items(
        &mut self,
        item: &mut dyn FnMut(&mut Self, usize) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.array(item)
    }

    /// Walks an object whose fields are `names`, calling `field` with the index of each
    /// present one; keys not in `names` are skipped (their values still checked as
    /// JSON). An error inside a field is placed at that field.
    ///
    /// # Errors
    /// Not an object, broken JSON, or the error of a field.
    pub fn record(
        &mut self,
        names: &[&str],
        field: &mut dyn FnMut(&mut Self, usize) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        self.named_entries(&mut |r, key| match names.iter().position(|n| *n == key) {
            Some(i) => field(r, i),
            None => r.skip(),
        })
    }

    /// Walks an object of any keys, calling `entry` with each key (a later duplicate
    /// comes later); an error inside a value is placed at its key. The object itself
    /// does not count towards the nesting limit (its values do, when they are arrays,
    /// message types or skipped): a recursive type must bound its own depth.
    ///
    /// # Errors
    /// Not an object, broken JSON, or the error of a value.
    pub fn named_entries(
        &mut self,
        entry: &mut dyn FnMut(&mut Self, &str) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        if self.kind()? != Kind::Object {
            return Err(self.wrong_type("an object"));
        }
        let _ = self.punct(b'{');
        if self.punct(b'}') {
            return Ok(());
        }
        // The depth is the types' own: every value is read by its type's reader or by
        // `skip`, which both count their nesting.
        loop {
            if self.kind()? != Kind::String {
                return Err(DecodeError::syntax());
            }
            let key: Cow<'a, str> = self.string()?;
            if !self.punct(b':') {
                return Err(DecodeError::syntax());
            }
            entry(self, &key).map_err(|e| e.at_field(&key))?;
            if self.punct(b',') {
                continue;
            }
            if self.punct(b'}') {
                return Ok(());
            }
            return Err(DecodeError::syntax());
        }
    }

    /// Reads a value that may be `null` (or, in a record, absent): `None` for `null`.
    ///
    /// # Errors
    /// The error of the value.
    pub fn nullable<T: Payload>(&mut self) -> Result<Option<T>, DecodeError> {
        if self.null()? {
            Ok(None)
        } else {
            T::read(self).map(Some)
        }
    }
}

impl DecodeError {
    /// A value that breaks a rule of its field (the path is added on the way up).
    #[must_use]
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::property(message.into())
    }

    /// A required field of a record is absent.
    #[must_use]
    pub fn absent(field: &str) -> Self {
        Self::missing(field)
    }

    /// Whether the text broke the JSON grammar (rather than a field's rules).
    #[must_use]
    pub fn is_not_json(&self) -> bool {
        self.is_syntax()
    }

    /// The fault with its path: `transaction.idTag: 23 characters, at most 20 allowed`
    /// (for a text that is not JSON, the path and an empty message).
    #[must_use]
    pub fn describe(self) -> String {
        let WireError { description, .. } = self.into_wire();
        description
    }
}

/// Writes one object of stored data: `{`, then `"name":value` pairs, then `}`.
pub struct Record<'o>(Fields<'o>);

impl<'o> Record<'o> {
    /// Opens the object.
    pub fn open(out: &'o mut String) -> Self {
        Self(Fields::new(out))
    }

    /// A field.
    pub fn put<T: Payload>(&mut self, name: &str, value: &T) {
        self.0.field(name, value);
    }

    /// A field written only when present.
    pub fn put_some<T: Payload>(&mut self, name: &str, value: Option<&T>) {
        self.0.optional(name, value);
    }

    /// A field written only when it differs from its type's default.
    pub fn put_unless_default<T: Payload + Default + PartialEq>(&mut self, name: &str, value: &T) {
        if *value != T::default() {
            self.0.field(name, value);
        }
    }

    /// Closes the object.
    pub fn close(self) {
        self.0.end();
    }
}

/// Reads an integer literal that fits `T`.
fn integer<T: TryFrom<i128>>(r: &mut Reader<'_>) -> Result<T, DecodeError> {
    const WHAT: &str = "an integer";
    if r.kind()? != Kind::Number {
        return Err(r.wrong_type(WHAT));
    }
    let text = r.number()?;
    match number::integer(text) {
        Some(i) => T::try_from(i)
            .map_err(|_| DecodeError::property(format!("{text} is out of range for {WHAT}"))),
        None => Err(DecodeError::wrong_type(WHAT, &Got::Number(text))),
    }
}

macro_rules! plain_integers {
    ($($t:ty),*) => {$(
        impl Payload for $t {
            fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                integer(r)
            }

            fn write(&self, out: &mut String) {
                use core::fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
    )*};
}

plain_integers!(u8, u32, u64, i64, usize);

impl<T: Payload + Default + Copy, const N: usize> Payload for [T; N] {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut items = [T::default(); N];
        let mut count = 0;
        r.array(&mut |r, i| {
            let slot = items
                .get_mut(i)
                .ok_or_else(|| DecodeError::property(format!("more than {N} items")))?;
            *slot = T::read(r)?;
            count += 1;
            Ok(())
        })?;
        if count == N {
            Ok(items)
        } else {
            Err(DecodeError::property(format!(
                "{count} items, {N} expected"
            )))
        }
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

impl<A: Payload, B: Payload> Payload for (A, B) {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (mut a, mut b) = (None, None);
        r.array(&mut |r, i| {
            match i {
                0 => a = Some(A::read(r)?),
                1 => b = Some(B::read(r)?),
                _ => return Err(DecodeError::property("more than 2 items")),
            }
            Ok(())
        })?;
        match (a, b) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(DecodeError::property("fewer than 2 items")),
        }
    }

    fn write(&self, out: &mut String) {
        out.push('[');
        self.0.write(out);
        out.push(',');
        self.1.write(out);
        out.push(']');
    }
}

/// Describes a stored type field by field and generates its [`Payload`] impl:
///
/// ```text
/// stored_struct! {
///     Reservation {
///         id: "id" req,
///         id_tag: "idTag" | "id_tag" req,
///         parent_id_tag: "parentIdTag" | "parent_id_tag" opt,
///         tags: "tags" def,
///     }
/// }
/// ```
///
/// Each field has the name it is written with and, after `|`, an older name it is
/// also read by. Kinds: `req` (required), `opt` (an `Option`: absent or `null` is
/// `None`, written only when present), `def` (absent is `Default::default()`, written
/// only when it differs from it). Unknown keys are skipped; of a key given twice the
/// later value counts. Fields are written in declaration order.
#[macro_export]
macro_rules! stored_struct {
    ($(
        $name:ident { $($field:ident : $wire:literal $(| $old:literal)? $kind:ident),* $(,)? }
    )*) => {$(
        impl $crate::codec::Payload for $name {
            fn read(
                r: &mut $crate::codec::Reader<'_>,
            ) -> ::core::result::Result<Self, $crate::codec::DecodeError> {
                const NAMES: &[&str] = &[$($wire, $crate::stored_struct!(@old $wire $($old)?)),*];
                $(let mut $field = ::core::option::Option::None;)*
                r.record(NAMES, &mut |r, index| {
                    let mut at = 0usize;
                    $(
                        if index / 2 == at {
                            $field = $crate::stored_struct!(@read $kind r);
                            return ::core::result::Result::Ok(());
                        }
                        at += 1;
                    )*
                    let _ = at;
                    ::core::result::Result::Ok(())
                })?;
                ::core::result::Result::Ok(Self {
                    $($field: $crate::stored_struct!(@finish $kind $field $wire),)*
                })
            }

            fn write(&self, out: &mut $crate::codec::plain::String) {
                let mut record = $crate::codec::plain::Record::open(out);
                $($crate::stored_struct!(@write $kind record self.$field, $wire);)*
                record.close();
            }
        }
    )*};
    (@old $wire:literal) => { $wire };
    (@old $wire:literal $old:literal) => { $old };
    (@read opt $r:ident) => { $r.nullable()? };
    (@read $kind:ident $r:ident) => {
        ::core::option::Option::Some($crate::codec::Payload::read($r)?)
    };
    (@finish req $field:ident $wire:literal) => {
        match $field {
            ::core::option::Option::Some(v) => v,
            ::core::option::Option::None => {
                return ::core::result::Result::Err($crate::codec::DecodeError::absent($wire));
            }
        }
    };
    (@finish opt $field:ident $wire:literal) => { $field };
    (@finish def $field:ident $wire:literal) => { $field.unwrap_or_default() };
    (@write req $record:ident $value:expr, $wire:literal) => { $record.put($wire, &$value) };
    (@write opt $record:ident $value:expr, $wire:literal) => {
        $record.put_some($wire, $value.as_ref())
    };
    (@write def $record:ident $value:expr, $wire:literal) => {
        $record.put_unless_default($wire, &$value)
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use alloc::{vec, vec::Vec};

    use super::*;
    use crate::codec::encode;

    fn read<T: Payload>(text: &str) -> Result<T, String> {
        let mut r = Reader::over(text);
        let v = T::read(&mut r).map_err(DecodeError::describe)?;
        r.finish().map_err(DecodeError::describe)?;
        Ok(v)
    }

    #[derive(Debug, Default, PartialEq)]
    struct Sample {
        id: u32,
        tag: Option<String>,
        pair: (u64, i64),
        list: Vec<u8>,
        three: [u32; 3],
    }

    crate::stored_struct! {
        Sample {
            id: "id" req,
            tag: "tag" | "old_tag" opt,
            pair: "pair" def,
            list: "list" def,
            three: "three" | "three_old" def,
        }
    }

    #[test]
    fn stored_structs_round_trip_compactly_and_read_their_old_names() {
        let s = Sample {
            id: 7,
            tag: Some(String::from("x")),
            pair: (u64::MAX, i64::MIN),
            list: vec![0, 255],
            three: [1, 2, 3],
        };
        let text = encode(&s);
        assert_eq!(
            text,
            r#"{"id":7,"tag":"x","pair":[18446744073709551615,-9223372036854775808],"list":[0,255],"three":[1,2,3]}"#
        );
        assert_eq!(read::<Sample>(&text).unwrap(), s);
        assert_eq!(encode(&Sample::default()), r#"{"id":0}"#);
        let old = r#"{"id":1,"old_tag":null,"three_old":[0,0,9],"unknown":{"a":[1]}}"#;
        let s = read::<Sample>(old).unwrap();
        assert_eq!((s.id, s.tag, s.three), (1, None, [0, 0, 9]));
    }

    #[test]
    fn stored_structs_name_the_field_at_fault() {
        for (text, why) in [
            (r#"{}"#, "id: required field missing"),
            (r#"{"id":-1}"#, "id: -1 is out of range for an integer"),
            (
                r#"{"id":1.5}"#,
                "id: expected an integer, got floating point `1.5`",
            ),
            (
                r#"{"id":1,"list":[1,256]}"#,
                "list[1]: 256 is out of range for an integer",
            ),
            (r#"{"id":1,"three":[1,2]}"#, "three: 2 items, 3 expected"),
            (
                r#"{"id":1,"three":[1,2,3,4]}"#,
                "three[3]: more than 3 items",
            ),
            (r#"{"id":1,"pair":[1]}"#, "pair: fewer than 2 items"),
            (
                r#"{"id":1,"tag":5}"#,
                "tag: expected a string, got integer `5`",
            ),
            (r#"[1]"#, "expected an object, got sequence"),
        ] {
            assert_eq!(read::<Sample>(text).unwrap_err(), why, "{text}");
        }
        for broken in [
            r#"{"id":1,}"#,
            r#"{"id" 1}"#,
            r#"{"id":1"#,
            r#"{"id":1}x"#,
            "",
        ] {
            let mut r = Reader::over(broken);
            let e = Sample::read(&mut r).and_then(|_| r.finish()).unwrap_err();
            assert!(e.is_not_json(), "{broken}");
        }
    }
}
