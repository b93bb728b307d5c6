//! Opening the WebSocket: the handshake request (subprotocol `ocpp1.6`, Basic auth),
//! TLS (rustls: public roots plus a custom CA, a client certificate for profile 3) and
//! errors a person can act on.

mod upgrade;

use std::{path::Path, sync::Arc, time::Duration};

use tokio::net::TcpStream;
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{self, http::Uri, protocol::WebSocketConfig},
};
pub(crate) use upgrade::Stream;

/// A connected socket, boxed so that a box without a connection does not carry it.
pub(crate) type Socket = Box<WebSocketStream<Stream>>;

/// How long a handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Small buffers: OCPP frames are small and a fleet holds thousands of sockets.
pub(crate) fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(512)
        .write_buffer_size(0)
        .max_message_size(Some(1 << 20))
        .max_frame_size(Some(1 << 20))
}

/// TLS settings shared by the fleet, and what they were made of, so that a box's own
/// certificates (an installed CentralSystemRootCertificate, a client certificate it got
/// through CertificateSigned) can be added for its connections.
#[derive(Debug, Clone)]
pub(crate) struct Tls(Option<(Arc<rustls::ClientConfig>, Arc<Base>)>);

/// The roots (public ones and `--ca`) and the `--cert`/`--key` identity.
#[derive(Debug)]
pub(crate) struct Base {
    roots: rustls::RootCertStore,
    client: Option<(
        Vec<rustls_pki_types::CertificateDer<'static>>,
        rustls_pki_types::PrivateKeyDer<'static>,
    )>,
}

impl Tls {
    /// No TLS (ws://).
    pub(crate) const fn none() -> Self {
        Self(None)
    }

    /// The rustls settings (none for ws://).
    pub(crate) fn config(&self) -> Option<Arc<rustls::ClientConfig>> {
        self.0.as_ref().map(|(config, _)| config.clone())
    }

    /// Public roots plus `ca`, and a client certificate when given.
    pub(crate) fn new(ca: Option<&Path>, client: Option<(&Path, &Path)>) -> Result<Self, String> {
        use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(ca) = ca {
            let certs = CertificateDer::pem_file_iter(ca)
                .map_err(|e| format!("--ca {}: {e}", ca.display()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("--ca {}: {e}", ca.display()))?;
            if certs.is_empty() {
                return Err(format!("--ca {}: no certificate in the file", ca.display()));
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| format!("--ca {}: {e}", ca.display()))?;
            }
        }
        let client = match client {
            None => None,
            Some((cert, key)) => {
                let chain = CertificateDer::pem_file_iter(cert)
                    .map_err(|e| format!("--cert {}: {e}", cert.display()))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("--cert {}: {e}", cert.display()))?;
                if chain.is_empty() {
                    return Err(format!(
                        "--cert {}: no certificate in the file",
                        cert.display()
                    ));
                }
                let key = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| format!("--key {}: {e}", key.display()))?;
                Some((chain, key))
            }
        };
        let base = Base { roots, client };
        let config = build(&base.roots, base.client.as_ref(), "--cert/--key")?;
        Ok(Self(Some((config, Arc::new(base)))))
    }

    /// These settings with a box's own certificates: `extra_roots` (PEM) trusted
    /// besides the fleet's roots, and `identity` presented instead of `--cert` (at
    /// security profile 3). The same settings when there is nothing to add, or no TLS.
    pub(crate) fn for_box(
        &self,
        extra_roots: &[String],
        identity: Option<&chargepoint::ClientIdentity>,
    ) -> Result<Self, String> {
        use rustls_pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
        let Some((_, base)) = &self.0 else {
            return Ok(self.clone());
        };
        if extra_roots.is_empty() && identity.is_none() {
            return Ok(self.clone());
        }
        let mut roots = base.roots.clone();
        for pem in extra_roots {
            let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("the installed CentralSystemRootCertificate: {e}"))?;
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| format!("the installed CentralSystemRootCertificate: {e}"))?;
            }
        }
        let own;
        let client = match identity {
            None => base.client.as_ref(),
            Some(id) => {
                let what = "the box's own certificate (CertificateSigned)";
                let chain = CertificateDer::pem_slice_iter(id.certificate_chain_pem.as_bytes())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("{what}: {e}"))?;
                // The key's PEM is never put into an error: only what went wrong.
                let key = PrivateKeyDer::from_pem_slice(id.private_key_pem.as_bytes())
                    .map_err(|_| format!("{what}: its private key cannot be read"))?;
                own = (chain, key);
                Some(&own)
            }
        };
        let config = build(&roots, client, "the box's client certificate")?;
        Ok(Self(Some((config, base.clone()))))
    }
}

/// One rustls client configuration (ring provider, safe protocol versions).
fn build(
    roots: &rustls::RootCertStore,
    client: Option<&(
        Vec<rustls_pki_types::CertificateDer<'static>>,
        rustls_pki_types::PrivateKeyDer<'static>,
    )>,
    what: &str,
) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots.clone());
    let config = match client {
        None => builder.with_no_client_auth(),
        Some((chain, key)) => builder
            .with_client_auth_cert(chain.clone(), key.clone_key())
            .map_err(|e| format!("{what}: {e}"))?,
    };
    Ok(Arc::new(config))
}

/// Opens the socket to `url` (the CSMS URL + id), Basic auth when `basic` is given.
pub(crate) async fn open(
    url: &str,
    basic: Option<(&str, &str)>,
    tls: &Tls,
) -> Result<Socket, String> {
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, attempt(url, basic, tls)).await {
        Err(_) => Err(format!(
            "{url}: no answer to the WebSocket handshake within {} s",
            HANDSHAKE_TIMEOUT.as_secs()
        )),
        Ok(result) => result,
    }
}

/// TCP, TLS for wss://, the upgrade; each failure in words.
async fn attempt(url: &str, basic: Option<(&str, &str)>, tls: &Tls) -> Result<Socket, String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad URL {url}: {e}"))?;
    let secure = match uri.scheme_str() {
        Some("ws") => false,
        Some("wss") => true,
        _ => return Err(format!("bad URL {url}: the scheme must be ws:// or wss://")),
    };
    let (Some(authority), Some(host)) = (uri.authority(), uri.host()) else {
        return Err(format!("bad URL {url}: no host"));
    };
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let tcp = TcpStream::connect((bare_host, port))
        .await
        .map_err(|e| explain_io(url, &e, Stage::Connect))?;
    tcp.set_nodelay(true)
        .map_err(|e| explain_io(url, &e, Stage::Connect))?;
    let mut stream = if secure {
        let config = tls
            .config()
            .ok_or_else(|| format!("{url}: wss:// without TLS settings"))?;
        let name = rustls_pki_types::ServerName::try_from(bare_host.to_owned())
            .map_err(|e| format!("bad URL {url}: {e}"))?;
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(|e| explain_io(url, &e, Stage::Tls))?;
        Stream::Tls(Box::new(tls))
    } else {
        Stream::Plain(tcp)
    };
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    // The Host header without any user info of the URL.
    let host_header = authority
        .as_str()
        .rsplit_once('@')
        .map_or(authority.as_str(), |(_, h)| h);
    let target = upgrade::Target {
        host: host_header,
        path,
        basic,
    };
    let rest = upgrade::handshake(&mut stream, &target)
        .await
        .map_err(|e| explain(url, secure, e))?;
    let role = tungstenite::protocol::Role::Client;
    let ws = if rest.is_empty() {
        WebSocketStream::from_raw_socket(stream, role, Some(ws_config())).await
    } else {
        WebSocketStream::from_partially_read(stream, rest, role, Some(ws_config())).await
    };
    Ok(Box::new(ws))
}

/// Where an I/O error happened.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Connect,
    Tls,
    Upgrade,
}

/// A handshake failure in words a person can act on: what happened, and a hint only
/// where the cause is clear (a refusal quotes what the CSMS said with it).
fn explain(url: &str, secure: bool, e: upgrade::Refusal) -> String {
    use upgrade::Refusal as R;
    match e {
        R::Status { code, reason, body } => {
            let said = Some(body.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|b| !b.is_empty())
                .map(|b| b.chars().take(200).collect::<String>());
            let timed_out = matches!(code, 408 | 504)
                || said.as_deref().is_some_and(|b| {
                    let b = b.to_ascii_lowercase();
                    b.contains("timeout") || b.contains("timed out")
                });
            let hint = if timed_out {
                " (the CSMS gave up waiting for the handshake: a slow link or an overloaded CSMS, not the credentials)"
            } else {
                match code {
                    401 => " (check the charge point id and --auth-key / AuthorizationKey)",
                    403 if said.is_none() => " (the CSMS does not let this charge point in)",
                    404 => " (check the URL's path and the charge point id)",
                    _ => "",
                }
            };
            let said = said.map_or_else(String::new, |b| format!(": \"{b}\""));
            format!(
                "{url}: the CSMS refused the WebSocket handshake: HTTP {code} {reason}{said}{hint}"
            )
        }
        R::Subprotocol => format!(
            "{url}: the CSMS did not agree to WebSocket subprotocol ocpp1.6 (is it an OCPP 1.6-J endpoint?)"
        ),
        R::NotWebSocket(what) => {
            format!(
                "{url}: the answer to the WebSocket handshake is not a WebSocket upgrade: {what}"
            )
        }
        R::Io(io) => explain_io(url, &io, if secure { Stage::Tls } else { Stage::Upgrade }),
    }
}

/// An I/O failure on the way to an open WebSocket.
fn explain_io(url: &str, io: &std::io::Error, stage: Stage) -> String {
    use std::io::ErrorKind as K;
    if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) {
        let hint = if io.to_string().contains("UnknownIssuer") {
            " (a CSMS certificate from a private CA needs --ca)"
        } else {
            ""
        };
        return format!("{url}: TLS handshake failed: {io}{hint}");
    }
    if stage == Stage::Tls && url.starts_with("wss://") && io.to_string().contains("close_notify") {
        return format!(
            "{url}: the CSMS closed the TLS connection during the handshake ({io}); if it requires a client certificate (security profile 3), give --cert and --key"
        );
    }
    match io.kind() {
        K::ConnectionRefused => format!(
            "{url}: connection refused: the CSMS is unreachable (is it running, is the port right?)"
        ),
        K::ConnectionReset | K::ConnectionAborted => format!(
            "{url}: the connection was reset during the WebSocket handshake (by the CSMS or something on the way): {io}"
        ),
        K::UnexpectedEof => format!(
            "{url}: the CSMS closed the connection during the WebSocket handshake, before answering it (did it time the handshake out?)"
        ),
        K::TimedOut => format!("{url}: no answer from the CSMS's host: {io}"),
        K::HostUnreachable | K::NetworkUnreachable => {
            format!("{url}: the CSMS is unreachable: {io}")
        }
        _ if io.to_string().contains("failed to lookup") => {
            format!("{url}: the host name could not be resolved ({io})")
        }
        _ => format!("{url}: the WebSocket handshake failed: {io}"),
    }
}
