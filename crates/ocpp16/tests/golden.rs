//! Golden frames: the OCPP-J 1.6 specification's examples, and a minimal and a full
//! payload of every request and response of all 39 actions, each decoded and encoded
//! back to the same text.

use ocpp16::{
    Action, ErrorCode, Frame, FrameError, Request, Response, Side, decode_call,
    frame::{self, encode_call, encode_call_error, encode_call_result},
};

/// (action, is request, payload as the schema's property order writes it).
const PAYLOADS: &[(&str, bool, &str)] = &[
    ("Authorize", true, r#"{"idTag":"AAAAAAAA"}"#),
    ("Authorize", true, r#"{"idTag":"AAAAAAAA"}"#),
    ("Authorize", false, r#"{"idTagInfo":{"status":"Accepted"}}"#),
    (
        "Authorize",
        false,
        r#"{"idTagInfo":{"expiryDate":"2024-05-01T12:00:00.250Z","parentIdTag":"AAAAAAAA","status":"ConcurrentTx"}}"#,
    ),
    (
        "BootNotification",
        true,
        r#"{"chargePointVendor":"AAAAAAAA","chargePointModel":"AAAAAAAA"}"#,
    ),
    (
        "BootNotification",
        true,
        r#"{"chargePointVendor":"AAAAAAAA","chargePointModel":"AAAAAAAA","chargePointSerialNumber":"AAAAAAAA","chargeBoxSerialNumber":"AAAAAAAA","firmwareVersion":"AAAAAAAA","iccid":"AAAAAAAA","imsi":"AAAAAAAA","meterType":"AAAAAAAA","meterSerialNumber":"AAAAAAAA"}"#,
    ),
    (
        "BootNotification",
        false,
        r#"{"status":"Accepted","currentTime":"2024-05-01T12:00:00Z","interval":7}"#,
    ),
    (
        "BootNotification",
        false,
        r#"{"status":"Rejected","currentTime":"2024-05-01T12:00:00.250Z","interval":7}"#,
    ),
    ("CancelReservation", true, r#"{"reservationId":7}"#),
    ("CancelReservation", true, r#"{"reservationId":7}"#),
    ("CancelReservation", false, r#"{"status":"Accepted"}"#),
    ("CancelReservation", false, r#"{"status":"Rejected"}"#),
    (
        "CertificateSigned",
        true,
        r#"{"certificateChain":"AAAAAAAA"}"#,
    ),
    (
        "CertificateSigned",
        true,
        r#"{"certificateChain":"AAAAAAAA"}"#,
    ),
    ("CertificateSigned", false, r#"{"status":"Accepted"}"#),
    ("CertificateSigned", false, r#"{"status":"Rejected"}"#),
    (
        "ChangeAvailability",
        true,
        r#"{"connectorId":7,"type":"Inoperative"}"#,
    ),
    (
        "ChangeAvailability",
        true,
        r#"{"connectorId":7,"type":"Operative"}"#,
    ),
    ("ChangeAvailability", false, r#"{"status":"Accepted"}"#),
    ("ChangeAvailability", false, r#"{"status":"Scheduled"}"#),
    (
        "ChangeConfiguration",
        true,
        r#"{"key":"AAAAAAAA","value":"AAAAAAAA"}"#,
    ),
    (
        "ChangeConfiguration",
        true,
        r#"{"key":"AAAAAAAA","value":"AAAAAAAA"}"#,
    ),
    ("ChangeConfiguration", false, r#"{"status":"Accepted"}"#),
    ("ChangeConfiguration", false, r#"{"status":"NotSupported"}"#),
    ("ClearCache", true, r#"{}"#),
    ("ClearCache", true, r#"{}"#),
    ("ClearCache", false, r#"{"status":"Accepted"}"#),
    ("ClearCache", false, r#"{"status":"Rejected"}"#),
    ("ClearChargingProfile", true, r#"{}"#),
    (
        "ClearChargingProfile",
        true,
        r#"{"id":7,"connectorId":7,"chargingProfilePurpose":"TxProfile","stackLevel":7}"#,
    ),
    ("ClearChargingProfile", false, r#"{"status":"Accepted"}"#),
    ("ClearChargingProfile", false, r#"{"status":"Unknown"}"#),
    ("DataTransfer", true, r#"{"vendorId":"AAAAAAAA"}"#),
    (
        "DataTransfer",
        true,
        r#"{"vendorId":"AAAAAAAA","messageId":"AAAAAAAA","data":"AAAAAAAA"}"#,
    ),
    ("DataTransfer", false, r#"{"status":"Accepted"}"#),
    (
        "DataTransfer",
        false,
        r#"{"status":"UnknownVendorId","data":"AAAAAAAA"}"#,
    ),
    (
        "DeleteCertificate",
        true,
        r#"{"certificateHashData":{"hashAlgorithm":"SHA256","issuerNameHash":"AAAAAAAA","issuerKeyHash":"AAAAAAAA","serialNumber":"AAAAAAAA"}}"#,
    ),
    (
        "DeleteCertificate",
        true,
        r#"{"certificateHashData":{"hashAlgorithm":"SHA512","issuerNameHash":"AAAAAAAA","issuerKeyHash":"AAAAAAAA","serialNumber":"AAAAAAAA"}}"#,
    ),
    ("DeleteCertificate", false, r#"{"status":"Accepted"}"#),
    ("DeleteCertificate", false, r#"{"status":"NotFound"}"#),
    (
        "DiagnosticsStatusNotification",
        true,
        r#"{"status":"Idle"}"#,
    ),
    (
        "DiagnosticsStatusNotification",
        true,
        r#"{"status":"Uploading"}"#,
    ),
    ("DiagnosticsStatusNotification", false, r#"{}"#),
    ("DiagnosticsStatusNotification", false, r#"{}"#),
    (
        "ExtendedTriggerMessage",
        true,
        r#"{"requestedMessage":"BootNotification"}"#,
    ),
    (
        "ExtendedTriggerMessage",
        true,
        r#"{"requestedMessage":"StatusNotification","connectorId":7}"#,
    ),
    ("ExtendedTriggerMessage", false, r#"{"status":"Accepted"}"#),
    (
        "ExtendedTriggerMessage",
        false,
        r#"{"status":"NotImplemented"}"#,
    ),
    (
        "FirmwareStatusNotification",
        true,
        r#"{"status":"Downloaded"}"#,
    ),
    (
        "FirmwareStatusNotification",
        true,
        r#"{"status":"Installed"}"#,
    ),
    ("FirmwareStatusNotification", false, r#"{}"#),
    ("FirmwareStatusNotification", false, r#"{}"#),
    (
        "GetCompositeSchedule",
        true,
        r#"{"connectorId":7,"duration":7}"#,
    ),
    (
        "GetCompositeSchedule",
        true,
        r#"{"connectorId":7,"duration":7,"chargingRateUnit":"W"}"#,
    ),
    ("GetCompositeSchedule", false, r#"{"status":"Accepted"}"#),
    (
        "GetCompositeSchedule",
        false,
        r#"{"status":"Rejected","connectorId":7,"scheduleStart":"2024-05-01T12:00:00.250Z","chargingSchedule":{"duration":7,"startSchedule":"2024-05-01T12:00:00.250Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":7,"limit":16.7,"numberPhases":7}],"minChargingRate":16.7}}"#,
    ),
    ("GetConfiguration", true, r#"{}"#),
    ("GetConfiguration", true, r#"{"key":["AAAAAAAA"]}"#),
    ("GetConfiguration", false, r#"{}"#),
    (
        "GetConfiguration",
        false,
        r#"{"configurationKey":[{"key":"AAAAAAAA","readonly":true,"value":"AAAAAAAA"}],"unknownKey":["AAAAAAAA"]}"#,
    ),
    (
        "GetDiagnostics",
        true,
        r#"{"location":"ftp://user:pw@example.com/logs/"}"#,
    ),
    (
        "GetDiagnostics",
        true,
        r#"{"location":"ftp://user:pw@example.com/logs/","retries":7,"retryInterval":7,"startTime":"2024-05-01T12:00:00.250Z","stopTime":"2024-05-01T12:00:00.250Z"}"#,
    ),
    ("GetDiagnostics", false, r#"{}"#),
    ("GetDiagnostics", false, r#"{"fileName":"AAAAAAAA"}"#),
    (
        "GetInstalledCertificateIds",
        true,
        r#"{"certificateType":"CentralSystemRootCertificate"}"#,
    ),
    (
        "GetInstalledCertificateIds",
        true,
        r#"{"certificateType":"ManufacturerRootCertificate"}"#,
    ),
    (
        "GetInstalledCertificateIds",
        false,
        r#"{"status":"Accepted"}"#,
    ),
    (
        "GetInstalledCertificateIds",
        false,
        r#"{"certificateHashData":[{"hashAlgorithm":"SHA512","issuerNameHash":"AAAAAAAA","issuerKeyHash":"AAAAAAAA","serialNumber":"AAAAAAAA"}],"status":"NotFound"}"#,
    ),
    ("GetLocalListVersion", true, r#"{}"#),
    ("GetLocalListVersion", true, r#"{}"#),
    ("GetLocalListVersion", false, r#"{"listVersion":7}"#),
    ("GetLocalListVersion", false, r#"{"listVersion":7}"#),
    (
        "GetLog",
        true,
        r#"{"log":{"remoteLocation":"AAAAAAAA"},"logType":"DiagnosticsLog","requestId":7}"#,
    ),
    (
        "GetLog",
        true,
        r#"{"log":{"remoteLocation":"AAAAAAAA","oldestTimestamp":"2024-05-01T12:00:00.250Z","latestTimestamp":"2024-05-01T12:00:00.250Z"},"logType":"SecurityLog","requestId":7,"retries":7,"retryInterval":7}"#,
    ),
    ("GetLog", false, r#"{"status":"Accepted"}"#),
    (
        "GetLog",
        false,
        r#"{"status":"AcceptedCanceled","filename":"AAAAAAAA"}"#,
    ),
    ("Heartbeat", true, r#"{}"#),
    ("Heartbeat", true, r#"{}"#),
    (
        "Heartbeat",
        false,
        r#"{"currentTime":"2024-05-01T12:00:00Z"}"#,
    ),
    (
        "Heartbeat",
        false,
        r#"{"currentTime":"2024-05-01T12:00:00.250Z"}"#,
    ),
    (
        "InstallCertificate",
        true,
        r#"{"certificateType":"CentralSystemRootCertificate","certificate":"AAAAAAAA"}"#,
    ),
    (
        "InstallCertificate",
        true,
        r#"{"certificateType":"ManufacturerRootCertificate","certificate":"AAAAAAAA"}"#,
    ),
    ("InstallCertificate", false, r#"{"status":"Accepted"}"#),
    ("InstallCertificate", false, r#"{"status":"Rejected"}"#),
    ("LogStatusNotification", true, r#"{"status":"BadMessage"}"#),
    (
        "LogStatusNotification",
        true,
        r#"{"status":"Uploading","requestId":7}"#,
    ),
    ("LogStatusNotification", false, r#"{}"#),
    ("LogStatusNotification", false, r#"{}"#),
    (
        "MeterValues",
        true,
        r#"{"connectorId":7,"meterValue":[{"timestamp":"2024-05-01T12:00:00Z","sampledValue":[{"value":"AAAAAAAA"}]}]}"#,
    ),
    (
        "MeterValues",
        true,
        r#"{"connectorId":7,"transactionId":7,"meterValue":[{"timestamp":"2024-05-01T12:00:00.250Z","sampledValue":[{"value":"AAAAAAAA","context":"Other","format":"SignedData","measurand":"RPM","phase":"L3-L1","location":"Body","unit":"Hertz"}]}]}"#,
    ),
    ("MeterValues", false, r#"{}"#),
    ("MeterValues", false, r#"{}"#),
    ("RemoteStartTransaction", true, r#"{"idTag":"AAAAAAAA"}"#),
    (
        "RemoteStartTransaction",
        true,
        r#"{"connectorId":7,"idTag":"AAAAAAAA","chargingProfile":{"chargingProfileId":7,"transactionId":7,"stackLevel":7,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","recurrencyKind":"Weekly","validFrom":"2024-05-01T12:00:00.250Z","validTo":"2024-05-01T12:00:00.250Z","chargingSchedule":{"duration":7,"startSchedule":"2024-05-01T12:00:00.250Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":7,"limit":16.7,"numberPhases":7}],"minChargingRate":16.7}}}"#,
    ),
    ("RemoteStartTransaction", false, r#"{"status":"Accepted"}"#),
    ("RemoteStartTransaction", false, r#"{"status":"Rejected"}"#),
    ("RemoteStopTransaction", true, r#"{"transactionId":7}"#),
    ("RemoteStopTransaction", true, r#"{"transactionId":7}"#),
    ("RemoteStopTransaction", false, r#"{"status":"Accepted"}"#),
    ("RemoteStopTransaction", false, r#"{"status":"Rejected"}"#),
    (
        "ReserveNow",
        true,
        r#"{"connectorId":7,"expiryDate":"2024-05-01T12:00:00Z","idTag":"AAAAAAAA","reservationId":7}"#,
    ),
    (
        "ReserveNow",
        true,
        r#"{"connectorId":7,"expiryDate":"2024-05-01T12:00:00.250Z","idTag":"AAAAAAAA","parentIdTag":"AAAAAAAA","reservationId":7}"#,
    ),
    ("ReserveNow", false, r#"{"status":"Accepted"}"#),
    ("ReserveNow", false, r#"{"status":"Unavailable"}"#),
    ("Reset", true, r#"{"type":"Hard"}"#),
    ("Reset", true, r#"{"type":"Soft"}"#),
    ("Reset", false, r#"{"status":"Accepted"}"#),
    ("Reset", false, r#"{"status":"Rejected"}"#),
    (
        "SecurityEventNotification",
        true,
        r#"{"type":"AAAAAAAA","timestamp":"2024-05-01T12:00:00Z"}"#,
    ),
    (
        "SecurityEventNotification",
        true,
        r#"{"type":"AAAAAAAA","timestamp":"2024-05-01T12:00:00.250Z","techInfo":"AAAAAAAA"}"#,
    ),
    ("SecurityEventNotification", false, r#"{}"#),
    ("SecurityEventNotification", false, r#"{}"#),
    (
        "SendLocalList",
        true,
        r#"{"listVersion":7,"updateType":"Differential"}"#,
    ),
    (
        "SendLocalList",
        true,
        r#"{"listVersion":7,"localAuthorizationList":[{"idTag":"AAAAAAAA","idTagInfo":{"expiryDate":"2024-05-01T12:00:00.250Z","parentIdTag":"AAAAAAAA","status":"ConcurrentTx"}}],"updateType":"Full"}"#,
    ),
    ("SendLocalList", false, r#"{"status":"Accepted"}"#),
    ("SendLocalList", false, r#"{"status":"VersionMismatch"}"#),
    (
        "SetChargingProfile",
        true,
        r#"{"connectorId":7,"csChargingProfiles":{"chargingProfileId":7,"stackLevel":7,"chargingProfilePurpose":"ChargePointMaxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":7,"limit":16.7}]}}}"#,
    ),
    (
        "SetChargingProfile",
        true,
        r#"{"connectorId":7,"csChargingProfiles":{"chargingProfileId":7,"transactionId":7,"stackLevel":7,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","recurrencyKind":"Weekly","validFrom":"2024-05-01T12:00:00.250Z","validTo":"2024-05-01T12:00:00.250Z","chargingSchedule":{"duration":7,"startSchedule":"2024-05-01T12:00:00.250Z","chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":7,"limit":16.7,"numberPhases":7}],"minChargingRate":16.7}}}"#,
    ),
    ("SetChargingProfile", false, r#"{"status":"Accepted"}"#),
    ("SetChargingProfile", false, r#"{"status":"NotSupported"}"#),
    ("SignCertificate", true, r#"{"csr":"AAAAAAAA"}"#),
    ("SignCertificate", true, r#"{"csr":"AAAAAAAA"}"#),
    ("SignCertificate", false, r#"{"status":"Accepted"}"#),
    ("SignCertificate", false, r#"{"status":"Rejected"}"#),
    (
        "SignedFirmwareStatusNotification",
        true,
        r#"{"status":"Downloaded"}"#,
    ),
    (
        "SignedFirmwareStatusNotification",
        true,
        r#"{"status":"SignatureVerified","requestId":7}"#,
    ),
    ("SignedFirmwareStatusNotification", false, r#"{}"#),
    ("SignedFirmwareStatusNotification", false, r#"{}"#),
    (
        "SignedUpdateFirmware",
        true,
        r#"{"requestId":7,"firmware":{"location":"AAAAAAAA","retrieveDateTime":"2024-05-01T12:00:00Z","signingCertificate":"AAAAAAAA","signature":"AAAAAAAA"}}"#,
    ),
    (
        "SignedUpdateFirmware",
        true,
        r#"{"retries":7,"retryInterval":7,"requestId":7,"firmware":{"location":"AAAAAAAA","retrieveDateTime":"2024-05-01T12:00:00.250Z","installDateTime":"2024-05-01T12:00:00.250Z","signingCertificate":"AAAAAAAA","signature":"AAAAAAAA"}}"#,
    ),
    ("SignedUpdateFirmware", false, r#"{"status":"Accepted"}"#),
    (
        "SignedUpdateFirmware",
        false,
        r#"{"status":"RevokedCertificate"}"#,
    ),
    (
        "StartTransaction",
        true,
        r#"{"connectorId":7,"idTag":"AAAAAAAA","meterStart":7,"timestamp":"2024-05-01T12:00:00Z"}"#,
    ),
    (
        "StartTransaction",
        true,
        r#"{"connectorId":7,"idTag":"AAAAAAAA","meterStart":7,"reservationId":7,"timestamp":"2024-05-01T12:00:00.250Z"}"#,
    ),
    (
        "StartTransaction",
        false,
        r#"{"idTagInfo":{"status":"Accepted"},"transactionId":7}"#,
    ),
    (
        "StartTransaction",
        false,
        r#"{"idTagInfo":{"expiryDate":"2024-05-01T12:00:00.250Z","parentIdTag":"AAAAAAAA","status":"ConcurrentTx"},"transactionId":7}"#,
    ),
    (
        "StatusNotification",
        true,
        r#"{"connectorId":7,"errorCode":"ConnectorLockFailure","status":"Available"}"#,
    ),
    (
        "StatusNotification",
        true,
        r#"{"connectorId":7,"errorCode":"WeakSignal","info":"AAAAAAAA","status":"Faulted","timestamp":"2024-05-01T12:00:00.250Z","vendorId":"AAAAAAAA","vendorErrorCode":"AAAAAAAA"}"#,
    ),
    ("StatusNotification", false, r#"{}"#),
    ("StatusNotification", false, r#"{}"#),
    (
        "StopTransaction",
        true,
        r#"{"meterStop":7,"timestamp":"2024-05-01T12:00:00Z","transactionId":7}"#,
    ),
    (
        "StopTransaction",
        true,
        r#"{"idTag":"AAAAAAAA","meterStop":7,"timestamp":"2024-05-01T12:00:00.250Z","transactionId":7,"reason":"DeAuthorized","transactionData":[{"timestamp":"2024-05-01T12:00:00.250Z","sampledValue":[{"value":"AAAAAAAA","context":"Other","format":"SignedData","measurand":"RPM","phase":"L3-L1","location":"Body","unit":"Percent"}]}]}"#,
    ),
    ("StopTransaction", false, r#"{}"#),
    (
        "StopTransaction",
        false,
        r#"{"idTagInfo":{"expiryDate":"2024-05-01T12:00:00.250Z","parentIdTag":"AAAAAAAA","status":"ConcurrentTx"}}"#,
    ),
    (
        "TriggerMessage",
        true,
        r#"{"requestedMessage":"BootNotification"}"#,
    ),
    (
        "TriggerMessage",
        true,
        r#"{"requestedMessage":"StatusNotification","connectorId":7}"#,
    ),
    ("TriggerMessage", false, r#"{"status":"Accepted"}"#),
    ("TriggerMessage", false, r#"{"status":"NotImplemented"}"#),
    ("UnlockConnector", true, r#"{"connectorId":7}"#),
    ("UnlockConnector", true, r#"{"connectorId":7}"#),
    ("UnlockConnector", false, r#"{"status":"Unlocked"}"#),
    ("UnlockConnector", false, r#"{"status":"NotSupported"}"#),
    (
        "UpdateFirmware",
        true,
        r#"{"location":"ftp://user:pw@example.com/logs/","retrieveDate":"2024-05-01T12:00:00Z"}"#,
    ),
    (
        "UpdateFirmware",
        true,
        r#"{"location":"ftp://user:pw@example.com/logs/","retries":7,"retrieveDate":"2024-05-01T12:00:00.250Z","retryInterval":7}"#,
    ),
    ("UpdateFirmware", false, r#"{}"#),
    ("UpdateFirmware", false, r#"{}"#),
];

#[test]
fn every_action_request_and_response_round_trips_to_the_same_text() {
    let mut seen = std::collections::BTreeSet::new();
    for &(name, is_request, text) in PAYLOADS {
        let action = Action::from_name(name).unwrap();
        let payload = text;
        let (encoded, expected) = if is_request {
            let request =
                Request::decode(action, payload).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(request.action(), action);
            (
                encode_call("id-1", &request),
                format!(r#"[2,"id-1","{name}",{text}]"#),
            )
        } else {
            let response =
                Response::decode(action, payload).unwrap_or_else(|e| panic!("{name}.conf: {e}"));
            assert_eq!(response.action(), action);
            (
                encode_call_result("id-1", &response),
                format!(r#"[3,"id-1",{text}]"#),
            )
        };
        assert!(frame::parse(&encoded).is_ok());
        assert_eq!(encoded, expected, "{name} {is_request}");
        seen.insert((name, is_request));
    }
    assert_eq!(
        seen.len(),
        78,
        "every action's request and response is covered"
    );
    assert_eq!(Action::ALL.len(), 39);
}

#[test]
fn spec_example_boot_notification_call() {
    let text = r#"[2,"19223201","BootNotification",{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}]"#;
    let Ok(Frame::Call(call)) = frame::parse(text) else {
        panic!()
    };
    assert_eq!(call.id, "19223201");
    let Ok(Request::BootNotification(boot)) = decode_call(Side::Csms, &call.action, &call.payload)
    else {
        panic!()
    };
    assert_eq!(boot.charge_point_model.as_str(), "SingleSocketCharger");
    assert_eq!(
        encode_call(&call.id, &Request::BootNotification(boot)),
        text
    );
}

/// The specification's CALLRESULT example says `heartbeatInterval`, a known erratum: the
/// 1.6 schema's field is `interval`. A charge point that followed the schema rejects it.
#[test]
fn spec_example_boot_result_erratum_is_refused_with_a_clear_reason() {
    let text = r#"[3,"19223201",{"status":"Accepted","currentTime":"2013-02-01T20:53:32.486Z","heartbeatInterval":300}]"#;
    let Ok(Frame::CallResult(result)) = frame::parse(text) else {
        panic!()
    };
    let error = Response::decode(Action::BootNotification, &result.payload).unwrap_err();
    assert_eq!(error.code, ErrorCode::FormationViolation);
    assert!(error.description.contains("heartbeatInterval"), "{error}");
    let fixed = r#"{"status":"Accepted","currentTime":"2013-02-01T20:53:32.486Z","interval":300}"#;
    let Ok(Response::BootNotification(boot)) = Response::decode(Action::BootNotification, fixed)
    else {
        panic!()
    };
    assert_eq!(boot.current_time.to_rfc3339(), "2013-02-01T20:53:32.486Z");
    assert_eq!(boot.interval, 300);
}

#[test]
fn spec_example_call_error() {
    let text = r#"[4,"162376037","NotSupported","SetDisplayMessageRequest not implemented",{}]"#;
    let Ok(Frame::CallError(error)) = frame::parse(text) else {
        panic!()
    };
    assert_eq!(error.error_code(), Some(ErrorCode::NotSupported));
    assert_eq!(
        encode_call_error(&error.id, ErrorCode::NotSupported, &error.description),
        text
    );
}

#[test]
fn frames_that_are_not_frames_get_the_right_answer() {
    let cases: &[(&str, Option<&str>)] = &[
        ("not json", Some("-1")),
        ("{}", Some("-1")),
        ("[]", Some("-1")),
        (r#"["2","a","Heartbeat",{}]"#, Some("-1")),
        (r#"[2,5,"Heartbeat",{}]"#, Some("-1")),
        (r#"[2,"a","Heartbeat"]"#, Some("a")),
        (r#"[2,"a",7,{}]"#, Some("a")),
        (
            r#"[2,"0123456789012345678901234567890123456","Heartbeat",{}]"#,
            Some("-1"),
        ),
        (r#"[3,"a"]"#, None),
        (r#"[4,"a",1,2,{}]"#, None),
    ];
    for &(text, reply_to) in cases {
        let Err(error) = frame::parse(text) else {
            panic!("{text} parsed")
        };
        let reply = error.reply();
        match reply_to {
            Some(id) => {
                let reply = reply.unwrap_or_else(|| panic!("{text}: no reply"));
                let Ok(Frame::CallError(e)) = frame::parse(&reply) else {
                    panic!("{reply}")
                };
                assert_eq!(e.id, id, "{text}");
                assert_eq!(
                    e.error_code(),
                    Some(ErrorCode::FormationViolation),
                    "{text}"
                );
                assert!(!e.description.is_empty());
            }
            None => assert_eq!(reply, None, "{text}"),
        }
    }
}

#[test]
fn unknown_message_types_are_ignored_and_lenient_call_errors_accepted() {
    assert_eq!(
        frame::parse(r#"[5,"a",{}]"#),
        Err(FrameError::UnknownMessageType("5".into()))
    );
    assert_eq!(frame::parse(r#"[5,"a",{}]"#).unwrap_err().reply(), None);
    let Ok(Frame::CallError(e)) = frame::parse(r#"[4,"a","FormatViolation","x"]"#) else {
        panic!()
    };
    assert_eq!(e.error_code(), None, "2.0.1 names are not 1.6 codes");
    assert_eq!(e.details, "{}");
}

#[test]
fn call_decoding_distinguishes_unknown_wrong_direction_and_bad_payloads() {
    let check = |side, action: &str, payload: &str, code, needle: &str| {
        let e = decode_call(side, action, payload).unwrap_err();
        assert_eq!(e.code, code, "{action} {payload}: {e}");
        assert!(e.description.contains(needle), "{e}");
    };
    use ErrorCode::*;
    check(
        Side::ChargePoint,
        "SetDisplayMessage",
        "{}",
        NotImplemented,
        "SetDisplayMessage",
    );
    check(
        Side::ChargePoint,
        "heartbeat",
        "{}",
        NotImplemented,
        "heartbeat",
    );
    check(
        Side::ChargePoint,
        "Heartbeat",
        "{}",
        NotSupported,
        "sent by the charge point",
    );
    check(
        Side::Csms,
        "Reset",
        r#"{"type":"Hard"}"#,
        NotSupported,
        "sent by the CSMS",
    );
    check(
        Side::ChargePoint,
        "Reset",
        "[]",
        FormationViolation,
        "JSON object",
    );
    check(
        Side::ChargePoint,
        "Reset",
        "{}",
        OccurenceConstraintViolation,
        "type: required",
    );
    check(
        Side::ChargePoint,
        "Reset",
        r#"{"type":null}"#,
        TypeConstraintViolation,
        "type: expected",
    );
    check(
        Side::ChargePoint,
        "ChangeAvailability",
        r#"{"connectorId":1.0,"type":"Operative"}"#,
        TypeConstraintViolation,
        "connectorId",
    );
    check(
        Side::ChargePoint,
        "ChangeAvailability",
        r#"{"connectorId":4294967296,"type":"Operative"}"#,
        PropertyConstraintViolation,
        "out of range",
    );
    check(
        Side::ChargePoint,
        "RemoteStartTransaction",
        r#"{"idTag":"12345678901234567890123"}"#,
        PropertyConstraintViolation,
        "idTag: 23 characters, at most 20 allowed",
    );
    check(
        Side::ChargePoint,
        "ReserveNow",
        r#"{"connectorId":1,"expiryDate":"2024-01-01T00:00:00","idTag":"a","reservationId":1}"#,
        PropertyConstraintViolation,
        "expiryDate",
    );
    check(
        Side::ChargePoint,
        "UpdateFirmware",
        r#"{"location":"no scheme","retrieveDate":"2024-01-01T00:00:00Z"}"#,
        PropertyConstraintViolation,
        "location",
    );
    check(
        Side::ChargePoint,
        "GetConfiguration",
        r#"{"key":["a",5]}"#,
        TypeConstraintViolation,
        "key[1]",
    );
    check(
        Side::ChargePoint,
        "SendLocalList",
        r#"{"listVersion":1,"updateType":"Full","localAuthorizationList":[{"idTag":"a","idTagInfo":{"status":"Accepted","x":1}}]}"#,
        FormationViolation,
        "localAuthorizationList[0].idTagInfo",
    );
    // serde_json alone would take these (null as None, an array as positional fields).
    check(
        Side::ChargePoint,
        "RemoteStartTransaction",
        r#"{"idTag":"a","connectorId":null}"#,
        TypeConstraintViolation,
        "connectorId: expected",
    );
    check(
        Side::ChargePoint,
        "RemoteStartTransaction",
        r#"{"idTag":"a","chargingProfile":[1,null,0,"TxProfile","Absolute",null,null,null,{"chargingRateUnit":"A","chargingSchedulePeriod":[]}]}"#,
        TypeConstraintViolation,
        "chargingProfile: expected an object",
    );
    check(
        Side::Csms,
        "Authorize",
        r#"["a"]"#,
        FormationViolation,
        "JSON object",
    );
    check(
        Side::Csms,
        "MeterValues",
        r#"{"connectorId":1,"meterValue":[{"timestamp":"2024-01-01T00:00:00Z","sampledValue":[["1"]]}]}"#,
        TypeConstraintViolation,
        "meterValue[0].sampledValue[0]",
    );
    check(
        Side::Csms,
        "DataTransfer",
        r#"{"vendorId":"x","data":{}}"#,
        TypeConstraintViolation,
        "data",
    );
}
