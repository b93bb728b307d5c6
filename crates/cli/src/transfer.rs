//! The runner's file transfers: the jobs the engine hands out (`Download`, `Upload`,
//! `Install`) carried out for real, each in its own task, with every failure worded so a
//! person can act on it (host not found, refused, HTTP status, TLS error, timeout).
//!
//! - **HTTP and HTTPS** (`reqwest` over the runner's rustls setup, so `--ca` is honoured):
//!   a download is a GET streamed to `<file>.part` in the charge point's file folder and
//!   renamed when whole; an upload is a `multipart/form-data` POST with one part, `file`,
//!   carrying the file under its name (what CSMS upload endpoints take).
//! - **FTP and FTPS** (`suppaftp`, passive mode, binary; FTPS is explicit `AUTH TLS`):
//!   user and password from the URL, else anonymous; a download is `RETR` of the URL's
//!   path; an upload changes into the URL's path and `STOR`s the file there under its
//!   name, or, when that path is not a directory, stores it under the path's name.
//! - **Install**: the downloaded file is read through [`chargepoint::firmware_file::Verifier`]
//!   (streaming, never whole in memory) and reported `Installed { version }` or the reason.
//!
//! Files live in `<state dir>/files/<id>/` (or a folder under the system's temporary
//! folder without `--state-dir`). One HTTP client (one connection pool) serves the fleet,
//! and at most [`MAX_AT_ONCE`] transfers run at once (the others wait their turn).

mod ftp;
mod http;

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use chargepoint::{Job, JobKind, JobUpdate};
use tokio::{io::AsyncReadExt, sync::mpsc};

/// How long connecting may take.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a transfer may go without a byte moving.
pub(crate) const STALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Transfers running at once across the fleet.
const MAX_AT_ONCE: usize = 128;
/// Progress is reported at most this often.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// What the fleet's transfers share.
pub(crate) struct Transfers {
    http: reqwest::Client,
    /// Transfers running at once across the fleet (the rest wait their turn, so a
    /// thousand boxes updating at once do not exhaust file descriptors).
    permits: Arc<tokio::sync::Semaphore>,
    tls: Arc<rustls::ClientConfig>,
    root: PathBuf,
}

impl std::fmt::Debug for Transfers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfers")
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

/// One update of one job, for the charge point's task.
pub(crate) type Update = (u32, JobUpdate);

impl Transfers {
    /// Transfers with TLS settings `tls` (public roots and `--ca`), files under `root`.
    pub(crate) fn new(tls: Arc<rustls::ClientConfig>, root: PathBuf) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .use_preconfigured_tls((*tls).clone())
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(STALL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!("evc-playground/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(Self {
            http,
            permits: Arc::new(tokio::sync::Semaphore::new(MAX_AT_ONCE)),
            tls,
            root,
        })
    }

    /// The file folder of charge point `id`.
    pub(crate) fn folder(&self, id: &str) -> PathBuf {
        self.root.join(id)
    }

    /// Starts `job` of charge point `id` (model `product`); its updates go to `updates`.
    pub(crate) fn start(
        self: &Arc<Self>,
        id: &str,
        product: &str,
        job: Job,
        updates: mpsc::UnboundedSender<Update>,
    ) {
        let this = Arc::clone(self);
        let folder = self.folder(id);
        let product = product.to_owned();
        tokio::spawn(async move {
            let _permit = Arc::clone(&this.permits).acquire_owned().await;
            let mut report = Reporter {
                id: job.id,
                updates,
                last: None,
            };
            let outcome = this
                .carry_out(&folder, &product, job.kind, &mut report)
                .await;
            report.send(match outcome {
                Ok(update) => update,
                Err(reason) => JobUpdate::Failed(reason),
            });
        });
    }

    async fn carry_out(
        &self,
        folder: &Path,
        product: &str,
        kind: JobKind,
        report: &mut Reporter,
    ) -> Result<JobUpdate, String> {
        match kind {
            JobKind::Download { url, file } => {
                let path = file_in(folder, &file)?;
                report.send(JobUpdate::Started);
                self.download(&url, &path, report).await?;
                Ok(JobUpdate::Done)
            }
            JobKind::Upload { url, file, content } => {
                let path = file_in(folder, &file)?;
                write_new(&path, content.as_bytes()).await?;
                report.send(JobUpdate::Started);
                self.upload(&url, &path, &file, report).await?;
                Ok(JobUpdate::Done)
            }
            JobKind::Install { file } => {
                let path = file_in(folder, &file)?;
                report.send(JobUpdate::Started);
                let version = verify(&path, product).await?;
                Ok(JobUpdate::Installed { version })
            }
        }
    }

    async fn download(&self, url: &str, path: &Path, report: &mut Reporter) -> Result<(), String> {
        let parsed = parse(url)?;
        let part = path.with_extension("part");
        let result = match parsed.scheme() {
            "http" | "https" => http::download(&self.http, &parsed, &part, report).await,
            "ftp" | "ftps" => ftp::download(&parsed, &self.tls, &part, report).await,
            other => Err(unsupported(other)),
        };
        match result {
            Ok(()) => tokio::fs::rename(&part, path)
                .await
                .map_err(|e| format!("cannot keep the download as {}: {e}", path.display())),
            Err(e) => {
                let _ = tokio::fs::remove_file(&part).await;
                Err(e)
            }
        }
    }

    async fn upload(
        &self,
        url: &str,
        path: &Path,
        name: &str,
        report: &mut Reporter,
    ) -> Result<(), String> {
        let parsed = parse(url)?;
        match parsed.scheme() {
            "http" | "https" => http::upload(&self.http, &parsed, path, name, report).await,
            "ftp" | "ftps" => ftp::upload(&parsed, &self.tls, path, name, report).await,
            other => Err(unsupported(other)),
        }
    }
}

/// Sends a job's updates, progress at most once a second.
pub(crate) struct Reporter {
    id: u32,
    updates: mpsc::UnboundedSender<Update>,
    last: Option<Instant>,
}

impl Reporter {
    fn send(&self, update: JobUpdate) {
        let _ = self.updates.send((self.id, update));
    }

    /// Bytes moved so far (and the whole, when known).
    pub(crate) fn progress(&mut self, done: u64, total: Option<u64>) {
        let now = Instant::now();
        let due = self
            .last
            .is_none_or(|at| now.duration_since(at) >= PROGRESS_EVERY);
        if due {
            self.last = Some(now);
            self.send(JobUpdate::Progress { done, total });
        }
    }
}

fn parse(url: &str) -> Result<reqwest::Url, String> {
    reqwest::Url::parse(url).map_err(|e| format!("{url} is not a usable URL: {e}"))
}

fn unsupported(scheme: &str) -> String {
    format!("the scheme {scheme}: is not supported (HTTP, HTTPS, FTP and FTPS are)")
}

/// `file` inside `folder`, refusing names that would leave it.
fn file_in(folder: &Path, file: &str) -> Result<PathBuf, String> {
    let plain = !file.is_empty()
        && file != "."
        && file != ".."
        && !file.contains(['/', '\\', '\0'])
        && !file.starts_with('.');
    if !plain {
        return Err(format!("{file:?} is not a plain file name"));
    }
    std::fs::create_dir_all(folder)
        .map_err(|e| format!("cannot make the file folder {}: {e}", folder.display()))?;
    Ok(folder.join(file))
}

async fn write_new(path: &Path, bytes: &[u8]) -> Result<(), String> {
    tokio::fs::write(path, bytes)
        .await
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads the file at `path` through the firmware verifier: the version it carries.
async fn verify(path: &Path, product: &str) -> Result<String, String> {
    use chargepoint::firmware_file::Verifier;
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("cannot open the downloaded file {}: {e}", path.display()))?;
    let mut verifier = Verifier::new(product);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let Some(chunk) = buf.get(..n) else { break };
        if n == 0 {
            break;
        }
        verifier.update(chunk).map_err(|e| e.to_string())?;
    }
    verifier
        .finish()
        .map(|header| header.version)
        .map_err(|e| e.to_string())
}

/// The reason of a failed transfer, from an error and its sources: what a person can act
/// on first (refused, host not found, TLS, timed out), then the details.
pub(crate) fn describe(what: &str, error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = Vec::new();
    let mut kind = None;
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            kind = kind.or(match io.kind() {
                std::io::ErrorKind::ConnectionRefused => Some("connection refused"),
                std::io::ErrorKind::TimedOut => Some("timed out"),
                std::io::ErrorKind::ConnectionReset => Some("connection reset"),
                _ => None,
            });
        }
        if e.downcast_ref::<rustls::Error>().is_some() {
            kind = Some("TLS error");
        }
        let text = e.to_string();
        if kind.is_none() && (text.contains("dns error") || text.contains("failed to lookup")) {
            kind = Some("host not found");
        }
        if !chain.iter().any(|c: &String| c.contains(&text)) {
            chain.push(text);
        }
        next = e.source();
    }
    let details = chain.join(": ");
    match kind {
        Some(k) => format!("{what}: {k} ({details})"),
        None => format!("{what}: {details}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    #[test]
    fn file_names_stay_in_the_folder() {
        let dir = std::env::temp_dir().join(format!("evc-files-test-{}", std::process::id()));
        for bad in ["", ".", "..", "../x", "a/b", ".hidden", "a\\b"] {
            assert!(file_in(&dir, bad).is_err(), "{bad:?}");
        }
        assert_eq!(file_in(&dir, "fw.bin").unwrap(), dir.join("fw.bin"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn refused_connections_say_so() {
        let e = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let text = describe("GET http://127.0.0.1:9/fw.bin", &e);
        assert!(
            text.starts_with("GET http://127.0.0.1:9/fw.bin: connection refused ("),
            "{text}"
        );
    }

    /// A one-shot HTTP server on 127.0.0.1 answering every request with `response`.
    async fn serve(response: Vec<u8>) -> u16 {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = vec![0u8; 65536];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(&response).await;
                let _ = s.shutdown().await;
            }
        });
        port
    }

    fn transfers(dir: &Path) -> Arc<Transfers> {
        let tls = crate::connect::Tls::new(None, None)
            .unwrap()
            .config()
            .unwrap();
        Arc::new(Transfers::new(tls, dir.to_path_buf()).unwrap())
    }

    async fn outcome(t: &Arc<Transfers>, kind: JobKind) -> (Vec<JobUpdate>, JobUpdate) {
        let (tx, mut rx) = mpsc::unbounded_channel();
        t.start("CP1", "TeltoCharge", Job { id: 7, kind }, tx);
        let mut seen = Vec::new();
        while let Some((id, update)) = rx.recv().await {
            assert_eq!(id, 7);
            let end = matches!(
                update,
                JobUpdate::Done | JobUpdate::Failed(_) | JobUpdate::Installed { .. }
            );
            if end {
                return (seen, update);
            }
            seen.push(update);
        }
        panic!("the job ended without a final update");
    }

    #[tokio::test]
    async fn a_download_lands_whole_and_installs() {
        let dir = std::env::temp_dir().join(format!("evc-dl-test-{}", std::process::id()));
        let body = chargepoint::firmware_file::pack("TeltoCharge", "9.9.9", &[7u8; 3000]);
        let mut response = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        let port = serve(response).await;
        let t = transfers(&dir);
        let url = format!("http://127.0.0.1:{port}/fw.bin");
        let (seen, end) = outcome(
            &t,
            JobKind::Download {
                url,
                file: "fw.bin".into(),
            },
        )
        .await;
        assert_eq!(end, JobUpdate::Done);
        assert_eq!(seen.first(), Some(&JobUpdate::Started));
        assert_eq!(std::fs::read(dir.join("CP1/fw.bin")).unwrap(), body);
        assert!(!dir.join("CP1/fw.part").exists());
        let (_, end) = outcome(
            &t,
            JobKind::Install {
                file: "fw.bin".into(),
            },
        )
        .await;
        assert_eq!(
            end,
            JobUpdate::Installed {
                version: "9.9.9".into()
            }
        );
        std::fs::write(dir.join("CP1/bad.bin"), b"MZ not firmware").unwrap();
        let (_, end) = outcome(
            &t,
            JobKind::Install {
                file: "bad.bin".into(),
            },
        )
        .await;
        assert!(
            matches!(end, JobUpdate::Failed(ref why) if why.contains("not")),
            "{end:?}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn http_errors_and_refusals_are_reasons() {
        let dir = std::env::temp_dir().join(format!("evc-err-test-{}", std::process::id()));
        let port = serve(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        )
        .await;
        let t = transfers(&dir);
        let url = format!("http://127.0.0.1:{port}/none.bin");
        let (_, end) = outcome(
            &t,
            JobKind::Download {
                url,
                file: "none.bin".into(),
            },
        )
        .await;
        assert!(
            matches!(&end, JobUpdate::Failed(why) if why.contains("HTTP 404 Not Found")),
            "{end:?}"
        );
        assert!(!dir.join("CP1/none.bin").exists() && !dir.join("CP1/none.part").exists());
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let url = format!("http://127.0.0.1:{port}/x.bin");
        let (_, end) = outcome(
            &t,
            JobKind::Download {
                url,
                file: "x.bin".into(),
            },
        )
        .await;
        assert!(
            matches!(&end, JobUpdate::Failed(why) if why.contains("connection refused")),
            "{end:?}"
        );
        let url = format!("ftp://127.0.0.1:{port}/x.bin");
        let (_, end) = outcome(
            &t,
            JobKind::Download {
                url,
                file: "x.bin".into(),
            },
        )
        .await;
        assert!(
            matches!(&end, JobUpdate::Failed(why) if why.contains("connection refused")),
            "{end:?}"
        );
        let (_, end) = outcome(
            &t,
            JobKind::Download {
                url: "gopher://h/x".into(),
                file: "x.bin".into(),
            },
        )
        .await;
        assert!(
            matches!(&end, JobUpdate::Failed(why) if why.contains("not supported")),
            "{end:?}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn unknown_schemes_are_named() {
        assert_eq!(
            unsupported("gopher"),
            "the scheme gopher: is not supported (HTTP, HTTPS, FTP and FTPS are)"
        );
        assert!(parse("not a url").unwrap_err().contains("not a usable URL"));
    }
}
