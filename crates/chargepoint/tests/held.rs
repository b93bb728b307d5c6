//! Expert mode's hold on the CSMS's CALLs (`Driver::hold_calls`): a held CALL waits
//! unanswered until the tester lets the box answer it (late), answers it by hand (a
//! CALLRESULT or CALLERROR of theirs: the engine never sees the CALL), or drops it; a
//! lost link voids the hold; turning it off lets the box answer all, oldest first.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod common;

use chargepoint::{held::HELD_MAX, model::Key, model::Variant};
use common::booted;
use ocpp16::Frame;

/// The CSMS sends a CALL (without waiting for its answer): its id.
fn send(h: &mut chargepoint::harness::Harness, action: &str, payload: &str) -> String {
    let (id, text) = h.csms.call(action, payload);
    h.send_raw(&text);
    id
}

fn answer(h: &mut chargepoint::harness::Harness, id: &str) -> Option<Frame> {
    let i = h.csms.answers.iter().position(|(a, _)| a == id)?;
    Some(h.csms.answers.remove(i).1)
}

#[test]
fn a_held_call_waits_until_the_box_may_answer_it() {
    let mut h = booted(Variant::Tethered);
    h.hold_calls(true);
    assert!(h.driver().holding_calls());
    let id = send(
        &mut h,
        "GetConfiguration",
        r#"{"key":["HeartbeatInterval"]}"#,
    );
    h.run_for(20_000);
    assert_eq!(answer(&mut h, &id), None, "held: no answer");
    let held: Vec<_> = h.driver().held_calls().cloned().collect();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].id.as_str(), held[0].action.as_str()),
        (id.as_str(), "GetConfiguration")
    );
    assert!(
        h.driver()
            .trace()
            .any(|t| !t.from_cp && t.text.contains(&id)),
        "the held CALL is in the trace"
    );
    assert!(h.release_held(&id));
    let Some(Frame::CallResult(r)) = answer(&mut h, &id) else {
        panic!("the box answered once released")
    };
    assert!(r.payload.contains("HeartbeatInterval"));
    assert_eq!(h.driver().held_calls().count(), 0);
    assert!(!h.release_held(&id), "released once");
}

#[test]
fn a_call_answered_by_hand_never_reaches_the_engine() {
    let mut h = booted(Variant::Tethered);
    h.hold_calls(true);
    let before = h.cp().configuration().int(Key::HeartbeatInterval);
    let id = send(
        &mut h,
        "ChangeConfiguration",
        r#"{"key":"HeartbeatInterval","value":"120"}"#,
    );
    h.send_from_cp(&format!(
        r#"[4,"{id}","GenericError","answered by hand",{{}}]"#
    ))
    .unwrap();
    let Some(Frame::CallError(e)) = answer(&mut h, &id) else {
        panic!("the CSMS got the CALLERROR written by hand")
    };
    assert_eq!(
        (e.code.as_str(), e.description.as_str()),
        ("GenericError", "answered by hand")
    );
    assert_eq!(
        h.driver().held_calls().count(),
        0,
        "an answer with its id ends the hold"
    );
    h.run_for(1_000);
    assert_eq!(h.cp().configuration().int(Key::HeartbeatInterval), before);
    assert!(!h.release_held(&id));

    let id = send(
        &mut h,
        "DataTransfer",
        r#"{"vendorId":"Teltonika","messageId":"x"}"#,
    );
    h.send_from_cp(&format!(
        r#"[3,"{id}",{{"status":"Accepted","data":"by hand"}}]"#
    ))
    .unwrap();
    let Some(Frame::CallResult(r)) = answer(&mut h, &id) else {
        panic!()
    };
    assert_eq!(r.payload, r#"{"status":"Accepted","data":"by hand"}"#);
}

#[test]
fn a_dropped_call_is_never_answered() {
    let mut h = booted(Variant::Tethered);
    h.hold_calls(true);
    let id = send(&mut h, "ClearCache", "{}");
    assert!(h.drop_held(&id));
    assert!(!h.drop_held(&id));
    h.run_for(120_000);
    assert_eq!(answer(&mut h, &id), None);
    h.hold_calls(false);
    h.run_for(1_000);
    assert_eq!(answer(&mut h, &id), None, "dropped, not released");
}

#[test]
fn turning_the_hold_off_lets_the_box_answer_all_oldest_first() {
    let mut h = booted(Variant::Tethered);
    h.hold_calls(true);
    let first = send(&mut h, "GetLocalListVersion", "{}");
    let second = send(&mut h, "ClearCache", "{}");
    h.run_for(5_000);
    assert!(h.csms.answers.is_empty());
    h.hold_calls(false);
    let ids: Vec<&str> = h.csms.answers.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()]);
    // Not holding: answered at once.
    let third = send(&mut h, "GetLocalListVersion", "{}");
    assert!(answer(&mut h, &third).is_some());
}

#[test]
fn a_lost_link_voids_the_hold_and_it_is_bounded() {
    let mut h = booted(Variant::Tethered);
    h.hold_calls(true);
    for _ in 0..HELD_MAX {
        send(&mut h, "GetLocalListVersion", "{}");
    }
    let beyond = send(&mut h, "GetLocalListVersion", "{}");
    assert_eq!(h.driver().held_calls().count(), HELD_MAX);
    assert!(
        answer(&mut h, &beyond).is_some(),
        "beyond the bound: answered as usual"
    );
    h.drop_connection();
    assert_eq!(h.driver().held_calls().count(), 0, "CALLs of a lost link");
    h.run_for(60_000);
    assert!(h.connected());
    assert!(h.driver().holding_calls(), "the hold itself stays on");
}
