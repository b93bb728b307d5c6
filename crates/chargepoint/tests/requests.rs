//! CSMS requests of the Core profile: availability, reset, unlock, configuration.

mod common;

use chargepoint::{Command, model::Variant, world::EvSpec};
use common::*;
use ocpp16::{Action, Request, messages::*};
use serde_json::json;

fn charging(variant: Variant) -> chargepoint::harness::Harness {
    let mut h = booted(variant);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Charging));
    h
}

fn last_stop_reason(h: &chargepoint::harness::Harness) -> Option<Reason> {
    match last(h, Action::StopTransaction) {
        Request::StopTransaction(s) => s.reason,
        _ => None,
    }
}

#[test]
fn change_availability_is_immediate_when_idle_and_scheduled_during_a_transaction() {
    let mut h = booted(Variant::Tethered);
    let r = call(
        &mut h,
        "ChangeAvailability",
        json!({"connectorId": 1, "type": "Inoperative"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Accepted"}));
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Unavailable));
    let r = call(&mut h, "RemoteStartTransaction", json!({"idTag": "CARD1"})).unwrap();
    assert_eq!(
        r,
        json!({"status": "Rejected"}),
        "an unavailable connector does not start"
    );
    call(
        &mut h,
        "ChangeAvailability",
        json!({"connectorId": 0, "type": "Operative"}),
    )
    .unwrap();
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Available));
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(5_000);
    let r = call(
        &mut h,
        "ChangeAvailability",
        json!({"connectorId": 0, "type": "Inoperative"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Scheduled"}));
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Charging));
    let r = call(
        &mut h,
        "ChangeAvailability",
        json!({"connectorId": 2, "type": "Inoperative"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Rejected"}));
    h.tap("CARD1");
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Unavailable));
    let zero: Vec<ChargePointStatus> = h
        .csms
        .sent(Action::StatusNotification)
        .iter()
        .filter_map(|r| match r {
            Request::StatusNotification(s) if s.connector_id == 0 => Some(s.status),
            _ => None,
        })
        .collect();
    assert_eq!(zero.last(), Some(&ChargePointStatus::Unavailable));
    check_wire(&h, "availability");
}

#[test]
fn soft_and_hard_reset_stop_the_transaction_with_their_reason_and_boot_again() {
    for (kind, reason) in [("Soft", Reason::SoftReset), ("Hard", Reason::HardReset)] {
        let mut h = charging(Variant::Tethered);
        let r = call(&mut h, "Reset", json!({"type": kind})).unwrap();
        assert_eq!(r, json!({"status": "Accepted"}));
        h.run_for(120_000);
        assert_eq!(last_stop_reason(&h), Some(reason), "{kind}");
        assert_eq!(
            h.csms.sent(Action::BootNotification).len(),
            2,
            "{kind}: booted again"
        );
        assert!(h.commands.iter().any(|(_, c)| *c
            == Command::Rebooted {
                hard: kind == "Hard"
            }));
        assert_eq!(
            h.csms.sent(Action::StopTransaction).len(),
            1,
            "{kind}: stopped once"
        );
        // The EV is still plugged in after the reboot: Preparing, no transaction.
        assert_eq!(
            statuses(&h).last(),
            Some(&ChargePointStatus::Preparing),
            "{kind}"
        );
        check_wire(&h, &format!("reset_{kind}"));
    }
}

#[test]
fn unlock_connector_is_not_supported_on_the_tethered_variant() {
    let mut h = charging(Variant::Tethered);
    let r = call(&mut h, "UnlockConnector", json!({"connectorId": 1})).unwrap();
    assert_eq!(r, json!({"status": "NotSupported"}));
    assert!(h.csms.sent(Action::StopTransaction).is_empty());
    assert!(
        !h.commands
            .iter()
            .any(|(_, c)| matches!(c, Command::Lock(_))),
        "no lock on a tethered box"
    );
    check_wire(&h, "unlock_tethered");
}

#[test]
fn unlock_connector_on_the_socket_variant_stops_and_unlocks() {
    let mut h = charging(Variant::Socket);
    assert!(h.commands.iter().any(|(_, c)| *c == Command::Lock(true)));
    let r = call(&mut h, "UnlockConnector", json!({"connectorId": 1})).unwrap();
    assert_eq!(r, json!({"status": "Unlocked"}));
    h.run_for(1_000);
    assert_eq!(last_stop_reason(&h), Some(Reason::UnlockCommand));
    assert_eq!(
        h.commands.iter().rev().find_map(|(_, c)| match c {
            Command::Lock(l) => Some(*l),
            _ => None,
        }),
        Some(false)
    );
    let r = call(&mut h, "UnlockConnector", json!({"connectorId": 3})).unwrap();
    assert_eq!(r, json!({"status": "NotSupported"}), "unknown connector");
    check_wire(&h, "unlock_socket");
}

#[test]
fn socket_unlocks_when_the_ev_side_disconnects() {
    let mut h = charging(Variant::Socket);
    h.unplug();
    h.run_for(1_000);
    assert_eq!(
        h.commands
            .last()
            .map(|(_, c)| c.clone())
            .filter(|c| matches!(c, Command::Lock(_)))
            .or_else(|| {
                h.commands
                    .iter()
                    .rev()
                    .find(|(_, c)| matches!(c, Command::Lock(_)))
                    .map(|(_, c)| c.clone())
            }),
        Some(Command::Lock(false))
    );
    check_wire(&h, "socket_ev_side");
}

#[test]
fn configuration_through_the_engine() {
    let mut h = booted(Variant::Tethered);
    let all = call(&mut h, "GetConfiguration", json!({})).unwrap();
    let keys = all["configurationKey"].as_array().unwrap();
    assert!(keys.len() >= 35, "{}", keys.len());
    assert!(keys.iter().all(|k| k["key"] != "AuthorizationKey"));
    let some = call(
        &mut h,
        "GetConfiguration",
        json!({"key": ["MeterValueSampleInterval", "NoSuchKey"]}),
    )
    .unwrap();
    assert_eq!(some["configurationKey"][0]["value"], "3600");
    assert_eq!(some["unknownKey"], json!(["NoSuchKey"]));
    let too_many: Vec<String> = (0..61).map(|i| format!("K{i}")).collect();
    let (code, _) = call(&mut h, "GetConfiguration", json!({"key": too_many})).unwrap_err();
    assert_eq!(code, "OccurenceConstraintViolation");
    for (key, value, status) in [
        ("HeartbeatInterval", "59", "Rejected"),
        ("HeartbeatInterval", "60", "Accepted"),
        ("NumberOfConnectors", "2", "Rejected"),
        ("MeterValuesSampledData", "Voltage,SoC", "Rejected"),
        (
            "MeterValuesSampledData",
            "Voltage,Current.Import",
            "Accepted",
        ),
        ("ConnectorPhaseRotation", "RST", "RebootRequired"),
        ("NoSuchKey", "1", "NotSupported"),
    ] {
        let r = call(
            &mut h,
            "ChangeConfiguration",
            json!({"key": key, "value": value}),
        )
        .unwrap();
        assert_eq!(r["status"], status, "{key}={value}");
    }
    // The new heartbeat interval applies at once.
    h.run_for(61_000);
    assert!(!h.csms.sent(Action::Heartbeat).is_empty());
    check_wire(&h, "configuration");
}

#[test]
fn data_transfer_and_clear_cache() {
    let mut h = booted(Variant::Tethered);
    let r = call(
        &mut h,
        "DataTransfer",
        json!({"vendorId": "Acme", "messageId": "x"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "UnknownVendorId"}));
    let r = call(
        &mut h,
        "DataTransfer",
        json!({"vendorId": "teltonika", "data": "x"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "UnknownMessageId"}));
    let r = call(&mut h, "ClearCache", json!({})).unwrap();
    assert_eq!(r, json!({"status": "Accepted"}));
    check_wire(&h, "data_transfer");
}

#[test]
fn the_authorization_key_never_reaches_the_trace() {
    let mut h = booted(Variant::Tethered);
    let key = "0123456789abcdef0123456789abcdef";
    let r = call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "AuthorizationKey", "value": key}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Accepted"}));
    let traced: Vec<&String> = h
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            chargepoint::Event::Frame { text, .. } => Some(text),
            _ => None,
        })
        .collect();
    assert!(
        traced
            .iter()
            .any(|t| t.contains("AuthorizationKey") && t.contains("(redacted)"))
    );
    assert!(traced.iter().all(|t| !t.contains(key)), "{traced:?}");
    check_wire(&h, "key_redacted");
}
