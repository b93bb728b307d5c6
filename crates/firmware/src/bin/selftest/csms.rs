//! A CSMS inside the firmware, at the other end of a loopback transport: it accepts the
//! boot, authorizes cards, numbers transactions, serves firmware files and takes
//! uploads (the board's file transfer ends here too), and records what it received so
//! the self-test can check the session.

use alloc::{collections::VecDeque, format, string::String, vec::Vec};

use chargepoint::firmware_file;
use ocpp16::{
    DateTime, Frame, Request, Response, Side, decode_call,
    frame::{self, encode_call, encode_call_result},
    messages::*,
};

use firmware::hal::{FileEvent, FileTransfer, Transport};

/// Bytes per [`FileEvent::Data`] of a download, as a modem would pass them on.
const CHUNK: usize = 512;

/// The body of the images served: a real image's would be the new program; any bytes
/// do for the checks.
static BODY: [u8; 1024] = {
    let mut body = [0u8; 1024];
    let mut i = 0;
    while i < body.len() {
        #[allow(clippy::indexing_slicing, reason = "i < body.len(), in a const block")]
        {
            body[i] = (i % 251) as u8;
        }
        i += 1;
    }
    body
};

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
    /// The firmwareVersion of each BootNotification.
    pub(crate) versions: Vec<String>,
    /// FirmwareStatusNotification and DiagnosticsStatusNotification statuses, in order.
    pub(crate) firmware: Vec<FirmwareStatus>,
    pub(crate) diagnostics: Vec<DiagnosticsStatus>,
    /// Uploads received: URL, file name and the lines the self-test looks for (the
    /// whole content would count against the box's heap, which the CSMS shares here).
    pub(crate) uploads: Vec<(String, String, String)>,
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
    /// The file server's firmware images: URL, product, version, and whether its body
    /// is damaged (made when fetched, so they cost the heap nothing while they wait).
    files: Vec<(String, String, String, bool)>,
    transfers: VecDeque<(u32, FileEvent)>,
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
            files: Vec::new(),
            transfers: VecDeque::new(),
        }
    }

    /// Serves at `url` a firmware image for `product` of `version`, with a damaged body
    /// when `corrupt`.
    pub(crate) fn serve(&mut self, url: &str, product: &str, version: &str, corrupt: bool) {
        let text = String::from;
        self.files
            .push((text(url), text(product), text(version), corrupt));
    }

    /// The CSMS sends a request to the charge point.
    pub(crate) fn call(&mut self, request: &Request) {
        self.next_call += 1;
        let id = format!("csms-{}", self.next_call);
        self.to_cp.push_back(encode_call(&id, request));
    }

    fn answer(&mut self, request: &Request) -> Response {
        match request {
            Request::BootNotification(r) => {
                self.record.boots += 1;
                let version = r.firmware_version.as_ref().map_or("", |v| v.as_str());
                self.record.versions.push(String::from(version));
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
            Request::FirmwareStatusNotification(r) => {
                self.record.firmware.push(r.status);
                FirmwareStatusNotificationResponse {}.into()
            }
            Request::DiagnosticsStatusNotification(r) => {
                self.record.diagnostics.push(r.status);
                DiagnosticsStatusNotificationResponse {}.into()
            }
            // The Security extension's notifications: taken (this CSMS records none).
            Request::SecurityEventNotification(_) => SecurityEventNotificationResponse {}.into(),
            Request::LogStatusNotification(_) => LogStatusNotificationResponse {}.into(),
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
                // The CSMS's CALLs: ChangeConfiguration first; the others' answers are
                // checked by their schema.
                if self.record.config_answer.is_none() {
                    let decoded =
                        ocpp16::decode_message::<ChangeConfigurationResponse>(&result.payload);
                    match decoded {
                        Ok(r) => self.record.config_answer = Some(r.status),
                        Err(_) => self.record.violations += 1,
                    }
                } else if [
                    ocpp16::decode_message::<ResetResponse>(&result.payload).is_ok(),
                    ocpp16::decode_message::<UpdateFirmwareResponse>(&result.payload).is_ok(),
                    ocpp16::decode_message::<GetDiagnosticsResponse>(&result.payload).is_ok(),
                ]
                .iter()
                .all(|ok| !ok)
                {
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

impl FileTransfer for LoopbackCsms {
    fn get(&mut self, id: u32, url: &str) {
        match self.files.iter().find(|(u, ..)| u == url) {
            Some((_, product, version, corrupt)) => {
                let mut content = firmware_file::pack(product, version, &BODY);
                if let Some(last) = content.last_mut().filter(|_| *corrupt) {
                    *last ^= 1;
                }
                let total = Some(content.len() as u64);
                self.transfers.push_back((id, FileEvent::Started { total }));
                for chunk in content.chunks(CHUNK) {
                    self.transfers
                        .push_back((id, FileEvent::Data(Vec::from(chunk))));
                }
                self.transfers.push_back((id, FileEvent::Done));
            }
            None => self.transfers.push_back((
                id,
                FileEvent::Failed(format!("HTTP 404 Not Found from {url}")),
            )),
        }
    }

    fn put(&mut self, id: u32, url: &str, name: &str, content: &[u8]) {
        let text = core::str::from_utf8(content).unwrap_or("");
        let wanted = |l: &&str| l.contains("InstallationFailed") || l.contains("installed");
        let lines: String = text.lines().filter(wanted).collect();
        self.record
            .uploads
            .push((String::from(url), String::from(name), lines));
        self.transfers
            .push_back((id, FileEvent::Started { total: None }));
        self.transfers.push_back((id, FileEvent::Done));
    }

    fn poll_file(&mut self) -> Option<(u32, FileEvent)> {
        self.transfers.pop_front()
    }
}
