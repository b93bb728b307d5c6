//! The durable state: everything that must survive a power cut, as one serializable
//! value with a format version.
//!
//! The engine says when it changed ([`ChargePoint::poll_persist`](crate::ChargePoint::poll_persist)); the home writes it
//! (browser storage, a file written with an atomic rename, a flash page) **before** it
//! sends the frames that depend on it, and hands the last written value to
//! [`ChargePoint::restore`](crate::ChargePoint::restore) after a crash, a reload or a reset. A stored value that does
//! not parse is refused with a [`RestoreError`] that says why; the home then keeps the
//! bad copy aside, starts from defaults, and loses nothing it could still read.

use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
use ocpp16::{Action, DateTime, Request};
use serde::{Deserialize, Serialize};

use crate::{
    config::Configuration,
    id_tags::{AuthCache, LocalList},
    session::{Outgoing, Purpose},
    transaction::Transaction,
};

/// The format this engine writes. Older formats load; newer ones are refused.
pub const FORMAT_VERSION: u32 = 1;

/// A transaction message waiting for delivery, stored as its action and JSON payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCall {
    /// The action name.
    pub action: String,
    /// The request's payload as JSON text.
    pub payload: String,
    /// The engine's number of the transaction it belongs to.
    pub transaction: u32,
    /// Failed deliveries so far.
    pub attempts: u32,
}

/// Everything that must survive a power cut.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DurableState {
    /// [`FORMAT_VERSION`] of the engine that wrote it.
    pub format: u32,
    /// The configuration, AuthorizationKey included.
    pub config: Configuration,
    /// The local authorization list and its version.
    #[serde(default)]
    pub local_list: LocalList,
    /// The authorization cache.
    #[serde(default)]
    pub cache: AuthCache,
    /// Transaction messages not yet delivered, oldest first (the one in flight first).
    #[serde(default)]
    pub outbox: Vec<StoredCall>,
    /// The transaction in progress.
    #[serde(default)]
    pub transaction: Option<Transaction>,
    /// CSMS ids of ended transactions whose StopTransaction is still to be delivered.
    #[serde(default)]
    pub finished_ids: Vec<(u32, i32)>,
    /// The engine's next transaction number.
    pub next_transaction: u32,
    /// The energy register in Wh when the state was taken.
    pub energy_wh: u64,
    /// Connector 1 made inoperative by ChangeAvailability.
    #[serde(default)]
    pub inoperative: bool,
    /// The charge point as a whole made inoperative.
    #[serde(default)]
    pub cp_inoperative: bool,
    /// The reservation of connector 1.
    #[serde(default)]
    pub reservation: Option<crate::Reservation>,
    /// The installed charging profiles (Smart Charging).
    #[serde(default)]
    pub charging_profiles: Vec<crate::smart::StoredProfile>,
    /// The wall clock when the state was taken (the time of a PowerLoss stop).
    pub wall_clock: DateTime,
    /// Jobs the home was carrying out (downloads, uploads, an installation).
    #[serde(default, serialize_with = "store_jobs", deserialize_with = "load_jobs")]
    pub jobs: crate::jobs::Jobs,
    /// Power-ons and reboots so far (message ids differ across restarts).
    #[serde(default)]
    pub boots: u64,
}

/// Why a stored state was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreError {
    /// The text is not a stored state (truncated, edited, another program's data).
    Corrupt(String),
    /// A newer engine wrote it; this one cannot know what it would drop.
    TooNew {
        /// The format found.
        found: u32,
        /// The newest format this engine reads.
        supported: u32,
    },
}

impl core::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Corrupt(why) => write!(f, "stored state is corrupt: {why}"),
            Self::TooNew { found, supported } => write!(
                f,
                "stored state has format {found}, this engine reads up to {supported}: refusing to overwrite it"
            ),
        }
    }
}

impl core::error::Error for RestoreError {}

impl DurableState {
    /// The stored text.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored text, refusing anything it cannot trust.
    pub fn from_json(text: &str) -> Result<Self, RestoreError> {
        #[derive(Deserialize)]
        struct Version {
            format: u32,
        }
        let version: Version =
            serde_json::from_str(text).map_err(|e| RestoreError::Corrupt(e.to_string()))?;
        if version.format > FORMAT_VERSION {
            return Err(RestoreError::TooNew {
                found: version.format,
                supported: FORMAT_VERSION,
            });
        }
        let state: Self =
            serde_json::from_str(text).map_err(|e| RestoreError::Corrupt(e.to_string()))?;
        for call in &state.outbox {
            if !matches!(
                call.action.as_str(),
                "StartTransaction" | "StopTransaction" | "MeterValues"
            ) {
                return Err(RestoreError::Corrupt(format!(
                    "outbox holds a {} message",
                    call.action
                )));
            }
        }
        Ok(state)
    }
}

/// A queued transaction message in stored form.
pub(crate) fn store_call(out: &Outgoing) -> Option<StoredCall> {
    let transaction = match out.purpose {
        Purpose::StartTx { tx } | Purpose::StopTx { tx } | Purpose::TxMeter { tx } => tx,
        _ => return None,
    };
    Some(StoredCall {
        action: String::from(out.request.action().as_str()),
        payload: out.request.to_payload(),
        transaction,
        attempts: out.attempts,
    })
}

/// A stored transaction message back in queue form; `None` if it no longer decodes.
pub(crate) fn load_call(call: &StoredCall) -> Option<Outgoing> {
    use ocpp16::decode_message;
    let action = Action::from_name(&call.action)?;
    let tx = call.transaction;
    let payload = &call.payload;
    // Only the three transaction messages are ever stored: decoding just those keeps
    // every other request's decoder out of an MCU image.
    let (request, purpose) = match action {
        Action::StartTransaction => (
            Request::StartTransaction(decode_message(payload).ok()?),
            Purpose::StartTx { tx },
        ),
        Action::StopTransaction => (
            Request::StopTransaction(decode_message(payload).ok()?),
            Purpose::StopTx { tx },
        ),
        Action::MeterValues => (
            Request::MeterValues(decode_message(payload).ok()?),
            Purpose::TxMeter { tx },
        ),
        _ => return None,
    };
    Some(Outgoing {
        request,
        purpose,
        attempts: call.attempts,
    })
}

fn store_jobs<S: serde::Serializer>(jobs: &crate::jobs::Jobs, s: S) -> Result<S::Ok, S::Error> {
    jobs.store().serialize(s)
}

fn load_jobs<'de, D: serde::Deserializer<'de>>(d: D) -> Result<crate::jobs::Jobs, D::Error> {
    let text = String::deserialize(d)?;
    crate::jobs::Jobs::load(&text).map_err(serde::de::Error::custom)
}

#[cfg(test)]
#[path = "durable_tests.rs"]
mod tests;
