//! The engine's event log: a bounded ring of short, timestamped lines (boots,
//! connection up and down, status changes, transactions, configuration changes,
//! firmware and diagnostics statuses with their failure reasons, warnings). It is what
//! GetDiagnostics uploads. Bounded by [`crate::Settings::log_capacity`] lines (oldest
//! dropped first), so an MCU's heap budget holds; it lives in RAM only (a power cut
//! clears it, as a real box's RAM log).

use alloc::{collections::VecDeque, string::String};
use ocpp16::DateTime;

/// Lines the log keeps unless the settings say otherwise: 24 lines of about 60 bytes
/// cost under 2 KiB of an MCU's 16 KiB heap (the self-test's peak stays below it).
pub const DEFAULT_CAPACITY: usize = 24;

/// A bounded, timestamped log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventLog {
    capacity: usize,
    lines: VecDeque<(DateTime, String)>,
}

impl EventLog {
    /// An empty log keeping at most `capacity` lines (0: it keeps none).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            lines: VecDeque::new(),
        }
    }

    /// Adds a line at wall-clock time `at`, dropping the oldest when full.
    pub fn push(&mut self, at: DateTime, text: String) {
        if self.capacity == 0 {
            return;
        }
        let text = if crate::text::contains(&text, "://") {
            redact_url_passwords(&text)
        } else {
            text
        };
        while self.lines.len() >= self.capacity {
            self.lines.pop_front();
        }
        self.lines.push_back((at, text));
    }

    /// The lines from `start` to `stop` (both included; `None`: unbounded), oldest first.
    pub fn within(
        &self,
        start: Option<DateTime>,
        stop: Option<DateTime>,
    ) -> impl Iterator<Item = &(DateTime, String)> {
        self.lines
            .iter()
            .filter(move |(at, _)| start.is_none_or(|s| *at >= s) && stop.is_none_or(|s| *at <= s))
    }

    /// How many lines it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// The log line of an event, if it has one (frames are the driver's trace; the clock
/// is set at every Heartbeat answer; a job's end is in its owner's lines).
pub(crate) fn describe(event: &crate::interface::Event) -> Option<String> {
    use crate::interface::Event as E;
    use alloc::format;
    let id = |t: &Option<i32>| t.map_or(String::from("(no id yet)"), |t| format!("{t}"));
    Some(match event {
        E::StatusChanged {
            connector,
            status,
            error,
        } => format!(
            "status: connector {connector} {} ({})",
            status.as_str(),
            error.as_str()
        ),
        E::Authorization { id_tag, accepted } => format!(
            "card {id_tag}: {}",
            if *accepted { "accepted" } else { "refused" }
        ),
        E::TransactionStarted {
            transaction_id,
            id_tag,
        } => format!("transaction {} started by {id_tag}", id(transaction_id)),
        E::TransactionStopped {
            transaction_id,
            reason,
        } => format!(
            "transaction {} stopped: {}",
            id(transaction_id),
            reason.as_str()
        ),
        E::Registration(status) => format!("BootNotification answered {}", status.as_str()),
        E::Warning(text) => format!("warning: {text}"),
        E::Firmware { status, reason } => match reason {
            Some(why) => format!("firmware: {} ({why})", status.as_str()),
            None => format!("firmware: {}", status.as_str()),
        },
        E::Diagnostics { status, reason } => match reason {
            Some(why) => format!("diagnostics: {} ({why})", status.as_str()),
            None => format!("diagnostics: {}", status.as_str()),
        },
        E::MessageLost { action, reason } => format!("{} lost: {reason}", action.as_str()),
        E::Log {
            status,
            request_id,
            reason,
        } => {
            let id = request_id.map_or(String::new(), |i| format!(" {i}"));
            match reason {
                Some(why) => format!("log upload{id}: {} ({why})", status.as_str()),
                None => format!("log upload{id}: {}", status.as_str()),
            }
        }
        E::SecurityEvent { kind, .. } => format!("security event {kind}"),
        // The other mistakes have their warning line already.
        E::CsmsMistake(m) if m.kind == crate::mistakes::MistakeKind::Senseless => format!(
            "warning: {} makes no sense now: {}",
            m.action.as_deref().unwrap_or("a request"),
            m.detail
        ),
        E::Frame { .. }
        | E::ClockSet(_)
        | E::ConnectionScheduled { .. }
        | E::JobEnded { .. }
        | E::CsmsMistake(_) => {
            return None;
        }
    })
}

/// `text` with the password of every URL in it replaced (`ftp://user:secret@host/` →
/// `ftp://user:(redacted)@host/`): a CSMS's upload location may carry its FTP password,
/// and neither the log nor a trace is the place for it.
#[must_use]
pub fn redact_url_passwords(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = crate::text::positions(rest, "://").next() {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at a path, query, fragment, white space or a quote.
        let end = tail
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\\') || c.is_whitespace())
            .unwrap_or(tail.len());
        let (authority, after) = tail.split_at(end);
        match authority.rsplit_once('@') {
            Some((userinfo, host)) if userinfo.contains(':') => {
                let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
                out.push_str(user);
                out.push_str(":(redacted)@");
                out.push_str(host);
            }
            _ => out.push_str(authority),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_are_redacted_and_nothing_else_changes() {
        let r = redact_url_passwords;
        assert_eq!(
            r("GetDiagnostics to ftp://evc:secret@files.example:21/up failed"),
            "GetDiagnostics to ftp://evc:(redacted)@files.example:21/up failed"
        );
        assert_eq!(
            r(r#"{"location":"ftp://u:p%40ss@h/x","b":"https://a:b@c"}"#),
            r#"{"location":"ftp://u:(redacted)@h/x","b":"https://a:(redacted)@c"}"#
        );
        for same in [
            "http://files.example/fw.bin",
            "ftp://user@host/",
            "no url here",
            "a://",
            "://@:",
            "mailto:a@b",
        ] {
            assert_eq!(r(same), same);
        }
        let mut log = EventLog::new(2);
        log.push(DateTime::from_unix_millis(0), "x ftp://a:b@h y".into());
        assert!(log.within(None, None).all(|(_, l)| !l.contains(":b@")));
    }

    #[test]
    fn the_ring_keeps_the_newest_and_filters_by_time() {
        let t = |s: i64| DateTime::from_unix_millis(s * 1000);
        let mut log = EventLog::new(3);
        for s in 0..5 {
            log.push(t(s), alloc::format!("line {s}"));
        }
        assert_eq!(log.len(), 3);
        let texts: alloc::vec::Vec<&str> = log
            .within(Some(t(3)), None)
            .map(|(_, l)| l.as_str())
            .collect();
        assert_eq!(texts, ["line 3", "line 4"]);
        assert_eq!(log.within(None, Some(t(2))).count(), 1);
        let mut none = EventLog::new(0);
        none.push(t(0), String::from("x"));
        assert!(none.is_empty());
    }
}
