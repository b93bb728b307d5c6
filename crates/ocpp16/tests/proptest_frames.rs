//! Bad input never panics, and valid frames survive a round trip.
//!
//! Case counts default to values that finish in seconds in a debug build; set
//! `PROPTEST_CASES` for a longer run.

use ocpp16::{
    Action, DateTime, Frame, FrameError, Request, Response, Side, decode_call,
    frame::{self, encode_call, encode_call_result},
};
use proptest::prelude::*;

mod common;
use common::{FRAMES, byte_edits, cases, json_value, structural_edit};

/// Parses and decodes like a charge point and like a CSMS; checks every error's shape.
fn exercise(text: &str, action: Action) {
    match frame::parse(text) {
        Ok(Frame::Call(call)) => {
            for side in [Side::ChargePoint, Side::Csms] {
                if let Err(e) = decode_call(side, &call.action, &call.payload) {
                    assert!(!e.description.is_empty());
                }
            }
        }
        Ok(Frame::CallResult(result)) => {
            if let Err(e) = Response::decode(action, &result.payload) {
                assert!(!e.description.is_empty());
            }
        }
        Ok(Frame::CallError(_)) | Err(FrameError::UnknownMessageType(_)) => {}
        Err(e @ FrameError::Malformed { .. }) => {
            if let Some(reply) = e.reply() {
                let parsed = frame::parse(&reply);
                assert!(
                    matches!(&parsed, Ok(Frame::CallError(r)) if r.error_code().is_some()),
                    "bad reply {reply}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        exercise(&text, Action::Heartbeat);
    }

    #[test]
    fn json_shaped_text_never_panics(text in r#"\[[0-9]{1,2},("[a-z0-9]{0,40}"|[0-9]+|null)(,("[A-Za-z]{0,30}"|\{\}|\[\]|[0-9.e+-]{1,12}|"[^"]{0,20}")){0,4}\]"#) {
        exercise(&text, Action::BootNotification);
    }

    #[test]
    fn byte_edits_of_valid_frames_never_panic(
        which in 0..FRAMES.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..6),
    ) {
        let (text, action) = FRAMES[which];
        exercise(&byte_edits(text, edits), Action::from_name(action).unwrap());
    }

    #[test]
    fn structural_edits_of_valid_frames_never_panic(
        which in 0..FRAMES.len(),
        node in 0usize..64,
        replacement in json_value(),
        op in 0u8..3,
    ) {
        let (text, action) = FRAMES[which];
        exercise(&structural_edit(text, node, &replacement, op), Action::from_name(action).unwrap());
    }

    #[test]
    fn date_times_round_trip(millis in DateTime::MIN.unix_millis()..=DateTime::MAX.unix_millis(), offset in -1439i64..=1439) {
        let t = DateTime::from_unix_millis(millis);
        prop_assert_eq!(DateTime::parse(&t.to_rfc3339()), Ok(t));
        // The same instant written with an offset parses to the same instant.
        let local = t.add_millis(offset * 60_000);
        let text = local.to_rfc3339();
        let sign = if offset < 0 { '-' } else { '+' };
        let with_offset = format!("{}{}{:02}:{:02}", &text[..text.len() - 1], sign, offset.abs() / 60, offset.abs() % 60);
        if local != DateTime::MIN && local != DateTime::MAX {
            prop_assert_eq!(DateTime::parse(&with_offset), Ok(t));
        }
    }
}

#[test]
fn valid_frames_round_trip_through_the_types() {
    for &(text, action) in FRAMES {
        let action = Action::from_name(action).unwrap();
        match frame::parse(text).unwrap() {
            Frame::Call(call) => {
                let side = if action.sender().allows(Side::Csms) {
                    Side::ChargePoint
                } else {
                    Side::Csms
                };
                let request = decode_call(side, &call.action, &call.payload)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                let again = encode_call(&call.id, &request);
                let Frame::Call(call2) = frame::parse(&again).unwrap() else {
                    panic!()
                };
                assert_eq!(Request::decode(action, &call2.payload).unwrap(), request);
            }
            Frame::CallResult(result) => {
                let response = Response::decode(action, &result.payload)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                let again = encode_call_result(&result.id, &response);
                let Frame::CallResult(r2) = frame::parse(&again).unwrap() else {
                    panic!()
                };
                assert_eq!(Response::decode(action, &r2.payload).unwrap(), response);
            }
            Frame::CallError(_) => unreachable!(),
        }
    }
}
