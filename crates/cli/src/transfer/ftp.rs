//! FTP and FTPS transfers (explicit `AUTH TLS`), passive mode, binary.

use std::{path::Path, sync::Arc};

use reqwest::Url;
use suppaftp::{
    FtpError,
    tokio::{
        AsyncNoTlsStream, AsyncRustlsConnector, AsyncRustlsStream, ImplAsyncFtpStream,
        TokioTlsStream,
    },
    types::FileType,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{CONNECT_TIMEOUT, Reporter, STALL_TIMEOUT, describe, http::shown};

/// The reason of an FTP failure.
fn reason(what: &str, e: FtpError) -> String {
    match e {
        FtpError::UnexpectedResponse(r) => {
            let code = r.status.code().to_string();
            let text = r.as_string().unwrap_or_default();
            let text = text.trim();
            if text.starts_with(&code) {
                format!("{what}: the server answered {text}")
            } else {
                format!("{what}: the server answered {code} {text}")
            }
        }
        FtpError::ConnectionError(io) => describe(what, &io),
        FtpError::SecureError(tls) => format!("{what}: TLS error ({tls})"),
        other => format!("{what}: {other}"),
    }
}

/// The path of the URL, percent-decoded, without its leading `/`.
fn path_of(url: &Url) -> String {
    let raw = url.path().trim_start_matches('/');
    let bytes: Vec<u8> = percent_decode(raw.as_bytes());
    String::from_utf8_lossy(&bytes).into_owned()
}

fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let hex = |at: usize| raw.get(at).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// A connected session (not yet logged in), generic over plain and TLS control channels.
async fn connect<T: TokioTlsStream + Send + 'static>(
    url: &Url,
    what: &str,
) -> Result<(ImplAsyncFtpStream<T>, String), String> {
    let host = url
        .host_str()
        .ok_or_else(|| format!("{what}: the URL names no host"))?;
    let port = url.port().unwrap_or(21);
    let addr = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{what}: host not found ({e})"))?
        .next()
        .ok_or_else(|| format!("{what}: host not found (no address for {host})"))?;
    let ftp = ImplAsyncFtpStream::<T>::connect_timeout(addr, CONNECT_TIMEOUT)
        .await
        .map_err(|e| reason(what, e))?;
    Ok((ftp, host.to_owned()))
}

/// Logs in (the URL's user and password, else anonymous) and switches to binary.
async fn login<T: TokioTlsStream + Send + 'static>(
    ftp: &mut ImplAsyncFtpStream<T>,
    url: &Url,
    what: &str,
) -> Result<(), String> {
    let user = match url.username() {
        "" => String::from("anonymous"),
        u => String::from_utf8_lossy(&percent_decode(u.as_bytes())).into_owned(),
    };
    let password = url.password().map_or_else(
        || String::from("evc@"),
        |p| String::from_utf8_lossy(&percent_decode(p.as_bytes())).into_owned(),
    );
    ftp.login(user.as_str(), password.as_str())
        .await
        .map_err(|e| reason(&format!("{what} (login as {user})"), e))?;
    ftp.transfer_type(FileType::Binary)
        .await
        .map_err(|e| reason(what, e))
}

/// A plain session, logged in.
async fn plain(url: &Url, what: &str) -> Result<ImplAsyncFtpStream<AsyncNoTlsStream>, String> {
    let (mut ftp, _) = connect::<AsyncNoTlsStream>(url, what).await?;
    login(&mut ftp, url, what).await?;
    Ok(ftp)
}

/// An FTPS session (explicit `AUTH TLS`, data channel protected), logged in.
async fn secure(
    url: &Url,
    what: &str,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<ImplAsyncFtpStream<AsyncRustlsStream>, String> {
    let (ftp, host) = connect::<AsyncRustlsStream>(url, what).await?;
    let connector = AsyncRustlsConnector::from(tokio_rustls::TlsConnector::from(Arc::clone(tls)));
    let mut ftp = ftp
        .into_secure(connector, &host)
        .await
        .map_err(|e| reason(what, e))?;
    login(&mut ftp, url, what).await?;
    Ok(ftp)
}

/// RETR of the URL's path into `part`.
pub(super) async fn download(
    url: &Url,
    tls: &Arc<rustls::ClientConfig>,
    part: &Path,
    report: &mut Reporter,
) -> Result<(), String> {
    let what = format!("RETR {}", shown(url));
    if url.scheme() == "ftps" {
        let ftp = secure(url, &what, tls).await?;
        retr(ftp, url, &what, part, report).await
    } else {
        let ftp = plain(url, &what).await?;
        retr(ftp, url, &what, part, report).await
    }
}

async fn retr<T: TokioTlsStream + Send + 'static>(
    mut ftp: ImplAsyncFtpStream<T>,
    url: &Url,
    what: &str,
    part: &Path,
    report: &mut Reporter,
) -> Result<(), String> {
    let path = path_of(url);
    let total = ftp.size(&path).await.ok().map(|n| n as u64);
    let mut stream = ftp
        .retr_as_stream(&path)
        .await
        .map_err(|e| reason(what, e))?;
    let mut file = tokio::fs::File::create(part)
        .await
        .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
    let mut buf = vec![0u8; 16 * 1024];
    let mut done = 0u64;
    loop {
        let n = tokio::time::timeout(STALL_TIMEOUT, stream.read(&mut buf))
            .await
            .map_err(|_| {
                format!(
                    "{what}: timed out (no data for {} s)",
                    STALL_TIMEOUT.as_secs()
                )
            })?
            .map_err(|e| describe(what, &e))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        file.write_all(chunk)
            .await
            .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        done += n as u64;
        report.progress(done, total);
    }
    stream.finish().await.map_err(|e| reason(what, e))?;
    let _ = ftp.quit().await;
    if let Some(total) = total
        && done < total
    {
        return Err(format!(
            "{what}: the transfer ended after {done} of {total} bytes"
        ));
    }
    file.sync_all()
        .await
        .map_err(|e| format!("cannot write {}: {e}", part.display()))
}

/// STOR of the file at `path` into the URL's folder under `name` (or under the URL's
/// own name when its path is not a folder).
pub(super) async fn upload(
    url: &Url,
    tls: &Arc<rustls::ClientConfig>,
    path: &Path,
    name: &str,
    report: &mut Reporter,
) -> Result<(), String> {
    let what = format!("STOR {}", shown(url));
    if url.scheme() == "ftps" {
        let ftp = secure(url, &what, tls).await?;
        stor(ftp, url, &what, path, name, report).await
    } else {
        let ftp = plain(url, &what).await?;
        stor(ftp, url, &what, path, name, report).await
    }
}

async fn stor<T: TokioTlsStream + Send + 'static>(
    mut ftp: ImplAsyncFtpStream<T>,
    url: &Url,
    what: &str,
    path: &Path,
    name: &str,
    report: &mut Reporter,
) -> Result<(), String> {
    let target = path_of(url);
    let mut remote = String::from(name);
    if !target.is_empty() && ftp.cwd(&target).await.is_err() {
        // Not a folder: the URL names the file itself, in its parent folder.
        let (folder, file) = target.rsplit_once('/').unwrap_or(("", target.as_str()));
        if !folder.is_empty() {
            ftp.cwd(folder).await.map_err(|e| reason(what, e))?;
        }
        remote = file.to_owned();
    }
    let mut source = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut stream = ftp
        .put_with_stream(&remote)
        .await
        .map_err(|e| reason(what, e))?;
    let mut buf = vec![0u8; 16 * 1024];
    let mut done = 0u64;
    loop {
        let n = source
            .read(&mut buf)
            .await
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        tokio::time::timeout(STALL_TIMEOUT, stream.write_all(chunk))
            .await
            .map_err(|_| {
                format!(
                    "{what}: timed out (no progress for {} s)",
                    STALL_TIMEOUT.as_secs()
                )
            })?
            .map_err(|e| describe(what, &e))?;
        done += n as u64;
        report.progress(done, None);
    }
    stream.finish().await.map_err(|e| reason(what, e))?;
    let _ = ftp.quit().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    #[test]
    fn paths_are_decoded() {
        let url = Url::parse("ftp://u:p%40ss@host/dir%20a/fw.bin").unwrap();
        assert_eq!(path_of(&url), "dir a/fw.bin");
        assert_eq!(percent_decode(b"p%40ss"), b"p@ss");
        assert_eq!(percent_decode(b"100%"), b"100%");
    }
}
