//! The control channel's messages: a request is one JSON object per WebSocket text
//! message, `{"id": …, "verb": "…", "cp": "…", …}`; its reply carries the same `id` and
//! `"ok": true` with the verb's fields, or `"ok": false` and an `error` with a `code` a
//! program can match and a `message` a person can read. `docs/control.md` lists them.
//!
//! Parsing is pure (no I/O), so every way a request can be wrong is unit-tested here.

use std::time::Duration;

use chargepoint::{Fault, world::EvSpec};
use ocpp16::messages::ChargePointStatus;
use serde_json::{Map, Value, json};

/// The longest wait a request may ask for.
const MAX_TIMEOUT_S: f64 = 3600.0;
/// The wait when a request gives no `timeout`.
const DEFAULT_TIMEOUT_S: f64 = 30.0;

/// What went wrong with a request, as its error reply says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    /// Stable, for programs: `bad_json`, `bad_request`, `missing_field`, `bad_field`,
    /// `unknown_verb`, `unknown_cp`, `not_possible`, `timeout`, `stopped`.
    pub(crate) code: &'static str,
    /// For people.
    pub(crate) message: String,
}

impl Error {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    fn missing(field: &str, verb: &str) -> Self {
        Self::new("missing_field", format!("{verb} needs the field {field:?}"))
    }

    fn bad(field: &str, why: impl std::fmt::Display) -> Self {
        Self::new("bad_field", format!("{field}: {why}"))
    }
}

/// What a request asks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verb {
    /// Every charge point with its status.
    List,
    /// One charge point's status.
    Status,
    /// Plug an EV in.
    Plug(EvSpec),
    /// Unplug it.
    Unplug,
    /// Tap a card.
    Tap(String),
    /// The EV stops drawing current.
    Pause,
    /// It draws again.
    Resume,
    /// Raise a fault.
    Fault(Fault),
    /// Clear it.
    Clear(Fault),
    /// This charge point's time speed-up from now on.
    Speed(u32),
    /// Drop the link to the CSMS (the box reconnects with its backoff).
    Drop,
    /// Factory reset: forget the durable state, start again from defaults.
    Reset,
    /// The frames kept, after sequence number `since`, at most `limit`.
    Trace {
        /// Only frames with a larger sequence number.
        since: u64,
        /// At most this many (the newest).
        limit: usize,
    },
    /// Reply once connector 1 has this status (at once when it has it now).
    WaitStatus {
        /// The status.
        status: ChargePointStatus,
        /// How long to wait.
        timeout: Duration,
    },
    /// Reply with the first CALL of this action after `since` (default: from now).
    WaitFrame {
        /// The action.
        action: String,
        /// `Some(true)`: sent by the charge point; `Some(false)`: by the CSMS.
        from_cp: Option<bool>,
        /// Frames after this sequence number count; `None`: only frames to come.
        since: Option<u64>,
        /// How long to wait.
        timeout: Duration,
    },
    /// Stream this charge point's events and frames on this socket.
    Subscribe {
        /// Frames in and out.
        frames: bool,
        /// Events (status, authorization, transactions, link, warnings, …).
        events: bool,
    },
    /// Stop that stream.
    Unsubscribe,
}

impl Verb {
    /// Every verb's name, for the error naming them.
    pub(crate) const NAMES: [&'static str; 17] = [
        "list",
        "status",
        "plug",
        "unplug",
        "tap",
        "pause",
        "resume",
        "fault",
        "clear",
        "speed",
        "drop",
        "reset",
        "trace",
        "wait_status",
        "wait_frame",
        "subscribe",
        "unsubscribe",
    ];
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    /// Echoed in the reply (any JSON value but null).
    pub(crate) id: Value,
    /// The charge point (every verb but `list`).
    pub(crate) cp: Option<String>,
    /// What it asks.
    pub(crate) verb: Verb,
}

/// Reads one request; an error comes with the request's id when it had one (else null).
pub(crate) fn parse(text: &str) -> Result<Request, (Value, Error)> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        (
            Value::Null,
            Error::new("bad_json", format!("not JSON: {e}")),
        )
    })?;
    let Value::Object(obj) = value else {
        return Err((
            Value::Null,
            Error::new(
                "bad_request",
                "a request is a JSON object: {\"id\": 1, \"verb\": \"list\"}",
            ),
        ));
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    if id.is_null() {
        return Err((
            Value::Null,
            Error::new(
                "missing_field",
                "every request needs an \"id\" (a number or a string), echoed in its reply",
            ),
        ));
    }
    match read(&obj) {
        Ok((cp, verb)) => Ok(Request { id, cp, verb }),
        Err(e) => Err((id, e)),
    }
}

fn read(obj: &Map<String, Value>) -> Result<(Option<String>, Verb), Error> {
    let verb = match obj.get("verb") {
        None => return Err(Error::missing("verb", "a request")),
        Some(Value::String(v)) => v.as_str(),
        Some(_) => return Err(Error::bad("verb", "must be a string")),
    };
    if !Verb::NAMES.contains(&verb) {
        return Err(Error::new(
            "unknown_verb",
            format!(
                "unknown verb {verb:?}; the verbs are {}",
                Verb::NAMES.join(", ")
            ),
        ));
    }
    let cp = match obj.get("cp") {
        // `list` is of the whole fleet: a `cp` is ignored.
        _ if verb == "list" => None,
        None | Some(Value::Null) => return Err(Error::missing("cp", verb)),
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(Error::bad("cp", "must be a charge point id (a string)")),
    };
    let r = Fields { obj, verb };
    let parsed = match verb {
        "list" => Verb::List,
        "status" => Verb::Status,
        "plug" => Verb::Plug(match obj.get("ev") {
            None | Some(Value::Null) => EvSpec::default(),
            Some(Value::Object(ev)) => ev_spec(ev)?,
            Some(_) => return Err(Error::bad("ev", "must be an object")),
        }),
        "unplug" => Verb::Unplug,
        "tap" => {
            let tag = r.string("idTag")?;
            if tag.is_empty() || tag.chars().count() > 20 {
                return Err(Error::bad("idTag", "an idTag has 1 to 20 characters"));
            }
            Verb::Tap(tag)
        }
        "pause" => Verb::Pause,
        "resume" => Verb::Resume,
        "fault" | "clear" => {
            let name = r.string("fault")?;
            let fault = chargepoint::scenario::parse_fault(&name)
                .map_err(|e| Error::new("bad_field", e))?;
            if verb == "fault" {
                Verb::Fault(fault)
            } else {
                Verb::Clear(fault)
            }
        }
        "speed" => {
            let speed = r.integer("speed")?;
            if !(1..=3600).contains(&speed) {
                return Err(Error::bad("speed", "must be 1 to 3600"));
            }
            Verb::Speed(u32::try_from(speed).unwrap_or(1))
        }
        "drop" => Verb::Drop,
        "reset" => Verb::Reset,
        "trace" => Verb::Trace {
            since: r.optional_integer("since")?.unwrap_or(0),
            limit: usize::try_from(r.optional_integer("limit")?.unwrap_or(1000))
                .unwrap_or(usize::MAX),
        },
        "wait_status" => {
            let name = r.string("status")?;
            let status = ChargePointStatus::from_wire(&name).ok_or_else(|| {
                Error::bad(
                    "status",
                    format!("{name:?} is not an OCPP 1.6 connector status (Available, Preparing, Charging, SuspendedEV, SuspendedEVSE, Finishing, Reserved, Unavailable, Faulted)"),
                )
            })?;
            Verb::WaitStatus {
                status,
                timeout: r.timeout()?,
            }
        }
        "wait_frame" => {
            let action = r.string("action")?;
            if ocpp16::Action::from_name(&action).is_none() {
                return Err(Error::bad(
                    "action",
                    format!("{action:?} is not an OCPP 1.6 action"),
                ));
            }
            let from_cp = match obj.get("dir") {
                None | Some(Value::Null) => None,
                Some(Value::String(d)) if d == "send" => Some(true),
                Some(Value::String(d)) if d == "recv" => Some(false),
                Some(_) => {
                    return Err(Error::bad(
                        "dir",
                        "\"send\" (by the charge point) or \"recv\" (from the CSMS)",
                    ));
                }
            };
            Verb::WaitFrame {
                action,
                from_cp,
                since: r.optional_integer("since")?,
                timeout: r.timeout()?,
            }
        }
        "subscribe" => Verb::Subscribe {
            frames: r.optional_bool("frames")?.unwrap_or(true),
            events: r.optional_bool("events")?.unwrap_or(true),
        },
        _ => Verb::Unsubscribe,
    };
    Ok((cp, parsed))
}

/// A request's fields, read with errors naming the field.
struct Fields<'a> {
    obj: &'a Map<String, Value>,
    verb: &'a str,
}

impl Fields<'_> {
    fn string(&self, name: &str) -> Result<String, Error> {
        match self.obj.get(name) {
            None | Some(Value::Null) => Err(Error::missing(name, self.verb)),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(Error::bad(name, "must be a string")),
        }
    }

    fn integer(&self, name: &str) -> Result<u64, Error> {
        self.optional_integer(name)?
            .ok_or_else(|| Error::missing(name, self.verb))
    }

    fn optional_integer(&self, name: &str) -> Result<Option<u64>, Error> {
        match self.obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| Error::bad(name, "must be a whole number ≥ 0")),
        }
    }

    fn optional_bool(&self, name: &str) -> Result<Option<bool>, Error> {
        match self.obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Error::bad(name, "must be true or false")),
        }
    }

    /// `timeout` in seconds (default 30, at most an hour).
    fn timeout(&self) -> Result<Duration, Error> {
        let s = match self.obj.get("timeout") {
            None | Some(Value::Null) => DEFAULT_TIMEOUT_S,
            Some(v) => v
                .as_f64()
                .ok_or_else(|| Error::bad("timeout", "must be a number of seconds"))?,
        };
        if !(0.0..=MAX_TIMEOUT_S).contains(&s) {
            return Err(Error::bad("timeout", "must be 0 to 3600 seconds"));
        }
        Ok(Duration::from_secs_f64(s))
    }
}

/// The EV of a `plug`, with the scenario's names and ranges.
fn ev_spec(ev: &Map<String, Value>) -> Result<EvSpec, Error> {
    let mut spec = EvSpec::default();
    for (key, value) in ev {
        let field = format!("ev.{key}");
        let number = value
            .as_f64()
            .ok_or_else(|| Error::bad(&field, "must be a number"))?;
        let within = |lo: f64, hi: f64, unit: &str| {
            if (lo..=hi).contains(&number) {
                Ok(number)
            } else {
                Err(Error::bad(
                    &field,
                    format!("{number} is not in {lo}..{hi}{unit}"),
                ))
            }
        };
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "each value is checked against its range first"
        )]
        match key.as_str() {
            "battery_kwh" => spec.battery_wh = (within(1.0, 1000.0, " kWh")? * 1000.0) as u32,
            "soc" => spec.soc_permille = (within(0.0, 100.0, " %")? * 10.0) as u16,
            "target_soc" => spec.target_permille = (within(0.0, 100.0, " %")? * 10.0) as u16,
            "max_current" => spec.max_current_ma = (within(6.0, 80.0, " A")? * 1000.0) as u32,
            "phases" if number == 1.0 || number == 3.0 => spec.phases = number as u8,
            "phases" => return Err(Error::bad(&field, "an EV charges on 1 or 3 phases")),
            other => {
                return Err(Error::bad(
                    &format!("ev.{other}"),
                    "unknown; the EV has battery_kwh, soc, target_soc, max_current, phases",
                ));
            }
        }
    }
    Ok(spec)
}

/// The reply to request `id`: `{"id": …, "ok": true, …fields}`.
pub(crate) fn ok(id: &Value, fields: Value) -> String {
    let mut out = Map::new();
    out.insert(String::from("id"), id.clone());
    out.insert(String::from("ok"), Value::Bool(true));
    if let Value::Object(fields) = fields {
        out.extend(fields);
    }
    Value::Object(out).to_string()
}

/// The error reply to request `id` (null when it had none).
pub(crate) fn error(id: &Value, e: &Error) -> String {
    json!({"id": id, "ok": false, "error": {"code": e.code, "message": e.message}}).to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;

    fn err(text: &str) -> (Value, Error) {
        parse(text).unwrap_err()
    }

    #[test]
    fn requests_are_read() {
        let r = parse(r#"{"id": 1, "verb": "list"}"#).unwrap();
        assert_eq!((r.id, r.cp, r.verb), (json!(1), None, Verb::List));
        let r = parse(r#"{"id": 1, "verb": "list", "cp": "CP0001"}"#).unwrap();
        assert_eq!((r.cp, r.verb), (None, Verb::List));
        let r = parse(r#"{"id": "a", "verb": "tap", "cp": "CP0001", "idTag": "CARD-1"}"#).unwrap();
        assert_eq!(r.cp.as_deref(), Some("CP0001"));
        assert_eq!(r.verb, Verb::Tap(String::from("CARD-1")));
        let r =
            parse(r#"{"id": 2, "verb": "fault", "cp": "X", "fault": "HighTemperature"}"#).unwrap();
        assert_eq!(r.verb, Verb::Fault(Fault::HighTemperature));
        let r =
            parse(r#"{"id": 3, "verb": "wait_status", "cp": "X", "status": "Charging"}"#).unwrap();
        assert_eq!(
            r.verb,
            Verb::WaitStatus {
                status: ChargePointStatus::Charging,
                timeout: Duration::from_secs(30)
            }
        );
        let r = parse(
            r#"{"id": 4, "verb": "wait_frame", "cp": "X", "action": "StartTransaction", "dir": "send", "since": 7, "timeout": 2.5}"#,
        )
        .unwrap();
        assert_eq!(
            r.verb,
            Verb::WaitFrame {
                action: String::from("StartTransaction"),
                from_cp: Some(true),
                since: Some(7),
                timeout: Duration::from_millis(2500)
            }
        );
        let r = parse(r#"{"id": 5, "verb": "plug", "cp": "X", "ev": {"soc": 50, "phases": 1}}"#)
            .unwrap();
        let Verb::Plug(ev) = r.verb else {
            panic!("{:?}", r.verb)
        };
        assert_eq!((ev.soc_permille, ev.phases), (500, 1));
        assert_eq!(ev.battery_wh, EvSpec::default().battery_wh);
        let r = parse(r#"{"id": 6, "verb": "subscribe", "cp": "X", "frames": false}"#).unwrap();
        assert_eq!(
            r.verb,
            Verb::Subscribe {
                frames: false,
                events: true
            }
        );
        let r = parse(r#"{"id": 7, "verb": "trace", "cp": "X", "since": 3}"#).unwrap();
        assert_eq!(
            r.verb,
            Verb::Trace {
                since: 3,
                limit: 1000
            }
        );
        let r = parse(r#"{"id": 8, "verb": "speed", "cp": "X", "speed": 60}"#).unwrap();
        assert_eq!(r.verb, Verb::Speed(60));
    }

    #[test]
    fn bad_requests_get_specific_errors() {
        let (id, e) = err("{not json");
        assert_eq!((id, e.code), (Value::Null, "bad_json"));
        assert_eq!(err("[1, 2]").1.code, "bad_request");
        let (id, e) = err(r#"{"verb": "list"}"#);
        assert_eq!((id, e.code), (Value::Null, "missing_field"));
        assert!(e.message.contains("\"id\""), "{e:?}");
        let (id, e) = err(r#"{"id": 9, "verb": "fly"}"#);
        assert_eq!((id, e.code), (json!(9), "unknown_verb"));
        assert!(e.message.contains("wait_status"), "{e:?}");
        let (_, e) = err(r#"{"id": 9}"#);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("missing_field", "a request needs the field \"verb\"")
        );
        let (_, e) = err(r#"{"id": 9, "verb": "plug"}"#);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("missing_field", "plug needs the field \"cp\"")
        );
        let (_, e) = err(r#"{"id": 9, "verb": "tap", "cp": "X"}"#);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("missing_field", "tap needs the field \"idTag\"")
        );
        let (_, e) = err(r#"{"id": 9, "verb": "tap", "cp": "X", "idTag": 12}"#);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("bad_field", "idTag: must be a string")
        );
        let long = format!(
            r#"{{"id": 9, "verb": "tap", "cp": "X", "idTag": "{}"}}"#,
            "A".repeat(21)
        );
        assert_eq!(err(&long).1.code, "bad_field");
        assert_eq!(
            err(r#"{"id": 9, "verb": "tap", "cp": 2, "idTag": "A"}"#)
                .1
                .code,
            "bad_field"
        );
        let (_, e) = err(r#"{"id": 9, "verb": "fault", "cp": "X", "fault": "Rain"}"#);
        assert!(
            e.code == "bad_field" && e.message.contains("HighTemperature"),
            "{e:?}"
        );
        let (_, e) = err(r#"{"id": 9, "verb": "wait_status", "cp": "X", "status": "Flying"}"#);
        assert!(
            e.code == "bad_field" && e.message.contains("Flying"),
            "{e:?}"
        );
        let (_, e) = err(r#"{"id": 9, "verb": "wait_frame", "cp": "X", "action": "Dance"}"#);
        assert!(
            e.code == "bad_field" && e.message.contains("Dance"),
            "{e:?}"
        );
        let (_, e) = err(
            r#"{"id": 9, "verb": "wait_frame", "cp": "X", "action": "Heartbeat", "dir": "up"}"#,
        );
        assert_eq!((e.code, e.message.starts_with("dir:")), ("bad_field", true));
        let (_, e) = err(
            r#"{"id": 9, "verb": "wait_status", "cp": "X", "status": "Charging", "timeout": -1}"#,
        );
        assert_eq!(
            (e.code, e.message.starts_with("timeout:")),
            ("bad_field", true)
        );
        assert_eq!(
            err(r#"{"id": 9, "verb": "speed", "cp": "X", "speed": 0}"#)
                .1
                .code,
            "bad_field"
        );
        assert_eq!(
            err(r#"{"id": 9, "verb": "speed", "cp": "X"}"#).1.code,
            "missing_field"
        );
        let (_, e) = err(r#"{"id": 9, "verb": "plug", "cp": "X", "ev": {"soc": 150}}"#);
        assert_eq!(
            (e.code, e.message.starts_with("ev.soc:")),
            ("bad_field", true)
        );
        let (_, e) = err(r#"{"id": 9, "verb": "plug", "cp": "X", "ev": {"wings": 2}}"#);
        assert_eq!(
            (e.code, e.message.starts_with("ev.wings:")),
            ("bad_field", true)
        );
        assert_eq!(
            err(r#"{"id": 9, "verb": "subscribe", "cp": "X", "frames": 1}"#)
                .1
                .code,
            "bad_field"
        );
    }

    #[test]
    fn replies_echo_the_id() {
        let ok: Value =
            serde_json::from_str(&ok(&json!("r1"), json!({"status": "Charging"}))).unwrap();
        assert_eq!(ok, json!({"id": "r1", "ok": true, "status": "Charging"}));
        let e = Error::new("unknown_cp", "no charge point \"CP9\"");
        let err: Value = serde_json::from_str(&error(&json!(4), &e)).unwrap();
        assert_eq!(
            err,
            json!({"id": 4, "ok": false, "error": {"code": "unknown_cp", "message": "no charge point \"CP9\""}})
        );
    }
}
