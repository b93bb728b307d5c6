//! The durable state: everything that must survive a power cut, as one value with a
//! format version, stored as compact JSON written and read by the `ocpp16` codec (no
//! second JSON library in a firmware image).
//!
//! The engine says when it changed ([`ChargePoint::poll_persist`](crate::ChargePoint::poll_persist)); the home writes it
//! (browser storage, a file written with an atomic rename, a flash page) **before** it
//! sends the frames that depend on it, and hands the last written value to
//! [`ChargePoint::restore`](crate::ChargePoint::restore) after a crash, a reload or a reset. A stored value that does
//! not parse is refused with a [`RestoreError`] that says why; the home then keeps the
//! bad copy aside, starts from defaults, and loses nothing it could still read.
//!
//! # Format 2 (written since this engine)
//!
//! One JSON object, no white space. A field at its default (empty list, `false`, zero)
//! or absent (`None`) is left out; only `format`, `config`, `nextTx`, `energyWh` and
//! `wallClock` are always there.
//!
//! ```text
//! {"format":2,
//!  "config":{"HeartbeatInterval":"900",…},      keys whose value is not the default
//!  "localList":{"version":3,"entries":[{"idTag":"TAG","info":{idTagInfo}}]},
//!  "cache":{"entries":[…]},                      least recently used first
//!  "outbox":[{"action":"StartTransaction","payload":"{…}","tx":1,"attempts":1}],
//!  "transaction":{"localId":2,"transactionId":7,"idTag":"TAG","parentIdTag":"G",
//!                 "meterStart":1226,"startedAt":"2026-…Z","energyAllowed":true,
//!                 "txData":{"max":24,"samples":[{"at":"…","context":"Sample.Periodic",
//!                   "reading":{"energyWh":…,"currentMa":[…],"voltageDv":[…],"powerW":…,
//!                              "temperatureDc":…,"phases":7},"offeredMa":16000,
//!                   "measurands":3}]}},
//!  "finishedIds":[[1,1]],                        [engine number, CSMS id]
//!  "nextTx":3,"energyWh":1456,
//!  "inoperative":true,"cpInoperative":true,
//!  "reservation":{"id":77,"idTag":"TAG","parentIdTag":"G","expiry":"…"},
//!  "profiles":[{"tx":2,"payload":"{SetChargingProfile payload}"}],
//!  "wallClock":"2026-01-01T00:05:48Z",
//!  "jobs":"2\n1\tdownload\trunning\t…\n",      one line per job (see `jobs`)
//!  "boots":1,
//!  "firmware":"…",                              the update's phase, installed version
//!  "security":{"log":[["…Z","line"]],"events":[{"type":"StartupOfTheDevice",
//!              "timestamp":"…","techInfo":"…"}],"fallback":2,"failures":1,
//!              "root":"PEM","pendingKey":"hex","chain":"PEM","chainKey":"hex"}}
//! ```
//!
//! `idTagInfo` is the OCPP type in its wire form; the outbox and profile payloads are
//! OCPP payloads as text, read back by the wire decoders.
//!
//! # Format 1 (still read)
//!
//! What the serde-based writer of earlier engines wrote: snake_case names
//! (`local_list`, `next_transaction`, `id_tag`, `meter_start_wh`, `offered_ma`, …),
//! `null` for an absent value, and the configuration as every key's
//! `[["name","value"],…]`. The reader takes either name of every field, `null` for an
//! absent one, and both shapes of the configuration; unknown fields are ignored.
//!
//! # Refusals
//!
//! A text that is not JSON, lacks `format`, or breaks a field's rules is
//! [`RestoreError::Corrupt`] with the path and the fault
//! (`transaction.idTag: 23 characters, at most 20 allowed`); a newer format is
//! [`RestoreError::TooNew`]. No input makes the reader panic.

use alloc::{format, string::String, vec::Vec};
use ocpp16::{
    Action, DateTime, Payload, Request,
    codec::{DecodeError, Reader, Record},
};

use crate::{
    config::Configuration,
    id_tags::{AuthCache, LocalList},
    session::{Outgoing, Purpose},
    transaction::Transaction,
};

/// The format this engine writes. Older formats load; newer ones are refused.
pub const FORMAT_VERSION: u32 = 2;

/// A transaction message waiting for delivery, stored as its action and JSON payload.
#[derive(Debug, Clone, PartialEq, Eq)]
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

ocpp16::stored_struct! {
    StoredCall {
        action: "action" req,
        payload: "payload" req,
        transaction: "tx" | "transaction" req,
        attempts: "attempts" def,
    }
}

/// Everything that must survive a power cut.
#[derive(Debug, Clone, PartialEq)]
pub struct DurableState {
    /// [`FORMAT_VERSION`] of the engine that wrote it.
    pub format: u32,
    /// The configuration, AuthorizationKey included.
    pub config: Configuration,
    /// The local authorization list and its version.
    pub local_list: LocalList,
    /// The authorization cache.
    pub cache: AuthCache,
    /// Transaction messages not yet delivered, oldest first (the one in flight first).
    pub outbox: Vec<StoredCall>,
    /// The transaction in progress.
    pub transaction: Option<Transaction>,
    /// CSMS ids of ended transactions whose StopTransaction is still to be delivered.
    pub finished_ids: Vec<(u32, i32)>,
    /// The engine's next transaction number.
    pub next_transaction: u32,
    /// The energy register in Wh when the state was taken.
    pub energy_wh: u64,
    /// Connector 1 made inoperative by ChangeAvailability.
    pub inoperative: bool,
    /// The charge point as a whole made inoperative.
    pub cp_inoperative: bool,
    /// The reservation of connector 1.
    pub reservation: Option<crate::Reservation>,
    /// The installed charging profiles (Smart Charging).
    pub charging_profiles: Vec<crate::smart::StoredProfile>,
    /// The wall clock when the state was taken (the time of a PowerLoss stop).
    pub wall_clock: DateTime,
    /// Jobs the home was carrying out (downloads, uploads, an installation).
    pub jobs: crate::jobs::Jobs,
    /// The firmware update in progress and the version an update installed (compact
    /// text, see [`crate::firmware::Firmware::store`]).
    pub firmware: crate::firmware::Firmware,
    /// Power-ons and reboots so far (message ids differ across restarts).
    pub boots: u64,
    /// The Security extension: the security log, undelivered security events, a
    /// SecurityProfile raise not yet proven, certificates and keys (see
    /// [`crate::security::Stored`]).
    pub security: crate::security::Stored,
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

/// The fields of [`DurableState`]: the name format 2 writes, then format 1's.
const NAMES: &[&str] = &[
    "format",
    "format",
    "config",
    "config",
    "localList",
    "local_list",
    "cache",
    "cache",
    "outbox",
    "outbox",
    "transaction",
    "transaction",
    "finishedIds",
    "finished_ids",
    "nextTx",
    "next_transaction",
    "energyWh",
    "energy_wh",
    "inoperative",
    "inoperative",
    "cpInoperative",
    "cp_inoperative",
    "reservation",
    "reservation",
    "profiles",
    "charging_profiles",
    "wallClock",
    "wall_clock",
    "jobs",
    "jobs",
    "boots",
    "boots",
    "firmware",
    "firmware",
    "security",
    "security",
];

/// The name of field `index` as written.
fn name(index: usize) -> &'static str {
    NAMES.get(index * 2).copied().unwrap_or("")
}

/// The jobs as their one-line-per-job text.
impl Payload for crate::jobs::Jobs {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::load(&String::read(r)?).map_err(DecodeError::invalid)
    }

    fn write(&self, out: &mut String) {
        self.store().write(out);
    }
}

/// The firmware update as its one-line text.
impl Payload for crate::firmware::Firmware {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::load(&String::read(r)?).map_err(DecodeError::invalid)
    }

    fn write(&self, out: &mut String) {
        self.store().write(out);
    }
}

impl DurableState {
    /// The stored text (format [`FORMAT_VERSION`], whatever `format` says).
    #[must_use]
    pub fn to_json(&self) -> String {
        self.to_json_sized(512)
    }

    /// [`Self::to_json`] into a string of `capacity` bytes to begin with: a home that
    /// knows about how long its last state was passes a little more, so the text is not
    /// copied while it grows (an MCU's heap would hold it twice for a moment).
    #[must_use]
    pub fn to_json_sized(&self, capacity: usize) -> String {
        let mut out = String::with_capacity(capacity);
        let mut r = Record::open(&mut out);
        r.put(name(0), &FORMAT_VERSION);
        r.put(name(1), &self.config);
        r.put_unless_default(name(2), &self.local_list);
        r.put_unless_default(name(3), &self.cache);
        r.put_unless_default(name(4), &self.outbox);
        r.put_some(name(5), self.transaction.as_ref());
        r.put_unless_default(name(6), &self.finished_ids);
        r.put(name(7), &self.next_transaction);
        r.put(name(8), &self.energy_wh);
        r.put_unless_default(name(9), &self.inoperative);
        r.put_unless_default(name(10), &self.cp_inoperative);
        r.put_some(name(11), self.reservation.as_ref());
        r.put_unless_default(name(12), &self.charging_profiles);
        r.put(name(13), &self.wall_clock);
        r.put_unless_default(name(14), &self.jobs);
        r.put_unless_default(name(15), &self.boots);
        r.put_unless_default(name(16), &self.firmware);
        r.put_unless_default(name(17), &self.security);
        r.close();
        out
    }

    /// Reads a stored text (format 1 or 2), refusing anything it cannot trust.
    ///
    /// # Errors
    /// [`RestoreError::Corrupt`] with the reason, or [`RestoreError::TooNew`].
    pub fn from_json(text: &str) -> Result<Self, RestoreError> {
        // The format first: a newer engine's text is refused as such, whatever it holds.
        let mut format = None;
        let mut r = Reader::over(text);
        r.record(&["format"], &mut |r, _| {
            format = Some(u32::read(r)?);
            Ok(())
        })
        .and_then(|()| r.finish())
        .map_err(corrupt)?;
        let format = format.ok_or_else(|| corrupt(DecodeError::absent("format")))?;
        if format > FORMAT_VERSION {
            return Err(RestoreError::TooNew {
                found: format,
                supported: FORMAT_VERSION,
            });
        }
        let mut r = Reader::over(text);
        let state = read_state(&mut r)
            .and_then(|state| r.finish().map(|()| state))
            .map_err(corrupt)?;
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

fn corrupt(e: DecodeError) -> RestoreError {
    if e.is_not_json() {
        // The path says in which field the text broke off or went wrong, if inside one.
        let described = e.describe();
        let mut at = described.as_str();
        while let Some(rest) = at.strip_suffix(": ") {
            at = rest;
        }
        let mut why = String::from("stored state is not JSON (truncated or damaged)");
        if !at.is_empty() {
            why.push_str(" in ");
            why.push_str(at);
        }
        RestoreError::Corrupt(why)
    } else {
        RestoreError::Corrupt(e.describe())
    }
}

fn read_state(r: &mut Reader<'_>) -> Result<DurableState, DecodeError> {
    let mut s = DurableState {
        format: 0,
        config: Configuration::new(),
        local_list: LocalList::default(),
        cache: AuthCache::default(),
        outbox: Vec::new(),
        transaction: None,
        finished_ids: Vec::new(),
        next_transaction: 0,
        energy_wh: 0,
        inoperative: false,
        cp_inoperative: false,
        reservation: None,
        charging_profiles: Vec::new(),
        wall_clock: DateTime::UNIX_EPOCH,
        jobs: crate::jobs::Jobs::default(),
        boots: 0,
        firmware: crate::firmware::Firmware::default(),
        security: crate::security::Stored::default(),
    };
    // The fields every format has: without them the state means nothing.
    let mut seen = [false; 5];
    r.record(NAMES, &mut |r, index| {
        let field = index / 2;
        match field {
            0 => s.format = u32::read(r)?,
            1 => s.config = Configuration::read(r)?,
            2 => s.local_list = LocalList::read(r)?,
            3 => s.cache = AuthCache::read(r)?,
            4 => s.outbox = Vec::read(r)?,
            5 => s.transaction = r.nullable()?,
            6 => s.finished_ids = Vec::read(r)?,
            7 => s.next_transaction = u32::read(r)?,
            8 => s.energy_wh = u64::read(r)?,
            9 => s.inoperative = bool::read(r)?,
            10 => s.cp_inoperative = bool::read(r)?,
            11 => s.reservation = r.nullable()?,
            12 => s.charging_profiles = Vec::read(r)?,
            13 => s.wall_clock = DateTime::read(r)?,
            14 => s.jobs = crate::jobs::Jobs::read(r)?,
            15 => s.boots = u64::read(r)?,
            16 => s.firmware = crate::firmware::Firmware::read(r)?,
            _ => s.security = crate::security::Stored::read(r)?,
        }
        let required = [0, 1, 7, 8, 13];
        if let Some(slot) = required
            .iter()
            .position(|&f| f == field)
            .and_then(|i| seen.get_mut(i))
        {
            *slot = true;
        }
        Ok(())
    })?;
    for (i, field) in [0, 1, 7, 8, 13].into_iter().enumerate() {
        if !seen.get(i).copied().unwrap_or(true) {
            return Err(DecodeError::absent(name(field)));
        }
    }
    Ok(s)
}

/// A queued transaction message in stored form.
pub(crate) fn store_call(out: &Outgoing) -> Option<StoredCall> {
    let transaction = match out.purpose {
        Purpose::StartTx { tx } | Purpose::StopTx { tx } | Purpose::TxMeter { tx } => tx,
        _ => return None,
    };
    Some(StoredCall {
        action: String::from(out.request.action().as_str()),
        payload: out.request.payload_from_charge_point()?,
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

#[cfg(test)]
#[path = "durable_tests.rs"]
mod tests;
