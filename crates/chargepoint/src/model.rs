//! The product as data: the Teltonika EVC's configuration keys (defaults, ranges,
//! access, effect of a change), its limits and identity. Handlers read from here, so
//! another box could be modelled by another table.

use alloc::{format, string::String};
use core::fmt;
use ocpp16::messages::Measurand;

/// The two hardware variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Cable fixed to the box: `UnlockConnector` is `NotSupported`.
    Tethered,
    /// Type 2 socket with a cable lock.
    Socket,
}

impl Variant {
    /// `tethered` or `socket`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Tethered => "tethered",
            Self::Socket => "socket",
        }
    }

    /// Parses `tethered` / `socket` (any case).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        if s.eq_ignore_ascii_case("tethered") {
            Some(Self::Tethered)
        } else if s.eq_ignore_ascii_case("socket") {
            Some(Self::Socket)
        } else {
            None
        }
    }
}

/// The product's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Authorization cache entries.
    pub auth_cache: usize,
    /// Local authorization list entries.
    pub local_list: usize,
    /// Entries in one SendLocalList.
    pub send_local_list: usize,
    /// Keys in one GetConfiguration request.
    pub get_configuration_keys: usize,
    /// Shortest MeterValueSampleInterval, in s.
    pub min_sample_interval_s: u32,
    /// Lowest current that charges, in A (less means pause).
    pub min_current_a: u32,
    /// Highest current, in A.
    pub max_current_a: u32,
    /// ChargeProfileMaxStackLevel.
    pub max_stack_level: u32,
    /// ChargingScheduleMaxPeriods.
    pub max_schedule_periods: usize,
    /// MaxChargingProfilesInstalled.
    pub max_profiles: usize,
    /// Longest GetCompositeSchedule duration, in s.
    pub max_composite_duration_s: u32,
    /// Certificates in the store.
    pub certificate_store: usize,
    /// Characters of CpoName.
    pub cpo_name_chars: usize,
    /// Connectors.
    pub connectors: u32,
}

impl Limits {
    /// The Teltonika EVC's limits (OCPP 1.6 JSON integration guide).
    pub const TELTONIKA: Self = Self {
        auth_cache: 20,
        local_list: 50,
        send_local_list: 10,
        get_configuration_keys: 60,
        min_sample_interval_s: 5,
        min_current_a: 6,
        max_current_a: 32,
        max_stack_level: 5,
        max_schedule_periods: 5,
        max_profiles: 9,
        max_composite_duration_s: 86_400,
        certificate_store: 1,
        cpo_name_chars: 128,
        connectors: 1,
    };
}

/// What BootNotification says about the box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// chargePointVendor.
    pub vendor: String,
    /// chargePointModel.
    pub model: String,
    /// The serial number, which is also the charge point id.
    pub serial: String,
    /// firmwareVersion.
    pub firmware_version: String,
}

impl Identity {
    /// A Teltonika EVC with this serial number.
    #[must_use]
    pub fn new(serial: &str) -> Self {
        Self {
            vendor: String::from("Teltonika"),
            model: String::from("TeltoCharge"),
            serial: String::from(serial),
            firmware_version: String::from("1.0.0-evc-playground"),
        }
    }
}

/// What values a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `0`/`1` (also `true`/`false` on input).
    Bool,
    /// A decimal integer in `min..=max`, or 0 when `also_zero`.
    Int {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
        /// 0 is allowed too (it switches the feature off).
        also_zero: bool,
    },
    /// One of these texts, exactly.
    Choice(&'static [&'static str]),
    /// A comma-separated subset of the six supported measurands.
    Measurands,
    /// Free text of at most this many characters.
    Text(usize),
    /// A secret of `min..=max` printable ASCII characters, never read back.
    Secret(usize, usize),
    /// A read-only value.
    Fixed,
}

/// Who may read and write a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// GetConfiguration and ChangeConfiguration.
    ReadWrite,
    /// GetConfiguration only.
    ReadOnly,
    /// ChangeConfiguration only (AuthorizationKey).
    WriteOnly,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Applies at once.
    Immediate,
    /// Applies after a reboot (`RebootRequired`): wiring read at start-up.
    RebootRequired,
    /// Applies on a new connection (credentials, security profile).
    Reconnect,
}

/// One configuration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyDef {
    /// The key.
    pub key: Key,
    /// Its name on the wire.
    pub name: &'static str,
    /// Its default value.
    pub default: &'static str,
    /// What values it takes.
    pub kind: KeyKind,
    /// Who may read and write it.
    pub access: Access,
    /// What a change does.
    pub effect: Effect,
}

macro_rules! keys {
    ($($key:ident = $default:literal, $kind:expr, $access:ident, $effect:ident;)*) => {
        /// Every configuration key of the Teltonika EVC.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(clippy::upper_case_acronyms, reason = "the OCPP key names")]
        pub enum Key {
            $(
                #[doc = concat!("`", stringify!($key), "`")]
                $key,
            )*
        }

        const KEY_COUNT: usize = [$(stringify!($key)),*].len();

        /// The key table, in the order GetConfiguration lists it.
        pub const KEYS: [KeyDef; KEY_COUNT] = [
            $(KeyDef {
                key: Key::$key,
                name: stringify!($key),
                default: $default,
                kind: $kind,
                access: Access::$access,
                effect: Effect::$effect,
            },)*
        ];
    };
}

const fn int(min: i64, max: i64) -> KeyKind {
    KeyKind::Int {
        min,
        max,
        also_zero: false,
    }
}

const BOOL: KeyKind = KeyKind::Bool;
const FIXED: KeyKind = KeyKind::Fixed;
/// A read-only value computed from the [`Limits`] and the dispatch table
/// ([`derived_value`]), never restated in the key table.
const DERIVED: KeyKind = KeyKind::Fixed;

keys! {
    AllowOfflineTxForUnknownId = "0", BOOL, ReadWrite, Immediate;
    AuthorizationCacheEnabled = "1", BOOL, ReadWrite, Immediate;
    AuthorizeRemoteTxRequests = "1", BOOL, ReadWrite, Immediate;
    ClockAlignedDataInterval = "3600", KeyKind::Int { min: 300, max: 86_400, also_zero: true }, ReadWrite, Immediate;
    ConnectionTimeOut = "120", int(1, 3600), ReadWrite, Immediate;
    ConnectorPhaseRotation = "Unknown", KeyKind::Choice(&["Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR"]), ReadWrite, RebootRequired;
    GetConfigurationMaxKeys = "", DERIVED, ReadOnly, Immediate;
    HeartbeatInterval = "3600", int(60, 86_400), ReadWrite, Immediate;
    LocalAuthorizeOffline = "0", BOOL, ReadWrite, Immediate;
    LocalPreAuthorize = "1", BOOL, ReadWrite, Immediate;
    MeterValuesAlignedData = "", KeyKind::Measurands, ReadWrite, Immediate;
    MeterValuesSampledData = "Energy.Active.Import.Register", KeyKind::Measurands, ReadWrite, Immediate;
    MeterValueSampleInterval = "3600", int(5, 84_600), ReadWrite, Immediate;
    NumberOfConnectors = "", DERIVED, ReadOnly, Immediate;
    ResetRetries = "10", int(0, 10), ReadWrite, Immediate;
    StopTransactionOnEVSideDisconnect = "1", FIXED, ReadOnly, Immediate;
    StopTransactionOnInvalidId = "0", BOOL, ReadWrite, Immediate;
    StopTxnAlignedData = "", KeyKind::Choice(&[""]), ReadWrite, Immediate;
    StopTxnSampledData = "", KeyKind::Measurands, ReadWrite, Immediate;
    SupportedFeatureProfiles = "", DERIVED, ReadOnly, Immediate;
    TransactionMessageAttempts = "3", int(1, 100), ReadWrite, Immediate;
    TransactionMessageRetryInterval = "20", int(5, 60), ReadWrite, Immediate;
    UnlockConnectorOnEVSideDisconnect = "1", BOOL, ReadWrite, Immediate;
    WebSocketPingInterval = "10", int(1, 1200), ReadWrite, Immediate;
    LocalAuthListEnabled = "1", BOOL, ReadWrite, Immediate;
    LocalAuthListMaxLength = "", DERIVED, ReadOnly, Immediate;
    SendLocalListMaxLength = "", DERIVED, ReadOnly, Immediate;
    ChargeProfileMaxStackLevel = "", DERIVED, ReadOnly, Immediate;
    ChargingScheduleAllowedChargingRateUnit = "Current", FIXED, ReadOnly, Immediate;
    ChargingScheduleMaxPeriods = "", DERIVED, ReadOnly, Immediate;
    MaxChargingProfilesInstalled = "", DERIVED, ReadOnly, Immediate;
    SupportedFileTransferProtocols = "HTTP,HTTPS,FTP", FIXED, ReadOnly, Immediate;
    SecurityProfile = "0", int(0, 3), ReadWrite, Reconnect;
    CpoName = "", KeyKind::Text(128), ReadWrite, Immediate;
    AdditionalRootCertificateCheck = "0", KeyKind::Choice(&["0"]), ReadWrite, Immediate;
    CertificateStoreMaxLength = "1", KeyKind::Choice(&["1"]), ReadWrite, Immediate;
    AuthorizationKey = "", KeyKind::Secret(32, 40), WriteOnly, Reconnect;
    Solar = "0", BOOL, ReadWrite, Immediate;
    SolarCharging = "regular", KeyKind::Choice(&["regular", "solar", "eco", "eco_plus"]), ReadWrite, Immediate;
}

impl Key {
    /// Its definition.
    #[must_use]
    pub fn def(self) -> &'static KeyDef {
        // The table lists the keys in declaration order; a test checks it.
        KEYS.get(self as usize).unwrap_or(&KEYS[0])
    }

    /// Its name on the wire.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// The key with this name; OCPP keys are `CiString`s, so case does not matter.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        KEYS.iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .map(|d| d.key)
    }
}

/// The value of a read-only key that follows from the product's limits or from what
/// the engine answers; `None` for every other key. The key table leaves these empty, so
/// a limit is stated once.
#[must_use]
pub fn derived_value(key: Key, limits: &Limits) -> Option<String> {
    use alloc::string::ToString;
    let n = |v: usize| v.to_string();
    Some(match key {
        Key::GetConfigurationMaxKeys => n(limits.get_configuration_keys),
        Key::NumberOfConnectors => limits.connectors.to_string(),
        Key::LocalAuthListMaxLength => n(limits.local_list),
        Key::SendLocalListMaxLength => n(limits.send_local_list),
        Key::ChargeProfileMaxStackLevel => limits.max_stack_level.to_string(),
        Key::ChargingScheduleMaxPeriods => n(limits.max_schedule_periods),
        Key::MaxChargingProfilesInstalled => n(limits.max_profiles),
        Key::SupportedFeatureProfiles => crate::features::supported_feature_profiles(),
        _ => return None,
    })
}

/// The six measurands the product samples, in the contract's order.
pub const MEASURANDS: [Measurand; 6] = [
    Measurand::EnergyActiveImportRegister,
    Measurand::CurrentImport,
    Measurand::CurrentOffered,
    Measurand::Temperature,
    Measurand::Voltage,
    Measurand::PowerActiveImport,
];

/// A set of the supported measurands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct MeasurandSet(u8);

/// Stored as its bits (see `crate::durable`).
impl ocpp16::Payload for MeasurandSet {
    fn read(r: &mut ocpp16::codec::Reader<'_>) -> Result<Self, ocpp16::codec::DecodeError> {
        let bits = <u8 as ocpp16::Payload>::read(r)?;
        if usize::from(bits) >> MEASURANDS.len() == 0 {
            Ok(Self(bits))
        } else {
            Err(ocpp16::codec::DecodeError::invalid(format!(
                "{bits} is not a set of the {} supported measurands",
                MEASURANDS.len()
            )))
        }
    }

    fn write(&self, out: &mut String) {
        ocpp16::Payload::write(&self.0, out);
    }
}

impl MeasurandSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Parses a comma-separated list; one unsupported entry refuses the whole list (as
    /// the real unit does). White space around entries is ignored; empty is the empty set.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut bits = 0u8;
        for entry in list.split(',').map(str::trim) {
            if entry.is_empty() && list.trim().is_empty() {
                continue;
            }
            let index = MEASURANDS
                .iter()
                .position(|m| m.as_str() == entry)
                .ok_or_else(|| alloc::format!("\"{entry}\" is not a supported measurand"))?;
            bits |= 1 << index;
        }
        Ok(Self(bits))
    }

    /// Whether it holds `m`.
    #[must_use]
    pub fn contains(self, m: Measurand) -> bool {
        MEASURANDS
            .iter()
            .position(|x| *x == m)
            .is_some_and(|i| self.0 & (1 << i) != 0)
    }

    /// Whether it is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Its measurands, in the contract's order.
    pub fn iter(self) -> impl Iterator<Item = Measurand> {
        MEASURANDS
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, m)| m)
    }
}

impl fmt::Display for MeasurandSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(m.as_str())?;
        }
        Ok(())
    }
}

/// Checks a CSMS URL as the product's settings page does: `ws://` or `wss://`, a host,
/// no spaces, and a trailing `/` (the charge point id is appended to it).
///
/// # Errors
/// The reason, for a person.
pub fn check_csms_url(url: &str) -> Result<(), &'static str> {
    let rest = url
        .strip_prefix("ws://")
        .or_else(|| url.strip_prefix("wss://"))
        .ok_or("the CSMS URL must start with ws:// or wss://")?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || host.ends_with('@') {
        return Err("the CSMS URL has no host");
    }
    if rest.chars().any(char::is_whitespace) {
        return Err("the CSMS URL must not contain spaces");
    }
    if !url.ends_with('/') {
        return Err("the CSMS URL must end with \"/\": the charge point id is appended to it");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn the_table_is_in_declaration_order_and_names_are_unique() {
        for (i, d) in KEYS.iter().enumerate() {
            assert_eq!(d.key as usize, i, "{}", d.name);
            assert_eq!(Key::from_name(&d.name.to_ascii_lowercase()), Some(d.key));
        }
        assert_eq!(KEYS.len(), 39);
    }

    #[test]
    fn measurand_lists_are_all_or_nothing() {
        let set = MeasurandSet::parse(" Voltage , Energy.Active.Import.Register").unwrap();
        assert_eq!(set.to_string(), "Energy.Active.Import.Register,Voltage");
        assert!(MeasurandSet::parse("Voltage,SoC").is_err());
        assert!(MeasurandSet::parse("Voltage,").is_err());
        assert!(MeasurandSet::parse("").unwrap().is_empty());
    }

    #[test]
    fn csms_urls_are_checked_as_the_product_does() {
        assert!(check_csms_url("ws://h:9000/ocpp/").is_ok());
        assert!(check_csms_url("wss://id:key@h/").is_ok());
        assert!(check_csms_url("http://h/").unwrap_err().contains("ws://"));
        assert!(
            check_csms_url("ws://h/ocpp")
                .unwrap_err()
                .contains("end with")
        );
        assert!(check_csms_url("ws:///").unwrap_err().contains("host"));
        assert!(check_csms_url("ws://h /").unwrap_err().contains("spaces"));
    }
}
