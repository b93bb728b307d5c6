//! The driver every home runs: its ordered output, the link and ping policy, sped-up
//! time, and the engine defects found when the homes were tried as a new user would.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

mod common;

use chargepoint::{
    Driver, DriverConfig, Link, Output, Settings,
    driver::MeterCadence,
    harness::{Csms, CsmsScript, Harness},
    model::Variant,
    world::{EvSpec, World},
};
use common::{booted, call, check_wire};
use ocpp16::{Action, DateTime, Frame, Request, frame};
use serde_json::json;

const KEY: &str = "0123456789abcdef0123456789abcdef";

fn ids(h: &Harness) -> Vec<String> {
    h.trace
        .iter()
        .filter(|t| t.from_cp)
        .filter_map(|t| match frame::parse(&t.text) {
            Ok(Frame::Call(c)) => Some(c.id),
            _ => None,
        })
        .collect()
}

#[test]
fn a_differential_local_list_needs_a_higher_version() {
    // Defect 3: an equal version was Accepted.
    let mut h = booted(Variant::Tethered);
    let full = json!({"listVersion": 5, "updateType": "Full",
        "localAuthorizationList": [{"idTag": "A", "idTagInfo": {"status": "Accepted"}}]});
    assert_eq!(
        call(&mut h, "SendLocalList", full).unwrap()["status"],
        "Accepted"
    );
    let same = json!({"listVersion": 5, "updateType": "Differential",
        "localAuthorizationList": [{"idTag": "B", "idTagInfo": {"status": "Accepted"}}]});
    assert_eq!(
        call(&mut h, "SendLocalList", same).unwrap()["status"],
        "VersionMismatch"
    );
    assert!(h.cp().local_list().get("B").is_none(), "nothing applied");
    check_wire(&h, "local_list_equal_version");
}

#[test]
fn a_new_authorization_key_at_profile_0_keeps_the_link_and_a_raise_uses_it() {
    // Defect 2: the box dropped the link at profile 0, so a CSMS raising the profile
    // next found it gone.
    let mut h = booted(Variant::Tethered);
    let opens = h.opens.len();
    let r = call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "AuthorizationKey", "value": KEY}),
    );
    assert_eq!(r.unwrap()["status"], "Accepted");
    h.run_for(10_000);
    assert!(h.connected());
    assert_eq!(h.opens.len(), opens, "no reconnect at profile 0");
    assert!(h.opens.iter().all(|p| p.basic_auth.is_none()));
    // Raising the profile reconnects, with the engine's new key.
    let r = call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "SecurityProfile", "value": "1"}),
    );
    assert_eq!(r.unwrap()["status"], "Accepted");
    h.run_for(10_000);
    assert!(h.connected());
    let last = h.opens.last().unwrap();
    assert_eq!(last.security_profile, 1);
    assert_eq!(
        last.basic_auth,
        Some((String::from("EVC-0001"), String::from(KEY)))
    );
    assert!(
        !format!("{last:?}").contains(KEY),
        "Debug never shows the key"
    );
    check_wire(&h, "authorization_key_profile_0");
}

#[test]
fn message_ids_never_repeat_across_reconnects_reboots_and_restarts() {
    // Defect 11: ids restarted at "1" on every run and connection.
    let mut h = booted(Variant::Tethered);
    h.drop_connection();
    h.run_for(30_000);
    let r = call(&mut h, "Reset", json!({"type": "Soft"}));
    assert_eq!(r.unwrap()["status"], "Accepted");
    h.run_for(30_000);
    h.crash_and_restore();
    h.run_for(30_000);
    let ids = ids(&h);
    let boots = h.csms.sent(Action::BootNotification).len();
    assert!(boots >= 3, "power-on, reset, restore: {boots}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    assert!(ids.iter().all(|id| id.len() <= 36));
    // One prefix per boot.
    let mut prefixes: Vec<&str> = ids.iter().filter_map(|i| i.split('.').next()).collect();
    prefixes.dedup();
    assert_eq!(prefixes.len(), boots, "{prefixes:?}");
}

#[test]
fn different_entropy_gives_different_ids_for_the_same_box() {
    let first = |seed: u64| {
        let mut settings = Settings::new("EVC-0001", Variant::Tethered);
        settings.seed = seed;
        let mut h = Harness::new(settings);
        h.run_for(1_000);
        ids(&h)[0].clone()
    };
    assert_ne!(first(1), first(2));
    assert_eq!(first(7), first(7), "deterministic for the same entropy");
}

/// A home at `speed` against a CSMS whose clock is real time (as a real CSMS's is).
fn sped_up_session(speed: u32) -> Vec<Request> {
    let epoch = DateTime::from_unix_millis(1_767_225_600_000);
    let mut settings = Settings::new("EVC-FAST", Variant::Tethered);
    settings.call_timeout_ms *= u64::from(speed);
    let config = DriverConfig {
        speed,
        ..DriverConfig::default()
    };
    let mut d = Driver::new(settings, Some(World::default()), config, 0, epoch);
    let mut csms = Csms::new(CsmsScript::default(), 30_000);
    let mut script_done = [false; 4];
    for second in 0..1_800u64 {
        let real = second * 1_000;
        d.timeout(real);
        let engine_s = d.now().as_millis() / 1_000;
        if second == 2 {
            // Samples every 10 s: some fall just before a Heartbeat answer.
            let (_, text) = csms.call(
                "ChangeConfiguration",
                r#"{"key":"MeterValueSampleInterval","value":"10"}"#,
            );
            d.frame(real, &text);
        }
        let steps = [60, 70, 14_000, 14_010];
        for (i, at) in steps.iter().enumerate() {
            if engine_s >= *at && !script_done[i] {
                script_done[i] = true;
                match i {
                    0 => d.hardware(real, vec![chargepoint::HardwareEvent::RfidTap("T1".into())]),
                    1 => d.with_world(real, |w| w.plug(EvSpec::default())),
                    2 => d.hardware(real, vec![chargepoint::HardwareEvent::RfidTap("T1".into())]),
                    _ => d.with_world(real, World::unplug),
                }
            }
        }
        let wall = epoch.add_millis(i64::try_from(real).unwrap());
        while let Some(out) = d.poll_output() {
            match out {
                Output::Persist(p) => d.persisted(p.token, Ok(())),
                Output::Open(_) => d.opened(real),
                Output::Send(text) => {
                    if let Some(answer) =
                        csms.receive(chargepoint::Instant::from_millis(real), wall, &text)
                    {
                        csms.delivered(&answer);
                        d.frame(real, &answer);
                    }
                }
                _ => {}
            }
        }
    }
    assert!(csms.violations.is_empty(), "{:?}", csms.violations);
    csms.received.into_iter().map(|(_, r)| r).collect()
}

fn timestamps(requests: &[Request]) -> Vec<DateTime> {
    requests
        .iter()
        .filter_map(|r| match r {
            Request::StatusNotification(s) => s.timestamp,
            Request::StartTransaction(s) => Some(s.timestamp),
            Request::StopTransaction(s) => Some(s.timestamp),
            Request::MeterValues(m) => m.meter_value.first().map(|v| v.timestamp),
            _ => None,
        })
        .collect()
}

#[test]
fn sped_up_time_stays_monotonic_against_a_csms_on_real_time() {
    // Defect 8: at 10× every Heartbeat/Boot answer set the box's clock back to the
    // CSMS's, so timestamps jumped backwards and a StopTransaction came before its
    // StartTransaction.
    let requests = sped_up_session(10);
    let stamps = timestamps(&requests);
    assert!(stamps.len() > 10, "{stamps:?}");
    assert!(
        stamps.windows(2).all(|w| w[0] <= w[1]),
        "timestamps went backwards: {stamps:?}"
    );
    let start = requests.iter().find_map(|r| match r {
        Request::StartTransaction(s) => Some(s.timestamp),
        _ => None,
    });
    let stop = requests.iter().find_map(|r| match r {
        Request::StopTransaction(s) => Some(s.timestamp),
        _ => None,
    });
    assert!(
        start.is_some() && stop.is_some() && stop > start,
        "{start:?} {stop:?}"
    );
    let heartbeats = requests
        .iter()
        .filter(|r| matches!(r, Request::Heartbeat(_)))
        .count();
    assert!(
        heartbeats > 5,
        "the CSMS's currentTime came back {heartbeats} times"
    );
}

#[test]
fn nothing_leaves_after_a_persist_until_it_is_acknowledged() {
    let epoch = DateTime::from_unix_millis(1_767_225_600_000);
    let mut d = Driver::new(
        Settings::new("EVC-ORDER", Variant::Tethered),
        Some(World::default()),
        DriverConfig::default(),
        0,
        epoch,
    );
    let mut csms = Csms::new(CsmsScript::default(), 30_000);
    let mut outputs = Vec::new();
    let mut held = 0;
    for step in 0..120u64 {
        let real = step * 1_000;
        d.timeout(real);
        if step == 10 {
            d.hardware(real, vec![chargepoint::HardwareEvent::RfidTap("T1".into())]);
            d.with_world(real, |w| w.plug(EvSpec::default()));
        }
        while let Some(out) = d.poll_output() {
            match out {
                Output::Persist(p) => {
                    // While unacknowledged, nothing else comes out.
                    assert_eq!(d.poll_output(), None);
                    held += 1;
                    outputs.push(format!(
                        "persist tx={}",
                        d.durable_state().transaction.is_some()
                    ));
                    d.persisted(p.token, Ok(()));
                }
                Output::Open(_) => d.opened(real),
                Output::Send(text) => {
                    if text.contains("\"StartTransaction\"") {
                        outputs.push(String::from("StartTransaction"));
                    }
                    let wall = epoch.add_millis(i64::try_from(real).unwrap());
                    if let Some(a) =
                        csms.receive(chargepoint::Instant::from_millis(real), wall, &text)
                    {
                        csms.delivered(&a);
                        d.frame(real, &a);
                    }
                }
                _ => {}
            }
        }
    }
    assert!(held >= 3, "{outputs:?}");
    let start = outputs
        .iter()
        .position(|o| o == "StartTransaction")
        .unwrap();
    assert_eq!(
        outputs[..start].last().map(String::as_str),
        Some("persist tx=true"),
        "the transaction was stored right before its StartTransaction: {outputs:?}"
    );
}

#[test]
fn unanswered_pings_close_the_link_and_a_reconnect_follows() {
    let epoch = DateTime::from_unix_millis(1_767_225_600_000);
    let config = DriverConfig {
        pings: true,
        meter: MeterCadence {
            period_ms: 1_000,
            min_real_ms: 0,
            while_idle: false,
            fresh_on_input: false,
        },
        ..DriverConfig::default()
    };
    let mut d = Driver::new(
        Settings::new("EVC-PING", Variant::Tethered),
        None,
        config,
        0,
        epoch,
    );
    let (mut pings, mut closes, mut opens) = (0, 0, 0);
    let mut real = 0;
    for _ in 0..200 {
        while let Some(out) = d.poll_output() {
            match out {
                Output::Open(_) => {
                    opens += 1;
                    d.opened(real);
                }
                Output::Ping => pings += 1,
                Output::Close => closes += 1,
                Output::Persist(p) => d.persisted(p.token, Ok(())),
                _ => {}
            }
        }
        // Sleep exactly until the driver's next deadline, as a home does.
        let Some(next) = d.poll_timeout() else { break };
        assert!(next >= real, "deadlines never lie in the past");
        real = next;
        d.timeout(real);
        if opens >= 3 {
            break;
        }
    }
    // WebSocketPingInterval 10 s: a ping, no pong within another 10 s → closed.
    assert!(
        pings >= 2 && closes >= 2 && opens >= 3,
        "{pings} {closes} {opens}"
    );
    assert!(matches!(
        d.link(),
        Link::Open | Link::Opening | Link::Waiting(_)
    ));
    assert_eq!(d.last_link_error(), None, "the last attempt succeeded");
}

#[test]
fn a_close_the_driver_asked_for_is_not_reported_back_as_lost() {
    let mut h = booted(Variant::Tethered);
    let r = call(&mut h, "Reset", json!({"type": "Hard"}));
    assert_eq!(r.unwrap()["status"], "Accepted");
    h.run_for(10_000);
    // One close for the reset, one boot after it, no extra backoff from a "lost" link.
    assert_eq!(
        h.commands
            .iter()
            .filter(|(_, c)| *c == chargepoint::Command::Disconnect)
            .count(),
        1
    );
    assert_eq!(h.csms.sent(Action::BootNotification).len(), 2);
    assert!(h.connected());
}

#[test]
fn a_starved_home_advances_engine_time_in_bounded_steps() {
    let epoch = DateTime::from_unix_millis(1_767_225_600_000);
    let config = DriverConfig {
        speed: 600,
        max_step_ms: Some(2_000),
        ..DriverConfig::default()
    };
    let mut d = Driver::new(
        Settings::new("EVC-MCU", Variant::Socket),
        None,
        config,
        0,
        epoch,
    );
    d.timeout(1_000); // a stall: one real second is ten engine minutes
    assert_eq!(d.now().as_millis(), 2_000);
    d.timeout(1_000);
    assert_eq!(d.now().as_millis(), 4_000, "it catches up, step by step");
}
