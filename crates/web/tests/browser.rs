//! The browser homes in headless Chromium (wasm-bindgen-test): browser storage, a
//! WebSocket to a real local CSMS with subprotocol `ocpp1.6`, and the engine driven in
//! the page. `cargo xtask test --only web` runs them with the CSMS of
//! `tests/web/csms.py` listening on the port given in `EVC_TEST_CSMS_PORT`.

#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use chargepoint::{
    ChargePoint, ConnectParams, HardwareEvent, Instant, Job, JobKind, JobUpdate, Registration,
    Settings,
    harness::Harness,
    model::{Key, Variant},
    world::EvSpec,
};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web::{
    live::{Live, socket_url},
    storage::{self, Setup},
    transfer::{Transfers, refusal},
};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn settings_and_durable_state_round_trip_through_local_storage() {
    storage::factory_reset();
    assert_eq!(Setup::load(), Setup::default());
    let setup = Setup {
        url: "wss://csms.example.com/ocpp/".into(),
        id: "TC-42".into(),
        variant: Variant::Socket,
        key: "k".repeat(32),
    };
    setup.save();
    assert_eq!(Setup::load(), setup);
    assert!(storage::load_state().unwrap().is_none());
    let mut cp = ChargePoint::new(Settings::new("TC-42", Variant::Socket), Instant::ZERO);
    cp.handle_hardware(Instant::ZERO, HardwareEvent::EvPlugged);
    let state = cp.durable_state();
    storage::save_state(&state).unwrap();
    assert_eq!(storage::load_state().unwrap(), Some(state));
    // A corrupt state is refused with its reason and kept aside, never overwritten.
    let local = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    local.set_item("evc.state", "{\"format\":1,").unwrap();
    let error = storage::load_state().unwrap_err();
    assert!(
        error.contains("corrupt") && error.contains("evc.state.corrupt"),
        "{error}"
    );
    assert_eq!(
        local.get_item("evc.state.corrupt").unwrap().as_deref(),
        Some("{\"format\":1,")
    );
    storage::factory_reset();
    assert_eq!(local.get_item("evc.settings").unwrap(), None);
}

#[wasm_bindgen_test]
fn the_socket_url_carries_the_engines_credentials() {
    let mut params = ConnectParams {
        url: "ws://127.0.0.1:9000/ocpp/TC-1".into(),
        basic_auth: None,
        security_profile: 0,
        trusted_roots: Vec::new(),
        client_identity: None,
    };
    assert_eq!(socket_url(&params), "ws://127.0.0.1:9000/ocpp/TC-1");
    params.basic_auth = Some(("TC-1".into(), "k@y:/x0123456789abcdef0123456789".into()));
    params.security_profile = 1;
    assert_eq!(
        socket_url(&params),
        "ws://TC-1:k%40y%3A%2Fx0123456789abcdef0123456789@127.0.0.1:9000/ocpp/TC-1"
    );
    // Credentials typed into the URL give way to the engine's.
    params.url = "wss://old:secret@csms.example.com/TC-1".into();
    assert!(
        socket_url(&params)
            .starts_with("wss://TC-1:k%40y%3A%2Fx0123456789abcdef0123456789@csms.example.com/TC-1")
    );
}

#[wasm_bindgen_test]
async fn the_engine_boots_against_a_real_csms_over_websocket() {
    let Some(port) = option_env!("EVC_TEST_CSMS_PORT") else {
        panic!(
            "build with EVC_TEST_CSMS_PORT set to a CSMS on 127.0.0.1 (cargo xtask test --only web does)"
        );
    };
    storage::factory_reset();
    let setup = Setup {
        url: format!("ws://127.0.0.1:{port}/"),
        id: "TC-WASM-0001".into(),
        variant: Variant::Tethered,
        key: String::new(),
    };
    let mut live = Live::new(&setup, 1, false);
    for _ in 0..300 {
        live.tick();
        if live.driver().cp().registration() == Registration::Accepted && live.connected() {
            break;
        }
        TimeoutFuture::new(50).await;
    }
    assert_eq!(
        live.driver().cp().registration(),
        Registration::Accepted,
        "booted over the WebSocket"
    );
    for _ in 0..20 {
        live.tick();
        TimeoutFuture::new(50).await;
    }
    let sent: Vec<&str> = live
        .driver()
        .trace()
        .filter(|t| t.from_cp)
        .map(|t| t.text.as_str())
        .collect();
    assert!(
        sent.iter().any(|t| t.contains("\"BootNotification\"")),
        "{sent:?}"
    );
    assert!(
        sent.iter().any(|t| t.contains("\"StatusNotification\"")),
        "{sent:?}"
    );
    assert!(
        live.driver()
            .trace()
            .any(|t| !t.from_cp && t.text.contains("\"Accepted\""))
    );
    // The durable state reached the browser's storage (that it did so before the frames
    // depending on it went out is checked in tests/web/live.mjs, which records the order
    // of storage writes and socket sends in the page).
    assert!(storage::load_state().unwrap().is_some());
    storage::factory_reset();
}

#[wasm_bindgen_test]
fn the_engine_charges_for_an_hour_in_the_browser() {
    let mut h = Harness::new(Settings::new("TC-WASM-0002", Variant::Tethered));
    h.run_for(5_000);
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(3_600_000);
    assert!(h.csms.violations.is_empty(), "{:?}", h.csms.violations);
    let energy = h.cp().reading().energy_wh;
    assert!((20_000..=22_200).contains(&energy), "{energy} Wh");
    assert_eq!(
        h.cp().configuration().int(Key::MeterValueSampleInterval),
        3600
    );
}

/// Runs jobs through the tab's transfers until each ended (10 s at most); the reasons of
/// those that failed, by id.
async fn outcomes(transfers: &mut Transfers, jobs: &[Job]) -> Vec<(u32, Result<(), String>)> {
    for job in jobs {
        transfers.start(job);
    }
    let mut ended = Vec::new();
    for _ in 0..100 {
        for (id, update) in transfers.poll(Instant::ZERO) {
            match update {
                JobUpdate::Failed(why) => ended.push((id, Err(why))),
                JobUpdate::Done | JobUpdate::Installed { .. } => ended.push((id, Ok(()))),
                _ => {}
            }
        }
        if ended.len() == jobs.len() {
            break;
        }
        TimeoutFuture::new(100).await;
    }
    ended.sort_by_key(|(id, _)| *id);
    ended
}

#[wasm_bindgen_test]
async fn a_failed_transfer_says_why() {
    // (A server without CORS headers is tested by tests/web/live.mjs: under
    // wasm-bindgen-test's ChromeDriver even a no-cors fetch to another port fails.)
    let download = |id, url: &str| Job {
        id,
        kind: JobKind::Download {
            url: url.into(),
            file: "firmware.evcfw".into(),
        },
    };
    let jobs = [
        download(2, "http://unknown-host.invalid/firmware.evcfw"),
        download(3, "ftp://files.example.com/firmware.evcfw"),
        Job {
            id: 4,
            kind: JobKind::Upload {
                url: "mailto:support@example.com".into(),
                file: "diagnostics.log".into(),
                content: "log".into(),
            },
        },
        Job {
            id: 5,
            kind: JobKind::Install {
                file: "never-downloaded.evcfw".into(),
            },
        },
    ];
    let mut transfers = Transfers::new("TC-TRANSFER", "TeltoCharge", None);
    let ended = outcomes(&mut transfers, &jobs).await;
    let reason = |id: u32| {
        ended
            .iter()
            .find(|(i, _)| *i == id)
            .and_then(|(_, r)| r.clone().err())
            .unwrap_or_else(|| panic!("job {id} did not fail: {ended:?}"))
    };
    assert_eq!(
        reason(2),
        "no answer from unknown-host.invalid: the host is unknown, refused the connection, or its TLS certificate is not trusted by this browser"
    );
    assert_eq!(
        reason(3),
        "FTP is not possible from a browser tab: use an HTTP(S) location"
    );
    assert_eq!(
        reason(4),
        "a browser tab cannot transfer files over mailto: use an HTTP(S) location"
    );
    assert!(
        reason(5).contains("do not survive a reload of the page"),
        "{}",
        reason(5)
    );
    // Plain HTTP from an HTTPS page is mixed content (not for the loopback host).
    assert!(
        refusal("http://files.example.com/fw", "https:")
            .is_some_and(|r| r.contains("mixed content"))
    );
    assert_eq!(refusal("http://127.0.0.1:8000/fw", "https:"), None);
    assert_eq!(refusal("https://files.example.com/fw", "https:"), None);
    assert_eq!(
        refusal("not a url", "http:").as_deref(),
        Some("not a URL: not a url")
    );
}
