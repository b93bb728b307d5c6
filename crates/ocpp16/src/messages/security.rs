//! Messages of the Security Whitepaper (OCPP 1.6 security extension).

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::{CiString, CiString50, CiString255, DateTime};

use super::{common::*, enums::*};

/// `CertificateSigned` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateSignedRequest {
    /// `certificateChain` (required, at most 10000 characters).
    pub certificate_chain: CiString<10000>,
}

/// `CertificateSigned` response (`CertificateSigned.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateSignedResponse {
    /// `status` (required).
    pub status: CertificateSignedStatus,
}

/// `DeleteCertificate` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteCertificateRequest {
    /// `certificateHashData` (required).
    pub certificate_hash_data: CertificateHashData,
}

/// `DeleteCertificate` response (`DeleteCertificate.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteCertificateResponse {
    /// `status` (required).
    pub status: DeleteCertificateStatus,
}

/// `ExtendedTriggerMessage` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtendedTriggerMessageRequest {
    /// `requestedMessage` (required).
    pub requested_message: ExtendedMessageTrigger,
    /// `connectorId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
}

/// `ExtendedTriggerMessage` response (`ExtendedTriggerMessage.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtendedTriggerMessageResponse {
    /// `status` (required).
    pub status: TriggerMessageStatus,
}

/// `GetInstalledCertificateIds` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetInstalledCertificateIdsRequest {
    /// `certificateType` (required).
    pub certificate_type: CertificateUse,
}

/// `GetInstalledCertificateIds` response (`GetInstalledCertificateIds.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetInstalledCertificateIdsResponse {
    /// `certificateHashData` (optional, at least 1 item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_hash_data: Option<Vec<CertificateHashData>>,
    /// `status` (required).
    pub status: GetInstalledCertificateStatus,
}

/// `GetLog` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetLogRequest {
    /// `log` (required).
    pub log: LogParameters,
    /// `logType` (required).
    pub log_type: LogType,
    /// `requestId` (required).
    pub request_id: i32,
    /// `retries` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// `retryInterval` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
}

/// `GetLog` response (`GetLog.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetLogResponse {
    /// `status` (required).
    pub status: LogStatus,
    /// `filename` (optional, at most 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<CiString255>,
}

/// `InstallCertificate` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallCertificateRequest {
    /// `certificateType` (required).
    pub certificate_type: CertificateUse,
    /// `certificate` (required, at most 5500 characters).
    pub certificate: CiString<5500>,
}

/// `InstallCertificate` response (`InstallCertificate.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallCertificateResponse {
    /// `status` (required).
    pub status: InstallCertificateStatus,
}

/// `LogStatusNotification` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogStatusNotificationRequest {
    /// `status` (required).
    pub status: UploadLogStatus,
    /// `requestId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i32>,
}

/// `LogStatusNotification` response (`LogStatusNotification.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogStatusNotificationResponse {}

/// `SecurityEventNotification` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecurityEventNotificationRequest {
    /// `type` (required, at most 50 characters).
    #[serde(rename = "type")]
    pub kind: CiString50,
    /// `timestamp` (required).
    pub timestamp: DateTime,
    /// `techInfo` (optional, at most 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tech_info: Option<CiString255>,
}

/// `SecurityEventNotification` response (`SecurityEventNotification.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecurityEventNotificationResponse {}

/// `SignCertificate` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignCertificateRequest {
    /// `csr` (required, at most 5500 characters).
    pub csr: CiString<5500>,
}

/// `SignCertificate` response (`SignCertificate.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignCertificateResponse {
    /// `status` (required).
    pub status: GenericStatus,
}

/// `SignedFirmwareStatusNotification` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedFirmwareStatusNotificationRequest {
    /// `status` (required).
    pub status: SignedFirmwareStatus,
    /// `requestId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<i32>,
}

/// `SignedFirmwareStatusNotification` response (`SignedFirmwareStatusNotification.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedFirmwareStatusNotificationResponse {}

/// `SignedUpdateFirmware` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedUpdateFirmwareRequest {
    /// `retries` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// `retryInterval` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    /// `requestId` (required).
    pub request_id: i32,
    /// `firmware` (required).
    pub firmware: Firmware,
}

/// `SignedUpdateFirmware` response (`SignedUpdateFirmware.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedUpdateFirmwareResponse {
    /// `status` (required).
    pub status: UpdateFirmwareStatus,
}
