//! Smart Charging: SetChargingProfile, ClearChargingProfile and GetCompositeSchedule
//! with the product's limits, and the offered current following the schedule.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers: a failure is a failed test"
)]

mod common;

use chargepoint::{Command, harness::Harness, model::Variant, world::EvSpec};
use common::{booted, call, check_wire, statuses, wall};
use ocpp16::messages::*;
use serde_json::{Value, json};

/// A charging profile with periods `(startPeriod s, limit A)`, starting now.
fn profile(h: &Harness, id: i32, purpose: &str, level: i32, periods: &[(i32, f64)]) -> Value {
    let periods: Vec<Value> = periods
        .iter()
        .map(|(s, a)| json!({ "startPeriod": s, "limit": a }))
        .collect();
    json!({
        "chargingProfileId": id,
        "stackLevel": level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "startSchedule": wall(h).to_rfc3339(),
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": periods,
        },
    })
}

fn set(h: &mut Harness, connector: i32, profile: Value) -> Value {
    let answer = call(
        h,
        "SetChargingProfile",
        json!({ "connectorId": connector, "csChargingProfiles": profile }),
    );
    answer.unwrap()["status"].clone()
}

fn composite(h: &mut Harness, payload: Value) -> Value {
    call(h, "GetCompositeSchedule", payload).unwrap()
}

/// The current offered by the last relay command, in mA.
fn offered(h: &Harness) -> (bool, u32) {
    h.commands
        .iter()
        .rev()
        .find_map(|(_, c)| match c {
            Command::SetRelay { closed, offered_ma } => Some((*closed, *offered_ma)),
            _ => None,
        })
        .unwrap()
}

/// A transaction running with a default EV (32 A, three phases).
fn charging(h: &mut Harness) {
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    assert_eq!(statuses(h).last(), Some(&ChargePointStatus::Charging));
}

#[test]
fn every_limit_has_its_exact_answer() {
    let mut h = booted(Variant::Tethered);
    let default = "TxDefaultProfile";
    let p = profile(&h, 1, default, 6, &[(0, 10.0)]);
    assert_eq!(set(&mut h, 1, p), "Rejected", "stack level 6");
    let six: Vec<(i32, f64)> = (0..6).map(|i| (i * 60, 6.0 + f64::from(i))).collect();
    let p = profile(&h, 1, default, 0, &six);
    assert_eq!(set(&mut h, 1, p), "Rejected", "6 periods");
    let mut p = profile(&h, 1, default, 0, &[(0, 7400.0)]);
    p["chargingSchedule"]["chargingRateUnit"] = json!("W");
    assert_eq!(set(&mut h, 1, p), "Rejected", "unit W");
    let p = profile(&h, 1, "TxProfile", 0, &[(0, 10.0)]);
    assert_eq!(
        set(&mut h, 1, p),
        "Rejected",
        "TxProfile without a transaction"
    );
    let p = profile(&h, 1, default, 0, &[(0, 10.0)]);
    assert_eq!(set(&mut h, 2, p), "Rejected", "connector 2");
    let p = profile(&h, 1, "ChargePointMaxProfile", 0, &[(0, 10.0)]);
    assert_eq!(set(&mut h, 1, p), "Rejected", "ChargePointMaxProfile on 1");
    let p = profile(&h, 1, default, 5, &six[..5]);
    assert_eq!(set(&mut h, 1, p), "Accepted", "stack level 5, 5 periods");
    for id in 2..=9 {
        let (connector, level) = if id <= 5 { (1, id - 2) } else { (0, id - 6) };
        let p = profile(&h, id, default, level, &[(0, 16.0)]);
        assert_eq!(set(&mut h, connector, p), "Accepted", "profile {id}");
    }
    let p = profile(&h, 10, default, 5, &[(0, 16.0)]);
    assert_eq!(set(&mut h, 0, p), "Rejected", "a 10th profile");
    assert_eq!(h.cp().charging_profiles().installed().len(), 9);

    let rejected = json!({ "status": "Rejected" });
    for payload in [
        json!({ "connectorId": 2, "duration": 3600 }),
        json!({ "connectorId": 1, "duration": 3600, "chargingRateUnit": "W" }),
        json!({ "connectorId": 1, "duration": 86_401 }),
        json!({ "connectorId": 1, "duration": -1 }),
    ] {
        assert_eq!(composite(&mut h, payload.clone()), rejected, "{payload}");
    }
    let day = composite(&mut h, json!({ "connectorId": 0, "duration": 86_400 }));
    assert_eq!(day["status"], "Accepted");
    assert_eq!(day["chargingSchedule"]["duration"], 86_400);
    check_wire(&h, "smart_charging_limits");
}

#[test]
fn a_tx_default_profile_of_10_a_is_offered_and_drawn() {
    let mut h = booted(Variant::Tethered);
    let p = profile(&h, 1, "TxDefaultProfile", 0, &[(0, 10.0)]);
    assert_eq!(set(&mut h, 0, p), "Accepted");
    call(
        &mut h,
        "ChangeConfiguration",
        json!({ "key": "MeterValuesSampledData", "value": "Current.Offered,Current.Import" }),
    )
    .unwrap();
    charging(&mut h);
    assert_eq!(offered(&h), (true, 10_000));
    assert_eq!(h.world().reading().current_ma, [10_000; 3]);
    let answer = call(
        &mut h,
        "TriggerMessage",
        json!({ "requestedMessage": "MeterValues", "connectorId": 1 }),
    );
    assert_eq!(answer, Ok(json!({ "status": "Accepted" })));
    h.run_for(2_000);
    let ocpp16::Request::MeterValues(m) = common::last(&h, ocpp16::Action::MeterValues) else {
        unreachable!()
    };
    let value = |measurand| {
        m.meter_value[0]
            .sampled_value
            .iter()
            .find(|v| v.measurand == Some(measurand))
            .map(|v| v.value.clone())
    };
    assert_eq!(value(Measurand::CurrentOffered).as_deref(), Some("10.0"));
    assert_eq!(value(Measurand::CurrentImport).as_deref(), Some("10.0"));
    // A ChargePointMaxProfile caps it further; clearing both gives the full 32 A.
    let p = profile(&h, 2, "ChargePointMaxProfile", 0, &[(0, 8.5)]);
    assert_eq!(set(&mut h, 0, p), "Accepted");
    assert_eq!(offered(&h), (true, 8_500));
    let cleared = call(&mut h, "ClearChargingProfile", json!({}));
    assert_eq!(cleared, Ok(json!({ "status": "Accepted" })));
    assert_eq!(offered(&h), (true, 32_000));
    let again = call(&mut h, "ClearChargingProfile", json!({ "id": 1 }));
    assert_eq!(again, Ok(json!({ "status": "Unknown" })));
    check_wire(&h, "smart_charging_offered");
}

#[test]
fn a_zero_ampere_period_suspends_and_resumes() {
    let mut h = booted(Variant::Socket);
    charging(&mut h);
    let p = profile(&h, 1, "TxProfile", 1, &[(0, 16.0), (60, 0.0), (120, 16.0)]);
    assert_eq!(set(&mut h, 1, p), "Accepted");
    h.run_for(30_000);
    assert_eq!(offered(&h), (true, 16_000));
    assert_eq!(h.world().reading().current_ma, [16_000; 3]);
    h.run_for(60_000);
    assert_eq!(offered(&h), (false, 0), "paused");
    assert_eq!(h.world().reading().current_ma, [0; 3]);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::SuspendedEvse));
    h.run_for(60_000);
    assert_eq!(offered(&h), (true, 16_000), "resumed");
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Charging));
    let tail: Vec<_> = statuses(&h).into_iter().rev().take(3).collect();
    assert_eq!(
        tail,
        [
            ChargePointStatus::Charging,
            ChargePointStatus::SuspendedEvse,
            ChargePointStatus::Charging
        ]
    );
    // Its transaction ends: the TxProfile goes with it.
    h.unplug();
    h.run_for(5_000);
    assert!(h.cp().charging_profiles().is_empty());
    check_wire(&h, "smart_charging_pause");
}

#[test]
fn the_composite_schedule_and_clearing() {
    let mut h = booted(Variant::Tethered);
    h.run_for(500);
    let mut p = profile(&h, 1, "TxDefaultProfile", 0, &[(0, 10.0), (1800, 12.5)]);
    p["chargingSchedule"]["duration"] = json!(3600);
    assert_eq!(set(&mut h, 1, p), "Accepted");
    let p = profile(&h, 2, "ChargePointMaxProfile", 0, &[(0, 20.0)]);
    assert_eq!(set(&mut h, 0, p), "Accepted");
    let start = wall(&h);
    let answer = composite(&mut h, json!({ "connectorId": 1, "duration": 7200 }));
    let start = start.unix_millis() - start.unix_millis() % 1000;
    let expected_start = ocpp16::DateTime::from_unix_millis(start).to_rfc3339();
    assert_eq!(
        answer,
        json!({
            "status": "Accepted",
            "connectorId": 1,
            "scheduleStart": expected_start,
            "chargingSchedule": {
                "duration": 7200,
                "startSchedule": expected_start,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [
                    { "startPeriod": 0, "limit": 10.0 },
                    { "startPeriod": 1800, "limit": 12.5 },
                    { "startPeriod": 3600, "limit": 20.0 },
                ],
            },
        })
    );
    // The same schedule for a home's chart, read without a request; capped at 24 h.
    assert_eq!(
        h.cp().composite_limits(h.now, 7200),
        [(0, 100), (1800, 125), (3600, 200)]
    );
    assert_eq!(h.cp().composite_limits(h.now, 200_000).len(), 3);
    for (payload, status) in [
        (json!({ "id": 3 }), "Unknown"),
        (
            json!({ "connectorId": 1, "chargingProfilePurpose": "ChargePointMaxProfile" }),
            "Unknown",
        ),
        (
            json!({ "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile" }),
            "Accepted",
        ),
        (json!({ "id": 1 }), "Unknown"),
        (json!({ "connectorId": 0 }), "Accepted"),
    ] {
        let answer = call(&mut h, "ClearChargingProfile", payload.clone());
        assert_eq!(answer, Ok(json!({ "status": status })), "{payload}");
    }
    let answer = composite(&mut h, json!({ "connectorId": 0, "duration": 60 }));
    assert_eq!(
        answer["chargingSchedule"]["chargingSchedulePeriod"],
        json!([{ "startPeriod": 0, "limit": 32.0 }])
    );
    check_wire(&h, "smart_charging_composite");
}

#[test]
fn profiles_survive_a_power_cut() {
    let mut h = booted(Variant::Tethered);
    let p = profile(&h, 1, "TxDefaultProfile", 0, &[(0, 10.0)]);
    assert_eq!(set(&mut h, 1, p), "Accepted");
    h.run_for(1_000);
    h.crash_and_restore();
    h.run_for(10_000);
    assert_eq!(h.cp().charging_profiles().installed().len(), 1);
    charging(&mut h);
    assert_eq!(offered(&h), (true, 10_000));
    // A state written before Smart Charging existed still loads.
    let mut old: Value = serde_json::from_str(&h.cp().durable_state().to_json()).unwrap();
    assert!(old.as_object_mut().unwrap().remove("profiles").is_some());
    let old = chargepoint::durable::DurableState::from_json(&old.to_string()).unwrap();
    assert!(old.charging_profiles.is_empty());
    check_wire(&h, "smart_charging_restore");
}

#[test]
fn a_remote_start_installs_its_tx_profile_for_that_transaction() {
    let mut h = booted(Variant::Tethered);
    // A profile the product refuses (rate unit W) makes the RemoteStart Rejected.
    let mut watts = profile(&h, 7, "TxProfile", 0, &[(0, 11000.0)]);
    watts["chargingSchedule"]["chargingRateUnit"] = json!("W");
    let answer = call(
        &mut h,
        "RemoteStartTransaction",
        json!({ "idTag": "REMOTE-1", "chargingProfile": watts }),
    );
    assert_eq!(answer, Ok(json!({ "status": "Rejected" })));
    let tx_profile = profile(&h, 7, "TxProfile", 0, &[(0, 12.0)]);
    let answer = call(
        &mut h,
        "RemoteStartTransaction",
        json!({ "idTag": "REMOTE-1", "chargingProfile": tx_profile }),
    );
    assert_eq!(answer, Ok(json!({ "status": "Accepted" })));
    h.plug(EvSpec::default());
    h.run_for(10_000);
    assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::Charging));
    assert_eq!(
        offered(&h),
        (true, 12_000),
        "the remote start's TxProfile applies"
    );
    let installed = h.cp().charging_profiles().installed();
    assert_eq!(installed.len(), 1);
    assert_eq!(installed[0].profile.charging_profile_id, 7);
    // It belongs to that transaction: gone when it ends.
    h.unplug();
    h.run_for(5_000);
    assert!(h.cp().charging_profiles().installed().is_empty());
    check_wire(&h, "smart_charging_remote_start");
}
