//! Messages of the Smart Charging profile.

use serde::{Deserialize, Serialize};

use crate::DateTime;

use super::{common::*, enums::*};

/// `SetChargingProfile` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetChargingProfileRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
    /// `csChargingProfiles` (required).
    pub cs_charging_profiles: ChargingProfile,
}

/// `SetChargingProfile` response (`SetChargingProfile.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetChargingProfileResponse {
    /// `status` (required).
    pub status: ChargingProfileStatus,
}

/// `ClearChargingProfile` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearChargingProfileRequest {
    /// `id` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i32>,
    /// `connectorId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
    /// `chargingProfilePurpose` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_profile_purpose: Option<ChargingProfilePurpose>,
    /// `stackLevel` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_level: Option<i32>,
}

/// `ClearChargingProfile` response (`ClearChargingProfile.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearChargingProfileResponse {
    /// `status` (required).
    pub status: ClearChargingProfileStatus,
}

/// `GetCompositeSchedule` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetCompositeScheduleRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
    /// `duration` (required).
    pub duration: i32,
    /// `chargingRateUnit` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_rate_unit: Option<ChargingRateUnit>,
}

/// `GetCompositeSchedule` response (`GetCompositeSchedule.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetCompositeScheduleResponse {
    /// `status` (required).
    pub status: GetCompositeScheduleStatus,
    /// `connectorId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
    /// `scheduleStart` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_start: Option<DateTime>,
    /// `chargingSchedule` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_schedule: Option<ChargingSchedule>,
}
