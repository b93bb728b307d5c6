//! Long work the engine asks the home for: download a URL to a file, upload a file to a
//! URL, install a downloaded image and restart. The engine names each job by an id and
//! the home reports how it goes ([`JobUpdate`]). Jobs are part of the durable state: a
//! job that was running when the power went ends, at restore, as failed with the reason
//! "interrupted by a power cut", so its owner (Firmware Management, GetLog) always ends
//! in a defined status.

use alloc::{string::String, vec::Vec};

/// What the home is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    /// Fetch `url` (HTTP, HTTPS, FTP, FTPS) into the home's file `file`.
    Download {
        /// Where from.
        url: String,
        /// The file name in the home's file area.
        file: String,
    },
    /// Send the home's file `file` to `url` (HTTP(S) POST/PUT or FTP(S) STOR).
    Upload {
        /// Where to.
        url: String,
        /// The file name in the home's file area (the name the CSMS is told).
        file: String,
        /// What to write to `file` before sending it (a diagnostics log). Not kept in
        /// the durable state: a power cut ends the upload anyway.
        content: String,
    },
    /// Install the downloaded image `file` and restart with it.
    Install {
        /// The file name in the home's file area.
        file: String,
    },
}

/// A job as the home receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The engine's id of the job; hand it back with every update.
    pub id: u32,
    /// The work.
    pub kind: JobKind,
}

/// How a job goes, as the home reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobUpdate {
    /// The transfer or installation began.
    Started,
    /// Bytes done so far, and the total when known.
    Progress {
        /// Bytes transferred.
        done: u64,
        /// The whole size, if the server said.
        total: Option<u64>,
    },
    /// It succeeded.
    Done,
    /// An installation succeeded: the home verified the image
    /// ([`crate::firmware_file::Verifier`]) and installed it; `version` is its header's.
    /// The engine reboots into it.
    Installed {
        /// The installed firmware version.
        version: String,
    },
    /// It failed; the reason a person should read (host not found, HTTP 404, …).
    Failed(String),
}

/// Where a job stands, as the engine keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Handed to the home, not yet started.
    Requested,
    /// The home started it.
    Running,
}

/// The jobs in progress (sub-machine of the engine; it owns its state). Stored in the
/// durable state as one line per job (`id`, kind, state, URL, file, tab-separated): a
/// URL never holds a raw tab or line break, and the text costs an MCU image nothing
/// beyond the string it already reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Jobs {
    next_id: u32,
    active: Vec<(Job, JobState)>,
}

impl Jobs {
    /// The stored text.
    #[must_use]
    pub fn store(&self) -> String {
        let mut text = alloc::format!("{}\n", self.next_id);
        for (job, state) in &self.active {
            let (kind, url, file) = match &job.kind {
                JobKind::Download { url, file } => ("download", url.as_str(), file),
                JobKind::Upload { url, file, .. } => ("upload", url.as_str(), file),
                JobKind::Install { file } => ("install", "", file),
            };
            let state = match state {
                JobState::Requested => "requested",
                JobState::Running => "running",
            };
            text.push_str(&alloc::format!(
                "{}\t{kind}\t{state}\t{url}\t{file}\n",
                job.id
            ));
        }
        text
    }

    /// Reads the stored text back; the reason when it is not a job list.
    pub fn load(text: &str) -> Result<Self, String> {
        let mut lines = text.lines();
        let next_id = lines
            .next()
            .filter(|l| !l.is_empty())
            .map_or(Ok(0), |l| l.parse::<u32>())
            .map_err(|_| String::from("jobs: the first line is not a job number"))?;
        let mut active = Vec::new();
        for (n, line) in lines.enumerate() {
            let bad = |what: &str| alloc::format!("jobs: line {}: {what}", n + 2);
            let mut f = line.split('\t');
            let mut field = || f.next().ok_or_else(|| bad("too few fields"));
            let id = field()?
                .parse::<u32>()
                .map_err(|_| bad("not a job number"))?;
            let (kind, state, url, file) = (field()?, field()?, field()?, field()?);
            let (url, file) = (String::from(url), String::from(file));
            let kind = match kind {
                "download" => JobKind::Download { url, file },
                "upload" => JobKind::Upload {
                    url,
                    file,
                    content: String::new(),
                },
                "install" => JobKind::Install { file },
                other => return Err(bad(&alloc::format!("unknown kind \"{other}\""))),
            };
            let state = match state {
                "requested" => JobState::Requested,
                "running" => JobState::Running,
                other => return Err(bad(&alloc::format!("unknown state \"{other}\""))),
            };
            active.push((Job { id, kind }, state));
        }
        Ok(Self { next_id, active })
    }

    /// A new job; the caller hands it to the home. Tabs and line breaks in a URL or a
    /// file name (never valid in either) are replaced by spaces.
    pub(crate) fn start(&mut self, kind: JobKind) -> Job {
        let clean = |s: String| s.replace(['\t', '\n', '\r'], " ");
        let kind = match kind {
            JobKind::Download { url, file } => JobKind::Download {
                url: clean(url),
                file: clean(file),
            },
            JobKind::Upload { url, file, content } => JobKind::Upload {
                url: clean(url),
                file: clean(file),
                content,
            },
            JobKind::Install { file } => JobKind::Install { file: clean(file) },
        };
        self.next_id = self.next_id.wrapping_add(1).max(1);
        let job = Job {
            id: self.next_id,
            kind,
        };
        // An upload's content goes to the home only: its owner keeps what a retry needs,
        // and a copy here would double the heap a diagnostics file takes on an MCU.
        let kept = match &job.kind {
            JobKind::Upload { url, file, .. } => Job {
                id: job.id,
                kind: JobKind::Upload {
                    url: url.clone(),
                    file: file.clone(),
                    content: String::new(),
                },
            },
            _ => job.clone(),
        };
        self.active.push((kept, JobState::Requested));
        job
    }

    /// Applies an update from the home; returns the job when it ended (Done or Failed; an
    /// upload without its content) or `None` when the id is unknown or the job goes on.
    pub(crate) fn update(&mut self, id: u32, update: &JobUpdate) -> Option<Job> {
        let pos = self.active.iter().position(|(j, _)| j.id == id)?;
        match update {
            JobUpdate::Started | JobUpdate::Progress { .. } => {
                if let Some((_, state)) = self.active.get_mut(pos) {
                    *state = JobState::Running;
                }
                None
            }
            JobUpdate::Done | JobUpdate::Installed { .. } | JobUpdate::Failed(_) => {
                Some(self.active.remove(pos).0)
            }
        }
    }

    /// Forgets a job its owner no longer wants (a replaced update): later reports of
    /// it are ignored. Whether it was in progress.
    pub(crate) fn abandon(&mut self, id: u32) -> bool {
        let before = self.active.len();
        self.active.retain(|(j, _)| j.id != id);
        self.active.len() != before
    }

    /// Whether the job with this id is still in progress.
    #[must_use]
    pub fn is_active(&self, id: u32) -> bool {
        self.active.iter().any(|(j, _)| j.id == id)
    }

    /// The jobs in progress.
    pub fn active(&self) -> impl Iterator<Item = (&Job, JobState)> {
        self.active.iter().map(|(j, s)| (j, *s))
    }

    /// After a power cut: every job that was in progress, now ended.
    pub(crate) fn interrupted(&mut self) -> Vec<Job> {
        core::mem::take(&mut self.active)
            .into_iter()
            .map(|(j, _)| j)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_end_once_and_unknown_ids_are_ignored() {
        let mut jobs = Jobs::default();
        let a = jobs.start(JobKind::Install {
            file: "fw.bin".into(),
        });
        let b = jobs.start(JobKind::Install {
            file: "fw2.bin".into(),
        });
        assert_ne!(a.id, b.id);
        assert_eq!(jobs.update(a.id, &JobUpdate::Started), None);
        assert_eq!(jobs.update(99, &JobUpdate::Done), None);
        assert_eq!(jobs.update(a.id, &JobUpdate::Done), Some(a.clone()));
        assert_eq!(jobs.update(a.id, &JobUpdate::Done), None, "ended once");
        assert!(jobs.is_active(b.id));
        let c = jobs.start(JobKind::Download {
            url: "http://h/a\tb".into(),
            file: "x".into(),
        });
        let stored = jobs.store();
        assert_eq!(Jobs::load(&stored), Ok(jobs.clone()));
        assert_eq!(Jobs::load(""), Ok(Jobs::default()));
        assert!(
            Jobs::load("1\n2\tdance\trunning\t\tf\n")
                .unwrap_err()
                .contains("line 2: unknown kind")
        );
        assert!(Jobs::load("x").is_err());
        assert_eq!(jobs.interrupted(), [b, c]);
        assert_eq!(jobs.active().count(), 0);
    }
}
