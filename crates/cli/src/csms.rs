//! `evc csms`: a loopback CSMS that answers every CALL at once with a schema-valid
//! answer (boots Accepted, every card Accepted, transactions numbered), for fleet load
//! tests and quick demos. Its only CALL of its own, with `--update-firmware URL`, is one
//! UpdateFirmware to every charge point after its first boot, so that a fleet updating
//! at once from one file server can be watched (the statuses are counted).

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, AtomicU64, Ordering::Relaxed},
    },
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use ocpp16::{Frame, frame};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::{
    Message,
    handshake::server::{ErrorResponse, Request, Response},
    http::{HeaderValue, StatusCode},
};
use tracing::{error, info, warn};

use crate::args::CsmsArgs;

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicI64,
    calls: AtomicU64,
    transactions: AtomicI64,
    /// Charge points sent an UpdateFirmware, and what became of it.
    updates_sent: AtomicU64,
    installed: AtomicU64,
    update_failed: AtomicU64,
    updated: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Counters {
    /// Counts a FirmwareStatusNotification's final statuses.
    fn firmware_status(&self, payload: &str) {
        let status = serde_json::from_str::<Value>(payload)
            .ok()
            .and_then(|v| v.get("status").and_then(Value::as_str).map(String::from));
        match status.as_deref() {
            Some("Installed") => self.installed.fetch_add(1, Relaxed),
            Some("DownloadFailed" | "InstallationFailed") => {
                self.update_failed.fetch_add(1, Relaxed)
            }
            _ => 0,
        };
    }

    /// Whether `id` is still to be sent its UpdateFirmware (true once per id).
    fn first_update(&self, id: &str) -> bool {
        self.updated
            .lock()
            .map(|mut ids| ids.insert(id.to_owned()))
            .unwrap_or(false)
    }
}

fn now_text() -> String {
    crate::sys::wall_clock().to_rfc3339()
}

/// The answer payload to a charge point's CALL.
fn answer(action: &str, interval: i32, counters: &Counters) -> Value {
    let accepted = json!({ "status": "Accepted" });
    match action {
        "BootNotification" => {
            json!({ "currentTime": now_text(), "interval": interval, "status": "Accepted" })
        }
        "Heartbeat" => json!({ "currentTime": now_text() }),
        "Authorize" => json!({ "idTagInfo": accepted }),
        "StartTransaction" => {
            let id = counters.transactions.fetch_add(1, Relaxed) + 1;
            let id = i32::try_from(id % i64::from(i32::MAX)).unwrap_or(1);
            json!({ "idTagInfo": accepted, "transactionId": id })
        }
        "StopTransaction" => json!({ "idTagInfo": accepted }),
        "DataTransfer" => json!({ "status": "UnknownVendorId" }),
        "SignCertificate" => accepted,
        _ => json!({}),
    }
}

/// Accepts only clients offering `ocpp1.6`, and agrees to it.
#[allow(clippy::result_large_err, reason = "tungstenite's callback signature")]
fn agree(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    let offered = request
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == "ocpp1.6");
    if !offered {
        let mut refusal = ErrorResponse::new(Some(String::from("subprotocol ocpp1.6 required")));
        *refusal.status_mut() = StatusCode::BAD_REQUEST;
        return Err(refusal);
    }
    response.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("ocpp1.6"),
    );
    Ok(response)
}

/// How the loopback CSMS answers, for every connection.
#[derive(Debug)]
struct Plan {
    interval: i32,
    /// `--update-firmware`.
    firmware: Option<String>,
}

async fn serve(stream: TcpStream, plan: Arc<Plan>, counters: Arc<Counters>) {
    let _ = stream.set_nodelay(true);
    let config = crate::connect::ws_config();
    let mut id = String::new();
    #[allow(clippy::result_large_err, reason = "tungstenite's callback signature")]
    let callback = |request: &Request, response: Response| {
        id = request
            .uri()
            .path()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_owned();
        agree(request, response)
    };
    let Ok(mut ws) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config)).await
    else {
        return;
    };
    let interval = plan.interval;
    counters.connections.fetch_add(1, Relaxed);
    while let Some(Ok(msg)) = ws.next().await {
        let Message::Text(text) = msg else { continue };
        let reply = match frame::parse(text.as_str()) {
            Ok(Frame::Call(call)) => {
                counters.calls.fetch_add(1, Relaxed);
                let payload = answer(&call.action, interval, &counters);
                if call.action == "FirmwareStatusNotification" {
                    counters.firmware_status(&call.payload);
                }
                let reply = frame::encode_raw_call_result(&call.id, &payload);
                if call.action == "BootNotification"
                    && let Some(url) = &plan.firmware
                    && counters.first_update(&id)
                {
                    if ws.send(Message::Text(reply.into())).await.is_err() {
                        break;
                    }
                    counters.updates_sent.fetch_add(1, Relaxed);
                    let request = json!({ "location": url, "retrieveDate": now_text() });
                    Some(format!("[2,\"fw-{id}\",\"UpdateFirmware\",{request}]"))
                } else {
                    Some(reply)
                }
            }
            Ok(_) | Err(frame::FrameError::UnknownMessageType(_)) => None,
            Err(e) => e.reply(),
        };
        if let Some(reply) = reply
            && ws.send(Message::Text(reply.into())).await.is_err()
        {
            break;
        }
    }
    counters.connections.fetch_sub(1, Relaxed);
}

/// Connections waiting to be accepted (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 65_535;

/// The listener, with a backlog for a fleet connecting at once: tokio's default of
/// 1,024 overflowed when 10,000 charge points connected together, and each dropped
/// connection attempt came again only after the kernel's 1 s SYN retry (the connect
/// rate fell from about 13,000 to 4,000/s whenever the CSMS was a moment late).
async fn listen(addr: &str) -> std::io::Result<TcpListener> {
    let mut last = None;
    for at in tokio::net::lookup_host(addr).await? {
        let socket = if at.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket.bind(at).and_then(|()| socket.listen(BACKLOG)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the name resolves to no address",
        )
    }))
}

/// Runs `evc csms` until Ctrl-C; returns the exit code.
pub(crate) async fn run(args: CsmsArgs) -> u8 {
    crate::sys::raise_fd_limit();
    let listener = match listen(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            error!("cannot listen on {}: {e}", args.listen);
            return crate::fleet::EXIT_BAD_INPUT;
        }
    };
    let addr = listener
        .local_addr()
        .map_or_else(|_| args.listen.clone(), |a| a.to_string());
    info!("loopback CSMS on ws://{addr}/ (answers every CALL at once)");
    println!("ws://{addr}/");
    let counters = Arc::new(Counters::default());
    let plan = Arc::new(Plan {
        interval: args.interval,
        firmware: args.update_firmware.clone(),
    });
    let every = Duration::from_secs(args.stats_every.max(1));
    let mut stats = tokio::time::interval(every);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            _ = &mut ctrl_c => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => { tokio::spawn(serve(stream, plan.clone(), counters.clone())); }
                Err(e) => {
                    warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = stats.tick(), if args.stats_every > 0 => {
                info!(
                    "{} connected, {} CALLs answered, {} transactions",
                    counters.connections.load(Relaxed),
                    counters.calls.load(Relaxed),
                    counters.transactions.load(Relaxed)
                );
                if plan.firmware.is_some() {
                    info!(
                        "firmware: {} updates sent, {} installed, {} failed",
                        counters.updates_sent.load(Relaxed),
                        counters.installed.load(Relaxed),
                        counters.update_failed.load(Relaxed)
                    );
                }
            }
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn listens_on_a_name_or_address_and_says_why_not() {
        let l = listen("localhost:0").await.unwrap();
        assert!(l.local_addr().unwrap().ip().is_loopback());
        let l = listen("127.0.0.1:0").await.unwrap();
        let at = l.local_addr().unwrap();
        tokio::net::TcpStream::connect(at).await.unwrap();
        assert!(listen(&at.to_string()).await.is_err(), "the port is taken");
        assert!(listen("nonsense").await.is_err());
    }

    #[test]
    fn answers_decode_as_the_actions_responses() {
        let counters = Counters::default();
        for action in ocpp16::Action::ALL {
            let payload = answer(action.as_str(), 300, &counters).to_string();
            if action.sender() == ocpp16::Sender::ChargePoint {
                let decoded = ocpp16::Response::decode(*action, &payload);
                assert!(decoded.is_ok(), "{action:?}: {payload} {decoded:?}");
            }
        }
    }
}
