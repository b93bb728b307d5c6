//! The Rust half of the schema conformance suite (`tests/schema`).
//!
//! `conformance roundtrip` reads JSON lines `{"action": "Authorize", "kind": "req" | "conf",
//! "payload": {…}}` on stdin and answers each, in order, with one line: `{"ok": true,
//! "payload": …}` holding the payload decoded into this crate's types and encoded again by its codec,
//! or `{"ok": false, "code": "…", "description": "…"}` with the CALLERROR the charge point
//! would send. The Python side checks the answers against the official JSON schemas.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

use std::io::{BufRead, Write};

use ocpp16::{Action, Request, Response, WireError};
use serde_json::{Value, json};

/// The codec's encoding, read back so that the answer line can carry it.
fn encoded(text: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|e| json!({"unparsable encoding": e.to_string(), "text": text}))
}

fn answer(line: &str) -> Value {
    let input: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => return json!({"ok": false, "code": "harness", "description": e.to_string()}),
    };
    let action = input
        .get("action")
        .and_then(Value::as_str)
        .and_then(Action::from_name);
    let Some(action) = action else {
        return json!({"ok": false, "code": "harness", "description": "unknown action"});
    };
    let payload = input.get("payload").unwrap_or(&Value::Null).to_string();
    let result: Result<Value, WireError> = match input.get("kind").and_then(Value::as_str) {
        Some("req") => Request::decode(action, &payload).map(|r| encoded(&r.to_payload())),
        Some("conf") => Response::decode(action, &payload).map(|r| encoded(&r.to_payload())),
        _ => {
            return json!({"ok": false, "code": "harness", "description": "kind must be req or conf"});
        }
    };
    match result {
        Ok(payload) => json!({"ok": true, "payload": payload}),
        Err(e) => json!({"ok": false, "code": e.code.as_str(), "description": e.description}),
    }
}

fn main() -> std::io::Result<()> {
    let mode = std::env::args().nth(1).unwrap_or_default();
    if mode != "roundtrip" {
        eprintln!("usage: conformance roundtrip < samples.jsonl");
        std::process::exit(2);
    }
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{}", answer(&line))?;
    }
    out.flush()
}
