//! Messages of the Local Auth List Management profile.

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::{common::*, enums::*};

/// `GetLocalListVersion` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetLocalListVersionRequest {}

/// `GetLocalListVersion` response (`GetLocalListVersion.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetLocalListVersionResponse {
    /// `listVersion` (required).
    pub list_version: i32,
}

/// `SendLocalList` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendLocalListRequest {
    /// `listVersion` (required).
    pub list_version: i32,
    /// `localAuthorizationList` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_authorization_list: Option<Vec<AuthorizationData>>,
    /// `updateType` (required).
    pub update_type: UpdateType,
}

/// `SendLocalList` response (`SendLocalList.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendLocalListResponse {
    /// `status` (required).
    pub status: UpdateStatus,
}
