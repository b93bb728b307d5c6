//! Carrying out what the driver asks, in its order: the state file, frames, connection
//! attempts, closes, pings, hardware, jobs; and the events for the counters and logs.

use std::{sync::atomic::Ordering::Relaxed, time::Duration};

use chargepoint::{Command, ConnectParams, Event, Output};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::{
    Message,
    protocol::{CloseFrame, frame::coding::CloseCode},
};
use tracing::{debug, info, warn};

use super::Run;
use crate::{connect, stats::Stats};

/// `(type, id)` of an OCPP-J frame, read cheaply for the counters.
pub(super) fn kind_and_id(text: &str) -> Option<(u8, &str)> {
    let rest = text.trim_start().strip_prefix('[')?.trim_start();
    let kind = rest.bytes().next()?.checked_sub(b'0')?;
    let rest = rest.get(1..)?.trim_start().strip_prefix(',')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some((kind, rest.get(..end)?))
}

/// Writes the state file on the blocking pool (temporary file, fsync, rename).
async fn persist(file: Option<crate::store::StateFile>, json: String) -> Result<(), String> {
    let Some(file) = file else { return Ok(()) };
    match tokio::task::spawn_blocking(move || file.save(&json)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

impl Run {
    pub(super) fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// Everything the driver has to say, in its order (a persist is written before
    /// anything after it is taken).
    pub(super) async fn carry_out(&mut self) {
        while let Some(output) = self.st.driver.poll_output() {
            match output {
                Output::Persist(p) => {
                    // The state is built only when there is a file to write it to.
                    let json = match &self.st.state {
                        Some(_) => self.st.driver.durable_state().to_json(),
                        None => String::new(),
                    };
                    let result = persist(self.st.state.clone(), json).await;
                    self.st.driver.persisted(p.token, result);
                }
                Output::Send(text) => self.send(text).await,
                Output::Open(params) => self.open(*params),
                Output::Close => {
                    let why = self
                        .st
                        .driver
                        .last_link_error()
                        .unwrap_or("closed by the charge point")
                        .to_owned();
                    if let Some(mut ws) = self.drop_socket(&why) {
                        let _ = (*ws).close(None).await;
                    }
                    self.connecting = None;
                }
                Output::Ping => {
                    let ok = match &mut self.ws {
                        Some(ws) => ws.send(Message::Ping(Vec::new().into())).await.is_ok(),
                        None => true,
                    };
                    if !ok {
                        self.lost("the ping could not be sent");
                    }
                }
                Output::Hardware(Command::Rebooted { hard }) if self.shared.verbose => {
                    let how = if hard { "hard" } else { "soft" };
                    info!(cp = %self.st.id, "rebooted ({how} reset)");
                }
                Output::Hardware(_) => {}
                Output::Job(job) => self.start_job(job),
                Output::Event(event) => self.event(event),
            }
        }
    }

    /// Hands a job to the fleet's transfers; its updates come back on this box's channel.
    fn start_job(&mut self, job: chargepoint::Job) {
        if self.shared.verbose {
            info!(cp = %self.st.id, "job {}: {:?}", job.id, job.kind);
        }
        let jobs = self.jobs.get_or_insert_with(|| {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            super::Jobs { tx, rx }
        });
        let product = self.st.driver.cp().settings().identity.model.clone();
        self.shared
            .transfers
            .start(&self.st.id, &product, job, jobs.tx.clone());
    }

    /// Starts the connection attempt the driver asked for, with its URL and credentials.
    fn open(&mut self, params: ConnectParams) {
        if self.offline {
            // A scenario's offline step: this attempt fails as an unreachable CSMS's.
            self.connecting = Some(Box::pin(async {
                Err(String::from(
                    "the CSMS is unreachable (the scenario is offline)",
                ))
            }));
            return;
        }
        let shared = self.shared.clone();
        // The box's installed root and its own client certificate, when it has them;
        // a certificate rustls cannot use fails this attempt with the reason, and the
        // engine falls back as after any failed connection.
        let tls = shared
            .tls
            .for_box(&params.trusted_roots, params.client_identity.as_ref());
        // The handshake's future (about 11 KB) is made only when the gate lets this box
        // through: a fleet's boxes all wait at the gate at first, and 10,000 of those
        // futures waiting would be 100 MB the allocator keeps afterwards.
        self.connecting = Some(Box::pin(async move {
            shared.gate.wait_turn().await;
            let creds = params
                .basic_auth
                .as_ref()
                .map(|(u, p)| (u.as_str(), p.as_str()));
            Box::pin(connect::open(&params.url, creds, &tls?)).await
        }));
    }

    /// Forgets the socket (the counters follow); returns it to close it.
    pub(super) fn drop_socket(&mut self, why: &str) -> Option<crate::connect::Socket> {
        let ws = self.ws.take()?;
        if let Some(port) = &self.st.control {
            port.link(false, Some(why));
        }
        self.stats().connected.fetch_sub(1, Relaxed);
        self.in_flight = None;
        if self.shared.verbose {
            info!(cp = %self.st.id, "connection lost: {why}");
        } else {
            debug!(cp = %self.st.id, "connection lost: {why}");
        }
        Some(ws)
    }

    fn trace(&mut self, sent: bool, text: &str) {
        if let Some(port) = &mut self.st.control {
            port.frame(self.st.driver.now().as_millis(), sent, text);
        }
        if let Some(trace) = &self.shared.trace {
            let ms = self.st.driver.now().as_millis();
            let wall = crate::sys::wall_clock().to_rfc3339();
            trace.frame(&wall, ms, &self.st.id, sent, text);
        }
    }

    /// Counters and the trace for a frame from the CSMS.
    pub(super) fn count_received(&mut self, text: &str) {
        let stats = &self.shared.stats;
        stats.frames_received.fetch_add(1, Relaxed);
        if let Some((kind, id)) = kind_and_id(text) {
            if kind == 4 {
                stats.callerrors_received.fetch_add(1, Relaxed);
            }
            if (kind == 3 || kind == 4)
                && self.in_flight.as_ref().is_some_and(|(i, _)| i == id)
                && let Some((_, sent)) = self.in_flight.take()
            {
                stats.answer_latency(sent.elapsed());
            }
        }
        self.trace(false, text);
    }

    async fn send(&mut self, text: String) {
        if self.ws.is_none() {
            return;
        }
        let stats = &self.shared.stats;
        stats.frames_sent.fetch_add(1, Relaxed);
        match kind_and_id(&text) {
            Some((2, id)) => self.in_flight = Some((id.to_owned(), std::time::Instant::now())),
            Some((4, _)) => {
                stats.callerrors_sent.fetch_add(1, Relaxed);
            }
            _ => {}
        }
        self.trace(true, &text);
        let result = match &mut self.ws {
            Some(ws) => ws.send(Message::Text(text.into())).await,
            None => return,
        };
        if let Err(e) = result {
            self.lost(&format!("send failed: {e}"));
        }
    }

    fn event(&mut self, event: Event) {
        if let Some(port) = &mut self.st.control {
            port.event(&event);
        }
        let stats = &self.shared.stats;
        let verbose = self.shared.verbose;
        let id = &self.st.id;
        match event {
            Event::StatusChanged {
                connector,
                status,
                error,
            } => {
                if connector == 1 {
                    self.status = status;
                }
                if verbose {
                    info!(cp = %id, "connector {connector}: {status} ({error})");
                }
            }
            Event::TransactionStarted {
                transaction_id,
                id_tag,
            } => {
                if transaction_id.is_none() {
                    stats.transactions_started.fetch_add(1, Relaxed);
                    if !self.in_transaction {
                        self.in_transaction = true;
                        stats.in_transaction.fetch_add(1, Relaxed);
                    }
                }
                if verbose {
                    match transaction_id {
                        None => info!(cp = %id, "transaction started by {id_tag}"),
                        Some(t) => info!(cp = %id, "the CSMS numbered the transaction {t}"),
                    }
                }
            }
            Event::TransactionStopped {
                transaction_id,
                reason,
            } => {
                stats.transactions_stopped.fetch_add(1, Relaxed);
                if self.in_transaction {
                    self.in_transaction = false;
                    stats.in_transaction.fetch_sub(1, Relaxed);
                }
                if verbose {
                    let t = transaction_id.map_or_else(|| String::from("?"), |t| t.to_string());
                    info!(cp = %id, "transaction {t} stopped: {reason}");
                }
            }
            Event::Authorization { id_tag, accepted } if verbose => {
                let verdict = if accepted { "accepted" } else { "refused" };
                info!(cp = %id, "card {id_tag} {verdict}");
            }
            Event::Warning(w) => {
                stats.warnings.fetch_add(1, Relaxed);
                warn!(cp = %id, "{w}");
            }
            Event::CsmsMistake(m) => {
                stats.mistake(m.kind);
                if verbose {
                    let what = m.action.as_deref().unwrap_or("-");
                    let mid = m.message_id.as_deref().unwrap_or("-");
                    info!(cp = %id, "CSMS mistake {}: {what} id {mid}: {}", m.kind.as_str(), m.detail);
                }
            }
            Event::MessageLost { action, reason } => {
                let what = format!("{id}: {}: {reason}", action.as_str());
                warn!("a transaction message was lost: {what}");
                stats.message_lost(what);
            }
            Event::Registration(status) if verbose => {
                info!(cp = %id, "BootNotification answered {status}");
            }
            Event::Firmware { status, reason } => {
                self.transfer_note(&format!("firmware {status}"), reason.as_deref());
            }
            Event::Diagnostics { status, reason } => {
                self.transfer_note(&format!("diagnostics {status}"), reason.as_deref());
            }
            Event::Log {
                status,
                request_id,
                reason,
            } => {
                let id = request_id.map_or_else(String::new, |i| format!(" {i}"));
                self.transfer_note(&format!("log upload{id} {status}"), reason.as_deref());
            }
            Event::SecurityEvent { kind, tech_info } if verbose => match tech_info {
                Some(info) => info!(cp = %id, "security event {kind}: {info}"),
                None => info!(cp = %id, "security event {kind}"),
            },
            Event::ConnectionScheduled { after_ms } => {
                debug!(cp = %id, "next connection attempt in {after_ms} ms (engine time)");
            }
            _ => {}
        }
    }

    /// A transfer's status into the log (a failure always, as a warning) and the trace.
    fn transfer_note(&self, what: &str, reason: Option<&str>) {
        let id = &self.st.id;
        let text = match reason {
            Some(why) => {
                self.stats().warnings.fetch_add(1, Relaxed);
                warn!(cp = %id, "{what}: {why}");
                format!("{what}: {why}")
            }
            None => {
                if self.shared.verbose {
                    info!(cp = %id, "{what}");
                }
                what.to_owned()
            }
        };
        if let Some(trace) = &self.shared.trace {
            let wall = crate::sys::wall_clock().to_rfc3339();
            trace.note(&wall, self.st.driver.now().as_millis(), id, &text);
        }
    }

    /// Clean stop: the state persisted, the socket closed with a close frame.
    pub(super) async fn stop(&mut self) {
        let now = self.real();
        self.st.driver.timeout(now);
        self.carry_out().await;
        let json = match &self.st.state {
            Some(_) => self.st.driver.durable_state().to_json(),
            None => String::new(),
        };
        if let Err(e) = persist(self.st.state.clone(), json).await {
            self.stats().warnings.fetch_add(1, Relaxed);
            warn!(cp = %self.st.id, "could not write the durable state: {e}");
        }
        let register = self.st.driver.world().map_or(0, |w| w.register_mwh());
        let energy = register.saturating_sub(self.start_register_mwh) / 1_000;
        self.stats().energy_wh.fetch_add(energy, Relaxed);
        if let Some(mut ws) = self.drop_socket("charge point shutting down") {
            let frame = CloseFrame {
                code: CloseCode::Away,
                reason: "charge point shutting down".into(),
            };
            // Frames the CSMS sent before it saw the close (an answer already on its
            // way) still count, and go into the trace.
            let mut late = Vec::new();
            let closing = async {
                let _ = (*ws).close(Some(frame)).await;
                while let Some(Ok(msg)) = ws.next().await {
                    if let Message::Text(text) = msg {
                        late.push(text);
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(2), closing).await;
            for text in late {
                self.count_received(text.as_str());
            }
        }
        if self.in_transaction {
            self.stats().in_transaction.fetch_sub(1, Relaxed);
            self.stats().transactions_running.fetch_add(1, Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::kind_and_id;

    #[test]
    fn frame_kinds_are_read_cheaply() {
        assert_eq!(kind_and_id(r#"[2,"17","Heartbeat",{}]"#), Some((2, "17")));
        assert_eq!(kind_and_id(r#" [ 3 , "a-b" , {}]"#), Some((3, "a-b")));
        assert_eq!(
            kind_and_id(r#"[4,"x","NotSupported","",{}]"#),
            Some((4, "x"))
        );
        assert_eq!(kind_and_id("nonsense"), None);
        assert_eq!(kind_and_id("[2,17]"), None);
    }
}
