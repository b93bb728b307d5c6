//! Messages of the Firmware Management profile.

use serde::{Deserialize, Serialize};

use crate::{CiString255, DateTime, Uri};

use super::enums::*;

/// `GetDiagnostics` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetDiagnosticsRequest {
    /// `location` (required).
    pub location: Uri,
    /// `retries` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// `retryInterval` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
    /// `startTime` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime>,
    /// `stopTime` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_time: Option<DateTime>,
}

/// `GetDiagnostics` response (`GetDiagnostics.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetDiagnosticsResponse {
    /// `fileName` (optional, at most 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<CiString255>,
}

/// `DiagnosticsStatusNotification` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiagnosticsStatusNotificationRequest {
    /// `status` (required).
    pub status: DiagnosticsStatus,
}

/// `DiagnosticsStatusNotification` response (`DiagnosticsStatusNotification.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiagnosticsStatusNotificationResponse {}

/// `FirmwareStatusNotification` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirmwareStatusNotificationRequest {
    /// `status` (required).
    pub status: FirmwareStatus,
}

/// `FirmwareStatusNotification` response (`FirmwareStatusNotification.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirmwareStatusNotificationResponse {}

/// `UpdateFirmware` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFirmwareRequest {
    /// `location` (required).
    pub location: Uri,
    /// `retries` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i32>,
    /// `retrieveDate` (required).
    pub retrieve_date: DateTime,
    /// `retryInterval` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<i32>,
}

/// `UpdateFirmware` response (`UpdateFirmware.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateFirmwareResponse {}
