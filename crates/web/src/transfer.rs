//! The tab's file transfers: the jobs the engine hands its home ([`Job`]), carried out
//! with the browser's `fetch`. Both homes use it: the live one against a real CSMS's
//! file server, the demo one against the sample files served with the page (and an
//! upload location the demo CSMS owns, kept in the page instead of sent).
//!
//! - A download is a GET whose body is read as a stream, reporting progress at most
//!   four times a second; the bytes stay in memory, one map (file name → bytes) per
//!   charge point id. Nothing is written to storage: **a download does not survive a
//!   reload of the page**, so an installation asked for after a reload fails with a
//!   reason that says so.
//! - An upload is a `multipart/form-data` POST with one part, `file`, holding the
//!   job's content under the job's file name, as the native runner sends it.
//! - An installation runs the stored bytes through the engine's
//!   [`Verifier`] for the box's chargePointModel and reports the header's version.
//!
//! A browser says nothing about why a fetch failed (a bare `TypeError`), so a failed
//! one is tried again in `no-cors` mode: when that one is answered, the server is there
//! and it was CORS that kept the answer from the page; when it fails too, the host did
//! not answer at all. What a browser cannot do at all (FTP, plain HTTP from an HTTPS
//! page) is said before anything is sent.
//!
//! The fetches are futures on `wasm-bindgen-futures`' executor; they only push
//! [`Report`]s into a queue that the home drains at its tick, so the driver is still
//! stepped by the one synchronous tick.

use std::{cell::RefCell, collections::VecDeque, rc::Rc};

use chargepoint::{
    Instant, Job, JobKind, JobUpdate,
    firmware_file::{MAX_HEADER, Verifier},
};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{
    Blob, BlobPropertyBag, FormData, ReadableStreamDefaultReader, RequestInit, RequestMode,
    Response, Url,
};

/// The fewest real milliseconds between two progress reports of one transfer.
const PROGRESS_EVERY_MS: f64 = 250.0;
/// How many transfer events the trace keeps.
const EVENTS: usize = 200;

/// How a job goes, as this home reports it (the engine's [`JobUpdate`], see
/// [`Update::into_job_update`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// The transfer began.
    Started,
    /// Bytes so far, and the whole size when the server said.
    Progress {
        /// Bytes transferred.
        done: u64,
        /// The whole size.
        total: Option<u64>,
    },
    /// The transfer is complete.
    Done,
    /// The image verified; its header's version.
    Installed {
        /// The firmware version of the image.
        version: String,
    },
    /// It failed, with the reason a person should read.
    Failed(String),
}

impl Update {
    /// The engine's form.
    #[must_use]
    pub fn into_job_update(self) -> JobUpdate {
        match self {
            Self::Started => JobUpdate::Started,
            Self::Progress { done, total } => JobUpdate::Progress { done, total },
            Self::Done => JobUpdate::Done,
            Self::Installed { version } => JobUpdate::Installed { version },
            Self::Failed(reason) => JobUpdate::Failed(reason),
        }
    }
}

/// One report of a transfer, and what the trace says of it (only the milestones say
/// something).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The job.
    pub id: u32,
    /// How it goes.
    pub update: Update,
    /// The trace's line, if this report is one worth a line.
    pub note: Option<String>,
}

/// A transfer in progress, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    /// The job.
    pub id: u32,
    /// "download", "upload" or "install".
    pub what: &'static str,
    /// The file.
    pub file: String,
    /// Bytes so far.
    pub done: u64,
    /// The whole size, when known.
    pub total: Option<u64>,
    /// The firmware version the file's header names, once that much arrived.
    pub version: Option<String>,
}

/// A file the demo CSMS received: its name, its size and a `blob:` URL to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The file name the box gave.
    pub file: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// A `blob:` URL of it (download or open).
    pub url: String,
}

#[derive(Default)]
struct Shared {
    reports: VecDeque<Report>,
    running: Vec<Running>,
    received: Vec<Received>,
    /// The firmware version the latest download's header named.
    version: Option<String>,
}

/// A downloaded file: charge point id, file name, bytes.
type File = (String, String, Rc<Vec<u8>>);

thread_local! {
    /// Downloaded files, the latest of each. In memory only; a page holds a handful, so
    /// a list (no hash map linked for it).
    static FILES: RefCell<Vec<File>> = const { RefCell::new(Vec::new()) };
}

fn stored(cp: &str, file: &str) -> Option<Rc<Vec<u8>>> {
    FILES.with(|f| {
        f.borrow()
            .iter()
            .find(|(c, name, _)| c == cp && name == file)
            .map(|(_, _, bytes)| bytes.clone())
    })
}

fn store(cp: &str, file: &str, bytes: Vec<u8>) {
    FILES.with(|f| {
        let mut files = f.borrow_mut();
        files.retain(|(c, name, _)| !(c == cp && name == file));
        files.push((String::from(cp), String::from(file), Rc::new(bytes)));
    });
}

/// One charge point's transfers.
pub struct Transfers {
    cp: String,
    model: String,
    /// Uploads to URLs starting with this are kept in the page (the demo CSMS's).
    intercept: Option<String>,
    shared: Rc<RefCell<Shared>>,
    /// What the trace shows: (engine time, line).
    events: Vec<(Instant, String)>,
}

impl Transfers {
    /// Transfers of the charge point `cp` (the id keys its downloads), verifying images
    /// for `model`; uploads to `intercept` (the demo CSMS's location) stay in the page.
    #[must_use]
    pub fn new(cp: &str, model: &str, intercept: Option<&str>) -> Self {
        Self {
            cp: String::from(cp),
            model: String::from(model),
            intercept: intercept.map(String::from),
            shared: Rc::default(),
            events: Vec::new(),
        }
    }

    /// Starts a job; its reports arrive through [`Transfers::poll`].
    pub fn start(&self, job: &Job) {
        let shared = self.shared.clone();
        let id = job.id;
        let (what, file) = match &job.kind {
            JobKind::Download { file, .. } => ("download", file),
            JobKind::Upload { file, .. } => ("upload", file),
            JobKind::Install { file } => ("install", file),
        };
        if what == "download" {
            shared.borrow_mut().version = None;
        }
        shared.borrow_mut().running.push(Running {
            id,
            what,
            file: file.clone(),
            done: 0,
            total: None,
            version: None,
        });
        let task = Task {
            id,
            shared: shared.clone(),
            last_progress: f64::NEG_INFINITY,
            milestone: 0,
        };
        match job.kind.clone() {
            JobKind::Download { url, file } => {
                let cp = self.cp.clone();
                spawn_local(async move { task.download(&cp, &url, &file).await });
            }
            JobKind::Upload { url, file, content } => {
                let kept = self
                    .intercept
                    .as_deref()
                    .is_some_and(|prefix| url.starts_with(prefix));
                if kept {
                    task.keep(&url, &file, &content);
                } else {
                    spawn_local(async move { task.upload(&url, &file, content).await });
                }
            }
            JobKind::Install { file } => {
                let (cp, model) = (self.cp.clone(), self.model.clone());
                spawn_local(async move { task.install(&cp, &model, &file).await });
            }
        }
    }

    /// The reports since the last call, in order, in the engine's form; their trace
    /// lines are kept at `now` (engine time).
    pub fn poll(&mut self, now: Instant) -> Vec<(u32, JobUpdate)> {
        let reports: Vec<Report> = self.shared.borrow_mut().reports.drain(..).collect();
        let mut updates = Vec::with_capacity(reports.len());
        for report in reports {
            if let Some(note) = report.note {
                self.events.push((now, note));
            }
            updates.push((report.id, report.update.into_job_update()));
        }
        crate::sim::trim(&mut self.events, EVENTS);
        updates
    }

    /// The trace's transfer events, oldest first.
    #[must_use]
    pub fn events(&self) -> &[(Instant, String)] {
        &self.events
    }

    /// The transfers in progress.
    #[must_use]
    pub fn running(&self) -> Vec<Running> {
        self.shared.borrow().running.clone()
    }

    /// The firmware version the latest download's header named.
    #[must_use]
    pub fn version(&self) -> Option<String> {
        self.shared.borrow().version.clone()
    }

    /// The files the demo CSMS received, oldest first.
    #[must_use]
    pub fn received(&self) -> Vec<Received> {
        self.shared.borrow().received.clone()
    }
}

/// One job on its way.
struct Task {
    id: u32,
    shared: Rc<RefCell<Shared>>,
    /// Real ms of the last progress report.
    last_progress: f64,
    /// The last quarter (or MiB, size unknown) the trace named.
    milestone: u64,
}

impl Task {
    fn report(&self, update: Update, note: Option<String>) {
        let mut shared = self.shared.borrow_mut();
        if matches!(
            update,
            Update::Done | Update::Failed(_) | Update::Installed { .. }
        ) {
            shared.running.retain(|r| r.id != self.id);
        }
        shared.reports.push_back(Report {
            id: self.id,
            update,
            note,
        });
    }

    fn fail(&self, what: &str, file: &str, reason: String) {
        let note = format!("{what} of {file} failed: {reason}");
        self.report(Update::Failed(reason), Some(note));
    }

    /// Bytes so far: the shown state always, a report at most every 250 ms, a trace
    /// line at each quarter (each MiB when the size is unknown).
    fn progress(&mut self, what: &str, file: &str, done: u64, total: Option<u64>, head: &[u8]) {
        {
            let mut shared = self.shared.borrow_mut();
            let mut seen = None;
            if let Some(r) = shared.running.iter_mut().find(|r| r.id == self.id) {
                r.done = done;
                r.total = total;
                if r.version.is_none() && what == "download" {
                    r.version = header_version(head);
                    seen.clone_from(&r.version);
                }
            }
            if seen.is_some() {
                shared.version = seen;
            }
        }
        let now = js_sys::Date::now();
        if now - self.last_progress < PROGRESS_EVERY_MS {
            return;
        }
        self.last_progress = now;
        // A line at each quarter passed (each MiB when the size is unknown); none for
        // the whole, which the end's line says.
        let (step, last, label) = match total {
            Some(t) if t > 0 => {
                let percent = done.saturating_mul(100) / t;
                (percent / 25, 3, format!("{percent} %"))
            }
            _ => (done >> 20, u64::MAX, format!("{} MiB", done >> 20)),
        };
        let note = (step > self.milestone && step <= last).then(|| {
            self.milestone = step;
            format!("{what} of {file}: {label} ({done} bytes)")
        });
        self.report(Update::Progress { done, total }, note);
    }

    async fn download(mut self, cp: &str, url: &str, file: &str) {
        let what = "download";
        let target = match check_location(url) {
            Ok(t) => t,
            Err(reason) => return self.fail(what, file, reason),
        };
        self.report(
            Update::Started,
            Some(format!("{what} of {file} from {url} started")),
        );
        let response = match fetch(url, &target, &RequestInit::new()).await {
            Ok(r) => r,
            Err(reason) => return self.fail(what, file, reason),
        };
        let total = response
            .headers()
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut bytes = Vec::new();
        if let Some(body) = response.body() {
            let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
            loop {
                let chunk = match JsFuture::from(reader.read()).await {
                    Ok(chunk) => chunk,
                    Err(e) => {
                        let reason = format!("the download broke off: {}", js_message(&e));
                        return self.fail(what, file, reason);
                    }
                };
                let done = Reflect::get(&chunk, &JsValue::from_str("done"))
                    .ok()
                    .and_then(|d| d.as_bool())
                    .unwrap_or(true);
                if done {
                    break;
                }
                if let Ok(value) = Reflect::get(&chunk, &JsValue::from_str("value")) {
                    bytes.extend(Uint8Array::new(&value).to_vec());
                }
                let got = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                let head = bytes.get(..bytes.len().min(MAX_HEADER)).unwrap_or_default();
                self.progress(what, file, got, total, head);
            }
        }
        let got = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.report(Update::Progress { done: got, total }, None);
        store(cp, file, bytes);
        self.report(
            Update::Done,
            Some(format!("{what} of {file} done: {got} bytes")),
        );
    }

    async fn upload(self, url: &str, file: &str, content: String) {
        let what = "upload";
        let target = match check_location(url) {
            Ok(t) => t,
            Err(reason) => return self.fail(what, file, reason),
        };
        self.report(
            Update::Started,
            Some(format!("{what} of {file} to {url} started")),
        );
        let form = match blob(&content).and_then(|b| {
            let form = FormData::new()?;
            form.append_with_blob_and_filename("file", &b, file)?;
            Ok(form)
        }) {
            Ok(form) => form,
            Err(e) => {
                let reason = format!("the file could not be prepared: {}", js_message(&e));
                return self.fail(what, file, reason);
            }
        };
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&form);
        if let Err(reason) = fetch(url, &target, &init).await {
            return self.fail(what, file, reason);
        }
        let size = u64::try_from(content.len()).unwrap_or(u64::MAX);
        self.report(
            Update::Progress {
                done: size,
                total: Some(size),
            },
            None,
        );
        self.report(
            Update::Done,
            Some(format!("{what} of {file} done: {size} bytes")),
        );
    }

    /// An upload to the demo CSMS: kept in the page, offered as a `blob:` URL.
    fn keep(self, url: &str, file: &str, content: &str) {
        self.report(
            Update::Started,
            Some(format!("upload of {file} to the demo CSMS ({url}) started")),
        );
        let link = blob(content)
            .and_then(|b| Url::create_object_url_with_blob(&b))
            .unwrap_or_default();
        self.shared.borrow_mut().received.push(Received {
            file: String::from(file),
            bytes: content.len(),
            url: link,
        });
        let size = u64::try_from(content.len()).unwrap_or(u64::MAX);
        self.report(
            Update::Progress {
                done: size,
                total: Some(size),
            },
            None,
        );
        self.report(
            Update::Done,
            Some(format!(
                "upload of {file} done: the demo CSMS received {size} bytes"
            )),
        );
    }

    async fn install(self, cp: &str, model: &str, file: &str) {
        self.report(Update::Started, Some(format!("verifying {file}")));
        let Some(bytes) = stored(cp, file) else {
            let reason = format!(
                "no downloaded file {file} in this tab: downloads are kept in memory only and do not survive a reload of the page"
            );
            return self.fail("installation", file, reason);
        };
        let mut verifier = Verifier::new(model);
        let verdict = verifier.update(&bytes).and_then(|()| verifier.finish());
        match verdict {
            Ok(header) => {
                // Reported at once: the engine reboots only once Installing reached the
                // CSMS, so nothing needs to wait here.
                let note = format!(
                    "{file} verified: firmware {} for {}, installed",
                    header.version, header.product
                );
                self.report(
                    Update::Installed {
                        version: header.version,
                    },
                    Some(note),
                );
            }
            Err(e) => self.fail("installation", file, e.to_string()),
        }
    }
}

/// The version line of a firmware header, once the file's first bytes hold it.
fn header_version(head: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(head).ok().or_else(|| {
        // A chunk may end inside a character: read what is valid.
        let valid = std::str::from_utf8(head).err()?.valid_up_to();
        std::str::from_utf8(head.get(..valid)?).ok()
    })?;
    let start = text.find("\nversion: ")? + "\nversion: ".len();
    let rest = text.get(start..)?;
    let end = rest.find('\n')?;
    rest.get(..end).filter(|v| !v.is_empty()).map(String::from)
}

fn blob(content: &str) -> Result<Blob, JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(content));
    let options = BlobPropertyBag::new();
    options.set_type("text/plain");
    Blob::new_with_str_sequence_and_options(&parts, &options)
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(
        || {
            e.as_string()
                .unwrap_or_else(|| String::from("unknown error"))
        },
        |e| String::from(e.message()),
    )
}

/// What a URL's check found: its origin and host, for the reasons.
struct Target {
    origin: String,
    host: String,
}

/// The page's origin and protocol.
fn page() -> (String, String) {
    web_sys::window().map_or_else(Default::default, |w| {
        let l = w.location();
        (
            l.origin().unwrap_or_default(),
            l.protocol().unwrap_or_default(),
        )
    })
}

/// Whether a browser tab can reach `url` at all; the reason when it cannot.
fn check_location(url: &str) -> Result<Target, String> {
    let (_, page_protocol) = page();
    check_location_from(url, &page_protocol)
}

/// Why a page loaded over `page_protocol` (`"https:"`) cannot transfer a file at `url`,
/// if it cannot (FTP, another scheme, plain HTTP from an HTTPS page, not a URL).
#[must_use]
pub fn refusal(url: &str, page_protocol: &str) -> Option<String> {
    check_location_from(url, page_protocol).err()
}

fn check_location_from(url: &str, page_protocol: &str) -> Result<Target, String> {
    let parsed = Url::new(url).map_err(|_| format!("not a URL: {url}"))?;
    let scheme = parsed.protocol();
    match scheme.as_str() {
        "http:" | "https:" => {}
        "ftp:" | "ftps:" => {
            return Err(String::from(
                "FTP is not possible from a browser tab: use an HTTP(S) location",
            ));
        }
        other => {
            return Err(format!(
                "a browser tab cannot transfer files over {}: use an HTTP(S) location",
                other.trim_end_matches(':')
            ));
        }
    }
    let host = parsed.host();
    let hostname = parsed.hostname();
    let loopback = hostname == "localhost" || hostname == "127.0.0.1" || hostname == "[::1]";
    if page_protocol == "https:" && scheme == "http:" && !loopback {
        return Err(format!(
            "this page was loaded over HTTPS and the browser blocks plain-HTTP requests from it (mixed content): {host} must be reached with an https:// location"
        ));
    }
    Ok(Target {
        origin: parsed.origin(),
        host,
    })
}

/// The standard reason phrase of the status codes a file server gives (HTTP/2 carries
/// none, and servers word theirs freely).
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Fetches `url`; an HTTP error status or a refused fetch as the reason a person can
/// act on.
async fn fetch(url: &str, target: &Target, init: &RequestInit) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    match JsFuture::from(window.fetch_with_str_and_init(url, init)).await {
        Ok(response) => {
            let response: Response = response.unchecked_into();
            let status = response.status();
            if status >= 400 {
                // The standard phrase where there is one (servers word theirs freely:
                // Python's says "File not found"), else the server's.
                let text = response.status_text();
                let phrase = match reason_phrase(status) {
                    "" => text.as_str(),
                    known => known,
                };
                return Err(format!("HTTP {status} {phrase}").trim_end().to_string());
            }
            Ok(response)
        }
        Err(_) => Err(why_refused(url, target).await),
    }
}

/// A fetch was refused without a reason: asks again in `no-cors` mode (a HEAD, so no
/// file goes twice) to tell a CORS refusal from a host that does not answer.
async fn why_refused(url: &str, target: &Target) -> String {
    let (page_origin, _) = page();
    let probe = RequestInit::new();
    probe.set_method("HEAD");
    probe.set_mode(RequestMode::NoCors);
    let answered = match web_sys::window() {
        Some(w) => JsFuture::from(w.fetch_with_str_and_init(url, &probe))
            .await
            .is_ok(),
        None => false,
    };
    if answered {
        format!(
            "the server at {} answered, but without CORS headers this page may not read it: it must send Access-Control-Allow-Origin ({page_origin} or *)",
            target.origin
        )
    } else {
        format!(
            "no answer from {}: the host is unknown, refused the connection, or its TLS certificate is not trusted by this browser",
            target.host
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_read_from_a_header_as_it_arrives() {
        let file = chargepoint::firmware_file::pack("TeltoCharge", "1.13.0", b"body");
        assert_eq!(header_version(&file), Some(String::from("1.13.0")));
        assert_eq!(header_version(file.get(..30).unwrap_or_default()), None);
        assert_eq!(header_version(b"<html>"), None);
    }
}
