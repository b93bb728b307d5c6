//! The live protocol trace: every frame in and out, newest first.

use chargepoint::harness::Traced;
use ocpp16::{Frame, frame};
use yew::{Html, Properties, component, html};

/// The frames to show.
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct TraceProps {
    pub(crate) frames: Vec<Traced>,
}

fn describe(text: &str) -> (String, &'static str) {
    match frame::parse(text) {
        Ok(Frame::Call(c)) => (c.action, "call"),
        Ok(Frame::CallResult(_)) => (String::from("result"), "result"),
        Ok(Frame::CallError(e)) => (e.code, "error"),
        Err(_) => (String::from("malformed"), "error"),
    }
}

/// The trace list.
#[component]
pub(crate) fn Trace(p: &TraceProps) -> Html {
    html! {
        <ol class="trace" id="trace">
            { for p.frames.iter().rev().take(150).map(|t| {
                let (action, kind) = describe(&t.text);
                let dir = if t.from_cp { "⇢ CSMS" } else { "⇠ CSMS" };
                html! {
                    <li class={format!("frame {kind}")}>
                        <span class="time">{format!("{:>8.1} s", t.at.as_millis() as f64 / 1000.0)}</span>
                        <span class="dir">{dir}</span>
                        <span class="action">{action}</span>
                        <code>{chargepoint::redact(&t.text)}</code>
                    </li>
                }
            }) }
        </ol>
    }
}
