//! Messages of the Core profile.

use alloc::{string::String, vec::Vec};
use serde::{Deserialize, Serialize};

use crate::{CiString20, CiString25, CiString50, CiString255, CiString500, DateTime};

use super::{common::*, enums::*};

/// `Authorize` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeRequest {
    /// `idTag` (required, at most 20 characters).
    pub id_tag: CiString20,
}

/// `Authorize` response (`Authorize.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuthorizeResponse {
    /// `idTagInfo` (required).
    pub id_tag_info: IdTagInfo,
}

/// `BootNotification` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BootNotificationRequest {
    /// `chargePointVendor` (required, at most 20 characters).
    pub charge_point_vendor: CiString20,
    /// `chargePointModel` (required, at most 20 characters).
    pub charge_point_model: CiString20,
    /// `chargePointSerialNumber` (optional, at most 25 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_point_serial_number: Option<CiString25>,
    /// `chargeBoxSerialNumber` (optional, at most 25 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_box_serial_number: Option<CiString25>,
    /// `firmwareVersion` (optional, at most 50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<CiString50>,
    /// `iccid` (optional, at most 20 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iccid: Option<CiString20>,
    /// `imsi` (optional, at most 20 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imsi: Option<CiString20>,
    /// `meterType` (optional, at most 25 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_type: Option<CiString25>,
    /// `meterSerialNumber` (optional, at most 25 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meter_serial_number: Option<CiString25>,
}

/// `BootNotification` response (`BootNotification.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BootNotificationResponse {
    /// `status` (required).
    pub status: RegistrationStatus,
    /// `currentTime` (required).
    pub current_time: DateTime,
    /// `interval` (required).
    pub interval: i32,
}

/// `ChangeAvailability` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeAvailabilityRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
    /// `type` (required).
    #[serde(rename = "type")]
    pub kind: AvailabilityType,
}

/// `ChangeAvailability` response (`ChangeAvailability.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeAvailabilityResponse {
    /// `status` (required).
    pub status: AvailabilityStatus,
}

/// `ChangeConfiguration` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeConfigurationRequest {
    /// `key` (required, at most 50 characters).
    pub key: CiString50,
    /// `value` (required, at most 500 characters).
    pub value: CiString500,
}

/// `ChangeConfiguration` response (`ChangeConfiguration.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangeConfigurationResponse {
    /// `status` (required).
    pub status: ConfigurationStatus,
}

/// `ClearCache` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearCacheRequest {}

/// `ClearCache` response (`ClearCache.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClearCacheResponse {
    /// `status` (required).
    pub status: ClearCacheStatus,
}

/// `DataTransfer` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataTransferRequest {
    /// `vendorId` (required, at most 255 characters).
    pub vendor_id: CiString255,
    /// `messageId` (optional, at most 50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<CiString50>,
    /// `data` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// `DataTransfer` response (`DataTransfer.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataTransferResponse {
    /// `status` (required).
    pub status: DataTransferStatus,
    /// `data` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// `GetConfiguration` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetConfigurationRequest {
    /// `key` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<Vec<CiString50>>,
}

/// `GetConfiguration` response (`GetConfiguration.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetConfigurationResponse {
    /// `configurationKey` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration_key: Option<Vec<KeyValue>>,
    /// `unknownKey` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_key: Option<Vec<CiString50>>,
}

/// `Heartbeat` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeartbeatRequest {}

/// `Heartbeat` response (`Heartbeat.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeartbeatResponse {
    /// `currentTime` (required).
    pub current_time: DateTime,
}

/// `MeterValues` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeterValuesRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
    /// `transactionId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<i32>,
    /// `meterValue` (required, at least 1 item).
    pub meter_value: Vec<MeterValue>,
}

/// `MeterValues` response (`MeterValues.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeterValuesResponse {}

/// `RemoteStartTransaction` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStartTransactionRequest {
    /// `connectorId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
    /// `idTag` (required, at most 20 characters).
    pub id_tag: CiString20,
    /// `chargingProfile` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charging_profile: Option<ChargingProfile>,
}

/// `RemoteStartTransaction` response (`RemoteStartTransaction.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStartTransactionResponse {
    /// `status` (required).
    pub status: RemoteStartStopStatus,
}

/// `RemoteStopTransaction` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStopTransactionRequest {
    /// `transactionId` (required).
    pub transaction_id: i32,
}

/// `RemoteStopTransaction` response (`RemoteStopTransaction.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteStopTransactionResponse {
    /// `status` (required).
    pub status: RemoteStartStopStatus,
}

/// `Reset` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetRequest {
    /// `type` (required).
    #[serde(rename = "type")]
    pub kind: ResetType,
}

/// `Reset` response (`Reset.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetResponse {
    /// `status` (required).
    pub status: ResetStatus,
}

/// `StartTransaction` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartTransactionRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
    /// `idTag` (required, at most 20 characters).
    pub id_tag: CiString20,
    /// `meterStart` (required).
    pub meter_start: i32,
    /// `reservationId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<i32>,
    /// `timestamp` (required).
    pub timestamp: DateTime,
}

/// `StartTransaction` response (`StartTransaction.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StartTransactionResponse {
    /// `idTagInfo` (required).
    pub id_tag_info: IdTagInfo,
    /// `transactionId` (required).
    pub transaction_id: i32,
}

/// `StatusNotification` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusNotificationRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
    /// `errorCode` (required).
    pub error_code: ChargePointErrorCode,
    /// `info` (optional, at most 50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<CiString50>,
    /// `status` (required).
    pub status: ChargePointStatus,
    /// `timestamp` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<DateTime>,
    /// `vendorId` (optional, at most 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<CiString255>,
    /// `vendorErrorCode` (optional, at most 50 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_error_code: Option<CiString50>,
}

/// `StatusNotification` response (`StatusNotification.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusNotificationResponse {}

/// `StopTransaction` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopTransactionRequest {
    /// `idTag` (optional, at most 20 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_tag: Option<CiString20>,
    /// `meterStop` (required).
    pub meter_stop: i32,
    /// `timestamp` (required).
    pub timestamp: DateTime,
    /// `transactionId` (required).
    pub transaction_id: i32,
    /// `reason` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// `transactionData` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_data: Option<Vec<MeterValue>>,
}

/// `StopTransaction` response (`StopTransaction.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopTransactionResponse {
    /// `idTagInfo` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_tag_info: Option<IdTagInfo>,
}

/// `UnlockConnector` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlockConnectorRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
}

/// `UnlockConnector` response (`UnlockConnector.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnlockConnectorResponse {
    /// `status` (required).
    pub status: UnlockStatus,
}
