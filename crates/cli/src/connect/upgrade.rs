//! The client's half of the WebSocket opening handshake (RFC 6455 §4), written here
//! rather than taken from tungstenite's client: its handshake hands the connection a
//! 4 KiB read buffer that stays for the connection's life, and a fleet holds 10,000
//! connections. Here the request is one write, the answer is read into a small buffer,
//! and the socket starts with the codec's own (small) buffer.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
};

use base64::Engine as _;
use sha1::{Digest as _, Sha1};
use tokio::{
    io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf},
    net::TcpStream,
};

/// The longest answer head (status line and headers) read before giving up.
const MAX_HEAD: usize = 8 * 1024;
/// The most of a refusal's body kept to quote.
const MAX_BODY: usize = 2 * 1024;

/// The connection under the WebSocket: plain TCP, or TLS (boxed: rustls' state is 1 KB
/// that a plain connection need not carry).
#[derive(Debug)]
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// Why a handshake did not end in an open WebSocket.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// The connection failed (reset, closed early, TLS alert on the way).
    Io(io::Error),
    /// The CSMS answered with another HTTP status than 101.
    Status {
        code: u16,
        reason: String,
        body: String,
    },
    /// The CSMS agreed to another subprotocol than ocpp1.6, or to none.
    Subprotocol,
    /// The answer is not a valid WebSocket upgrade (the words say what is wrong).
    NotWebSocket(&'static str),
}

impl From<io::Error> for Refusal {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// Where the handshake goes: the request's `Host` and path.
pub(crate) struct Target<'a> {
    /// `host[:port]` as in the URL.
    pub(crate) host: &'a str,
    /// The path and query (at least `/`).
    pub(crate) path: &'a str,
    /// `Authorization: Basic …` when given.
    pub(crate) basic: Option<(&'a str, &'a str)>,
}

/// A fresh `Sec-WebSocket-Key` (16 random bytes, base64).
fn new_key() -> String {
    let mut nonce = [0u8; 16];
    // Without the OS's randomness the nonce is still unique enough per connection.
    if getrandom::getrandom(&mut nonce).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        nonce = t.to_le_bytes();
    }
    base64::engine::general_purpose::STANDARD.encode(nonce)
}

/// The `Sec-WebSocket-Accept` a server must answer to `key`.
pub(crate) fn accept_for(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// The upgrade request, in one buffer.
fn request(target: &Target<'_>, key: &str) -> String {
    let mut r = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\
         Sec-WebSocket-Protocol: ocpp1.6\r\n",
        target.path, target.host
    );
    if let Some((user, password)) = target.basic {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        r.push_str("Authorization: Basic ");
        r.push_str(&token);
        r.push_str("\r\n");
    }
    r.push_str("\r\n");
    r
}

/// Sends the upgrade request on `stream` and reads the answer; on 101 with the right
/// accept key and subprotocol, returns the bytes that came after the answer's head
/// (frames the CSMS sent at once).
pub(crate) async fn handshake(
    stream: &mut Stream,
    target: &Target<'_>,
) -> Result<Vec<u8>, Refusal> {
    let key = new_key();
    stream.write_all(request(target, &key).as_bytes()).await?;
    stream.flush().await?;
    let mut buf = Vec::with_capacity(512);
    let head_len = loop {
        if let Some(end) = find_head_end(&buf) {
            break end;
        }
        if buf.len() >= MAX_HEAD {
            return Err(Refusal::NotWebSocket(
                "its head is longer than 8 KiB without an end",
            ));
        }
        if buf.capacity() == buf.len() {
            buf.reserve(512);
        }
        if stream.read_buf(&mut buf).await? == 0 {
            return Err(Refusal::Io(io::ErrorKind::UnexpectedEof.into()));
        }
    };
    let answer = parse(buf.get(..head_len).unwrap_or_default(), &key)?;
    let rest = buf.get(head_len..).unwrap_or_default().to_vec();
    match answer {
        Answer::Upgraded => Ok(rest),
        Answer::Refused {
            code,
            reason,
            content_length,
        } => {
            let body = read_body(stream, rest, content_length).await;
            Err(Refusal::Status { code, reason, body })
        }
    }
}

/// What the head of the answer says.
enum Answer {
    Upgraded,
    Refused {
        code: u16,
        reason: String,
        content_length: Option<usize>,
    },
}

/// The end of the head (after `\r\n\r\n`), when it has arrived.
fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Reads the answer's head.
fn parse(head: &[u8], key: &str) -> Result<Answer, Refusal> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(_) => {
            return Err(Refusal::NotWebSocket("its head is not valid HTTP/1.1"));
        }
    }
    let code = response.code.unwrap_or(0);
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    if code != 101 {
        return Ok(Answer::Refused {
            code,
            reason: response.reason.unwrap_or("").to_owned(),
            content_length: header("Content-Length").and_then(|v| v.parse().ok()),
        });
    }
    if !header("Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket")) {
        return Err(Refusal::NotWebSocket("101 without \"Upgrade: websocket\""));
    }
    let upgrade_token = header("Connection").is_some_and(|v| {
        v.split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
    });
    if !upgrade_token {
        return Err(Refusal::NotWebSocket("101 without \"Connection: Upgrade\""));
    }
    if header("Sec-WebSocket-Accept").as_deref() != Some(accept_for(key).as_str()) {
        return Err(Refusal::NotWebSocket(
            "its Sec-WebSocket-Accept does not match the request's key",
        ));
    }
    if header("Sec-WebSocket-Protocol").as_deref() != Some("ocpp1.6") {
        return Err(Refusal::Subprotocol);
    }
    Ok(Answer::Upgraded)
}

/// A refusal's body as far as it is worth quoting: what came with the head, and the
/// rest of a Content-Length body (the overall handshake timeout bounds the wait).
async fn read_body(stream: &mut Stream, mut body: Vec<u8>, length: Option<usize>) -> String {
    let want = length.unwrap_or(0).min(MAX_BODY);
    while body.len() < want {
        body.reserve(want - body.len());
        match stream.read_buf(&mut body).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
    body.truncate(MAX_BODY);
    String::from_utf8_lossy(&body).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;

    #[test]
    fn the_accept_key_is_the_rfc_example() {
        // RFC 6455 §1.3.
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn the_request_names_the_subprotocol_and_the_credentials() {
        let target = Target {
            host: "127.0.0.1:9000",
            path: "/ocpp/CP1",
            basic: Some(("CP1", "secret")),
        };
        let r = request(&target, "k");
        assert!(r.starts_with("GET /ocpp/CP1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"));
        assert!(r.contains("Sec-WebSocket-Protocol: ocpp1.6\r\n"));
        assert!(r.contains("Authorization: Basic Q1AxOnNlY3JldA==\r\n"));
        assert!(r.ends_with("\r\n\r\n"));
    }

    fn head(extra: &str, key: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n{extra}\r\n",
            accept_for(key)
        )
        .into_bytes()
    }

    #[test]
    fn answers_are_judged() {
        let ok = head("Sec-WebSocket-Protocol: ocpp1.6\r\n", "k");
        assert!(matches!(parse(&ok, "k"), Ok(Answer::Upgraded)));
        assert!(matches!(parse(&ok, "other"), Err(Refusal::NotWebSocket(_))));
        let none = head("", "k");
        assert!(matches!(parse(&none, "k"), Err(Refusal::Subprotocol)));
        let wrong = head("Sec-WebSocket-Protocol: ocpp2.0.1\r\n", "k");
        assert!(matches!(parse(&wrong, "k"), Err(Refusal::Subprotocol)));
        let refused = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 3\r\n\r\n";
        match parse(refused, "k") {
            Ok(Answer::Refused {
                code,
                reason,
                content_length,
            }) => {
                assert_eq!(
                    (code, reason.as_str(), content_length),
                    (401, "Unauthorized", Some(3))
                );
            }
            _ => panic!("a refusal"),
        }
        assert!(matches!(
            parse(b"garbage\r\n\r\n", "k"),
            Err(Refusal::NotWebSocket(_))
        ));
        assert_eq!(find_head_end(b"HTTP/1.1 101 X\r\n\r\n[2,"), Some(18));
        assert_eq!(find_head_end(b"HTTP/1.1 101 X\r\n"), None);
    }
}
