//! Shared helpers of the scenario tests.

#![allow(dead_code, reason = "each test file uses a different part")]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    unreachable_pub,
    reason = "test helpers: a failure is a failed test"
)]

use std::io::Write;

use chargepoint::{Settings, harness::Harness, model::Variant};
use ocpp16::{Action, Frame, Request, messages::*};
use serde_json::Value;

/// A charge point booted and accepted, statuses reported, the CSMS's log cleared.
pub fn booted(variant: Variant) -> Harness {
    let mut h = Harness::new(Settings::new("EVC-0001", variant));
    h.run_for(5_000);
    assert!(matches!(
        h.cp().registration(),
        chargepoint::Registration::Accepted
    ));
    h
}

/// The StatusNotifications of connector 1 the CSMS got, as statuses.
pub fn statuses(h: &Harness) -> Vec<ChargePointStatus> {
    h.csms
        .sent(Action::StatusNotification)
        .into_iter()
        .filter_map(|r| match r {
            Request::StatusNotification(s) if s.connector_id == 1 => Some(s.status),
            _ => None,
        })
        .collect()
}

/// The last request of `action`, typed.
pub fn last(h: &Harness, action: Action) -> Request {
    h.csms
        .sent(action)
        .last()
        .map(|r| (*r).clone())
        .unwrap_or_else(|| panic!("no {action:?} sent"))
}

/// The CALLRESULT payload of a CSMS call, or the CALLERROR's (code, description).
pub fn call(h: &mut Harness, action: &str, payload: Value) -> Result<Value, (String, String)> {
    match h.call(action, payload) {
        Some(Frame::CallResult(r)) => Ok(serde_json::from_str(&r.payload).unwrap()),
        Some(Frame::CallError(e)) => Err((e.code, e.description)),
        other => panic!("no answer to {action}: {other:?}"),
    }
}

/// Asserts the charge point never broke the schemas or the one-CALL rule, and records
/// every frame it sent for the Python schema suite (tests/schema) to check again.
pub fn check_wire(h: &Harness, name: &str) {
    assert!(
        h.csms.violations.is_empty(),
        "{name}: {:#?}",
        h.csms.violations
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("engine-frames");
    std::fs::create_dir_all(&dir).unwrap();
    let mut file = std::fs::File::create(dir.join(format!("{name}.jsonl"))).unwrap();
    // Map each CALL id of the CSMS to its action, to label the charge point's answers.
    let mut csms_calls = std::collections::HashMap::new();
    for t in &h.trace {
        if let Ok(Frame::Call(c)) = ocpp16::frame::parse(&t.text)
            && !t.from_cp
        {
            csms_calls.insert(c.id.clone(), c.action.clone());
        }
    }
    for t in h.trace.iter().filter(|t| t.from_cp) {
        let line = match ocpp16::frame::parse(&t.text).unwrap() {
            Frame::Call(c) => {
                serde_json::json!({"action": c.action, "kind": "req", "payload": raw(&c.payload)})
            }
            Frame::CallResult(r) => match csms_calls.get(&r.id) {
                Some(action) => {
                    serde_json::json!({"action": action, "kind": "conf", "payload": raw(&r.payload)})
                }
                None => continue,
            },
            Frame::CallError(_) => continue,
        };
        writeln!(file, "{line}").unwrap();
    }
}

/// A payload's JSON text as a value.
fn raw(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// Current time as the CSMS sees it, for comparing timestamps.
pub fn wall(h: &Harness) -> ocpp16::DateTime {
    h.wall()
}
