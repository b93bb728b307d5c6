//! Authorization and transactions: local and remote start and stop, reasons, idTagInfo.

mod common;

use chargepoint::{Command, model::Variant, world::EvSpec};
use common::*;
use ocpp16::{Action, Request, messages::*};
use serde_json::json;

fn stop(h: &chargepoint::harness::Harness) -> StopTransactionRequest {
    match last(h, Action::StopTransaction) {
        Request::StopTransaction(s) => s,
        _ => unreachable!(),
    }
}

fn start(h: &chargepoint::harness::Harness) -> StartTransactionRequest {
    match last(h, Action::StartTransaction) {
        Request::StartTransaction(s) => s,
        _ => unreachable!(),
    }
}

#[test]
fn tap_then_plug_charges_for_an_hour_and_a_second_tap_stops_it() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.run_for(2_000);
    assert_eq!(
        statuses(&h),
        [ChargePointStatus::Available, ChargePointStatus::Preparing]
    );
    h.plug(EvSpec::default());
    h.run_for(3_600_000);
    let s = start(&h);
    assert_eq!((s.connector_id, s.id_tag.as_str()), (1, "CARD1"));
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Charging));
    assert!(h.commands.iter().any(|(_, c)| *c
        == Command::SetRelay {
            closed: true,
            offered_ma: 32_000
        }));
    // MeterValueSampleInterval defaults to 3600 s: one periodic sample in the hour.
    let meter = h.csms.sent(Action::MeterValues);
    assert_eq!(meter.len(), 1);
    let Request::MeterValues(m) = meter[0] else {
        unreachable!()
    };
    assert_eq!(m.transaction_id, Some(1));
    let sv = &m.meter_value[0].sampled_value[0];
    assert_eq!(sv.measurand, Some(Measurand::EnergyActiveImportRegister));
    assert_eq!(sv.context, Some(ReadingContext::SamplePeriodic));
    h.tap("card1"); // idTags compare case-insensitively
    h.run_for(2_000);
    let st = stop(&h);
    assert_eq!(st.reason, Some(Reason::Local));
    assert_eq!(st.transaction_id, 1);
    assert_eq!(st.id_tag.as_deref(), Some("card1"));
    let energy = st.meter_stop - s.meter_start;
    // 32 A × 3 phases × 230 V for an hour, less the EV's taper: clearly over 15 kWh.
    assert!((15_000..=22_200).contains(&energy), "{energy} Wh");
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Finishing));
    assert!(h.commands.iter().any(|(_, c)| *c
        == Command::SetRelay {
            closed: false,
            offered_ma: 0
        }));
    h.unplug();
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Available));
    check_wire(&h, "tap_then_plug");
}

#[test]
fn plug_then_tap_starts_and_unplugging_stops_with_ev_disconnected() {
    let mut h = booted(Variant::Tethered);
    h.plug(EvSpec::default());
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Preparing));
    h.tap("CARD2");
    h.run_for(60_000);
    assert_eq!(start(&h).id_tag.as_str(), "CARD2");
    h.unplug();
    h.run_for(1_000);
    assert_eq!(stop(&h).reason, Some(Reason::EvDisconnected));
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Available));
    check_wire(&h, "plug_then_tap");
}

#[test]
fn a_refused_card_does_not_start_and_another_card_cannot_stop() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.invalid_tags.push("BAD".into());
    h.plug(EvSpec::default());
    h.tap("BAD");
    h.run_for(5_000);
    assert!(h.csms.sent(Action::StartTransaction).is_empty());
    assert!(
        h.commands
            .iter()
            .any(|(_, c)| *c == Command::Indicator(chargepoint::Led::Rejected))
    );
    h.tap("GOOD");
    h.run_for(5_000);
    h.tap("OTHER");
    h.run_for(5_000);
    assert!(
        h.csms.sent(Action::StopTransaction).is_empty(),
        "a different card does not stop it"
    );
    check_wire(&h, "refused_card");
}

#[test]
fn invalid_id_at_start_suspends_energy_or_stops_per_stop_transaction_on_invalid_id() {
    for stop_on_invalid in [false, true] {
        let mut h = booted(Variant::Tethered);
        if stop_on_invalid {
            let r = call(
                &mut h,
                "ChangeConfiguration",
                json!({"key": "StopTransactionOnInvalidId", "value": "true"}),
            );
            assert_eq!(r.unwrap(), json!({"status": "Accepted"}));
        }
        // Accepted by Authorize, refused by StartTransaction (e.g. a blocked account).
        call(
            &mut h,
            "ChangeConfiguration",
            json!({"key": "AuthorizeRemoteTxRequests", "value": "0"}),
        )
        .unwrap();
        h.csms.script.blocked_tags.push("CARD3".into());
        call(&mut h, "RemoteStartTransaction", json!({"idTag": "CARD3"})).unwrap();
        h.plug(EvSpec::default());
        h.run_for(10_000);
        if stop_on_invalid {
            assert_eq!(stop(&h).reason, Some(Reason::DeAuthorized));
            assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Finishing));
        } else {
            assert!(h.csms.sent(Action::StopTransaction).is_empty());
            assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::SuspendedEvse));
            assert_eq!(
                h.commands.iter().rev().find_map(|(_, c)| match c {
                    Command::SetRelay { closed, .. } => Some(*closed),
                    _ => None,
                }),
                Some(false)
            );
        }
        check_wire(&h, &format!("invalid_at_start_{stop_on_invalid}"));
    }
}

#[test]
fn remote_start_authorizes_first_when_configured_and_remote_stop_checks_the_id() {
    let mut h = booted(Variant::Tethered);
    let r = call(
        &mut h,
        "RemoteStartTransaction",
        json!({"connectorId": 1, "idTag": "APP1"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Accepted"}));
    h.run_for(1_000);
    assert_eq!(
        h.csms.sent(Action::Authorize).len(),
        1,
        "AuthorizeRemoteTxRequests is 1"
    );
    h.plug(EvSpec::default());
    h.run_for(5_000);
    let tx = h.csms.sent(Action::StartTransaction).len();
    assert_eq!(tx, 1);
    let busy = call(&mut h, "RemoteStartTransaction", json!({"idTag": "APP2"})).unwrap();
    assert_eq!(
        busy,
        json!({"status": "Rejected"}),
        "a transaction is already running"
    );
    let wrong = call(
        &mut h,
        "RemoteStopTransaction",
        json!({"transactionId": 99}),
    )
    .unwrap();
    assert_eq!(wrong, json!({"status": "Rejected"}));
    let ok = call(&mut h, "RemoteStopTransaction", json!({"transactionId": 1})).unwrap();
    assert_eq!(ok, json!({"status": "Accepted"}));
    h.run_for(1_000);
    assert_eq!(stop(&h).reason, Some(Reason::Remote));
    let bad_connector = call(
        &mut h,
        "RemoteStartTransaction",
        json!({"connectorId": 2, "idTag": "APP1"}),
    )
    .unwrap();
    assert_eq!(bad_connector, json!({"status": "Rejected"}));
    check_wire(&h, "remote_start_stop");
}

#[test]
fn authorization_without_an_ev_expires_after_connection_timeout() {
    let mut h = booted(Variant::Tethered);
    call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "ConnectionTimeOut", "value": "30"}),
    )
    .unwrap();
    h.tap("CARD1");
    h.run_for(29_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Preparing));
    h.run_for(2_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Available));
    h.plug(EvSpec::default());
    h.run_for(5_000);
    assert!(h.csms.sent(Action::StartTransaction).is_empty());
    check_wire(&h, "connection_timeout");
}

#[test]
fn ev_suspends_when_full_and_faults_stop_the_energy() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.plug(EvSpec {
        soc_permille: 990,
        ..EvSpec::default()
    });
    h.run_for(600_000);
    assert!(statuses(&h).contains(&ChargePointStatus::Charging));
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::SuspendedEv));
    h.hardware(vec![chargepoint::HardwareEvent::FaultRaised(
        chargepoint::Fault::HighTemperature,
    )]);
    h.run_for(1_000);
    let Request::StatusNotification(f) = last(&h, Action::StatusNotification) else {
        unreachable!()
    };
    assert_eq!(
        (f.status, f.error_code),
        (
            ChargePointStatus::Faulted,
            ChargePointErrorCode::HighTemperature
        )
    );
    assert_eq!(f.info.as_deref(), Some("Temperature above limit"));
    h.hardware(vec![chargepoint::HardwareEvent::FaultCleared(
        chargepoint::Fault::HighTemperature,
    )]);
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::SuspendedEv));
    check_wire(&h, "suspend_and_fault");
}
