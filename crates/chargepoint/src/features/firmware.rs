//! The Firmware Management profile: UpdateFirmware and GetDiagnostics, carried out with
//! jobs the home runs, reported with FirmwareStatusNotification and
//! DiagnosticsStatusNotification. The state is [`crate::firmware`]'s; this module is
//! the engine's side: requests, timers, job outcomes, notifications.
//!
//! UpdateFirmware: nothing is fetched before retrieveDate; then `Downloading` and a
//! [`JobKind::Download`]; a failed attempt is tried again `retries` times,
//! `retryInterval` seconds apart, then `DownloadFailed`; `Downloaded` once one
//! succeeds. The installation waits until no transaction runs, then `Installing` and a
//! [`JobKind::Install`]; the home verifies the file
//! ([`crate::firmware_file::Verifier`]) and reports [`JobUpdate::Installed`] with its
//! version, the box reboots as after a hard Reset, the new BootNotification carries
//! the new firmwareVersion, and once it is Accepted, `Installed`. A failed
//! installation is `InstallationFailed` and the old version stays. Every failure's
//! reason goes out as [`Event::Firmware`] / [`Event::Diagnostics`] and into the log.
//!
//! GetDiagnostics: answered with the file name
//! `<chargePointId>-diagnostics-<yyyymmddThhmmssZ>.log`; the file is the box's log
//! ([`ChargePoint::diagnostics_text`]) handed to the home in a [`JobKind::Upload`]
//! (the driver appends its frame trace of the window); `Uploading`, then `Uploaded` or,
//! after the retries, `UploadFailed`.

use alloc::{format, string::String};
use ocpp16::{Action, DateTime, Request, WireError, messages::*};

use super::{Handler, rows, security::SecurityEvent};
use crate::{
    engine::ChargePoint,
    firmware::{self, FIRMWARE_FILE, Phase, Upload},
    interface::Event,
    jobs::{Job, JobKind, JobUpdate},
    model::{Access, KEYS},
    session::Purpose,
    time::{Instant, secs},
    timers::Timer,
};

/// The Firmware Management profile's rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    UpdateFirmware => |cp, now, r| Ok(cp.update_firmware(now, r)),
    GetDiagnostics => |cp, now, r| Ok(cp.get_diagnostics(now, r)),
];

/// The transfer protocols of the contract (SupportedFileTransferProtocols).
pub(super) fn supported_scheme(location: &str) -> bool {
    let scheme = location.split_once(':').map_or("", |(s, _)| s);
    ["http", "https", "ftp"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s))
}

/// `yyyymmddThhmmssZ`.
pub(super) fn compact_utc(t: DateTime) -> String {
    let (y, mo, d, h, mi, s, _) = t.to_utc_fields();
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

impl ChargePoint {
    fn update_firmware(
        &mut self,
        now: Instant,
        r: UpdateFirmwareRequest,
    ) -> UpdateFirmwareResponse {
        let location = String::from(r.location.as_str());
        match self.firmware.phase().clone() {
            Phase::Installing { .. } | Phase::Installed => {
                self.warn(format!(
                    "UpdateFirmware from {location} ignored: an installation is in progress"
                ));
                return UpdateFirmwareResponse {};
            }
            Phase::Downloading { job, .. } => {
                self.jobs.abandon(job);
                self.warn(String::from(
                    "UpdateFirmware replaces the update in progress (its download is abandoned)",
                ));
            }
            Phase::Waiting { .. } | Phase::Downloaded => {
                self.warn(String::from(
                    "UpdateFirmware replaces the update in progress",
                ));
            }
            Phase::Idle => {}
        }
        self.changed();
        if !supported_scheme(&location) {
            self.firmware.set_phase(Phase::Idle);
            self.timers.clear(Timer::FirmwareUpdate);
            let reason = format!("{location}: only HTTP, HTTPS and FTP are supported");
            self.firmware_status(FirmwareStatus::DownloadFailed, Some(reason));
            return UpdateFirmwareResponse {};
        }
        self.note(
            now,
            format!(
                "firmware update from {location} scheduled for {}",
                r.retrieve_date
            ),
        );
        self.firmware.set_phase(Phase::Waiting {
            location,
            at: r.retrieve_date,
            attempts: firmware::retries(r.retries).saturating_add(1),
            interval_s: firmware::interval(r.retry_interval),
            retrying: false,
        });
        self.arm_firmware(now);
        UpdateFirmwareResponse {}
    }

    /// The firmware timer from the phase: the next attempt at its wall-clock time.
    pub(crate) fn arm_firmware(&mut self, now: Instant) {
        if let Phase::Waiting { at, .. } = self.firmware.phase() {
            let left = at
                .unix_millis()
                .saturating_sub(self.wall_clock(now).unix_millis());
            let left = u64::try_from(left).unwrap_or(0);
            self.timers.set(Timer::FirmwareUpdate, now + left);
        } else {
            self.timers.clear(Timer::FirmwareUpdate);
        }
    }

    /// The firmware timer is due: the next download attempt, when its time has come.
    pub(crate) fn firmware_due(&mut self, now: Instant) {
        let Phase::Waiting {
            location,
            at,
            attempts,
            interval_s,
            retrying,
        } = self.firmware.phase().clone()
        else {
            return;
        };
        if self.wall_clock(now) < at {
            // The clock was set back since the timer was armed.
            return self.arm_firmware(now);
        }
        let job = self.start_job(JobKind::Download {
            url: location.clone(),
            file: String::from(FIRMWARE_FILE),
        });
        self.firmware.set_phase(Phase::Downloading {
            location,
            job,
            attempts: attempts.saturating_sub(1),
            interval_s,
        });
        self.changed();
        if !retrying {
            self.firmware_status(FirmwareStatus::Downloading, None);
        }
    }

    /// Installs the downloaded image once no transaction runs.
    pub(crate) fn firmware_maybe_install(&mut self) {
        if *self.firmware.phase() != Phase::Downloaded || self.connector.transaction().is_some() {
            return;
        }
        let job = self.start_job(JobKind::Install {
            file: String::from(FIRMWARE_FILE),
        });
        self.firmware.set_phase(Phase::Installing { job });
        self.changed();
        self.firmware_status(FirmwareStatus::Installing, None);
    }

    /// A job ended: the firmware update's or the upload's next step.
    pub(crate) fn firmware_job_ended(&mut self, now: Instant, job: &Job, update: &JobUpdate) {
        match self.firmware.phase().clone() {
            Phase::Downloading {
                location,
                job: id,
                attempts,
                interval_s,
            } if id == job.id => {
                self.changed();
                match update {
                    JobUpdate::Done => {
                        self.firmware.set_phase(Phase::Downloaded);
                        self.firmware_status(FirmwareStatus::Downloaded, None);
                        self.firmware_maybe_install();
                    }
                    other => {
                        let why = failure(other);
                        if attempts > 0 {
                            self.note(
                                now,
                                format!(
                                    "firmware download failed ({why}); {attempts} more attempt(s), the next in {interval_s} s"
                                ),
                            );
                            let at = self
                                .wall_clock(now)
                                .add_millis(i64::from(interval_s).saturating_mul(1000));
                            self.firmware.set_phase(Phase::Waiting {
                                location,
                                at,
                                attempts,
                                interval_s,
                                retrying: true,
                            });
                            self.arm_firmware(now);
                        } else {
                            self.firmware.set_phase(Phase::Idle);
                            self.firmware_status(FirmwareStatus::DownloadFailed, Some(why));
                        }
                    }
                }
            }
            Phase::Installing { job: id } if id == job.id => {
                self.changed();
                match update {
                    JobUpdate::Installed { version } => {
                        self.note(now, format!("firmware {version} installed; rebooting"));
                        self.firmware.set_installed(version.clone());
                        self.firmware.set_phase(Phase::Installed);
                        self.stop_transaction(now, Reason::Reboot, None);
                        // As after a soft Reset: the reboot waits until `Installing`
                        // (and a StopTransaction) reached the CSMS, 30 s at most, so
                        // that nothing is sent twice across it.
                        self.reset = Some(false);
                        self.timers.set(
                            crate::timers::Timer::ResetGrace,
                            now + crate::time::secs(30),
                        );
                        self.after_answer(now);
                    }
                    other => {
                        self.firmware.set_phase(Phase::Idle);
                        let why = failure(other);
                        self.firmware_status(FirmwareStatus::InstallationFailed, Some(why));
                    }
                }
            }
            _ => {}
        }
        let ours = self
            .diagnostics
            .upload()
            .is_some_and(|u| u.job == Some(job.id));
        if ours {
            self.upload_ended(now, update);
        }
        if self.is_log_job(job.id) {
            self.log_job_ended(now, update);
        }
    }

    /// After a restore: a download or installation whose job is gone ends as
    /// interrupted (its job already did, when the state still held it).
    pub(crate) fn firmware_restored(&mut self, now: Instant) {
        let job = match self.firmware.phase() {
            Phase::Downloading { job, .. } | Phase::Installing { job } => *job,
            _ => return self.arm_firmware(now),
        };
        if !self.jobs.is_active(job) {
            let kind = JobKind::Install {
                file: String::from(FIRMWARE_FILE),
            };
            let update = JobUpdate::Failed(String::from("interrupted by a power cut"));
            self.firmware_job_ended(now, &Job { id: job, kind }, &update);
        }
    }

    /// The boot after an installation was accepted: `Installed`.
    pub(crate) fn firmware_booted(&mut self, now: Instant) {
        if *self.firmware.phase() == Phase::Installed {
            self.firmware.set_phase(Phase::Idle);
            self.changed();
            self.firmware_status(FirmwareStatus::Installed, None);
            let info = format!("running firmware {}", self.firmware_version());
            self.security_event(now, SecurityEvent::FirmwareUpdated, Some(info));
        }
    }

    /// The firmware version the box runs: the one an update installed, else the
    /// identity's.
    #[must_use]
    pub fn firmware_version(&self) -> &str {
        self.firmware
            .installed_version()
            .unwrap_or(&self.settings.identity.firmware_version)
    }

    /// The firmware update's state.
    #[must_use]
    pub fn firmware(&self) -> &firmware::Firmware {
        &self.firmware
    }

    /// The diagnostics upload's state.
    #[must_use]
    pub fn diagnostics(&self) -> &firmware::Diagnostics {
        &self.diagnostics
    }

    /// The time window of the diagnostics upload in progress (`None` bounds: open).
    #[must_use]
    pub fn diagnostics_window(&self) -> Option<(Option<DateTime>, Option<DateTime>)> {
        self.diagnostics.upload().map(|u| u.window)
    }

    fn firmware_status(&mut self, status: FirmwareStatus, reason: Option<String>) {
        let request = FirmwareStatusNotificationRequest { status };
        self.session.push(
            Request::FirmwareStatusNotification(request),
            Purpose::Notification,
        );
        self.events.push_back(Event::Firmware { status, reason });
    }

    fn diagnostics_status(&mut self, status: DiagnosticsStatus, reason: Option<String>) {
        let request = DiagnosticsStatusNotificationRequest { status };
        self.session.push(
            Request::DiagnosticsStatusNotification(request),
            Purpose::Notification,
        );
        self.events.push_back(Event::Diagnostics { status, reason });
    }

    // ---- GetDiagnostics ------------------------------------------------------------

    fn get_diagnostics(
        &mut self,
        now: Instant,
        r: GetDiagnosticsRequest,
    ) -> GetDiagnosticsResponse {
        let url = String::from(r.location.as_str());
        if !supported_scheme(&url) {
            self.warn(format!(
                "GetDiagnostics to {url} refused: only HTTP, HTTPS and FTP are supported"
            ));
            return GetDiagnosticsResponse { file_name: None };
        }
        if let Some(old) = self.diagnostics.upload() {
            if let Some(job) = old.job {
                self.jobs.abandon(job);
                self.changed();
            }
            self.warn(String::from(
                "GetDiagnostics replaces the upload in progress",
            ));
        }
        let file = format!(
            "{}-diagnostics-{}.log",
            self.settings.identity.serial,
            compact_utc(self.wall_clock(now))
        );
        let window = (r.start_time, r.stop_time);
        self.diagnostics.set(Some(Upload {
            url,
            file: file.clone(),
            window,
            job: None,
            attempts: firmware::retries(r.retries),
            interval_s: firmware::interval(r.retry_interval),
        }));
        self.timers.clear(Timer::DiagnosticsRetry);
        self.upload_attempt(now);
        self.diagnostics_status(DiagnosticsStatus::Uploading, None);
        GetDiagnosticsResponse {
            file_name: Some(ocpp16::CiString255::truncated(&file)),
        }
    }

    /// Hands the upload to the home (again). The file is written for each attempt (the
    /// window's open end reaches the attempt's time): keeping one copy for the retries
    /// would hold the file twice while it is sent, which an MCU's heap feels.
    pub(crate) fn upload_attempt(&mut self, now: Instant) {
        let Some((start, stop)) = self
            .diagnostics
            .upload()
            .filter(|u| u.job.is_none())
            .map(|u| u.window)
        else {
            return;
        };
        let content = self.diagnostics_text(now, start, stop);
        let Some(kind) = self.diagnostics.upload().map(|u| upload_job(u, content)) else {
            return;
        };
        let job = self.start_job(kind);
        if let Some(u) = self.diagnostics.upload_mut() {
            u.job = Some(job);
        }
    }

    fn upload_ended(&mut self, now: Instant, update: &JobUpdate) {
        let Some(u) = self.diagnostics.upload_mut() else {
            return;
        };
        match upload_end(u, update) {
            UploadEnd::Uploaded => {
                self.diagnostics.set(None);
                self.diagnostics_status(DiagnosticsStatus::Uploaded, None);
            }
            UploadEnd::Retry {
                left,
                interval_s,
                why,
            } => {
                self.note(
                    now,
                    format!(
                        "diagnostics upload failed ({why}); {left} more attempt(s), the next in {interval_s} s"
                    ),
                );
                self.timers
                    .set(Timer::DiagnosticsRetry, now + secs(u64::from(interval_s)));
            }
            UploadEnd::Failed(why) => {
                self.diagnostics.set(None);
                self.diagnostics_status(DiagnosticsStatus::UploadFailed, Some(why));
            }
        }
    }

    /// The time window of the frames the driver appends to upload job `job`: the
    /// diagnostics upload's or a GetLog DiagnosticsLog's; `None` for any other job.
    #[must_use]
    pub fn frames_window(&self, job: u32) -> Option<(Option<DateTime>, Option<DateTime>)> {
        let diagnostics = self.diagnostics.upload().filter(|u| u.job == Some(job));
        let log = self
            .security
            .upload()
            .filter(|u| u.diagnostics && u.upload.job == Some(job))
            .map(|u| &u.upload);
        diagnostics.or(log).map(|u| u.window)
    }

    /// The diagnostics file: who the box is, its configuration (AuthorizationKey
    /// redacted) and its log between `start` and `stop`. The driver appends the frames.
    #[must_use]
    pub fn diagnostics_text(
        &self,
        now: Instant,
        start: Option<DateTime>,
        stop: Option<DateTime>,
    ) -> String {
        // Measured first, then written into a string of exactly that size: growing by
        // doubling would hold up to twice the text for a moment, which an MCU's heap feels.
        let mut size = Count(0);
        self.write_diagnostics(&mut size, now, start, stop);
        // Plus room for what a driver without a frame trace appends (`[frames]` and a
        // line saying there is none): a full string would be copied to grow by it.
        let mut text = String::with_capacity(size.0 + FRAMES_NOTE_ROOM);
        self.write_diagnostics(&mut text, now, start, stop);
        text
    }

    fn write_diagnostics(
        &self,
        out: &mut impl core::fmt::Write,
        now: Instant,
        start: Option<DateTime>,
        stop: Option<DateTime>,
    ) {
        let id = &self.settings.identity;
        let _ = write!(
            out,
            "EVC diagnostics\ncharge point: {}\nvendor: {}\nmodel: {}\nfirmware: {}\ntime: {}\nwindow: ",
            id.serial,
            id.vendor,
            id.model,
            self.firmware_version(),
            self.wall_clock(now),
        );
        let _ = match start {
            Some(t) => write!(out, "{t}"),
            None => out.write_str("the oldest entry"),
        };
        let _ = out.write_str(" to ");
        let _ = match stop {
            Some(t) => write!(out, "{t}"),
            None => out.write_str("now"),
        };
        let _ = out.write_str("\n\n[configuration]\n");
        for def in &KEYS {
            let value = if def.access == Access::WriteOnly {
                if self.config.text(def.key).is_empty() {
                    "(not set)"
                } else {
                    "(redacted)"
                }
            } else {
                self.config.text(def.key)
            };
            let _ = writeln!(out, "{} = {value}", def.name);
        }
        let _ = out.write_str("\n[events]\n");
        for (at, line) in self.log.within(start, stop) {
            let _ = writeln!(out, "{at} {line}");
        }
    }
}

/// Bytes the driver's `[frames]` section takes when it keeps no trace.
const FRAMES_NOTE_ROOM: usize = 64;

/// A `fmt::Write` that only counts the bytes written to it.
struct Count(usize);

impl core::fmt::Write for Count {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// The job that carries out (an attempt of) an upload of `content`.
pub(super) fn upload_job(u: &Upload, content: String) -> JobKind {
    JobKind::Upload {
        url: u.url.clone(),
        file: u.file.clone(),
        content,
    }
}

/// What an upload's job ending means (GetDiagnostics and GetLog alike).
pub(super) enum UploadEnd {
    /// It reached the server.
    Uploaded,
    /// It failed; `left` attempts remain, the next in `interval_s`.
    Retry {
        left: u32,
        interval_s: u32,
        why: String,
    },
    /// It failed and no attempt is left.
    Failed(String),
}

/// The upload's job ended with `update`: the next step, with one attempt used.
pub(super) fn upload_end(u: &mut Upload, update: &JobUpdate) -> UploadEnd {
    u.job = None;
    if *update == JobUpdate::Done {
        return UploadEnd::Uploaded;
    }
    let why = failure(update);
    if u.attempts > 0 {
        u.attempts -= 1;
        UploadEnd::Retry {
            left: u.attempts + 1,
            interval_s: u.interval_s,
            why,
        }
    } else {
        UploadEnd::Failed(why)
    }
}

/// A failed job's reason.
fn failure(update: &JobUpdate) -> String {
    match update {
        JobUpdate::Failed(why) => why.clone(),
        JobUpdate::Done => String::from("the installation ended without the installed version"),
        JobUpdate::Installed { .. } => String::from("a download reported an installation"),
        JobUpdate::Started | JobUpdate::Progress { .. } => String::from("it did not end"),
    }
}
