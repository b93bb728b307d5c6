//! The live protocol trace: every frame in and out with time, direction, action, its
//! answer paired with latency, pretty JSON on demand; filter by action and direction,
//! pause, clear, copy a frame, export as JSON lines. The AuthorizationKey is redacted.
//! The box's file transfers (start, progress milestones, end with its reason) are rows
//! of their own among the frames, in time order. An exported trace loads back to step
//! through, row by row, in the same view (`replay`).

use chargepoint::harness::Traced;

use crate::{json::Json, replay::Replay};
use ocpp16::{Frame, frame};
use wasm_bindgen::JsCast;
use yew::{Callback, Html, Properties, TargetCast, UseStateHandle, component, html, use_state};

/// The frames to show, each with the box's wall time when it passed (shown on hover).
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct TraceProps {
    pub(crate) frames: Vec<(Traced, String)>,
    /// Transfer events: (engine ms, wall time, line).
    pub(crate) transfers: Vec<(u64, String, String)>,
}

/// What the trace shows, paused or not.
pub(crate) type Shown = (Vec<(Traced, String)>, Vec<(u64, String, String)>);

/// One row, worked out once.
#[derive(Clone, PartialEq)]
struct Row {
    /// Engine ms since the box started (the page, for the live home).
    at_ms: u64,
    wall: String,
    from_cp: bool,
    kind: &'static str,
    action: String,
    text: String,
    /// For an answer: the CALL's action and the time it took, in engine ms.
    answers: Option<(String, u64)>,
    /// The frame's message id (empty for a malformed frame or a transfer).
    id: String,
}

fn rows(frames: &[(Traced, String)], transfers: &[(u64, String, String)]) -> Vec<Row> {
    let mut calls: Vec<(String, bool, String, u64)> = Vec::new();
    let rows: Vec<Row> = frames
        .iter()
        .map(|(t, wall)| {
            let text = chargepoint::redact(&t.text);
            let at_ms = t.at.as_millis();
            let parsed = frame::parse(&text);
            let id = parsed.as_ref().map_or(String::new(), |f| f.id().to_owned());
            let (kind, action, answers) = match parsed {
                Ok(Frame::Call(c)) => {
                    calls.push((c.id.clone(), t.from_cp, c.action.clone(), at_ms));
                    ("call", c.action, None)
                }
                Ok(f @ (Frame::CallResult(_) | Frame::CallError(_))) => {
                    let kind = if matches!(f, Frame::CallResult(_)) {
                        "result"
                    } else {
                        "error"
                    };
                    let label = match &f {
                        Frame::CallError(e) => e.code.clone(),
                        _ => String::from("result"),
                    };
                    let call = calls
                        .iter()
                        .rev()
                        .find(|(id, from, _, _)| id == f.id() && *from != t.from_cp);
                    let answers = call
                        .map(|(_, _, action, sent)| (action.clone(), at_ms.saturating_sub(*sent)));
                    (kind, label, answers)
                }
                Err(_) => ("error", String::from("malformed"), None),
            };
            Row {
                at_ms,
                wall: wall.clone(),
                from_cp: t.from_cp,
                kind,
                action,
                text,
                answers,
                id,
            }
        })
        .collect();
    // Frames and transfers each come in time order: merged, frames keep their order and
    // a transfer goes after the frames of its moment (a merge, not a sort, which the
    // page would link for this alone).
    let mut pending = transfers
        .iter()
        .map(|(at_ms, wall, line)| Row {
            at_ms: *at_ms,
            wall: wall.clone(),
            from_cp: true,
            kind: "transfer",
            action: line.clone(),
            text: line.clone(),
            answers: None,
            id: String::new(),
        })
        .peekable();
    let mut merged = Vec::with_capacity(rows.len() + transfers.len());
    for row in rows {
        while let Some(t) = pending.next_if(|t| t.at_ms < row.at_ms) {
            merged.push(t);
        }
        merged.push(row);
    }
    merged.extend(pending);
    merged
}

/// Engine time as seconds with one decimal, right-aligned ("   123.4 s").
fn seconds(ms: u64) -> String {
    format!("{:>6}.{} s", ms / 1000, ms % 1000 / 100)
}

fn pretty(text: &str) -> String {
    if crate::json::is_json(text) {
        crate::json::layout(text, true)
    } else {
        String::from(text)
    }
}

fn export_href(rows: &[Row]) -> String {
    let lines: String = rows
        .iter()
        .map(|r| {
            let mut line = Json::new();
            line.num("time_ms", r.at_ms);
            line.str(
                "direction",
                if r.kind == "transfer" {
                    "file"
                } else if r.from_cp {
                    "out"
                } else {
                    "in"
                },
            );
            line.str(
                "action",
                if r.kind == "transfer" {
                    "transfer"
                } else {
                    r.answers
                        .as_ref()
                        .map_or(r.action.as_str(), |(a, _)| a.as_str())
                },
            );
            // A frame that is not JSON (the CSMS's malformed ones) goes in as a string;
            // one with line breaks is written again on one line.
            match crate::json::is_json(&r.text) {
                true if !r.text.contains(['\n', '\r']) => line.raw("frame", &r.text),
                true => line.raw("frame", &crate::json::layout(&r.text, false)),
                false => line.str("frame", &r.text),
            }
            let line = line.end();
            format!("{line}\n")
        })
        .collect();
    format!(
        "data:application/x-ndjson;charset=utf-8,{}",
        js_sys::encode_uri_component(&lines)
    )
}

fn copy(text: String) -> Callback<yew::MouseEvent> {
    Callback::from(move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
    })
}

/// Reads the trace file the input holds into a replay, or says why it cannot.
fn load(
    replay: UseStateHandle<Option<Replay>>,
    error: UseStateHandle<String>,
) -> Callback<yew::Event> {
    Callback::from(move |e: yew::Event| {
        let input = e.target_unchecked_into::<web_sys::HtmlInputElement>();
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same file again is a change too.
        input.set_value("");
        let (replay, error) = (replay.clone(), error.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let name = file.name();
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            match text.ok().and_then(|t| t.as_string()) {
                Some(text) => match Replay::parse(&name, &text) {
                    Ok(r) => {
                        error.set(String::new());
                        replay.set(Some(r));
                    }
                    Err(e) => error.set(e),
                },
                None => error.set(format!("{name} could not be read as text")),
            }
        });
    })
}

/// The trace list with its tools.
#[component]
pub(crate) fn Trace(p: &TraceProps) -> Html {
    let filter = use_state(String::new);
    let direction = use_state(|| String::from("both"));
    let paused = use_state(|| None::<Shown>);
    let cleared = use_state(|| 0u64);
    let replay = use_state(|| None::<Replay>);
    let replay_error = use_state(String::new);
    let all = match (replay.as_ref(), paused.as_ref()) {
        (Some(r), _) => {
            let (frames, transfers) = r.upto();
            rows(&frames, &transfers)
        }
        (None, Some((frames, transfers))) => rows(frames, transfers),
        (None, None) => rows(&p.frames, &p.transfers),
    };
    let since = if replay.is_some() { 0 } else { *cleared };
    let needle = filter.to_ascii_lowercase();
    let shown: Vec<Row> = all
        .into_iter()
        .filter(|r| r.at_ms >= since)
        .filter(|r| match direction.as_str() {
            "out" => r.from_cp,
            "in" => !r.from_cp,
            _ => true,
        })
        .filter(|r| {
            needle.is_empty()
                || r.action.to_ascii_lowercase().contains(&needle)
                || r.answers
                    .as_ref()
                    .is_some_and(|(a, _)| a.to_ascii_lowercase().contains(&needle))
        })
        .collect();
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: yew::InputEvent| {
            filter.set(
                e.target_unchecked_into::<web_sys::HtmlInputElement>()
                    .value(),
            );
        })
    };
    let on_direction = {
        let direction = direction.clone();
        Callback::from(move |e: yew::Event| {
            direction.set(
                e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .value(),
            );
        })
    };
    let toggle_pause = {
        let (paused, frames, transfers) = (paused.clone(), p.frames.clone(), p.transfers.clone());
        Callback::from(move |_| {
            paused.set(if paused.is_some() {
                None
            } else {
                Some((frames.clone(), transfers.clone()))
            });
        })
    };
    let clear = {
        let (cleared, frames) = (cleared.clone(), p.frames.clone());
        let last_transfer = p.transfers.last().map_or(0, |(at, _, _)| at + 1);
        Callback::from(move |_| {
            let last_frame = frames.last().map_or(0, |(t, _)| t.at.as_millis() + 1);
            cleared.set(last_frame.max(last_transfer));
        })
    };
    let step = |by: isize| {
        let replay = replay.clone();
        Callback::from(move |_: yew::MouseEvent| {
            if let Some(r) = replay.as_ref() {
                replay.set(Some(r.step(by)));
            }
        })
    };
    // ← and → step the replay from anywhere in the trace but its fields.
    let on_key = {
        let replay = replay.clone();
        Callback::from(move |e: yew::KeyboardEvent| {
            let by = match e.key().as_str() {
                "ArrowRight" => 1,
                "ArrowLeft" => -1,
                _ => return,
            };
            let in_field = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .is_some();
            if let (Some(r), false) = (replay.as_ref(), in_field) {
                e.prevent_default();
                replay.set(Some(r.step(by)));
            }
        })
    };
    let mut anchors: Vec<String> = Vec::new();
    let replaying = replay.is_some();
    html! {
        <div class="trace-box" onkeydown={on_key}>
            <div class="trace-tools">
                <input id="trace-filter" placeholder="filter by action" value={(*filter).clone()} oninput={on_filter} />
                <select id="trace-direction" onchange={on_direction}>
                    <option value="both" selected={*direction == "both"}>{"both ways"}</option>
                    <option value="out" selected={*direction == "out"}>{"sent by the box"}</option>
                    <option value="in" selected={*direction == "in"}>{"from the CSMS"}</option>
                </select>
                <button id="trace-pause" onclick={toggle_pause}>{if paused.is_some() { "Resume" } else { "Pause" }}</button>
                <button id="trace-clear" onclick={clear}>{"Clear"}</button>
                <a class="button" id="trace-export" download="evc-trace.jsonl" href={export_href(&shown)}>{"Export JSON lines"}</a>
                <label class="button" title="load an exported trace and step through it">{"Replay a trace "}
                    <input type="file" id="trace-load" accept=".jsonl,.ndjson,.json,.txt" onchange={load(replay.clone(), replay_error.clone())} />
                </label>
            </div>
            if !replay_error.is_empty() {
                <p class="error" id="trace-replay-error">{(*replay_error).clone()}</p>
            }
            if let Some((name, (at, len))) = replay.as_ref().map(|r| (r.name.clone(), r.position())) {
                <div class="trace-tools replay" id="trace-replay">
                    <strong id="replay-position">{format!("Replay of {name}: row {at} of {len}")}</strong>
                    <button id="replay-first" onclick={step(isize::MIN)}>{"⏮ First"}</button>
                    <button id="replay-back" onclick={step(-1)}>{"◀ Back"}</button>
                    <button id="replay-step" onclick={step(1)}>{"Step ▶"}</button>
                    <button id="replay-last" onclick={step(isize::MAX)}>{"Last ⏭"}</button>
                    <button id="replay-close" onclick={{ let replay = replay.clone(); Callback::from(move |_| replay.set(None)) }}>{"Back to live"}</button>
                    <span class="hint">{"← → step too"}</span>
                </div>
            }
            <ol class="trace" id="trace">
                // A message id can repeat (a CALL sent again, both sides' ids): only the
                // newest row with an anchor has it, so the page's ids stay unique.
                { for shown.iter().rev().take(150).enumerate().map(|(i, r)| {
                    // The replay's newest row is where it stands.
                    let current = if replaying && i == 0 { " current" } else { "" };
                    if r.kind == "transfer" {
                        return html! {
                            <li class={format!("frame transfer{current}")}>
                                <span class="time" title={r.wall.clone()}>{seconds(r.at_ms)}</span>
                                <span class="dir">{"⇅ file"}</span>
                                <span class="action">{"transfer"}</span>
                                <span class="event">{r.text.clone()}</span>
                            </li>
                        };
                    }
                    let dir = if r.from_cp { "⇢ CSMS" } else { "⇠ CSMS" };
                    let label = match &r.answers {
                        Some((action, ms)) => format!("{action} {} · {ms} ms", if r.kind == "error" { r.action.as_str() } else { "✓" }),
                        None => r.action.clone(),
                    };
                    let anchor = (!r.id.is_empty())
                        .then(|| format!("f-{}-{}", if r.from_cp { "out" } else { "in" }, r.id))
                        .filter(|a| {
                            let new = !anchors.contains(a);
                            anchors.push(a.clone());
                            new
                        });
                    html! {
                        // The anchor the mistakes report links to (`mistakes::frame_anchor`).
                        <li class={format!("frame {}{current}", r.kind)} id={anchor}>
                            <span class="time" title={r.wall.clone()}>{seconds(r.at_ms)}</span>
                            <span class="dir">{dir}</span>
                            <span class="action">{label}</span>
                            <details><summary><code>{r.text.clone()}</code></summary><pre>{pretty(&r.text)}</pre></details>
                            <button class="copy" title="copy the frame" onclick={copy(r.text.clone())}>{"copy"}</button>
                        </li>
                    }
                }) }
            </ol>
        </div>
    }
}
