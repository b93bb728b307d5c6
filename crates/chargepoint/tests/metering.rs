//! Metering: periodic and clock-aligned MeterValues, and StopTransaction's transactionData.

mod common;

use chargepoint::{model::Variant, world::EvSpec};
use common::*;
use ocpp16::{Action, Request, messages::*};
use serde_json::json;

#[test]
fn periodic_samples_carry_the_configured_measurands_with_units_phases_and_locations() {
    let mut h = booted(Variant::Tethered);
    let all = "Energy.Active.Import.Register,Current.Import,Current.Offered,Temperature,Voltage,Power.Active.Import";
    let r = call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "MeterValuesSampledData", "value": all}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Accepted"}));
    call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "MeterValueSampleInterval", "value": "60"}),
    )
    .unwrap();
    h.tap("CARD1");
    h.plug(EvSpec {
        phases: 3,
        max_current_ma: 16_000,
        ..EvSpec::default()
    });
    h.run_for(300_000);
    let samples = h.csms.sent(Action::MeterValues);
    assert_eq!(samples.len(), 5, "every 60 s");
    let Request::MeterValues(m) = samples[4] else {
        unreachable!()
    };
    let values = &m.meter_value[0].sampled_value;
    let find = |measurand: Measurand, phase: Option<Phase>| {
        values
            .iter()
            .find(|v| v.measurand == Some(measurand) && v.phase == phase)
            .unwrap_or_else(|| panic!("{measurand:?} {phase:?} missing in {values:?}"))
    };
    assert_eq!(
        find(Measurand::CurrentImport, Some(Phase::L3)).unit,
        Some(UnitOfMeasure::A)
    );
    assert_eq!(
        find(Measurand::CurrentImport, Some(Phase::L1)).value,
        "16.0"
    );
    assert_eq!(find(Measurand::CurrentOffered, None).value, "32.0");
    assert_eq!(
        find(Measurand::Voltage, Some(Phase::L2N)).unit,
        Some(UnitOfMeasure::V)
    );
    assert_eq!(
        find(Measurand::Temperature, None).location,
        Some(Location::Body)
    );
    assert_eq!(
        find(Measurand::PowerActiveImport, None).unit,
        Some(UnitOfMeasure::W)
    );
    let energy = find(Measurand::EnergyActiveImportRegister, None);
    assert_eq!(
        (energy.unit, energy.location),
        (Some(UnitOfMeasure::Wh), Some(Location::Outlet))
    );
    assert!(
        values
            .iter()
            .all(|v| v.context == Some(ReadingContext::SamplePeriodic))
    );
    check_wire(&h, "periodic_samples");
}

#[test]
fn clock_aligned_samples_fall_on_the_interval_boundaries() {
    let mut h = booted(Variant::Tethered);
    call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "MeterValuesAlignedData", "value": "Energy.Active.Import.Register"}),
    )
    .unwrap();
    let r = call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "ClockAlignedDataInterval", "value": "900"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Accepted"}));
    h.run_for(3_600_000);
    let aligned: Vec<String> = h
        .csms
        .sent(Action::MeterValues)
        .iter()
        .map(|r| match r {
            Request::MeterValues(m) => {
                assert_eq!(m.transaction_id, None, "no transaction");
                assert_eq!(
                    m.meter_value[0].sampled_value[0].context,
                    Some(ReadingContext::SampleClock)
                );
                m.meter_value[0].timestamp.to_rfc3339()
            }
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        aligned,
        [
            "2026-01-01T00:15:00Z",
            "2026-01-01T00:30:00Z",
            "2026-01-01T00:45:00Z",
            "2026-01-01T01:00:00Z"
        ]
    );
    check_wire(&h, "clock_aligned");
}

#[test]
fn stop_transaction_carries_begin_periodic_and_end_samples() {
    let mut h = booted(Variant::Tethered);
    call(&mut h, "ChangeConfiguration", json!({"key": "StopTxnSampledData", "value": "Energy.Active.Import.Register,Power.Active.Import"})).unwrap();
    call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "MeterValueSampleInterval", "value": "300"}),
    )
    .unwrap();
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(1_000_000);
    h.tap("CARD1");
    h.run_for(1_000);
    let Request::StopTransaction(stop) = last(&h, Action::StopTransaction) else {
        unreachable!()
    };
    let data = stop.transaction_data.expect("transactionData");
    let contexts: Vec<_> = data.iter().map(|m| m.sampled_value[0].context).collect();
    assert_eq!(
        contexts.first(),
        Some(&Some(ReadingContext::TransactionBegin))
    );
    assert_eq!(contexts.last(), Some(&Some(ReadingContext::TransactionEnd)));
    assert_eq!(
        contexts.len(),
        5,
        "begin, three periodic, end: {contexts:?}"
    );
    assert!(data.iter().all(|m| m.sampled_value.len() == 2));
    check_wire(&h, "stop_txn_data");
}

#[test]
fn meter_start_and_stop_come_from_the_monotonic_register() {
    let mut h = booted(Variant::Tethered);
    if let Some(w) = h.world_mut() {
        *w = chargepoint::world::World::default();
    }
    for round in 0..3 {
        h.tap("CARD1");
        h.plug(EvSpec::default());
        h.run_for(600_000);
        h.tap("CARD1");
        h.unplug();
        h.run_for(60_000);
        let _ = round;
    }
    let starts: Vec<i32> = h
        .csms
        .sent(Action::StartTransaction)
        .iter()
        .map(|r| match r {
            Request::StartTransaction(s) => s.meter_start,
            _ => unreachable!(),
        })
        .collect();
    let stops: Vec<i32> = h
        .csms
        .sent(Action::StopTransaction)
        .iter()
        .map(|r| match r {
            Request::StopTransaction(s) => s.meter_stop,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!((starts.len(), stops.len()), (3, 3));
    for i in 0..3 {
        assert!(stops[i] > starts[i], "energy flowed in round {i}");
        if i > 0 {
            assert!(starts[i] >= stops[i - 1], "the register never goes back");
        }
    }
    check_wire(&h, "register");
}
