//! The Firmware Management profile's state (sub-machines of the engine; they own their
//! state and say what a step leads to, the engine carries it out):
//!
//! - [`Firmware`]: the update in progress and the version an update installed. Durable:
//!   stored as compact text (see [`Firmware::store`]), so a power cut in any phase ends
//!   in a defined status.
//! - [`Diagnostics`]: the GetDiagnostics upload in progress (RAM only: a power cut ends
//!   it, and its job ends as "interrupted by a power cut").
//!
//! Choices where OCPP 1.6 is loose:
//! - `retries` is the number of attempts *after* the first: absent (or negative) = 0,
//!   one attempt only. `retryInterval` absent = [`DEFAULT_RETRY_INTERVAL_S`].
//! - Before the first attempt (waiting for retrieveDate) the update reports `Idle` to a
//!   TriggerMessage; between attempts it reports `Downloading`.
//! - A second UpdateFirmware before installing replaces the first (its download job is
//!   abandoned: later reports of it are ignored); while installing, or rebooting into
//!   the new image, it is answered and ignored with a log line and a warning.
//! - A second GetDiagnostics while one uploads replaces it the same way.

use alloc::{format, string::String};
use ocpp16::DateTime;

/// Seconds between attempts when `retryInterval` is absent.
pub const DEFAULT_RETRY_INTERVAL_S: u32 = 60;

/// The file name a firmware image is downloaded to in the home's file area.
pub const FIRMWARE_FILE: &str = "firmware.evcfw";

/// Where a firmware update stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Phase {
    /// No update in progress.
    #[default]
    Idle,
    /// The next download attempt waits for `at` (retrieveDate, or the retry interval
    /// after a failed attempt; `retrying`).
    Waiting {
        /// Where from.
        location: String,
        /// When the attempt is due (wall clock).
        at: DateTime,
        /// Attempts left, this one included.
        attempts: u32,
        /// Seconds between attempts.
        interval_s: u32,
        /// An attempt already failed.
        retrying: bool,
    },
    /// The download job `job` runs.
    Downloading {
        /// Where from.
        location: String,
        /// The job's id.
        job: u32,
        /// Attempts left after this one.
        attempts: u32,
        /// Seconds between attempts.
        interval_s: u32,
    },
    /// Downloaded; waits for no transaction to run.
    Downloaded,
    /// The installation job `job` runs.
    Installing {
        /// The job's id.
        job: u32,
    },
    /// Installed; `Installed` is reported once the new boot is accepted.
    Installed,
}

/// The firmware update sub-machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Firmware {
    /// The version an update installed (overrides the identity's firmware version).
    installed: Option<String>,
    phase: Phase,
}

impl Firmware {
    /// The version an update installed, if one did.
    #[must_use]
    pub fn installed_version(&self) -> Option<&str> {
        self.installed.as_deref()
    }

    /// Where the update stands.
    #[must_use]
    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    pub(crate) fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }

    pub(crate) fn set_installed(&mut self, version: String) {
        self.installed = Some(version);
    }

    /// The status a TriggerMessage reports now.
    #[must_use]
    pub fn status(&self) -> ocpp16::messages::FirmwareStatus {
        use ocpp16::messages::FirmwareStatus as S;
        match self.phase {
            Phase::Idle
            | Phase::Waiting {
                retrying: false, ..
            } => S::Idle,
            Phase::Waiting { .. } | Phase::Downloading { .. } => S::Downloading,
            Phase::Downloaded => S::Downloaded,
            Phase::Installing { .. } | Phase::Installed => S::Installing,
        }
    }

    /// The stored text: the installed version on the first line (empty when none),
    /// the phase on the second, tab-separated, the location last (never holds a tab
    /// or line break: they are replaced by spaces).
    #[must_use]
    pub fn store(&self) -> String {
        let version = self.installed.as_deref().unwrap_or_default();
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        let phase = match &self.phase {
            Phase::Idle => String::new(),
            Phase::Waiting {
                location,
                at,
                attempts,
                interval_s,
                retrying,
            } => format!(
                "waiting\t{}\t{attempts}\t{interval_s}\t{}\t{}",
                at.unix_millis(),
                u8::from(*retrying),
                clean(location)
            ),
            Phase::Downloading {
                location,
                job,
                attempts,
                interval_s,
            } => format!(
                "downloading\t{job}\t{attempts}\t{interval_s}\t{}",
                clean(location)
            ),
            Phase::Downloaded => String::from("downloaded"),
            Phase::Installing { job } => format!("installing\t{job}"),
            Phase::Installed => String::from("installed"),
        };
        if version.is_empty() && phase.is_empty() {
            return String::new();
        }
        format!("{}\n{phase}", clean(version))
    }

    /// Reads the stored text back; the reason when it is not a firmware state.
    pub fn load(text: &str) -> Result<Self, String> {
        let mut lines = text.split('\n');
        let version = lines.next().unwrap_or_default();
        let installed = (!version.is_empty()).then(|| String::from(version));
        let line = lines.next().unwrap_or_default();
        let bad = |what: &str| format!("firmware: {what}");
        let mut f = line.split('\t');
        let kind = f.next().unwrap_or_default();
        let mut field = || f.next().ok_or_else(|| bad("too few fields"));
        let num = |s: &str| s.parse::<u32>().map_err(|_| bad("not a number"));
        let phase = match kind {
            "" => Phase::Idle,
            "waiting" => {
                let at = field()?
                    .parse::<i64>()
                    .map_err(|_| bad("not a time"))
                    .map(DateTime::from_unix_millis)?;
                let attempts = num(field()?)?;
                let interval_s = num(field()?)?;
                let retrying = field()? == "1";
                let location = String::from(field()?);
                Phase::Waiting {
                    location,
                    at,
                    attempts,
                    interval_s,
                    retrying,
                }
            }
            "downloading" => {
                let job = num(field()?)?;
                let attempts = num(field()?)?;
                let interval_s = num(field()?)?;
                let location = String::from(field()?);
                Phase::Downloading {
                    location,
                    job,
                    attempts,
                    interval_s,
                }
            }
            "downloaded" => Phase::Downloaded,
            "installing" => Phase::Installing {
                job: num(field()?)?,
            },
            "installed" => Phase::Installed,
            other => return Err(bad(&format!("unknown phase \"{other}\""))),
        };
        Ok(Self { installed, phase })
    }
}

/// A GetDiagnostics upload in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Where to.
    pub url: String,
    /// The file name the CSMS was told.
    pub file: String,
    /// The content (GetLog's; GetDiagnostics writes it per attempt).
    pub content: String,
    /// The window asked for.
    pub window: (Option<DateTime>, Option<DateTime>),
    /// The job now running, or `None` while waiting for the next attempt.
    pub job: Option<u32>,
    /// Attempts left after the current one.
    pub attempts: u32,
    /// Seconds between attempts.
    pub interval_s: u32,
}

/// The diagnostics upload sub-machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    upload: Option<alloc::boxed::Box<Upload>>,
}

impl Diagnostics {
    /// The upload in progress.
    #[must_use]
    pub fn upload(&self) -> Option<&Upload> {
        self.upload.as_deref()
    }

    pub(crate) fn upload_mut(&mut self) -> Option<&mut Upload> {
        self.upload.as_deref_mut()
    }

    pub(crate) fn set(&mut self, upload: Option<Upload>) {
        self.upload = upload.map(alloc::boxed::Box::new);
    }

    /// The status a TriggerMessage reports now.
    #[must_use]
    pub fn status(&self) -> ocpp16::messages::DiagnosticsStatus {
        if self.upload.is_some() {
            ocpp16::messages::DiagnosticsStatus::Uploading
        } else {
            ocpp16::messages::DiagnosticsStatus::Idle
        }
    }
}

/// Attempts after the first, from a request's `retries` (absent or negative: none).
pub(crate) fn retries(r: Option<i32>) -> u32 {
    r.and_then(|r| u32::try_from(r).ok()).unwrap_or(0)
}

/// Seconds between attempts, from a request's `retryInterval`.
pub(crate) fn interval(r: Option<i32>) -> u32 {
    r.and_then(|r| u32::try_from(r).ok())
        .unwrap_or(DEFAULT_RETRY_INTERVAL_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_is_stored_and_read_back() {
        let phases = [
            Phase::Idle,
            Phase::Waiting {
                location: String::from("http://h/fw\tx"),
                at: DateTime::from_unix_millis(1_767_225_600_000),
                attempts: 3,
                interval_s: 30,
                retrying: true,
            },
            Phase::Downloading {
                location: String::from("ftp://h/fw"),
                job: 7,
                attempts: 0,
                interval_s: 60,
            },
            Phase::Downloaded,
            Phase::Installing { job: 9 },
            Phase::Installed,
        ];
        for phase in phases {
            for installed in [None, Some(String::from("2.0.0"))] {
                let fw = Firmware {
                    installed: installed.clone(),
                    phase: phase.clone(),
                };
                let mut back = Firmware::load(&fw.store()).unwrap();
                if let Phase::Waiting { location, .. } = &mut back.phase {
                    assert_eq!(location, "http://h/fw x");
                    *location = String::from("http://h/fw\tx");
                }
                assert_eq!(back, fw);
            }
        }
        assert_eq!(Firmware::default().store(), "");
        assert_eq!(Firmware::load(""), Ok(Firmware::default()));
        assert!(
            Firmware::load("\nflying")
                .unwrap_err()
                .contains("unknown phase")
        );
        assert!(Firmware::load("\nwaiting\tx").is_err());
    }
}
