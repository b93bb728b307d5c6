//! WebSocket pings every WebSocketPingInterval, and a link whose pings go unanswered is
//! dropped and opened again (a CSMS that hangs does not leave the box deaf).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::result_large_err,
    reason = "test code: a failure is a panic; tungstenite's callback type"
)]

use std::{
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering::SeqCst},
    },
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{
    Message,
    handshake::server::{Request, Response},
    http::HeaderValue,
};

#[derive(Default)]
struct Seen {
    connections: AtomicU32,
    pings: AtomicU32,
}

/// A CSMS that accepts boots; with `deaf`, it stops reading after the boot, so the
/// client's pings are never answered.
fn server(deaf: bool) -> (u16, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let s = seen.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let agree = |_: &Request, mut resp: Response| {
                        resp.headers_mut()
                            .insert("Sec-WebSocket-Protocol", HeaderValue::from_static("ocpp1.6"));
                        Ok(resp)
                    };
                    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, agree).await else {
                        return;
                    };
                    s.connections.fetch_add(1, SeqCst);
                    while let Some(Ok(msg)) = ws.next().await {
                        match msg {
                            Message::Ping(_) => {
                                s.pings.fetch_add(1, SeqCst);
                            }
                            Message::Text(t) => {
                                let id = t.as_str().split('"').nth(1).unwrap_or("0").to_owned();
                                let answer = if t.as_str().contains("BootNotification") {
                                    r#"{"currentTime":"2026-01-01T00:00:00Z","interval":300,"status":"Accepted"}"#
                                } else {
                                    "{}"
                                };
                                let _ = ws.send(Message::Text(format!(r#"[3,"{id}",{answer}]"#).into())).await;
                                if deaf {
                                    // Hold the socket open without ever reading again.
                                    tokio::time::sleep(Duration::from_secs(60)).await;
                                    return;
                                }
                            }
                            _ => {}
                        }
                    }
                });
            }
        });
    });
    (port, seen)
}

fn evc(port: u16, duration: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_evc"))
        .args([
            "run",
            &format!("ws://127.0.0.1:{port}/"),
            "--config",
            "WebSocketPingInterval=1",
        ])
        .args(["--duration", duration, "--log", "info"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    err
}

#[test]
fn pings_go_out_every_websocket_ping_interval() {
    let (port, seen) = server(false);
    evc(port, "3500ms");
    assert_eq!(seen.connections.load(SeqCst), 1);
    let pings = seen.pings.load(SeqCst);
    assert!(
        (2..=4).contains(&pings),
        "{pings} pings in 3.5 s at a 1 s interval"
    );
}

#[test]
fn unanswered_pings_drop_the_link_and_it_is_opened_again() {
    let (port, seen) = server(true);
    let err = evc(port, "5s");
    assert!(err.contains("no answer to a WebSocket ping"), "{err}");
    assert!(seen.connections.load(SeqCst) >= 2, "{err}");
}
