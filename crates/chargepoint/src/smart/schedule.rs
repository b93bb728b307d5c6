//! The limit the installed profiles make over time, for connector 1 (the only one; the
//! charge point as a whole draws what it draws).
//!
//! One profile gives a limit at an instant when it is valid (validFrom ≤ t < validTo),
//! its schedule has started (Absolute: startSchedule; Relative: the transaction's start;
//! Recurring: startSchedule, repeated every day or week), its duration has not run out
//! and a period has begun. Within a purpose the highest stack level that gives a limit
//! wins (a TxDefaultProfile on connector 1 before one on connector 0); a TxProfile
//! overrides the TxDefaultProfile; a ChargePointMaxProfile caps the result.

use alloc::vec::Vec;
use ocpp16::{
    Decimal,
    messages::{
        ChargingProfile, ChargingProfileKind, ChargingProfilePurpose, ChargingSchedulePeriod,
        RecurrencyKind,
    },
};

use super::{ChargingProfiles, InstalledProfile};

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Most boundaries one query walks (9 profiles × 5 periods over a day stay far below).
const MAX_STEPS: usize = 512;

/// A limit at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Current per phase, in tenths of an ampere.
    pub tenths: i64,
    /// The number of phases the period names, if it does.
    pub phases: Option<i32>,
}

impl Limit {
    /// The limit in mA (negative values cannot be installed; they read as 0).
    #[must_use]
    pub fn milliamps(self) -> u32 {
        u32::try_from(self.tenths.saturating_mul(100)).unwrap_or(if self.tenths < 0 {
            0
        } else {
            u32::MAX
        })
    }
}

/// Where the schedule's time runs from, and its repetition.
fn anchor(p: &ChargingProfile, tx_start: Option<i64>) -> Option<(i64, Option<i64>)> {
    let start = p.charging_schedule.start_schedule.map(|d| d.unix_millis());
    match p.charging_profile_kind {
        ChargingProfileKind::Absolute => start.map(|s| (s, None)),
        ChargingProfileKind::Relative => tx_start.map(|s| (s, None)),
        ChargingProfileKind::Recurring => {
            let every = match p.recurrency_kind? {
                RecurrencyKind::Daily => DAY_MS,
                RecurrencyKind::Weekly => WEEK_MS,
            };
            start.map(|s| (s, Some(every)))
        }
    }
}

/// The start of the repetition that `t` falls in (the anchor itself before it).
fn instance(anchor: i64, every: Option<i64>, t: i64) -> i64 {
    match every {
        Some(every) if t > anchor => {
            let cycles = t.saturating_sub(anchor).div_euclid(every.max(1));
            anchor.saturating_add(cycles.saturating_mul(every))
        }
        _ => anchor,
    }
}

fn secs_to_ms(s: i32) -> i64 {
    i64::from(s).saturating_mul(1000)
}

/// The limit one profile gives at `t`.
fn profile_limit(p: &ChargingProfile, t: i64, tx_start: Option<i64>) -> Option<Limit> {
    if p.valid_from.is_some_and(|f| f.unix_millis() > t)
        || p.valid_to.is_some_and(|to| to.unix_millis() <= t)
    {
        return None;
    }
    let (anchor, every) = anchor(p, tx_start)?;
    let offset = t.saturating_sub(instance(anchor, every, t));
    let schedule = &p.charging_schedule;
    if offset < 0 || schedule.duration.is_some_and(|d| offset >= secs_to_ms(d)) {
        return None;
    }
    schedule
        .charging_schedule_period
        .iter()
        .rev()
        .find(|period| secs_to_ms(period.start_period) <= offset)
        .map(|period| Limit {
            tenths: period.limit.tenths(),
            phases: period.number_phases,
        })
}

/// The first instant after `t` at which the profile's limit may change.
fn profile_boundary(p: &ChargingProfile, t: i64, tx_start: Option<i64>) -> Option<i64> {
    let validity = [p.valid_from, p.valid_to]
        .into_iter()
        .flatten()
        .map(ocpp16::DateTime::unix_millis);
    let mut starts = [None, None];
    if let Some((anchor, every)) = anchor(p, tx_start) {
        let first = instance(anchor, every, t);
        starts = [Some(first), every.map(|e| first.saturating_add(e))];
    }
    let schedule = &p.charging_schedule;
    let within = starts.into_iter().flatten().flat_map(|s| {
        let periods = schedule
            .charging_schedule_period
            .iter()
            .map(move |period| s.saturating_add(secs_to_ms(period.start_period)));
        let end = schedule.duration.map(|d| s.saturating_add(secs_to_ms(d)));
        core::iter::once(s).chain(periods).chain(end)
    });
    validity.chain(within).filter(|b| *b > t).min()
}

/// What the engine needs to know of the transaction to evaluate the profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Context {
    /// The engine's number of the transaction running on connector 1.
    pub tx: Option<u32>,
    /// Where Relative schedules start (the transaction's start), UTC ms.
    pub relative_start: Option<i64>,
}

impl ChargingProfiles {
    fn relevant<'a>(
        &'a self,
        ctx: Context,
        purpose: ChargingProfilePurpose,
        connector: Option<i32>,
    ) -> impl Iterator<Item = &'a InstalledProfile> + 'a {
        self.installed.iter().filter(move |p| {
            p.profile.charging_profile_purpose == purpose
                && connector.is_none_or(|c| c == p.connector_id)
                && (purpose != ChargingProfilePurpose::TxProfile
                    || (ctx.tx.is_some() && p.transaction == ctx.tx))
        })
    }

    /// The limit of the highest stack level among `profiles` at `t`.
    fn top<'a>(
        profiles: impl Iterator<Item = &'a InstalledProfile>,
        t: i64,
        ctx: Context,
    ) -> Option<Limit> {
        profiles
            .filter_map(|p| {
                profile_limit(&p.profile, t, ctx.relative_start).map(|l| (p.profile.stack_level, l))
            })
            .max_by_key(|(level, _)| *level)
            .map(|(_, l)| l)
    }

    /// The limit at `t` (UTC ms), `None` when no profile limits connector 1 then.
    #[must_use]
    pub fn limit_at(&self, t: i64, ctx: Context) -> Option<Limit> {
        use ChargingProfilePurpose as P;
        let cap = Self::top(self.relevant(ctx, P::ChargePointMaxProfile, None), t, ctx);
        let tx = Self::top(self.relevant(ctx, P::TxProfile, None), t, ctx)
            .or_else(|| Self::top(self.relevant(ctx, P::TxDefaultProfile, Some(1)), t, ctx))
            .or_else(|| Self::top(self.relevant(ctx, P::TxDefaultProfile, Some(0)), t, ctx));
        match (cap, tx) {
            (Some(c), Some(x)) => Some(if c.tenths < x.tenths { c } else { x }),
            (c, x) => c.or(x),
        }
    }

    /// The first instant after `t` at which any relevant profile may change the limit.
    fn boundary(&self, t: i64, ctx: Context) -> Option<i64> {
        self.installed
            .iter()
            .filter(|p| {
                p.profile.charging_profile_purpose != ChargingProfilePurpose::TxProfile
                    || (ctx.tx.is_some() && p.transaction == ctx.tx)
            })
            .filter_map(|p| profile_boundary(&p.profile, t, ctx.relative_start))
            .min()
    }

    /// The next instant after `t` at which the limit in force changes, if any does.
    #[must_use]
    pub fn next_change(&self, t: i64, ctx: Context) -> Option<i64> {
        let now = self.limit_at(t, ctx).map(|l| l.tenths);
        let mut at = t;
        for _ in 0..MAX_STEPS {
            at = self.boundary(at, ctx)?;
            if self.limit_at(at, ctx).map(|l| l.tenths) != now {
                return Some(at);
            }
        }
        // Never reached with the product's limits; look again from here then.
        Some(at)
    }

    /// The composite schedule of connector 1 from `start` (UTC ms, whole seconds) for
    /// `duration_s`: periods with startPeriod in seconds from `start`. Where no profile
    /// limits, and above it, the box's own maximum `max` applies.
    #[must_use]
    pub fn composite(
        &self,
        start: i64,
        duration_s: u32,
        ctx: Context,
        max: Limit,
    ) -> Vec<ChargingSchedulePeriod> {
        let end = start.saturating_add(i64::from(duration_s).saturating_mul(1000));
        let mut periods: Vec<ChargingSchedulePeriod> = Vec::new();
        let mut t = start;
        for _ in 0..MAX_STEPS {
            let limit = match self.limit_at(t, ctx) {
                Some(l) if l.tenths < max.tenths => l,
                _ => max,
            };
            let start_period = i32::try_from(t.saturating_sub(start) / 1000).unwrap_or(i32::MAX);
            let period = ChargingSchedulePeriod {
                start_period,
                limit: Decimal::from_tenths(limit.tenths),
                number_phases: limit.phases,
            };
            match periods.last_mut() {
                Some(last) if last.start_period == start_period => *last = period,
                Some(last)
                    if last.limit == period.limit && last.number_phases == period.number_phases => {
                }
                _ => periods.push(period),
            }
            match self.boundary(t, ctx) {
                Some(next) if next < end => t = next,
                _ => break,
            }
        }
        // Two changes within one second may leave equal neighbours: merge them.
        periods.dedup_by(|b, a| a.limit == b.limit && a.number_phases == b.number_phases);
        periods
    }
}
