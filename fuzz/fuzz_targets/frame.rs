//! Any bytes through the frame parser and every decoder: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocpp16::{Action, Frame, Request, Response, Side, decode_call, frame};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    match frame::parse(text) {
        Ok(Frame::Call(call)) => {
            let _ = decode_call(Side::ChargePoint, &call.action, &call.payload);
            let _ = decode_call(Side::Csms, &call.action, &call.payload);
            for &action in Action::ALL {
                let _ = Request::decode(action, &call.payload);
            }
        }
        Ok(Frame::CallResult(result)) => {
            for &action in Action::ALL {
                let _ = Response::decode(action, &result.payload);
            }
        }
        Ok(Frame::CallError(e)) => {
            let _ = e.error_code();
        }
        Err(e) => {
            let _ = e.reply();
        }
    }
});
