//! Typed requests and responses of every OCPP 1.6-J action, one module per feature
//! profile, with the data types and enumerations they share.
//!
//! Field names, optionality, enumerations and string limits follow the official OCPP 1.6
//! JSON schemas exactly: Rust fields are the schema's names in snake case (`type` is
//! `kind`), optional fields are `Option`s left out of the JSON when `None`, `CiStringN`
//! fields are [`CiString`](crate::CiString)s, date-times are [`DateTime`](crate::DateTime)s
//! and `multipleOf: 0.1` numbers are [`Decimal`](crate::Decimal)s. Every struct refuses
//! fields the schema does not define, as the schemas' `additionalProperties: false` says.

mod common;
mod core;
mod enums;
mod firmware;
mod local_auth;
mod remote_trigger;
mod reservation;
mod schema;
mod security;
mod smart_charging;

pub use self::core::*;
pub use common::*;
pub use enums::*;
pub use firmware::*;
pub use local_auth::*;
pub use remote_trigger::*;
pub use reservation::*;
pub use security::*;
pub use smart_charging::*;
