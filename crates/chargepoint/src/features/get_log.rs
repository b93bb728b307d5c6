//! GetLog and LogStatusNotification (OCPP 1.6 Security Whitepaper ed. 2), part of the
//! Security extension (see `security` for the choices): the upload goes through the
//! same steps as GetDiagnostics' (`firmware::upload_job`, `firmware::upload_end`), the
//! GetLog in progress is [`crate::security::Security::upload`]. A power cut ends it
//! without a final status (it lives in RAM, as GetDiagnostics' upload).

use alloc::{format, string::String};
use ocpp16::{Action, Request, WireError, messages::*};

use super::{Handler, firmware, rows};
use crate::{
    engine::ChargePoint,
    interface::Event,
    jobs::JobUpdate,
    security::LogUpload,
    session::Purpose,
    text::positions,
    time::{Instant, secs},
    timers::Timer,
};

/// GetLog's row of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    GetLog => |cp, now, r| Ok(cp.get_log(now, r)),
];

/// The final status a failed upload's reason means at once, if it names a refusal
/// that another attempt would not change.
fn refusal(why: &str) -> Option<UploadLogStatus> {
    let code = |prefix: &str| {
        positions(why, prefix).find_map(|i| {
            let rest = why.get(i + prefix.len()..)?;
            let digits = rest.get(..3)?;
            digits.parse::<u16>().ok()
        })
    };
    match (code("HTTP "), code("FTP ")) {
        (Some(401 | 403), _) | (_, Some(530)) => Some(UploadLogStatus::PermissionDenied),
        (Some(400), _) => Some(UploadLogStatus::BadMessage),
        (Some(405 | 501), _) | (_, Some(502)) => Some(UploadLogStatus::NotSupportedOperation),
        _ => None,
    }
}

/// Whether an upload location has a supported scheme and a host.
fn usable_location(url: &str) -> bool {
    let host = positions(url, "://")
        .next()
        .and_then(|i| url.get(i + 3..))
        .map_or("", |rest| rest.split(['/', '?']).next().unwrap_or(""));
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    firmware::supported_scheme(url) && !host.is_empty() && !host.starts_with(':')
}

impl ChargePoint {
    fn get_log(&mut self, now: Instant, r: GetLogRequest) -> GetLogResponse {
        let url = String::from(r.log.remote_location.as_str());
        if !usable_location(&url) {
            let why = format!(
                "GetLog to {url} refused: the location needs an HTTP, HTTPS or FTP scheme and a host"
            );
            self.warn(why.clone());
            self.security_note(now, why);
            return GetLogResponse {
                status: LogStatus::Rejected,
                filename: None,
            };
        }
        let status = if let Some(old) = self.security.upload() {
            let (id, job) = (old.request_id, old.upload.job);
            if let Some(job) = job {
                self.jobs.abandon(job);
            }
            self.warn(format!(
                "GetLog {} replaces the upload of GetLog {id}",
                r.request_id
            ));
            LogStatus::AcceptedCanceled
        } else {
            LogStatus::Accepted
        };
        let kind = match r.log_type {
            LogType::SecurityLog => "securitylog",
            LogType::DiagnosticsLog => "diagnosticslog",
        };
        let file = format!(
            "{}-{kind}-{}.log",
            self.settings.identity.serial,
            firmware::compact_utc(self.wall_clock(now))
        );
        let window = (r.log.oldest_timestamp, r.log.latest_timestamp);
        self.security_note(now, format!("GetLog {}: {kind} to {url}", r.request_id));
        self.security.set_upload(Some(LogUpload {
            request_id: r.request_id,
            diagnostics: r.log_type == LogType::DiagnosticsLog,
            upload: crate::firmware::Upload {
                url,
                file: file.clone(),
                window,
                job: None,
                attempts: crate::firmware::retries(r.retries),
                interval_s: crate::firmware::interval(r.retry_interval),
            },
        }));
        self.timers.clear(Timer::LogRetry);
        self.log_attempt(now);
        self.log_status(UploadLogStatus::Uploading, r.request_id, None);
        GetLogResponse {
            status,
            filename: Some(ocpp16::CiString255::truncated(&file)),
        }
    }

    /// Hands the GetLog upload to the home (again).
    pub(crate) fn log_attempt(&mut self, now: Instant) {
        let Some((diagnostics, (start, stop))) = self
            .security
            .upload()
            .filter(|u| u.upload.job.is_none())
            .map(|u| (u.diagnostics, u.upload.window))
        else {
            return;
        };
        // Written for each attempt, as GetDiagnostics' file is.
        let content = if diagnostics {
            self.diagnostics_text(now, start, stop)
        } else {
            self.security_log_text(now, start, stop)
        };
        let Some(kind) = self
            .security
            .upload()
            .map(|u| firmware::upload_job(&u.upload, content))
        else {
            return;
        };
        let job = self.start_job(kind);
        if let Some(u) = self.security.upload_mut() {
            u.upload.job = Some(job);
        }
    }

    /// Whether `job` is the GetLog upload's.
    pub(crate) fn is_log_job(&self, job: u32) -> bool {
        self.security
            .upload()
            .is_some_and(|u| u.upload.job == Some(job))
    }

    /// The GetLog upload's job ended.
    pub(crate) fn log_job_ended(&mut self, now: Instant, update: &JobUpdate) {
        let Some(u) = self.security.upload_mut() else {
            return;
        };
        let id = u.request_id;
        if let JobUpdate::Failed(why) = update
            && let Some(status) = refusal(why)
        {
            self.security.set_upload(None);
            self.timers.clear(Timer::LogRetry);
            return self.log_status(status, id, Some(why.clone()));
        }
        match firmware::upload_end(&mut u.upload, update) {
            firmware::UploadEnd::Uploaded => {
                self.security.set_upload(None);
                self.log_status(UploadLogStatus::Uploaded, id, None);
            }
            firmware::UploadEnd::Retry {
                left,
                interval_s,
                why,
            } => {
                self.note(
                    now,
                    format!("log upload failed ({why}); {left} more attempt(s), the next in {interval_s} s"),
                );
                self.timers
                    .set(Timer::LogRetry, now + secs(u64::from(interval_s)));
            }
            firmware::UploadEnd::Failed(why) => {
                self.security.set_upload(None);
                self.log_status(UploadLogStatus::UploadFailure, id, Some(why));
            }
        }
    }

    fn log_status(&mut self, status: UploadLogStatus, id: i32, reason: Option<String>) {
        let request_id = Some(id);
        self.security_note(
            self.last_input,
            match &reason {
                Some(why) => format!("GetLog {id}: {} ({why})", status.as_str()),
                None => format!("GetLog {id}: {}", status.as_str()),
            },
        );
        let request = LogStatusNotificationRequest { status, request_id };
        self.session.push(
            Request::LogStatusNotification(request),
            Purpose::Notification,
        );
        self.events.push_back(Event::Log {
            status,
            request_id,
            reason,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_apart_from_failures() {
        assert_eq!(
            refusal("HTTP 403 Forbidden"),
            Some(UploadLogStatus::PermissionDenied)
        );
        assert_eq!(
            refusal("FTP 530 not logged in"),
            Some(UploadLogStatus::PermissionDenied)
        );
        assert_eq!(
            refusal("HTTP 400 Bad Request"),
            Some(UploadLogStatus::BadMessage)
        );
        assert_eq!(
            refusal("HTTP 501"),
            Some(UploadLogStatus::NotSupportedOperation)
        );
        assert_eq!(refusal("HTTP 404 Not Found"), None);
        assert_eq!(refusal("connection refused"), None);
        assert_eq!(refusal("HTTP 4"), None);
        assert!(usable_location("https://u:p@h/logs"));
        assert!(!usable_location("https:///logs"));
        assert!(!usable_location("sftp://h/"));
        assert!(!usable_location("nonsense"));
    }
}
