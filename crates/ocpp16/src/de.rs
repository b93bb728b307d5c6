//! Decoding a JSON payload into a message type, with the CALLERROR code and the path
//! of the offending field for every way it can fail.
//!
//! serde_json's own errors say *what* went wrong only in prose. This deserializer walks an
//! already parsed [`serde_json::Value`] and reports each failure through the matching
//! [`serde::de::Error`] hook, so the code is chosen by kind, never by matching text:
//!
//! | what is wrong                                   | hook              | code |
//! |-------------------------------------------------|-------------------|------|
//! | a required field is missing                     | `missing_field`   | `OccurenceConstraintViolation` |
//! | an array has fewer items than the schema needs  | `invalid_length`  | `OccurenceConstraintViolation` |
//! | a JSON type is wrong (`"5"` for an integer, `null`) | `invalid_type` | `TypeConstraintViolation` |
//! | an enum value is not in the list                | `unknown_variant` | `PropertyConstraintViolation` |
//! | too long, not a date-time, not a multiple of 0.1, integer out of range | `custom` / `invalid_value` | `PropertyConstraintViolation` |
//! | a field the schema does not define              | `unknown_field`   | `FormationViolation` |

use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use core::fmt;
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Expected, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde_json::{Map, Number, Value};

use crate::error::{ErrorCode, WireError};

/// One step of the path to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Index(usize),
}

/// A decode failure on its way up: kind, message, and the path collected so far
/// (innermost step first; steps are added as the error leaves each container).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    code: ErrorCode,
    message: String,
    path: Vec<Step>,
}

impl DecodeError {
    fn new(code: ErrorCode, message: String) -> Self {
        Self {
            code,
            message,
            path: Vec::new(),
        }
    }

    fn at(mut self, step: Step) -> Self {
        self.path.push(step);
        self
    }

    /// The error with its path written out: `chargingSchedule.chargingSchedulePeriod[0].limit: …`.
    pub(crate) fn into_wire(self) -> WireError {
        let mut path = String::new();
        for step in self.path.iter().rev() {
            match step {
                Step::Field(name) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(name);
                }
                Step::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        let description = if path.is_empty() {
            self.message
        } else {
            format!("{path}: {}", self.message)
        };
        WireError::new(self.code, description)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl core::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(ErrorCode::PropertyConstraintViolation, msg.to_string())
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        let got = match unexp {
            Unexpected::Unit => String::from("null"),
            other => other.to_string(),
        };
        Self::new(
            ErrorCode::TypeConstraintViolation,
            format!("expected {exp}, got {got}"),
        )
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::new(
            ErrorCode::PropertyConstraintViolation,
            format!("expected {exp}, got {unexp}"),
        )
    }

    fn invalid_length(len: usize, exp: &dyn Expected) -> Self {
        Self::new(
            ErrorCode::OccurenceConstraintViolation,
            format!("{len} items, expected {exp}"),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(
            ErrorCode::PropertyConstraintViolation,
            format!("\"{variant}\" is not one of {}", expected.join(", ")),
        )
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        let allowed = if expected.is_empty() {
            String::from("no fields are defined")
        } else {
            format!("allowed: {}", expected.join(", "))
        };
        Self::new(
            ErrorCode::FormationViolation,
            format!("unknown field \"{field}\" ({allowed})"),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        Self::new(
            ErrorCode::OccurenceConstraintViolation,
            String::from("required field missing"),
        )
        .at(Step::Field(String::from(field)))
    }
}

/// Decodes `T` from a payload value.
pub(crate) fn from_value<'a, T: de::Deserialize<'a>>(value: &'a Value) -> Result<T, WireError> {
    T::deserialize(ValueDe(value)).map_err(DecodeError::into_wire)
}

/// A deserializer over a borrowed [`Value`].
struct ValueDe<'a>(&'a Value);

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Unexpected::Signed(i),
            (_, Some(u), _) => Unexpected::Unsigned(u),
            (_, _, Some(f)) => Unexpected::Float(f),
            _ => Unexpected::Other("number"),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

impl ValueDe<'_> {
    fn wrong_type<V>(&self, exp: &dyn Expected) -> Result<V, DecodeError> {
        Err(de::Error::invalid_type(unexpected(self.0), exp))
    }

    /// An integer that fits `T`; a float (even `1.0`) is a type error, a too large
    /// integer a range error.
    fn integer<T: TryFrom<i64> + TryFrom<u64>>(
        &self,
        what: &'static str,
    ) -> Result<T, DecodeError> {
        let Value::Number(n) = self.0 else {
            return self.wrong_type(&what);
        };
        let out_of_range = || {
            DecodeError::new(
                ErrorCode::PropertyConstraintViolation,
                format!("{n} is out of range for {what}"),
            )
        };
        if let Some(i) = n.as_i64() {
            T::try_from(i).map_err(|_| out_of_range())
        } else if let Some(u) = n.as_u64() {
            T::try_from(u).map_err(|_| out_of_range())
        } else {
            self.wrong_type(&what)
        }
    }
}

macro_rules! integers {
    ($($method:ident $visit:ident $ty:ty, $what:literal;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
            visitor.$visit(self.integer::<$ty>($what)?)
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDe<'de> {
    type Error = DecodeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(SeqDe {
                items: items.iter(),
                index: 0,
            }),
            Value::Object(map) => visit_map(map, visitor),
        }
    }

    integers! {
        deserialize_i8 visit_i8 i8, "an 8-bit integer";
        deserialize_i16 visit_i16 i16, "a 16-bit integer";
        deserialize_i32 visit_i32 i32, "an integer";
        deserialize_i64 visit_i64 i64, "a 64-bit integer";
        deserialize_u8 visit_u8 u8, "an 8-bit unsigned integer";
        deserialize_u16 visit_u16 u16, "a 16-bit unsigned integer";
        deserialize_u32 visit_u32 u32, "an unsigned integer";
        deserialize_u64 visit_u64 u64, "a 64-bit unsigned integer";
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Number(n) => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
            _ => self.wrong_type(&"a number"),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => self.wrong_type(&"a boolean"),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::String(s) => visitor.visit_borrowed_str(s),
            _ => self.wrong_type(&"a string"),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DecodeError> {
        self.deserialize_str(v)
    }

    /// A present field is `Some`; `null` is not a value any OCPP 1.6 schema allows, so it
    /// reaches the inner type and fails there as a type error. Absent fields never get here.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        visitor.visit_some(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(SeqDe {
                items: items.iter(),
                index: 0,
            }),
            _ => self.wrong_type(&"an array"),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Object(map) => visit_map(map, visitor),
            _ => self.wrong_type(&"an object"),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        self.deserialize_map(visitor)
    }

    /// Enums on the OCPP wire are strings.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::String(s) => visitor.visit_enum(UnitVariant(s)),
            _ => self.wrong_type(&"a string"),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DecodeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            _ => self.wrong_type(&"null"),
        }
    }

    serde::forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit_struct newtype_struct tuple tuple_struct ignored_any
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, DecodeError> {
    if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else {
        visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
    }
}

fn visit_map<'de, V: Visitor<'de>>(
    map: &'de Map<String, Value>,
    visitor: V,
) -> Result<V::Value, DecodeError> {
    visitor.visit_map(MapDe {
        entries: map.iter(),
        current: None,
    })
}

struct SeqDe<'a> {
    items: core::slice::Iter<'a, Value>,
    index: usize,
}

impl<'de> SeqAccess<'de> for SeqDe<'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDe(item))
            .map(Some)
            .map_err(|e| e.at(Step::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a> {
    entries: serde_json::map::Iter<'a>,
    current: Option<(&'a String, &'a Value)>,
}

impl<'de> MapAccess<'de> for MapDe<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DecodeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.current = Some((key, value));
        seed.deserialize(BorrowedStrDeserializer::new(key.as_str()))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DecodeError> {
        let Some((key, value)) = self.current.take() else {
            return Err(DecodeError::new(
                ErrorCode::InternalError,
                String::from("value before key"),
            ));
        };
        seed.deserialize(ValueDe(value))
            .map_err(|e| e.at(Step::Field(key.clone())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// A string read as a unit enum variant.
struct UnitVariant<'a>(&'a str);

impl<'de> EnumAccess<'de> for UnitVariant<'de> {
    type Error = DecodeError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), DecodeError> {
        Ok((
            seed.deserialize(BorrowedStrDeserializer::new(self.0))?,
            self,
        ))
    }
}

impl<'de> VariantAccess<'de> for UnitVariant<'de> {
    type Error = DecodeError;

    fn unit_variant(self) -> Result<(), DecodeError> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        _seed: T,
    ) -> Result<T::Value, DecodeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"a variant with data",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _v: V) -> Result<V::Value, DecodeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"a tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _v: V,
    ) -> Result<V::Value, DecodeError> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"a struct variant",
        ))
    }
}
