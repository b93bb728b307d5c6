//! HTTP and HTTPS transfers: a streamed GET, a multipart POST.

use std::path::Path;

use reqwest::{Client, Url};
use tokio::io::AsyncWriteExt;

use super::{Reporter, describe};

/// The URL without its password, for messages.
pub(super) fn shown(url: &Url) -> String {
    let mut url = url.clone();
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    url.to_string()
}

/// GET `url` into `part`, chunk by chunk.
pub(super) async fn download(
    client: &Client,
    url: &Url,
    part: &Path,
    report: &mut Reporter,
) -> Result<(), String> {
    let what = format!("GET {}", shown(url));
    let mut response = client
        .get(url.clone())
        .send()
        .await
        .map_err(|e| describe(&what, &e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{what}: the server answered HTTP {status}"));
    }
    let total = response.content_length();
    let mut file = tokio::fs::File::create(part)
        .await
        .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
    let mut done = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(|e| describe(&what, &e))? {
        file.write_all(&chunk)
            .await
            .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        done += chunk.len() as u64;
        report.progress(done, total);
    }
    if let Some(total) = total
        && done < total
    {
        return Err(format!(
            "{what}: the connection ended after {done} of {total} bytes"
        ));
    }
    file.sync_all()
        .await
        .map_err(|e| format!("cannot write {}: {e}", part.display()))?;
    Ok(())
}

/// POSTs the file at `path` to `url` as `multipart/form-data`, one part `file` named `name`.
pub(super) async fn upload(
    client: &Client,
    url: &Url,
    path: &Path,
    name: &str,
    report: &mut Reporter,
) -> Result<(), String> {
    use reqwest::multipart::{Form, Part};
    let what = format!("POST {}", shown(url));
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let length = file
        .metadata()
        .await
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    let part = Part::stream_with_length(reqwest::Body::from(file), length)
        .file_name(name.to_owned())
        .mime_str("text/plain")
        .map_err(|e| describe(&what, &e))?;
    let response = client
        .post(url.clone())
        .multipart(Form::new().part("file", part))
        .send()
        .await
        .map_err(|e| describe(&what, &e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{what}: the server answered HTTP {status}"));
    }
    report.progress(length, Some(length));
    Ok(())
}
