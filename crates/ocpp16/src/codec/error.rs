//! A decode failure on its way up: the CALLERROR code, the message, and the path to the
//! field, with each message worded as the decoder before this one worded it.

use alloc::{
    boxed::Box,
    format,
    string::{String, ToString},
    vec::Vec,
};

use super::number;
use crate::error::{ErrorCode, WireError};

/// One step of the path to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Field(String),
    Index(usize),
}

/// Why a payload did not decode. The path is collected innermost first, a step each
/// time the error leaves an object field or an array item. Boxed, so that the decoders'
/// results stay two words wide on the path that does not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(Box<Inner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Inner {
    code: ErrorCode,
    message: String,
    path: Vec<Step>,
    /// The text is not JSON: the description is then the JSON parser's own.
    syntax: bool,
}

/// What a value of the wrong type was, in the words of serde's `Unexpected`.
pub(crate) enum Got<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    Str(String),
    Seq,
    Map,
}

impl DecodeError {
    pub(crate) fn new(code: ErrorCode, message: String) -> Self {
        Self(Box::new(Inner {
            code,
            message,
            path: Vec::new(),
            syntax: false,
        }))
    }

    /// A break of the JSON grammar.
    #[cold]
    pub(crate) fn syntax() -> Self {
        let mut e = Self::new(ErrorCode::FormationViolation, String::new());
        e.0.syntax = true;
        e
    }

    /// A value that breaks a property of its field (length, format, range).
    pub(crate) fn property(message: impl ToString) -> Self {
        Self::new(ErrorCode::PropertyConstraintViolation, message.to_string())
    }

    pub(crate) fn is_syntax(&self) -> bool {
        self.0.syntax
    }

    pub(crate) fn wrong_type(expected: &str, got: &Got<'_>) -> Self {
        let got = match got {
            Got::Null => String::from("null"),
            Got::Bool(b) => format!("boolean `{b}`"),
            Got::Number(text) => match number::integer(text) {
                Some(_) => format!("integer `{text}`"),
                None => format!("floating point `{}`", number::display(text, true)),
            },
            // Quoted as JSON quotes it (what the CSMS wrote, `\u0001` for a control
            // character), not as Rust's `Debug` does: that links Unicode's printable and
            // grapheme tables, about 4 KB of an MCU image.
            Got::Str(s) => {
                let mut quoted = String::from("string ");
                super::write_str(&mut quoted, s);
                quoted
            }
            Got::Seq => String::from("sequence"),
            Got::Map => String::from("map"),
        };
        Self::new(
            ErrorCode::TypeConstraintViolation,
            format!("expected {expected}, got {got}"),
        )
    }

    pub(crate) fn unknown_variant(value: &str, names: &[&str]) -> Self {
        Self::property(format!("\"{value}\" is not one of {}", names.join(", ")))
    }

    pub(crate) fn unknown_field(key: &str, names: &[&str]) -> Self {
        let allowed = if names.is_empty() {
            String::from("no fields are defined")
        } else {
            format!("allowed: {}", names.join(", "))
        };
        Self::new(
            ErrorCode::FormationViolation,
            format!("unknown field \"{key}\" ({allowed})"),
        )
    }

    /// A required field is absent.
    pub(crate) fn missing(field: &str) -> Self {
        Self::new(
            ErrorCode::OccurenceConstraintViolation,
            String::from("required field missing"),
        )
        .at_field(field)
    }

    pub(crate) fn at_field(mut self, name: &str) -> Self {
        self.0.path.push(Step::Field(String::from(name)));
        self
    }

    pub(crate) fn at_index(mut self, index: usize) -> Self {
        self.0.path.push(Step::Index(index));
        self
    }

    /// The error with its path written out: `chargingSchedule.chargingSchedulePeriod[0].limit: …`.
    pub(crate) fn into_wire(self) -> WireError {
        let Inner {
            code,
            message,
            path: steps,
            ..
        } = *self.0;
        let mut path = String::new();
        for step in steps.iter().rev() {
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
            message
        } else {
            format!("{path}: {message}")
        };
        WireError::new(code, description)
    }
}
