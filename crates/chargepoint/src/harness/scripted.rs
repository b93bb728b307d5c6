//! The scripted CSMS: answers every charge point CALL at once (or late, or not at all,
//! or with a CALLERROR, as its [`CsmsScript`] says), checks every frame against the OCPP
//! 1.6 schemas through `ocpp16`'s strict decoders (breaches are collected in
//! [`Csms::violations`]), and sends CALLs of its own. The harness, the tab's demo, the
//! firmware self-test and `evc csms` all answer with it.

use alloc::{format, string::String, vec::Vec};
use ocpp16::{
    Action, DateTime, ErrorCode, Frame, Request, Response, Side, decode_call,
    frame::{self, encode_call_error, encode_raw_call_text},
    messages::*,
};

use crate::time::Instant;

/// How the scripted CSMS answers.
#[derive(Debug, Clone, PartialEq)]
pub struct CsmsScript {
    /// BootNotification status.
    pub boot_status: RegistrationStatus,
    /// BootNotification interval (s).
    pub boot_interval: i32,
    /// idTags answered `Invalid` (everything else is `Accepted`), for Authorize and
    /// StartTransaction alike.
    pub invalid_tags: Vec<String>,
    /// idTags answered `Blocked`.
    pub blocked_tags: Vec<String>,
    /// The answer for every other idTag (`Accepted` unless a test or a trainer says so).
    pub other_tags: AuthorizationStatus,
    /// (idTag, parentIdTag): the group each idTag belongs to.
    pub parents: Vec<(String, String)>,
    /// The expiry date given with every accepted idTag.
    pub expiry: Option<DateTime>,
    /// Answer CALLs at all (false: the CSMS swallows them, the engine times out).
    pub answer: bool,
    /// Answer CALLs of these actions with a CALLERROR instead.
    pub call_error_for: Vec<Action>,
    /// The code of those CALLERRORs (InternalError unless set).
    pub call_error_code: ErrorCode,
    /// Delay before each answer, in ms.
    pub delay_ms: u64,
}

impl Default for CsmsScript {
    fn default() -> Self {
        Self {
            boot_status: RegistrationStatus::Accepted,
            boot_interval: 300,
            invalid_tags: Vec::new(),
            blocked_tags: Vec::new(),
            other_tags: AuthorizationStatus::Accepted,
            parents: Vec::new(),
            expiry: None,
            answer: true,
            call_error_for: Vec::new(),
            call_error_code: ErrorCode::InternalError,
            delay_ms: 0,
        }
    }
}

/// The scripted CSMS.
#[derive(Debug, Clone, Default)]
pub struct Csms {
    /// How it answers.
    pub script: CsmsScript,
    /// Every CALL the charge point sent, decoded, with the time it arrived.
    pub received: Vec<(Instant, Request)>,
    /// Answers the charge point gave to the CSMS's own CALLs: (id, frame).
    pub answers: Vec<(String, Frame)>,
    /// Frames from the charge point that broke the OCPP 1.6 schemas or framing.
    pub violations: Vec<String>,
    next_transaction_id: i32,
    pub(crate) next_call_id: u32,
    /// The CSMS's own CALLs in flight: id → action.
    pub(crate) calls: Vec<(String, Action)>,
    /// Answers waiting for their delay: (due, text).
    pub(crate) delayed: Vec<(Instant, String)>,
    /// The charge point's CALL waiting for our answer: (id, sent at).
    pub(crate) cp_call: Option<(String, Instant)>,
    /// Transactions started: the request and the id given, so that a StartTransaction
    /// sent again after a crash (its answer lost with the power) gets the same id, as a
    /// CSMS that recognises a repeated message answers.
    starts: Vec<(StartTransactionRequest, i32)>,
    /// The engine's call timeout, to tell a timed-out CALL from a second one in flight.
    pub(crate) call_timeout_ms: u64,
}

impl Csms {
    /// The requests of one action the charge point sent, in order.
    #[must_use]
    pub fn sent(&self, action: Action) -> Vec<&Request> {
        self.received
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.action() == action)
            .collect()
    }

    fn id_tag_info(&self, tag: &str) -> IdTagInfo {
        let status = if self
            .script
            .invalid_tags
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tag))
        {
            AuthorizationStatus::Invalid
        } else if self
            .script
            .blocked_tags
            .iter()
            .any(|t| t.eq_ignore_ascii_case(tag))
        {
            AuthorizationStatus::Blocked
        } else {
            self.script.other_tags
        };
        let parent = self
            .script
            .parents
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(tag));
        IdTagInfo {
            expiry_date: self
                .script
                .expiry
                .filter(|_| status == AuthorizationStatus::Accepted),
            parent_id_tag: parent.and_then(|(_, p)| ocpp16::CiString20::new(p.as_str()).ok()),
            status,
        }
    }

    /// A CSMS that takes `call_timeout_ms` as the engine's call timeout (to tell a
    /// timed-out CALL from a second one in flight).
    #[must_use]
    pub fn new(script: CsmsScript, call_timeout_ms: u64) -> Self {
        Self {
            script,
            call_timeout_ms,
            ..Self::default()
        }
    }

    /// Reads a frame from the charge point at `now` (its wall clock `wall`); returns
    /// the answer to send back, if any (the caller applies [`CsmsScript::delay_ms`]).
    pub fn receive(&mut self, now: Instant, wall: DateTime, text: &str) -> Option<String> {
        let parsed = match frame::parse(text) {
            Ok(f) => f,
            Err(e) => {
                self.violations
                    .push(format!("unparsable frame {text}: {e}"));
                return None;
            }
        };
        match parsed {
            Frame::Call(call) => {
                let request = match decode_call(Side::Csms, &call.action, &call.payload) {
                    Ok(r) => r,
                    Err(e) => {
                        self.violations.push(format!("{text}: {e}"));
                        return Some(encode_call_error(&call.id, e.code, &e.description));
                    }
                };
                if let Some((previous, since)) = &self.cp_call
                    && now.millis_since(*since) < self.call_timeout_ms
                {
                    self.violations.push(format!(
                        "second CALL {text} while CALL {previous} waits for its answer"
                    ));
                }
                self.cp_call = Some((call.id.clone(), now));
                self.received.push((now, request.clone()));
                if !self.script.answer {
                    return None;
                }
                if self.script.call_error_for.contains(&request.action()) {
                    return Some(encode_call_error(
                        &call.id,
                        self.script.call_error_code,
                        "scripted",
                    ));
                }
                let response = self.respond(wall, &request);
                Some(frame::encode_call_result(&call.id, &response))
            }
            Frame::CallResult(result) => {
                self.check_answer(
                    &result.id,
                    |action| Response::decode(action, &result.payload).map(|_| ()),
                    text,
                );
                self.answers
                    .push((result.id.clone(), Frame::CallResult(result)));
                None
            }
            Frame::CallError(error) => {
                if error.error_code().is_none() {
                    self.violations
                        .push(format!("not an OCPP 1.6 error code: {text}"));
                }
                self.calls.retain(|(id, _)| *id != error.id);
                self.answers
                    .push((error.id.clone(), Frame::CallError(error)));
                None
            }
        }
    }

    fn check_answer(
        &mut self,
        id: &str,
        decode: impl FnOnce(Action) -> Result<(), ocpp16::WireError>,
        text: &str,
    ) {
        let Some(pos) = self.calls.iter().position(|(call_id, _)| call_id == id) else {
            self.violations
                .push(format!("answer to no CALL of ours: {text}"));
            return;
        };
        let (_, action) = self.calls.remove(pos);
        if let Err(e) = decode(action) {
            self.violations.push(format!("{text}: {e}"));
        }
    }

    fn respond(&mut self, wall: DateTime, request: &Request) -> Response {
        match request {
            Request::BootNotification(_) => BootNotificationResponse {
                status: self.script.boot_status,
                current_time: wall,
                interval: self.script.boot_interval,
            }
            .into(),
            Request::Heartbeat(_) => HeartbeatResponse { current_time: wall }.into(),
            Request::Authorize(r) => AuthorizeResponse {
                id_tag_info: self.id_tag_info(&r.id_tag),
            }
            .into(),
            Request::StartTransaction(r) => {
                let known = self.starts.iter().find(|(s, _)| s == r).map(|(_, id)| *id);
                let transaction_id = known.unwrap_or_else(|| {
                    self.next_transaction_id += 1;
                    self.starts.push((r.clone(), self.next_transaction_id));
                    self.next_transaction_id
                });
                StartTransactionResponse {
                    id_tag_info: self.id_tag_info(&r.id_tag),
                    transaction_id,
                }
                .into()
            }
            Request::StopTransaction(_) => StopTransactionResponse { id_tag_info: None }.into(),
            Request::StatusNotification(_) => StatusNotificationResponse {}.into(),
            Request::MeterValues(_) => MeterValuesResponse {}.into(),
            Request::DataTransfer(_) => DataTransferResponse {
                status: DataTransferStatus::UnknownVendorId,
                data: None,
            }
            .into(),
            Request::DiagnosticsStatusNotification(_) => {
                DiagnosticsStatusNotificationResponse {}.into()
            }
            Request::FirmwareStatusNotification(_) => FirmwareStatusNotificationResponse {}.into(),
            Request::LogStatusNotification(_) => LogStatusNotificationResponse {}.into(),
            Request::SecurityEventNotification(_) => SecurityEventNotificationResponse {}.into(),
            Request::SignCertificate(_) => SignCertificateResponse {
                status: GenericStatus::Accepted,
            }
            .into(),
            Request::SignedFirmwareStatusNotification(_) => {
                SignedFirmwareStatusNotificationResponse {}.into()
            }
            // decode_call refuses CSMS-to-charge-point actions before this point.
            other => {
                self.violations.push(format!(
                    "{:?} is not sent by a charge point",
                    other.action()
                ));
                HeartbeatResponse { current_time: wall }.into()
            }
        }
    }

    /// A CALL of the CSMS's own (any action name and payload): its id and text. The
    /// answer, when it comes through [`Csms::receive`], lands in [`Csms::answers`].
    pub fn call(&mut self, action: &str, payload: &str) -> (String, String) {
        self.next_call_id += 1;
        let id = format!("csms-{}", self.next_call_id);
        if let Some(known) = Action::from_name(action) {
            self.calls.push((id.clone(), known));
        }
        let text = encode_raw_call_text(&id, action, payload);
        (id, text)
    }

    /// An answer of ours reached the charge point: its CALL no longer waits.
    pub fn delivered(&mut self, answer: &str) {
        if let Some((id, _)) = &self.cp_call
            && frame::parse(answer).is_ok_and(|f| f.id() == id)
        {
            self.cp_call = None;
        }
    }

    /// The link dropped: answers in flight are lost, no CALL of the charge point waits.
    pub fn link_lost(&mut self) {
        self.delayed.clear();
        self.cp_call = None;
    }
}
