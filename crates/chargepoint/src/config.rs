//! The configuration store: every key's value, validated changes, GetConfiguration.
//!
//! Booleans are stored and reported as the real unit writes them, `0` and `1`; a CSMS may
//! write `true` / `false` (any case), which are echoed back as `1` / `0`. Values are kept
//! as canonical text (what GetConfiguration returns) next to a parsed copy, so the
//! engine's getters neither parse nor allocate.

use alloc::{format, string::String, vec::Vec};
use ocpp16::{
    CiString50, CiString500, ErrorCode, Payload, WireError,
    codec::{DecodeError, Reader, Record},
    messages::{ConfigurationStatus, GetConfigurationResponse, KeyValue},
};

use crate::model::{Access, Effect, KEYS, Key, KeyDef, KeyKind, Limits, MeasurandSet};

/// A parsed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Parsed {
    Int(i64),
    Measurands(MeasurandSet),
    Other,
}

/// The value of every key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configuration {
    text: Vec<String>,
    parsed: Vec<Parsed>,
}

/// The result of a ChangeConfiguration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Applied.
    Accepted,
    /// Stored; applies after a reboot.
    RebootRequired,
    /// Applied; the connection must be re-established with it (credentials, security profile).
    Reconnect,
    /// Refused, with the reason for logs.
    Rejected(String),
    /// No such key.
    NotSupported,
}

impl ChangeOutcome {
    /// The status to answer with.
    #[must_use]
    pub fn status(&self) -> ConfigurationStatus {
        match self {
            Self::Accepted | Self::Reconnect => ConfigurationStatus::Accepted,
            Self::RebootRequired => ConfigurationStatus::RebootRequired,
            Self::Rejected(_) => ConfigurationStatus::Rejected,
            Self::NotSupported => ConfigurationStatus::NotSupported,
        }
    }
}

impl Default for Configuration {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_value(def: &KeyDef, text: &str) -> Parsed {
    match def.kind {
        KeyKind::Bool => Parsed::Int(i64::from(text == "1")),
        KeyKind::Int { .. } => Parsed::Int(text.parse().unwrap_or(0)),
        KeyKind::Fixed => text.parse().map_or(Parsed::Other, Parsed::Int),
        KeyKind::Measurands => Parsed::Measurands(MeasurandSet::parse(text).unwrap_or_default()),
        _ => Parsed::Other,
    }
}

/// Checks `value` for `def`, returning the canonical text to store.
fn validate(def: &KeyDef, value: &str) -> Result<String, String> {
    let name = def.name;
    match def.kind {
        KeyKind::Bool => match value.to_ascii_lowercase().as_str() {
            "1" | "true" => Ok(String::from("1")),
            "0" | "false" => Ok(String::from("0")),
            _ => Err(format!("{name}: \"{value}\" is not 0, 1, true or false")),
        },
        KeyKind::Int {
            min,
            max,
            also_zero,
        } => {
            let digits = value.strip_prefix('-').unwrap_or(value);
            let n: i64 = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                value
                    .parse()
                    .map_err(|_| format!("{name}: \"{value}\" is out of range"))?
            } else {
                return Err(format!("{name}: \"{value}\" is not an integer"));
            };
            if (min..=max).contains(&n) || (also_zero && n == 0) {
                Ok(format!("{n}"))
            } else {
                let zero = if also_zero { " (or 0)" } else { "" };
                Err(format!("{name}: {n} is outside {min}–{max}{zero}"))
            }
        }
        KeyKind::Choice(options) => {
            if options.contains(&value) {
                Ok(String::from(value))
            } else {
                Err(format!(
                    "{name}: \"{value}\" is not one of {}",
                    options.join(", ")
                ))
            }
        }
        KeyKind::Measurands => MeasurandSet::parse(value)
            .map(|s| format!("{s}"))
            .map_err(|e| format!("{name}: {e}")),
        KeyKind::Text(max) => {
            let n = value.chars().count();
            if n <= max {
                Ok(String::from(value))
            } else {
                Err(format!("{name}: {n} characters, at most {max}"))
            }
        }
        KeyKind::Secret(min, max) => {
            let n = value.chars().count();
            if !(min..=max).contains(&n) {
                Err(format!("{name}: {n} characters, {min}–{max} required"))
            } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
                Err(format!(
                    "{name}: only printable ASCII characters are allowed"
                ))
            } else {
                Ok(String::from(value))
            }
        }
        KeyKind::Fixed => Err(format!("{name} is read-only")),
    }
}

impl Configuration {
    /// Every key at its default, for the Teltonika EVC's limits.
    #[must_use]
    pub fn new() -> Self {
        Self::for_limits(&Limits::TELTONIKA)
    }

    /// Every key at its table default (derived keys still empty).
    fn defaults() -> Self {
        let text: Vec<String> = KEYS.iter().map(|d| String::from(d.default)).collect();
        let parsed = KEYS.iter().map(|d| parse_value(d, d.default)).collect();
        Self { text, parsed }
    }

    /// Every key at its default, the read-only keys that follow from the limits and
    /// from what the engine answers set from them ([`crate::model::derived_value`]).
    #[must_use]
    pub fn for_limits(limits: &Limits) -> Self {
        let mut config = Self::defaults();
        config.derive(limits);
        config
    }

    /// Sets the derived read-only keys (after a restore: they are never stored).
    pub(crate) fn derive(&mut self, limits: &Limits) {
        for def in &KEYS {
            if let Some(value) = crate::model::derived_value(def.key, limits) {
                self.store(def.key, value);
            }
        }
    }

    fn parsed(&self, key: Key) -> Parsed {
        self.parsed
            .get(key as usize)
            .copied()
            .unwrap_or(Parsed::Other)
    }

    /// A boolean key's value.
    #[must_use]
    pub fn bool(&self, key: Key) -> bool {
        matches!(self.parsed(key), Parsed::Int(1))
    }

    /// An integer key's value (0 for other keys).
    #[must_use]
    pub fn int(&self, key: Key) -> i64 {
        match self.parsed(key) {
            Parsed::Int(n) => n,
            _ => 0,
        }
    }

    /// A measurand list key's value.
    #[must_use]
    pub fn measurands(&self, key: Key) -> MeasurandSet {
        match self.parsed(key) {
            Parsed::Measurands(m) => m,
            _ => MeasurandSet::EMPTY,
        }
    }

    /// A key's value as text (also for write-only keys: for the engine, not the CSMS).
    #[must_use]
    pub fn text(&self, key: Key) -> &str {
        self.text.get(key as usize).map_or("", String::as_str)
    }

    fn store(&mut self, key: Key, value: String) {
        let def = key.def();
        if let (Some(t), Some(p)) = (
            self.text.get_mut(key as usize),
            self.parsed.get_mut(key as usize),
        ) {
            *p = parse_value(def, &value);
            *t = value;
        }
    }

    /// ChangeConfiguration. `has_root_certificate` tells whether a
    /// CentralSystemRootCertificate is installed (needed for SecurityProfile 2 and 3).
    pub fn change(&mut self, key: &str, value: &str, has_root_certificate: bool) -> ChangeOutcome {
        let Some(key) = Key::from_name(key) else {
            return ChangeOutcome::NotSupported;
        };
        let def = key.def();
        if def.access == Access::ReadOnly {
            return ChangeOutcome::Rejected(format!("{} is read-only", def.name));
        }
        let canonical = match validate(def, value) {
            Ok(v) => v,
            Err(reason) => return ChangeOutcome::Rejected(reason),
        };
        if key == Key::SecurityProfile {
            let new = canonical.parse::<i64>().unwrap_or(0);
            let old = self.int(Key::SecurityProfile);
            if new < old {
                return ChangeOutcome::Rejected(String::from("SecurityProfile may only be raised"));
            }
            if (1..=2).contains(&new) && self.text(Key::AuthorizationKey).is_empty() {
                return ChangeOutcome::Rejected(String::from(
                    "SecurityProfile 1–2 needs an AuthorizationKey first",
                ));
            }
            if new >= 2 && !has_root_certificate {
                return ChangeOutcome::Rejected(String::from(
                    "SecurityProfile 2–3 needs a CentralSystemRootCertificate installed first",
                ));
            }
        }
        let changed = self.text(key) != canonical;
        self.store(key, canonical);
        match def.effect {
            Effect::Immediate => ChangeOutcome::Accepted,
            Effect::RebootRequired => ChangeOutcome::RebootRequired,
            Effect::Reconnect if changed => ChangeOutcome::Reconnect,
            Effect::Reconnect => ChangeOutcome::Accepted,
        }
    }

    /// A raised SecurityProfile that could not connect falls back to `profile` (the
    /// one change that lowers it).
    pub(crate) fn set_security_profile(&mut self, profile: i64) {
        self.store(Key::SecurityProfile, format!("{}", profile.clamp(0, 3)));
    }

    /// BootNotification's interval becomes the heartbeat interval (when positive), even
    /// outside the range a ChangeConfiguration may set: the CSMS decides it.
    pub fn set_heartbeat_from_boot(&mut self, interval_s: i32) {
        if interval_s > 0 {
            self.store(Key::HeartbeatInterval, format!("{interval_s}"));
        }
    }

    fn key_value(&self, def: &KeyDef) -> KeyValue {
        KeyValue {
            key: CiString50::truncated(def.name),
            readonly: def.access == Access::ReadOnly,
            value: Some(CiString500::truncated(self.text(def.key))),
        }
    }

    /// GetConfiguration: all readable keys when none are named; otherwise the named ones
    /// (case-insensitive, answered with the canonical name) and the rest in `unknownKey`.
    /// Write-only keys (AuthorizationKey) are never returned: named, they are unknown.
    pub fn get(
        &self,
        requested: &[CiString50],
        limits: &Limits,
    ) -> Result<GetConfigurationResponse, WireError> {
        if requested.len() > limits.get_configuration_keys {
            return Err(WireError::new(
                ErrorCode::OccurenceConstraintViolation,
                format!(
                    "key: {} items, at most {} allowed",
                    requested.len(),
                    limits.get_configuration_keys
                ),
            ));
        }
        let readable = |d: &&KeyDef| d.access != Access::WriteOnly;
        let mut known = Vec::new();
        let mut unknown = Vec::new();
        if requested.is_empty() {
            known.extend(KEYS.iter().filter(readable).map(|d| self.key_value(d)));
        } else {
            for name in requested {
                match Key::from_name(name).map(Key::def).filter(|d| readable(d)) {
                    Some(def) if !known.iter().any(|k: &KeyValue| k.key.as_str() == def.name) => {
                        known.push(self.key_value(def));
                    }
                    Some(_) => {}
                    None => unknown.push(name.clone()),
                }
            }
        }
        Ok(GetConfigurationResponse {
            configuration_key: if known.is_empty() { None } else { Some(known) },
            unknown_key: if unknown.is_empty() {
                None
            } else {
                Some(unknown)
            },
        })
    }
}

/// The stored form (see [`crate::durable`]): an object of the keys whose value differs
/// from its default, `{"HeartbeatInterval":"300",…}`. Format 1 stored every key as
/// `[["name","value"],…]`, which still loads. Loading starts from the defaults, so an
/// engine with more keys loads an older stored configuration (missing keys keep their
/// defaults); unknown names are ignored, and a value that no longer validates keeps the
/// default.
impl Payload for Configuration {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut config = Self::new();
        if r.at_array()? {
            for (name, value) in Vec::<(String, String)>::read(r)? {
                config.load_stored(&name, value);
            }
        } else {
            r.named_entries(&mut |r, name| {
                let value = String::read(r)?;
                config.load_stored(name, value);
                Ok(())
            })?;
        }
        Ok(config)
    }

    fn write(&self, out: &mut String) {
        let mut record = Record::open(out);
        for def in KEYS.iter().filter(|d| d.kind != KeyKind::Fixed) {
            let value = self.text(def.key);
            if value != def.default {
                record.put(def.name, &String::from(value));
            }
        }
        record.close();
    }
}

impl Configuration {
    /// One stored key: taken when the key is known, not fixed, and its value validates.
    fn load_stored(&mut self, name: &str, value: String) {
        if let Some(key) = Key::from_name(name) {
            let def = key.def();
            if def.kind != KeyKind::Fixed && validate(def, &value).is_ok() {
                self.store(key, value);
            }
        }
    }
}
