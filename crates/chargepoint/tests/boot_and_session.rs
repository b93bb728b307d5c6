//! Boot, heartbeat, the OCPP-J session rules and answers to bad input.

mod common;

use chargepoint::{Registration, Settings, harness::Harness, model::Variant};
use common::*;
use ocpp16::{Action, Request, messages::*};
use serde_json::json;

#[test]
fn boot_accepted_reports_statuses_sets_clock_and_heartbeats_at_the_boot_interval() {
    let mut h = Harness::new(Settings::new("EVC-0001", Variant::Tethered));
    h.csms.script.boot_interval = 120;
    h.run_for(1_000);
    let Request::BootNotification(boot) = last(&h, Action::BootNotification) else {
        panic!()
    };
    assert_eq!(boot.charge_point_vendor.as_str(), "Teltonika");
    assert_eq!(boot.charge_point_serial_number.as_deref(), Some("EVC-0001"));
    assert_eq!(h.cp().registration(), Registration::Accepted);
    let connectors: Vec<i32> = h
        .csms
        .sent(Action::StatusNotification)
        .iter()
        .map(|r| match r {
            Request::StatusNotification(s) => s.connector_id,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        connectors,
        [1, 0],
        "every connector reported after acceptance"
    );
    assert_eq!(statuses(&h), [ChargePointStatus::Available]);
    // Heartbeat every 120 s (the boot interval), not the 3600 s default.
    h.run_for(600_000);
    let beats: Vec<u64> = h
        .csms
        .received
        .iter()
        .filter(|(_, r)| r.action() == Action::Heartbeat)
        .map(|(t, _)| t.as_millis())
        .collect();
    assert_eq!(beats.len(), 5, "{beats:?}");
    assert!(
        beats.windows(2).all(|w| w[1] - w[0] == 120_000),
        "{beats:?}"
    );
    assert_eq!(
        h.cp()
            .configuration()
            .int(chargepoint::model::Key::HeartbeatInterval),
        120
    );
    check_wire(&h, "boot_accepted");
}

#[test]
fn boot_pending_sends_nothing_else_answers_the_csms_and_retries_after_the_interval() {
    let mut h = Harness::new(Settings::new("EVC-0001", Variant::Tethered));
    h.csms.script.boot_status = RegistrationStatus::Pending;
    h.csms.script.boot_interval = 30;
    h.run_for(1_000);
    assert_eq!(h.cp().registration(), Registration::Pending);
    let config = call(
        &mut h,
        "GetConfiguration",
        json!({"key": ["HeartbeatInterval"]}),
    )
    .unwrap();
    assert_eq!(config["configurationKey"][0]["key"], "HeartbeatInterval");
    let remote = call(&mut h, "RemoteStartTransaction", json!({"idTag": "CARD1"})).unwrap();
    assert_eq!(
        remote,
        json!({"status": "Rejected"}),
        "not allowed while Pending"
    );
    h.plug(chargepoint::world::EvSpec::default());
    h.run_for(20_000);
    assert!(h.csms.sent(Action::StatusNotification).is_empty());
    assert_eq!(h.csms.sent(Action::BootNotification).len(), 1);
    h.csms.script.boot_status = RegistrationStatus::Accepted;
    h.run_for(15_000);
    assert_eq!(
        h.csms.sent(Action::BootNotification).len(),
        2,
        "retried after 30 s"
    );
    assert_eq!(h.cp().registration(), Registration::Accepted);
    assert_eq!(statuses(&h), [ChargePointStatus::Preparing]);
    check_wire(&h, "boot_pending");
}

#[test]
fn boot_rejected_ignores_csms_calls_until_accepted() {
    let mut h = Harness::new(Settings::new("EVC-0001", Variant::Tethered));
    h.csms.script.boot_status = RegistrationStatus::Rejected;
    h.csms.script.boot_interval = 60;
    h.run_for(1_000);
    assert_eq!(h.cp().registration(), Registration::Rejected);
    assert!(
        h.call("GetConfiguration", json!({})).is_none(),
        "no answer while Rejected"
    );
    h.csms.script.boot_status = RegistrationStatus::Accepted;
    h.run_for(60_000);
    assert_eq!(h.cp().registration(), Registration::Accepted);
    assert!(call(&mut h, "GetConfiguration", json!({})).is_ok());
    check_wire(&h, "boot_rejected");
}

#[test]
fn unknown_unsupported_and_malformed_calls_get_the_exact_callerror() {
    let mut h = booted(Variant::Tethered);
    let cases = [
        ("SetDisplayMessage", json!({}), "NotImplemented"),
        (
            "DeleteCertificate",
            json!({"certificateHashData": {"hashAlgorithm": "SHA256", "issuerNameHash": "a", "issuerKeyHash": "b", "serialNumber": "c"}}),
            "NotSupported",
        ),
        ("Heartbeat", json!({}), "NotSupported"),
        (
            "Reset",
            json!({"type": "Warm"}),
            "PropertyConstraintViolation",
        ),
        ("Reset", json!({}), "OccurenceConstraintViolation"),
        (
            "RemoteStopTransaction",
            json!({"transactionId": "7"}),
            "TypeConstraintViolation",
        ),
        (
            "RemoteStartTransaction",
            json!({"idTag": "123456789012345678901"}),
            "PropertyConstraintViolation",
        ),
        ("ClearCache", json!({"extra": 1}), "FormationViolation"),
        ("ClearCache", json!([]), "FormationViolation"),
    ];
    for (action, payload, code) in cases {
        let (got, description) = call(&mut h, action, payload.clone()).unwrap_err();
        assert_eq!(got, code, "{action} {payload}: {description}");
        assert!(!description.is_empty());
    }
    h.send_raw("this is not json");
    h.send_raw(r#"[2,"x1","Heartbeat"]"#);
    h.send_raw(r#"[9,"x2",{}]"#);
    assert!(h.trace.iter().any(|t| {
        t.from_cp
            && t.text
                .starts_with(r#"[4,"-1","FormationViolation","not valid JSON"#)
    }));
    assert!(
        h.trace
            .iter()
            .any(|t| t.from_cp && t.text.starts_with(r#"[4,"x1","FormationViolation""#))
    );
    assert!(
        !h.trace.iter().any(|t| t.from_cp && t.text.contains("x2")),
        "type 9 is ignored"
    );
    check_wire(&h, "bad_calls");
}

#[test]
fn csms_calls_are_answered_while_our_call_waits_and_late_answers_are_ignored() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.delay_ms = 10_000;
    h.tap("CARD1");
    h.run_for(1_000);
    assert_eq!(h.csms.sent(Action::Authorize).len(), 1);
    // Our Authorize is in flight; the CSMS asks something meanwhile.
    let answer = call(&mut h, "DataTransfer", json!({"vendorId": "Teltonika"})).unwrap();
    assert_eq!(answer, json!({"status": "UnknownMessageId"}));
    h.send_result("no-such-call", &json!({}));
    h.run_for(15_000);
    assert_eq!(
        statuses(&h).last(),
        Some(&ChargePointStatus::Preparing),
        "authorized, waiting for the EV"
    );
    assert!(
        h.events.iter().any(
            |(_, e)| matches!(e, chargepoint::Event::Warning(w) if w.contains("no-such-call"))
        )
    );
    check_wire(&h, "concurrent_calls");
}

#[test]
fn a_csms_that_never_answers_times_calls_out_and_transaction_messages_are_retried() {
    let mut h = booted(Variant::Tethered);
    let rc = call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "AuthorizeRemoteTxRequests", "value": "0"}),
    )
    .unwrap();
    assert_eq!(rc, json!({"status": "Accepted"}));
    call(&mut h, "RemoteStartTransaction", json!({"idTag": "CARD1"})).unwrap();
    h.csms.script.answer = false;
    h.plug(chargepoint::world::EvSpec::default());
    // TransactionMessageAttempts 3, retry interval 20 s × attempt, call timeout 30 s.
    h.run_for(600_000);
    let starts = h.csms.sent(Action::StartTransaction).len();
    assert_eq!(starts, 3, "three attempts, then dropped");
    assert!(h.events.iter().any(|(_, e)| matches!(e, chargepoint::Event::Warning(w) if w.contains("dropped after 3 attempts"))));
    check_wire(&h, "never_answers");
}

#[test]
fn callerror_answers_to_boot_are_retried() {
    let mut h = Harness::new(Settings::new("EVC-0001", Variant::Tethered));
    h.csms.script.call_error_for = vec![Action::BootNotification];
    h.run_for(1_000);
    assert_eq!(h.cp().registration(), Registration::Unknown);
    h.csms.script.call_error_for.clear();
    h.run_for(61_000);
    assert_eq!(h.cp().registration(), Registration::Accepted);
    assert_eq!(h.csms.sent(Action::BootNotification).len(), 2);
    check_wire(&h, "boot_callerror");
}

#[test]
fn reconnect_after_a_dropped_link_does_not_boot_again_and_reports_status() {
    let mut h = booted(Variant::Tethered);
    h.reachable = false;
    h.drop_connection();
    h.run_for(30_000);
    assert!(!h.connected());
    h.reachable = true;
    h.run_for(600_000);
    assert!(h.connected());
    assert_eq!(
        h.csms.sent(Action::BootNotification).len(),
        1,
        "boot is sent at power-on only"
    );
    assert_eq!(
        statuses(&h),
        [ChargePointStatus::Available, ChargePointStatus::Available]
    );
    let connects: Vec<u64> = h
        .commands
        .iter()
        .filter_map(|(_, c)| match c {
            chargepoint::Command::Connect { after_ms } => Some(*after_ms),
            _ => None,
        })
        .collect();
    assert!(connects.len() >= 4, "{connects:?}");
    assert!(
        connects.windows(2).skip(1).all(|w| w[1] >= w[0]),
        "backoff grows: {connects:?}"
    );
    check_wire(&h, "reconnect");
}
