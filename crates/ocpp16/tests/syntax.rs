//! Text that is not JSON (or not the JSON expected), described without serde_json on
//! the decode path: every description must be serde_json's own parser error, word for
//! word with its line and column, and every frame and payload must get the same
//! CALLERROR code and description as the serde_json-based decoder before.
//!
//! The texts: character edits (removals, insertions, replacements, truncations) of the
//! property tests' frames and of the schema corpus's payloads, drawn from an alphabet
//! that hits the grammar's corners; deep nesting around the recursion limit; number
//! literals (huge, `-0`, `1e400`, `1.0`, leading zeros, long exponents, near
//! `f64::MAX`); escapes and surrogates; control characters; multi-line text; empty and
//! whitespace-only text.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use ocpp16::{
    Action, Request, Response, Side, decode_call, decode_call_legacy, decode_message,
    decode_message_legacy,
    messages::{BootNotificationRequest, SetChargingProfileRequest},
};
use proptest::prelude::*;
use serde_json::{Value, value::RawValue};

mod common;
use common::{FRAMES, agree, cases, same_split};

/// What serde_json's parser says of the text as a payload, when it is not JSON.
fn serde_says(text: &str) -> Option<String> {
    serde_json::from_str::<Value>(text)
        .err()
        .map(|e| format!("payload is not valid JSON: {e}"))
}

/// The frame and payload decoders, old and new, over one text.
fn check(text: &str) {
    same_split(text);
    // As a payload, through every public decoder kind.
    if let Some(want) = serde_says(text) {
        let got = Request::decode(Action::Reset, text).unwrap_err();
        assert_eq!(got.description, want, "{text:?}");
        let got = decode_message::<BootNotificationRequest>(text).unwrap_err();
        assert_eq!(got.description, want, "{text:?}");
    }
    for action in [
        Action::Heartbeat,
        Action::Reset,
        Action::BootNotification,
        Action::SetChargingProfile,
    ] {
        agree(
            &Request::decode(action, text),
            &Request::decode_legacy(action, text),
            text,
        );
        agree(
            &Response::decode(action, text),
            &Response::decode_legacy(action, text),
            text,
        );
        if action.sender().allows(Side::ChargePoint) {
            agree(
                &Response::decode_for_charge_point(action, text),
                &Response::decode_legacy(action, text),
                text,
            );
        }
        for side in [Side::ChargePoint, Side::Csms] {
            agree(
                &decode_call(side, action.as_str(), text),
                &decode_call_legacy(side, action.as_str(), text),
                text,
            );
        }
    }
    agree(
        &decode_message::<SetChargingProfileRequest>(text),
        &decode_message_legacy::<SetChargingProfileRequest>(text),
        text,
    );
}

/// The frame around a payload, and the payload alone.
fn check_payload(payload: &str) {
    check(payload);
    check(&format!("[2,\"1\",\"Reset\",{payload}]"));
    check(&format!("[3,\"1\",{payload}]"));
    check(&format!("[4,\"1\",\"InternalError\",\"x\",{payload}]"));
    check(&format!("[{payload},\"1\",\"Reset\",{{}}]"));
    check(&format!("[2,{payload},\"Reset\",{{}}]"));
    check(&format!("[2,\"1\",{payload},{{}}]"));
}

const CORPUS: &str = include_str!("corpus/schema_payloads.jsonl");

fn corpus() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Sample<'a> {
        #[serde(borrow)]
        payload: &'a RawValue,
    }
    CORPUS
        .lines()
        .map(|l| {
            serde_json::from_str::<Sample<'_>>(l)
                .unwrap()
                .payload
                .get()
                .to_owned()
        })
        .collect()
}

/// Characters that matter to the grammar, and some that do not.
fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select(
            &[
                '[', ']', '{', '}', '"', ',', ':', '\\', 'u', 'n', 't', 'f', 'e', 'E', '+', '-',
                '.', '0', '1', '9', ' ', '\n', '\r', '\t', '\u{0}', '\u{1f}', 'D', 'd', 'a', 'é',
                '\u{10348}',
            ][..]
        ),
        1 => any::<char>(),
    ]
}

/// Edits of a text: remove, insert, replace, truncate (as `common::byte_edits`, with
/// grammar characters more often).
fn edits() -> impl Strategy<Value = Vec<(prop::sample::Index, u8, char)>> {
    prop::collection::vec(
        (any::<prop::sample::Index>(), 0u8..4, interesting_char()),
        1..5,
    )
}

fn edited(text: &str, edits: Vec<(prop::sample::Index, u8, char)>) -> String {
    common::byte_edits(text, edits)
}

/// A number-like literal: digits, signs, points and exponents in any order, weighted
/// to the valid shapes.
fn number_literal() -> impl Strategy<Value = String> {
    prop_oneof![
        r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,4})?",
        r"-?[0-9]{0,22}(\.[0-9]{0,3})?([eE][+-]?[0-9]{0,12})?",
        r"[0-9]{1,3}\.[0-9]{0,2}e(2[89][0-9]|30[0-9]|3[1-9][0-9])",
        r"-?1[0-9]{0,17}e(28[0-9]|29[0-9]|30[0-9])",
        r"-?[0-9]{18,21}(\.[0-9]{0,3})?(e[+-]?[0-9]{1,3})?",
        r"-?0[eE][+-]?[0-9]{1,12}",
        r"[0-9]e[0-9]{9,11}",
        r"[-+.0-9eE]{1,8}",
    ]
}

/// A string literal with escapes, surrogates (paired, lone, broken) and controls.
fn string_literal() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        r"[a-zé]{0,3}",
        r#"\\[\"\\/bfnrtux0]"#,
        r"\\u[0-9a-fA-F]{0,4}",
        r"\\u[dD][89abAB][0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?",
        r"\\u[dD][89abAB][0-9a-fA-F]{2}\\?u?[dD]?[0-9a-fA-F]{0,3}",
        r"\\u[dD][c-fC-F][0-9a-fA-F]{2}",
        r"[\x00-\x1f]",
    ];
    (prop::collection::vec(piece, 0..5), any::<bool>()).prop_map(|(pieces, close)| {
        format!("\"{}{}", pieces.concat(), if close { "\"" } else { "" })
    })
}

/// Nesting around serde_json's recursion limit of 128.
fn nested() -> impl Strategy<Value = String> {
    (
        120usize..135,
        prop::collection::vec(any::<bool>(), 135),
        any::<bool>(),
        0usize..140,
    )
        .prop_map(|(depth, objects, close, closes)| {
            let mut s = String::new();
            for o in objects.iter().take(depth) {
                s.push_str(if *o { "{\"a\":" } else { "[" });
            }
            s.push('1');
            let n = if close { depth } else { closes.min(depth) };
            for o in objects.iter().take(depth).rev().take(n) {
                s.push(if *o { '}' } else { ']' });
            }
            s
        })
}

/// White space, line breaks and a value somewhere: lines and columns.
fn multi_line() -> impl Strategy<Value = String> {
    (
        r"[ \t\r\n]{0,6}",
        prop::sample::select(FRAMES.iter().map(|f| f.0).collect::<Vec<_>>()),
        prop::collection::vec((any::<prop::sample::Index>(), r"[ \n\r\t]{1,3}"), 0..6),
        edits(),
    )
        .prop_map(|(lead, frame, breaks, edits)| {
            let mut chars: Vec<char> = frame.chars().collect();
            for (at, ws) in breaks {
                let i = at.index(chars.len() + 1);
                for (k, c) in ws.chars().enumerate() {
                    chars.insert(i + k, c);
                }
            }
            let text: String = chars.into_iter().collect();
            format!("{lead}{}", edited(&text, edits))
        })
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn edited_frames(which in 0..FRAMES.len(), edits in edits()) {
        check(&edited(FRAMES[which].0, edits));
    }

    #[test]
    fn edited_corpus_payloads(which in any::<prop::sample::Index>(), edits in edits()) {
        let corpus = corpus();
        check(&edited(&corpus[which.index(corpus.len())], edits));
    }

    #[test]
    fn numbers(n in number_literal(), m in number_literal()) {
        check_payload(&n);
        check_payload(&format!("{{\"connectorId\":{n}}}"));
        check(&format!("[2,\"1\",\"SetChargingProfile\",{{\"connectorId\":1,\"csChargingProfiles\":{{\"chargingProfileId\":{n},\"stackLevel\":0,\"chargingProfilePurpose\":\"TxProfile\",\"chargingProfileKind\":\"Relative\",\"chargingSchedule\":{{\"chargingRateUnit\":\"A\",\"chargingSchedulePeriod\":[{{\"startPeriod\":0,\"limit\":{m}}}]}}}}}}]"));
        check(&format!("[{n}]"));
        check(&format!("[4,\"1\",\"InternalError\",\"x\",{{\"n\":[{n},{m}]}}]"));
    }

    #[test]
    fn strings(s in string_literal(), t in string_literal()) {
        check_payload(&s);
        check_payload(&format!("{{{s}:1}}"));
        check_payload(&format!("{{\"type\":{s}}}"));
        check(&format!("[2,{s},{t},{{}}]"));
        check(&format!("[4,\"1\",{s},{t},{{}}]"));
    }

    #[test]
    fn nesting(n in nested(), at in 0usize..4) {
        check_payload(&n);
        match at {
            0 => check(&format!("[2,\"1\",\"Reset\",{{\"type\":{n}}}]")),
            1 => check(&format!("[3,\"1\",[{n}]]")),
            2 => check(&format!("[4,\"1\",\"InternalError\",\"x\",{n}]")),
            _ => check(&format!("[[{n}],\"1\",\"Reset\",{{}}]")),
        }
    }

    #[test]
    fn lines_and_columns(text in multi_line()) {
        check(&text);
    }

    #[test]
    fn white_space_and_controls(text in r"[ \t\r\n\x00-\x1f\x7f]{0,8}") {
        check(&text);
        check_payload(&text);
    }
}

#[test]
fn named_cases() {
    for text in [
        "",
        " ",
        "\n\n  \r\t",
        "{",
        "[",
        "{\"a\"",
        "{\"a\":",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "{1:2}",
        "{,}",
        "nul",
        "nulx",
        "tru",
        "fals",
        "-",
        "-a",
        "01",
        "1.",
        "1.e5",
        "1e",
        "1e+",
        "1ex",
        "-0",
        "1.0",
        "1e400",
        "-1e400",
        "0e400",
        "1e-400",
        "1e2147483648",
        "0e2147483648",
        "1e-2147483648",
        "18446744073709551616",
        "1844674407370955161600000000000000",
        "184467440737095516150.1",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "17976931348623157e292",
        "17976931348623159e292",
        &"9".repeat(400),
        "\"\\uD800\"",
        "\"\\uDC00\"",
        "\"\\uD800\\uDC00\"",
        "\"\\uD800\\u0041\"",
        "\"\\uD800x\"",
        "\"\\uD800\\n\"",
        "\"\\uD80\"",
        "\"\\u12G4\"",
        "\"\\x\"",
        "\"a\u{1}\"",
        "\"abc",
        "{\"a\u{1}\":1}",
        "{} x",
        "[] ]",
        "{\n  \"a\": 1,\n  \"b\": tru\n}",
        "\r\n\r\n{\"a\":\n\n}",
    ] {
        check_payload(text);
        check(text);
    }
}
