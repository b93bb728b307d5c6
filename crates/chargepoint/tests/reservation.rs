//! ReserveNow / CancelReservation (Reservation profile): the connector held for one
//! idTag (or its group), Reserved status, expiry, the reservationId in StartTransaction,
//! and a reservation surviving a power cut.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

mod common;

use chargepoint::{model::Variant, world::EvSpec};
use common::{booted, call, check_wire, last, statuses, wall};
use ocpp16::{Action, Request, messages::*};
use serde_json::{Value, json};

fn reserve(h: &mut chargepoint::harness::Harness, id: i32, tag: &str, minutes: i64) -> Value {
    let expiry = ocpp16::DateTime::from_unix_millis(wall(h).unix_millis() + minutes * 60_000);
    call(
        h,
        "ReserveNow",
        json!({ "connectorId": 1, "expiryDate": expiry.to_rfc3339(), "idTag": tag, "reservationId": id }),
    )
    .unwrap()
}

#[test]
fn the_reserved_card_starts_with_the_reservation_id_and_others_are_refused() {
    let mut h = booted(Variant::Tethered);
    assert_eq!(
        reserve(&mut h, 7, "RES-CARD", 10),
        json!({ "status": "Accepted" })
    );
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Reserved));
    let authorizes = h.csms.sent(Action::Authorize).len();
    h.tap("OTHER");
    h.run_for(2_000);
    assert!(
        h.cp().connector().authorized().is_none(),
        "another card may not use it"
    );
    assert_eq!(
        h.csms.sent(Action::Authorize).len(),
        authorizes + 1,
        "it was asked about, then refused"
    );
    // RemoteStart for another idTag is refused too.
    let answer = call(
        &mut h,
        "RemoteStartTransaction",
        json!({ "idTag": "OTHER" }),
    )
    .unwrap();
    assert_eq!(answer, json!({ "status": "Rejected" }));
    // A second reservation while one holds the connector: Occupied; the same id replaces.
    assert_eq!(reserve(&mut h, 8, "X", 10), json!({ "status": "Occupied" }));
    assert_eq!(
        reserve(&mut h, 7, "RES-CARD", 20),
        json!({ "status": "Accepted" })
    );
    h.tap("res-card");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    match last(&h, Action::StartTransaction) {
        Request::StartTransaction(s) => assert_eq!(s.reservation_id, Some(7)),
        other => panic!("{other:?}"),
    }
    assert!(
        h.cp().connector().reservation().is_none(),
        "used up by the transaction"
    );
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Charging));
    check_wire(&h, "reservation_used");
}

#[test]
fn a_reservation_expires_and_can_be_cancelled() {
    let mut h = booted(Variant::Socket);
    assert_eq!(reserve(&mut h, 1, "A", 2), json!({ "status": "Accepted" }));
    h.run_for(2 * 60_000 + 1_000);
    assert!(h.cp().connector().reservation().is_none());
    assert_eq!(
        statuses(&h)[statuses(&h).len() - 2..],
        [ChargePointStatus::Reserved, ChargePointStatus::Available]
    );
    assert_eq!(reserve(&mut h, 2, "B", 60), json!({ "status": "Accepted" }));
    let cancel = |h: &mut chargepoint::harness::Harness, id| {
        call(h, "CancelReservation", json!({ "reservationId": id })).unwrap()
    };
    assert_eq!(cancel(&mut h, 3), json!({ "status": "Rejected" }));
    assert_eq!(cancel(&mut h, 2), json!({ "status": "Accepted" }));
    assert_eq!(cancel(&mut h, 2), json!({ "status": "Rejected" }));
    h.run_for(1_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Available));
    check_wire(&h, "reservation_expiry");
}

#[test]
fn reservations_are_refused_with_the_reason() {
    let mut h = booted(Variant::Tethered);
    let expiry = ocpp16::DateTime::from_unix_millis(wall(&h).unix_millis() + 600_000).to_rfc3339();
    let past = ocpp16::DateTime::from_unix_millis(wall(&h).unix_millis() - 1_000).to_rfc3339();
    let ask = |h: &mut chargepoint::harness::Harness, connector: i32, expiry: &str| {
        call(
            h,
            "ReserveNow",
            json!({ "connectorId": connector, "expiryDate": expiry, "idTag": "T", "reservationId": 1 }),
        )
        .unwrap()["status"]
            .clone()
    };
    assert_eq!(
        ask(&mut h, 0, &expiry),
        "Rejected",
        "no connector 0 reservations"
    );
    assert_eq!(ask(&mut h, 2, &expiry), "Rejected");
    assert_eq!(ask(&mut h, 1, &past), "Rejected", "already expired");
    h.hardware(vec![chargepoint::HardwareEvent::FaultRaised(
        chargepoint::Fault::GroundFailure,
    )]);
    assert_eq!(ask(&mut h, 1, &expiry), "Faulted");
    h.hardware(vec![chargepoint::HardwareEvent::FaultCleared(
        chargepoint::Fault::GroundFailure,
    )]);
    call(
        &mut h,
        "ChangeAvailability",
        json!({ "connectorId": 1, "type": "Inoperative" }),
    )
    .unwrap();
    assert_eq!(ask(&mut h, 1, &expiry), "Unavailable");
    call(
        &mut h,
        "ChangeAvailability",
        json!({ "connectorId": 1, "type": "Operative" }),
    )
    .unwrap();
    h.plug(EvSpec::default());
    assert_eq!(ask(&mut h, 1, &expiry), "Occupied", "an EV is plugged in");
    check_wire(&h, "reservation_refused");
}

#[test]
fn a_reservation_survives_a_power_cut() {
    let mut h = booted(Variant::Tethered);
    assert_eq!(
        reserve(&mut h, 5, "KEEP", 30),
        json!({ "status": "Accepted" })
    );
    h.run_for(1_000);
    h.crash_and_restore();
    h.run_for(10_000);
    let r = h.cp().connector().reservation().cloned().expect("restored");
    assert_eq!((r.id, r.id_tag.as_str()), (5, "KEEP"));
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Reserved));
    h.run_for(30 * 60_000);
    assert!(
        h.cp().connector().reservation().is_none(),
        "the restored expiry still applies"
    );
}
