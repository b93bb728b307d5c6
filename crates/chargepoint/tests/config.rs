//! The configuration store against the product contract, driven from the key table.

use chargepoint::{
    config::{ChangeOutcome, Configuration},
    model::{Access, Effect, KEYS, Key, KeyKind, Limits},
};
use ocpp16::{CiString50, ErrorCode, messages::ConfigurationStatus};

fn status(c: &mut Configuration, key: &str, value: &str) -> ConfigurationStatus {
    c.change(key, value, false).status()
}

#[test]
fn every_key_starts_at_its_contract_default() {
    let c = Configuration::new();
    let expected = [
        ("AllowOfflineTxForUnknownId", "0"),
        ("AuthorizeRemoteTxRequests", "1"),
        ("ClockAlignedDataInterval", "3600"),
        ("ConnectionTimeOut", "120"),
        ("GetConfigurationMaxKeys", "60"),
        ("HeartbeatInterval", "3600"),
        ("MeterValuesSampledData", "Energy.Active.Import.Register"),
        ("MeterValueSampleInterval", "3600"),
        ("ResetRetries", "10"),
        ("TransactionMessageAttempts", "3"),
        ("TransactionMessageRetryInterval", "20"),
        ("WebSocketPingInterval", "10"),
        ("SupportedFileTransferProtocols", "HTTP,HTTPS,FTP"),
        ("SolarCharging", "regular"),
    ];
    for (key, value) in expected {
        assert_eq!(c.text(Key::from_name(key).unwrap()), value, "{key}");
    }
    assert!(c.bool(Key::AuthorizationCacheEnabled));
    assert_eq!(c.int(Key::HeartbeatInterval), 3600);
}

#[test]
fn every_integer_range_edge_from_the_table() {
    for def in KEYS.iter().filter(|d| d.access == Access::ReadWrite) {
        let KeyKind::Int {
            min,
            max,
            also_zero,
        } = def.kind
        else {
            continue;
        };
        if def.key == Key::SecurityProfile {
            continue; // may only be raised; below
        }
        let mut c = Configuration::new();
        let n = def.name;
        assert_eq!(
            status(&mut c, n, &(min - 1).to_string()),
            if also_zero && min - 1 == 0 {
                ConfigurationStatus::Accepted
            } else {
                ConfigurationStatus::Rejected
            },
            "{n} min-1"
        );
        assert_eq!(
            status(&mut c, n, &min.to_string()),
            ConfigurationStatus::Accepted,
            "{n} min"
        );
        assert_eq!(c.int(def.key), min);
        assert_eq!(
            status(&mut c, n, &max.to_string()),
            ConfigurationStatus::Accepted,
            "{n} max"
        );
        assert_eq!(
            status(&mut c, n, &(max + 1).to_string()),
            ConfigurationStatus::Rejected,
            "{n} max+1"
        );
        assert_eq!(
            status(&mut c, n, "12abc"),
            ConfigurationStatus::Rejected,
            "{n} text"
        );
        assert_eq!(
            status(&mut c, n, ""),
            ConfigurationStatus::Rejected,
            "{n} empty"
        );
        assert_eq!(
            c.int(def.key),
            max,
            "{n}: refused values leave it unchanged"
        );
        if also_zero {
            assert_eq!(
                status(&mut c, n, "0"),
                ConfigurationStatus::Accepted,
                "{n} 0 = off"
            );
        }
    }
}

#[test]
fn read_only_keys_are_rejected_and_unknown_keys_not_supported() {
    let mut c = Configuration::new();
    for def in KEYS.iter().filter(|d| d.access == Access::ReadOnly) {
        assert_eq!(
            status(&mut c, def.name, def.default),
            ConfigurationStatus::Rejected,
            "{}",
            def.name
        );
    }
    assert_eq!(
        status(&mut c, "NoSuchKey", "1"),
        ConfigurationStatus::NotSupported
    );
}

#[test]
fn booleans_accept_true_false_and_echo_one_zero() {
    let mut c = Configuration::new();
    for (value, stored) in [("true", "1"), ("FALSE", "0"), ("1", "1"), ("0", "0")] {
        assert_eq!(
            status(&mut c, "LocalPreAuthorize", value),
            ConfigurationStatus::Accepted
        );
        assert_eq!(c.text(Key::LocalPreAuthorize), stored);
    }
    assert_eq!(
        status(&mut c, "LocalPreAuthorize", "yes"),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        status(&mut c, "localpreauthorize", "1"),
        ConfigurationStatus::Accepted,
        "keys are case-insensitive"
    );
}

#[test]
fn measurand_lists_are_refused_whole_and_stored_canonically() {
    let mut c = Configuration::new();
    assert_eq!(
        status(&mut c, "MeterValuesSampledData", "Voltage, Current.Import"),
        ConfigurationStatus::Accepted
    );
    assert_eq!(
        c.text(Key::MeterValuesSampledData),
        "Current.Import,Voltage"
    );
    assert_eq!(
        status(&mut c, "MeterValuesSampledData", "Voltage,Frequency"),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        c.text(Key::MeterValuesSampledData),
        "Current.Import,Voltage"
    );
    assert_eq!(
        status(&mut c, "StopTxnSampledData", ""),
        ConfigurationStatus::Accepted
    );
    assert_eq!(
        status(&mut c, "StopTxnAlignedData", "Voltage"),
        ConfigurationStatus::Rejected,
        "only \"\""
    );
    assert_eq!(
        status(&mut c, "StopTxnAlignedData", ""),
        ConfigurationStatus::Accepted
    );
}

#[test]
fn choices_texts_and_the_vendor_keys() {
    let mut c = Configuration::new();
    assert_eq!(
        status(&mut c, "ConnectorPhaseRotation", "RST"),
        ConfigurationStatus::RebootRequired
    );
    assert_eq!(
        status(&mut c, "ConnectorPhaseRotation", "rst"),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        status(&mut c, "SolarCharging", "eco_plus"),
        ConfigurationStatus::Accepted
    );
    assert_eq!(
        status(&mut c, "SolarCharging", "turbo"),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        status(&mut c, "CpoName", &"x".repeat(128)),
        ConfigurationStatus::Accepted
    );
    assert_eq!(
        status(&mut c, "CpoName", &"x".repeat(129)),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        status(&mut c, "AdditionalRootCertificateCheck", "1"),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        status(&mut c, "CertificateStoreMaxLength", "2"),
        ConfigurationStatus::Rejected
    );
}

#[test]
fn authorization_key_is_write_only_and_bounded() {
    let mut c = Configuration::new();
    assert_eq!(
        status(&mut c, "AuthorizationKey", &"k".repeat(31)),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        status(&mut c, "AuthorizationKey", &"k".repeat(41)),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        status(&mut c, "AuthorizationKey", &format!("{} ", "k".repeat(32))),
        ConfigurationStatus::Rejected
    );
    assert_eq!(
        c.change("AuthorizationKey", &"0123456789abcdef".repeat(2), false),
        ChangeOutcome::Reconnect
    );
    let limits = Limits::TELTONIKA;
    let all = c.get(&[], &limits).unwrap();
    assert!(
        all.configuration_key
            .unwrap()
            .iter()
            .all(|k| k.key.as_str() != "AuthorizationKey")
    );
    let asked = c
        .get(&[CiString50::new("AuthorizationKey").unwrap()], &limits)
        .unwrap();
    assert!(asked.configuration_key.is_none());
    assert_eq!(asked.unknown_key.unwrap()[0].as_str(), "AuthorizationKey");
    assert_eq!(Key::AuthorizationKey.def().effect, Effect::Reconnect);
}

#[test]
fn security_profile_may_only_be_raised_with_its_prerequisites() {
    let mut c = Configuration::new();
    assert_eq!(
        status(&mut c, "SecurityProfile", "1"),
        ConfigurationStatus::Rejected,
        "no AuthorizationKey yet"
    );
    c.change("AuthorizationKey", &"a".repeat(40), false);
    assert_eq!(
        c.change("SecurityProfile", "1", false),
        ChangeOutcome::Reconnect
    );
    assert_eq!(
        status(&mut c, "SecurityProfile", "2"),
        ConfigurationStatus::Rejected,
        "no root certificate"
    );
    assert_eq!(
        c.change("SecurityProfile", "2", true),
        ChangeOutcome::Reconnect
    );
    assert_eq!(
        status(&mut c, "SecurityProfile", "1"),
        ConfigurationStatus::Rejected,
        "never lowered"
    );
    assert_eq!(
        c.change("SecurityProfile", "2", true),
        ChangeOutcome::Accepted,
        "unchanged: no reconnect"
    );
}

#[test]
fn get_configuration_limits_and_case_insensitive_keys() {
    let c = Configuration::new();
    let limits = Limits::TELTONIKA;
    let sixty: Vec<CiString50> = (0..60)
        .map(|i| CiString50::new(format!("K{i}")).unwrap())
        .collect();
    assert_eq!(
        c.get(&sixty, &limits).unwrap().unknown_key.unwrap().len(),
        60
    );
    let mut sixty_one = sixty.clone();
    sixty_one.push(CiString50::new("HeartbeatInterval").unwrap());
    let e = c.get(&sixty_one, &limits).unwrap_err();
    assert_eq!(e.code, ErrorCode::OccurenceConstraintViolation);
    assert_eq!(e.description, "key: 61 items, at most 60 allowed");
    let keys = [
        CiString50::new("heartbeatinterval").unwrap(),
        CiString50::new("HEARTBEATINTERVAL").unwrap(),
    ];
    let r = c.get(&keys, &limits).unwrap();
    let found = r.configuration_key.unwrap();
    assert_eq!(found.len(), 1, "asked twice, listed once");
    assert_eq!(found[0].key.as_str(), "HeartbeatInterval");
    assert!(!found[0].readonly);
    let all = c.get(&[], &limits).unwrap().configuration_key.unwrap();
    assert_eq!(all.len(), KEYS.len() - 1, "every key but AuthorizationKey");
    assert!(
        all.iter()
            .any(|k| k.key.as_str() == "NumberOfConnectors" && k.readonly)
    );
}

#[test]
fn stored_configuration_loads_forward_and_backward() {
    let mut c = Configuration::new();
    c.change("HeartbeatInterval", "900", false);
    c.change("AuthorizationKey", &"s".repeat(32), false);
    // Only what differs from the defaults is stored.
    let json = ocpp16::codec::encode(&c);
    assert_eq!(
        json,
        format!(
            r#"{{"HeartbeatInterval":"900","AuthorizationKey":"{}"}}"#,
            "s".repeat(32)
        )
    );
    let back: Configuration = ocpp16::decode_message(&json).unwrap();
    assert_eq!(back, c);
    assert_eq!(ocpp16::codec::encode(&Configuration::new()), "{}");
    // An older engine's state (format 1's every-key list, or format 2's object): fewer
    // keys, one unknown to us, one value out of range.
    for old in [
        r#"[["HeartbeatInterval","600"],["RetiredKey","1"],["ConnectionTimeOut","99999"]]"#,
        r#"{"HeartbeatInterval":"600","RetiredKey":"1","ConnectionTimeOut":"99999"}"#,
    ] {
        let loaded: Configuration = ocpp16::decode_message(old).unwrap();
        assert_eq!(loaded.int(Key::HeartbeatInterval), 600);
        assert_eq!(
            loaded.int(Key::ConnectionTimeOut),
            120,
            "invalid stored value: default"
        );
        assert_eq!(
            loaded.text(Key::MeterValuesSampledData),
            "Energy.Active.Import.Register"
        );
    }
}

#[test]
fn fixed_keys_follow_the_limits_and_the_answered_profiles() {
    let c = Configuration::new();
    let t = Limits::TELTONIKA;
    for (key, value) in [
        (Key::LocalAuthListMaxLength, t.local_list.to_string()),
        (Key::SendLocalListMaxLength, t.send_local_list.to_string()),
        (
            Key::MaxChargingProfilesInstalled,
            t.max_profiles.to_string(),
        ),
        (
            Key::ChargingScheduleMaxPeriods,
            t.max_schedule_periods.to_string(),
        ),
        (
            Key::ChargeProfileMaxStackLevel,
            t.max_stack_level.to_string(),
        ),
        (
            Key::GetConfigurationMaxKeys,
            t.get_configuration_keys.to_string(),
        ),
        (Key::NumberOfConnectors, t.connectors.to_string()),
    ] {
        assert_eq!(c.text(key), value, "{key:?}");
    }
    let other = Limits {
        local_list: 7,
        max_profiles: 3,
        ..Limits::TELTONIKA
    };
    let c = Configuration::for_limits(&other);
    assert_eq!(c.text(Key::LocalAuthListMaxLength), "7");
    assert_eq!(c.text(Key::MaxChargingProfilesInstalled), "3");
    // Only profiles whose every CSMS request is answered, in the contract's order.
    let profiles: Vec<&str> = c.text(Key::SupportedFeatureProfiles).split(',').collect();
    assert_eq!(
        profiles,
        [
            "Core",
            "FirmwareManagement",
            "LocalAuthListManagement",
            "Reservation",
            "SmartCharging",
            "RemoteTrigger"
        ]
    );
    for action in ocpp16::Action::ALL {
        let listed = profiles
            .iter()
            .any(|p| format!("{:?}", action.profile()) == *p);
        let answered = chargepoint::supported_actions().contains(action);
        if listed && action.sender().allows(ocpp16::Side::Csms) {
            assert!(
                answered,
                "{action:?} is in a listed profile but not answered"
            );
        }
    }
}
