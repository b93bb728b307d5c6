//! Data types shared by several messages.

use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

use crate::{CiString, CiString20, CiString50, CiString500, DateTime, Decimal};

use super::enums::*;

/// `AuthorizationData` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizationData {
    /// `idTag` (required, at most 20 characters).
    pub id_tag: CiString20,
    /// `idTagInfo` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_tag_info: Option<IdTagInfo>,
}

/// `CertificateHashData` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateHashData {
    /// `hashAlgorithm` (required).
    pub hash_algorithm: HashAlgorithm,
    /// `issuerNameHash` (required, at most 128 characters).
    pub issuer_name_hash: CiString<128>,
    /// `issuerKeyHash` (required, at most 128 characters).
    pub issuer_key_hash: CiString<128>,
    /// `serialNumber` (required, at most 40 characters).
    pub serial_number: CiString<40>,
}

/// `ChargingProfile` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChargingProfile {
    /// `chargingProfileId` (required).
    pub charging_profile_id: i32,
    /// `transactionId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<i32>,
    /// `stackLevel` (required).
    pub stack_level: i32,
    /// `chargingProfilePurpose` (required).
    pub charging_profile_purpose: ChargingProfilePurpose,
    /// `chargingProfileKind` (required).
    pub charging_profile_kind: ChargingProfileKind,
    /// `recurrencyKind` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrency_kind: Option<RecurrencyKind>,
    /// `validFrom` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime>,
    /// `validTo` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<DateTime>,
    /// `chargingSchedule` (required).
    pub charging_schedule: ChargingSchedule,
}

/// `ChargingSchedule` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChargingSchedule {
    /// `duration` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i32>,
    /// `startSchedule` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_schedule: Option<DateTime>,
    /// `chargingRateUnit` (required).
    pub charging_rate_unit: ChargingRateUnit,
    /// `chargingSchedulePeriod` (required).
    pub charging_schedule_period: Vec<ChargingSchedulePeriod>,
    /// `minChargingRate` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_charging_rate: Option<Decimal>,
}

/// `ChargingSchedulePeriod` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChargingSchedulePeriod {
    /// `startPeriod` (required).
    pub start_period: i32,
    /// `limit` (required).
    pub limit: Decimal,
    /// `numberPhases` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_phases: Option<i32>,
}

/// `Firmware` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Firmware {
    /// `location` (required, at most 512 characters).
    pub location: CiString<512>,
    /// `retrieveDateTime` (required).
    pub retrieve_date_time: DateTime,
    /// `installDateTime` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_date_time: Option<DateTime>,
    /// `signingCertificate` (required, at most 5500 characters).
    pub signing_certificate: CiString<5500>,
    /// `signature` (required, at most 800 characters).
    pub signature: CiString<800>,
}

/// `IdTagInfo` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdTagInfo {
    /// `expiryDate` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<DateTime>,
    /// `parentIdTag` (optional, at most 20 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id_tag: Option<CiString20>,
    /// `status` (required).
    pub status: AuthorizationStatus,
}

/// `KeyValue` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyValue {
    /// `key` (required, at most 50 characters).
    pub key: CiString50,
    /// `readonly` (required).
    pub readonly: bool,
    /// `value` (optional, at most 500 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<CiString500>,
}

/// `LogParameters` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogParameters {
    /// `remoteLocation` (required, at most 512 characters).
    pub remote_location: CiString<512>,
    /// `oldestTimestamp` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_timestamp: Option<DateTime>,
    /// `latestTimestamp` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_timestamp: Option<DateTime>,
}

/// `MeterValue` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeterValue {
    /// `timestamp` (required).
    pub timestamp: DateTime,
    /// `sampledValue` (required, at least 1 item).
    pub sampled_value: Vec<SampledValue>,
}

/// `SampledValue` of the OCPP 1.6 schemas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SampledValue {
    /// `value` (required).
    pub value: String,
    /// `context` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<ReadingContext>,
    /// `format` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ValueFormat>,
    /// `measurand` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurand: Option<Measurand>,
    /// `phase` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// `location` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// `unit` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitOfMeasure>,
}
