//! Crash and restore at any point: for random schedules of plug, tap, unplug, link loss,
//! a silent or slow CSMS and power cuts (restoring from the last persisted state), the
//! CSMS receives every transaction exactly once, in order, with consistent meter values
//! and timestamps.
//!
//! A StartTransaction whose answer was lost with the power is sent again; the scripted
//! CSMS recognises the repeated message and answers with the same transaction id, as a
//! CSMS must for OCPP 1.6's at-least-once delivery. Case count: `PROPTEST_CASES`
//! (default 2,000).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod common;

use std::collections::BTreeMap;

use chargepoint::{
    Event, Settings, durable::DurableState, harness::Harness, model::Variant, world::EvSpec,
};
use ocpp16::{Request, messages::StopTransactionRequest};
use proptest::prelude::*;
use serde_json::json;

#[derive(Debug, Clone)]
enum Op {
    Plug,
    Unplug,
    Tap(u8),
    Wait(u32),
    LinkDown,
    LinkUp,
    Crash,
    CsmsSilent(bool),
    CsmsSlow(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Plug),
        2 => Just(Op::Unplug),
        4 => (0u8..3).prop_map(Op::Tap),
        6 => (1u32..900).prop_map(Op::Wait),
        1 => Just(Op::LinkDown),
        2 => Just(Op::LinkUp),
        2 => Just(Op::Crash),
        1 => any::<bool>().prop_map(Op::CsmsSilent),
        1 => any::<bool>().prop_map(Op::CsmsSlow),
    ]
}

fn setup() -> Harness {
    let mut settings = Settings::new("EVC-CRASH", Variant::Socket);
    settings.trace_frames = false;
    let mut h = Harness::new(settings);
    h.set_meter_period(30_000);
    h.run_for(5_000);
    for (key, value) in [
        ("MeterValueSampleInterval", "120"),
        ("AllowOfflineTxForUnknownId", "1"),
        ("LocalAuthorizeOffline", "1"),
        ("TransactionMessageAttempts", "100"),
        ("TransactionMessageRetryInterval", "5"),
        ("StopTxnSampledData", "Energy.Active.Import.Register"),
    ] {
        let r = common::call(
            &mut h,
            "ChangeConfiguration",
            json!({"key": key, "value": value}),
        )
        .unwrap();
        assert_eq!(r, json!({"status": "Accepted"}));
    }
    h
}

fn apply(h: &mut Harness, op: &Op) {
    match op {
        // Plugging a cable in or out takes a person a second or two.
        Op::Plug if h.world().ev().is_none() => {
            h.plug(EvSpec {
                battery_wh: 20_000,
                ..EvSpec::default()
            });
            h.run_for(2_000);
        }
        Op::Unplug => {
            h.unplug();
            h.run_for(2_000);
        }
        Op::Tap(card) => {
            // A hand takes a second to present a card again.
            h.tap(["CARD-A", "CARD-B", "CARD-C"][usize::from(*card)]);
            h.run_for(1_000);
        }
        Op::Wait(s) => h.run_for(u64::from(*s) * 1_000),
        Op::LinkDown => {
            h.reachable = false;
            h.drop_connection();
        }
        Op::LinkUp => h.reachable = true,
        Op::Crash => h.crash_and_restore(),
        Op::CsmsSilent(silent) => h.csms.script.answer = !silent,
        Op::CsmsSlow(slow) => h.csms.script.delay_ms = if *slow { 45_000 } else { 0 },
        Op::Plug => {}
    }
}

/// Runs a schedule to its end, then lets everything be delivered.
fn run(ops: &[Op]) -> Harness {
    let mut h = setup();
    for op in ops {
        apply(&mut h, op);
        round_trips(&h);
    }
    h.reachable = true;
    h.csms.script.answer = true;
    h.csms.script.delay_ms = 0;
    h.unplug();
    for _ in 0..200 {
        h.run_for(600_000);
        if h.connected()
            && h.cp().durable_state().outbox.is_empty()
            && h.cp().connector().transaction().is_none()
        {
            break;
        }
    }
    h
}

/// The state as it stands reads back from its stored text as the same value.
fn round_trips(h: &Harness) {
    let state = h.cp().durable_state();
    let text = state.to_json();
    assert_eq!(
        DurableState::from_json(&text).as_ref(),
        Ok(&state),
        "{text}"
    );
}

fn check(h: &Harness) -> Result<(), TestCaseError> {
    prop_assert!(h.csms.violations.is_empty(), "{:?}", h.csms.violations);
    prop_assert!(
        h.cp().durable_state().outbox.is_empty(),
        "undelivered: {:?}",
        h.cp().durable_state().outbox
    );
    prop_assert!(h.cp().connector().transaction().is_none());
    // Transactions as the CSMS knows them: the first receipt of each distinct start.
    let mut starts = BTreeMap::new();
    let mut stops: BTreeMap<i32, Vec<StopTransactionRequest>> = BTreeMap::new();
    let mut first_seen = BTreeMap::new();
    let mut next_id = 0;
    for (i, (_, request)) in h.csms.received.iter().enumerate() {
        match request {
            Request::StartTransaction(s) if !starts.values().any(|(known, _)| known == s) => {
                next_id += 1;
                starts.insert(next_id, (s.clone(), i));
            }
            Request::StopTransaction(s) => {
                let list = stops.entry(s.transaction_id).or_default();
                if !list.contains(s) {
                    list.push(s.clone());
                    first_seen.insert(s.transaction_id, i);
                }
            }
            _ => {}
        }
    }
    let local_starts = h
        .events
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                Event::TransactionStarted {
                    transaction_id: None,
                    ..
                }
            )
        })
        .count();
    prop_assert_eq!(
        starts.len(),
        local_starts,
        "every transaction the box started reached the CSMS once"
    );
    let mut previous_stop = 0;
    for (id, (start, at)) in &starts {
        let stop_list = stops.get(id).cloned().unwrap_or_default();
        prop_assert_eq!(
            stop_list.len(),
            1,
            "transaction {} stopped {} times: {:?}",
            id,
            stop_list.len(),
            stop_list
        );
        let stop = &stop_list[0];
        prop_assert!(first_seen[id] > *at, "stop of {} before its start", id);
        prop_assert!(
            stop.meter_stop >= start.meter_start,
            "{:?} {:?}",
            start,
            stop
        );
        prop_assert!(
            start.meter_start >= previous_stop,
            "the register went back at {}",
            id
        );
        prop_assert!(stop.timestamp >= start.timestamp, "{:?} {:?}", start, stop);
        previous_stop = stop.meter_stop;
    }
    prop_assert!(
        stops.keys().all(|id| starts.contains_key(id)),
        "a stop for an unknown transaction: {:?}",
        stops.keys()
    );
    Ok(())
}

/// What one schedule exercised, so the property cannot pass vacuously.
fn coverage(h: &Harness) -> (bool, bool) {
    let stops: Vec<&StopTransactionRequest> = h
        .csms
        .received
        .iter()
        .filter_map(|(_, r)| match r {
            Request::StopTransaction(s) => Some(s),
            _ => None,
        })
        .collect();
    let power_loss = stops
        .iter()
        .any(|s| s.reason == Some(ocpp16::messages::Reason::PowerLoss));
    (!stops.is_empty(), power_loss)
}

#[test]
fn every_transaction_reaches_the_csms_exactly_once() {
    use proptest::test_runner::{Config, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2_000);
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    let (runs, with_tx, with_power_loss) = (
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    );
    let result = runner.run(&prop::collection::vec(op(), 5..40), |ops| {
        let h = run(&ops);
        check(&h)?;
        let (tx, power_loss) = coverage(&h);
        runs.fetch_add(1, Relaxed);
        with_tx.fetch_add(usize::from(tx), Relaxed);
        with_power_loss.fetch_add(usize::from(power_loss), Relaxed);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // No vacuous pass: a meaningful share of the schedules started and stopped a
    // transaction, and some cut the power in the middle of one.
    let (runs, tx, loss) = (
        runs.load(Relaxed),
        with_tx.load(Relaxed),
        with_power_loss.load(Relaxed),
    );
    eprintln!("{runs} schedules: {tx} with a transaction, {loss} with a PowerLoss stop");
    assert!(
        tx * 100 >= runs * SHARE_WITH_TX,
        "{tx} of {runs} had a transaction"
    );
    assert!(
        loss * 100 >= runs * SHARE_WITH_POWER_LOSS,
        "{loss} of {runs} cut power mid-transaction"
    );
}

/// Least percentage of schedules that must run a transaction to its stop.
const SHARE_WITH_TX: usize = 40;
/// Least percentage of schedules that must stop a transaction with PowerLoss.
const SHARE_WITH_POWER_LOSS: usize = 15;

#[test]
fn a_crash_in_every_phase_of_one_session() {
    let schedule = [
        Op::Tap(0),
        Op::Plug,
        Op::Wait(300),
        Op::LinkDown,
        Op::Wait(200),
        Op::Tap(0),
        Op::Crash,
        Op::Wait(60),
        Op::Plug,
        Op::Tap(1),
        Op::Crash,
        Op::LinkUp,
        Op::Wait(100),
        Op::CsmsSilent(true),
        Op::Tap(1),
        Op::Crash,
        Op::CsmsSilent(false),
        Op::Wait(500),
    ];
    for cut in 0..=schedule.len() {
        let ops: Vec<Op> = schedule[..cut].iter().cloned().chain([Op::Crash]).collect();
        let h = run(&ops);
        check(&h)
            .map_err(|e| format!("crash after step {cut}: {e}"))
            .unwrap();
    }
}
