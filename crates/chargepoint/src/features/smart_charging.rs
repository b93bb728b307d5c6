//! The Smart Charging profile: SetChargingProfile, ClearChargingProfile,
//! GetCompositeSchedule, and how the installed profiles steer the offered current (the
//! rules and the schedule arithmetic are in [`crate::smart`]).

use ocpp16::{Action, DateTime, WireError, messages::*};

use super::{Handler, rows};
use crate::{
    engine::ChargePoint,
    smart::{Context, Limit, RunningTx},
    time::Instant,
    timers::Timer,
};

/// The Smart Charging profile's rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    SetChargingProfile => |cp, now, r| Ok(cp.set_charging_profile(now, r)),
    ClearChargingProfile => |cp, _, r| Ok(cp.clear_charging_profile(&r)),
    GetCompositeSchedule => |cp, now, r| Ok(cp.composite_schedule(now, &r)),
];

impl ChargePoint {
    fn set_charging_profile(
        &mut self,
        now: Instant,
        r: SetChargingProfileRequest,
    ) -> SetChargingProfileResponse {
        SetChargingProfileResponse {
            status: self.install_profile(now, r.connector_id, r.cs_charging_profiles),
        }
    }

    fn clear_charging_profile(
        &mut self,
        r: &ClearChargingProfileRequest,
    ) -> ClearChargingProfileResponse {
        let status = self.smart.clear(r);
        if status == ClearChargingProfileStatus::Accepted {
            self.changed();
        }
        ClearChargingProfileResponse { status }
    }

    fn composite_schedule(
        &self,
        now: Instant,
        r: &GetCompositeScheduleRequest,
    ) -> GetCompositeScheduleResponse {
        let connectors = i32::try_from(self.settings.limits.connectors).unwrap_or(i32::MAX);
        let duration = u32::try_from(r.duration)
            .ok()
            .filter(|d| *d <= self.settings.limits.max_composite_duration_s);
        let (Some(duration), true, true) = (
            duration,
            (0..=connectors).contains(&r.connector_id),
            r.charging_rate_unit
                .is_none_or(|u| u == ChargingRateUnit::A),
        ) else {
            return GetCompositeScheduleResponse {
                status: GetCompositeScheduleStatus::Rejected,
                connector_id: None,
                schedule_start: None,
                charging_schedule: None,
            };
        };
        let wall = self.wall_clock(now).unix_millis();
        let start = wall.saturating_sub(wall.rem_euclid(1000));
        let mut ctx = self.smart_context();
        ctx.relative_start = ctx.relative_start.or(Some(start));
        let max = Limit {
            tenths: i64::from(self.settings.max_current_ma / 100),
            phases: None,
        };
        let periods = self.smart.composite(start, duration, ctx, max);
        let start = DateTime::from_unix_millis(start);
        GetCompositeScheduleResponse {
            status: GetCompositeScheduleStatus::Accepted,
            connector_id: Some(r.connector_id),
            schedule_start: Some(start),
            charging_schedule: Some(ChargingSchedule {
                duration: Some(r.duration),
                start_schedule: Some(start),
                charging_rate_unit: ChargingRateUnit::A,
                charging_schedule_period: periods,
                min_charging_rate: None,
            }),
        }
    }

    /// Installs a profile (SetChargingProfile, or the TxProfile of a
    /// RemoteStartTransaction once its transaction runs).
    pub(crate) fn install_profile(
        &mut self,
        now: Instant,
        connector_id: i32,
        profile: ChargingProfile,
    ) -> ChargingProfileStatus {
        let tx = self.running_tx();
        let now_ms = self.wall_clock(now).unix_millis();
        let limits = self.settings.limits;
        let status = self
            .smart
            .set(&limits, connector_id, profile, tx.as_ref(), now_ms);
        if status == ChargingProfileStatus::Accepted {
            self.changed();
        }
        status
    }

    /// The transaction on connector 1, as the profiles see it.
    fn running_tx(&self) -> Option<RunningTx> {
        self.connector.transaction().map(|tx| RunningTx {
            local_id: tx.local_id,
            transaction_id: tx.transaction_id,
            started_ms: tx.started_at.unix_millis(),
        })
    }

    fn smart_context(&self) -> Context {
        let tx = self.running_tx();
        Context {
            tx: tx.map(|t| t.local_id),
            relative_start: tx.map(|t| t.started_ms),
        }
    }

    /// The profiles' limit on connector 1 now in mA (`None`: no profile limits it).
    /// Drops the TxProfiles of ended transactions and arms the timer for the next
    /// change of the limit while a transaction runs. Called by `update_outputs`.
    pub(crate) fn charging_limit_ma(&mut self, now: Instant) -> Option<u32> {
        if self.smart.is_empty() {
            self.timers.clear(Timer::ChargingSchedule);
            return None;
        }
        let ctx = self.smart_context();
        if self.smart.forget_ended(ctx.tx) {
            self.changed();
        }
        let wall = self.wall_clock(now).unix_millis();
        let next = ctx
            .tx
            .and_then(|_| self.smart.next_change(wall, ctx))
            .and_then(|at| u64::try_from(at.saturating_sub(wall)).ok());
        match next {
            Some(wait) => self.timers.set(Timer::ChargingSchedule, now + wait),
            None => self.timers.clear(Timer::ChargingSchedule),
        }
        self.smart.limit_at(wall, ctx).map(Limit::milliamps)
    }

    /// The composite schedule of connector 1 from now for `duration_s` (at most the
    /// product's 24 h), as GetCompositeSchedule would answer it: `(startPeriod s, limit
    /// in A tenths)`, the box's own maximum where no profile limits (a home's chart).
    #[must_use]
    pub fn composite_limits(&self, now: Instant, duration_s: u32) -> alloc::vec::Vec<(i32, i64)> {
        let r = GetCompositeScheduleRequest {
            connector_id: 1,
            duration: i32::try_from(duration_s.min(self.settings.limits.max_composite_duration_s))
                .unwrap_or(0),
            charging_rate_unit: Some(ChargingRateUnit::A),
        };
        self.composite_schedule(now, &r)
            .charging_schedule
            .map(|s| {
                s.charging_schedule_period
                    .iter()
                    .map(|p| (p.start_period, p.limit.tenths()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The installed charging profiles.
    #[must_use]
    pub fn charging_profiles(&self) -> &crate::smart::ChargingProfiles {
        &self.smart
    }
}
