//! The control channel's end inside one charge point's task: the requests it is sent,
//! the frames it keeps (a bounded ring, numbered), and the stream of its frames and
//! events to subscribers. A charge point has one only when `--control` was given.

use std::{collections::VecDeque, sync::Arc};

use chargepoint::Event;
use ocpp16::messages::{ChargePointErrorCode, ChargePointStatus};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc, oneshot};

use super::protocol::{Error, Verb};

/// Frames each charge point keeps for `trace` (about 300 bytes each).
pub(crate) const TRACE_CAPACITY: usize = 500;

/// One frame as the control channel shows it (the AuthorizationKey redacted).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Frame {
    /// Its number, counting from 1 for this charge point since the run started.
    pub(crate) seq: u64,
    /// Wall time (UTC, RFC 3339).
    pub(crate) t: String,
    /// Engine ms.
    pub(crate) ms: u64,
    /// `send` (by the charge point) or `recv` (from the CSMS), as in `--trace`.
    pub(crate) dir: &'static str,
    /// The action of a CALL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<String>,
    /// The text.
    pub(crate) frame: String,
}

/// What a charge point streams to its subscribers.
#[derive(Debug, Clone)]
pub(crate) enum Notice {
    /// A frame passed.
    Frame(Arc<Frame>),
    /// Connector `connector`'s status changed.
    Status {
        /// The connector (0: the box).
        connector: u32,
        /// Its status.
        status: ChargePointStatus,
    },
    /// Anything else, already as its JSON (`{"event": "…", …}`).
    Other(Arc<Value>),
}

impl Notice {
    /// Whether it is a frame (subscribers choose frames, events or both).
    pub(crate) const fn is_frame(&self) -> bool {
        matches!(self, Self::Frame(_))
    }

    /// As a stream message of subscription `sub` to charge point `cp`.
    pub(crate) fn to_json(&self, cp: &str, sub: &Value) -> String {
        let mut value = match self {
            Self::Frame(f) => {
                let mut v = serde_json::to_value(&**f).unwrap_or(Value::Null);
                if let Value::Object(o) = &mut v {
                    o.insert(String::from("event"), Value::from("frame"));
                }
                v
            }
            Self::Status { connector, status } => {
                json!({"event": "status", "connector": connector, "status": status.as_str()})
            }
            Self::Other(v) => (**v).clone(),
        };
        if let Value::Object(o) = &mut value {
            o.insert(String::from("sub"), sub.clone());
            o.insert(String::from("cp"), Value::from(cp));
        }
        value.to_string()
    }
}

/// A request for one charge point, with where its answer goes.
#[derive(Debug)]
pub(crate) struct Ask {
    /// What to do (never `list`, `wait_*`, `subscribe`: the connection does those).
    pub(crate) verb: Verb,
    /// The reply's fields, or why it could not be done.
    pub(crate) reply: oneshot::Sender<Result<Value, Error>>,
}

/// The charge point's end of the channel.
#[derive(Debug)]
pub(crate) struct Port {
    pub(crate) asks: mpsc::Receiver<Ask>,
    notices: broadcast::Sender<Notice>,
    frames: VecDeque<Arc<Frame>>,
    last_seq: u64,
    /// Connector 1's error code as last reported.
    pub(crate) error: ChargePointErrorCode,
    /// The installer's settings, applied again after a factory reset.
    pub(crate) installer: Arc<super::Installer>,
}

impl Port {
    pub(crate) fn new(
        asks: mpsc::Receiver<Ask>,
        notices: broadcast::Sender<Notice>,
        installer: Arc<super::Installer>,
    ) -> Self {
        Self {
            asks,
            notices,
            frames: VecDeque::new(),
            last_seq: 0,
            error: ChargePointErrorCode::NoError,
            installer,
        }
    }

    /// The number of the latest frame (0: none yet).
    pub(crate) const fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// A frame passed: kept, and streamed.
    pub(crate) fn frame(&mut self, ms: u64, sent: bool, text: &str) {
        self.last_seq += 1;
        let frame = Arc::new(Frame {
            seq: self.last_seq,
            t: crate::sys::wall_clock().to_rfc3339(),
            ms,
            dir: if sent { "send" } else { "recv" },
            action: call_action(text),
            frame: chargepoint::redact(text),
        });
        if self.frames.len() >= TRACE_CAPACITY {
            self.frames.pop_front();
        }
        self.frames.push_back(frame.clone());
        self.notify(Notice::Frame(frame));
    }

    /// The frames after `since`, at most the newest `limit`.
    pub(crate) fn frames_since(&self, since: u64, limit: usize) -> Vec<Arc<Frame>> {
        let newer: Vec<_> = self
            .frames
            .iter()
            .filter(|f| f.seq > since)
            .cloned()
            .collect();
        let skip = newer.len().saturating_sub(limit);
        newer.into_iter().skip(skip).collect()
    }

    /// The oldest frame still kept.
    pub(crate) fn first_seq(&self) -> Option<u64> {
        self.frames.front().map(|f| f.seq)
    }

    /// An event of the engine, for subscribers.
    pub(crate) fn event(&mut self, event: &Event) {
        if let Event::StatusChanged {
            connector, error, ..
        } = event
            && *connector == 1
        {
            self.error = *error;
        }
        if self.notices.receiver_count() == 0 {
            return;
        }
        if let Some(notice) = notice(event) {
            self.notify(notice);
        }
    }

    /// The link to the CSMS opened or closed.
    pub(crate) fn link(&self, open: bool, why: Option<&str>) {
        if self.notices.receiver_count() > 0 {
            let v = json!({"event": "link", "state": if open { "open" } else { "closed" }, "reason": why});
            self.notify(Notice::Other(Arc::new(v)));
        }
    }

    fn notify(&self, notice: Notice) {
        // No subscriber is not an error.
        let _ = self.notices.send(notice);
    }
}

/// An engine event as a notice (frames come from the station's I/O, not from here).
fn notice(event: &Event) -> Option<Notice> {
    let v = match event {
        Event::StatusChanged {
            connector, status, ..
        } => {
            return Some(Notice::Status {
                connector: *connector,
                status: *status,
            });
        }
        Event::Authorization { id_tag, accepted } => {
            json!({"event": "authorization", "idTag": id_tag, "accepted": accepted})
        }
        Event::TransactionStarted {
            transaction_id,
            id_tag,
        } => {
            json!({"event": "transaction_started", "transactionId": transaction_id, "idTag": id_tag})
        }
        Event::TransactionStopped {
            transaction_id,
            reason,
        } => {
            json!({"event": "transaction_stopped", "transactionId": transaction_id, "reason": reason.as_str()})
        }
        Event::Registration(status) => json!({"event": "registration", "status": status.as_str()}),
        Event::Warning(text) => json!({"event": "warning", "text": text}),
        Event::MessageLost { action, reason } => {
            json!({"event": "message_lost", "action": action.as_str(), "reason": reason})
        }
        Event::Firmware { status, reason } => {
            json!({"event": "firmware", "status": status.as_str(), "reason": reason})
        }
        Event::Diagnostics { status, reason } => {
            json!({"event": "diagnostics", "status": status.as_str(), "reason": reason})
        }
        Event::SecurityEvent { kind, tech_info } => {
            json!({"event": "security_event", "type": kind, "techInfo": tech_info})
        }
        _ => return None,
    };
    Some(Notice::Other(Arc::new(v)))
}

/// The action of a CALL frame (`[2, "id", "Action", {…}]`), read cheaply.
pub(crate) fn call_action(text: &str) -> Option<String> {
    let rest = text.trim_start().strip_prefix('[')?.trim_start();
    let rest = rest.strip_prefix('2')?.trim_start().strip_prefix(',')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    let rest = rest.get(end + 1..)?.trim_start().strip_prefix(',')?;
    let rest = rest.trim_start().strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest.get(..end)?.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;

    #[test]
    fn actions_of_calls() {
        assert_eq!(
            call_action(r#"[2,"a.1","StartTransaction",{}]"#).as_deref(),
            Some("StartTransaction")
        );
        assert_eq!(
            call_action(r#" [ 2 , "x" , "Heartbeat" , {}]"#).as_deref(),
            Some("Heartbeat")
        );
        assert_eq!(call_action(r#"[3,"a.1",{}]"#), None);
        assert_eq!(call_action("junk"), None);
    }

    #[test]
    fn the_trace_is_bounded_and_numbered() {
        let (_tx, rx) = mpsc::channel(1);
        let (notices, _) = broadcast::channel(4);
        let mut port = Port::new(rx, notices, Arc::new(super::super::Installer::default()));
        for i in 0..TRACE_CAPACITY + 10 {
            port.frame(
                u64::try_from(i).unwrap(),
                i % 2 == 0,
                r#"[2,"1","Heartbeat",{}]"#,
            );
        }
        assert_eq!(port.last_seq(), u64::try_from(TRACE_CAPACITY).unwrap() + 10);
        assert_eq!(port.first_seq(), Some(11));
        let last = port.frames_since(0, 2);
        assert_eq!(last.iter().map(|f| f.seq).collect::<Vec<_>>(), [509, 510]);
        assert_eq!(last[0].dir, "send");
        assert_eq!(last[0].action.as_deref(), Some("Heartbeat"));
        assert!(port.frames_since(510, 10).is_empty());
    }

    #[test]
    fn notices_as_stream_messages() {
        let n = Notice::Status {
            connector: 1,
            status: ChargePointStatus::Charging,
        };
        let v: Value = serde_json::from_str(&n.to_json("CP1", &json!(3))).unwrap();
        assert_eq!(
            v,
            json!({"event": "status", "connector": 1, "status": "Charging", "sub": 3, "cp": "CP1"})
        );
    }
}
