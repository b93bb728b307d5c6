//! The control channel (`evc run … --control ADDR`): a local WebSocket API, JSON text
//! messages, to drive any charge point of the fleet (plug, unplug, tap a card, pause the
//! EV, faults, speed, drop the link, factory reset), wait for a status or a frame, read
//! the trace and stream a charge point's events and frames. `docs/control.md` is the
//! protocol.
//!
//! Without `--control` none of it exists: no listener, no task, and each charge point's
//! `Station::control` is `None` (no channel, no trace ring). With it, each charge point
//! gets a request queue shared with the connections (`port::Shared`: a stream sender
//! only while someone subscribes) and a ring of its last frames; the connection tasks
//! here talk to them, and the charge point's own task carries the requests out between
//! its other inputs (`station/control.rs`), so the engine is never shared.

pub(crate) mod port;
pub(crate) mod protocol;

use std::{
    collections::HashMap,
    net::{SocketAddr, ToSocketAddrs},
    sync::Arc,
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{broadcast, mpsc, oneshot, watch},
    task::{AbortHandle, JoinSet},
};
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, info};

use self::{
    port::{Ask, INBOX_CAPACITY, Notice, Port, Refused, Shared},
    protocol::{Error, Request, Verb},
};

/// What the installer set at every start (`--config`, `--auth-key`,
/// `--security-profile`), applied again after a factory reset.
#[derive(Debug, Default)]
pub(crate) struct Installer {
    pub(crate) config: Vec<(String, String)>,
    pub(crate) security_profile: Option<u8>,
    pub(crate) auth_key: bool,
}

/// One charge point as the connections see it.
#[derive(Debug)]
struct Entry {
    id: Box<str>,
    shared: Arc<Shared>,
}

impl Entry {
    fn refused(&self, why: Refused) -> Error {
        match why {
            Refused::Stopped => {
                Error::new("stopped", format!("charge point {} has stopped", self.id))
            }
            Refused::Busy => Error::new(
                "busy",
                format!(
                    "charge point {} already has {INBOX_CAPACITY} requests waiting; send more once they are answered",
                    self.id
                ),
            ),
        }
    }

    fn subscribe(&self) -> Result<broadcast::Receiver<Notice>, Error> {
        self.shared.subscribe().map_err(|e| self.refused(e))
    }
}

/// The listener and the charge points, until it serves.
#[derive(Debug)]
pub(crate) struct Control {
    listener: TcpListener,
    entries: Vec<Entry>,
    installer: Arc<Installer>,
    trace_capacity: usize,
}

/// Whether `--control` may listen on `addr` (loopback only, unless `any`).
pub(crate) fn check_address(text: &str, any: bool) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| {
            format!("--control {text}: not an address and port ({e}); try 127.0.0.1:9100")
        })?
        .collect();
    let first = addrs
        .first()
        .copied()
        .ok_or_else(|| format!("--control {text}: the name resolves to no address"))?;
    if !any && let Some(a) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        return Err(format!(
            "--control {text}: {} is not a loopback address; the control channel drives every charge point without authentication, so it listens only on 127.0.0.0/8 or ::1 unless --control-any-address is given",
            a.ip()
        ));
    }
    Ok(first)
}

impl Control {
    /// The channel `--control` asks for (`None` without it), bound at once.
    pub(crate) fn open(
        args: &crate::args::RunArgs,
        config: &[(String, String)],
    ) -> Result<Option<Self>, String> {
        let Some(addr) = &args.control else {
            return Ok(None);
        };
        let installer = Installer {
            config: config.to_vec(),
            security_profile: args.security_profile,
            auth_key: args.auth_key.is_some(),
        };
        let mut control = Self::bind(addr, args.control_any_address, installer)?;
        control.trace_capacity =
            usize::try_from(args.control_trace).unwrap_or(port::TRACE_CAPACITY);
        Ok(Some(control))
    }

    /// Binds the listener (before any charge point starts, so a bad address is refused
    /// as bad input).
    pub(crate) fn bind(addr: &str, any: bool, installer: Installer) -> Result<Self, String> {
        let at = check_address(addr, any)?;
        let std_listener = std::net::TcpListener::bind(at)
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .map_err(|e| format!("--control {addr}: {e}"))?;
        let listener =
            TcpListener::from_std(std_listener).map_err(|e| format!("--control {addr}: {e}"))?;
        Ok(Self {
            listener,
            entries: Vec::new(),
            installer: Arc::new(installer),
            trace_capacity: port::TRACE_CAPACITY,
        })
    }

    /// The end of the channel for charge point `id`.
    pub(crate) fn add(&mut self, id: &str) -> Box<Port> {
        let shared = Arc::new(Shared::default());
        self.entries.push(Entry {
            id: id.into(),
            shared: shared.clone(),
        });
        Box::new(Port::new(
            shared,
            self.trace_capacity,
            self.installer.clone(),
        ))
    }

    /// Serves connections until `stop` says so.
    pub(crate) async fn serve(self, mut stop: watch::Receiver<bool>) {
        if let Ok(at) = self.listener.local_addr() {
            info!("control channel on ws://{at}/ (docs/control.md)");
        }
        let hub = Arc::new(Hub::new(self.entries));
        let mut connections = JoinSet::new();
        loop {
            tokio::select! {
                _ = stop.changed() => break,
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        debug!("control connection from {peer}");
                        connections.spawn(connection(stream, hub.clone()));
                    }
                    Err(e) => debug!("control channel: accept failed: {e}"),
                },
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
    }
}

/// The charge points, by id.
#[derive(Debug)]
struct Hub {
    entries: Vec<Entry>,
    /// The entries' places sorted by their id (4 B a charge point, where a map by id
    /// cost 60).
    index: Vec<u32>,
}

impl Hub {
    fn new(entries: Vec<Entry>) -> Self {
        let mut index: Vec<u32> = (0..entries.len())
            .filter_map(|i| u32::try_from(i).ok())
            .collect();
        index.sort_unstable_by(|a, b| Self::id_of(&entries, *a).cmp(Self::id_of(&entries, *b)));
        Self { entries, index }
    }

    fn id_of(entries: &[Entry], slot: u32) -> &str {
        usize::try_from(slot)
            .ok()
            .and_then(|i| entries.get(i))
            .map_or("", |e| &e.id)
    }

    /// The place of charge point `cp`.
    fn slot(&self, cp: &str) -> Option<usize> {
        let at = self
            .index
            .binary_search_by(|s| Self::id_of(&self.entries, *s).cmp(cp))
            .ok()?;
        usize::try_from(*self.index.get(at)?).ok()
    }

    fn entry(&self, cp: &str) -> Result<&Entry, Error> {
        self.slot(cp)
            .and_then(|i| self.entries.get(i))
            .ok_or_else(|| {
                Error::new(
                    "unknown_cp",
                    format!("no charge point {cp:?} in this run (\"list\" names them)"),
                )
            })
    }
}

/// Asks a charge point's task to carry a verb out.
async fn ask(entry: &Entry, verb: Verb) -> Result<Value, Error> {
    let (reply, answer) = oneshot::channel();
    entry
        .shared
        .send(Ask { verb, reply })
        .map_err(|e| entry.refused(e))?;
    answer.await.map_err(|_| entry.refused(Refused::Stopped))?
}

/// One client: requests in, replies and stream messages out.
async fn connection(stream: TcpStream, hub: Arc<Hub>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (out, mut outgoing) = mpsc::channel::<String>(1024);
    let mut waits = JoinSet::new();
    let mut subs: HashMap<usize, AbortHandle> = HashMap::new();
    let mut streams = JoinSet::new();
    loop {
        tokio::select! {
            msg = source.next() => match msg {
                Some(Ok(Message::Text(text))) => {
                    let reply = handle(text.as_str(), &hub, &out, &mut waits, &mut subs, &mut streams).await;
                    if let Some(reply) = reply
                        && sink.send(Message::Text(reply.into())).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    let e = Error::new("bad_json", "a request is a JSON text message, not binary");
                    if sink.send(Message::Text(protocol::error(&Value::Null, &e).into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            Some(text) = outgoing.recv() => {
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            Some(_) = waits.join_next(), if !waits.is_empty() => {}
            Some(_) = streams.join_next(), if !streams.is_empty() => {}
        }
    }
}

/// One request: the reply now, or `None` when a task replies later (a wait).
async fn handle(
    text: &str,
    hub: &Arc<Hub>,
    out: &mpsc::Sender<String>,
    waits: &mut JoinSet<()>,
    subs: &mut HashMap<usize, AbortHandle>,
    streams: &mut JoinSet<()>,
) -> Option<String> {
    let Request { id, cp, verb } = match protocol::parse(text) {
        Ok(r) => r,
        Err((id, e)) => return Some(protocol::error(&id, &e)),
    };
    let reply = |r: Result<Value, Error>| match r {
        Ok(v) => protocol::ok(&id, v),
        Err(e) => protocol::error(&id, &e),
    };
    let Some(cp) = cp else {
        // `list`, the one verb without a charge point.
        let mut cps = Vec::with_capacity(hub.entries.len());
        for entry in &hub.entries {
            cps.push(
                ask(entry, Verb::Status)
                    .await
                    .unwrap_or_else(|e| json!({"cp": entry.id, "error": e.message})),
            );
        }
        return Some(reply(Ok(json!({ "cps": cps }))));
    };
    let slot = match hub.slot(&cp) {
        Some(i) => i,
        None => return Some(reply(hub.entry(&cp).map(|_| Value::Null))),
    };
    let Some(entry) = hub.entries.get(slot) else {
        return Some(reply(hub.entry("").map(|_| Value::Null)));
    };
    match verb {
        Verb::WaitStatus { .. } | Verb::WaitFrame { .. } => {
            // Subscribed before the state is read, so nothing falls between.
            let notices = match entry.subscribe() {
                Ok(n) => n,
                Err(e) => return Some(reply(Err(e))),
            };
            let hub = hub.clone();
            let out = out.clone();
            waits.spawn(async move {
                let Some(entry) = hub.entries.get(slot) else {
                    return;
                };
                let result = wait(entry, verb, notices).await;
                let text = match result {
                    Ok(v) => protocol::ok(&id, v),
                    Err(e) => protocol::error(&id, &e),
                };
                let _ = out.send(text).await;
            });
            None
        }
        Verb::Subscribe { frames, events } => {
            let mut notices = match entry.subscribe() {
                Ok(n) => n,
                Err(e) => return Some(reply(Err(e))),
            };
            if let Some(old) = subs.remove(&slot) {
                old.abort();
            }
            let out = out.clone();
            let sub = id.clone();
            let cp_id = entry.id.clone();
            let handle = streams.spawn(async move {
                loop {
                    let text = match notices.recv().await {
                        Ok(n) if (n.is_frame() && frames) || (!n.is_frame() && events) => {
                            n.to_json(&cp_id, &sub)
                        }
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(n)) => {
                            json!({"event": "lagged", "sub": sub, "cp": cp_id, "missed": n})
                                .to_string()
                        }
                        Err(broadcast::error::RecvError::Closed) => break,
                    };
                    if out.send(text).await.is_err() {
                        break;
                    }
                }
            });
            subs.insert(slot, handle);
            Some(reply(Ok(
                json!({"cp": entry.id, "frames": frames, "events": events}),
            )))
        }
        Verb::Unsubscribe => {
            let was = subs.remove(&slot).map(|h| h.abort()).is_some();
            Some(reply(Ok(json!({"cp": entry.id, "was_subscribed": was}))))
        }
        other => Some(reply(ask(entry, other).await)),
    }
}

/// A `wait_status` or `wait_frame`: what is there now, then the stream, until the timeout.
async fn wait(
    entry: &Entry,
    verb: Verb,
    mut notices: broadcast::Receiver<Notice>,
) -> Result<Value, Error> {
    let now = ask(entry, Verb::Status).await?;
    let (timeout, status, action, from_cp) = match &verb {
        Verb::WaitStatus { status, timeout } => (*timeout, Some(*status), None, None),
        Verb::WaitFrame {
            action,
            from_cp,
            since,
            timeout,
        } => {
            let last = now.get("last_seq").and_then(Value::as_u64).unwrap_or(0);
            let since = since.unwrap_or(last);
            let kept = ask(
                entry,
                Verb::Trace {
                    since,
                    limit: usize::MAX,
                },
            )
            .await?;
            if let Some(f) = kept
                .get("frames")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find(|f| frame_matches(f, action, *from_cp))
            {
                return Ok(json!({"cp": entry.id, "frame": f}));
            }
            (*timeout, None, Some(action.clone()), *from_cp)
        }
        _ => return Err(Error::new("bad_request", "not a wait")),
    };
    if let Some(want) = status
        && now.get("status").and_then(Value::as_str) == Some(want.as_str())
    {
        return Ok(now);
    }
    let watch = async {
        loop {
            match notices.recv().await {
                Ok(Notice::Status {
                    connector: 1,
                    status: got,
                }) if Some(got) == status => return ask(entry, Verb::Status).await,
                Ok(Notice::Frame(f)) => {
                    if let Some(action) = &action {
                        let v = serde_json::to_value(&*f).unwrap_or(Value::Null);
                        if frame_matches(&v, action, from_cp) {
                            return Ok(json!({"cp": entry.id, "frame": v}));
                        }
                    }
                }
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => {
                    return Err(Error::new(
                        "stopped",
                        format!("charge point {} has stopped", entry.id),
                    ));
                }
            }
        }
    };
    tokio::time::timeout(timeout, watch)
        .await
        .unwrap_or_else(|_| {
            let what = status.map_or_else(
                || format!("a {} frame", action.as_deref().unwrap_or("?")),
                |s| format!("status {s}"),
            );
            Err(Error::new(
                "timeout",
                format!(
                    "{}: no {what} within {:.1} s",
                    entry.id,
                    timeout.as_secs_f64()
                ),
            ))
        })
}

/// Whether a trace frame (as JSON) is a CALL of `action` in direction `from_cp`.
fn frame_matches(f: &Value, action: &str, from_cp: Option<bool>) -> bool {
    let dir_ok = match from_cp {
        None => true,
        Some(true) => f.get("dir").and_then(Value::as_str) == Some("send"),
        Some(false) => f.get("dir").and_then(Value::as_str) == Some("recv"),
    };
    dir_ok && f.get("action").and_then(Value::as_str) == Some(action)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use super::*;

    #[test]
    fn only_loopback_unless_asked() {
        assert!(check_address("127.0.0.1:9100", false).is_ok());
        assert!(check_address("127.5.0.1:0", false).is_ok());
        assert!(check_address("[::1]:9100", false).is_ok());
        let e = check_address("0.0.0.0:9100", false).unwrap_err();
        assert!(
            e.contains("not a loopback address") && e.contains("--control-any-address"),
            "{e}"
        );
        assert!(check_address("192.168.1.2:9100", false).is_err());
        assert!(check_address("[::]:9100", false).is_err());
        assert!(check_address("0.0.0.0:9100", true).is_ok());
        assert!(
            check_address("nonsense", false)
                .unwrap_err()
                .contains("not an address")
        );
    }

    #[test]
    fn charge_points_are_found_by_id_in_any_order() {
        let ids = ["CP0002", "A", "CP0010", "CP0001", "zz"];
        let hub = Hub::new(
            ids.iter()
                .map(|id| Entry {
                    id: (*id).into(),
                    shared: Arc::default(),
                })
                .collect(),
        );
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(hub.slot(id), Some(i));
        }
        assert_eq!(hub.slot("CP0003"), None);
        assert_eq!(hub.slot(""), None);
        assert_eq!(hub.entry("B").unwrap_err().code, "unknown_cp");
    }

    #[test]
    fn frames_match_by_action_and_direction() {
        let f = json!({"dir": "send", "action": "StartTransaction"});
        assert!(frame_matches(&f, "StartTransaction", None));
        assert!(frame_matches(&f, "StartTransaction", Some(true)));
        assert!(!frame_matches(&f, "StartTransaction", Some(false)));
        assert!(!frame_matches(&f, "Heartbeat", None));
    }
}
