//! TriggerMessage (Remote Trigger profile): the answer, then the requested message built
//! from the present state.

mod common;

use chargepoint::{model::Variant, world::EvSpec};
use common::{booted, call, check_wire, last};
use ocpp16::{Action, Request, messages::*};
use serde_json::json;

fn count(h: &chargepoint::harness::Harness, action: Action) -> usize {
    h.csms.sent(action).len()
}

#[test]
fn each_requested_message_is_sent_after_the_answer() {
    let mut h = booted(Variant::Tethered);
    for (message, action) in [
        ("Heartbeat", Action::Heartbeat),
        ("BootNotification", Action::BootNotification),
        (
            "DiagnosticsStatusNotification",
            Action::DiagnosticsStatusNotification,
        ),
        (
            "FirmwareStatusNotification",
            Action::FirmwareStatusNotification,
        ),
        ("MeterValues", Action::MeterValues),
    ] {
        let before = count(&h, action);
        let answer = call(
            &mut h,
            "TriggerMessage",
            json!({ "requestedMessage": message }),
        );
        assert_eq!(answer, Ok(json!({ "status": "Accepted" })), "{message}");
        h.run_for(2_000);
        assert_eq!(count(&h, action), before + 1, "one {message} follows");
    }
    assert!(matches!(
        last(&h, Action::DiagnosticsStatusNotification),
        Request::DiagnosticsStatusNotification(DiagnosticsStatusNotificationRequest {
            status: DiagnosticsStatus::Idle
        })
    ));
    match last(&h, Action::MeterValues) {
        Request::MeterValues(m) => {
            assert_eq!((m.connector_id, m.transaction_id), (1, None));
            let values = &m.meter_value[0].sampled_value;
            assert!(
                values
                    .iter()
                    .all(|v| v.context == Some(ReadingContext::Trigger))
            );
            assert!(
                values
                    .iter()
                    .any(|v| v.measurand == Some(Measurand::EnergyActiveImportRegister))
            );
        }
        other => panic!("{other:?}"),
    }
    check_wire(&h, "trigger_messages");
}

#[test]
fn status_and_meter_values_report_the_state_now() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(30_000);
    let before = count(&h, Action::StatusNotification);
    let answer = call(
        &mut h,
        "TriggerMessage",
        json!({ "requestedMessage": "StatusNotification", "connectorId": 1 }),
    );
    assert_eq!(answer, Ok(json!({ "status": "Accepted" })));
    h.run_for(1_000);
    let sent = h.csms.sent(Action::StatusNotification);
    assert_eq!(sent.len(), before + 1);
    assert!(matches!(
        sent.last(),
        Some(Request::StatusNotification(s)) if s.connector_id == 1 && s.status == ChargePointStatus::Charging
    ));
    // Without a connector: the box (0) and the connector (1).
    call(
        &mut h,
        "TriggerMessage",
        json!({ "requestedMessage": "StatusNotification" }),
    )
    .unwrap();
    h.run_for(1_000);
    let ids: Vec<i32> = h.csms.sent(Action::StatusNotification)[before + 1..]
        .iter()
        .filter_map(|r| match r {
            Request::StatusNotification(s) => Some(s.connector_id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, [0, 1]);
    call(
        &mut h,
        "TriggerMessage",
        json!({ "requestedMessage": "MeterValues", "connectorId": 1 }),
    )
    .unwrap();
    h.run_for(1_000);
    match last(&h, Action::MeterValues) {
        Request::MeterValues(m) => {
            assert!(m.transaction_id.is_some(), "the running transaction's id");
            assert_eq!(
                m.meter_value[0].sampled_value[0].context,
                Some(ReadingContext::Trigger)
            );
        }
        other => panic!("{other:?}"),
    }
    check_wire(&h, "trigger_state");
}

#[test]
fn a_connector_that_does_not_exist_is_rejected() {
    let mut h = booted(Variant::Socket);
    for connector in [2, -1, 7] {
        let answer = call(
            &mut h,
            "TriggerMessage",
            json!({ "requestedMessage": "StatusNotification", "connectorId": connector }),
        );
        assert_eq!(
            answer,
            Ok(json!({ "status": "Rejected" })),
            "connector {connector}"
        );
    }
    let (code, _) = call(
        &mut h,
        "TriggerMessage",
        json!({ "requestedMessage": "Coffee" }),
    )
    .unwrap_err();
    assert_eq!(code, "PropertyConstraintViolation");
}
