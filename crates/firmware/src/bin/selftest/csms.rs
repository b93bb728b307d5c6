//! A CSMS inside the firmware, at the other end of a loopback transport: it accepts the
//! boot, authorizes cards, numbers transactions, and records what it received so the
//! self-test can check the session.

use alloc::{collections::VecDeque, format, string::String, vec::Vec};

use ocpp16::{
    DateTime, Frame, Request, Response, Side, decode_call,
    frame::{self, encode_call, encode_call_result},
    messages::*,
};

use firmware::hal::Transport;

/// What the CSMS saw.
#[derive(Default)]
pub(crate) struct Record {
    pub(crate) boots: u32,
    pub(crate) authorized: Vec<String>,
    pub(crate) meter_start: Option<i32>,
    pub(crate) meter_values: u32,
    pub(crate) stop: Option<(i32, Option<Reason>)>,
    pub(crate) statuses: Vec<ChargePointStatus>,
    pub(crate) config_answer: Option<ConfigurationStatus>,
    /// Times the charge point opened and closed the link.
    pub(crate) opens: u32,
    pub(crate) closes: u32,
    /// Frames that broke the schemas, or could not be read.
    pub(crate) violations: u32,
}

/// The loopback CSMS and its transport end.
pub(crate) struct LoopbackCsms {
    to_cp: VecDeque<String>,
    /// What it saw.
    pub(crate) record: Record,
    /// Wall clock it answers with.
    pub(crate) now: DateTime,
    open: bool,
    next_call: u32,
}

impl LoopbackCsms {
    /// A CSMS whose clock reads `now`.
    pub(crate) fn new(now: DateTime) -> Self {
        Self {
            to_cp: VecDeque::new(),
            record: Record::default(),
            now,
            open: false,
            next_call: 0,
        }
    }

    /// The CSMS sends a request to the charge point.
    pub(crate) fn call(&mut self, request: &Request) {
        self.next_call += 1;
        let id = format!("csms-{}", self.next_call);
        self.to_cp.push_back(encode_call(&id, request));
    }

    fn answer(&mut self, request: &Request) -> Response {
        match request {
            Request::BootNotification(_) => {
                self.record.boots += 1;
                BootNotificationResponse {
                    status: RegistrationStatus::Accepted,
                    current_time: self.now,
                    interval: 300,
                }
                .into()
            }
            Request::Authorize(r) => {
                self.record.authorized.push(String::from(r.id_tag.as_str()));
                let id_tag_info = IdTagInfo {
                    expiry_date: None,
                    parent_id_tag: None,
                    status: AuthorizationStatus::Accepted,
                };
                AuthorizeResponse { id_tag_info }.into()
            }
            Request::StartTransaction(r) => {
                self.record.meter_start = Some(r.meter_start);
                let id_tag_info = IdTagInfo {
                    expiry_date: None,
                    parent_id_tag: None,
                    status: AuthorizationStatus::Accepted,
                };
                StartTransactionResponse {
                    id_tag_info,
                    transaction_id: 1,
                }
                .into()
            }
            Request::StopTransaction(r) => {
                self.record.stop = Some((r.meter_stop, r.reason));
                StopTransactionResponse { id_tag_info: None }.into()
            }
            Request::MeterValues(_) => {
                self.record.meter_values += 1;
                MeterValuesResponse {}.into()
            }
            Request::StatusNotification(r) => {
                if r.connector_id == 1 {
                    self.record.statuses.push(r.status);
                }
                StatusNotificationResponse {}.into()
            }
            _ => HeartbeatResponse {
                current_time: self.now,
            }
            .into(),
        }
    }
}

impl Transport for LoopbackCsms {
    fn open(&mut self, _params: &chargepoint::ConnectParams) -> bool {
        self.open = true;
        self.record.opens += 1;
        true
    }

    fn close(&mut self) {
        if self.open {
            self.record.closes += 1;
        }
        self.open = false;
        // What was on the wire is gone with the link.
        self.to_cp.clear();
    }

    fn send(&mut self, text: &str) {
        match frame::parse(text) {
            Ok(Frame::Call(call)) => match decode_call(Side::Csms, &call.action, &call.payload) {
                Ok(request) => {
                    let response = self.answer(&request);
                    self.to_cp
                        .push_back(encode_call_result(&call.id, &response));
                }
                Err(_) => self.record.violations += 1,
            },
            Ok(Frame::CallResult(result)) => {
                // The CSMS's CALLs: ChangeConfiguration first, then Reset.
                if self.record.config_answer.is_none() {
                    let decoded =
                        ocpp16::decode_message::<ChangeConfigurationResponse>(&result.payload);
                    match decoded {
                        Ok(r) => self.record.config_answer = Some(r.status),
                        Err(_) => self.record.violations += 1,
                    }
                } else if ocpp16::decode_message::<ResetResponse>(&result.payload).is_err() {
                    self.record.violations += 1;
                }
            }
            Ok(Frame::CallError(_)) | Err(_) => self.record.violations += 1,
        }
    }

    fn receive(&mut self) -> Option<String> {
        if self.open {
            self.to_cp.pop_front()
        } else {
            None
        }
    }
}
