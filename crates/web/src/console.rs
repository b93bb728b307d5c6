//! The CSMS console of demo mode: every CSMS→charge point action of the product
//! contract from a template, edited freely but checked as it is typed by the same strict
//! decoder the box runs (`ocpp16::decode_call`), so only a request that is valid on the
//! wire can be sent; helpers for the keys of ChangeConfiguration / GetConfiguration and
//! a period builder for SetChargingProfile; the box's answer next to the request.
//!
//! The templates (`templates.rs`) are pure and tested natively against the decoder;
//! expert mode's composer (`expert.rs`) takes its charge point CALLs from there too.

use chargepoint::model::{Access, Effect, KEYS, KeyDef, KeyKind};
use ocpp16::Side;
use std::{cell::RefCell, rc::Rc};
use wasm_bindgen::JsValue;

use yew::{Callback, Html, Properties, component, html, use_force_update, use_mut_ref};

use crate::templates::{CSMS_ACTIONS, Context, check, csms_template, profile_payload};

/// What the console needs: the templates' context and a way to send a request
/// (`(action, payload)`: the box's answer as text, or why nothing was sent).
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct ConsoleProps {
    pub(crate) context: Context,
    pub(crate) on_send: Callback<(String, String), Result<String, String>>,
}

/// The values a key takes, in words (`an integer from 60 to 86400`).
pub(crate) fn key_hint(def: &KeyDef) -> String {
    let values = match def.kind {
        KeyKind::Bool => String::from("0 or 1"),
        KeyKind::Int {
            min,
            max,
            also_zero,
        } => format!(
            "an integer from {min} to {max}{}",
            if also_zero { ", or 0 (off)" } else { "" }
        ),
        KeyKind::Choice(choices) => {
            let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
            format!("one of {}", quoted.join(", "))
        }
        KeyKind::Measurands => String::from("a comma-separated list of the measurands"),
        KeyKind::Text(n) => format!("text of at most {n} characters"),
        KeyKind::Secret(min, max) => {
            format!("{min} to {max} printable characters (write-only)")
        }
        KeyKind::Fixed => String::from("read-only"),
    };
    let effect = match def.effect {
        Effect::Immediate => "applies at once",
        Effect::RebootRequired => "applies after a reboot (RebootRequired)",
        Effect::Reconnect => "applies on a new connection",
    };
    format!("{}: {values}; {effect}", def.name)
}

const PURPOSES: [&str; 3] = ["TxDefaultProfile", "TxProfile", "ChargePointMaxProfile"];

/// Everything the console holds, in one state (one set of hook code for the page).
#[derive(Clone, PartialEq)]
struct State {
    action: String,
    text: String,
    /// The newest answers first: `(action, answer, a CALLRESULT)`.
    answers: Vec<(String, String, bool)>,
    /// How many answers came (the newest is `#console-answer[data-sent]`).
    sent: u32,
    /// Why the last Send sent nothing.
    refused: String,
    /// GetConfiguration's keys picked so far.
    picked: Vec<String>,
    purpose: String,
    stack: u8,
    periods: Vec<(u32, u32)>,
}

impl State {
    fn rebuild(&mut self, c: &Context) {
        self.text = profile_payload(&self.purpose, self.stack, &self.periods, c);
    }
}

/// The console's state and the redraw after a change (a cell, not a `use_state`
/// snapshot: two events before the next render both count).
#[derive(Clone)]
struct Shared(Rc<RefCell<State>>, yew::functional::UseForceUpdateHandle);

/// A callback that changes the state with the event's value (an input's, a select's).
fn on<E: AsRef<web_sys::Event> + 'static>(
    state: &Shared,
    change: impl Fn(&mut State, String) + 'static,
) -> Callback<E> {
    let state = state.clone();
    Callback::from(move |e: E| {
        let target = e.as_ref().target();
        let value = js_sys::Reflect::get(
            target.as_ref().map_or(&JsValue::NULL, |t| t.as_ref()),
            &JsValue::from_str("value"),
        )
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
        change(&mut state.0.borrow_mut(), value);
        state.1.force_update();
    })
}

/// The console: an action, its request (template, helpers, check), Send, the answers.
#[component]
pub(crate) fn Console(props: &ConsoleProps) -> Html {
    let state = {
        let c = props.context.clone();
        use_mut_ref(move || State {
            action: String::from(CSMS_ACTIONS[0]),
            text: csms_template(CSMS_ACTIONS[0], &c),
            answers: Vec::new(),
            sent: 0,
            refused: String::new(),
            picked: Vec::new(),
            purpose: String::from(PURPOSES[0]),
            stack: 0,
            periods: vec![(0, 16), (1800, 10)],
        })
    };
    let state = Shared(state, use_force_update());
    let s = state.0.borrow().clone();
    let s = &s;
    let error = check(Side::ChargePoint, &s.action, &s.text).err();
    let c = props.context.clone();
    let on_action = on::<yew::Event>(&state, move |s, name| {
        s.text = csms_template(&name, &c);
        s.action = name;
    });
    let on_text = on::<yew::InputEvent>(&state, |s, text| s.text = text);
    let send = {
        let (state, on_send) = (state.clone(), props.on_send.clone());
        Callback::from(move |_: yew::MouseEvent| {
            let request = {
                let s = state.0.borrow();
                (s.action.clone(), s.text.clone())
            };
            // The answer comes after the box ran: no borrow is held while it runs.
            let answer = on_send.emit(request);
            let mut s = state.0.borrow_mut();
            match answer {
                Ok(answer) => {
                    let ok = answer.starts_with("CALLRESULT");
                    let action = s.action.clone();
                    s.answers.insert(0, (action, answer, ok));
                    s.answers.truncate(8);
                    s.sent += 1;
                    s.refused.clear();
                }
                Err(why) => s.refused = why,
            }
            drop(s);
            state.1.force_update();
        })
    };

    // The key helper of ChangeConfiguration (writable keys: the request with the key's
    // default as the value) and GetConfiguration (readable keys, added to the list).
    let change = s.action == "ChangeConfiguration";
    let keys = (change || s.action == "GetConfiguration").then(|| {
        let chosen = payload_key(&s.text)
            .filter(|_| change)
            .and_then(|k| KEYS.iter().find(|d| d.name == k));
        let on_key = on::<yew::Event>(&state, move |s, name| {
            let Some(def) = KEYS.iter().find(|d| d.name == name) else {
                return;
            };
            let mut out = crate::json::Json::new();
            if change {
                out.str("key", def.name);
                out.str("value", def.default);
            } else {
                if !s.picked.contains(&name) {
                    s.picked.push(name);
                }
                let items: Vec<String> = s.picked.iter().map(|k| format!("\"{k}\"")).collect();
                out.raw("key", &format!("[{}]", items.join(",")));
            }
            s.text = out.end();
        });
        html! {
            <div class="row">
                <select id="console-key" onchange={on_key} aria-label="Configuration key">
                    <option value="" selected=true>{if change { "choose a key to change" } else { "add a key to the list" }}</option>
                    { for KEYS.iter().filter(|d| d.access != if change { Access::ReadOnly } else { Access::WriteOnly }).map(|d| html! {
                        <option value={d.name}>{d.name}</option>
                    }) }
                </select>
                if let Some(def) = chosen {
                    <p class="hint" id="console-key-hint">{key_hint(def)}</p>
                }
            </div>
        }
    });

    // The period builder of SetChargingProfile: purpose, stack level, up to 5 periods.
    let builder = (s.action == "SetChargingProfile").then(|| {
        let c = props.context.clone();
        let on_purpose = on::<yew::Event>(&state, move |s, p| {
            s.purpose = p;
            s.rebuild(&c);
        });
        let c = props.context.clone();
        let on_stack = on::<yew::InputEvent>(&state, move |s, v| {
            s.stack = v.parse::<u8>().unwrap_or(0).min(5);
            s.rebuild(&c);
        });
        // One callback per field kind and row; `which`: 0 start, 1 limit, 2 remove, 3 add.
        let edit = |i: usize, which: u8| {
            let c = props.context.clone();
            move |s: &mut State, v: String| {
                // An emptied field is 0 (the page redraws often: the field shows what counts).
                let n = if v.is_empty() { Some(0) } else { v.parse::<u32>().ok() };
                let len = s.periods.len();
                match (which, s.periods.get_mut(i), n) {
                    (0, Some(row), Some(n)) => row.0 = n,
                    (1, Some(row), Some(n)) => row.1 = n,
                    (2, Some(_), _) if len > 1 => {
                        s.periods.remove(i);
                    }
                    (3, _, _) if len < 5 => {
                        let next = s.periods.last().map_or(0, |(t, _)| t.saturating_add(1800));
                        s.periods.push((next, 6));
                    }
                    _ => return,
                }
                s.rebuild(&c);
            }
        };
        let count = s.periods.len();
        html! {
            <div class="builder" id="profile-builder">
                <div class="row">
                    <select id="profile-purpose" onchange={on_purpose} aria-label="chargingProfilePurpose">
                        { for PURPOSES.iter().map(|p| html! { <option value={*p} selected={s.purpose == *p}>{*p}</option> }) }
                    </select>
                    <label>{"stack level "}<input id="profile-stack" type="number" min="0" max="5" value={s.stack.to_string()} oninput={on_stack} /></label>
                </div>
                { for s.periods.iter().enumerate().map(|(i, (start, limit))| html! {
                    <div class="row period">
                        <label>{"from s "}<input type="number" min="0" class="period-start" value={start.to_string()} oninput={on::<yew::InputEvent>(&state, edit(i, 0))} /></label>
                        <label>{"limit A "}<input type="number" min="0" max="32" class="period-limit" value={limit.to_string()} oninput={on::<yew::InputEvent>(&state, edit(i, 1))} /></label>
                        <button class="period-remove" onclick={on::<yew::MouseEvent>(&state, edit(i, 2))} disabled={count == 1}>{"Remove"}</button>
                    </div>
                }) }
                <button id="add-period" onclick={on::<yew::MouseEvent>(&state, edit(0, 3))} disabled={count >= 5}>{"Add period"}</button>
                <p class="hint">{"Current (A) only, at most 5 periods and stack level 5 (the product's limits); the schedule starts now."}</p>
            </div>
        }
    });

    html! {
        <div class="console" id="console">
            <h2>{"CSMS console"}</h2>
            <div class="row">
                <select id="console-action" onchange={on_action} aria-label="CSMS action">
                    { for CSMS_ACTIONS.iter().map(|a| html! { <option value={*a} selected={s.action == *a}>{*a}</option> }) }
                </select>
                <button id="console-send" onclick={send} disabled={error.is_some()}>{format!("Send {}", s.action)}</button>
            </div>
            {keys.unwrap_or_default()}
            {builder.unwrap_or_default()}
            <textarea id="console-payload" rows="4" spellcheck="false" aria-label="The request's payload" value={s.text.clone()} oninput={on_text} />
            if let Some(e) = &error {
                <p class="error" id="console-error">{format!("Not a valid {} request: {e}", s.action)}</p>
            }
            if !s.refused.is_empty() { <p class="error" id="console-refused">{s.refused.clone()}</p> }
            if let Some((a, answer, ok)) = s.answers.first() {
                <pre id="console-answer" data-sent={s.sent.to_string()} class={if *ok { "answer ok" } else { "answer refused" }}>{format!("{a} → {answer}")}</pre>
            }
            <ol id="console-history" class="hint">
                { for s.answers.iter().skip(1).map(|(a, answer, _)| html! { <li>{format!("{a} → {answer}")}</li> }) }
            </ol>
        </div>
    }
}

/// The `key` of a ChangeConfiguration payload, when it has one.
fn payload_key(text: &str) -> Option<String> {
    crate::json::Fields::parse(text)
        .ok()?
        .get::<String>("key")?
        .ok()
}
