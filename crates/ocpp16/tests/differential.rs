//! The codec against the serde-based decoder it replaced: the same typed value, or the
//! same CALLERROR code and description (and the same frame split), for every mutated frame of the property tests
//! and every valid and invalid payload of the schema suite (`tests/schema`, exported to
//! `tests/corpus/schema_payloads.jsonl` by `tests/schema/export_corpus.py`).
//!
//! The corpus's answers are also kept (`tests/corpus/schema_expected.jsonl`, written by
//! the old decoder with `UPDATE_CORPUS=1`), so that the codec stays held to them.
//!
//! One allowance: a number literal that serde_json's float parser may read as a
//! neighbouring `f64` (more than 15 significant digits, or a power of ten beyond 10^22:
//! it multiplies by an inexact power of ten). The old decoder quoted that `f64` in its
//! description (`got floating point `9391222743683879000…0.0``); the codec quotes the
//! literal's own digits (`93912227436838800…0.0`, from `9.39122274368388e63`), and
//! decides `multipleOf: 0.1` on the digits. For such payloads the code must agree and
//! the descriptions must agree with the digits masked (or both name a decimal).
//!
//! And the quoting of a string a field got: the codec quotes it as JSON does (`"\u0000"`),
//! the old decoder as Rust's `Debug` did (`"\0"`); the quoted texts must be equal
//! (`common::same_but_quoting`).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_wrap,
    reason = "test code"
)]

use ocpp16::{
    Action, Frame, Request, Response, Side, WireError, decode_call, decode_call_legacy, frame,
};
use proptest::prelude::*;
use serde_json::{Value, value::RawValue};

mod common;
use common::{FRAMES, agree, byte_edits, cases, json_value, same_split, structural_edit};

/// Splits with both frame parsers, decodes like both ends with both decoders, and
/// compares; re-encodes what decoded with both encoders and compares.
fn same(text: &str, action: Action) {
    same_split(text);
    match frame::parse(text) {
        Ok(Frame::Call(call)) => {
            for side in [Side::ChargePoint, Side::Csms] {
                let new = decode_call(side, &call.action, &call.payload);
                let old = decode_call_legacy(side, &call.action, &call.payload);
                agree(&new, &old, &call.payload);
                if let Ok(request) = &new {
                    let legacy = serde_json::to_string(request).unwrap();
                    assert_eq!(request.to_payload(), legacy, "encoding {text}");
                }
            }
        }
        Ok(Frame::CallResult(result)) => {
            let new = Response::decode(action, &result.payload);
            let old = Response::decode_legacy(action, &result.payload);
            agree(&new, &old, &result.payload);
            if action.sender().allows(Side::ChargePoint) {
                let for_cp = Response::decode_for_charge_point(action, &result.payload);
                agree(&for_cp, &old, &result.payload);
            }
            if let Ok(response) = &new {
                let legacy = serde_json::to_string(response).unwrap();
                assert_eq!(response.to_payload(), legacy, "encoding {text}");
            }
        }
        _ => {}
    }
}

/// Strings the two decoders quote differently in a wrong-type description: a NUL, a
/// control character, a soft hyphen (not printable to Rust), a combining mark.
#[test]
fn wrong_type_strings_are_quoted_as_json() {
    for got in [r"\u0000", r"a\u0001b", r"\u00ad", r"\u0301x", r#"q\"\\"#] {
        let text = format!(r#"[2,"1","StatusNotification",{{"connectorId":"{got}"}}]"#);
        same(&text, Action::StatusNotification);
        let Ok(Frame::Call(call)) = frame::parse(&text) else {
            panic!("{text}")
        };
        let e = decode_call(Side::Csms, &call.action, &call.payload).unwrap_err();
        let quoted = e.description.split("got string ").nth(1).unwrap();
        let back: String = serde_json::from_str(quoted).unwrap();
        let sent: String = serde_json::from_str(&format!("\"{got}\"")).unwrap();
        assert_eq!(back, sent, "{}", e.description);
    }
    let e = decode_call(
        Side::Csms,
        "StatusNotification",
        r#"{"connectorId":"a\u0001"}"#,
    );
    assert_eq!(
        e.unwrap_err().description,
        r#"connectorId: expected an integer, got string "a\u0001""#
    );
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn arbitrary_text(text in "\\PC{0,200}") {
        same(&text, Action::Heartbeat);
    }

    #[test]
    fn json_shaped_text(text in r#"\[[0-9]{1,2},("[a-z0-9]{0,40}"|[0-9]+|null)(,("[A-Za-z]{0,30}"|\{\}|\[\]|[0-9.e+-]{1,12}|"[^"]{0,20}")){0,4}\]"#) {
        same(&text, Action::BootNotification);
    }

    #[test]
    fn byte_edits_of_valid_frames(
        which in 0..FRAMES.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..6),
    ) {
        let (text, action) = FRAMES[which];
        same(&byte_edits(text, edits), Action::from_name(action).unwrap());
    }

    #[test]
    fn structural_edits_of_valid_frames(
        which in 0..FRAMES.len(),
        node in 0usize..64,
        replacement in json_value(),
        op in 0u8..3,
    ) {
        let (text, action) = FRAMES[which];
        same(&structural_edit(text, node, &replacement, op), Action::from_name(action).unwrap());
    }

    /// Payloads straight to the decoders (no frame around them), as tools call them.
    #[test]
    fn payload_edits(
        which in 0..FRAMES.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..4),
    ) {
        let (text, action) = FRAMES[which];
        let Ok(frame) = frame::parse(text) else { panic!() };
        let payload = match frame {
            Frame::Call(c) => c.payload,
            Frame::CallResult(r) => r.payload,
            Frame::CallError(_) => unreachable!(),
        };
        let edited = byte_edits(&payload, edits);
        let action = Action::from_name(action).unwrap();
        agree(&Request::decode(action, &edited), &Request::decode_legacy(action, &edited), &edited);
        agree(&Response::decode(action, &edited), &Response::decode_legacy(action, &edited), &edited);
    }
}

const CORPUS: &str = include_str!("corpus/schema_payloads.jsonl");
const EXPECTED_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/corpus/schema_expected.jsonl"
);

#[derive(serde::Deserialize)]
struct Sample<'a> {
    action: &'a str,
    kind: &'a str,
    valid: bool,
    #[serde(borrow)]
    payload: &'a RawValue,
}

/// One decode of a corpus line, as recorded: `{"ok":true}` or the code and description.
fn answer(sample: &Sample<'_>) -> (Value, Result<(), WireError>) {
    let action = Action::from_name(sample.action).unwrap();
    let payload = sample.payload.get();
    let (new, old) = match sample.kind {
        "req" => {
            let new = Request::decode(action, payload);
            let old = Request::decode_legacy(action, payload);
            agree(&new, &old, payload);
            (new.map(drop), old.map(drop))
        }
        _ => {
            let new = Response::decode(action, payload);
            let old = Response::decode_legacy(action, payload);
            agree(&new, &old, payload);
            (new.map(drop), old.map(drop))
        }
    };
    let recorded = match &old {
        Ok(()) => serde_json::json!({"ok": true}),
        Err(e) => serde_json::json!({"code": e.code.as_str(), "description": e.description}),
    };
    (recorded, new)
}

#[test]
fn schema_corpus_decodes_as_before() {
    let samples: Vec<Sample<'_>> = CORPUS
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(samples.len() > 1000);
    let answers: Vec<(Value, Result<(), WireError>)> = samples.iter().map(answer).collect();
    if std::env::var_os("UPDATE_CORPUS").is_some() {
        let text: String = answers.iter().map(|(v, _)| format!("{v}\n")).collect();
        std::fs::write(EXPECTED_PATH, text).unwrap();
    }
    let expected = std::fs::read_to_string(EXPECTED_PATH).unwrap();
    let expected: Vec<Value> = expected
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(expected.len(), samples.len(), "rerun with UPDATE_CORPUS=1");
    for ((sample, (_, new)), want) in samples.iter().zip(&answers).zip(&expected) {
        let got = match new {
            Ok(()) => serde_json::json!({"ok": true}),
            Err(e) => serde_json::json!({"code": e.code.as_str(), "description": e.description}),
        };
        assert_eq!(
            &got, want,
            "{} {} {}",
            sample.action, sample.kind, sample.payload
        );
        assert_eq!(
            new.is_ok(),
            sample.valid,
            "{} {} {}: {new:?}",
            sample.action,
            sample.kind,
            sample.payload
        );
    }
}
