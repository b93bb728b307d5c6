//! Stored texts of format 1 (what the serde-based writer produced) still load: the
//! fixtures under `tests/fixtures/` were written by that writer from these scenarios,
//! which are deterministic, so the state each describes is built again and compared.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

extern crate std;

use alloc::string::String;
use serde_json::json;

use super::DurableState;
use crate::{JobKind, JobUpdate, Settings, harness::Harness, model::Variant};

fn call(h: &mut Harness, action: &str, payload: serde_json::Value) {
    let answer = h.call(action, payload);
    match answer {
        Some(ocpp16::Frame::CallResult(r)) => {
            assert!(!r.payload.contains("Rejected"), "{action}: {}", r.payload);
        }
        other => panic!("{action}: {other:?}"),
    }
}

/// A transaction running offline: an earlier one ended offline (its StopTransaction
/// and id waiting), meter values queued, a local list, a cache, a TxProfile.
fn running() -> Harness {
    let mut h = Harness::new(Settings::new("EVC-0001", Variant::Tethered));
    h.csms.script.expiry = Some(ocpp16::DateTime::parse("2027-06-01T12:00:00Z").unwrap());
    h.csms.script.parents = alloc::vec![(String::from("CARD1"), String::from("FLEET"))];
    h.run_for(5_000);
    for (key, value) in [
        ("MeterValueSampleInterval", "60"),
        ("HeartbeatInterval", "900"),
        ("AuthorizationKey", "0123456789abcdef0123456789abcdef"),
        (
            "StopTxnSampledData",
            "Energy.Active.Import.Register,Current.Import",
        ),
    ] {
        call(
            &mut h,
            "ChangeConfiguration",
            json!({"key": key, "value": value}),
        );
    }
    call(
        &mut h,
        "SendLocalList",
        json!({"listVersion": 3, "updateType": "Full", "localAuthorizationList": [
            {"idTag": "LOCAL1", "idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET",
                "expiryDate": "2027-01-01T00:00:00Z"}},
            {"idTag": "LOCAL2", "idTagInfo": {"status": "Blocked"}},
        ]}),
    );
    h.tap("CARD1");
    h.plug(crate::world::EvSpec::default());
    h.run_for(130_000);
    h.reachable = false;
    h.drop_connection();
    h.run_for(70_000);
    h.unplug();
    h.run_for(5_000);
    // Back online, but the CSMS answers nothing: the StopTransaction stays in flight.
    h.csms.script.answer = false;
    h.reachable = true;
    for _ in 0..600 {
        if h.connected() {
            break;
        }
        h.run_for(1_000);
    }
    assert!(h.connected());
    h.run_for(2_000);
    h.plug(crate::world::EvSpec::default());
    h.tap("LOCAL1");
    h.run_for(5_000);
    let start = h.wall().to_rfc3339();
    call(
        &mut h,
        "SetChargingProfile",
        json!({"connectorId": 1, "csChargingProfiles": {
            "chargingProfileId": 9, "stackLevel": 1,
            "chargingProfilePurpose": "TxProfile", "chargingProfileKind": "Absolute",
            "chargingSchedule": {"startSchedule": start, "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0},
                    {"startPeriod": 600, "limit": 10.5, "numberPhases": 1}]}}}),
    );
    h.run_for(65_000);
    h
}

/// No transaction: a reservation, a TxDefaultProfile, both inoperative flags, jobs.
fn idle() -> Harness {
    let mut h = Harness::new(Settings::new("EVC-0002", Variant::Socket));
    h.run_for(5_000);
    let start = h.wall().to_rfc3339();
    call(
        &mut h,
        "SetChargingProfile",
        json!({"connectorId": 0, "csChargingProfiles": {
            "chargingProfileId": 4, "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Recurring",
            "recurrencyKind": "Daily",
            "chargingSchedule": {"duration": 86400, "startSchedule": start,
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 20.0}]}}}),
    );
    call(
        &mut h,
        "ReserveNow",
        json!({"connectorId": 1, "expiryDate": "2026-01-01T03:00:00Z", "idTag": "RES1",
            "parentIdTag": "GROUP", "reservationId": 77}),
    );
    h.tap("CARD7");
    h.run_for(2_000);
    let download = h.cp_mut().start_job(JobKind::Download {
        url: String::from("http://127.0.0.1:1/fw.bin"),
        file: String::from("fw.bin"),
    });
    h.drain();
    h.job(download, JobUpdate::Started);
    let _upload = h.cp_mut().start_job(JobKind::Upload {
        url: String::from("ftp://127.0.0.1/up"),
        file: String::from("diag, 1.txt"),
        // Not stored: a restore ends the job as interrupted.
        content: String::new(),
    });
    h.drain();
    h.run_for(1_000);
    h
}

/// An idle box fresh from the factory, connector 1 alone inoperative.
fn fresh() -> Harness {
    let mut h = Harness::new(Settings::new("EVC-0003", Variant::Tethered));
    h.run_for(5_000);
    call(
        &mut h,
        "ChangeAvailability",
        json!({"connectorId": 1, "type": "Inoperative"}),
    );
    h.run_for(1_000);
    h
}

/// The charge point as a whole made inoperative.
fn unavailable() -> Harness {
    let mut h = Harness::new(Settings::new("EVC-0004", Variant::Socket));
    h.run_for(5_000);
    call(
        &mut h,
        "ChangeAvailability",
        json!({"connectorId": 0, "type": "Inoperative"}),
    );
    h.run_for(1_000);
    h
}

/// The format-1 texts, compiled in (the core crate does no I/O, its tests neither).
fn fixture(name: &str) -> &'static str {
    match name {
        "running" => include_str!("../tests/fixtures/state-v1-running.json"),
        "idle" => include_str!("../tests/fixtures/state-v1-idle.json"),
        "fresh" => include_str!("../tests/fixtures/state-v1-fresh.json"),
        _ => include_str!("../tests/fixtures/state-v1-unavailable.json"),
    }
}

#[test]
fn format_1_texts_load_as_the_state_they_were_written_from() {
    for (name, scenario) in [
        ("running", running as fn() -> Harness),
        ("idle", idle),
        ("fresh", fresh),
        ("unavailable", unavailable),
    ] {
        let h = scenario();
        assert!(h.csms.violations.is_empty(), "{:?}", h.csms.violations);
        // Format 1 predates the Security extension: its part loads as the default.
        let expected = DurableState {
            security: crate::security::Stored::default(),
            ..h.cp().durable_state()
        };
        // Written once by the format-1 writer (commit "durable: format-1 fixtures …");
        // this engine writes format 2, so they are never written again.
        let loaded = DurableState::from_json(fixture(name)).unwrap();
        assert_eq!(loaded.format, 1, "{name}");
        let loaded = DurableState {
            format: expected.format,
            ..loaded
        };
        assert_eq!(loaded, expected, "{name}");
    }
}

#[test]
fn the_security_part_round_trips_and_a_corrupt_field_is_named() {
    use crate::security::{Stored, StoredEvent};
    let at = ocpp16::DateTime::parse("2026-01-01T00:00:05Z").unwrap();
    let h = fresh();
    let mut state = h.cp().durable_state();
    state.security = Stored {
        log: alloc::vec![(at, String::from("line \"one\"\nwith a break"))],
        dropped: 3,
        events: alloc::vec![StoredEvent {
            kind: String::from("StartupOfTheDevice"),
            timestamp: at,
            tech_info: Some(String::from("power-on 1")),
            attempts: 2,
        }],
        fallback: 2,
        failures: 1,
        root: String::from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        pending_key: String::from("07"),
        chain: String::from("CHAIN"),
        chain_key: String::from("08"),
    };
    let text = state.to_json();
    assert_eq!(DurableState::from_json(&text), Ok(state.clone()));
    // A state written before the extension has no "security": it loads as the default.
    let mut old = state.clone();
    old.security = Stored::default();
    assert!(!old.to_json().contains("\"security\""));
    // A corrupt field says where.
    let bad = text.replace("\"dropped\":3", "\"dropped\":\"three\"");
    let err = DurableState::from_json(&bad).unwrap_err();
    let why = alloc::format!("{err}");
    assert!(why.contains("security.dropped"), "{why}");
    let bad = text.replace("\"type\":\"StartupOfTheDevice\",", "");
    let why = alloc::format!("{}", DurableState::from_json(&bad).unwrap_err());
    assert!(why.contains("type"), "{why}");
}
