//! What the property tests share: realistic frames and the ways they are mutated.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_wrap,
    reason = "test helpers; each test file uses part of it"
)]

use proptest::prelude::*;
use serde_json::Value;

/// Realistic frames in both directions: (text, action of the CALL it is or answers).
pub(crate) const FRAMES: &[(&str, &str)] = &[
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

pub(crate) fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// A random JSON value of bounded depth.
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
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
pub(crate) fn mutate_nth(v: &mut Value, n: &mut usize, f: &mut dyn FnMut(&mut Value)) -> bool {
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

/// Applies character edits (remove, insert, replace, truncate) to a frame's text.
pub(crate) fn byte_edits(text: &str, edits: Vec<(prop::sample::Index, u8, char)>) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for (at, kind, c) in edits {
        if chars.is_empty() {
            break;
        }
        let i = at.index(chars.len());
        match kind {
            0 => {
                chars.remove(i);
            }
            1 => chars.insert(i, c),
            2 => chars[i] = c,
            _ => chars.truncate(i),
        }
    }
    chars.into_iter().collect()
}

/// Applies one structural edit (replace a node, drop an object's first key, add a field
/// or lengthen a string) to a frame's JSON.
pub(crate) fn structural_edit(text: &str, node: usize, replacement: &Value, op: u8) -> String {
    let mut value: Value = serde_json::from_str(text).unwrap();
    let mut n = node;
    mutate_nth(&mut value, &mut n, &mut |v| match op {
        0 => *v = replacement.clone(),
        1 => {
            if let Value::Object(m) = v {
                let first = m.keys().next().cloned();
                if let Some(k) = first {
                    m.remove(&k);
                }
            }
        }
        _ => {
            if let Value::Object(m) = v {
                m.insert("extra".into(), replacement.clone());
            } else if let Value::String(s) = v {
                s.push_str(&"x".repeat(600));
            }
        }
    });
    value.to_string()
}

/// Whether the text holds a number literal that serde_json's float parser (without its
/// `float_roundtrip` feature) may round to a neighbouring `f64`: its significand and
/// power of ten are exact in an `f64` only up to 2^53 and 10^22.
pub(crate) fn has_inexact_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if c == b'-' || c.is_ascii_digit() {
            let start = i;
            while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                i += 1;
            }
            let literal = &text[start..i];
            let (mantissa, exp) = match literal.find(['e', 'E']) {
                Some(e) => (
                    &literal[..e],
                    literal[e + 1..].parse::<i64>().unwrap_or(i64::MAX),
                ),
                None => (literal, 0),
            };
            let frac = mantissa.split_once('.').map_or(0, |(_, f)| f.len() as i64);
            let digits = mantissa
                .trim_start_matches(['-', '0', '.'])
                .replace('.', "")
                .len();
            let float = literal.contains(['.', 'e', 'E']);
            if float && (digits > 15 || exp.saturating_sub(frac).abs() > 22) {
                return true;
            }
            if !float && digits > 15 {
                return true;
            }
            continue;
        }
        i += 1;
    }
    false
}

pub(crate) fn mask_digits(s: &str) -> String {
    let mut out = String::new();
    let mut last_masked = false;
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' || c == '-' {
            if !last_masked {
                out.push('#');
            }
            last_masked = true;
        } else {
            out.push(c);
            last_masked = false;
        }
    }
    out
}

/// Whether two descriptions differ only in how they quote the string a field got: the
/// codec quotes it as JSON does (`"a\u0001"`), the old decoder as Rust's `Debug` does
/// (`"a\u{1}"`). The quoted strings must hold the same text.
pub(crate) fn same_but_quoting(codec: &str, old: &str) -> bool {
    const GOT: &str = "got string ";
    let (Some(i), Some(j)) = (codec.find(GOT), old.find(GOT)) else {
        return false;
    };
    if codec.get(..i) != old.get(..j) {
        return false;
    }
    let (rest, old_rest) = (&codec[i + GOT.len()..], &old[j + GOT.len()..]);
    let mut strings = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    let Some(Ok(text)) = strings.next() else {
        return false;
    };
    let (after, debug) = (&rest[strings.byte_offset()..], format!("{text:?}"));
    old_rest.strip_prefix(debug.as_str()) == Some(after)
}

/// Splits with both frame parsers and compares. One allowance: a CALLERROR's details
/// holding a number literal serde_json's float parser may round to a neighbouring `f64`
/// (see [`has_inexact_number`]); the tokenizer's path reads it correctly rounded.
pub(crate) fn same_split(text: &str) {
    let new = ocpp16::frame::parse(text);
    let old = ocpp16::frame::parse_legacy(text);
    if new == old {
        return;
    }
    if let (Ok(ocpp16::Frame::CallError(a)), Ok(ocpp16::Frame::CallError(b))) = (&new, &old)
        && has_inexact_number(text)
        && (&a.id, &a.code, &a.description) == (&b.id, &b.code, &b.description)
    {
        return;
    }
    panic!("splitting {text:?}\n  new: {new:?}\n  old: {old:?}");
}

/// The same typed value or the same CALLERROR (see [`has_inexact_number`] for the one allowance).
pub(crate) fn agree<T: PartialEq + std::fmt::Debug>(
    new: &Result<T, ocpp16::WireError>,
    old: &Result<T, ocpp16::WireError>,
    payload: &str,
) {
    if new == old {
        return;
    }
    if let (Err(a), Err(b)) = (new, old)
        && a.code == b.code
        && same_but_quoting(&a.description, &b.description)
    {
        return;
    }
    if has_inexact_number(payload) {
        match (new, old) {
            (Err(a), Err(b))
                if a.code == b.code
                    && mask_digits(&a.description) == mask_digits(&b.description) =>
            {
                return;
            }
            // A decimal within float rounding of a tenth: accepted by one, not the other.
            (Ok(_), Err(e)) | (Err(e), Ok(_)) if e.description.contains("multiple of 0.1") => {
                return;
            }
            _ => {}
        }
    }
    panic!("payload {payload}\n  codec: {new:?}\n  old:   {old:?}");
}
