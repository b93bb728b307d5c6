//! Messages of the Remote Trigger profile.

use serde::{Deserialize, Serialize};

use super::enums::*;

/// `TriggerMessage` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TriggerMessageRequest {
    /// `requestedMessage` (required).
    pub requested_message: MessageTrigger,
    /// `connectorId` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<i32>,
}

/// `TriggerMessage` response (`TriggerMessage.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TriggerMessageResponse {
    /// `status` (required).
    pub status: TriggerMessageStatus,
}
