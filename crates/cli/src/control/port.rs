//! The control channel's end inside one charge point's task: the requests it is sent,
//! the frames it keeps (a bounded ring, numbered), and the stream of its frames and
//! events to subscribers. A charge point has one only when `--control` was given, and
//! while no client uses it, it holds the ring and a few words: the request queue is
//! empty, the stream's buffer exists only while someone subscribes.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    task::{Context, Poll, Waker},
};

use chargepoint::Event;
use ocpp16::messages::{ChargePointErrorCode, ChargePointStatus};
use serde::{Serialize, ser::SerializeStruct};
use serde_json::{Value, json};
use tokio::sync::{broadcast, oneshot};

use super::protocol::{Error, Verb};

/// Frames each charge point keeps for `trace` unless `--control-trace` says otherwise.
pub(crate) const TRACE_CAPACITY: usize = 500;

/// Requests waiting for one charge point's task before more are refused as `busy`.
pub(crate) const INBOX_CAPACITY: usize = 64;

/// Notices a subscriber may fall behind by before it is told it `lagged`.
const STREAM_CAPACITY: usize = 1024;

/// One frame as the control channel keeps it (the AuthorizationKey and URL passwords
/// already redacted); its wall time and action are rendered when it is read.
#[derive(Debug)]
pub(crate) struct Frame {
    /// Its number, counting from 1 for this charge point since the run started.
    pub(crate) seq: u64,
    /// Wall time, Unix ms.
    wall_ms: i64,
    /// Engine ms.
    ms: u64,
    /// Sent by the charge point (`send`), or from the CSMS (`recv`).
    sent: bool,
    /// The text.
    frame: Box<str>,
}

impl Frame {
    /// `send` or `recv`, as in `--trace`.
    pub(crate) const fn dir(&self) -> &'static str {
        if self.sent { "send" } else { "recv" }
    }

    /// The action, for a CALL.
    pub(crate) fn action(&self) -> Option<String> {
        call_action(&self.frame)
    }
}

impl Serialize for Frame {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let action = self.action();
        let mut o = s.serialize_struct("Frame", 5 + usize::from(action.is_some()))?;
        o.serialize_field("seq", &self.seq)?;
        let t = ocpp16::DateTime::from_unix_millis(self.wall_ms).to_rfc3339();
        o.serialize_field("t", &t)?;
        o.serialize_field("ms", &self.ms)?;
        o.serialize_field("dir", self.dir())?;
        if let Some(a) = &action {
            o.serialize_field("action", a)?;
        }
        o.serialize_field("frame", &*self.frame)?;
        o.end()
    }
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

/// Why a request or a subscription did not reach a charge point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Its task has ended.
    Stopped,
    /// [`INBOX_CAPACITY`] requests already wait for it.
    Busy,
}

/// What a charge point's task and the control connections share: the requests on
/// their way in, and the stream's sender while anyone subscribes.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    asks: VecDeque<Ask>,
    /// The charge point's task, when it waits for a request.
    waker: Option<Waker>,
    /// `None` until the first subscriber, and again once the last one has gone.
    notices: Option<broadcast::Sender<Notice>>,
    /// The charge point's task has ended.
    closed: bool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a request for the charge point's task.
    pub(crate) fn send(&self, ask: Ask) -> Result<(), Refused> {
        let waker = {
            let mut s = self.state();
            if s.closed {
                return Err(Refused::Stopped);
            }
            if s.asks.len() >= INBOX_CAPACITY {
                return Err(Refused::Busy);
            }
            s.asks.push_back(ask);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// A receiver of the charge point's frames and events from now on.
    pub(crate) fn subscribe(&self) -> Result<broadcast::Receiver<Notice>, Refused> {
        let mut s = self.state();
        if s.closed {
            return Err(Refused::Stopped);
        }
        Ok(s.notices
            .get_or_insert_with(|| broadcast::channel(STREAM_CAPACITY).0)
            .subscribe())
    }

    /// Whether anyone subscribes (the stream's buffer is dropped once no one does).
    fn listening(&self) -> bool {
        let mut s = self.state();
        if s.notices.as_ref().is_some_and(|n| n.receiver_count() == 0) {
            s.notices = None;
        }
        s.notices.is_some()
    }

    fn notify(&self, notice: Notice) {
        let mut s = self.state();
        if let Some(n) = &s.notices
            && n.send(notice).is_err()
        {
            // The last subscriber has gone: free the buffer.
            s.notices = None;
        }
    }
}

/// The charge point's end of the channel.
#[derive(Debug)]
pub(crate) struct Port {
    shared: Arc<Shared>,
    frames: VecDeque<Arc<Frame>>,
    capacity: usize,
    last_seq: u64,
    /// Connector 1's error code as last reported.
    pub(crate) error: ChargePointErrorCode,
    /// The installer's settings, applied again after a factory reset.
    pub(crate) installer: Arc<super::Installer>,
}

impl Drop for Port {
    fn drop(&mut self) {
        // Requests still queued are answered `stopped` (their reply senders drop) and
        // subscribers see the stream close.
        let (asks, notices) = {
            let mut s = self.shared.state();
            s.closed = true;
            (std::mem::take(&mut s.asks), s.notices.take())
        };
        drop((asks, notices));
    }
}

impl Port {
    /// The charge point's end of `shared`, keeping the last `capacity` frames.
    pub(crate) fn new(
        shared: Arc<Shared>,
        capacity: usize,
        installer: Arc<super::Installer>,
    ) -> Self {
        Self {
            shared,
            frames: VecDeque::new(),
            capacity,
            last_seq: 0,
            error: ChargePointErrorCode::NoError,
            installer,
        }
    }

    /// The next request, or pending (registering the task to be woken) without one.
    pub(crate) fn poll_ask(&self, cx: &Context<'_>) -> Poll<Ask> {
        let mut s = self.shared.state();
        if let Some(ask) = s.asks.pop_front() {
            return Poll::Ready(ask);
        }
        if !s.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            s.waker = Some(cx.waker().clone());
        }
        Poll::Pending
    }

    /// The number of the latest frame (0: none yet).
    pub(crate) const fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// A frame passed: kept, and streamed.
    pub(crate) fn frame(&mut self, ms: u64, sent: bool, text: &str) {
        self.last_seq += 1;
        let listening = self.shared.listening();
        if self.capacity == 0 && !listening {
            return;
        }
        let frame = Arc::new(Frame {
            seq: self.last_seq,
            wall_ms: crate::sys::wall_clock().unix_millis(),
            ms,
            sent,
            frame: chargepoint::redact(text).into_boxed_str(),
        });
        if self.capacity > 0 {
            if self.frames.len() >= self.capacity {
                self.frames.pop_front();
            }
            self.frames.push_back(frame.clone());
        }
        if listening {
            self.shared.notify(Notice::Frame(frame));
        }
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
        if !self.shared.listening() {
            return;
        }
        if let Some(notice) = notice(event) {
            self.shared.notify(notice);
        }
    }

    /// The link to the CSMS opened or closed.
    pub(crate) fn link(&self, open: bool, why: Option<&str>) {
        if self.shared.listening() {
            let v = json!({"event": "link", "state": if open { "open" } else { "closed" }, "reason": why});
            self.shared.notify(Notice::Other(Arc::new(v)));
        }
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
        Event::CsmsMistake(m) => json!({
            "event": "csms_mistake",
            "kind": m.kind.as_str(),
            "action": m.action,
            "messageId": m.message_id,
            "detail": m.detail,
        }),
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
        let mut port = Port::new(
            Arc::default(),
            TRACE_CAPACITY,
            Arc::new(super::super::Installer::default()),
        );
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
        assert_eq!(last[0].dir(), "send");
        assert_eq!(last[0].action().as_deref(), Some("Heartbeat"));
        assert!(port.frames_since(510, 10).is_empty());
    }

    fn ask() -> (Ask, oneshot::Receiver<Result<Value, Error>>) {
        let (reply, answer) = oneshot::channel();
        (
            Ask {
                verb: Verb::Status,
                reply,
            },
            answer,
        )
    }

    fn port(shared: &Arc<Shared>, capacity: usize) -> Port {
        Port::new(
            shared.clone(),
            capacity,
            Arc::new(super::super::Installer::default()),
        )
    }

    #[test]
    fn requests_queue_up_to_the_bound_and_wake_the_task() {
        let shared = Arc::new(Shared::default());
        let p = port(&shared, 0);
        let woken = Arc::new(Flag::default());
        let waker = Waker::from(woken.clone());
        let cx = Context::from_waker(&waker);
        assert!(p.poll_ask(&cx).is_pending());
        let mut answers = Vec::new();
        for _ in 0..INBOX_CAPACITY {
            let (a, answer) = ask();
            shared.send(a).unwrap();
            answers.push(answer);
        }
        assert!(woken.0.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(shared.send(ask().0).unwrap_err(), Refused::Busy);
        assert!(p.poll_ask(&cx).is_ready());
        shared.send(ask().0).unwrap();
        // The task ends: what was queued is answered by the dropped reply senders.
        drop(p);
        assert_eq!(shared.send(ask().0).unwrap_err(), Refused::Stopped);
        assert_eq!(shared.subscribe().unwrap_err(), Refused::Stopped);
        let mut answer = answers.pop().unwrap();
        assert!(answer.try_recv().is_err());
        assert!(shared.state().asks.is_empty());
    }

    #[derive(Default)]
    struct Flag(std::sync::atomic::AtomicBool);

    impl std::task::Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn the_stream_exists_only_while_someone_subscribes() {
        let shared = Arc::new(Shared::default());
        let mut p = port(&shared, 0);
        p.frame(1, true, r#"[2,"1","Heartbeat",{}]"#);
        assert!(shared.state().notices.is_none());
        let mut rx = shared.subscribe().unwrap();
        p.frame(
            2,
            false,
            r#"[3,"1",{"currentTime":"2026-12-03T00:00:00Z"}]"#,
        );
        p.link(false, Some("test"));
        let Notice::Frame(f) = rx.try_recv().unwrap() else {
            panic!("not a frame")
        };
        assert_eq!((f.seq, f.dir(), f.action()), (2, "recv", None));
        assert!(matches!(rx.try_recv().unwrap(), Notice::Other(_)));
        // Nothing kept with a capacity of 0, but the numbers go on.
        assert!(p.frames_since(0, 10).is_empty());
        assert_eq!(p.last_seq(), 2);
        drop(rx);
        p.frame(3, true, r#"[2,"2","Heartbeat",{}]"#);
        assert!(shared.state().notices.is_none());
        // A subscriber sees the stream close when the task ends.
        let mut rx = shared.subscribe().unwrap();
        drop(p);
        assert!(matches!(
            rx.try_recv(),
            Err(broadcast::error::TryRecvError::Closed)
        ));
    }

    #[test]
    fn frames_serialize_as_the_protocol_shows_them() {
        let shared = Arc::new(Shared::default());
        let mut p = port(&shared, 4);
        p.frame(7, true, r#"[2,"1","Heartbeat",{}]"#);
        let v = serde_json::to_value(&*p.frames_since(0, 1)[0]).unwrap();
        assert_eq!(v["seq"], 1);
        assert_eq!(v["ms"], 7);
        assert_eq!(v["dir"], "send");
        assert_eq!(v["action"], "Heartbeat");
        assert_eq!(v["frame"], r#"[2,"1","Heartbeat",{}]"#);
        assert!(v["t"].as_str().unwrap().ends_with('Z'), "{v}");
        assert_eq!(v.as_object().unwrap().len(), 6);
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
