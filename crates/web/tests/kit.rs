//! The example of a CSMS team's own `#[wasm_bindgen_test]`: a charge point from
//! `web::kit` against a CSMS (here `tests/web/csms.py`, PyPI `ocpp`, on the port in
//! `EVC_TEST_CSMS_PORT`), driven with the verbs of `window.evc`. Run it with
//! `cargo xtask test --only web`, or by hand against any CSMS:
//! `EVC_TEST_CSMS_PORT=9000 wasm-pack test --headless --chrome crates/web --test kit`.

#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use chargepoint::Fault;
use ocpp16::messages::ChargePointStatus;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web::kit::TestChargePoint;

wasm_bindgen_test_configure!(run_in_browser);

fn csms_url() -> String {
    let port = option_env!("EVC_TEST_CSMS_PORT").unwrap_or("9000");
    format!("ws://127.0.0.1:{port}/")
}

#[wasm_bindgen_test]
async fn a_charging_session_against_the_csms() {
    let mut cp = TestChargePoint::connect(&csms_url(), "TC-KIT-0001").unwrap();
    cp.wait_for_connected(15_000).await.unwrap();
    // The CSMS accepts the boot, then sets a 10 s sample interval.
    cp.wait_for_frame("ChangeConfiguration", 3, true, 15_000)
        .await
        .unwrap();
    cp.plug();
    cp.tap("04A2B3C4D5");
    // The box only moves while a wait ticks it: wait for the answer first, then the status.
    let answer = cp
        .wait_for_frame("StartTransaction", 3, false, 20_000)
        .await
        .unwrap();
    cp.wait_for_status(ChargePointStatus::Charging, 20_000)
        .await
        .unwrap();
    assert!(answer.contains("transactionId"), "{answer}");
    cp.fault(Fault::HighTemperature, true);
    cp.wait_for_status(ChargePointStatus::Faulted, 10_000)
        .await
        .unwrap();
    cp.fault(Fault::HighTemperature, false);
    cp.wait_for_status(ChargePointStatus::Charging, 10_000)
        .await
        .unwrap();
    cp.unplug();
    let stop = cp
        .wait_for_frame("StopTransaction", 2, true, 10_000)
        .await
        .unwrap();
    assert!(stop.contains("\"reason\":\"EVDisconnected\""), "{stop}");
    cp.wait_for_status(ChargePointStatus::Available, 10_000)
        .await
        .unwrap();
}

#[wasm_bindgen_test]
fn bad_setups_are_refused() {
    let e = TestChargePoint::connect("http://127.0.0.1:9000/", "TC-KIT-0002")
        .err()
        .unwrap();
    assert!(e.contains("ws://"), "{e}");
    let e = TestChargePoint::connect(&csms_url(), "").err().unwrap();
    assert_eq!(e, "charge point id \"\": 1 to 20 characters");
}
