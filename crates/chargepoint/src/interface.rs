//! What goes into the engine from the hardware, and what comes out to the home.

use alloc::string::String;
use ocpp16::messages::{ChargePointErrorCode, ChargePointStatus};

/// A reading of the charge point's meter and sensors, in integer units so that the
/// engine never formats floats. The home (or [`crate::world::World`]) supplies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MeterReading {
    /// The import energy register in Wh; monotonic over the life of the box.
    pub energy_wh: u64,
    /// Current per phase L1, L2, L3 in mA.
    pub current_ma: [u32; 3],
    /// Voltage per phase (L1-N, L2-N, L3-N) in decivolts (2300 = 230.0 V).
    pub voltage_dv: [u32; 3],
    /// Total active import power in W.
    pub power_w: u32,
    /// Body temperature in deci-degrees Celsius (215 = 21.5 °C).
    pub temperature_dc: i32,
    /// Which phases are connected to the EV: bit 0 = L1, bit 1 = L2, bit 2 = L3.
    pub phases: u8,
}

// The stored form (see `crate::durable`): format 1's names after `|`; zeros left out.
ocpp16::stored_struct! {
    MeterReading {
        energy_wh: "energyWh" | "energy_wh" def,
        current_ma: "currentMa" | "current_ma" def,
        voltage_dv: "voltageDv" | "voltage_dv" def,
        power_w: "powerW" | "power_w" def,
        temperature_dc: "temperatureDc" | "temperature_dc" def,
        phases: "phases" def,
    }
}

/// A fault the hardware reports; it drives the connector to `Faulted` until cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Over-temperature.
    HighTemperature,
    /// Residual current / ground fault.
    GroundFailure,
    /// Over-current.
    OverCurrent,
    /// Supply voltage too low.
    UnderVoltage,
    /// Supply voltage too high.
    OverVoltage,
    /// The energy meter does not answer.
    PowerMeter,
    /// The relay (contactor) failed.
    PowerSwitch,
    /// The RFID reader failed.
    Reader,
    /// The socket's cable lock failed.
    ConnectorLock,
    /// Control pilot communication with the EV failed.
    EvCommunication,
    /// An internal error.
    Internal,
}

impl Fault {
    /// The `errorCode` of the StatusNotification that reports it.
    #[must_use]
    pub const fn error_code(self) -> ChargePointErrorCode {
        match self {
            Self::HighTemperature => ChargePointErrorCode::HighTemperature,
            Self::GroundFailure => ChargePointErrorCode::GroundFailure,
            Self::OverCurrent => ChargePointErrorCode::OverCurrentFailure,
            Self::UnderVoltage => ChargePointErrorCode::UnderVoltage,
            Self::OverVoltage => ChargePointErrorCode::OverVoltage,
            Self::PowerMeter => ChargePointErrorCode::PowerMeterFailure,
            Self::PowerSwitch => ChargePointErrorCode::PowerSwitchFailure,
            Self::Reader => ChargePointErrorCode::ReaderFailure,
            Self::ConnectorLock => ChargePointErrorCode::ConnectorLockFailure,
            Self::EvCommunication => ChargePointErrorCode::EvCommunicationError,
            Self::Internal => ChargePointErrorCode::InternalError,
        }
    }

    /// The error class the front panel's red pattern shows for it.
    #[must_use]
    pub const fn class(self) -> FaultClass {
        match self {
            Self::UnderVoltage | Self::OverVoltage => FaultClass::InputVoltage,
            Self::OverCurrent => FaultClass::Output,
            Self::GroundFailure => FaultClass::Leakage,
            Self::EvCommunication | Self::Reader => FaultClass::Connectivity,
            Self::HighTemperature => FaultClass::Temperature,
            Self::PowerMeter | Self::PowerSwitch | Self::ConnectorLock | Self::Internal => {
                FaultClass::Other
            }
        }
    }

    /// The `info` text of the StatusNotification (at most 50 characters).
    #[must_use]
    pub const fn info(self) -> &'static str {
        match self {
            Self::HighTemperature => "Temperature above limit",
            Self::GroundFailure => "Residual current detected",
            Self::OverCurrent => "Current above limit",
            Self::UnderVoltage => "Supply voltage below limit",
            Self::OverVoltage => "Supply voltage above limit",
            Self::PowerMeter => "Energy meter not responding",
            Self::PowerSwitch => "Relay failure",
            Self::Reader => "RFID reader failure",
            Self::ConnectorLock => "Cable lock failure",
            Self::EvCommunication => "Control pilot error",
            Self::Internal => "Internal error",
        }
    }
}

/// An event from the hardware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HardwareEvent {
    /// The EV is connected (control pilot state B): for the tethered variant the cable
    /// is plugged into the car; for the socket variant the cable is in the socket and
    /// in the car.
    EvPlugged,
    /// The EV is disconnected on the car side (control pilot back to state A).
    EvUnplugged,
    /// The EV stops drawing current (full, or paused by the car).
    EvSuspended,
    /// The EV draws current again.
    EvResumed,
    /// An RFID card was tapped; its UID as the idTag.
    RfidTap(String),
    /// A fault was detected.
    FaultRaised(Fault),
    /// A fault went away.
    FaultCleared(Fault),
    /// A new meter reading.
    Meter(MeterReading),
}

/// The error classes the real unit's red light patterns tell apart (the product's
/// "LED indicators": input voltage, output voltage/current, leakage, connectivity,
/// temperature, other). Connectivity is the links inside the box: the EV's control pilot
/// and the RFID reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultClass {
    /// Supply voltage too low or too high.
    InputVoltage,
    /// Output voltage or current out of range.
    Output,
    /// Residual current (leakage).
    Leakage,
    /// The EV's control pilot or the card reader does not answer.
    Connectivity,
    /// Over-temperature.
    Temperature,
    /// Meter, relay, cable lock, internal.
    Other,
}

/// The front panel light patterns of the real unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Led {
    /// White rolling: booting, not yet accepted by the CSMS.
    Booting,
    /// White pulsing: standby, available.
    Available,
    /// Blue pulsing: waiting for authorization (EV plugged, no card yet).
    WaitingForAuthorization,
    /// Blue from the middle: no authorization needed (any more), waiting for the EV
    /// (a card was accepted or a remote start came before the EV).
    WaitingForEv,
    /// Green rolling: charging.
    Charging,
    /// Green steady: a transaction is on but no energy flows (suspended by EV or EVSE),
    /// or it finished and the cable is still in.
    Suspended,
    /// Red, in the pattern of the fault's class.
    Fault(FaultClass),
    /// Off: unavailable (ChangeAvailability Inoperative).
    Unavailable,
    /// Red blink: a card was refused.
    Rejected,
}

/// A command for the hardware or the home, drained with `poll_command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Close or open the relay; `offered_ma` is the current the box offers the EV
    /// (control pilot PWM), 0 when open.
    SetRelay {
        /// Whether the relay is closed.
        closed: bool,
        /// The offered current in mA.
        offered_ma: u32,
    },
    /// Lock or unlock the socket's cable lock (socket variant only).
    Lock(bool),
    /// Show a light pattern.
    Indicator(Led),
    /// Open the WebSocket connection to the CSMS (again) after `after_ms`.
    Connect {
        /// Delay before connecting.
        after_ms: u64,
    },
    /// Close the WebSocket connection now.
    Disconnect,
    /// The engine rebooted itself after a Reset: a hard reset also power-cycles the
    /// hardware the home emulates.
    Rebooted {
        /// Whether it was a hard reset.
        hard: bool,
    },
    /// Start long work (a download, an upload, an installation) and report how it goes
    /// with [`crate::ChargePoint::handle_job`].
    StartJob(crate::jobs::Job),
}

/// A connector or charge point status change, a transaction, a frame: for UI and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A connector's status changed (connector 0 is the charge point as a whole).
    StatusChanged {
        /// The connector.
        connector: u32,
        /// The new status.
        status: ChargePointStatus,
        /// The error code reported with it.
        error: ChargePointErrorCode,
    },
    /// A card tap was decided.
    Authorization {
        /// The idTag.
        id_tag: String,
        /// Whether it may charge.
        accepted: bool,
    },
    /// A transaction started (the CSMS's id once known, else `None`).
    TransactionStarted {
        /// The CSMS's transaction id.
        transaction_id: Option<i32>,
        /// The idTag that started it.
        id_tag: String,
    },
    /// A transaction stopped.
    TransactionStopped {
        /// The CSMS's transaction id.
        transaction_id: Option<i32>,
        /// The reason sent in StopTransaction.
        reason: ocpp16::messages::Reason,
    },
    /// The CSMS answered BootNotification.
    Registration(ocpp16::messages::RegistrationStatus),
    /// A frame was sent (already drained with `poll_transmit`) or received.
    Frame {
        /// `true` for a frame from the CSMS.
        incoming: bool,
        /// The text.
        text: String,
    },
    /// Something went wrong that a person should see (a malformed frame from the CSMS,
    /// a CALL that timed out, a CALLERROR answer).
    Warning(String),
    /// The wall clock was set (by the CSMS's `currentTime` or the home).
    ClockSet(ocpp16::DateTime),
    /// The driver took the engine's request for a connection attempt in `after_ms`
    /// (engine ms; the backoff after failures shows here).
    ConnectionScheduled {
        /// Delay before the attempt.
        after_ms: u64,
    },
    /// A job ended (or was interrupted by a power cut).
    JobEnded {
        /// The job.
        job: crate::jobs::Job,
        /// `Ok` when it succeeded, else the reason it failed.
        outcome: Result<(), String>,
    },
    /// The firmware update's status changed (what FirmwareStatusNotification says), with
    /// the reason of a failure.
    Firmware {
        /// The new status.
        status: ocpp16::messages::FirmwareStatus,
        /// Why it failed (DownloadFailed, InstallationFailed).
        reason: Option<String>,
    },
    /// The diagnostics upload's status changed, with the reason of a failure.
    Diagnostics {
        /// The new status.
        status: ocpp16::messages::DiagnosticsStatus,
        /// Why it failed (UploadFailed).
        reason: Option<String>,
    },
    /// A GetLog upload's status changed (what LogStatusNotification says), with the
    /// reason of a failure.
    Log {
        /// The new status.
        status: ocpp16::messages::UploadLogStatus,
        /// The GetLog's requestId.
        request_id: Option<i32>,
        /// Why it failed.
        reason: Option<String>,
    },
    /// A SecurityEventNotification was queued for the CSMS (also in the security log).
    SecurityEvent {
        /// Its type (`StartupOfTheDevice`, …).
        kind: String,
        /// Its techInfo.
        tech_info: Option<String>,
    },
    /// The CSMS made a mistake (see [`crate::mistakes`]).
    CsmsMistake(crate::mistakes::Mistake),
    /// A message that had to reach the CSMS (a transaction message, a security event)
    /// was given up: it never will.
    MessageLost {
        /// Its action.
        action: ocpp16::Action,
        /// Why (attempts exhausted, no transaction id).
        reason: String,
    },
}

/// What a home needs to open the connection to the CSMS, asked of the engine at every
/// attempt ([`crate::ChargePoint::connection_params`]), so that a CSMS's
/// ChangeConfiguration of AuthorizationKey or SecurityProfile takes effect in every home
/// the same way. Its `Debug` never shows the password or the private key.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectParams {
    /// The URL to open: the configured CSMS URL with the charge point id appended.
    pub url: String,
    /// HTTP Basic auth (user = the charge point id, password = AuthorizationKey), at
    /// SecurityProfile 1 and 2 when a key is set.
    pub basic_auth: Option<(String, String)>,
    /// The SecurityProfile (0–3): 2 and 3 need `wss://`, 3 a client certificate.
    pub security_profile: u8,
    /// PEM certificates the box trusts for the server besides the home's own roots
    /// (the installed CentralSystemRootCertificate; empty until one is installed).
    pub trusted_roots: alloc::vec::Vec<String>,
    /// The client certificate and key the box presents at profile 3, when it holds one
    /// of its own (after CertificateSigned); `None`: the home's configured identity.
    pub client_identity: Option<ClientIdentity>,
}

impl core::fmt::Debug for ConnectParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ConnectParams")
            .field("url", &self.url)
            .field(
                "basic_auth",
                &self
                    .basic_auth
                    .as_ref()
                    .map(|(user, _)| (user, "(redacted)")),
            )
            .field("security_profile", &self.security_profile)
            .field("trusted_roots", &self.trusted_roots.len())
            .field("client_identity", &self.client_identity.is_some())
            .finish()
    }
}

/// A TLS client identity: the certificate chain and its private key, in PEM.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The leaf certificate first, then its chain.
    pub certificate_chain_pem: String,
    /// The private key (never logged).
    pub private_key_pem: String,
}

impl core::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("certificate_chain_pem", &self.certificate_chain_pem.len())
            .field("private_key_pem", &"(redacted)")
            .finish()
    }
}
