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
use serde_json::{Map, Value, value::RawValue};

use crate::{
    action::{Request, Response, kind_of},
    codec::{Reader, write_str},
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
    /// The details object (`{}` when the sender left it out).
    pub details: Value,
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

/// Reads one small element (type number, id, action, code) of a frame.
fn element(raw: Option<&&RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

/// Takes the message id, checking it is a string of at most 36 characters.
fn message_id(value: Value, reply: bool) -> Result<String, FrameError> {
    let fallback = reply.then_some(UNKNOWN_MESSAGE_ID);
    match value {
        Value::String(id) => {
            let len = id.chars().count();
            if len > MAX_MESSAGE_ID_LEN {
                let description =
                    format!("message id: {len} characters, at most {MAX_MESSAGE_ID_LEN} allowed");
                Err(malformed(fallback, description))
            } else {
                Ok(id)
            }
        }
        other => Err(malformed(
            fallback,
            format!("message id must be a string, got {}", kind_of(&other)),
        )),
    }
}

/// Why a text is not a JSON array: not JSON at all, or another kind of value.
fn not_an_array(text: &str) -> FrameError {
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
    plain(text).map_or_else(|| parse_legacy(text), Ok)
}

/// The common case, split by the codec's tokenizer in one pass: a CALL or CALLRESULT
/// with a string id of at most 36 characters (and a string action). Anything else is
/// `None` and goes the serde_json way ([`parse_legacy`]), which names the exact fault;
/// what this accepts, that accepts too and splits the same (the differential test
/// compares the two).
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
/// common frames; it still parses every frame [`parse`] does not take on its own.
#[doc(hidden)]
pub fn parse_legacy(text: &str) -> Result<Frame, FrameError> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|_| not_an_array(text))?;
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
    let id = message_id(element(items.get(1)), is_call)?;
    // A CALLERROR without its details object is read as if it had an empty one.
    let lenient_error = expected_len == 5 && len == 4;
    if len != expected_len && !lenient_error {
        let kind = match expected_len {
            4 => "CALL [2, id, action, payload]",
            3 => "CALLRESULT [3, id, payload]",
            _ => "CALLERROR [4, id, code, description, details]",
        };
        return Err(malformed(
            is_call.then_some(id.as_str()),
            format!("{kind} has {expected_len} elements, got {len}"),
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
                Value::Object(Map::new())
            } else {
                element(items.get(4))
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
    let mut out = String::from("[2,");
    write_str(&mut out, id);
    out.push_str(",\"");
    out.push_str(request.action().as_str());
    out.push_str("\",");
    out.push_str(&request.to_payload());
    out.push(']');
    out
}

/// `[2, id, action, payload]` with any action name and payload, for tests and tools that
/// must send what a broken peer would.
#[must_use]
pub fn encode_raw_call(id: &str, action: &str, payload: &Value) -> String {
    encode(&(2, id, action, payload))
}

/// `[3, id, payload]`.
#[must_use]
pub fn encode_call_result(id: &str, response: &Response) -> String {
    let mut out = String::from("[3,");
    write_str(&mut out, id);
    out.push(',');
    out.push_str(&response.to_payload());
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
