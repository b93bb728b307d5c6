//! The table of OCPP 1.6-J actions: name, sender, profile, request and response type.
//!
//! Everything that dispatches on actions is generated from the one table in
//! [`actions!`](crate::action) below: [`Action`], [`Request`], [`Response`], and the
//! decoders that turn a payload into a typed message or into the CALLERROR to send.

use alloc::{format, string::String};
use serde::Serialize;
use serde_json::Value;

use crate::{
    check, codec,
    de::from_value,
    error::{ErrorCode, WireError},
    messages::*,
    strict,
};

/// Who sends the request of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    /// The charge point sends the request, the CSMS answers.
    ChargePoint,
    /// The CSMS sends the request, the charge point answers.
    Csms,
    /// Either side may send it (`DataTransfer`).
    Both,
}

/// One end of an OCPP-J connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The charge point.
    ChargePoint,
    /// The central system.
    Csms,
}

impl Sender {
    /// Whether `side` may send requests of this action.
    #[must_use]
    pub const fn allows(self, side: Side) -> bool {
        matches!(
            (self, side),
            (Self::Both, _) | (Self::ChargePoint, Side::ChargePoint) | (Self::Csms, Side::Csms)
        )
    }
}

/// The feature profile an action belongs to (`SupportedFeatureProfiles`), plus the
/// Security Whitepaper's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// `Core`.
    Core,
    /// `FirmwareManagement`.
    FirmwareManagement,
    /// `LocalAuthListManagement`.
    LocalAuthListManagement,
    /// `Reservation`.
    Reservation,
    /// `SmartCharging`.
    SmartCharging,
    /// `RemoteTrigger`.
    RemoteTrigger,
    /// The OCPP 1.6 Security Whitepaper's messages.
    Security,
}

/// Keeps its body for the actions a charge point sends (statement position), so that a
/// dispatcher of answers to the charge point's CALLs holds only their decoders.
macro_rules! if_sent_by_charge_point {
    (ChargePoint, $($body:tt)*) => { $($body)* };
    (Both, $($body:tt)*) => { $($body)* };
    (Csms, $($body:tt)*) => {};
}

/// Keeps its body for the actions the CSMS sends.
macro_rules! if_sent_by_csms {
    (Csms, $($body:tt)*) => { $($body)* };
    (Both, $($body:tt)*) => { $($body)* };
    (ChargePoint, $($body:tt)*) => {};
}

macro_rules! actions {
    ($($name:ident($req:ident, $res:ident): $sender:ident, $profile:ident;)*) => {
        /// Every OCPP 1.6-J action: the 28 of the core specification and the 11 of the
        /// Security Whitepaper.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Action {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $name,
            )*
        }

        impl Action {
            /// Every action, in table order.
            pub const ALL: &'static [Self] = &[$(Self::$name),*];

            /// The action's name on the wire.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$name => stringify!($name),)* }
            }

            /// The action with this exact (case-sensitive) name.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $(stringify!($name) => Some(Self::$name),)* _ => None }
            }

            /// Who sends its request.
            #[must_use]
            pub const fn sender(self) -> Sender {
                match self { $(Self::$name => Sender::$sender,)* }
            }

            /// Its feature profile.
            #[must_use]
            pub const fn profile(self) -> Profile {
                match self { $(Self::$name => Profile::$profile,)* }
            }
        }

        /// Its name on the wire (what messages print; `{:?}` of the enum is the same text
        /// through the derived `Debug`, which the MCU image then need not link).
        impl core::fmt::Display for Action {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A typed request of any action.
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs, reason = "each variant is the request of the action of its name")]
        pub enum Request {
            $($name($req),)*
        }

        /// A typed response (`.conf`) of any action.
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs, reason = "each variant is the response of the action of its name")]
        pub enum Response {
            $($name($res),)*
        }

        impl Request {
            /// The action of this request.
            #[must_use]
            pub const fn action(&self) -> Action {
                match self { $(Self::$name(_) => Action::$name,)* }
            }

            /// Decodes the JSON payload of a request of `action`, checking every
            /// constraint of its schema.
            ///
            /// # Errors
            /// The CALLERROR code and description for a payload that breaks the schema.
            pub fn decode(action: Action, payload: &str) -> Result<Self, WireError> {
                match action { $(Action::$name => codec::decode(payload).map(Self::$name),)* }
            }

            /// Decodes a request the CSMS sent (what a charge point receives); only
            /// those decoders are built in where this is the only one called.
            ///
            /// # Errors
            /// As [`Request::decode`]; `NotSupported` for an action the CSMS does not send.
            pub fn decode_from_csms(action: Action, payload: &str) -> Result<Self, WireError> {
                $(
                    if_sent_by_csms!($sender, if action == Action::$name {
                        return codec::decode(payload).map(Self::$name);
                    });
                )*
                Err(WireError::new(
                    ErrorCode::NotSupported,
                    format!("{action} is not sent by the CSMS"),
                ))
            }

            /// Decodes a request a charge point sent (what a CSMS receives).
            ///
            /// # Errors
            /// As [`Request::decode`]; `NotSupported` for an action a charge point does
            /// not send.
            pub fn decode_from_charge_point(action: Action, payload: &str) -> Result<Self, WireError> {
                $(
                    if_sent_by_charge_point!($sender, if action == Action::$name {
                        return codec::decode(payload).map(Self::$name);
                    });
                )*
                Err(WireError::new(
                    ErrorCode::NotSupported,
                    format!("{action} is not sent by a charge point"),
                ))
            }

            /// The serde-based decoder this crate had before its codec, kept while the
            /// differential test compares the two.
            #[doc(hidden)]
            pub fn decode_legacy(action: Action, payload: &str) -> Result<Self, WireError> {
                let request = decode_payload(
                    payload,
                    |p| match action { $(Action::$name => strict::decode(p).map(Self::$name),)* },
                    |v| Ok(match action { $(Action::$name => Self::$name(from_value(v)?),)* }),
                )?;
                check::request(&request)?;
                Ok(request)
            }

            /// The payload as JSON text.
            #[must_use]
            pub fn to_payload(&self) -> String {
                match self { $(Self::$name(m) => codec::encode(m),)* }
            }

            /// The payload of a request a charge point sends, as JSON text; `None` for
            /// an action only the CSMS sends. Only those encoders are built in where
            /// this is the only one called, so a charge point's image does not carry the
            /// encoders of the CSMS's requests.
            #[must_use]
            pub fn payload_from_charge_point(&self) -> Option<String> {
                $(
                    if_sent_by_charge_point!($sender, if let Self::$name(m) = self {
                        return Some(codec::encode(m));
                    });
                )*
                None
            }

            /// The payload as a JSON value.
            #[must_use]
            pub fn to_value(&self) -> Value {
                match self { $(Self::$name(m) => to_value(m),)* }
            }
        }

        impl Response {
            /// The action this response answers.
            #[must_use]
            pub const fn action(&self) -> Action {
                match self { $(Self::$name(_) => Action::$name,)* }
            }

            /// Decodes the answer to a CALL a charge point sent (`action` is one the
            /// charge point sends). Only those decoders are built in, so a charge point's
            /// image does not carry the decoders of the answers a CSMS receives.
            ///
            /// # Errors
            /// The CALLERROR code and description for a payload that breaks the schema;
            /// `NotSupported` for an action the charge point does not send.
            pub fn decode_for_charge_point(action: Action, payload: &str) -> Result<Self, WireError> {
                $(
                    if_sent_by_charge_point!($sender, if action == Action::$name {
                        return codec::decode(payload).map(Self::$name);
                    });
                )*
                Err(WireError::new(
                    ErrorCode::NotSupported,
                    format!("{action} is not sent by a charge point"),
                ))
            }

            /// Decodes the JSON payload of a response to a request of `action`.
            ///
            /// # Errors
            /// The CALLERROR code and description for a payload that breaks the schema.
            pub fn decode(action: Action, payload: &str) -> Result<Self, WireError> {
                match action { $(Action::$name => codec::decode(payload).map(Self::$name),)* }
            }

            /// The serde-based decoder this crate had before its codec, kept while the
            /// differential test compares the two.
            #[doc(hidden)]
            pub fn decode_legacy(action: Action, payload: &str) -> Result<Self, WireError> {
                let response = decode_payload(
                    payload,
                    |p| match action { $(Action::$name => strict::decode(p).map(Self::$name),)* },
                    |v| Ok(match action { $(Action::$name => Self::$name(from_value(v)?),)* }),
                )?;
                check::response(&response)?;
                Ok(response)
            }

            /// The payload as JSON text.
            #[must_use]
            pub fn to_payload(&self) -> String {
                match self { $(Self::$name(m) => codec::encode(m),)* }
            }

            /// The payload of an answer a charge point sends (to a request of the
            /// CSMS), as JSON text; `None` for the answer to an action only a charge
            /// point sends. Only those encoders are built in where this is the only one
            /// called.
            #[must_use]
            pub fn payload_from_charge_point(&self) -> Option<String> {
                $(
                    if_sent_by_csms!($sender, if let Self::$name(m) = self {
                        return Some(codec::encode(m));
                    });
                )*
                None
            }

            /// The payload as a JSON value.
            #[must_use]
            pub fn to_value(&self) -> Value {
                match self { $(Self::$name(m) => to_value(m),)* }
            }
        }

        $(
            impl From<$req> for Request {
                fn from(m: $req) -> Self { Self::$name(m) }
            }
            impl From<$res> for Response {
                fn from(m: $res) -> Self { Self::$name(m) }
            }
        )*

        impl Serialize for Request {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $(Self::$name(m) => m.serialize(s),)* }
            }
        }

        impl Serialize for Response {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $(Self::$name(m) => m.serialize(s),)* }
            }
        }
    };
}

/// Decodes on the fast path when it is built in and the payload passes it; otherwise on
/// the exact path, which names the CALLERROR for whatever is wrong.
fn decode_payload<T>(
    payload: &str,
    fast: impl FnOnce(&str) -> Option<T>,
    exact: impl FnOnce(&Value) -> Result<T, WireError>,
) -> Result<T, WireError> {
    if cfg!(feature = "fast-decode")
        && let Some(decoded) = fast(payload)
    {
        return Ok(decoded);
    }
    exact(&parse_payload(payload)?)
}

/// The exact path's tree of the payload, which must be a JSON object.
fn parse_payload(payload: &str) -> Result<Value, WireError> {
    let value: Value = serde_json::from_str(payload).map_err(|e| {
        WireError::new(
            ErrorCode::FormationViolation,
            format!("payload is not valid JSON: {e}"),
        )
    })?;
    match value {
        Value::Object(_) => Ok(value),
        other => Err(WireError::new(
            ErrorCode::FormationViolation,
            format!("payload must be a JSON object, got {}", kind_of(&other)),
        )),
    }
}

/// The JSON kind of a value, for messages.
pub(crate) const fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn to_value<T: Serialize>(m: &T) -> Value {
    // The message types serialize infallibly (no maps with non-string keys, no failing
    // impls), so the fallback is never taken; it keeps this path free of panics.
    serde_json::to_value(m).unwrap_or(Value::Null)
}

/// Decodes one message type whose action is known where the code is written; an image
/// then carries this one decoder rather than a dispatcher over every action. The
/// message's own rules (item counts, StopTransaction's units) are checked as
/// [`Request::decode`] and [`Response::decode`] check them.
///
/// # Errors
/// The CALLERROR code and description for a payload that breaks the schema.
pub fn decode_message<T: codec::Payload>(payload: &str) -> Result<T, WireError> {
    codec::decode(payload)
}

/// The serde-based [`decode_message`] this crate had before its codec.
#[doc(hidden)]
pub fn decode_message_legacy<T>(payload: &str) -> Result<T, WireError>
where
    T: serde::de::DeserializeOwned,
{
    decode_payload(payload, |p| strict::decode(p), |v| from_value(v))
}

/// Decodes the request of a CALL that `receiver` got: the typed request, or the
/// CALLERROR to answer with. An action name that is not OCPP 1.6 is `NotImplemented`;
/// a known action that the other side may not send is `NotSupported`. Which of the
/// known actions a charge point *supports* is its own business, decided after this.
#[inline]
pub fn decode_call(receiver: Side, action: &str, payload: &str) -> Result<Request, WireError> {
    let known = decode_call_checks(receiver, action)?;
    // Per receiver, so that an image whose receiver is fixed links only the decoders of
    // what it receives.
    match receiver {
        Side::ChargePoint => Request::decode_from_csms(known, payload),
        Side::Csms => Request::decode_from_charge_point(known, payload),
    }
}

/// The action of a CALL, if it is OCPP 1.6 and the sender may send it.
fn decode_call_checks(receiver: Side, action: &str) -> Result<Action, WireError> {
    let Some(known) = Action::from_name(action) else {
        return Err(WireError::new(
            ErrorCode::NotImplemented,
            format!("unknown action \"{action}\" (not an OCPP 1.6 action)"),
        ));
    };
    let sender = match receiver {
        Side::ChargePoint => Side::Csms,
        Side::Csms => Side::ChargePoint,
    };
    if !known.sender().allows(sender) {
        let who = match sender {
            Side::Csms => "the charge point, not by the CSMS",
            Side::ChargePoint => "the CSMS, not by the charge point",
        };
        return Err(WireError::new(
            ErrorCode::NotSupported,
            format!("{action} is sent by {who}"),
        ));
    }
    Ok(known)
}

/// [`decode_call`] on the serde-based decoder this crate had before its codec.
#[doc(hidden)]
pub fn decode_call_legacy(
    receiver: Side,
    action: &str,
    payload: &str,
) -> Result<Request, WireError> {
    match decode_call_checks(receiver, action) {
        Ok(known) => Request::decode_legacy(known, payload),
        Err(e) => Err(e),
    }
}

actions! {
    Authorize(AuthorizeRequest, AuthorizeResponse): ChargePoint, Core;
    BootNotification(BootNotificationRequest, BootNotificationResponse): ChargePoint, Core;
    ChangeAvailability(ChangeAvailabilityRequest, ChangeAvailabilityResponse): Csms, Core;
    ChangeConfiguration(ChangeConfigurationRequest, ChangeConfigurationResponse): Csms, Core;
    ClearCache(ClearCacheRequest, ClearCacheResponse): Csms, Core;
    DataTransfer(DataTransferRequest, DataTransferResponse): Both, Core;
    GetConfiguration(GetConfigurationRequest, GetConfigurationResponse): Csms, Core;
    Heartbeat(HeartbeatRequest, HeartbeatResponse): ChargePoint, Core;
    MeterValues(MeterValuesRequest, MeterValuesResponse): ChargePoint, Core;
    RemoteStartTransaction(RemoteStartTransactionRequest, RemoteStartTransactionResponse): Csms, Core;
    RemoteStopTransaction(RemoteStopTransactionRequest, RemoteStopTransactionResponse): Csms, Core;
    Reset(ResetRequest, ResetResponse): Csms, Core;
    StartTransaction(StartTransactionRequest, StartTransactionResponse): ChargePoint, Core;
    StatusNotification(StatusNotificationRequest, StatusNotificationResponse): ChargePoint, Core;
    StopTransaction(StopTransactionRequest, StopTransactionResponse): ChargePoint, Core;
    UnlockConnector(UnlockConnectorRequest, UnlockConnectorResponse): Csms, Core;
    GetDiagnostics(GetDiagnosticsRequest, GetDiagnosticsResponse): Csms, FirmwareManagement;
    DiagnosticsStatusNotification(DiagnosticsStatusNotificationRequest, DiagnosticsStatusNotificationResponse): ChargePoint, FirmwareManagement;
    FirmwareStatusNotification(FirmwareStatusNotificationRequest, FirmwareStatusNotificationResponse): ChargePoint, FirmwareManagement;
    UpdateFirmware(UpdateFirmwareRequest, UpdateFirmwareResponse): Csms, FirmwareManagement;
    GetLocalListVersion(GetLocalListVersionRequest, GetLocalListVersionResponse): Csms, LocalAuthListManagement;
    SendLocalList(SendLocalListRequest, SendLocalListResponse): Csms, LocalAuthListManagement;
    ReserveNow(ReserveNowRequest, ReserveNowResponse): Csms, Reservation;
    CancelReservation(CancelReservationRequest, CancelReservationResponse): Csms, Reservation;
    SetChargingProfile(SetChargingProfileRequest, SetChargingProfileResponse): Csms, SmartCharging;
    ClearChargingProfile(ClearChargingProfileRequest, ClearChargingProfileResponse): Csms, SmartCharging;
    GetCompositeSchedule(GetCompositeScheduleRequest, GetCompositeScheduleResponse): Csms, SmartCharging;
    TriggerMessage(TriggerMessageRequest, TriggerMessageResponse): Csms, RemoteTrigger;
    CertificateSigned(CertificateSignedRequest, CertificateSignedResponse): Csms, Security;
    DeleteCertificate(DeleteCertificateRequest, DeleteCertificateResponse): Csms, Security;
    ExtendedTriggerMessage(ExtendedTriggerMessageRequest, ExtendedTriggerMessageResponse): Csms, Security;
    GetInstalledCertificateIds(GetInstalledCertificateIdsRequest, GetInstalledCertificateIdsResponse): Csms, Security;
    GetLog(GetLogRequest, GetLogResponse): Csms, Security;
    InstallCertificate(InstallCertificateRequest, InstallCertificateResponse): Csms, Security;
    LogStatusNotification(LogStatusNotificationRequest, LogStatusNotificationResponse): ChargePoint, Security;
    SecurityEventNotification(SecurityEventNotificationRequest, SecurityEventNotificationResponse): ChargePoint, Security;
    SignCertificate(SignCertificateRequest, SignCertificateResponse): ChargePoint, Security;
    SignedFirmwareStatusNotification(SignedFirmwareStatusNotificationRequest, SignedFirmwareStatusNotificationResponse): ChargePoint, Security;
    SignedUpdateFirmware(SignedUpdateFirmwareRequest, SignedUpdateFirmwareResponse): Csms, Security;
}
