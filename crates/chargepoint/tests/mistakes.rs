//! The CSMS's mistakes (`chargepoint::mistakes`): each kind is reported once, with the
//! action and message id of the frame at fault, when the CSMS makes it, and never for a
//! CSMS that does everything right.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod common;

use chargepoint::{
    Event,
    harness::Harness,
    mistakes::{Mistake, MistakeKind},
    model::Variant,
    world::EvSpec,
};
use common::*;
use ocpp16::{Action, Frame, frame};
use serde_json::json;

fn mistakes(h: &Harness) -> Vec<Mistake> {
    h.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::CsmsMistake(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// The one mistake made since `before` mistakes were seen.
fn only_new(h: &Harness, before: usize) -> Mistake {
    let all = mistakes(h);
    assert_eq!(all.len(), before + 1, "{:#?}", all.get(before..));
    all[before].clone()
}

/// The id of the last CALL of `action` the box sent.
fn last_call_id(h: &Harness, action: &str) -> String {
    h.trace
        .iter()
        .rev()
        .filter(|t| t.from_cp)
        .find_map(|t| match frame::parse(&t.text) {
            Ok(Frame::Call(c)) if c.action == action => Some(c.id),
            _ => None,
        })
        .unwrap()
}

/// The CSMS asks for a Heartbeat (the box's own CALL, to answer badly or not at all).
fn trigger_heartbeat(h: &mut Harness) {
    let answer = call(
        h,
        "TriggerMessage",
        json!({"requestedMessage": "Heartbeat"}),
    );
    assert_eq!(answer.unwrap(), json!({"status": "Accepted"}));
}

/// A CSMS that does everything right makes no mistake: boot, a charging session,
/// requests of every kind answered.
#[test]
fn a_correct_csms_makes_no_mistake() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(60_000);
    call(&mut h, "GetConfiguration", json!({})).unwrap();
    trigger_heartbeat(&mut h);
    h.unplug();
    h.run_for(10_000);
    assert_eq!(mistakes(&h), []);
}

#[test]
fn a_frame_that_is_not_ocpp_j_is_a_malformed_frame() {
    let mut h = booted(Variant::Tethered);
    h.send_raw("this is not JSON");
    let m = only_new(&h, 0);
    assert_eq!(m.kind, MistakeKind::MalformedFrame);
    assert_eq!((m.action, m.message_id), (None, None));
    // A CALL that names its id but not its action: the id is kept to find it.
    h.send_raw(r#"[2,"m-7"]"#);
    let m = only_new(&h, 1);
    assert_eq!(m.kind, MistakeKind::MalformedFrame);
    assert_eq!(m.message_id.as_deref(), Some("m-7"));
    assert!(!m.detail.is_empty());
}

#[test]
fn a_payload_that_breaks_the_schema_names_the_field() {
    let mut h = booted(Variant::Tethered);
    let answer = call(
        &mut h,
        "ChangeAvailability",
        json!({"connectorId": "one", "type": "Inoperative"}),
    );
    assert!(answer.is_err());
    let m = only_new(&h, 0);
    assert_eq!(m.kind, MistakeKind::SchemaViolation);
    assert_eq!(m.action.as_deref(), Some("ChangeAvailability"));
    assert!(m.message_id.is_some());
    assert!(m.detail.contains("connectorId"), "{}", m.detail);
    assert!(m.detail.starts_with("answered "), "{}", m.detail);
}

#[test]
fn a_call_the_box_does_not_support_is_reported_with_its_answer() {
    let mut h = booted(Variant::Tethered);
    // A charge point's own message, sent by the CSMS.
    assert!(call(&mut h, "BootNotification", json!({})).is_err());
    let m = only_new(&h, 0);
    assert_eq!(m.kind, MistakeKind::UnsupportedCall);
    assert_eq!(m.action.as_deref(), Some("BootNotification"));
    // An action OCPP 1.6 does not have.
    h.send_raw(r#"[2,"x-1","MakeCoffee",{}]"#);
    let m = only_new(&h, 1);
    assert_eq!(m.kind, MistakeKind::UnsupportedCall);
    assert_eq!(m.action.as_deref(), Some("MakeCoffee"));
    assert_eq!(m.message_id.as_deref(), Some("x-1"));
    assert!(m.detail.contains("NotImplemented"), "{}", m.detail);
}

#[test]
fn an_answer_to_an_id_the_box_does_not_wait_for_is_unknown_or_late() {
    let mut h = booted(Variant::Tethered);
    h.send_result("nobody-asked", &json!({}));
    let m = only_new(&h, 0);
    assert_eq!(m.kind, MistakeKind::UnknownOrLateAnswer);
    assert_eq!(m.message_id.as_deref(), Some("nobody-asked"));
    h.send_raw(r#"[4,"nor-this","GenericError","",{}]"#);
    let m = only_new(&h, 1);
    assert_eq!(m.kind, MistakeKind::UnknownOrLateAnswer);
    assert!(m.detail.contains("GenericError"), "{}", m.detail);
}

#[test]
fn an_answer_of_the_wrong_shape_and_a_callerror_answer_name_the_box_s_call() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.answer = false;
    trigger_heartbeat(&mut h);
    let id = last_call_id(&h, "Heartbeat");
    // A Heartbeat.conf without its currentTime.
    h.send_result(&id, &json!({"time": "now"}));
    let m = only_new(&h, 0);
    assert_eq!(m.kind, MistakeKind::WrongAnswerShape);
    assert_eq!(m.action.as_deref(), Some("Heartbeat"));
    assert_eq!(m.message_id.as_deref(), Some(id.as_str()));

    h.csms.script.answer = true;
    h.csms.script.call_error_for.push(Action::Heartbeat);
    trigger_heartbeat(&mut h);
    h.run_for(10_000);
    let all = mistakes(&h);
    let errors: Vec<_> = all
        .iter()
        .filter(|m| m.kind == MistakeKind::ErrorAnswer)
        .collect();
    assert!(!errors.is_empty(), "{all:#?}");
    assert_eq!(errors[0].action.as_deref(), Some("Heartbeat"));
    assert!(
        errors[0].detail.contains("scripted"),
        "{}",
        errors[0].detail
    );
}

#[test]
fn an_answer_that_does_not_come_is_a_time_out_of_the_box_s_call() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.answer = false;
    trigger_heartbeat(&mut h);
    let id = last_call_id(&h, "Heartbeat");
    h.run_for(h.cp().settings().call_timeout_ms + 1_000);
    let all = mistakes(&h);
    let m = &all[0];
    assert_eq!(m.kind, MistakeKind::AnswerTimeout, "{all:#?}");
    assert_eq!(m.action.as_deref(), Some("Heartbeat"));
    assert_eq!(m.message_id.as_deref(), Some(id.as_str()));
}

#[test]
fn requests_that_make_no_sense_are_answered_and_reported() {
    let mut h = booted(Variant::Tethered);
    let cases = [
        ("RemoteStopTransaction", json!({"transactionId": 999})),
        ("UnlockConnector", json!({"connectorId": 2})),
        (
            "ChangeAvailability",
            json!({"connectorId": 3, "type": "Operative"}),
        ),
        (
            "RemoteStartTransaction",
            json!({"connectorId": 2, "idTag": "CARD1"}),
        ),
        ("CancelReservation", json!({"reservationId": 4242})),
        (
            "TriggerMessage",
            json!({"requestedMessage": "StatusNotification", "connectorId": 5}),
        ),
    ];
    for (n, (action, payload)) in cases.into_iter().enumerate() {
        // Answered as the contract says (not a CALLERROR).
        assert!(call(&mut h, action, payload).is_ok(), "{action}");
        let m = only_new(&h, n);
        assert_eq!(m.kind, MistakeKind::Senseless, "{action}");
        assert_eq!(m.action.as_deref(), Some(action));
        assert!(m.message_id.is_some());
        assert!(!m.detail.is_empty());
    }
    // A RemoteStart while a transaction runs.
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    let before = mistakes(&h).len();
    assert!(call(&mut h, "RemoteStartTransaction", json!({"idTag": "CARD2"})).is_ok());
    assert_eq!(only_new(&h, before).kind, MistakeKind::Senseless);
}

#[test]
fn every_kind_has_a_distinct_name_and_title() {
    let mut names: Vec<_> = MistakeKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut titles: Vec<_> = MistakeKind::ALL.iter().map(|k| k.title()).collect();
    names.sort_unstable();
    names.dedup();
    titles.sort_unstable();
    titles.dedup();
    assert_eq!(names.len(), MistakeKind::ALL.len());
    assert_eq!(titles.len(), MistakeKind::ALL.len());
}

/// Expert mode: the tester's own frames reach the CSMS as they are, the answers to their
/// CALLs are traced but kept from the engine (they are no mistake of the CSMS), and
/// nothing is sent without a connection.
#[test]
fn the_tester_s_own_frames_go_out_as_they_are_and_their_answers_are_theirs() {
    let mut h = booted(Variant::Tethered);
    let own = r#"[2,"own-1","Heartbeat",{}]"#;
    h.send_from_cp(own).unwrap();
    let answered = h
        .trace
        .iter()
        .any(|t| !t.from_cp && t.text.starts_with(r#"[3,"own-1","#));
    assert!(h.trace.iter().any(|t| t.from_cp && t.text == own));
    assert!(answered, "{:#?}", h.trace.last());
    h.send_from_cp("no frame at all").unwrap();
    assert!(
        h.csms
            .violations
            .iter()
            .any(|v| v.contains("no frame at all")),
        "{:?}",
        h.csms.violations
    );
    // The engine's own answers still reach it: a late answer to one of its ids is a
    // mistake as before.
    h.send_result("own-2", &json!({}));
    assert_eq!(only_new(&h, 0).kind, MistakeKind::UnknownOrLateAnswer);
    h.drop_connection();
    assert!(h.send_from_cp(own).is_err());
}
