//! # chargepoint: the Teltonika EVC as an I/O-free state machine
//!
//! Everything the emulated Teltonika EVC (TeltoCharge) does over OCPP 1.6-J is decided
//! here, in one deterministic state machine that never reads a clock and never touches a
//! socket, file or pin. The same crate runs in a browser tab, in a native fleet runner and
//! on a microcontroller; each home owns the I/O.
//!
//! ## The contract
//! Inputs take `now`, a monotonic [`Instant`] (milliseconds) chosen by the home:
//! [`ChargePoint::handle_connected`], [`ChargePoint::handle_disconnected`],
//! [`ChargePoint::handle_frame`], [`ChargePoint::handle_hardware`],
//! [`ChargePoint::handle_timeout`] and [`ChargePoint::set_wall_clock`].
//! After every input the home drains, in this order:
//! 1. [`ChargePoint::poll_persist`]: if true, write [`ChargePoint::durable_state`]
//!    (see [`durable`]) before anything below leaves the box;
//! 2. [`ChargePoint::poll_transmit`]: frames to send to the CSMS;
//! 3. [`ChargePoint::poll_command`]: relay, cable lock, LED, connect / disconnect, reboot;
//! 4. [`ChargePoint::poll_event`]: status changes, transactions, frames, warnings for UI and logs;
//! 5. [`ChargePoint::poll_timeout`]: when to call `handle_timeout` next.
//!
//! After a power cut, a page reload or a process restart the home calls
//! [`ChargePoint::restore`] with the last state it wrote, then reports what the hardware
//! reads now (an EV still plugged in, a meter reading).
//!
//! Same inputs at the same instants give the same outputs, which makes the virtual-time
//! [`harness`] possible: an hour of charging against a scripted CSMS runs in milliseconds.
//!
//! Bad input never panics: a malformed frame is answered with the exact CALLERROR (see
//! the `ocpp16` crate docs for the mapping), an out-of-range configuration value is
//! `Rejected`, an unknown key `NotSupported`.
//!
//! ## Behaviour choices where the specification is silent
//! - BootNotification is sent at power-on (and after a Reset) only; a reconnect of a
//!   registered box reports its connector statuses again instead.
//! - While the CSMS says Pending, RemoteStart/StopTransaction are answered `Rejected`;
//!   while it says Rejected, CSMS requests are not answered (OCPP 1.6 §4.2).
//! - BootNotification's interval becomes HeartbeatInterval (as GetConfiguration shows).
//! - A fault opens the relay but keeps the transaction; it resumes when the fault clears.
//! - After the CSMS refuses the idTag in StartTransaction with StopTransactionOnInvalidId
//!   0, the transaction stays open with no energy (SuspendedEVSE), per OCPP 1.6 §5.11.
//! - StopTransaction's transactionData keeps at most 24 meter values: the first
//!   (Transaction.Begin) and the latest.
//! - A transaction interrupted by a power cut is stopped at restore with reason
//!   PowerLoss, at the time and meter value last persisted (every transaction message
//!   and meter sample persists them).
//! - Offline, a card is decided by the local list and the cache (LocalAuthorizeOffline)
//!   or, if neither knows it, by AllowOfflineTxForUnknownId; a blocked or expired entry
//!   refuses it even then. Tags on the local list are not cached.
//! - A Differential SendLocalList must carry a version higher than the list's; a lower
//!   or equal one is VersionMismatch. GetLocalListVersion is -1 while
//!   LocalAuthListEnabled is 0.
//! - At a demo speed above 1× the box's clock runs ahead of the CSMS's, so the
//!   `currentTime` of BootNotification and Heartbeat answers is not taken: the box's
//!   timestamps stay monotonic ([`ChargePoint::set_time_speed`]).
//! - A ChangeConfiguration of AuthorizationKey at SecurityProfile 0 is stored and the
//!   link stays up (profile 0 sends no credentials); at profiles 1–2 the box
//!   reconnects with the new key.
//! - Firmware Management (see [`firmware`]): `retries` counts attempts after the first
//!   (absent: one attempt), `retryInterval` defaults to 60 s; a second UpdateFirmware
//!   before the installation replaces the first, during it is ignored (logged); the
//!   installation waits for the transaction to end; a download or installation cut by
//!   a power cut is retried (attempts left) or ends DownloadFailed / InstallationFailed.
//!   TriggerMessage reports Idle before the first download attempt and after a final
//!   status. GetDiagnostics' file is `<id>-diagnostics-<yyyymmddThhmmssZ>.log`.
//! - The Security extension (see [`security`]): SecurityEventNotification for the
//!   contract's six types, durable and retried like transaction messages (the first
//!   one, StartupOfTheDevice, follows every BootNotification of a power-on); GetLog
//!   like GetDiagnostics with `<id>-securitylog|diagnosticslog-<yyyymmddThhmmssZ>.log`
//!   and `AcceptedCanceled` for a second one; ExtendedTriggerMessage like
//!   TriggerMessage; a new root replaces the installed one (store of 1); a raised
//!   SecurityProfile falls back after 3 failed connections; 2–3 need a `wss://` URL.
//! - Message ids are `<per-boot prefix>.<counter>`: the prefix comes from the home's
//!   entropy ([`Settings::seed`]), so ids never repeat across connections, reboots and
//!   restarts of the home.
#![no_std]
#![warn(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]

extern crate alloc;

mod answers;
mod authorize;
pub mod config;
mod connector;
pub mod driver;
pub mod durable;
mod engine;
mod entropy;
mod features;
pub mod firmware;
pub mod firmware_file;
pub mod harness;
pub mod held;
pub mod id_tags;
mod inbound;
pub mod interface;
pub mod jobs;
pub mod log;
pub mod metering;
pub mod mistakes;
pub mod model;
pub mod pki;

/// Whether this build carries the Security extension's certificates (the `certificates`
/// cargo feature): InstallCertificate, GetInstalledCertificateIds, CertificateSigned and
/// the CSR; without it they are NotSupported.
pub const CERTIFICATES: bool = cfg!(feature = "certificates");
pub mod scenario;
pub mod security;
mod session;
pub mod smart;
mod text;
pub mod time;
mod timeouts;
mod timers;
mod transaction;
pub mod world;

pub use connector::{Authorized, Connector};
pub use driver::{Driver, DriverConfig, Link, Output};
pub use engine::{ChargePoint, Registration, Settings, redact};
pub use features::{reservation::Reservation, supported_actions};
pub use interface::{
    ClientIdentity, Command, ConnectParams, Event, Fault, FaultClass, HardwareEvent, Led,
    MeterReading,
};
pub use jobs::{Job, JobKind, JobUpdate};
pub use time::{Instant, TimeScale};
pub use timers::Timer;
pub use transaction::Transaction;
