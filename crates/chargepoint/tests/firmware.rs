//! Firmware Management in virtual time: UpdateFirmware's status sequence, retries,
//! retrieveDate, a running transaction, the reboot into the new version, failures,
//! power cuts in every phase, a second update; GetDiagnostics' file and its retries;
//! TriggerMessage of both notifications.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

mod common;

use chargepoint::{
    Command, Event, Job, JobKind, JobUpdate, harness::Harness, model::Variant, world::EvSpec,
};
use common::{booted, call, check_wire, last};
use ocpp16::{
    Action, Request,
    messages::{DiagnosticsStatus as D, FirmwareStatus as F},
};
use serde_json::json;

const URL: &str = "https://updates.example/evc/2.0.0.evcfw";

fn fw(h: &Harness) -> Vec<F> {
    h.csms
        .sent(Action::FirmwareStatusNotification)
        .into_iter()
        .filter_map(|r| match r {
            Request::FirmwareStatusNotification(n) => Some(n.status),
            _ => None,
        })
        .collect()
}

fn diag(h: &Harness) -> Vec<D> {
    h.csms
        .sent(Action::DiagnosticsStatusNotification)
        .into_iter()
        .filter_map(|r| match r {
            Request::DiagnosticsStatusNotification(n) => Some(n.status),
            _ => None,
        })
        .collect()
}

/// The jobs handed out so far, with their virtual time in ms.
fn jobs(h: &Harness) -> Vec<(u64, Job)> {
    h.jobs
        .iter()
        .map(|(t, j)| (t.as_millis(), j.clone()))
        .collect()
}

fn last_job(h: &Harness) -> Job {
    h.jobs.last().unwrap().1.clone()
}

/// UpdateFirmware with retrieveDate `in_s` seconds from now.
fn update(h: &mut Harness, in_s: i64, retries: Option<i32>, interval: Option<i32>) {
    let at = h.wall().add_millis(in_s * 1000);
    let mut payload = json!({"location": URL, "retrieveDate": at.to_rfc3339()});
    if let Some(r) = retries {
        payload["retries"] = json!(r);
    }
    if let Some(i) = interval {
        payload["retryInterval"] = json!(i);
    }
    assert_eq!(call(h, "UpdateFirmware", payload), Ok(json!({})));
}

fn firmware_events(h: &Harness) -> Vec<(F, Option<String>)> {
    h.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Firmware { status, reason } => Some((*status, reason.clone())),
            _ => None,
        })
        .collect()
}

fn boot_version(h: &Harness) -> String {
    match last(h, Action::BootNotification) {
        Request::BootNotification(b) => String::from(b.firmware_version.unwrap().as_str()),
        other => panic!("{other:?}"),
    }
}

fn trigger(h: &mut Harness, message: &str) {
    let answer = call(h, "TriggerMessage", json!({"requestedMessage": message}));
    assert_eq!(answer, Ok(json!({"status": "Accepted"})));
    h.run_for(1_000);
}

/// Downloads and hands out the installation job; returns its id.
fn download(h: &mut Harness) -> u32 {
    update(h, 0, None, None);
    h.run_for(1_000);
    let job = last_job(h);
    assert!(matches!(&job.kind, JobKind::Download { url, .. } if url == URL));
    h.job(job.id, JobUpdate::Started);
    h.job(
        job.id,
        JobUpdate::Progress {
            done: 10,
            total: Some(20),
        },
    );
    h.job(job.id, JobUpdate::Done);
    last_job(h).id
}

#[test]
fn an_update_goes_from_download_to_the_new_version_after_a_reboot() {
    let mut h = booted(Variant::Tethered);
    assert_eq!(boot_version(&h), "1.0.0-evc-playground");
    update(&mut h, 3_600, None, None);
    // Nothing before retrieveDate.
    h.run_for(3_599_000);
    assert!(h.jobs.is_empty(), "nothing fetched before retrieveDate");
    assert!(fw(&h).is_empty());
    h.run_for(2_000);
    let (at, job) = jobs(&h)[0].clone();
    assert!((3_600_000..=3_605_000).contains(&at), "{at}");
    assert_eq!(
        job.kind,
        JobKind::Download {
            url: String::from(URL),
            file: String::from("firmware.evcfw")
        }
    );
    assert_eq!(fw(&h), [F::Downloading]);
    h.job(job.id, JobUpdate::Done);
    assert_eq!(fw(&h), [F::Downloading, F::Downloaded, F::Installing]);
    let install = last_job(&h);
    assert_eq!(
        install.kind,
        JobKind::Install {
            file: String::from("firmware.evcfw")
        }
    );
    let boots = h.csms.sent(Action::BootNotification).len();
    h.job(
        install.id,
        JobUpdate::Installed {
            version: String::from("2.0.0"),
        },
    );
    h.run_for(5_000);
    assert!(
        h.commands
            .iter()
            .any(|(_, c)| matches!(c, Command::Rebooted { .. })),
        "the box reboots into the new version"
    );
    assert_eq!(h.csms.sent(Action::BootNotification).len(), boots + 1);
    // It rebooted once `Installing` was answered: the notification went once.
    let installing = h.csms.sent(Action::FirmwareStatusNotification);
    assert_eq!(
        installing
            .iter()
            .filter(|r| matches!(r, ocpp16::Request::FirmwareStatusNotification(n) if n.status == F::Installing))
            .count(),
        1,
        "{installing:?}"
    );
    assert_eq!(boot_version(&h), "2.0.0");
    assert_eq!(h.cp().firmware_version(), "2.0.0");
    assert_eq!(
        fw(&h),
        [F::Downloading, F::Downloaded, F::Installing, F::Installed]
    );
    // Installed comes after the new boot was accepted.
    let order: Vec<&str> = h
        .csms
        .received
        .iter()
        .filter_map(|(_, r)| match r {
            Request::BootNotification(_) => Some("boot"),
            Request::FirmwareStatusNotification(n) if n.status == F::Installed => Some("installed"),
            _ => None,
        })
        .collect();
    assert_eq!(order.last_chunk::<2>(), Some(&["boot", "installed"]));
    // Nothing runs any more: Idle.
    trigger(&mut h, "FirmwareStatusNotification");
    assert_eq!(fw(&h).last(), Some(&F::Idle));
    check_wire(&h, "firmware_update");
}

#[test]
fn a_failed_download_is_tried_again_retries_times_retry_interval_apart() {
    let mut h = booted(Variant::Tethered);
    update(&mut h, 10, Some(2), Some(30));
    h.run_for(11_000);
    let mut failed_at = Vec::new();
    for n in 0..3 {
        let job = last_job(&h);
        failed_at.push(h.now.as_millis());
        h.job(job.id, JobUpdate::Failed(format!("HTTP 404 (attempt {n})")));
        h.run_for(29_000);
        assert_eq!(h.jobs.len(), n + 1, "not before the interval");
        h.run_for(2_000);
    }
    let times: Vec<u64> = jobs(&h).iter().map(|(t, _)| *t).collect();
    assert_eq!(times.len(), 3, "1 + 2 retries: {times:?}");
    assert_eq!(times[1] - failed_at[0], 30_000);
    assert_eq!(times[2] - failed_at[1], 30_000);
    assert_eq!(fw(&h), [F::Downloading, F::DownloadFailed]);
    let (status, reason) = firmware_events(&h).last().cloned().unwrap();
    assert_eq!(status, F::DownloadFailed);
    assert_eq!(reason.as_deref(), Some("HTTP 404 (attempt 2)"));
    // The reason is in the log too.
    assert!(
        h.cp()
            .log()
            .within(None, None)
            .any(|(_, l)| l.contains("DownloadFailed (HTTP 404 (attempt 2))"))
    );
    // Without retries: one attempt.
    update(&mut h, 0, None, None);
    h.run_for(1_000);
    h.job(
        last_job(&h).id,
        JobUpdate::Failed(String::from("host not found")),
    );
    h.run_for(120_000);
    assert_eq!(h.jobs.len(), 4);
    assert_eq!(fw(&h).last(), Some(&F::DownloadFailed));
    check_wire(&h, "firmware_retries");
}

#[test]
fn the_installation_waits_for_the_running_transaction() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    assert!(h.cp().connector().transaction().is_some());
    update(&mut h, 0, None, None);
    h.run_for(1_000);
    h.job(last_job(&h).id, JobUpdate::Done);
    h.run_for(60_000);
    assert_eq!(fw(&h), [F::Downloading, F::Downloaded]);
    assert_eq!(h.jobs.len(), 1, "no installation while charging");
    trigger(&mut h, "FirmwareStatusNotification");
    assert_eq!(fw(&h).last(), Some(&F::Downloaded));
    h.unplug();
    h.run_for(2_000);
    assert!(matches!(last_job(&h).kind, JobKind::Install { .. }));
    assert_eq!(fw(&h).last(), Some(&F::Installing));
    trigger(&mut h, "FirmwareStatusNotification");
    assert_eq!(fw(&h).last(), Some(&F::Installing));
    check_wire(&h, "firmware_waits_for_transaction");
}

#[test]
fn a_failed_installation_keeps_the_old_version() {
    let mut h = booted(Variant::Tethered);
    let install = download(&mut h);
    let boots = h.csms.sent(Action::BootNotification).len();
    let reason = "SHA-256 mismatch: the header says 00, the body is 11";
    h.job(install, JobUpdate::Failed(String::from(reason)));
    h.run_for(10_000);
    assert_eq!(
        fw(&h),
        [
            F::Downloading,
            F::Downloaded,
            F::Installing,
            F::InstallationFailed
        ]
    );
    assert_eq!(
        h.csms.sent(Action::BootNotification).len(),
        boots,
        "no reboot"
    );
    assert_eq!(h.cp().firmware_version(), "1.0.0-evc-playground");
    assert_eq!(
        firmware_events(&h).last().cloned(),
        Some((F::InstallationFailed, Some(String::from(reason))))
    );
    // An installation that ends without saying its version failed too.
    let install = download(&mut h);
    h.job(install, JobUpdate::Done);
    assert_eq!(fw(&h).last(), Some(&F::InstallationFailed));
    assert_eq!(h.cp().firmware_version(), "1.0.0-evc-playground");
    check_wire(&h, "firmware_installation_failed");
}

#[test]
fn a_power_cut_while_scheduled_keeps_the_schedule() {
    let mut h = booted(Variant::Tethered);
    update(&mut h, 600, None, None);
    h.run_for(100_000);
    h.crash_and_restore();
    h.run_for(400_000);
    assert!(h.jobs.is_empty());
    h.run_for(100_000);
    assert_eq!(h.jobs.len(), 1);
    assert_eq!(fw(&h), [F::Downloading]);
    check_wire(&h, "firmware_cut_scheduled");
}

#[test]
fn a_power_cut_while_downloading_retries_or_fails() {
    // Attempts left: the interrupted download is tried again after the interval.
    let mut h = booted(Variant::Tethered);
    update(&mut h, 0, Some(1), Some(20));
    h.run_for(1_000);
    h.job(last_job(&h).id, JobUpdate::Started);
    h.crash_and_restore();
    h.run_for(10_000);
    assert_eq!(h.jobs.len(), 1);
    h.run_for(15_000);
    assert_eq!(h.jobs.len(), 2, "retried");
    h.job(last_job(&h).id, JobUpdate::Done);
    assert_eq!(fw(&h), [F::Downloading, F::Downloaded, F::Installing]);
    // None left: DownloadFailed, once the box is back online.
    let mut h = booted(Variant::Tethered);
    update(&mut h, 0, None, None);
    h.run_for(1_000);
    h.crash_and_restore();
    h.run_for(10_000);
    assert_eq!(fw(&h), [F::Downloading, F::DownloadFailed]);
    assert_eq!(
        firmware_events(&h).last().unwrap().1.as_deref(),
        Some("interrupted by a power cut")
    );
    check_wire(&h, "firmware_cut_downloading");
}

#[test]
fn a_power_cut_while_waiting_for_the_transaction_installs_after_it() {
    let mut h = booted(Variant::Tethered);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    update(&mut h, 0, None, None);
    h.run_for(1_000);
    h.job(last_job(&h).id, JobUpdate::Done);
    h.crash_and_restore();
    h.run_for(10_000);
    // The transaction ended with the power (PowerLoss): nothing runs, so it installs.
    assert!(h.cp().connector().transaction().is_none());
    assert!(matches!(last_job(&h).kind, JobKind::Install { .. }));
    assert_eq!(fw(&h), [F::Downloading, F::Downloaded, F::Installing]);
    check_wire(&h, "firmware_cut_downloaded");
}

#[test]
fn a_power_cut_while_installing_is_an_installation_failure() {
    let mut h = booted(Variant::Tethered);
    let install = download(&mut h);
    h.job(install, JobUpdate::Started);
    h.crash_and_restore();
    h.run_for(10_000);
    assert_eq!(fw(&h).last(), Some(&F::InstallationFailed));
    assert_eq!(boot_version(&h), "1.0.0-evc-playground");
    check_wire(&h, "firmware_cut_installing");
}

#[test]
fn a_power_cut_after_the_installation_reports_installed_after_the_boot() {
    let mut h = booted(Variant::Tethered);
    let install = download(&mut h);
    h.job(
        install,
        JobUpdate::Installed {
            version: String::from("2.1.0"),
        },
    );
    // The power goes before the new boot is through.
    h.crash_and_restore();
    h.run_for(10_000);
    assert_eq!(boot_version(&h), "2.1.0");
    assert_eq!(fw(&h).last(), Some(&F::Installed));
    assert_eq!(
        fw(&h).iter().filter(|s| **s == F::Installed).count(),
        1,
        "once"
    );
    // The installed version survives later power cuts.
    h.crash_and_restore();
    h.run_for(10_000);
    assert_eq!(boot_version(&h), "2.1.0");
    assert_eq!(fw(&h).iter().filter(|s| **s == F::Installed).count(), 1);
    check_wire(&h, "firmware_cut_installed");
}

#[test]
fn the_state_restores_into_a_fresh_harness_in_every_phase() {
    // durable_state round-trips the phase through its JSON text.
    let mut h = booted(Variant::Tethered);
    update(&mut h, 60, Some(3), Some(15));
    let state = h.driver().durable_state();
    let text = state.to_json();
    let back = chargepoint::durable::DurableState::from_json(&text).unwrap();
    assert_eq!(back.firmware, state.firmware);
    assert!(text.contains("waiting\\t"), "{text}");
    let fresh = chargepoint::Driver::restore(
        h.cp().settings().clone(),
        back,
        None,
        chargepoint::DriverConfig::default(),
        0,
        h.wall(),
    );
    assert_eq!(fresh.cp().firmware().status(), F::Idle);
    assert_eq!(fresh.cp().firmware().phase(), h.cp().firmware().phase());
}

#[test]
fn a_second_update_replaces_the_first_until_the_installation_starts() {
    let mut h = booted(Variant::Tethered);
    update(&mut h, 0, None, None);
    h.run_for(1_000);
    let old = last_job(&h);
    // A new update while downloading: the old download is abandoned.
    update(&mut h, 120, None, None);
    h.job(old.id, JobUpdate::Done);
    h.run_for(60_000);
    assert_eq!(
        fw(&h),
        [F::Downloading],
        "the abandoned download counts for nothing"
    );
    assert_eq!(h.jobs.len(), 1);
    h.run_for(61_000);
    assert_eq!(h.jobs.len(), 2, "the new schedule");
    let new = last_job(&h);
    h.job(new.id, JobUpdate::Done);
    let install = last_job(&h);
    assert!(matches!(install.kind, JobKind::Install { .. }));
    // While installing: answered, ignored.
    update(&mut h, 0, None, None);
    h.run_for(10_000);
    assert_eq!(last_job(&h), install, "no new job");
    assert!(
        h.events
            .iter()
            .any(|(_, e)| matches!(e, Event::Warning(w) if w.contains("ignored: an installation is in progress")))
    );
    h.job(
        install.id,
        JobUpdate::Installed {
            version: String::from("3.0.0"),
        },
    );
    h.run_for(10_000);
    assert_eq!(fw(&h).last(), Some(&F::Installed));
    check_wire(&h, "firmware_second_update");
}

#[test]
fn an_unsupported_protocol_fails_at_once() {
    let mut h = booted(Variant::Tethered);
    let payload = json!({"location": "file:///etc/passwd", "retrieveDate": h.wall().to_rfc3339()});
    assert_eq!(call(&mut h, "UpdateFirmware", payload), Ok(json!({})));
    h.run_for(2_000);
    assert_eq!(fw(&h), [F::DownloadFailed]);
    assert!(h.jobs.is_empty());
    let payload = json!({"location": "file:///tmp/"});
    assert_eq!(call(&mut h, "GetDiagnostics", payload), Ok(json!({})));
    assert!(h.jobs.is_empty());
    check_wire(&h, "firmware_unsupported_protocol");
}

const KEY: &str = "0123456789abcdef0123456789abcdef";

#[test]
fn diagnostics_hold_the_configuration_the_window_and_the_frames() {
    let mut h = booted(Variant::Tethered);
    h.run_for(60_000);
    let start = h.wall();
    let r = call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "AuthorizationKey", "value": KEY}),
    );
    assert_eq!(r.unwrap()["status"], "Accepted");
    call(
        &mut h,
        "ChangeConfiguration",
        json!({"key": "MeterValueSampleInterval", "value": "60"}),
    )
    .unwrap();
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(10_000);
    h.unplug();
    h.run_for(10_000);
    let stop = h.wall();
    h.run_for(30_000);
    h.tap("LATECARD");
    h.run_for(5_000);
    let asked = h.wall();
    let answer = call(
        &mut h,
        "GetDiagnostics",
        json!({"location": "ftp://logs.example/in/", "startTime": start.to_rfc3339(),
               "stopTime": stop.to_rfc3339()}),
    )
    .unwrap();
    let name = answer["fileName"].as_str().unwrap().to_owned();
    let (y, mo, d, hh, mi, s, _) = asked.to_utc_fields();
    assert_eq!(
        name,
        format!("EVC-0001-diagnostics-{y:04}{mo:02}{d:02}T{hh:02}{mi:02}{s:02}Z.log")
    );
    let job = last_job(&h);
    let JobKind::Upload { url, file, content } = &job.kind else {
        panic!("{job:?}");
    };
    assert_eq!(
        (url.as_str(), file.as_str()),
        ("ftp://logs.example/in/", name.as_str())
    );
    // The header.
    for line in [
        "charge point: EVC-0001",
        "model: TeltoCharge",
        "firmware: 1.0.0-evc-playground",
        "[configuration]",
        "AuthorizationKey = (redacted)",
        "MeterValueSampleInterval = 60",
        "HeartbeatInterval = 300",
        "[events]",
        "[frames]",
    ] {
        assert!(content.contains(line), "{line} missing:\n{content}");
    }
    assert!(
        !content.contains(KEY),
        "the key never leaves the box:\n{content}"
    );
    // Events of the window, and only those.
    assert!(content.contains("configuration: AuthorizationKey = (redacted)"));
    assert!(content.contains("configuration: MeterValueSampleInterval = 60"));
    assert!(content.contains("started by CARD1"), "{content}");
    assert!(content.contains("stopped: EVDisconnected"), "{content}");
    assert!(content.contains("status: connector 1 Charging"));
    assert!(!content.contains("LATECARD"), "after stopTime");
    assert!(!content.contains("connection up"), "before startTime");
    let events = content
        .split("[events]")
        .nth(1)
        .unwrap()
        .split("[frames]")
        .next()
        .unwrap();
    for line in events.lines().filter(|l| !l.is_empty()) {
        let at = ocpp16::DateTime::parse(line.split(' ').next().unwrap()).unwrap();
        assert!(at >= start && at <= stop, "{line}");
    }
    // The frames of the window, the key redacted.
    let frames = content.split("[frames]").nth(1).unwrap();
    assert!(frames.contains("\"StartTransaction\""), "{frames}");
    assert!(frames.contains("(redacted)"));
    assert!(!frames.contains("LATECARD"));
    assert_eq!(diag(&h), [D::Uploading]);
    trigger(&mut h, "DiagnosticsStatusNotification");
    assert_eq!(diag(&h).last(), Some(&D::Uploading));
    h.job(job.id, JobUpdate::Started);
    h.job(job.id, JobUpdate::Done);
    h.run_for(1_000);
    assert_eq!(diag(&h), [D::Uploading, D::Uploading, D::Uploaded]);
    trigger(&mut h, "DiagnosticsStatusNotification");
    assert_eq!(diag(&h).last(), Some(&D::Idle));
    check_wire(&h, "diagnostics_upload");
}

#[test]
fn a_failed_upload_is_tried_again_then_fails_with_its_reason() {
    let mut h = booted(Variant::Tethered);
    let answer = call(
        &mut h,
        "GetDiagnostics",
        json!({"location": "https://logs.example/up", "retries": 1, "retryInterval": 10}),
    )
    .unwrap();
    assert!(answer["fileName"].is_string());
    let first = last_job(&h);
    h.job(
        first.id,
        JobUpdate::Failed(String::from("connection refused")),
    );
    h.run_for(9_000);
    assert_eq!(h.jobs.len(), 1);
    h.run_for(2_000);
    assert_eq!(h.jobs.len(), 2, "retried after retryInterval");
    let second = last_job(&h);
    let engine_part = |j: &Job| match &j.kind {
        JobKind::Upload { url, file, content } => (
            url.clone(),
            file.clone(),
            content.split("[frames]").next().unwrap().to_owned(),
        ),
        other => panic!("{other:?}"),
    };
    assert_ne!(first.id, second.id);
    let (a, b) = (engine_part(&first), engine_part(&second));
    assert_eq!((&a.0, &a.1), (&b.0, &b.1), "the same file again");
    // Written again for the attempt: it now tells of the first attempt's failure.
    assert!(!a.2.contains("upload failed (connection refused)"));
    assert!(b.2.contains("upload failed (connection refused)"));
    assert!(b.2.starts_with(a.2.split("time:").next().unwrap()));
    h.job(second.id, JobUpdate::Failed(String::from("HTTP 500")));
    h.run_for(60_000);
    assert_eq!(h.jobs.len(), 2);
    assert_eq!(diag(&h), [D::Uploading, D::UploadFailed]);
    assert!(h.events.iter().any(|(_, e)| matches!(e,
        Event::Diagnostics { status: D::UploadFailed, reason: Some(r) } if r == "HTTP 500")));
    // The failure is in the next diagnostics file.
    call(
        &mut h,
        "GetDiagnostics",
        json!({"location": "ftp://logs.example/"}),
    )
    .unwrap();
    let JobKind::Upload { content, .. } = last_job(&h).kind else {
        panic!()
    };
    assert!(
        content.contains("diagnostics: UploadFailed (HTTP 500)"),
        "{content}"
    );
    check_wire(&h, "diagnostics_retries");
}

#[test]
fn triggers_report_the_status_now() {
    let mut h = booted(Variant::Tethered);
    trigger(&mut h, "FirmwareStatusNotification");
    trigger(&mut h, "DiagnosticsStatusNotification");
    assert_eq!(fw(&h), [F::Idle]);
    assert_eq!(diag(&h), [D::Idle]);
    // Scheduled, nothing fetched yet: Idle.
    update(&mut h, 600, Some(1), Some(60));
    trigger(&mut h, "FirmwareStatusNotification");
    assert_eq!(fw(&h).last(), Some(&F::Idle));
    h.run_for(600_000);
    trigger(&mut h, "FirmwareStatusNotification");
    assert_eq!(fw(&h)[fw(&h).len() - 2..], [F::Downloading, F::Downloading]);
    // Between attempts: still Downloading.
    h.job(last_job(&h).id, JobUpdate::Failed(String::from("timeout")));
    trigger(&mut h, "FirmwareStatusNotification");
    assert_eq!(fw(&h).last(), Some(&F::Downloading));
    h.run_for(60_000);
    h.job(last_job(&h).id, JobUpdate::Failed(String::from("timeout")));
    h.run_for(1_000);
    assert_eq!(fw(&h).last(), Some(&F::DownloadFailed));
    // After the final status: Idle.
    trigger(&mut h, "FirmwareStatusNotification");
    assert_eq!(fw(&h).last(), Some(&F::Idle));
    check_wire(&h, "firmware_triggers");
}

#[test]
fn a_second_get_diagnostics_replaces_the_first() {
    let mut h = booted(Variant::Tethered);
    call(
        &mut h,
        "GetDiagnostics",
        json!({"location": "ftp://logs.example/a"}),
    )
    .unwrap();
    let first = last_job(&h);
    h.run_for(2_000);
    call(
        &mut h,
        "GetDiagnostics",
        json!({"location": "ftp://logs.example/b"}),
    )
    .unwrap();
    let second = last_job(&h);
    assert!(matches!(&second.kind, JobKind::Upload { url, .. } if url.ends_with("/b")));
    // The abandoned upload's report counts for nothing.
    h.job(first.id, JobUpdate::Done);
    h.run_for(1_000);
    assert_eq!(diag(&h), [D::Uploading, D::Uploading]);
    assert!(h.cp().jobs().is_active(second.id) && !h.cp().jobs().is_active(first.id));
    h.job(second.id, JobUpdate::Done);
    h.run_for(1_000);
    assert_eq!(diag(&h), [D::Uploading, D::Uploading, D::Uploaded]);
    check_wire(&h, "diagnostics_second_request");
}

#[test]
fn the_log_keeps_the_capacity_the_settings_give() {
    let mut settings = chargepoint::Settings::new("EVC-0002", Variant::Tethered);
    settings.log_capacity = 5;
    let mut h = Harness::new(settings);
    h.run_for(5_000);
    for n in 0..10 {
        h.tap(&format!("CARD{n}"));
        h.run_for(130_000);
    }
    assert_eq!(h.cp().log().len(), 5);
    call(
        &mut h,
        "GetDiagnostics",
        json!({"location": "http://logs.example/"}),
    )
    .unwrap();
    let JobKind::Upload { content, .. } = last_job(&h).kind else {
        panic!()
    };
    let events = content.split("[events]\n").nth(1).unwrap();
    let events = events.split("\n[frames]").next().unwrap();
    assert_eq!(events.lines().count(), 5, "{events}");
    assert!(!content.contains("CARD0"), "the oldest went first");
    assert!(content.contains("charge point: EVC-0002"));
}

#[test]
fn an_upload_location_s_password_reaches_no_log_trace_or_file() {
    let mut h = booted(Variant::Tethered);
    let answer = call(
        &mut h,
        "GetDiagnostics",
        json!({"location": "ftp://evc:s3cret-pw@files.example/up/", "retries": 0}),
    )
    .unwrap();
    assert!(answer["fileName"].is_string());
    let job = last_job(&h);
    h.job(
        job.id,
        JobUpdate::Failed(String::from("connection refused")),
    );
    h.run_for(1_000);
    let JobKind::Upload { url, content, .. } = &job.kind else {
        panic!("{job:?}");
    };
    assert!(url.contains("s3cret-pw"), "the home needs it to log in");
    assert!(!content.contains("s3cret-pw"), "{content}");
    // The driver's trace (what the tab, the runner and diagnostics files show).
    assert!(h.driver().trace().count() > 0);
    for t in h.driver().trace() {
        assert!(!t.text.contains("s3cret-pw"), "{}", t.text);
    }
    let now = h.driver().now();
    let text = h.cp().diagnostics_text(now, None, None);
    assert!(!text.contains("s3cret-pw"), "{text}");
    assert!(text.contains("evc:(redacted)@files.example") || !text.contains("files.example"));
}
