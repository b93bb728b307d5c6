//! The stored state's text: whatever a flash page, a file or browser storage hands back
//! (truncated, bit-flipped, edited, another program's data), `from_json` never panics
//! and either loads it or refuses it as `Corrupt` or `TooNew`; what it loads writes back
//! and reads again as the same value. Case count: `PROPTEST_CASES` (default 256).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use chargepoint::durable::{DurableState, FORMAT_VERSION, RestoreError};
use proptest::prelude::*;

/// The format-1 texts the serde-based writer produced (see `src/durable_tests.rs`).
fn format_1() -> Vec<String> {
    ["running", "idle", "fresh", "unavailable"]
        .iter()
        .map(|name| {
            let path = format!(
                "{}/tests/fixtures/state-v1-{name}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            std::fs::read_to_string(path).unwrap()
        })
        .collect()
}

/// Every stored text we know: format 1 and the same states written as format 2.
fn texts() -> Vec<String> {
    let old = format_1();
    let new: Vec<String> = old
        .iter()
        .map(|t| DurableState::from_json(t).unwrap().to_json())
        .collect();
    old.into_iter().chain(new).collect()
}

/// Loads or refuses, never panics; what loads round-trips.
fn holds(text: &str) -> Result<(), TestCaseError> {
    match DurableState::from_json(text) {
        Ok(state) => {
            let again = DurableState::from_json(&state.to_json());
            prop_assert_eq!(
                again,
                Ok(DurableState {
                    format: FORMAT_VERSION,
                    ..state
                })
            );
        }
        Err(RestoreError::Corrupt(why)) => prop_assert!(!why.is_empty()),
        Err(RestoreError::TooNew { found, supported }) => {
            prop_assert!(found > supported && supported == FORMAT_VERSION);
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Edit {
    Truncate(usize),
    Replace(usize, u8),
    Delete(usize, usize),
    Insert(usize, &'static str),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let any_at = any::<usize>();
    prop_oneof![
        any_at.prop_map(Edit::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Replace(at, b)),
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                "null",
                "[",
                "]",
                "{",
                "}",
                ",",
                ":",
                "\"",
                "\\",
                "-1",
                "1e400",
                "0.5",
                "4294967296",
                "18446744073709551616",
                "true",
                "\"format\":3,",
                "\"x\":[[[",
                "\"\u{1F600}\"",
                "\\u0000",
                "\"idTag\":\"ABCDEFGHIJKLMNOPQRSTUVW\",",
            ])
        )
            .prop_map(|(at, s)| Edit::Insert(at, s)),
        (any::<usize>(), 1usize..200).prop_map(|(at, n)| Edit::Duplicate(at, n)),
    ]
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut b = text.as_bytes().to_vec();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
    match *edit {
        Edit::Truncate(i) => b.truncate(at(i, b.len())),
        Edit::Replace(i, c) => {
            if !b.is_empty() {
                let i = i % b.len();
                b[i] = c;
            }
        }
        Edit::Delete(i, n) => {
            let i = at(i, b.len());
            let end = (i + n).min(b.len());
            b.drain(i..end);
        }
        Edit::Insert(i, s) => {
            let i = at(i, b.len());
            b.splice(i..i, s.bytes());
        }
        Edit::Duplicate(i, n) => {
            let i = at(i, b.len());
            let end = (i + n).min(b.len());
            let part = b[i..end].to_vec();
            b.splice(i..i, part);
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn edited_texts_load_or_are_refused_never_panic(
        which in 0usize..8,
        edits in prop::collection::vec(edit(), 1..6),
    ) {
        let texts = texts();
        let mut text = texts[which % texts.len()].clone();
        for e in &edits {
            text = apply(&text, e);
            holds(&text)?;
        }
    }

    #[test]
    fn any_text_loads_or_is_refused(text in ".{0,200}") {
        holds(&text)?;
    }
}

#[test]
fn format_2_is_compact_and_format_1_states_read_back_through_it() {
    for old in format_1() {
        let state = DurableState::from_json(&old).unwrap();
        assert_eq!(state.format, 1);
        let new = state.to_json();
        // The outbox's payloads are OCPP text and stay as they are; the rest shrinks.
        assert!(
            new.len() < old.len(),
            "{} → {}: {new}",
            old.len(),
            new.len()
        );
        if state.outbox.is_empty() {
            assert!(
                new.len() * 2 < old.len(),
                "{} → {}: {new}",
                old.len(),
                new.len()
            );
        }
        assert!(!new.contains("null"), "{new}");
        eprintln!("format 1: {} B, format 2: {} B", old.len(), new.len());
        let back = DurableState::from_json(&new).unwrap();
        assert_eq!(back.format, FORMAT_VERSION);
        assert_eq!(
            back,
            DurableState {
                format: FORMAT_VERSION,
                ..state
            }
        );
    }
}

#[test]
fn refusals_name_the_field_and_the_fault() {
    let running = DurableState::from_json(&format_1()[0]).unwrap().to_json();
    let long = running.replacen(
        "\"localId\":2,\"idTag\":\"LOCAL1\"",
        "\"localId\":2,\"idTag\":\"ABCDEFGHIJKLMNOPQRSTUVW\"",
        1,
    );
    assert_ne!(long, running);
    for (text, why) in [
        (
            long.as_str(),
            "transaction.idTag: 23 characters, at most 20 allowed",
        ),
        ("", "stored state is not JSON (truncated or damaged)"),
        (
            &running[..running.len() - 1],
            "stored state is not JSON (truncated or damaged)",
        ),
        ("[]", "expected an object, got sequence"),
        (
            &running[..running.find("\"energyAllowed\"").unwrap() + 17],
            "stored state is not JSON (truncated or damaged) in transaction",
        ),
        (r#"{"config":{}}"#, "format: required field missing"),
        (
            r#"{"format":"2"}"#,
            "format: expected an integer, got string \"2\"",
        ),
        (
            r#"{"format":2,"config":{}}"#,
            "nextTx: required field missing",
        ),
        (
            r#"{"format":1,"config":[["HeartbeatInterval"]],"next_transaction":1,"energy_wh":0,"wall_clock":"2026-01-01T00:00:00Z"}"#,
            "config[0]: fewer than 2 items",
        ),
        (
            r#"{"format":2,"config":{},"nextTx":1,"energyWh":-5,"wallClock":"2026-01-01T00:00:00Z"}"#,
            "energyWh: -5 is out of range for an integer",
        ),
    ] {
        assert_eq!(
            DurableState::from_json(text),
            Err(RestoreError::Corrupt(why.into())),
            "{text}"
        );
    }
    assert_eq!(
        DurableState::from_json(r#"{"format":3,"whatever":[1,2"#),
        Err(RestoreError::Corrupt(
            "stored state is not JSON (truncated or damaged) in whatever".into()
        ))
    );
    assert_eq!(
        DurableState::from_json(r#"{"format":3,"config":"a newer shape"}"#),
        Err(RestoreError::TooNew {
            found: 3,
            supported: FORMAT_VERSION
        })
    );
}
