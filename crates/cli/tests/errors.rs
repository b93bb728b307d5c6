//! A failed first connection is reported as what happened (defect 10): a handshake the
//! CSMS timed out is not a credentials problem, a reset or a close in the middle of the
//! handshake is not an unreachable CSMS. Each CSMS here is a raw TCP server on 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure is a panic"
)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::Command,
    time::Duration,
};

/// A server that does `serve` with every connection; returns its port.
fn server(serve: fn(TcpStream)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    port
}

/// Reads the handshake request (up to its blank line).
fn read_request(stream: &mut TcpStream) {
    let mut seen: Vec<u8> = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend(buf.iter().take(n)),
        }
    }
}

/// `evc run` against the port (the binary in EVC_BIN when set, as in tests/e2e): the
/// exit code and stderr.
fn evc(port: u16) -> (Option<i32>, String) {
    let bin = std::env::var("EVC_BIN")
        .ok()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_evc").into());
    let out = Command::new(bin)
        .args([
            "run",
            &format!("ws://127.0.0.1:{port}/"),
            "--progress",
            "never",
        ])
        .args(["--auth-key", "0123456789abcdef0123456789abcdef"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_handshake_the_csms_timed_out_is_not_a_credentials_problem() {
    let port = server(|mut s| {
        read_request(&mut s);
        let body = "handshake timed out";
        // One write: the body must arrive with the headers, as the client reads no
        // further than the bytes that came with them (`write!` would send it in pieces).
        let response = format!(
            "HTTP/1.1 403 Forbidden\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = s.write_all(response.as_bytes());
    });
    let (code, err) = evc(port);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("HTTP 403"), "{err}");
    assert!(
        err.contains("handshake timed out"),
        "what the CSMS said: {err}"
    );
    assert!(err.contains("gave up waiting"), "{err}");
    assert!(
        !err.contains("does not let this charge point in") && !err.contains("--auth-key"),
        "no hint about credentials: {err}"
    );
    let port = server(|mut s| {
        read_request(&mut s);
        let _ = s.write_all(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
    });
    let (code, err) = evc(port);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("HTTP 408") && err.contains("gave up waiting"),
        "{err}"
    );
}

#[test]
fn a_connection_reset_in_the_handshake_is_not_an_unreachable_csms() {
    // Closing a socket with unread data makes the kernel answer with a reset.
    let port = server(|s| {
        std::thread::sleep(Duration::from_millis(300));
        drop(s);
    });
    let (code, err) = evc(port);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("reset"), "{err}");
    assert!(!err.contains("unreachable"), "{err}");
}

#[test]
fn a_close_in_the_middle_of_the_handshake_says_so() {
    let port = server(|mut s| {
        read_request(&mut s);
        let _ = s.shutdown(std::net::Shutdown::Both);
    });
    let (code, err) = evc(port);
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("closed the connection during the WebSocket handshake"),
        "{err}"
    );
    assert!(!err.contains("unreachable"), "{err}");
}
