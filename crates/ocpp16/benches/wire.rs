//! Parse + decode + encode of a realistic frame mix (BENCHMARKS.md records the figures).
//!
//! `cargo bench -p ocpp16 --bench wire` (or `cargo xtask bench`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark inputs are constants"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ocpp16::{
    Action, Frame, Request, Response, Side, decode_call,
    frame::{self, encode_call, encode_call_result},
    messages::GetConfigurationResponse,
};

/// The issue's mix: BootNotification, MeterValues with six sampled values,
/// SetChargingProfile, and a GetConfiguration result with 40 keys.
fn issue_mix() -> Vec<(String, Action)> {
    let boot = r#"[2,"1","BootNotification",{"chargePointVendor":"Teltonika","chargePointModel":"TeltoCharge","chargePointSerialNumber":"EVC-0001","firmwareVersion":"1.0.0"}]"#;
    let meter = r#"[2,"2","MeterValues",{"connectorId":1,"transactionId":7,"meterValue":[{"timestamp":"2026-01-01T00:05:00Z","sampledValue":[{"value":"1234","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"},{"value":"16.0","context":"Sample.Periodic","measurand":"Current.Import","phase":"L1","location":"Outlet","unit":"A"},{"value":"32.0","context":"Sample.Periodic","measurand":"Current.Offered","location":"Outlet","unit":"A"},{"value":"21.5","context":"Sample.Periodic","measurand":"Temperature","location":"Body","unit":"Celsius"},{"value":"230.0","context":"Sample.Periodic","measurand":"Voltage","phase":"L1-N","location":"Outlet","unit":"V"},{"value":"3680","context":"Sample.Periodic","measurand":"Power.Active.Import","location":"Outlet","unit":"W"}]}]}]"#;
    let profile = r#"[2,"3","SetChargingProfile",{"connectorId":1,"csChargingProfiles":{"chargingProfileId":5,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","recurrencyKind":"Daily","chargingSchedule":{"duration":86400,"startSchedule":"2026-01-01T00:00:00Z","chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16.0},{"startPeriod":3600,"limit":10.5,"numberPhases":1},{"startPeriod":7200,"limit":32.0},{"startPeriod":14400,"limit":6.0}],"minChargingRate":6.0}}}]"#;
    let keys: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"key":"ConfigurationKeyNumber{i}","readonly":{},"value":"{}"}}"#,
                i % 3 == 0,
                i * 37
            )
        })
        .collect();
    let config = format!(r#"[3,"4",{{"configurationKey":[{}]}}]"#, keys.join(","));
    vec![
        (boot.to_owned(), Action::BootNotification),
        (meter.to_owned(), Action::MeterValues),
        (profile.to_owned(), Action::SetChargingProfile),
        (config, Action::GetConfiguration),
    ]
}

/// What a charge point receives from a CSMS in normal operation.
fn csms_mix() -> Vec<(String, Action)> {
    [
        (r#"[3,"1",{"status":"Accepted","currentTime":"2026-01-01T00:00:00Z","interval":300}]"#, Action::BootNotification),
        (r#"[3,"2",{"currentTime":"2026-01-01T00:05:00.123Z"}]"#, Action::Heartbeat),
        (r#"[3,"3",{"idTagInfo":{"status":"Accepted","expiryDate":"2027-01-01T00:00:00Z"},"transactionId":7}]"#, Action::StartTransaction),
        (r#"[3,"4",{}]"#, Action::MeterValues),
        (r#"[2,"c1","RemoteStartTransaction",{"connectorId":1,"idTag":"APP-USER-0001"}]"#, Action::RemoteStartTransaction),
        (r#"[2,"c2","GetConfiguration",{"key":["HeartbeatInterval","MeterValueSampleInterval","MeterValuesSampledData","ConnectionTimeOut","AuthorizeRemoteTxRequests"]}]"#, Action::GetConfiguration),
        (r#"[2,"c3","ChangeConfiguration",{"key":"MeterValueSampleInterval","value":"60"}]"#, Action::ChangeConfiguration),
    ]
    .into_iter()
    .map(|(t, a)| (t.to_owned(), a))
    .chain(issue_mix().into_iter().filter(|(_, a)| *a == Action::SetChargingProfile))
    .collect()
}

/// Parse and decode as the receiver of each frame would.
fn decode(text: &str, action: Action) -> bool {
    match frame::parse(text).unwrap() {
        Frame::Call(call) => {
            let receiver = if action.sender().allows(Side::Csms) {
                Side::ChargePoint
            } else {
                Side::Csms
            };
            decode_call(receiver, &call.action, &call.payload).is_ok()
        }
        Frame::CallResult(result) => Response::decode(action, &result.payload).is_ok(),
        Frame::CallError(_) => false,
    }
}

/// [`decode`] the way it was before the codec: the serde_json frame split and the
/// serde-based decoder (its fast path on), for a comparison in the same run on the same
/// machine load.
fn decode_legacy(text: &str, action: Action) -> bool {
    match frame::parse_legacy(text).unwrap() {
        Frame::Call(call) => {
            let receiver = if action.sender().allows(Side::Csms) {
                Side::ChargePoint
            } else {
                Side::Csms
            };
            ocpp16::decode_call_legacy(receiver, &call.action, &call.payload).is_ok()
        }
        Frame::CallResult(result) => Response::decode_legacy(action, &result.payload).is_ok(),
        Frame::CallError(_) => false,
    }
}

/// Parse, decode, and encode the typed message again.
fn round_trip(text: &str, action: Action) -> usize {
    match frame::parse(text).unwrap() {
        Frame::Call(call) => {
            let receiver = if action.sender().allows(Side::Csms) {
                Side::ChargePoint
            } else {
                Side::Csms
            };
            let request: Request = decode_call(receiver, &call.action, &call.payload).unwrap();
            encode_call(&call.id, &request).len()
        }
        Frame::CallResult(result) => {
            let response = Response::decode(action, &result.payload).unwrap();
            encode_call_result(&result.id, &response).len()
        }
        Frame::CallError(_) => 0,
    }
}

fn bench(c: &mut Criterion) {
    for (name, mix) in [("csms_mix", csms_mix()), ("issue_mix", issue_mix())] {
        assert!(
            mix.iter().all(|(t, a)| decode(t, *a)),
            "every frame of {name} decodes"
        );
        let bytes: usize = mix.iter().map(|(t, _)| t.len()).sum();
        let frames = u64::try_from(mix.len()).unwrap();
        let mut g = c.benchmark_group(format!("{name}/decode"));
        g.throughput(Throughput::Elements(frames));
        g.bench_function("frames", |b| {
            b.iter(|| mix.iter().filter(|(t, a)| decode(black_box(t), *a)).count());
        });
        g.bench_function("frames_legacy_serde", |b| {
            b.iter(|| {
                mix.iter()
                    .filter(|(t, a)| decode_legacy(black_box(t), *a))
                    .count()
            });
        });
        g.throughput(Throughput::Bytes(u64::try_from(bytes).unwrap()));
        g.bench_function("bytes", |b| {
            b.iter(|| mix.iter().filter(|(t, a)| decode(black_box(t), *a)).count());
        });
        g.finish();
        let mut g = c.benchmark_group(format!("{name}/parse_decode_encode"));
        g.throughput(Throughput::Elements(frames));
        g.bench_function("frames", |b| {
            b.iter(|| {
                mix.iter()
                    .map(|(t, a)| round_trip(black_box(t), *a))
                    .sum::<usize>()
            });
        });
        g.finish();
    }
    let mut g = c.benchmark_group("per_frame/decode");
    for (text, action) in issue_mix() {
        g.throughput(Throughput::Bytes(u64::try_from(text.len()).unwrap()));
        g.bench_function(action.as_str(), |b| {
            b.iter(|| decode(black_box(&text), action));
        });
    }
    g.finish();
    let (text, _) = issue_mix().pop().unwrap();
    let Frame::CallResult(result) = frame::parse(&text).unwrap() else {
        unreachable!()
    };
    let Response::GetConfiguration(config): Response =
        Response::decode(Action::GetConfiguration, &result.payload).unwrap()
    else {
        unreachable!()
    };
    let response = Response::GetConfiguration(GetConfigurationResponse { ..config });
    c.bench_function("encode/GetConfiguration_40_keys", |b| {
        b.iter(|| encode_call_result("4", black_box(&response)).len());
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1)).sample_size(30);
    targets = bench
}
criterion_main!(benches);
