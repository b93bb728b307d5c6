//! Smart Charging as data: the installed charging profiles, the rules for installing
//! and clearing them, and (in `smart/schedule.rs`) the limit they make over time. Pure: the
//! engine passes the time (UTC ms) and the transaction; nothing here has a clock.
//!
//! Product rules (Teltonika EVC): rate unit A only, stack level 0–5, at most 5 periods
//! per schedule, at most 9 profiles installed. A ChargePointMaxProfile lives on
//! connector 0, a TxDefaultProfile on 0 or 1, a TxProfile on connector 1 and only while
//! a transaction runs there (it is removed when that transaction ends).

use alloc::{string::String, vec::Vec};
use ocpp16::{
    Action, Request,
    messages::{
        ChargingProfile, ChargingProfileKind, ChargingProfilePurpose, ChargingProfileStatus,
        ChargingRateUnit, ClearChargingProfileRequest, ClearChargingProfileStatus,
        SetChargingProfileRequest,
    },
};

use crate::model::Limits;

mod schedule;
#[cfg(test)]
mod tests;

pub use schedule::{Context, Limit};

/// A charging profile as installed.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledProfile {
    /// The connector it was set on (0 = the charge point as a whole).
    pub connector_id: i32,
    /// A TxProfile's transaction: the engine's own number of it.
    pub transaction: Option<u32>,
    /// The profile as the CSMS sent it (an Absolute one without startSchedule gets the
    /// time it was installed).
    pub profile: ChargingProfile,
}

/// The transaction running on connector 1, as the profiles need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunningTx {
    /// The engine's number of it.
    pub local_id: u32,
    /// The CSMS's transaction id, once known.
    pub transaction_id: Option<i32>,
    /// When it started, UTC ms (where a Relative schedule starts).
    pub started_ms: i64,
}

/// The installed charging profiles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChargingProfiles {
    installed: Vec<InstalledProfile>,
}

impl ChargingProfiles {
    /// The installed profiles, in the order they were installed.
    #[must_use]
    pub fn installed(&self) -> &[InstalledProfile] {
        &self.installed
    }

    /// Whether no profile is installed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.installed.is_empty()
    }

    /// SetChargingProfile: installs `profile` on `connector_id`, replacing a profile
    /// with the same id, or with the same stack level and purpose on that connector.
    pub fn set(
        &mut self,
        limits: &Limits,
        connector_id: i32,
        mut profile: ChargingProfile,
        tx: Option<&RunningTx>,
        now_ms: i64,
    ) -> ChargingProfileStatus {
        let Some(transaction) = check(limits, connector_id, &profile, tx) else {
            return ChargingProfileStatus::Rejected;
        };
        if profile.charging_profile_kind == ChargingProfileKind::Absolute
            && profile.charging_schedule.start_schedule.is_none()
        {
            profile.charging_schedule.start_schedule =
                Some(ocpp16::DateTime::from_unix_millis(now_ms));
        }
        let replaces = |p: &InstalledProfile| {
            p.profile.charging_profile_id == profile.charging_profile_id
                || (p.connector_id == connector_id
                    && p.profile.stack_level == profile.stack_level
                    && p.profile.charging_profile_purpose == profile.charging_profile_purpose)
        };
        let kept = self.installed.iter().filter(|p| !replaces(p)).count();
        if kept >= limits.max_profiles {
            return ChargingProfileStatus::Rejected;
        }
        self.installed.retain(|p| !replaces(p));
        self.installed.push(InstalledProfile {
            connector_id,
            transaction,
            profile,
        });
        ChargingProfileStatus::Accepted
    }

    /// ClearChargingProfile: by id alone when given, else every profile matching all
    /// the criteria given (all of them when none is). Accepted when any was removed.
    pub fn clear(&mut self, r: &ClearChargingProfileRequest) -> ClearChargingProfileStatus {
        let before = self.installed.len();
        let matches = |p: &InstalledProfile| match r.id {
            Some(id) => p.profile.charging_profile_id == id,
            None => {
                r.connector_id.is_none_or(|c| c == p.connector_id)
                    && r.charging_profile_purpose
                        .is_none_or(|u| u == p.profile.charging_profile_purpose)
                    && r.stack_level.is_none_or(|s| s == p.profile.stack_level)
            }
        };
        self.installed.retain(|p| !matches(p));
        if self.installed.len() < before {
            ClearChargingProfileStatus::Accepted
        } else {
            ClearChargingProfileStatus::Unknown
        }
    }

    /// Removes the TxProfiles of transactions other than `running` (they ended).
    /// True when any was removed.
    pub fn forget_ended(&mut self, running: Option<u32>) -> bool {
        let before = self.installed.len();
        self.installed.retain(|p| {
            p.profile.charging_profile_purpose != ChargingProfilePurpose::TxProfile
                || p.transaction.is_some_and(|t| Some(t) == running)
        });
        self.installed.len() < before
    }
}

/// An installed profile in the durable state: its SetChargingProfile payload as JSON
/// text (read back by the wire decoder, which a firmware has anyway).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    /// A TxProfile's transaction: the engine's own number of it.
    pub transaction: Option<u32>,
    /// The SetChargingProfile payload.
    pub payload: String,
}

// The stored form (see `crate::durable`): format 1's names after `|`.
ocpp16::stored_struct! {
    StoredProfile {
        transaction: "tx" | "transaction" opt,
        payload: "payload" req,
    }
}

impl ChargingProfiles {
    /// The stored form.
    #[must_use]
    pub fn store(&self) -> Vec<StoredProfile> {
        self.installed
            .iter()
            .map(|p| StoredProfile {
                transaction: p.transaction,
                payload: ocpp16::codec::encode(&SetChargingProfileRequest {
                    connector_id: p.connector_id,
                    cs_charging_profiles: p.profile.clone(),
                }),
            })
            .collect()
    }

    /// Back from the stored form; an entry that no longer decodes is dropped.
    #[must_use]
    pub fn load(stored: &[StoredProfile]) -> Self {
        let installed = stored
            .iter()
            .filter_map(
                |s| match Request::decode(Action::SetChargingProfile, &s.payload) {
                    Ok(Request::SetChargingProfile(r)) => Some(InstalledProfile {
                        connector_id: r.connector_id,
                        transaction: s.transaction,
                        profile: r.cs_charging_profiles,
                    }),
                    _ => None,
                },
            )
            .collect();
        Self { installed }
    }
}

/// Whether the TxProfile of a RemoteStartTransaction could be installed on connector 1
/// once its transaction starts (the product's limits; no transactionId of its own).
#[must_use]
pub fn remote_start_profile_ok(limits: &Limits, profile: &ChargingProfile) -> bool {
    let future = RunningTx {
        local_id: 0,
        transaction_id: None,
        started_ms: 0,
    };
    profile.charging_profile_purpose == ChargingProfilePurpose::TxProfile
        && profile.transaction_id.is_none()
        && check(limits, 1, profile, Some(&future)).is_some()
}

/// Whether `profile` may be installed on `connector_id`: `Some(binding)` (the
/// transaction a TxProfile belongs to) when it may, `None` when it is Rejected.
fn check(
    limits: &Limits,
    connector_id: i32,
    profile: &ChargingProfile,
    tx: Option<&RunningTx>,
) -> Option<Option<u32>> {
    let connectors = i32::try_from(limits.connectors).unwrap_or(i32::MAX);
    let schedule = &profile.charging_schedule;
    let periods = &schedule.charging_schedule_period;
    let max_stack = i64::from(limits.max_stack_level);
    let ok = (0..=connectors).contains(&connector_id)
        && (0..=max_stack).contains(&i64::from(profile.stack_level))
        && schedule.charging_rate_unit == ChargingRateUnit::A
        && !periods.is_empty()
        && periods.len() <= limits.max_schedule_periods
        && periods.iter().all(|p| {
            p.start_period >= 0
                && p.limit.tenths() >= 0
                && p.number_phases.is_none_or(|n| (1..=3).contains(&n))
        })
        && periods
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.start_period < b.start_period))
        && schedule.duration.is_none_or(|d| d >= 0)
        && match (profile.valid_from, profile.valid_to) {
            (Some(from), Some(to)) => from < to,
            _ => true,
        }
        && match profile.charging_profile_kind {
            ChargingProfileKind::Recurring => {
                profile.recurrency_kind.is_some() && schedule.start_schedule.is_some()
            }
            ChargingProfileKind::Relative => {
                profile.charging_profile_purpose != ChargingProfilePurpose::ChargePointMaxProfile
            }
            ChargingProfileKind::Absolute => true,
        };
    if !ok {
        return None;
    }
    match profile.charging_profile_purpose {
        ChargingProfilePurpose::ChargePointMaxProfile => (connector_id == 0).then_some(None),
        ChargingProfilePurpose::TxDefaultProfile => Some(None),
        ChargingProfilePurpose::TxProfile => {
            let tx = tx.filter(|_| connector_id > 0)?;
            match profile.transaction_id {
                Some(id) if tx.transaction_id != Some(id) => None,
                _ => Some(Some(tx.local_id)),
            }
        }
    }
}
