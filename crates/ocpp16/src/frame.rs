//! OCPP-J frames: `[2, id, action, payload]` (CALL), `[3, id, payload]` (CALLRESULT) and
//! `[4, id, code, description, details]` (CALLERROR).
//!
//! [`parse`] never panics. It answers every text with a [`Frame`] or a [`FrameError`]
//! that says what to do: ignore a frame of an unknown message type (OCPP-J 1.6 §4.1.3),
//! or answer a malformed one with the CALLERROR [`FrameError::reply`] builds.

use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use serde::Serialize;
use serde_json::{Value, value::RawValue};

use crate::{
    action::{Action, Request, Response, kind_of},
    codec::{Kind, NumberValue, Reader, Scan, write_str},
    error::{ErrorCode, WireError},
};

/// The longest message id OCPP-J allows.
pub const MAX_MESSAGE_ID_LEN: usize = 36;

/// The message id used in a CALLERROR answering a frame whose own id cannot be read
/// (OCPP 2.0.1 §4.2.3 names `-1`; OCPP-J 1.6 is silent, so the same is used here).
pub const UNKNOWN_MESSAGE_ID: &str = "-1";

/// A CALL: a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Message id, unique per sender and connection.
    pub id: String,
    /// The action name as received (decode it with [`crate::decode_call`]).
    pub action: String,
    /// The payload as JSON text, not yet checked against the action's schema.
    pub payload: String,
}

/// A CALLRESULT: the answer to a CALL.
#[derive(Debug, Clone, PartialEq)]
pub struct CallResult {
    /// The id of the CALL it answers.
    pub id: String,
    /// The payload's JSON text (decode it with [`Response::decode`] for the pending
    /// CALL's action).
    pub payload: String,
}

/// A CALLERROR: a CALL that could not be answered with a result.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    /// The id of the CALL it answers.
    pub id: String,
    /// The code as sent; see [`CallError::error_code`].
    pub code: String,
    /// The description as sent.
    pub description: String,
    /// The details' JSON text as sent (`{}` when the sender left it out): kept as text
    /// like a payload, so that reading a frame builds no JSON tree.
    pub details: String,
}

impl CallError {
    /// The code if it is an OCPP 1.6 one (2.0.1 names such as `FormatViolation` are not).
    #[must_use]
    pub fn error_code(&self) -> Option<ErrorCode> {
        ErrorCode::from_wire(&self.code)
    }
}

/// A parsed OCPP-J frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `[2, id, action, payload]`.
    Call(Call),
    /// `[3, id, payload]`.
    CallResult(CallResult),
    /// `[4, id, code, description, details]`.
    CallError(CallError),
}

impl Frame {
    /// The message id.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Self::Call(c) => &c.id,
            Self::CallResult(r) => &r.id,
            Self::CallError(e) => &e.id,
        }
    }
}

/// Why a text is not a frame, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// A well-formed array whose message type is not 2, 3 or 4: OCPP-J says to ignore it.
    UnknownMessageType(String),
    /// Not a valid frame.
    Malformed {
        /// The message id to answer to: the frame's own when it is a CALL with a string
        /// id, [`UNKNOWN_MESSAGE_ID`] when the type cannot be told. `None` for a malformed
        /// CALLRESULT or CALLERROR, which are never answered.
        reply_to: Option<String>,
        /// The code and description.
        error: WireError,
    },
}

impl FrameError {
    /// The CALLERROR text to send back, if this error is to be answered.
    #[must_use]
    pub fn reply(&self) -> Option<String> {
        match self {
            Self::UnknownMessageType(_) => None,
            Self::Malformed { reply_to, error } => reply_to
                .as_deref()
                .map(|id| encode_call_error(id, error.code, &error.description)),
        }
    }
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UnknownMessageType(t) => write!(f, "message type {t} is not 2, 3 or 4; ignored"),
            Self::Malformed { error, .. } => error.fmt(f),
        }
    }
}

impl core::error::Error for FrameError {}

fn malformed(reply_to: Option<&str>, description: String) -> FrameError {
    FrameError::Malformed {
        reply_to: reply_to.map(String::from),
        error: WireError::new(ErrorCode::FormationViolation, description),
    }
}

/// Reads one small element (type number, id, action, code) of a frame (serde_json).
fn element_serde(raw: Option<&&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

/// Takes the message id, checking it is a string of at most 36 characters.
fn message_id(id: Result<String, &'static str>, reply: bool) -> Result<String, FrameError> {
    let fallback = reply.then_some(UNKNOWN_MESSAGE_ID);
    match id {
        Ok(id) => {
            let len = id.chars().count();
            if len > MAX_MESSAGE_ID_LEN {
                let description =
                    format!("message id: {len} characters, at most {MAX_MESSAGE_ID_LEN} allowed");
                Err(malformed(fallback, description))
            } else {
                Ok(id)
            }
        }
        Err(kind) => Err(malformed(
            fallback,
            format!("message id must be a string, got {kind}"),
        )),
    }
}

/// A string element's text, or the kind of what is there instead.
fn string_of(value: Value) -> Result<String, &'static str> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(kind_of(&other)),
    }
}

/// Why a text is not a JSON array: not JSON at all, or another kind of value; in
/// serde_json's words, found by the tokenizer's cold path.
fn not_an_array(text: &str) -> FrameError {
    let description = match Scan::document(text) {
        Err(e) => format!("not valid JSON: {}", e.describe(text)),
        Ok(kind) => format!(
            "a frame is a JSON array [type, id, ...], got {}",
            kind.name()
        ),
    };
    malformed(Some(UNKNOWN_MESSAGE_ID), description)
}

/// [`not_an_array`] by serde_json's parser, for [`parse_legacy`].
fn not_an_array_serde(text: &str) -> FrameError {
    let description = match serde_json::from_str::<Value>(text) {
        Err(e) => format!("not valid JSON: {e}"),
        Ok(v) => format!(
            "a frame is a JSON array [type, id, ...], got {}",
            kind_of(&v)
        ),
    };
    malformed(Some(UNKNOWN_MESSAGE_ID), description)
}

/// Parses one WebSocket text message into a frame. The payload is kept as JSON text:
/// it is decoded (and checked) only for the action it belongs to.
pub fn parse(text: &str) -> Result<Frame, FrameError> {
    plain(text).map_or_else(|| unusual(text), Ok)
}

/// One element of a frame as the serde_json parser before the tokenizer read it: the
/// JSON kind of its text, `null` when absent or when it is not a value of its own
/// (a number out of range, unpaired surrogates, nesting past the limit).
struct Element<'t> {
    kind: Kind,
    text: &'t str,
}

impl<'t> Element<'t> {
    fn of(text: &'t str, items: &[core::ops::Range<usize>], i: usize) -> Self {
        let text = items.get(i).and_then(|r| text.get(r.clone()));
        let kind = text.map_or(Kind::Null, |t| Scan::document(t).unwrap_or(Kind::Null));
        Self {
            kind,
            text: text.unwrap_or("null"),
        }
    }

    /// The element as an integer's text, when serde_json would read it as one.
    fn integer(&self) -> Option<&'t str> {
        let integer = self.kind == Kind::Number
            && matches!(
                Scan::number_value(self.text),
                Some(NumberValue::U64(_) | NumberValue::I64(_))
            );
        integer.then_some(self.text)
    }

    fn string(&self) -> Result<String, &'static str> {
        if self.kind != Kind::String {
            return Err(self.kind.name());
        }
        Reader::new(self.text, false)
            .string()
            .map(alloc::borrow::Cow::into_owned)
            .map_err(|_| Kind::Null.name())
    }
}

/// Every frame [`plain`] does not take, split and described by the tokenizer with the
/// rules and words of the serde_json parser that did this before ([`parse_legacy`]):
/// the text as `Vec<&RawValue>`, each small element read as a value of its own.
fn unusual(text: &str) -> Result<Frame, FrameError> {
    let Some(items) = Scan::items(text) else {
        return Err(not_an_array(text));
    };
    let element = |i: usize| Element::of(text, &items, i);
    let first = element(0);
    let type_number = match first.integer() {
        Some(t) => String::from(t),
        None if items.is_empty() => {
            return Err(malformed(
                Some(UNKNOWN_MESSAGE_ID),
                String::from("empty frame []"),
            ));
        }
        None => {
            return Err(malformed(
                Some(UNKNOWN_MESSAGE_ID),
                format!("message type must be an integer, got {}", first.kind.name()),
            ));
        }
    };
    let expected_len = match type_number.as_str() {
        "2" => 4,
        "3" => 3,
        "4" => 5,
        _ => return Err(FrameError::UnknownMessageType(type_number)),
    };
    let is_call = expected_len == 4;
    let len = items.len();
    let id = message_id(element(1).string(), is_call)?;
    let lenient_error = expected_len == 5 && len == 4;
    if len != expected_len && !lenient_error {
        return Err(wrong_length(
            expected_len,
            len,
            is_call.then_some(id.as_str()),
        ));
    }
    let raw = |i: usize| String::from(element(i).text);
    match expected_len {
        4 => match element(2).string() {
            Ok(action) => Ok(Frame::Call(Call {
                id,
                action,
                payload: raw(3),
            })),
            Err(kind) => Err(malformed(
                Some(&id),
                format!("action must be a string, got {kind}"),
            )),
        },
        3 => Ok(Frame::CallResult(CallResult {
            id,
            payload: raw(2),
        })),
        _ => {
            let details = if lenient_error {
                String::from("{}")
            } else {
                raw(4)
            };
            match (element(2).string(), element(3).string()) {
                (Ok(code), Ok(description)) => Ok(Frame::CallError(CallError {
                    id,
                    code,
                    description,
                    details,
                })),
                _ => Err(malformed(
                    None,
                    String::from("CALLERROR code and description must be strings"),
                )),
            }
        }
    }
}

fn wrong_length(expected_len: usize, len: usize, reply_to: Option<&str>) -> FrameError {
    let kind = match expected_len {
        4 => "CALL [2, id, action, payload]",
        3 => "CALLRESULT [3, id, payload]",
        _ => "CALLERROR [4, id, code, description, details]",
    };
    malformed(
        reply_to,
        format!("{kind} has {expected_len} elements, got {len}"),
    )
}

/// The common case, split by the codec's tokenizer in one pass: a CALL or CALLRESULT
/// with a string id of at most 36 characters (and a string action). Anything else is
/// `None` and goes the general way ([`unusual`]), which names the exact fault; what
/// this accepts, that accepts too and splits the same (the differential test compares
/// both with [`parse_legacy`]).
pub(crate) fn plain(text: &str) -> Option<Frame> {
    let mut r = Reader::for_frame(text);
    if !r.punct(b'[') {
        return None;
    }
    let call = match r.number().ok()? {
        "2" => true,
        "3" => false,
        _ => return None,
    };
    if !r.punct(b',') {
        return None;
    }
    let id = r.string().ok()?;
    if id.len() > MAX_MESSAGE_ID_LEN && id.chars().count() > MAX_MESSAGE_ID_LEN {
        return None;
    }
    let id = id.into_owned();
    if !r.punct(b',') {
        return None;
    }
    let action = if call {
        let action = r.string().ok()?.into_owned();
        if !r.punct(b',') {
            return None;
        }
        Some(action)
    } else {
        None
    };
    let payload = String::from(r.raw().ok()?);
    if !r.punct(b']') || r.end().is_err() {
        return None;
    }
    Some(match action {
        Some(action) => Frame::Call(Call {
            id,
            action,
            payload,
        }),
        None => Frame::CallResult(CallResult { id, payload }),
    })
}

/// [`parse`] on serde_json alone, as it was before the codec's tokenizer split the
/// frames; kept while the differential test holds [`parse`] to it.
#[doc(hidden)]
pub fn parse_legacy(text: &str) -> Result<Frame, FrameError> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|_| not_an_array_serde(text))?;
    let element = element_serde;
    let type_number = match element(items.first()) {
        Value::Number(n) if n.is_u64() || n.is_i64() => n.to_string(),
        Value::Null if items.is_empty() => {
            return Err(malformed(
                Some(UNKNOWN_MESSAGE_ID),
                String::from("empty frame []"),
            ));
        }
        other => {
            return Err(malformed(
                Some(UNKNOWN_MESSAGE_ID),
                format!("message type must be an integer, got {}", kind_of(&other)),
            ));
        }
    };
    let expected_len = match type_number.as_str() {
        "2" => 4,
        "3" => 3,
        "4" => 5,
        _ => return Err(FrameError::UnknownMessageType(type_number)),
    };
    let is_call = expected_len == 4;
    let len = items.len();
    let id = message_id(string_of(element(items.get(1))), is_call)?;
    // A CALLERROR without its details object is read as if it had an empty one.
    let lenient_error = expected_len == 5 && len == 4;
    if len != expected_len && !lenient_error {
        return Err(wrong_length(
            expected_len,
            len,
            is_call.then_some(id.as_str()),
        ));
    }
    let raw = |i: usize| String::from(items.get(i).map_or("null", |r| r.get()));
    match expected_len {
        4 => match element(items.get(2)) {
            Value::String(action) => Ok(Frame::Call(Call {
                id,
                action,
                payload: raw(3),
            })),
            other => Err(malformed(
                Some(&id),
                format!("action must be a string, got {}", kind_of(&other)),
            )),
        },
        3 => Ok(Frame::CallResult(CallResult {
            id,
            payload: raw(2),
        })),
        _ => {
            let details = if lenient_error {
                String::from("{}")
            } else {
                raw(4)
            };
            match (element(items.get(2)), element(items.get(3))) {
                (Value::String(code), Value::String(description)) => {
                    Ok(Frame::CallError(CallError {
                        id,
                        code,
                        description,
                        details,
                    }))
                }
                _ => Err(malformed(
                    None,
                    String::from("CALLERROR code and description must be strings"),
                )),
            }
        }
    }
}

fn encode<T: Serialize>(frame: &T) -> String {
    // Serializing a tuple of strings, integers and this crate's message types cannot
    // fail; an empty string is returned rather than panicking if that ever changed.
    serde_json::to_string(frame).unwrap_or_default()
}

/// `[2, id, action, payload]`.
#[must_use]
pub fn encode_call(id: &str, request: &Request) -> String {
    encode_call_payload(id, request.action(), &request.to_payload())
}

/// `[2, id, action, payload]` around a payload already encoded (JSON text, e.g. from
/// [`Request::payload_from_charge_point`]).
#[must_use]
pub fn encode_call_payload(id: &str, action: Action, payload: &str) -> String {
    // Sized once: grown from "[2," a MeterValues frame took six reallocations.
    let name = action.as_str();
    let mut out = String::with_capacity(id.len() + name.len() + payload.len() + 12);
    out.push_str("[2,");
    write_str(&mut out, id);
    out.push_str(",\"");
    out.push_str(name);
    out.push_str("\",");
    out.push_str(payload);
    out.push(']');
    out
}

/// `[2, id, action, payload]` with any action name and payload, for tests and tools that
/// must send what a broken peer would.
#[must_use]
pub fn encode_raw_call(id: &str, action: &str, payload: &Value) -> String {
    encode(&(2, id, action, payload))
}

/// `[2, id, action, payload]` with any action name around a payload's JSON text as it
/// is (a console's or a scripted peer's, checked or broken on purpose).
#[must_use]
pub fn encode_raw_call_text(id: &str, action: &str, payload: &str) -> String {
    let mut out = String::with_capacity(id.len() + action.len() + payload.len() + 12);
    out.push_str("[2,");
    write_str(&mut out, id);
    out.push(',');
    write_str(&mut out, action);
    out.push(',');
    out.push_str(payload);
    out.push(']');
    out
}

/// `[3, id, payload]`.
#[must_use]
pub fn encode_call_result(id: &str, response: &Response) -> String {
    encode_call_result_payload(id, &response.to_payload())
}

/// `[3, id, payload]` around a payload already encoded (JSON text, e.g. from
/// [`Response::payload_from_charge_point`]).
#[must_use]
pub fn encode_call_result_payload(id: &str, payload: &str) -> String {
    let mut out = String::with_capacity(id.len() + payload.len() + 8);
    out.push_str("[3,");
    write_str(&mut out, id);
    out.push(',');
    out.push_str(payload);
    out.push(']');
    out
}

/// `[3, id, payload]` with any payload.
#[must_use]
pub fn encode_raw_call_result(id: &str, payload: &Value) -> String {
    encode(&(3, id, payload))
}

/// `[4, id, code, description, {}]`.
#[must_use]
pub fn encode_call_error(id: &str, code: ErrorCode, description: &str) -> String {
    let mut out = String::from("[4,");
    write_str(&mut out, id);
    out.push_str(",\"");
    out.push_str(code.as_str());
    out.push_str("\",");
    write_str(&mut out, description);
    out.push_str(",{}]");
    out
}
