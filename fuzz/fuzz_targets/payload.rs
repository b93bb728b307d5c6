//! Any text as the payload of every action, straight into the codec (without a frame
//! around it, as tools and the durable state call it): nothing may panic, and what
//! decodes encodes to text that decodes to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocpp16::{Action, Request, Response};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else { return };
    for &action in Action::ALL {
        if let Ok(request) = Request::decode(action, text) {
            let again = Request::decode(action, &request.to_payload());
            assert_eq!(again.as_ref(), Ok(&request), "{text}");
        }
        if let Ok(response) = Response::decode(action, text) {
            let again = Response::decode(action, &response.to_payload());
            assert_eq!(again.as_ref(), Ok(&response), "{text}");
        }
    }
});
