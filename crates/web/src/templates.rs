//! A valid request of every action the box takes part in, as JSON text to edit: the
//! CSMS→charge point requests of the product contract for the console, the charge
//! point→CSMS requests for expert mode's composer. Each is held to the strict decoder
//! the box and the demo CSMS run (tests below), and [`check`] is that decoder.

use ocpp16::{Side, decode_call};

use crate::json::Json;

/// What a template fills in from the box as it is now.
#[derive(Clone, PartialEq, Debug)]
pub(crate) struct Context {
    /// The box's clock (RFC 3339).
    pub(crate) now: String,
    /// An hour later (a reservation's expiry).
    pub(crate) later: String,
    /// The transaction in progress, if it has its id.
    pub(crate) transaction: Option<i32>,
    /// A firmware file served with the page.
    pub(crate) firmware: String,
    /// Where the demo CSMS takes uploads.
    pub(crate) uploads: String,
    /// The demo CSMS's root certificate (PEM).
    pub(crate) root: &'static str,
}

/// Every CSMS→charge point request the product supports, by profile.
pub(crate) const CSMS_ACTIONS: [&str; 24] = [
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "ChangeAvailability",
    "ChangeConfiguration",
    "GetConfiguration",
    "ClearCache",
    "DataTransfer",
    "Reset",
    "UnlockConnector",
    "GetLocalListVersion",
    "SendLocalList",
    "ReserveNow",
    "CancelReservation",
    "SetChargingProfile",
    "GetCompositeSchedule",
    "ClearChargingProfile",
    "TriggerMessage",
    "UpdateFirmware",
    "GetDiagnostics",
    "ExtendedTriggerMessage",
    "GetLog",
    "InstallCertificate",
    "GetInstalledCertificateIds",
    "CertificateSigned",
];

/// Every charge point→CSMS request of the contract.
pub(crate) const CP_ACTIONS: [&str; 13] = [
    "BootNotification",
    "Heartbeat",
    "StatusNotification",
    "Authorize",
    "StartTransaction",
    "MeterValues",
    "StopTransaction",
    "DataTransfer",
    "DiagnosticsStatusNotification",
    "FirmwareStatusNotification",
    "SecurityEventNotification",
    "LogStatusNotification",
    "SignCertificate",
];

/// Whether `payload` is a valid request of `action` for `receiver`: why not, with
/// the path to the field, as the receiver's CALLERROR would say it.
pub(crate) fn check(receiver: Side, action: &str, payload: &str) -> Result<(), String> {
    decode_call(receiver, action, payload)
        .map(|_| ())
        .map_err(|e| format!("{} ({})", e.description, e.code.as_str()))
}

/// The request of CSMS `action` to start editing from.
pub(crate) fn csms_template(action: &str, c: &Context) -> String {
    let tx = c.transaction.unwrap_or(1);
    let mut o = Json::new();
    match action {
        "RemoteStartTransaction" => return r#"{"connectorId":1,"idTag":"APP-USER"}"#.into(),
        "RemoteStopTransaction" => o.num("transactionId", tx),
        "ChangeAvailability" => return r#"{"connectorId":0,"type":"Inoperative"}"#.into(),
        "ChangeConfiguration" => return r#"{"key":"HeartbeatInterval","value":"600"}"#.into(),
        "GetConfiguration" => {
            return r#"{"key":["HeartbeatInterval","MeterValueSampleInterval"]}"#.into();
        }
        "DataTransfer" => {
            return r#"{"vendorId":"Teltonika","messageId":"test","data":"hello"}"#.into();
        }
        "Reset" => return r#"{"type":"Soft"}"#.into(),
        "UnlockConnector" => return r#"{"connectorId":1}"#.into(),
        "SendLocalList" => {
            return r#"{"listVersion":1,"updateType":"Full","localAuthorizationList":[{"idTag":"LOCAL-01","idTagInfo":{"status":"Accepted"}}]}"#.into();
        }
        "ReserveNow" => {
            o.num("connectorId", 1);
            o.str("expiryDate", &c.later);
            o.str("idTag", "RESERVED-01");
            o.num("reservationId", 1);
        }
        "CancelReservation" => return r#"{"reservationId":1}"#.into(),
        "SetChargingProfile" => {
            return profile_payload("TxDefaultProfile", 0, &[(0, 16), (1800, 10)], c);
        }
        "GetCompositeSchedule" => {
            return r#"{"connectorId":1,"duration":3600,"chargingRateUnit":"A"}"#.into();
        }
        "ClearChargingProfile" => return r#"{"id":1}"#.into(),
        "TriggerMessage" => {
            return r#"{"requestedMessage":"StatusNotification","connectorId":1}"#.into();
        }
        "UpdateFirmware" => {
            o.str("location", &c.firmware);
            o.str("retrieveDate", &c.now);
        }
        "GetDiagnostics" => o.str("location", &c.uploads),
        "ExtendedTriggerMessage" => return r#"{"requestedMessage":"Heartbeat"}"#.into(),
        "GetLog" => {
            o.str("logType", "SecurityLog");
            o.num("requestId", 1);
            let mut log = Json::new();
            log.str("remoteLocation", &c.uploads);
            o.raw("log", &log.end());
        }
        "InstallCertificate" => {
            o.str("certificateType", "CentralSystemRootCertificate");
            o.str("certificate", c.root);
        }
        "GetInstalledCertificateIds" => o.str("certificateType", "CentralSystemRootCertificate"),
        // The demo's root is no chain for the box's key: the box answers Rejected.
        "CertificateSigned" => o.str("certificateChain", c.root),
        _ => {}
    }
    o.end()
}

/// The request of charge point `action` to start editing from.
pub(crate) fn cp_template(action: &str, c: &Context) -> String {
    let tx = c.transaction.unwrap_or(1);
    let mut o = Json::new();
    match action {
        "BootNotification" => {
            return r#"{"chargePointVendor":"Teltonika","chargePointModel":"TeltoCharge"}"#.into();
        }
        "StatusNotification" => {
            return r#"{"connectorId":1,"errorCode":"NoError","status":"Available"}"#.into();
        }
        "Authorize" => return r#"{"idTag":"TAG-0001"}"#.into(),
        "StartTransaction" => {
            o.num("connectorId", 1);
            o.str("idTag", "TAG-0001");
            o.num("meterStart", 0);
            o.str("timestamp", &c.now);
        }
        "MeterValues" => {
            let mut value = Json::new();
            value.str("timestamp", &c.now);
            value.raw(
                "sampledValue",
                r#"[{"value":"1000","measurand":"Energy.Active.Import.Register","unit":"Wh"}]"#,
            );
            o.num("connectorId", 1);
            o.num("transactionId", tx);
            o.raw("meterValue", &format!("[{}]", value.end()));
        }
        "StopTransaction" => {
            o.num("transactionId", tx);
            o.num("meterStop", 1000);
            o.str("timestamp", &c.now);
        }
        "DataTransfer" => return r#"{"vendorId":"Teltonika","messageId":"test"}"#.into(),
        "DiagnosticsStatusNotification" | "FirmwareStatusNotification" => {
            return r#"{"status":"Idle"}"#.into();
        }
        "SecurityEventNotification" => {
            o.str("type", "StartupOfTheDevice");
            o.str("timestamp", &c.now);
        }
        "LogStatusNotification" => return r#"{"status":"Idle","requestId":1}"#.into(),
        "SignCertificate" => {
            return r#"{"csr":"-----BEGIN CERTIFICATE REQUEST-----\n(a PKCS#10 CSR in PEM)\n-----END CERTIFICATE REQUEST-----\n"}"#.into();
        }
        _ => {}
    }
    o.end()
}

/// A SetChargingProfile request: one absolute schedule in A starting now, with these
/// `(start s, limit A)` periods (ChargePointMaxProfile on connector 0, the others on
/// connector 1; a TxProfile names the transaction in progress).
pub(crate) fn profile_payload(
    purpose: &str,
    stack: u8,
    periods: &[(u32, u32)],
    c: &Context,
) -> String {
    let list: Vec<String> = periods
        .iter()
        .map(|(start, limit)| format!(r#"{{"startPeriod":{start},"limit":{limit}}}"#))
        .collect();
    let mut schedule = Json::new();
    schedule.str("startSchedule", &c.now);
    schedule.str("chargingRateUnit", "A");
    schedule.raw("chargingSchedulePeriod", &format!("[{}]", list.join(",")));
    let mut profile = Json::new();
    profile.num("chargingProfileId", 1 + u32::from(stack));
    if purpose == "TxProfile"
        && let Some(tx) = c.transaction
    {
        profile.num("transactionId", tx);
    }
    profile.num("stackLevel", stack);
    profile.str("chargingProfilePurpose", purpose);
    profile.str("chargingProfileKind", "Absolute");
    profile.raw("chargingSchedule", &schedule.end());
    let mut o = Json::new();
    o.num("connectorId", u8::from(purpose != "ChargePointMaxProfile"));
    o.raw("csChargingProfiles", &profile.end());
    o.end()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    fn context(transaction: Option<i32>) -> Context {
        Context {
            now: "2026-12-03T10:00:00.000Z".into(),
            later: "2026-12-03T11:00:00.000Z".into(),
            transaction,
            firmware: "http://127.0.0.1:8080/firmware/evc-1.1.0.bin".into(),
            uploads: "https://demo-csms.invalid/diagnostics/".into(),
            root: include_str!("../../chargepoint/tests/fixtures/pki/root.pem"),
        }
    }

    #[test]
    fn every_template_is_a_valid_request_of_its_action() {
        for c in [context(None), context(Some(42))] {
            for action in CSMS_ACTIONS {
                let payload = csms_template(action, &c);
                assert_eq!(
                    check(Side::ChargePoint, action, &payload),
                    Ok(()),
                    "{action}: {payload}"
                );
            }
            for action in CP_ACTIONS {
                let payload = cp_template(action, &c);
                assert_eq!(
                    check(Side::Csms, action, &payload),
                    Ok(()),
                    "{action}: {payload}"
                );
            }
        }
    }

    #[test]
    fn the_templates_cover_every_action_of_the_contract_once() {
        let mut all: Vec<&str> = CSMS_ACTIONS.iter().chain(&CP_ACTIONS).copied().collect();
        all.sort_unstable();
        let before = all.len();
        all.dedup();
        // DataTransfer goes both ways; 36 messages of the contract less the two
        // SignedFirmware ones and DeleteCertificate it does not support.
        assert_eq!((before, all.len()), (37, 36));
    }

    #[test]
    fn a_broken_request_is_named_with_its_field() {
        let e = check(
            Side::ChargePoint,
            "RemoteStartTransaction",
            r#"{"connectorId":1}"#,
        );
        assert!(e.unwrap_err().contains("idTag"));
        let e = check(
            Side::ChargePoint,
            "ChangeConfiguration",
            r#"{"key":"HeartbeatInterval","value":600}"#,
        );
        assert!(e.unwrap_err().contains("value"), "a number for a string");
        let e = check(Side::ChargePoint, "Heartbeat", "{}");
        assert!(
            e.unwrap_err().contains("NotSupported"),
            "sent by the charge point"
        );
        assert!(check(Side::ChargePoint, "Reset", "{").is_err());
    }

    #[test]
    fn the_period_builder_makes_the_profile_the_box_is_asked_for() {
        let c = context(Some(7));
        let tx = profile_payload("TxProfile", 2, &[(0, 32), (600, 8), (1200, 0)], &c);
        assert_eq!(check(Side::ChargePoint, "SetChargingProfile", &tx), Ok(()));
        assert!(tx.starts_with(r#"{"connectorId":1,"#));
        assert!(tx.contains(r#""transactionId":7"#));
        assert!(tx.contains(r#""stackLevel":2"#));
        assert!(tx.contains(r#"{"startPeriod":600,"limit":8}"#));
        let max = profile_payload("ChargePointMaxProfile", 0, &[(0, 10)], &c);
        assert_eq!(check(Side::ChargePoint, "SetChargingProfile", &max), Ok(()));
        assert!(max.starts_with(r#"{"connectorId":0,"#));
        assert!(!max.contains("transactionId"));
    }
}
