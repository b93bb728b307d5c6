//! A whole session, frame by frame, exactly as the charge point sends it.

mod common;

use chargepoint::{Settings, harness::Harness, model::Variant, world::EvSpec};
use ocpp16::{Action, Side};
use serde_json::json;

#[test]
fn a_short_session_sends_exactly_these_frames() {
    let mut h = Harness::new(Settings::new("EVC-0001", Variant::Socket));
    h.run_for(2_000);
    h.call(
        "ChangeConfiguration",
        json!({"key": "MeterValueSampleInterval", "value": "60"}),
    );
    h.tap("04A2B3C4");
    h.run_for(3_000);
    h.plug(EvSpec {
        max_current_ma: 16_000,
        phases: 1,
        ..EvSpec::default()
    });
    h.run_for(125_000);
    h.tap("04A2B3C4");
    h.run_for(1_000);
    h.unplug();
    h.run_for(1_000);
    let sent: Vec<String> = h
        .trace
        .iter()
        .filter(|t| t.from_cp)
        .map(|t| format!("{:>6} {}", t.at.as_millis(), t.text))
        .collect();
    let expected = [
        r#"     0 [2,"bggzvs.1","BootNotification",{"chargePointVendor":"Teltonika","chargePointModel":"TeltoCharge","chargePointSerialNumber":"EVC-0001","firmwareVersion":"1.0.0-evc-playground","meterType":"Teltonika internal meter"}]"#,
        r#"     0 [2,"bggzvs.2","SecurityEventNotification",{"type":"StartupOfTheDevice","timestamp":"2026-01-01T00:00:00Z","techInfo":"power-on 1 (firmware 1.0.0-evc-playground)"}]"#,
        r#"     0 [2,"bggzvs.3","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available","timestamp":"2026-01-01T00:00:00Z"}]"#,
        r#"     0 [2,"bggzvs.4","StatusNotification",{"connectorId":0,"errorCode":"NoError","status":"Available","timestamp":"2026-01-01T00:00:00Z"}]"#,
        r#"  2000 [3,"csms-1",{"status":"Accepted"}]"#,
        r#"  2000 [2,"bggzvs.5","Authorize",{"idTag":"04A2B3C4"}]"#,
        r#"  2000 [2,"bggzvs.6","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Preparing","timestamp":"2026-01-01T00:00:02Z"}]"#,
        r#"  5000 [2,"bggzvs.7","StartTransaction",{"connectorId":1,"idTag":"04A2B3C4","meterStart":0,"timestamp":"2026-01-01T00:00:05Z"}]"#,
        r#"  5000 [2,"bggzvs.8","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Charging","timestamp":"2026-01-01T00:00:05Z"}]"#,
        r#" 65000 [2,"bggzvs.9","MeterValues",{"connectorId":1,"transactionId":1,"meterValue":[{"timestamp":"2026-01-01T00:01:05Z","sampledValue":[{"value":"61","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"}]}]}]"#,
        r#"125000 [2,"bggzvs.10","MeterValues",{"connectorId":1,"transactionId":1,"meterValue":[{"timestamp":"2026-01-01T00:02:05Z","sampledValue":[{"value":"122","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"}]}]}]"#,
        r#"130000 [2,"bggzvs.11","StopTransaction",{"idTag":"04A2B3C4","meterStop":127,"timestamp":"2026-01-01T00:02:10Z","transactionId":1,"reason":"Local"}]"#,
        r#"130000 [2,"bggzvs.12","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Finishing","timestamp":"2026-01-01T00:02:10Z"}]"#,
        r#"131000 [2,"bggzvs.13","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available","timestamp":"2026-01-01T00:02:11Z"}]"#,
    ];
    assert_eq!(sent, expected, "\nactual:\n{}", sent.join("\n"));
    let locks: Vec<(u64, bool)> = h
        .commands
        .iter()
        .filter_map(|(t, c)| match c {
            chargepoint::Command::Lock(l) => Some((t.as_millis(), *l)),
            _ => None,
        })
        .collect();
    assert_eq!(
        locks,
        [(5_000, true), (130_000, false)],
        "locked while charging, released at the stop"
    );
    common::check_wire(&h, "exact_session");
}

#[test]
fn every_csms_action_without_a_handler_is_not_supported_whatever_its_payload() {
    let mut h = common::booted(Variant::Tethered);
    let supported = chargepoint::supported_actions();
    // Without the `certificates` feature (the MCU images, the tab) InstallCertificate,
    // GetInstalledCertificateIds and CertificateSigned are NotSupported too.
    assert_eq!(
        supported.len(),
        if chargepoint::CERTIFICATES { 24 } else { 21 },
        "Core, Firmware Management, Local Auth List Management, Remote Trigger, Reservation, Smart Charging, and of the Security extension all but DeleteCertificate and SignedUpdateFirmware"
    );
    for &action in Action::ALL {
        if !action.sender().allows(Side::Csms) || supported.contains(&action) {
            continue;
        }
        let (code, description) = common::call(&mut h, action.as_str(), json!({})).unwrap_err();
        assert_eq!(code, "NotSupported", "{action:?}");
        assert!(description.contains(action.as_str()), "{description}");
    }
    common::check_wire(&h, "not_supported");
}
