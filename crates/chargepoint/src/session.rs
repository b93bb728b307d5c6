//! The OCPP-J session: our CALLs queued and sent one at a time, each answer matched to
//! the CALL it answers, unique message ids.

use alloc::{collections::VecDeque, string::String};
use ocpp16::Request;

/// Why a CALL was sent: what to do with its answer, and whether it survives a lost
/// connection (transaction messages do; the rest are dropped or rebuilt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    Boot,
    Heartbeat,
    Status,
    /// An idTag check; `remote` when it authorizes a RemoteStartTransaction, `stop`
    /// when a card of another idTag asks to stop the transaction (same parentIdTag?).
    Authorize {
        remote: bool,
        stop: bool,
    },
    /// StartTransaction of the local transaction `tx`.
    StartTx {
        tx: u32,
    },
    /// StopTransaction of the local transaction `tx`.
    StopTx {
        tx: u32,
    },
    /// MeterValues of the local transaction `tx`.
    TxMeter {
        tx: u32,
    },
    /// MeterValues outside a transaction (clock-aligned).
    Meter,
    /// A message the CSMS asked for with TriggerMessage (not a transaction message).
    Triggered,
    /// A FirmwareStatusNotification or DiagnosticsStatusNotification of a status
    /// change: kept across a lost connection (not across a power cut), so the CSMS
    /// hears of every step of an update that ran offline or rebooted the box.
    Notification,
    /// A SecurityEventNotification: durable and retried like a transaction message
    /// (Security Whitepaper: queued while offline, delivered in order).
    SecurityEvent,
}

impl Purpose {
    /// Transaction messages are kept across disconnects and retried.
    pub(crate) const fn is_transaction_message(self) -> bool {
        matches!(
            self,
            Self::StartTx { .. } | Self::StopTx { .. } | Self::TxMeter { .. }
        )
    }

    /// Kept in the durable state and tried again after a failed delivery:
    /// transaction messages and security events.
    pub(crate) const fn is_durable(self) -> bool {
        self.is_transaction_message() || matches!(self, Self::SecurityEvent)
    }

    /// Kept across a lost connection: durable messages and status notifications.
    pub(crate) const fn survives_disconnect(self) -> bool {
        self.is_durable() || matches!(self, Self::Notification)
    }
}

/// A CALL waiting to be sent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outgoing {
    pub(crate) request: Request,
    pub(crate) purpose: Purpose,
    /// Failed deliveries so far.
    pub(crate) attempts: u32,
}

/// The CALL we sent and wait an answer for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pending {
    pub(crate) id: String,
    pub(crate) out: Outgoing,
}

/// Connection state and our side of the request/response traffic.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Session {
    connected: bool,
    next_id: u64,
    /// This boot's message id prefix (base-36 digits).
    prefix: [u8; 6],
    pending: Option<Pending>,
    queue: VecDeque<Outgoing>,
    /// A durable message was queued since the durable state was last taken.
    dirty: bool,
}

impl Session {
    /// A new message id, `<boot prefix>.<counter>`: the prefix is drawn from the
    /// home's entropy at every boot, so ids stay unique across connections, reboots and
    /// restarts of the home (a CSMS that caches answers by id never sees one twice).
    /// At most 6 + 1 + 20 characters, within OCPP-J's 36.
    pub(crate) fn new_id(&mut self) -> String {
        self.next_id = self.next_id.wrapping_add(1);
        let mut id: String = self.prefix.iter().map(|b| char::from(*b)).collect();
        id.push('.');
        id.push_str(&alloc::format!("{}", self.next_id));
        id
    }

    /// A new boot: a new prefix from `random`, the counter from 1.
    pub(crate) fn new_boot(&mut self, mut random: u64) {
        const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        for c in &mut self.prefix {
            *c = DIGITS
                .get(usize::try_from(random % 36).unwrap_or(0))
                .copied()
                .unwrap_or(b'0');
            random /= 36;
        }
        self.next_id = 0;
    }

    /// Whether the connection is up.
    pub(crate) const fn is_connected(&self) -> bool {
        self.connected
    }

    /// The connection is up; `false` if it already was.
    pub(crate) fn connect(&mut self) -> bool {
        !core::mem::replace(&mut self.connected, true)
    }

    /// Whether a transaction message was queued since the last call.
    pub(crate) fn take_dirty(&mut self) -> bool {
        core::mem::take(&mut self.dirty)
    }

    /// CALLs in flight or queued.
    pub(crate) fn undelivered(&self) -> usize {
        usize::from(self.pending.is_some()) + self.queue.len()
    }

    /// Every CALL not yet answered, the one in flight first.
    pub(crate) fn unanswered(&self) -> impl Iterator<Item = &Outgoing> {
        self.pending.iter().map(|p| &p.out).chain(self.queue.iter())
    }

    /// Whether a queued CALL (not the one in flight) is of this kind.
    pub(crate) fn queued(&self, kind: impl Fn(Purpose) -> bool) -> bool {
        self.queue.iter().any(|o| kind(o.purpose))
    }

    /// Drops every queued CALL of this kind.
    pub(crate) fn drop_queued(&mut self, kind: impl Fn(Purpose) -> bool) {
        self.queue.retain(|o| !kind(o.purpose));
    }

    /// A transaction message read back from the durable state.
    pub(crate) fn restore(&mut self, out: Outgoing) {
        self.queue.push_back(out);
    }

    /// The CALL in flight, taken (its answer will not come: a timeout).
    pub(crate) fn take_in_flight(&mut self) -> Option<Pending> {
        self.pending.take()
    }

    /// The next CALL to send when the line is free and `may_send` allows the first in
    /// line; `None` otherwise. Send it, then [`Session::in_flight`].
    pub(crate) fn next_to_send(
        &mut self,
        may_send: impl Fn(&Outgoing) -> bool,
    ) -> Option<Outgoing> {
        if !self.connected || self.pending.is_some() {
            return None;
        }
        if !may_send(self.queue.front()?) {
            return None;
        }
        self.queue.pop_front()
    }

    /// The CALL just sent waits for its answer.
    pub(crate) fn in_flight(&mut self, id: String, out: Outgoing) {
        self.pending = Some(Pending { id, out });
    }

    pub(crate) fn push(&mut self, request: Request, purpose: Purpose) {
        self.dirty |= purpose.is_durable();
        self.queue.push_back(Outgoing {
            request,
            purpose,
            attempts: 0,
        });
    }

    pub(crate) fn push_front(&mut self, out: Outgoing) {
        self.queue.push_front(out);
    }

    /// Whether a message that must reach the CSMS before a reboot is still on its way
    /// (a transaction message or a firmware / diagnostics status notification).
    pub(crate) fn has_messages_to_deliver(&self) -> bool {
        self.pending
            .as_ref()
            .is_some_and(|p| p.out.purpose.survives_disconnect())
            || self.queue.iter().any(|o| o.purpose.survives_disconnect())
    }

    /// The connection is gone: the CALL in flight is lost; transaction messages go back
    /// to the front of the queue, everything else that only made sense on this
    /// connection is dropped (but firmware and diagnostics status notifications).
    /// StatusNotifications are rebuilt from the current status.
    pub(crate) fn lose_connection(&mut self) {
        self.connected = false;
        if let Some(pending) = self.pending.take()
            && pending.out.purpose.survives_disconnect()
        {
            self.queue.push_front(pending.out);
        }
        self.queue.retain(|o| o.purpose.survives_disconnect());
    }

    /// Takes the answer's CALL if `id` is the one in flight.
    pub(crate) fn take_pending(&mut self, id: &str) -> Option<Pending> {
        if self.pending.as_ref().is_some_and(|p| p.id == id) {
            self.pending.take()
        } else {
            None
        }
    }
}

/// Call timeout default: how long the engine waits for an answer to its CALL.
pub(crate) const DEFAULT_CALL_TIMEOUT_MS: u64 = 30_000;
