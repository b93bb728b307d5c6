//! What the CSMS did wrong, as the box saw it: every home gets each mistake as an
//! [`Event::CsmsMistake`] when it happens (the tab lists them, the runner counts them),
//! beside the warning a person reads in the event log.
//!
//! The engine reports a mistake where it decides: a frame it refuses, a CALL it answers
//! with a CALLERROR, an answer it cannot use or did not ask for, an answer that did not
//! come, and a valid request that makes no sense in the box's state (a handler says so
//! with `ChargePoint::senseless` and goes on answering as the contract says).

use alloc::string::String;
use ocpp16::ErrorCode;

use crate::{engine::ChargePoint, interface::Event};

/// The kinds of mistake, in the order a report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MistakeKind {
    /// A frame that is not an OCPP-J message (not JSON, not an array, a bad message id).
    MalformedFrame,
    /// A CALL whose payload breaks the action's schema or a limit of the contract (the
    /// detail names the field path); answered with a CALLERROR.
    SchemaViolation,
    /// A CALL of an action this box does not support or that a CSMS does not send;
    /// answered NotSupported or NotImplemented.
    UnsupportedCall,
    /// A CALLRESULT or CALLERROR for a message id the box is not waiting for.
    UnknownOrLateAnswer,
    /// An answer to the box's CALL that breaks the schema of that answer.
    WrongAnswerShape,
    /// The CSMS answered the box's CALL with a CALLERROR.
    ErrorAnswer,
    /// The box's CALL got no answer within its time-out.
    AnswerTimeout,
    /// A valid request that makes no sense in the box's state (it is answered as the
    /// contract says, e.g. Rejected).
    Senseless,
}

impl MistakeKind {
    /// Every kind, in report order.
    pub const ALL: [Self; 8] = [
        Self::MalformedFrame,
        Self::SchemaViolation,
        Self::UnsupportedCall,
        Self::UnknownOrLateAnswer,
        Self::WrongAnswerShape,
        Self::ErrorAnswer,
        Self::AnswerTimeout,
        Self::Senseless,
    ];

    /// A stable machine name (`schema-violation`, …) for exports and filters.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::MalformedFrame => "malformed-frame",
            Self::SchemaViolation => "schema-violation",
            Self::UnsupportedCall => "unsupported-call",
            Self::UnknownOrLateAnswer => "unknown-or-late-answer",
            Self::WrongAnswerShape => "wrong-answer-shape",
            Self::ErrorAnswer => "error-answer",
            Self::AnswerTimeout => "answer-timeout",
            Self::Senseless => "senseless-request",
        }
    }

    /// A heading for people.
    #[must_use]
    pub const fn title(self) -> &'static str {
        match self {
            Self::MalformedFrame => "Malformed frame",
            Self::SchemaViolation => "Payload breaks the schema",
            Self::UnsupportedCall => "Call the box does not support",
            Self::UnknownOrLateAnswer => "Answer to an unknown or late id",
            Self::WrongAnswerShape => "Answer of the wrong shape",
            Self::ErrorAnswer => "CALLERROR answer",
            Self::AnswerTimeout => "No answer in time",
            Self::Senseless => "Request that makes no sense now",
        }
    }
}

/// One mistake of the CSMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mistake {
    /// Its kind.
    pub kind: MistakeKind,
    /// The action concerned: the CSMS's CALL, or the box's CALL it answered (or did
    /// not); `None` when the frame does not tell.
    pub action: Option<String>,
    /// The message id of the frame at fault (or of the CALL not answered), to find it
    /// in a trace; `None` when the frame has none.
    pub message_id: Option<String>,
    /// What was wrong and what the box did about it.
    pub detail: String,
}

impl ChargePoint {
    pub(crate) fn mistake(
        &mut self,
        kind: MistakeKind,
        action: Option<&str>,
        message_id: Option<&str>,
        detail: String,
    ) {
        self.events.push_back(Event::CsmsMistake(Mistake {
            kind,
            action: action.map(String::from),
            message_id: message_id.map(String::from),
            detail,
        }));
    }

    /// A handler says that the request it answers makes no sense in the box's state;
    /// reported with the CALL's action and id once it is answered.
    pub(crate) fn senseless(&mut self, detail: String) {
        self.senseless = Some(detail);
    }

    /// The CALLERROR the box answers a CSMS CALL with, as a mistake of the CSMS (an
    /// internal error is the box's own and is not reported).
    pub(crate) fn refused_call(&mut self, action: &str, id: &str, error: &ocpp16::WireError) {
        let kind = match error.code {
            ErrorCode::InternalError => return,
            ErrorCode::NotSupported | ErrorCode::NotImplemented => MistakeKind::UnsupportedCall,
            _ => MistakeKind::SchemaViolation,
        };
        let detail = alloc::format!("answered {}: {}", error.code, error.description);
        self.mistake(kind, Some(action), Some(id), detail);
    }
}
