//! Expert mode's hold on the CSMS's CALLs: while it is on, a CALL from the CSMS is kept
//! from the engine (traced as received, unanswered) until the tester lets the box
//! answer it, answers it by hand (any frame, e.g. a CALLRESULT they wrote or a
//! CALLERROR, sent with [`Driver::send_raw`](crate::Driver::send_raw)), or drops it
//! (the CSMS's CALL then times out). The [`Driver`](crate::Driver) owns one; every home
//! has it.

use alloc::{collections::VecDeque, string::String};

use ocpp16::{Frame, frame};

use crate::time::Instant;

/// A CALL of the CSMS the box holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCall {
    /// Its message id.
    pub id: String,
    /// Its action, as sent.
    pub action: String,
    /// The frame as it came.
    pub text: String,
    /// When it came (engine time).
    pub since: Instant,
}

/// How many CALLs are held at most; a CALL beyond goes to the engine as usual.
pub const HELD_MAX: usize = 20;

/// The hold and the CALLs it keeps, oldest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Held {
    on: bool,
    calls: VecDeque<HeldCall>,
}

impl Held {
    pub(crate) const fn is_on(&self) -> bool {
        self.on
    }

    /// Turns the hold on or off; off hands back what it held, oldest first, for the
    /// engine to answer.
    pub(crate) fn set(&mut self, on: bool) -> VecDeque<HeldCall> {
        self.on = on;
        if on {
            VecDeque::new()
        } else {
            core::mem::take(&mut self.calls)
        }
    }

    /// Keeps `text` if the hold is on, it is a CALL and there is room; whether it did.
    pub(crate) fn keep(&mut self, now: Instant, text: &str) -> bool {
        if !self.on || self.calls.len() >= HELD_MAX {
            return false;
        }
        let Ok(Frame::Call(call)) = frame::parse(text) else {
            return false;
        };
        self.calls.push_back(HeldCall {
            id: call.id,
            action: call.action,
            text: String::from(text),
            since: now,
        });
        true
    }

    /// Takes the held CALL with message id `id` out of the hold.
    pub(crate) fn take(&mut self, id: &str) -> Option<HeldCall> {
        let i = self.calls.iter().position(|c| c.id == id)?;
        self.calls.remove(i)
    }

    /// A frame the tester sends: if it answers a held CALL, that CALL is answered.
    pub(crate) fn answered_by(&mut self, text: &str) {
        if self.calls.is_empty() {
            return;
        }
        if let Ok(
            Frame::CallResult(ocpp16::CallResult { id, .. })
            | Frame::CallError(ocpp16::CallError { id, .. }),
        ) = frame::parse(text)
        {
            let _ = self.take(&id);
        }
    }

    /// The held CALLs, oldest first.
    pub(crate) fn calls(&self) -> impl Iterator<Item = &HeldCall> {
        self.calls.iter()
    }

    /// The link was lost: its CALLs cannot be answered on the next one.
    pub(crate) fn clear(&mut self) {
        self.calls.clear();
    }
}
