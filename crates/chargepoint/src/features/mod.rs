//! The feature profiles' handlers of CSMS requests, and the one table that dispatches
//! to them. Each profile module lists its rows; a profile still to come adds a module
//! and one entry in [`PROFILES`].

use alloc::{format, vec::Vec};
use ocpp16::{Action, ErrorCode, Request, Response, WireError};

use crate::{engine::ChargePoint, time::Instant};

#[cfg(feature = "certificates")]
mod certificates;
#[cfg(not(feature = "certificates"))]
#[path = "no_certificates.rs"]
mod certificates;
mod core;
mod firmware;
mod get_log;
mod local_auth;
mod remote_trigger;
pub(crate) mod reservation;
pub(crate) mod security;
mod smart_charging;

/// A handler: the decoded request in, the response (or a CALLERROR) out.
pub(crate) type Handler = fn(&mut ChargePoint, Instant, Request) -> Result<Response, WireError>;

/// Builds table rows from `Action => closure(cp, now, typed request)`.
macro_rules! rows {
    ($($action:ident => $f:expr),* $(,)?) => {
        &[$((Action::$action, {
            fn handle(
                cp: &mut ChargePoint,
                now: Instant,
                request: ocpp16::Request,
            ) -> Result<ocpp16::Response, WireError> {
                let f: fn(&mut ChargePoint, Instant, _) -> Result<_, WireError> = $f;
                match request {
                    ocpp16::Request::$action(r) => f(cp, now, r).map(ocpp16::Response::from),
                    other => Err(super::mismatch(&other)),
                }
            }
            handle as Handler
        }),)*]
    };
}
pub(crate) use rows;

/// Every profile's rows.
const PROFILES: &[&[(Action, Handler)]] = &[
    core::HANDLERS,
    certificates::HANDLERS,
    firmware::HANDLERS,
    get_log::HANDLERS,
    local_auth::HANDLERS,
    remote_trigger::HANDLERS,
    reservation::HANDLERS,
    security::HANDLERS,
    smart_charging::HANDLERS,
];

/// The handler of `action`, if this charge point supports it.
pub(crate) fn handler(action: Action) -> Option<Handler> {
    PROFILES
        .iter()
        .flat_map(|rows| rows.iter())
        .find(|(a, _)| *a == action)
        .map(|(_, h)| *h)
}

/// The CSMS-initiated actions this charge point answers (the rest are `NotSupported`).
#[must_use]
pub fn supported_actions() -> Vec<Action> {
    PROFILES
        .iter()
        .flat_map(|rows| rows.iter())
        .map(|(a, _)| *a)
        .collect()
}

/// `SupportedFeatureProfiles`: every feature profile of which this charge point
/// answers all CSMS requests, in the contract's order. A profile that is only partly
/// answered (or not at all) is left out, so the key never promises what the box lacks.
#[must_use]
pub(crate) fn supported_feature_profiles() -> alloc::string::String {
    use ocpp16::action::Profile;
    const ORDER: [(Profile, &str); 6] = [
        (Profile::Core, "Core"),
        (Profile::FirmwareManagement, "FirmwareManagement"),
        (Profile::LocalAuthListManagement, "LocalAuthListManagement"),
        (Profile::Reservation, "Reservation"),
        (Profile::SmartCharging, "SmartCharging"),
        (Profile::RemoteTrigger, "RemoteTrigger"),
    ];
    let answered = |profile: Profile| {
        Action::ALL
            .iter()
            .filter(|a| a.profile() == profile && a.sender().allows(ocpp16::Side::Csms))
            .all(|a| handler(*a).is_some())
    };
    let names: Vec<&str> = ORDER
        .iter()
        .filter(|(p, _)| answered(*p))
        .map(|(_, name)| *name)
        .collect();
    names.join(",")
}

/// A row whose handler got another action's request: a table error, never input's fault.
fn mismatch(request: &Request) -> WireError {
    WireError::new(
        ErrorCode::InternalError,
        format!("no handler for {}", request.action()),
    )
}
