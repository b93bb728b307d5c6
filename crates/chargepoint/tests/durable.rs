//! Durable state: what survives a power cut, offline queues, and restore at any point.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure is a failed test"
)]

mod common;

use chargepoint::{
    durable::{DurableState, FORMAT_VERSION, RestoreError},
    harness::Harness,
    model::{Key, Variant},
    world::EvSpec,
};
use common::*;
use ocpp16::{Action, Request, messages::*};
use serde_json::json;

fn stops(h: &Harness) -> Vec<StopTransactionRequest> {
    h.csms
        .sent(Action::StopTransaction)
        .into_iter()
        .map(|r| match r {
            Request::StopTransaction(s) => s.clone(),
            _ => unreachable!(),
        })
        .collect()
}

#[test]
fn a_transaction_cut_by_power_loss_is_stopped_once_with_reason_power_loss() {
    let mut h = booted(Variant::Tethered);
    call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "MeterValueSampleInterval", "value": "60"}),
    )
    .unwrap();
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(300_000);
    let last_sample = h.csms.sent(Action::MeterValues).len();
    assert_eq!(last_sample, 5);
    h.run_for(30_000);
    h.crash_and_restore();
    h.run_for(60_000);
    let stops = stops(&h);
    assert_eq!(stops.len(), 1);
    let stop = &stops[0];
    assert_eq!(
        (stop.reason, stop.transaction_id),
        (Some(Reason::PowerLoss), 1)
    );
    // The last persisted moment: the fifth sample, 5 minutes after the start.
    assert_eq!(stop.timestamp.to_rfc3339(), "2026-01-01T00:05:05Z");
    assert!(stop.meter_stop > 1_800, "{}", stop.meter_stop);
    assert_eq!(
        h.csms.sent(Action::BootNotification).len(),
        2,
        "boots again after the power cut"
    );
    assert_eq!(
        statuses(&h).last(),
        Some(&ChargePointStatus::Preparing),
        "the EV is still plugged in"
    );
    assert_eq!(
        h.cp().configuration().int(Key::MeterValueSampleInterval),
        60,
        "configuration survived"
    );
    check_wire(&h, "power_loss");
}

#[test]
fn offline_transactions_survive_a_crash_and_are_delivered_in_order_with_their_timestamps() {
    let mut h = booted(Variant::Tethered);
    call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "AllowOfflineTxForUnknownId", "value": "1"}),
    )
    .unwrap();
    h.reachable = false;
    h.drop_connection();
    h.plug(EvSpec::default());
    h.tap("OFFLINE1");
    h.run_for(600_000);
    h.tap("OFFLINE1");
    h.run_for(1_000);
    let (start_at, stop_at) = ("2026-01-01T00:00:05Z", "2026-01-01T00:10:05Z");
    h.crash_and_restore();
    h.run_for(120_000);
    assert!(
        h.csms.sent(Action::StartTransaction).is_empty(),
        "still offline"
    );
    h.reachable = true;
    h.run_for(900_000);
    let Request::StartTransaction(start) = last(&h, Action::StartTransaction) else {
        unreachable!()
    };
    assert_eq!(start.timestamp.to_rfc3339(), start_at);
    let stops = stops(&h);
    assert_eq!(stops.len(), 1);
    assert_eq!(stops[0].timestamp.to_rfc3339(), stop_at);
    assert_eq!(stops[0].reason, Some(Reason::Local));
    assert_eq!(stops[0].transaction_id, 1);
    assert!(stops[0].meter_stop > start.meter_start);
    let order: Vec<Action> = h
        .csms
        .received
        .iter()
        .map(|(_, r)| r.action())
        .filter(|a| matches!(a, Action::StartTransaction | Action::StopTransaction))
        .collect();
    assert_eq!(order, [Action::StartTransaction, Action::StopTransaction]);
    check_wire(&h, "offline_crash");
}

#[test]
fn answered_messages_are_never_sent_again_after_a_restore() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    h.tap("CARD1");
    h.run_for(10_000);
    assert_eq!(stops(&h).len(), 1);
    h.crash_and_restore();
    h.run_for(600_000);
    assert_eq!(h.csms.sent(Action::StartTransaction).len(), 1);
    assert_eq!(stops(&h).len(), 1);
    assert!(h.cp().durable_state().outbox.is_empty());
    check_wire(&h, "no_resend");
}

#[test]
fn a_stop_whose_start_is_unanswered_waits_for_the_transaction_id() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.delay_ms = 20_000;
    h.tap("CARD1");
    h.run_for(25_000);
    h.plug(EvSpec::default());
    h.run_for(1_000);
    h.tap("CARD1"); // stopped before the CSMS answered the StartTransaction
    h.run_for(60_000);
    let stops = stops(&h);
    assert_eq!(stops.len(), 1);
    assert_eq!(
        stops[0].transaction_id, 1,
        "filled in once the id was known"
    );
    check_wire(&h, "stop_waits");
}

#[test]
fn stored_state_versions_corruption_and_forward_compatibility() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    let json = h.cp().durable_state().to_json();
    let state = DurableState::from_json(&json).unwrap();
    assert_eq!(state.format, FORMAT_VERSION);
    assert!(state.transaction.is_some());
    assert_eq!(DurableState::from_json(&state.to_json()).unwrap(), state);
    // Corrupt: truncated, not JSON, a wrong type, an outbox entry that is not a transaction message.
    for bad in [
        &json[..json.len() / 2],
        "garbage",
        r#"{"format":1,"config":7}"#,
    ] {
        assert!(
            matches!(DurableState::from_json(bad), Err(RestoreError::Corrupt(_))),
            "{bad}"
        );
    }
    let mut odd = state.clone();
    odd.outbox.push(chargepoint::durable::StoredCall {
        action: "Heartbeat".into(),
        payload: "{}".into(),
        transaction: 1,
        attempts: 0,
    });
    let e = DurableState::from_json(&odd.to_json()).unwrap_err();
    assert!(e.to_string().contains("Heartbeat"), "{e}");
    let newer = json.replacen(&format!("\"format\":{FORMAT_VERSION}"), "\"format\":99", 1);
    assert_eq!(
        DurableState::from_json(&newer),
        Err(RestoreError::TooNew {
            found: 99,
            supported: FORMAT_VERSION
        })
    );
    // The smallest state an early engine wrote: optional parts missing, unknown parts ignored.
    let minimal = r#"{"format":1,"config":[["HeartbeatInterval","900"]],"next_transaction":4,
        "energy_wh":1234,"wall_clock":"2026-01-01T00:00:00Z","from_the_future":true}"#;
    let state = DurableState::from_json(minimal).unwrap();
    assert_eq!((state.next_transaction, state.energy_wh), (4, 1234));
    assert_eq!(state.config.int(Key::HeartbeatInterval), 900);
    assert!(state.outbox.is_empty() && state.transaction.is_none());
}

#[test]
fn transaction_messages_answered_with_callerror_are_retried_then_delivered() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.call_error_for = vec![Action::StartTransaction];
    h.tap("CARD1");
    h.plug(EvSpec::default());
    // TransactionMessageRetryInterval 20 s × attempt: tries at 0 s and 20 s fail.
    h.run_for(30_000);
    assert_eq!(h.csms.sent(Action::StartTransaction).len(), 2);
    h.csms.script.call_error_for.clear();
    h.run_for(60_000);
    assert_eq!(
        h.csms.sent(Action::StartTransaction).len(),
        3,
        "the third attempt is answered"
    );
    h.tap("CARD1");
    h.run_for(5_000);
    assert_eq!(stops(&h)[0].transaction_id, 1);
    assert!(h.cp().durable_state().outbox.is_empty());
    check_wire(&h, "callerror_retry");
}

#[test]
/// Power-on reports connector 1 once; the restore that follows reports it again only
/// if the durable state changes its status.
fn a_restore_reports_connector_1_once_and_keeps_its_durable_state() {
    use chargepoint::{ChargePoint, Event, Instant, Settings};
    let settings = Settings::new("EVC-0001", Variant::Socket);
    let cp = ChargePoint::new(settings.clone(), Instant::default());
    let mut state = cp.durable_state();
    state.inoperative = true;
    let restored = |state: DurableState| {
        let mut cp = ChargePoint::restore(settings.clone(), state, Instant::default());
        let mut reported = Vec::new();
        while let Some(event) = cp.poll_event() {
            if let Event::StatusChanged {
                connector: 1,
                status,
                ..
            } = event
            {
                reported.push(status);
            }
        }
        (cp, reported)
    };
    let (cp_available, reported) = restored(cp.durable_state());
    assert_eq!(reported, [ChargePointStatus::Available]);
    assert!(!cp_available.connector().is_inoperative());
    let (cp_inoperative, reported) = restored(state);
    assert_eq!(
        reported,
        [ChargePointStatus::Available, ChargePointStatus::Unavailable]
    );
    assert!(cp_inoperative.connector().is_inoperative());
}
