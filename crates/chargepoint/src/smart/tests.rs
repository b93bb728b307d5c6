#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use alloc::{vec, vec::Vec};
use ocpp16::{
    DateTime, Decimal,
    messages::{
        ChargingProfile, ChargingProfileKind as Kind, ChargingProfilePurpose as Purpose,
        ChargingProfileStatus as Status, ChargingRateUnit, ChargingSchedule,
        ChargingSchedulePeriod, ClearChargingProfileRequest, ClearChargingProfileStatus as Clear,
        RecurrencyKind,
    },
};

use super::{ChargingProfiles, Context, Limit, RunningTx};
use crate::model::Limits;

const H: i64 = 3_600_000;
/// 2026-01-01T00:00:00Z, a Thursday.
const T0: i64 = 1_767_225_600_000;
const MAX: Limit = Limit {
    tenths: 320,
    phases: None,
};

fn at(ms: i64) -> DateTime {
    DateTime::from_unix_millis(ms)
}

/// A profile with periods `(startPeriod s, limit A)`.
fn profile(id: i32, purpose: Purpose, level: i32, periods: &[(i32, i64)]) -> ChargingProfile {
    ChargingProfile {
        charging_profile_id: id,
        transaction_id: None,
        stack_level: level,
        charging_profile_purpose: purpose,
        charging_profile_kind: Kind::Absolute,
        recurrency_kind: None,
        valid_from: None,
        valid_to: None,
        charging_schedule: ChargingSchedule {
            duration: None,
            start_schedule: Some(at(T0)),
            charging_rate_unit: ChargingRateUnit::A,
            charging_schedule_period: periods
                .iter()
                .map(|&(s, a)| ChargingSchedulePeriod {
                    start_period: s,
                    limit: Decimal::from_int(a),
                    number_phases: None,
                })
                .collect(),
            min_charging_rate: None,
        },
    }
}

fn tx_default(id: i32, level: i32, amps: i64) -> ChargingProfile {
    profile(id, Purpose::TxDefaultProfile, level, &[(0, amps)])
}

const TX: RunningTx = RunningTx {
    local_id: 7,
    transaction_id: Some(42),
    started_ms: T0 + 10 * H,
};

fn set(store: &mut ChargingProfiles, connector: i32, p: ChargingProfile) -> Status {
    store.set(&Limits::TELTONIKA, connector, p, Some(&TX), T0)
}

/// The composite as `(startPeriod, tenths)`.
fn composite(store: &ChargingProfiles, start: i64, duration: u32, ctx: Context) -> Vec<(i32, i64)> {
    store
        .composite(start, duration, ctx, MAX)
        .iter()
        .map(|p| (p.start_period, p.limit.tenths()))
        .collect()
}

#[test]
fn the_products_limits() {
    let mut s = ChargingProfiles::default();
    assert_eq!(
        set(&mut s, 1, tx_default(1, 6, 10)),
        Status::Rejected,
        "stack 6"
    );
    assert_eq!(set(&mut s, 1, tx_default(1, -1, 10)), Status::Rejected);
    assert_eq!(set(&mut s, 1, tx_default(1, 5, 10)), Status::Accepted);
    let six = [(0, 6), (60, 7), (120, 8), (180, 9), (240, 10), (300, 11)];
    let p = profile(2, Purpose::TxDefaultProfile, 0, &six);
    assert_eq!(set(&mut s, 1, p), Status::Rejected, "6 periods");
    let p = profile(2, Purpose::TxDefaultProfile, 0, &six[..5]);
    assert_eq!(set(&mut s, 1, p), Status::Accepted, "5 periods");
    let mut w = tx_default(3, 1, 10);
    w.charging_schedule.charging_rate_unit = ChargingRateUnit::W;
    assert_eq!(set(&mut s, 1, w), Status::Rejected, "unit W");
    assert_eq!(
        set(&mut s, 2, tx_default(3, 1, 10)),
        Status::Rejected,
        "connector 2"
    );
    assert_eq!(set(&mut s, -1, tx_default(3, 1, 10)), Status::Rejected);
    let unsorted = profile(3, Purpose::TxDefaultProfile, 1, &[(60, 6), (0, 7)]);
    assert_eq!(set(&mut s, 1, unsorted), Status::Rejected);
    let negative = profile(3, Purpose::TxDefaultProfile, 1, &[(0, -1)]);
    assert_eq!(set(&mut s, 1, negative), Status::Rejected);
    let mut recurring = tx_default(3, 1, 10);
    recurring.charging_profile_kind = Kind::Recurring;
    assert_eq!(
        set(&mut s, 1, recurring.clone()),
        Status::Rejected,
        "no recurrencyKind"
    );
    recurring.recurrency_kind = Some(RecurrencyKind::Daily);
    recurring.charging_schedule.start_schedule = None;
    assert_eq!(
        set(&mut s, 1, recurring),
        Status::Rejected,
        "no startSchedule"
    );
    let mut backwards = tx_default(3, 1, 10);
    backwards.valid_from = Some(at(T0 + H));
    backwards.valid_to = Some(at(T0));
    assert_eq!(set(&mut s, 1, backwards), Status::Rejected);
    assert_eq!(s.installed().len(), 2);
}

#[test]
fn at_most_nine_installed_and_replacing_does_not_count() {
    let mut s = ChargingProfiles::default();
    for level in 0..=5 {
        assert_eq!(
            set(&mut s, 1, tx_default(level + 1, level, 10)),
            Status::Accepted
        );
    }
    for level in 0..=2 {
        assert_eq!(
            set(&mut s, 0, tx_default(level + 10, level, 10)),
            Status::Accepted
        );
    }
    assert_eq!(s.installed().len(), 9);
    assert_eq!(
        set(&mut s, 0, tx_default(20, 3, 10)),
        Status::Rejected,
        "10th"
    );
    assert_eq!(
        set(&mut s, 0, tx_default(10, 4, 12)),
        Status::Accepted,
        "same id"
    );
    assert_eq!(
        set(&mut s, 1, tx_default(30, 0, 12)),
        Status::Accepted,
        "same level"
    );
    assert_eq!(s.installed().len(), 9);
    let ids: Vec<i32> = s
        .installed()
        .iter()
        .map(|p| p.profile.charging_profile_id)
        .collect();
    assert_eq!(ids, [2, 3, 4, 5, 6, 11, 12, 10, 30]);
}

#[test]
fn purposes_and_connectors() {
    let mut s = ChargingProfiles::default();
    let cap = profile(1, Purpose::ChargePointMaxProfile, 0, &[(0, 20)]);
    assert_eq!(set(&mut s, 1, cap.clone()), Status::Rejected, "max on 1");
    assert_eq!(set(&mut s, 0, cap), Status::Accepted);
    let tx = profile(2, Purpose::TxProfile, 0, &[(0, 8)]);
    assert_eq!(
        set(&mut s, 0, tx.clone()),
        Status::Rejected,
        "TxProfile on 0"
    );
    let none = s.set(&Limits::TELTONIKA, 1, tx.clone(), None, T0);
    assert_eq!(none, Status::Rejected, "no transaction");
    let mut other = tx.clone();
    other.transaction_id = Some(41);
    assert_eq!(
        set(&mut s, 1, other),
        Status::Rejected,
        "another transaction"
    );
    let mut same = tx;
    same.transaction_id = Some(42);
    assert_eq!(set(&mut s, 1, same), Status::Accepted);
    assert_eq!(s.installed()[1].transaction, Some(7));
    assert!(!s.forget_ended(Some(7)));
    assert!(s.forget_ended(None), "the transaction ended");
    assert_eq!(s.installed().len(), 1);
}

#[test]
fn clearing() {
    let mut s = ChargingProfiles::default();
    set(
        &mut s,
        0,
        profile(1, Purpose::ChargePointMaxProfile, 0, &[(0, 20)]),
    );
    set(&mut s, 0, tx_default(2, 0, 10));
    set(&mut s, 1, tx_default(3, 1, 10));
    set(&mut s, 1, tx_default(4, 2, 10));
    let clear = |id, connector_id, purpose, stack_level| ClearChargingProfileRequest {
        id,
        connector_id,
        charging_profile_purpose: purpose,
        stack_level,
    };
    assert_eq!(s.clear(&clear(Some(9), None, None, None)), Clear::Unknown);
    // With an id, the other criteria do not matter.
    assert_eq!(
        s.clear(&clear(Some(3), Some(0), None, None)),
        Clear::Accepted
    );
    assert_eq!(
        s.clear(&clear(None, Some(1), None, Some(1))),
        Clear::Unknown
    );
    assert_eq!(s.clear(&clear(None, None, None, Some(2))), Clear::Accepted);
    let max = Some(Purpose::ChargePointMaxProfile);
    assert_eq!(s.clear(&clear(None, Some(1), max, None)), Clear::Unknown);
    assert_eq!(s.clear(&clear(None, Some(0), max, None)), Clear::Accepted);
    assert_eq!(s.installed().len(), 1);
    assert_eq!(s.clear(&clear(None, None, None, None)), Clear::Accepted);
    assert!(s.is_empty());
    assert_eq!(s.clear(&clear(None, None, None, None)), Clear::Unknown);
}

#[test]
fn highest_stack_level_wins_while_it_lasts() {
    let mut s = ChargingProfiles::default();
    set(&mut s, 1, tx_default(1, 0, 16));
    let mut hour = tx_default(2, 1, 10);
    hour.charging_schedule.duration = Some(3600);
    set(&mut s, 1, hour);
    let ctx = Context::default();
    assert_eq!(composite(&s, T0, 7200, ctx), [(0, 100), (3600, 160)]);
    assert_eq!(
        s.limit_at(T0 + H - 1, ctx).map(Limit::milliamps),
        Some(10_000)
    );
    assert_eq!(s.next_change(T0, ctx), Some(T0 + H));
    assert_eq!(s.next_change(T0 + H, ctx), None);
    // Connector 1's TxDefaultProfile comes before connector 0's.
    let mut s = ChargingProfiles::default();
    set(&mut s, 0, tx_default(1, 5, 8));
    set(&mut s, 1, tx_default(2, 0, 12));
    assert_eq!(composite(&s, T0, 60, ctx), [(0, 120)]);
}

#[test]
fn tx_profile_overrides_the_default_and_the_max_caps_both() {
    let mut s = ChargingProfiles::default();
    set(&mut s, 1, tx_default(1, 5, 10));
    set(
        &mut s,
        1,
        profile(2, Purpose::TxProfile, 0, &[(0, 25), (1800, 14)]),
    );
    set(
        &mut s,
        0,
        profile(3, Purpose::ChargePointMaxProfile, 0, &[(0, 32), (3600, 16)]),
    );
    let ctx = Context {
        tx: Some(7),
        relative_start: Some(TX.started_ms),
    };
    assert_eq!(composite(&s, T0, 7200, ctx), [(0, 250), (1800, 140)]);
    assert_eq!(
        composite(&s, T0 + 3_000_000, 1200, ctx),
        [(0, 140)],
        "16 A cap is above 14 A"
    );
    // Without the transaction its TxProfile does not count.
    assert_eq!(composite(&s, T0, 7200, Context::default()), [(0, 100)]);
}

#[test]
fn recurring_daily_crosses_midnight() {
    let mut s = ChargingProfiles::default();
    // Every night from 22:00 for 4 hours: 8 A, 0 A from 01:00.
    let mut night = profile(1, Purpose::TxDefaultProfile, 1, &[(0, 8), (3 * 3600, 0)]);
    night.charging_profile_kind = Kind::Recurring;
    night.recurrency_kind = Some(RecurrencyKind::Daily);
    night.charging_schedule.start_schedule = Some(at(T0 - 2 * H));
    night.charging_schedule.duration = Some(4 * 3600);
    assert_eq!(set(&mut s, 1, night), Status::Accepted);
    let ctx = Context::default();
    let day = composite(&s, T0 + 12 * H, 86_400, ctx);
    assert_eq!(
        day,
        [(0, 320), (10 * 3600, 80), (13 * 3600, 0), (14 * 3600, 320)],
        "from noon: 22:00 8 A, 01:00 0 A, 02:00 free"
    );
    assert_eq!(s.limit_at(T0 + 25 * H + 1, ctx).map(|l| l.tenths), Some(0));
    assert_eq!(s.next_change(T0 + 12 * H, ctx), Some(T0 + 22 * H));
    // Weekly: only on the same weekday.
    let mut s = ChargingProfiles::default();
    let mut weekly = tx_default(1, 0, 6);
    weekly.charging_profile_kind = Kind::Recurring;
    weekly.recurrency_kind = Some(RecurrencyKind::Weekly);
    weekly.charging_schedule.duration = Some(3600);
    set(&mut s, 1, weekly);
    assert_eq!(
        s.limit_at(T0 + 7 * 24 * H + 10, ctx).map(|l| l.tenths),
        Some(60)
    );
    assert_eq!(s.limit_at(T0 + 24 * H + 10, ctx), None);
}

#[test]
fn relative_starts_with_the_transaction() {
    let mut s = ChargingProfiles::default();
    let mut relative = profile(1, Purpose::TxProfile, 0, &[(0, 6), (1800, 16)]);
    relative.charging_profile_kind = Kind::Relative;
    relative.charging_schedule.start_schedule = None;
    assert_eq!(set(&mut s, 1, relative), Status::Accepted);
    let ctx = Context {
        tx: Some(7),
        relative_start: Some(TX.started_ms),
    };
    let from = TX.started_ms + 600_000;
    assert_eq!(composite(&s, from, 3600, ctx), [(0, 60), (1200, 160)]);
    assert_eq!(s.next_change(from, ctx), Some(TX.started_ms + 1_800_000));
    let mut cap = profile(2, Purpose::ChargePointMaxProfile, 0, &[(0, 10)]);
    cap.charging_profile_kind = Kind::Relative;
    assert_eq!(
        set(&mut s, 0, cap),
        Status::Rejected,
        "no transaction to be relative to"
    );
}

#[test]
fn valid_from_and_to() {
    let mut s = ChargingProfiles::default();
    let mut p = tx_default(1, 0, 10);
    p.valid_from = Some(at(T0 + H));
    p.valid_to = Some(at(T0 + 2 * H));
    set(&mut s, 1, p);
    let ctx = Context::default();
    assert_eq!(
        composite(&s, T0, 3 * 3600, ctx),
        [(0, 320), (3600, 100), (7200, 320)]
    );
    assert_eq!(s.limit_at(T0 + 2 * H, ctx), None, "expired at validTo");
}

#[test]
fn absolute_without_start_starts_when_installed_and_phases_show() {
    let mut s = ChargingProfiles::default();
    let mut p = profile(1, Purpose::TxDefaultProfile, 0, &[(0, 10), (60, 12)]);
    p.charging_schedule.start_schedule = None;
    p.charging_schedule.charging_schedule_period[1].number_phases = Some(1);
    assert_eq!(
        s.set(&Limits::TELTONIKA, 1, p, None, T0 + H),
        Status::Accepted
    );
    let periods = s.composite(T0 + H, 120, Context::default(), MAX);
    assert_eq!(periods.len(), 2);
    assert_eq!(
        (periods[1].start_period, periods[1].number_phases),
        (60, Some(1))
    );
    assert_eq!(s.limit_at(T0, Context::default()), None, "not started yet");
}

#[test]
fn a_day_of_changes_and_the_store_round_trips() {
    let mut s = ChargingProfiles::default();
    let periods: Vec<(i32, i64)> = vec![(0, 6), (60, 7), (120, 8), (180, 9), (240, 10)];
    let mut p = profile(1, Purpose::TxDefaultProfile, 0, &periods);
    p.charging_profile_kind = Kind::Recurring;
    p.recurrency_kind = Some(RecurrencyKind::Daily);
    p.charging_schedule.duration = Some(300);
    set(&mut s, 1, p);
    let day = composite(&s, T0, 86_400, Context::default());
    assert_eq!(day.len(), 6);
    assert_eq!(day.last(), Some(&(300, 320)));
    let stored = s.store();
    assert_eq!(ChargingProfiles::load(&stored), s);
    let mut tx = ChargingProfiles::default();
    set(&mut tx, 1, profile(2, Purpose::TxProfile, 0, &[(0, 8)]));
    let stored = tx.store();
    assert_eq!(stored[0].transaction, Some(7));
    assert_eq!(ChargingProfiles::load(&stored), tx);
}
