//! Messages of the Reservation profile.

use serde::{Deserialize, Serialize};

use crate::{CiString20, DateTime};

use super::enums::*;

/// `ReserveNow` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReserveNowRequest {
    /// `connectorId` (required).
    pub connector_id: i32,
    /// `expiryDate` (required).
    pub expiry_date: DateTime,
    /// `idTag` (required, at most 20 characters).
    pub id_tag: CiString20,
    /// `parentIdTag` (optional, at most 20 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id_tag: Option<CiString20>,
    /// `reservationId` (required).
    pub reservation_id: i32,
}

/// `ReserveNow` response (`ReserveNow.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReserveNowResponse {
    /// `status` (required).
    pub status: ReservationStatus,
}

/// `CancelReservation` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelReservationRequest {
    /// `reservationId` (required).
    pub reservation_id: i32,
}

/// `CancelReservation` response (`CancelReservation.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelReservationResponse {
    /// `status` (required).
    pub status: CancelReservationStatus,
}
