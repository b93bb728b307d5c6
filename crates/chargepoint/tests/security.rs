//! The Security extension in virtual time: every SecurityEventNotification at its
#![cfg_attr(
    not(feature = "certificates"),
    allow(
        dead_code,
        unused_imports,
        reason = "the certificate tests need the feature"
    )
)]
//! moment and its delivery after an offline period and power cuts; GetLog's status
//! sequences; ExtendedTriggerMessage for every message; SecurityProfile raises, the
//! fallback, lowering; AuthorizationKey at profile 0; certificates and the CSR flow;
//! no private key anywhere it should not be.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

mod common;

use chargepoint::{
    Event, JobKind, JobUpdate, Settings, harness::Harness, model::Variant, pki::Certificate,
    pki::KeyPair,
};
use common::{booted, call, check_wire};
use ocpp16::{Action, Request, messages::UploadLogStatus as L};
use serde_json::{Value, json};

const ROOT: &str = include_str!("fixtures/pki/root.pem");
const OTHER_ROOT: &str = include_str!("fixtures/pki/other_root.pem");
const EXPIRED: &str = include_str!("fixtures/pki/expired_root.pem");
const NON_CA: &str = include_str!("fixtures/pki/non_ca.pem");
const GARBAGE: &str = include_str!("fixtures/pki/garbage.pem");
/// A chain for the fixtures' own leaf key (not one the engine makes).
const CHAIN: &str = include_str!("fixtures/pki/chain.pem");
/// Chains for the key the engine draws first from the entropy [`SEED`] (see make.py).
const ENGINE_CHAIN: &str = include_str!("fixtures/pki/engine_chain.pem");
const ENGINE_BROKEN_CHAIN: &str = include_str!("fixtures/pki/engine_broken_chain.pem");
/// The home's entropy whose first key the engine chains were made for.
const SEED: [u8; 32] = [7; 32];

/// The seed of the engine's first key from the home's entropy `seed`, computed here
/// as make.py does: SHA-256 of the label, the entropy and the draw number.
fn first_drawn(seed: [u8; 32]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"evc key pair seed\0");
    h.update(seed);
    h.update(1u64.to_be_bytes());
    h.finalize().into()
}
const KEY: &str = "0123456789abcdef0123456789abcdef";

/// The security events the CSMS received: (type, techInfo).
fn sec_events(h: &Harness) -> Vec<(String, Option<String>)> {
    h.csms
        .sent(Action::SecurityEventNotification)
        .into_iter()
        .filter_map(|r| match r {
            Request::SecurityEventNotification(e) => Some((
                String::from(e.kind.as_str()),
                e.tech_info.as_ref().map(|t| String::from(t.as_str())),
            )),
            _ => None,
        })
        .collect()
}

fn kinds(h: &Harness) -> Vec<String> {
    sec_events(h).into_iter().map(|(k, _)| k).collect()
}

fn log_statuses(h: &Harness) -> Vec<(L, Option<i32>)> {
    h.csms
        .sent(Action::LogStatusNotification)
        .into_iter()
        .filter_map(|r| match r {
            Request::LogStatusNotification(n) => Some((n.status, n.request_id)),
            _ => None,
        })
        .collect()
}

fn change(h: &mut Harness, key: &str, value: &str) -> Value {
    call(
        h,
        "ChangeConfiguration",
        json!({"key": key, "value": value}),
    )
    .unwrap()["status"]
        .clone()
}

fn install(h: &mut Harness, pem: &str, kind: &str) -> Value {
    let payload = json!({"certificateType": kind, "certificate": pem});
    call(h, "InstallCertificate", payload).unwrap()["status"].clone()
}

fn install_root(h: &mut Harness, pem: &str) -> Value {
    install(h, pem, "CentralSystemRootCertificate")
}

fn ext_trigger(h: &mut Harness, message: &str, connector: Option<i32>) -> Value {
    let mut payload = json!({"requestedMessage": message});
    if let Some(c) = connector {
        payload["connectorId"] = json!(c);
    }
    let answer = call(h, "ExtendedTriggerMessage", payload).unwrap()["status"].clone();
    h.run_for(1_000);
    answer
}

fn get_log(h: &mut Harness, kind: &str, id: i32, location: &str, retries: Option<i32>) -> Value {
    let mut payload = json!({
        "logType": kind, "requestId": id, "log": {"remoteLocation": location}
    });
    if let Some(r) = retries {
        payload["retries"] = json!(r);
        payload["retryInterval"] = json!(30);
    }
    call(h, "GetLog", payload).unwrap()
}

fn last_job(h: &Harness) -> chargepoint::Job {
    h.jobs.last().unwrap().1.clone()
}

fn warnings(h: &Harness) -> Vec<String> {
    h.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Warning(w) => Some(w.clone()),
            _ => None,
        })
        .collect()
}

// ---- security events ----------------------------------------------------------------

#[test]
fn startup_reset_and_firmware_events_come_at_their_moments() {
    let mut h = booted(Variant::Tethered);
    let first = h.csms.sent(Action::SecurityEventNotification);
    match first[0] {
        Request::SecurityEventNotification(e) => {
            assert_eq!(e.kind.as_str(), "StartupOfTheDevice");
            assert_eq!(e.timestamp.to_rfc3339(), "2026-01-01T00:00:00Z");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(kinds(&h), ["StartupOfTheDevice"]);
    let answer = call(&mut h, "Reset", json!({"type": "Soft"})).unwrap();
    assert_eq!(answer, json!({"status": "Accepted"}));
    h.run_for(10_000);
    assert_eq!(
        sec_events(&h)[1..],
        [
            (
                String::from("ResetOrReboot"),
                Some(String::from("soft Reset"))
            ),
            (
                String::from("StartupOfTheDevice"),
                Some(String::from("power-on 2 (firmware 1.0.0-evc-playground)"))
            ),
        ]
    );
    // A firmware update: the reboot into it, then FirmwareUpdated once it booted.
    let at = h.wall().to_rfc3339();
    let payload = json!({"location": "https://h/fw.evcfw", "retrieveDate": at});
    call(&mut h, "UpdateFirmware", payload).unwrap();
    h.run_for(1_000);
    h.job(last_job(&h).id, JobUpdate::Done);
    h.job(
        last_job(&h).id,
        JobUpdate::Installed {
            version: String::from("2.0.0"),
        },
    );
    h.run_for(10_000);
    assert_eq!(
        sec_events(&h)[3..],
        [
            (
                String::from("ResetOrReboot"),
                Some(String::from("rebooting into firmware 2.0.0"))
            ),
            (
                String::from("StartupOfTheDevice"),
                Some(String::from("power-on 3 (firmware 2.0.0)"))
            ),
            (
                String::from("FirmwareUpdated"),
                Some(String::from("running firmware 2.0.0"))
            ),
        ]
    );
    check_wire(&h, "security_events");
}

#[test]
fn a_clock_step_by_the_csms_is_setting_system_time_and_drift_is_not() {
    let mut h = booted(Variant::Tethered);
    ext_trigger(&mut h, "Heartbeat", None);
    assert_eq!(kinds(&h), ["StartupOfTheDevice"], "no step: nothing");
    let now = h.driver().now();
    let behind = h.wall().add_millis(-3_600_000);
    h.cp_mut().set_wall_clock(now, behind);
    h.drain();
    ext_trigger(&mut h, "Heartbeat", None);
    let (kind, info) = sec_events(&h)[1].clone();
    assert_eq!(kind, "SettingSystemTime");
    assert!(info.unwrap().contains("by +3600 s"));
    check_wire(&h, "security_clock");
}

#[test]
fn a_wrapping_security_log_reports_that_it_was_cleared() {
    let mut settings = Settings::new("EVC-0001", Variant::Tethered);
    settings.security_log_capacity = 4;
    let mut h = Harness::new(settings);
    h.run_for(5_000);
    for key in [KEY, "fedcba9876543210fedcba9876543210", KEY] {
        change(&mut h, "AuthorizationKey", key);
    }
    h.run_for(5_000);
    let k = kinds(&h);
    assert!(k.iter().any(|k| k == "SecurityLogWasCleared"), "{k:?}");
    assert_eq!(h.cp().security().log_len(), 4);
    check_wire(&h, "security_log_cleared");
}

#[test]
fn events_survive_offline_periods_and_power_cuts_in_order() {
    let mut h = booted(Variant::Tethered);
    h.reachable = false;
    h.drop_connection();
    // Two power cuts while offline: each power-on queues a StartupOfTheDevice, the
    // first of them must survive the second cut.
    h.crash_and_restore();
    h.run_for(10_000);
    h.crash_and_restore();
    h.run_for(10_000);
    assert_eq!(kinds(&h), ["StartupOfTheDevice"]);
    h.reachable = true;
    h.run_for(400_000);
    let events: Vec<_> = h
        .csms
        .sent(Action::SecurityEventNotification)
        .into_iter()
        .map(|r| match r {
            Request::SecurityEventNotification(e) => (e.timestamp, e.tech_info.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events.windows(2).all(|w| w[0].0 <= w[1].0), "in order");
    assert!(events[1].1.as_ref().unwrap().contains("power-on 2"));
    assert!(events[2].1.as_ref().unwrap().contains("power-on 3"));
    check_wire(&h, "security_offline");
}

#[test]
fn a_security_event_is_retried_when_its_delivery_fails() {
    let mut h = booted(Variant::Tethered);
    h.csms
        .script
        .call_error_for
        .push(Action::SecurityEventNotification);
    change(&mut h, "AuthorizationKey", KEY);
    h.run_for(5_000);
    h.csms.script.call_error_for.clear();
    h.run_for(60_000);
    let k = kinds(&h);
    assert_eq!(
        k,
        [
            "StartupOfTheDevice",
            "ReconfigurationOfSecurityParameters",
            "ReconfigurationOfSecurityParameters"
        ],
        "sent again after the CALLERROR"
    );
    assert_eq!(h.cp().undelivered(), 0);
}

#[test]
fn a_csms_without_the_security_extension_does_not_hold_the_queue_back() {
    let mut h = booted(Variant::Tethered);
    h.csms
        .script
        .call_error_for
        .push(Action::SecurityEventNotification);
    h.csms.script.call_error_code = ocpp16::ErrorCode::NotImplemented;
    change(&mut h, "AuthorizationKey", KEY);
    h.run_for(1_000);
    let sent = h.csms.sent(Action::SecurityEventNotification).len();
    h.plug(chargepoint::world::EvSpec::default());
    h.run_for(2_000);
    assert!(
        !h.csms.sent(Action::StatusNotification).is_empty() && h.cp().undelivered() == 0,
        "the StatusNotification went out at once, nothing is left to retry"
    );
    h.run_for(120_000);
    assert_eq!(
        h.csms.sent(Action::SecurityEventNotification).len(),
        sent,
        "not tried again"
    );
    assert!(
        h.events
            .iter()
            .all(|(_, e)| !matches!(e, Event::MessageLost { .. }))
    );
    assert!(
        warnings(&h)
            .iter()
            .any(|w| w.contains("does not take SecurityEventNotification"))
    );
    assert!(
        h.cp()
            .security_log_text(h.driver().now(), None, None)
            .contains("ReconfigurationOfSecurityParameters")
    );
}

// ---- GetLog ---------------------------------------------------------------------------

#[test]
fn get_log_uploads_the_security_log_and_reports_each_status() {
    let mut h = booted(Variant::Tethered);
    let answer = get_log(&mut h, "SecurityLog", 7, "https://logs.example/up", None);
    assert_eq!(answer["status"], "Accepted");
    assert_eq!(
        answer["filename"],
        "EVC-0001-securitylog-20260101T000005Z.log"
    );
    let job = last_job(&h);
    let JobKind::Upload { url, file, content } = &job.kind else {
        panic!("{job:?}")
    };
    assert_eq!(url, "https://logs.example/up");
    assert_eq!(file, "EVC-0001-securitylog-20260101T000005Z.log");
    assert!(
        content.contains("security event StartupOfTheDevice"),
        "{content}"
    );
    assert!(
        content.contains("connected with SecurityProfile 0"),
        "{content}"
    );
    assert!(
        !content.contains("[frames]"),
        "the security log carries no frames"
    );
    ext_trigger(&mut h, "LogStatusNotification", None);
    h.job(job.id, JobUpdate::Done);
    h.run_for(1_000);
    ext_trigger(&mut h, "LogStatusNotification", None);
    assert_eq!(
        log_statuses(&h),
        [
            (L::Uploading, Some(7)),
            (L::Uploading, Some(7)),
            (L::Uploaded, Some(7)),
            (L::Idle, None)
        ]
    );
    check_wire(&h, "security_get_log");
}

#[test]
fn get_log_retries_then_fails_and_refusals_end_at_once() {
    let mut h = booted(Variant::Tethered);
    get_log(&mut h, "DiagnosticsLog", 1, "ftp://logs.example/", Some(1));
    let first = last_job(&h);
    let JobKind::Upload { file, content, .. } = &first.kind else {
        panic!()
    };
    assert!(file.starts_with("EVC-0001-diagnosticslog-"));
    assert!(content.contains("[configuration]") && content.contains("[frames]"));
    h.job(
        first.id,
        JobUpdate::Failed(String::from("connection refused")),
    );
    h.run_for(29_000);
    assert_eq!(last_job(&h).id, first.id, "the retry waits retryInterval");
    h.run_for(2_000);
    let second = last_job(&h);
    assert_ne!(second.id, first.id);
    h.job(
        second.id,
        JobUpdate::Failed(String::from("connection refused")),
    );
    h.run_for(1_000);
    assert_eq!(
        log_statuses(&h),
        [(L::Uploading, Some(1)), (L::UploadFailure, Some(1))]
    );
    for (id, why, status) in [
        (2, "HTTP 403 Forbidden", L::PermissionDenied),
        (3, "HTTP 400 Bad Request", L::BadMessage),
        (4, "HTTP 405 Method Not Allowed", L::NotSupportedOperation),
    ] {
        get_log(&mut h, "SecurityLog", id, "https://logs.example/", Some(3));
        h.job(last_job(&h).id, JobUpdate::Failed(String::from(why)));
        h.run_for(1_000);
        assert_eq!(log_statuses(&h).last(), Some(&(status, Some(id))), "{why}");
    }
    let refused = get_log(&mut h, "SecurityLog", 5, "sftp://logs.example/", None);
    assert_eq!(refused, json!({"status": "Rejected"}));
    check_wire(&h, "security_get_log_fail");
}

#[test]
fn a_second_get_log_cancels_the_first() {
    let mut h = booted(Variant::Tethered);
    get_log(&mut h, "SecurityLog", 1, "https://logs.example/", None);
    let first = last_job(&h);
    let second = get_log(&mut h, "SecurityLog", 2, "https://logs.example/", None);
    assert_eq!(second["status"], "AcceptedCanceled");
    h.job(first.id, JobUpdate::Done);
    h.run_for(1_000);
    ext_trigger(&mut h, "LogStatusNotification", None);
    h.job(last_job(&h).id, JobUpdate::Done);
    h.run_for(1_000);
    assert_eq!(
        log_statuses(&h),
        [
            (L::Uploading, Some(1)),
            (L::Uploading, Some(2)),
            (L::Uploading, Some(2)),
            (L::Uploaded, Some(2)),
        ],
        "the first job's late end changes nothing"
    );
    check_wire(&h, "security_get_log_cancel");
}

// ---- ExtendedTriggerMessage -------------------------------------------------------------

#[test]
#[cfg(feature = "certificates")] // installs a root or asks for a CSR
fn extended_trigger_sends_every_message_after_its_answer() {
    let mut h = booted(Variant::Tethered);
    for (message, action) in [
        ("BootNotification", Action::BootNotification),
        ("Heartbeat", Action::Heartbeat),
        ("StatusNotification", Action::StatusNotification),
        ("MeterValues", Action::MeterValues),
        (
            "FirmwareStatusNotification",
            Action::FirmwareStatusNotification,
        ),
        ("LogStatusNotification", Action::LogStatusNotification),
        ("SignChargePointCertificate", Action::SignCertificate),
    ] {
        let before = h.csms.sent(action).len();
        assert_eq!(
            ext_trigger(&mut h, message, Some(1)),
            "Accepted",
            "{message}"
        );
        assert!(h.csms.sent(action).len() > before, "{message} sent");
    }
    assert_eq!(
        ext_trigger(&mut h, "StatusNotification", Some(2)),
        "Rejected"
    );
    assert_eq!(
        ext_trigger(&mut h, "LogStatusNotification", Some(-1)),
        "Rejected"
    );
    check_wire(&h, "security_ext_trigger");
}

// ---- security profiles ------------------------------------------------------------------

#[test]
fn authorization_key_at_profile_0_keeps_the_link_and_lowering_is_rejected() {
    let mut h = booted(Variant::Tethered);
    let opens = h.opens.len();
    assert_eq!(change(&mut h, "AuthorizationKey", KEY), "Accepted");
    h.run_for(10_000);
    assert_eq!(h.opens.len(), opens, "no reconnect at profile 0");
    assert!(h.connected());
    assert_eq!(
        sec_events(&h)[1],
        (
            String::from("ReconfigurationOfSecurityParameters"),
            Some(String::from("AuthorizationKey changed"))
        )
    );
    assert_eq!(change(&mut h, "SecurityProfile", "1"), "Accepted");
    h.run_for(10_000);
    let last = h.opens.last().unwrap();
    assert_eq!(last.security_profile, 1);
    assert_eq!(last.basic_auth.as_ref().unwrap().1, KEY);
    assert_eq!(change(&mut h, "SecurityProfile", "0"), "Rejected");
    // At profile 1 a new key reconnects with it.
    let key2 = "fedcba9876543210fedcba9876543210";
    let opens = h.opens.len();
    assert_eq!(change(&mut h, "AuthorizationKey", key2), "Accepted");
    h.run_for(10_000);
    assert_eq!(h.opens.len(), opens + 1);
    assert_eq!(h.opens.last().unwrap().basic_auth.as_ref().unwrap().1, key2);
    assert_eq!(kinds(&h).len(), 4, "{:?}", kinds(&h));
    check_wire(&h, "security_profile_key");
}

#[test]
#[cfg(feature = "certificates")] // installs a root or asks for a CSR
fn a_raised_profile_that_cannot_connect_falls_back() {
    let mut h = booted(Variant::Tethered);
    change(&mut h, "AuthorizationKey", KEY);
    change(&mut h, "SecurityProfile", "1");
    h.run_for(10_000);
    assert_eq!(install_root(&mut h, ROOT), "Accepted");
    let (id, text) = h.csms.call(
        "ChangeConfiguration",
        r#"{"key":"SecurityProfile","value":"2"}"#,
    );
    h.send_raw(&text);
    assert!(h.csms.answers.iter().any(|(a, _)| *a == id));
    h.reachable = false;
    h.run_for(120_000);
    let profiles: Vec<u8> = h.opens.iter().map(|o| o.security_profile).collect();
    assert_eq!(profiles[..6], [0, 1, 2, 2, 2, 1], "{profiles:?}");
    assert!(profiles[6..].iter().all(|p| *p == 1), "{profiles:?}");
    assert_eq!(
        h.cp()
            .configuration()
            .int(chargepoint::model::Key::SecurityProfile),
        1
    );
    h.reachable = true;
    h.run_for(400_000);
    assert!(h.connected());
    let last = sec_events(&h);
    let infos: Vec<String> = last.iter().filter_map(|(_, i)| i.clone()).collect();
    assert!(
        infos
            .iter()
            .any(|i| i == "SecurityProfile raised from 1 to 2"),
        "{infos:?}"
    );
    assert!(
        infos
            .iter()
            .any(|i| i.contains("SecurityProfile 2 could not connect 3 times; back to 1")),
        "{infos:?}"
    );
    check_wire(&h, "security_fallback");
}

#[test]
#[cfg(feature = "certificates")] // installs a root or asks for a CSR
fn tls_profiles_need_a_wss_url() {
    let mut settings = Settings::new("EVC-0001", Variant::Tethered);
    settings.csms_url = String::from("ws://csms.example/ocpp/");
    let mut h = Harness::new(settings);
    h.run_for(5_000);
    install_root(&mut h, ROOT);
    change(&mut h, "AuthorizationKey", KEY);
    assert_eq!(change(&mut h, "SecurityProfile", "2"), "Rejected");
    assert!(warnings(&h).iter().any(|w| w.contains("wss://")));
    assert_eq!(change(&mut h, "SecurityProfile", "1"), "Accepted");
}

// ---- certificates -------------------------------------------------------------------------

#[test]
#[cfg(feature = "certificates")] // installs a root or asks for a CSR
fn install_certificate_checks_the_root_and_get_ids_reports_its_hash() {
    let mut h = booted(Variant::Tethered);
    let ids = |h: &mut Harness, kind: &str| {
        call(
            h,
            "GetInstalledCertificateIds",
            json!({"certificateType": kind}),
        )
        .unwrap()
    };
    assert_eq!(
        ids(&mut h, "CentralSystemRootCertificate"),
        json!({"status": "NotFound"})
    );
    for (pem, why) in [
        (GARBAGE, "garbage"),
        (EXPIRED, "expired"),
        (NON_CA, "not a CA"),
    ] {
        assert_eq!(install_root(&mut h, pem), "Rejected", "{why}");
    }
    assert_eq!(
        install(&mut h, ROOT, "ManufacturerRootCertificate"),
        "Rejected"
    );
    assert_eq!(
        warnings(&h)
            .iter()
            .filter(|w| w.starts_with("InstallCertificate refused"))
            .count(),
        4
    );
    assert!(h.cp().connection_params().trusted_roots.is_empty());
    assert_eq!(install_root(&mut h, ROOT), "Accepted");
    let root = Certificate::from_pem(ROOT).unwrap();
    assert_eq!(h.cp().connection_params().trusted_roots, [root.to_pem()]);
    let answer = ids(&mut h, "CentralSystemRootCertificate");
    assert_eq!(answer["status"], "Accepted");
    let expected = serde_json::to_value(vec![root.hash_data()]).unwrap();
    assert_eq!(answer["certificateHashData"], expected);
    assert_eq!(
        ids(&mut h, "ManufacturerRootCertificate"),
        json!({"status": "NotFound"})
    );
    // A second root replaces the first (store of 1).
    assert_eq!(install_root(&mut h, OTHER_ROOT), "Accepted");
    let other = Certificate::from_pem(OTHER_ROOT).unwrap();
    assert_eq!(h.cp().connection_params().trusted_roots, [other.to_pem()]);
    h.run_for(2_000);
    let installs = kinds(&h)
        .iter()
        .filter(|k| *k == "ReconfigurationOfSecurityParameters")
        .count();
    assert_eq!(installs, 2);
    // Durable.
    h.crash_and_restore();
    assert_eq!(h.cp().connection_params().trusted_roots, [other.to_pem()]);
    check_wire(&h, "security_install");
}

fn csr_sent(h: &Harness) -> String {
    match h.csms.sent(Action::SignCertificate).last().unwrap() {
        Request::SignCertificate(s) => String::from(s.csr.as_str()),
        other => panic!("{other:?}"),
    }
}

fn signed(h: &mut Harness, chain: &str) -> Value {
    call(h, "CertificateSigned", json!({"certificateChain": chain})).unwrap()["status"].clone()
}

#[test]
#[cfg(feature = "certificates")] // installs a root or asks for a CSR
fn the_csr_flow_gives_the_box_its_certificate_and_no_key_leaks() {
    let mut h = booted(Variant::Tethered);
    install_root(&mut h, ROOT);
    assert_eq!(change(&mut h, "SecurityProfile", "3"), "Accepted");
    h.run_for(10_000);
    // A new CpoName asks for a certificate (a key from the engine's generator).
    assert_eq!(change(&mut h, "CpoName", "Acme"), "Accepted");
    h.run_for(1_000);
    assert_eq!(h.csms.sent(Action::SignCertificate).len(), 1);
    let random_csr = csr_sent(&h);
    // The chain fixture is for another key: Rejected.
    assert_eq!(signed(&mut h, CHAIN), "Rejected");
    // The home's entropy: the engine's first key from it is the engine chains' key.
    h.cp_mut().provide_key_seed(SEED);
    assert_eq!(
        ext_trigger(&mut h, "SignChargePointCertificate", None),
        "Accepted"
    );
    let key = KeyPair::from_seed(&first_drawn(SEED)).unwrap();
    let csr = csr_sent(&h);
    assert_ne!(csr, random_csr);
    assert_eq!(
        csr,
        key.csr_pem("EVC-0001", "Acme").unwrap(),
        "the CSR of the pending key"
    );
    let raw = KeyPair::from_seed(&SEED).unwrap();
    assert_ne!(
        csr,
        raw.csr_pem("EVC-0001", "Acme").unwrap(),
        "the entropy is not the key"
    );
    assert!(h.cp().csr_pending());
    assert_eq!(
        h.cp().pending_csr(),
        Some(csr.clone()),
        "the getter's CSR is the one sent"
    );
    assert!(h.cp().own_certificate().is_none());
    assert_eq!(signed(&mut h, ENGINE_BROKEN_CHAIN), "Rejected");
    // Not reaching the installed root: another root installed.
    install_root(&mut h, OTHER_ROOT);
    assert_eq!(signed(&mut h, ENGINE_CHAIN), "Rejected");
    install_root(&mut h, ROOT);
    let opens = h.opens.len();
    assert_eq!(signed(&mut h, ENGINE_CHAIN), "Accepted");
    assert!(!h.cp().csr_pending() && h.cp().pending_csr().is_none());
    let own = h.cp().own_certificate().unwrap();
    assert_eq!(own.len(), 2);
    assert_eq!(own[0].subject(), "CN=EVC-0001, O=Acme");
    assert_eq!(own[0].issuer(), own[1].subject());
    assert_eq!(
        h.cp().installed_root().unwrap().subject(),
        Certificate::from_pem(ROOT).unwrap().subject()
    );
    h.run_for(10_000);
    assert_eq!(h.opens.len(), opens + 1, "reconnects to present it");
    let identity = h.opens.last().unwrap().client_identity.clone().unwrap();
    assert_eq!(identity.certificate_chain_pem, ENGINE_CHAIN);
    assert_eq!(identity.private_key_pem, key.private_key_pem());
    assert_eq!(h.cp().connection_params().client_identity, Some(identity));
    let reasons = warnings(&h);
    let refusals: Vec<&String> = reasons
        .iter()
        .filter(|w| w.starts_with("CertificateSigned rejected"))
        .collect();
    assert_eq!(refusals.len(), 3, "{refusals:?}");
    assert!(refusals[0].contains("not for the key"));
    // It survives a power cut.
    h.crash_and_restore();
    assert!(h.cp().connection_params().client_identity.is_some());
    // A CSMS answering SignCertificate Rejected is logged.
    h.run_for(10_000);
    let log = h.cp().security_log_text(h.driver().now(), None, None);
    assert!(
        log.contains("CertificateSigned accepted: CN=EVC-0001, O=Acme"),
        "{log}"
    );

    // No private key outside the durable state and the connection parameters.
    let secret = key.secret_hex();
    let pem = key.private_key_pem();
    let body: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let leaks = |text: &str| text.contains(&secret) || body.iter().any(|b| text.contains(b));
    for t in &h.trace {
        assert!(!leaks(&t.text), "frame {}", t.text);
    }
    for (_, e) in &h.events {
        assert!(!leaks(&format!("{e:?}")), "event {e:?}");
    }
    for (_, j) in &h.jobs {
        assert!(!leaks(&format!("{j:?}")));
    }
    let now = h.driver().now();
    assert!(!leaks(&h.cp().diagnostics_text(now, None, None)));
    assert!(!leaks(&log));
    assert!(!leaks(&format!("{:?}", h.cp())));
    assert!(!leaks(&format!("{:?}", h.opens)));
    assert!(!leaks(&format!("{:?}", h.cp().durable_state())));
    for (at, line) in h.cp().log().within(None, None) {
        assert!(!leaks(line), "{at} {line}");
    }
    check_wire(&h, "security_csr");
}

#[test]
#[cfg(feature = "certificates")] // installs a root or asks for a CSR
fn a_rejected_sign_certificate_is_logged() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.call_error_for.push(Action::SignCertificate);
    ext_trigger(&mut h, "SignChargePointCertificate", None);
    assert!(
        warnings(&h)
            .iter()
            .any(|w| w.contains("SignCertificate answered with CALLERROR"))
    );
    let now = h.driver().now();
    assert!(
        h.cp()
            .security_log_text(now, None, None)
            .contains("CSR sent for a new key")
    );
}

#[test]
#[cfg(feature = "certificates")] // installs a root or asks for a CSR
fn a_sign_certificate_answered_rejected_is_logged() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.answer = false;
    ext_trigger(&mut h, "SignChargePointCertificate", None);
    let sent = h
        .trace
        .iter()
        .rev()
        .find(|t| t.from_cp && t.text.contains("\"SignCertificate\""))
        .unwrap()
        .text
        .clone();
    let Ok(ocpp16::Frame::Call(c)) = ocpp16::frame::parse(&sent) else {
        panic!("{sent}")
    };
    h.send_result(&c.id, &json!({"status": "Rejected"}));
    assert!(
        warnings(&h)
            .iter()
            .any(|w| w == "SignCertificate Rejected by the CSMS: no certificate will come")
    );
    let now = h.driver().now();
    assert!(
        h.cp()
            .security_log_text(now, None, None)
            .contains("SignCertificate Rejected")
    );
}

#[test]
fn while_pending_only_a_boot_notification_may_be_triggered() {
    let mut h = Harness::new(Settings::new("EVC-0001", Variant::Tethered));
    h.csms.script.boot_status = ocpp16::messages::RegistrationStatus::Pending;
    h.run_for(5_000);
    assert_eq!(
        ext_trigger(&mut h, "LogStatusNotification", None),
        "Rejected"
    );
    assert_eq!(
        ext_trigger(&mut h, "SignChargePointCertificate", None),
        "Rejected"
    );
    assert_eq!(ext_trigger(&mut h, "BootNotification", None), "Accepted");
}

#[test]
fn the_feature_profiles_key_does_not_list_the_security_extension() {
    let h = booted(Variant::Tethered);
    assert_eq!(
        h.cp()
            .configuration()
            .text(chargepoint::model::Key::SupportedFeatureProfiles),
        "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger"
    );
}
