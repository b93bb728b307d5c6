//! # ocpp16: the OCPP 1.6-J wire
//!
//! Every message of OCPP 1.6 (the 28 actions of the core specification and the 11 of the
//! Security Whitepaper) as Rust types, the OCPP-J frames that carry them, the CALLERROR
//! codes, and validation against the official JSON schemas. It knows nothing about charge
//! points: `chargepoint` builds the behaviour on top.
//!
//! `no_std` + `alloc`, no clock, no I/O: it builds for `thumbv7em-none-eabihf`,
//! `riscv32imc-unknown-none-elf` and `wasm32-unknown-unknown`.
//!
//! ## Layers
//! 1. [`frame`]: text ⇄ [`Frame`] (CALL, CALLRESULT, CALLERROR). [`frame::parse`] never
//!    panics; a text that is not a frame becomes a [`FrameError`] that says whether to
//!    ignore it or which CALLERROR to send.
//! 2. [`action`]: the one table of actions ([`Action`]: name, [`Sender`], [`Profile`],
//!    request and response type) and the typed [`Request`] / [`Response`] enums generated
//!    from it. [`decode_call`] turns a CALL's action and payload into a typed request or the
//!    exact CALLERROR to answer with; [`Response::decode`] does the same for a CALLRESULT.
//! 3. [`messages`]: the request and response types, their shared types and enumerations.
//!
//! ## Receiving a CALL
//! ```
//! use ocpp16::{frame, decode_call, Frame, Request, Side};
//!
//! let text = r#"[2,"19223201","Reset",{"type":"Soft"}]"#;
//! let Ok(Frame::Call(call)) = frame::parse(text) else { panic!() };
//! match decode_call(Side::ChargePoint, &call.action, &call.payload) {
//!     Ok(Request::Reset(reset)) => assert_eq!(reset.kind.as_str(), "Soft"),
//!     Ok(_) => unreachable!(),
//!     Err(error) => {
//!         // answer with frame::encode_call_error(&call.id, error.code, &error.description)
//!         unreachable!("{error}")
//!     }
//! }
//! ```
//!
//! ## Which CALLERROR for which fault
//! OCPP-J 1.6 names the codes but leaves the mapping to implementations. This crate's:
//!
//! | fault | code | example description |
//! |---|---|---|
//! | text is not JSON, not an array, wrong element count or types | `FormationViolation` | `not valid JSON: …`, `CALL [2, id, action, payload] has 4 elements, got 3` |
//! | payload is not a JSON object | `FormationViolation` | `payload must be a JSON object, got an array` |
//! | a field the schema does not define | `FormationViolation` | `foo: unknown field "foo" (allowed: idTag)` |
//! | a required field is missing | `OccurenceConstraintViolation` | `idTag: required field missing` |
//! | an array with fewer items than required | `OccurenceConstraintViolation` | `meterValue: 0 items, at least 1 required` |
//! | a value of the wrong JSON type (`null` included; `1.0` for an integer) | `TypeConstraintViolation` | `connectorId: expected an integer, got string "1"` |
//! | a string over its length limit | `PropertyConstraintViolation` | `idTag: 23 characters, at most 20 allowed` |
//! | an enumeration value not in the list | `PropertyConstraintViolation` | `type: "Warm" is not one of Hard, Soft` |
//! | a date-time that is not RFC 3339 with an offset | `PropertyConstraintViolation` | `timestamp: RFC 3339 date-time without a valid offset …` |
//! | a number that is not a multiple of 0.1 (`multipleOf`), an integer beyond 32 bits, a URI without a scheme | `PropertyConstraintViolation` | `…limit: 16.75 is not a multiple of 0.1` |
//! | an action name that is not OCPP 1.6 | `NotImplemented` | `unknown action "Foo" (not an OCPP 1.6 action)` |
//! | a known action the sender may not send (e.g. the CSMS sends `Heartbeat`) | `NotSupported` | `Heartbeat is sent by the charge point, not by the CSMS` |
//!
//! A known action that the receiving charge point does not implement is also
//! `NotSupported`; that decision belongs to the charge point. Nested fields are named by
//! their path: `csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit`.
//! A malformed frame whose message id cannot be read is answered to id `-1`
//! ([`frame::UNKNOWN_MESSAGE_ID`]); malformed CALLRESULTs and CALLERRORs are never answered.
//!
//! ## Emitting
//! [`frame::encode_call`], [`frame::encode_call_result`] and [`frame::encode_call_error`]
//! write frames. Date-times are always written in UTC (`…Z`), decimals with one digit.

#![no_std]
// A no_std crate names core and alloc items where they live, so that it stays one.
#![warn(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]
#![cfg_attr(not(test), forbid(unsafe_code))]

extern crate alloc;

#[macro_use]
mod macros;
#[macro_use]
pub mod codec;

pub mod action;
mod check;
mod datetime;
mod de;
mod decimal;
mod error;
pub mod frame;
pub mod messages;
mod strict;
mod text;

pub use action::{Action, Profile, Request, Response, Sender, Side, decode_call, decode_message};
#[doc(hidden)]
pub use action::{decode_call_legacy, decode_message_legacy};
pub use codec::Payload;
pub use datetime::{DateTime, DateTimeError};
pub use decimal::{Decimal, NotTenths};
pub use error::{ErrorCode, WireError};
pub use frame::{Call, CallError, CallResult, Frame, FrameError};
pub use text::{
    CiString, CiString20, CiString25, CiString50, CiString255, CiString500, NotAUri, TooLong, Uri,
};
