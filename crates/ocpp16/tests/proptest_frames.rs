//! Bad input never panics, and valid frames survive a round trip.
//!
//! Case counts default to values that finish in seconds in a debug build; set
//! `PROPTEST_CASES` for a longer run.

use ocpp16::{
    Action, DateTime, Frame, FrameError, Request, Response, Side, decode_call,
    frame::{self, encode_call, encode_call_result},
};
use proptest::prelude::*;
use serde_json::Value;

/// Realistic frames in both directions: (text, action of the CALL it is or answers).
const FRAMES: &[(&str, &str)] = &[
    (
        r#"[2,"1","BootNotification",{"chargePointVendor":"Teltonika","chargePointModel":"TeltoCharge","chargePointSerialNumber":"EVC-0001","firmwareVersion":"1.0.0"}]"#,
        "BootNotification",
    ),
    (
        r#"[3,"1",{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}]"#,
        "BootNotification",
    ),
    (
        r#"[2,"2","MeterValues",{"connectorId":1,"transactionId":7,"meterValue":[{"timestamp":"2026-01-01T00:05:00Z","sampledValue":[{"value":"1234","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"},{"value":"16.0","measurand":"Current.Import","phase":"L1","unit":"A"},{"value":"32.0","measurand":"Current.Offered","unit":"A"},{"value":"21.5","measurand":"Temperature","location":"Body","unit":"Celsius"},{"value":"230.0","measurand":"Voltage","phase":"L1-N","unit":"V"},{"value":"3680","measurand":"Power.Active.Import","unit":"W"}]}]}]"#,
        "MeterValues",
    ),
    (
        r#"[2,"3","SetChargingProfile",{"connectorId":1,"csChargingProfiles":{"chargingProfileId":5,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","recurrencyKind":"Daily","chargingSchedule":{"duration":86400,"startSchedule":"2026-01-01T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16.0},{"startPeriod":3600,"limit":10.5,"numberPhases":1},{"startPeriod":7200,"limit":32.0}],"minChargingRate":6.0}}}]"#,
        "SetChargingProfile",
    ),
    (
        r#"[2,"4","StartTransaction",{"connectorId":1,"idTag":"CARD1","meterStart":0,"timestamp":"2026-01-01T00:00:00Z"}]"#,
        "StartTransaction",
    ),
    (
        r#"[3,"4",{"idTagInfo":{"status":"Accepted","expiryDate":"2027-01-01T00:00:00Z","parentIdTag":"GROUP"},"transactionId":7}]"#,
        "StartTransaction",
    ),
    (
        r#"[2,"5","StopTransaction",{"idTag":"CARD1","meterStop":5000,"timestamp":"2026-01-01T01:00:00Z","transactionId":7,"reason":"Local","transactionData":[{"timestamp":"2026-01-01T00:00:00Z","sampledValue":[{"value":"0","context":"Transaction.Begin"}]},{"timestamp":"2026-01-01T01:00:00Z","sampledValue":[{"value":"5000","context":"Transaction.End"}]}]}]"#,
        "StopTransaction",
    ),
    (
        r#"[3,"6",{"configurationKey":[{"key":"HeartbeatInterval","readonly":false,"value":"300"},{"key":"NumberOfConnectors","readonly":true,"value":"1"}],"unknownKey":["Foo"]}]"#,
        "GetConfiguration",
    ),
    (
        r#"[2,"7","GetConfiguration",{"key":["HeartbeatInterval","MeterValueSampleInterval"]}]"#,
        "GetConfiguration",
    ),
    (
        r#"[2,"8","RemoteStartTransaction",{"connectorId":1,"idTag":"APP","chargingProfile":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":10.0}]}}}]"#,
        "RemoteStartTransaction",
    ),
    (
        r#"[2,"9","SendLocalList",{"listVersion":3,"updateType":"Differential","localAuthorizationList":[{"idTag":"A","idTagInfo":{"status":"Accepted"}},{"idTag":"B"}]}]"#,
        "SendLocalList",
    ),
    (
        r#"[2,"10","ChangeConfiguration",{"key":"HeartbeatInterval","value":"600"}]"#,
        "ChangeConfiguration",
    ),
    (
        r#"[2,"11","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Charging","timestamp":"2026-01-01T00:00:01Z"}]"#,
        "StatusNotification",
    ),
    (
        r#"[3,"12",{"currentTime":"2026-01-01T00:00:00.123+02:00"}]"#,
        "Heartbeat",
    ),
    (
        r#"[2,"13","GetLog",{"log":{"remoteLocation":"ftp://x/"},"logType":"SecurityLog","requestId":1}]"#,
        "GetLog",
    ),
];

fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Parses and decodes like a charge point and like a CSMS; checks every error's shape.
fn exercise(text: &str, action: Action) {
    match frame::parse(text) {
        Ok(Frame::Call(call)) => {
            for side in [Side::ChargePoint, Side::Csms] {
                if let Err(e) = decode_call(side, &call.action, &call.payload) {
                    assert!(!e.description.is_empty());
                }
            }
        }
        Ok(Frame::CallResult(result)) => {
            if let Err(e) = Response::decode(action, &result.payload) {
                assert!(!e.description.is_empty());
            }
        }
        Ok(Frame::CallError(_)) | Err(FrameError::UnknownMessageType(_)) => {}
        Err(e @ FrameError::Malformed { .. }) => {
            if let Some(reply) = e.reply() {
                let parsed = frame::parse(&reply);
                assert!(
                    matches!(&parsed, Ok(Frame::CallError(r)) if r.error_code().is_some()),
                    "bad reply {reply}"
                );
            }
        }
    }
}

/// A random JSON value of bounded depth.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every node of a value, by index in a depth-first walk, mutated by `f`.
fn mutate_nth(v: &mut Value, n: &mut usize, f: &mut dyn FnMut(&mut Value)) -> bool {
    if *n == 0 {
        f(v);
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(items) => items.iter_mut().any(|i| mutate_nth(i, n, f)),
        Value::Object(map) => map.values_mut().any(|i| mutate_nth(i, n, f)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        exercise(&text, Action::Heartbeat);
    }

    #[test]
    fn json_shaped_text_never_panics(text in r#"\[[0-9]{1,2},("[a-z0-9]{0,40}"|[0-9]+|null)(,("[A-Za-z]{0,30}"|\{\}|\[\]|[0-9.e+-]{1,12}|"[^"]{0,20}")){0,4}\]"#) {
        exercise(&text, Action::BootNotification);
    }

    #[test]
    fn byte_edits_of_valid_frames_never_panic(
        which in 0..FRAMES.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..6),
    ) {
        let (text, action) = FRAMES[which];
        let mut chars: Vec<char> = text.chars().collect();
        for (at, kind, c) in edits {
            if chars.is_empty() { break; }
            let i = at.index(chars.len());
            match kind {
                0 => { chars.remove(i); }
                1 => chars.insert(i, c),
                2 => chars[i] = c,
                _ => chars.truncate(i),
            }
        }
        let edited: String = chars.into_iter().collect();
        exercise(&edited, Action::from_name(action).unwrap());
    }

    #[test]
    fn structural_edits_of_valid_frames_never_panic(
        which in 0..FRAMES.len(),
        node in 0usize..64,
        replacement in json_value(),
        op in 0u8..3,
    ) {
        let (text, action) = FRAMES[which];
        let mut value: Value = serde_json::from_str(text).unwrap();
        let mut n = node;
        mutate_nth(&mut value, &mut n, &mut |v| match op {
            0 => *v = replacement.clone(),
            1 => if let Value::Object(m) = v {
                let first = m.keys().next().cloned();
                if let Some(k) = first { m.remove(&k); }
            },
            _ => if let Value::Object(m) = v { m.insert("extra".into(), replacement.clone()); }
                 else if let Value::String(s) = v { s.push_str(&"x".repeat(600)); },
        });
        exercise(&value.to_string(), Action::from_name(action).unwrap());
    }

    #[test]
    fn date_times_round_trip(millis in DateTime::MIN.unix_millis()..=DateTime::MAX.unix_millis(), offset in -1439i64..=1439) {
        let t = DateTime::from_unix_millis(millis);
        prop_assert_eq!(DateTime::parse(&t.to_rfc3339()), Ok(t));
        // The same instant written with an offset parses to the same instant.
        let local = t.add_millis(offset * 60_000);
        let text = local.to_rfc3339();
        let sign = if offset < 0 { '-' } else { '+' };
        let with_offset = format!("{}{}{:02}:{:02}", &text[..text.len() - 1], sign, offset.abs() / 60, offset.abs() % 60);
        if local != DateTime::MIN && local != DateTime::MAX {
            prop_assert_eq!(DateTime::parse(&with_offset), Ok(t));
        }
    }
}

#[test]
fn valid_frames_round_trip_through_the_types() {
    for &(text, action) in FRAMES {
        let action = Action::from_name(action).unwrap();
        match frame::parse(text).unwrap() {
            Frame::Call(call) => {
                let side = if action.sender().allows(Side::Csms) {
                    Side::ChargePoint
                } else {
                    Side::Csms
                };
                let request = decode_call(side, &call.action, &call.payload)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                let again = encode_call(&call.id, &request);
                let Frame::Call(call2) = frame::parse(&again).unwrap() else {
                    panic!()
                };
                assert_eq!(Request::decode(action, &call2.payload).unwrap(), request);
            }
            Frame::CallResult(result) => {
                let response = Response::decode(action, &result.payload)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                let again = encode_call_result(&result.id, &response);
                let Frame::CallResult(r2) = frame::parse(&again).unwrap() else {
                    panic!()
                };
                assert_eq!(Response::decode(action, &r2.payload).unwrap(), response);
            }
            Frame::CallError(_) => unreachable!(),
        }
    }
}
