//! wss:// with a private CA: security profile 2 (Basic auth over TLS) and 3 (a TLS client
//! certificate), against a TLS WebSocket server started here with test certificates.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::result_large_err,
    clippy::cast_possible_truncation,
    reason = "test code: a failure is a panic; tungstenite's callback type"
)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, mpsc},
};

use futures_util::{SinkExt, StreamExt};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        self, RootCertStore, ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
        server::WebPkiClientVerifier,
    },
};
use tokio_tungstenite::tungstenite::{
    Message,
    handshake::server::{Request, Response},
    http::HeaderValue,
};

const KEY: &str = "0123456789abcdef0123456789abcdef";

struct Pki {
    dir: PathBuf,
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

impl Pki {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("evc-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        write(&dir, "ca.pem", &ca.pem());
        for (who, names) in [
            ("server", vec![String::from("localhost")]),
            ("client", vec![String::from("TLS0")]),
        ] {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(names)
                .unwrap()
                .signed_by(&key, &ca)
                .unwrap();
            write(&dir, &format!("{who}.pem"), &cert.pem());
            write(&dir, &format!("{who}.key"), &key.serialize_pem());
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// What the server saw of the first connection.
#[derive(Debug)]
struct Seen {
    authorization: Option<String>,
    client_certificate: bool,
    first_frame: String,
}

/// A wss server on localhost; `require_client_cert` for profile 3.
fn server(pki: &Pki, require_client_cert: bool) -> (u16, mpsc::Receiver<Seen>) {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(pki.path("server.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(pki.path("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let config = if require_client_cert {
        let mut roots = RootCertStore::empty();
        for c in CertificateDer::pem_file_iter(pki.path("ca.pem")).unwrap() {
            roots.add(c.unwrap()).unwrap();
        }
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .unwrap();
        builder
            .with_client_cert_verifier(verifier)
            .with_single_cert(certs, key)
            .unwrap()
    } else {
        builder
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap()
    };
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((tcp, _)) = listener.accept().await else { return };
                let Ok(tls) = acceptor.accept(tcp).await else { continue };
                let client_certificate = tls.get_ref().1.peer_certificates().is_some();
                let mut authorization = None;
                let agree = |req: &Request, mut resp: Response| {
                    authorization = req
                        .headers()
                        .get("Authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(String::from);
                    resp.headers_mut()
                        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("ocpp1.6"));
                    Ok(resp)
                };
                let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tls, agree).await else { continue };
                let Some(Ok(Message::Text(first))) = ws.next().await else { continue };
                let id = first.as_str().split('"').nth(1).unwrap_or("1").to_owned();
                let answer = format!(
                    r#"[3,"{id}",{{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}}]"#
                );
                let _ = ws.send(Message::Text(answer.into())).await;
                let _ = tx.send(Seen { authorization, client_certificate, first_frame: first.as_str().to_owned() });
                while let Some(Ok(_)) = ws.next().await {}
            }
        });
    });
    (port, rx)
}

fn evc(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_evc"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn profile_2_sends_basic_auth_over_tls_trusting_the_given_ca() {
    let pki = Pki::new("p2");
    let (port, seen) = server(&pki, false);
    let url = format!("wss://localhost:{port}/");
    let ca = pki.path("ca.pem");
    let (code, err) = evc(&[
        "run",
        &url,
        "--id",
        "TLS0",
        "--ca",
        &ca.to_string_lossy(),
        "--auth-key",
        KEY,
        "--security-profile",
        "2",
        "--duration",
        "2s",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let seen = seen
        .recv_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    let expected = format!("Basic {}", base64_of(&format!("TLS0:{KEY}")));
    assert_eq!(seen.authorization.as_deref(), Some(expected.as_str()));
    assert!(
        seen.first_frame.contains("\"BootNotification\""),
        "{}",
        seen.first_frame
    );
    assert!(!err.contains(KEY), "the key must not be logged");
}

#[test]
fn profile_3_presents_the_client_certificate_and_no_password() {
    let pki = Pki::new("p3");
    let (port, seen) = server(&pki, true);
    let url = format!("wss://localhost:{port}/");
    let (code, err) = evc(&[
        "run",
        &url,
        "--id",
        "TLS0",
        "--ca",
        &pki.path("ca.pem").to_string_lossy(),
        "--security-profile",
        "3",
        "--cert",
        &pki.path("client.pem").to_string_lossy(),
        "--key",
        &pki.path("client.key").to_string_lossy(),
        "--duration",
        "2s",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let seen = seen
        .recv_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    assert!(seen.client_certificate);
    assert_eq!(seen.authorization, None);
}

#[test]
fn an_unknown_ca_is_a_clear_tls_error() {
    let pki = Pki::new("unknown");
    let (port, _seen) = server(&pki, false);
    let (code, err) = evc(&["run", &format!("wss://localhost:{port}/"), "--id", "TLS0"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("TLS handshake failed") && err.contains("UnknownIssuer"),
        "{err}"
    );
    let (code, err) = evc(&[
        "run",
        &format!("wss://localhost:{port}/"),
        "--ca",
        "/nonexistent.pem",
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--ca /nonexistent.pem"), "{err}");
}

fn base64_of(text: &str) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
