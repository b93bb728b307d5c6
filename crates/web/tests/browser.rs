//! The browser homes in headless Chromium (wasm-bindgen-test): browser storage, a
//! WebSocket to a real local CSMS with subprotocol `ocpp1.6`, and the engine driven in
//! the page. `cargo xtask test --only web` runs them with the CSMS of
//! `tests/web/csms.py` listening on the port given in `EVC_TEST_CSMS_PORT`.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use chargepoint::{
    ChargePoint, ConnectParams, HardwareEvent, Instant, Registration, Settings,
    harness::Harness,
    model::{Key, Variant},
    world::EvSpec,
};
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web::{
    live::{Live, socket_url},
    storage::{self, Setup},
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
