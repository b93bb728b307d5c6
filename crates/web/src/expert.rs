//! Expert mode, from either home: a frame of the tester's own, sent to the CSMS as it is
//! (any CALL, from a template of the box's or typed, a payload that breaks the schema, a
//! frame that is not OCPP-J; `chargepoint::Driver::send_raw`: the answer shows in the
//! trace and stays out of the engine, so it is not counted as a mistake of the CSMS),
//! and the hold on the CSMS's CALLs (`Driver::hold_calls`): each held CALL is let
//! through to the box (late), answered by hand in the composer (a CALLRESULT or a
//! CALLERROR with its id), or dropped.

use yew::{Callback, Html, Properties, TargetCast, component, html, use_state};

use crate::{
    sim::HoldOp,
    templates::{CP_ACTIONS, Context, cp_template},
};

/// What the composer needs: a way to send (the reason when it could not) and what its
/// templates fill in.
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct ExpertProps {
    pub(crate) on_send: Callback<String, Result<(), String>>,
    pub(crate) context: Context,
    /// Whether the CSMS's CALLs are held, and those held: `(id, action, ms held)`.
    pub(crate) holding: bool,
    pub(crate) held: Vec<(String, String, u64)>,
    pub(crate) on_hold: Callback<HoldOp>,
}

/// The frame as the composer starts it: a CALL to edit.
const TEMPLATE: &str =
    r#"[2,"expert-1","DataTransfer",{"vendorId":"Teltonika","messageId":"test"}]"#;

/// The composer: a text box and Send; the reason under it when it was refused.
#[component]
pub(crate) fn RawFrame(props: &ExpertProps) -> Html {
    let text = use_state(|| String::from(TEMPLATE));
    let error = use_state(String::new);
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: yew::InputEvent| {
            text.set(
                e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                    .value(),
            );
        })
    };
    let count = use_state(|| 1_u32);
    let on_template = {
        let (text, count, context) = (text.clone(), count.clone(), props.context.clone());
        Callback::from(move |e: yew::Event| {
            let action = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if CP_ACTIONS.contains(&action.as_str()) {
                let n = *count + 1;
                text.set(format!(
                    r#"[2,"expert-{n}","{action}",{}]"#,
                    cp_template(&action, &context)
                ));
                count.set(n);
            }
        })
    };
    let send = {
        let (text, error, on_send) = (text.clone(), error.clone(), props.on_send.clone());
        Callback::from(move |_| {
            error.set(on_send.emit((*text).clone()).err().unwrap_or_default());
        })
    };
    let hold = {
        let on_hold = props.on_hold.clone();
        let holding = props.holding;
        Callback::from(move |_: yew::Event| on_hold.emit(HoldOp::Set(!holding)))
    };
    let held = props.held.iter().map(|(id, action, ms)| {
        let op = |make: fn(String) -> HoldOp| {
            let (on_hold, id) = (props.on_hold.clone(), id.clone());
            Callback::from(move |_: yew::MouseEvent| on_hold.emit(make(id.clone())))
        };
        // Answers written in the composer, to edit and send.
        let write = |frame: String| {
            let text = text.clone();
            Callback::from(move |_: yew::MouseEvent| text.set(frame.clone()))
        };
        let id_json = {
            let mut s = String::new();
            ocpp16::codec::write_str(&mut s, id);
            s
        };
        html! {
            <li data-id={id.clone()}>
                <code>{format!("{action} {id}")}</code>{format!(" held {} s ", ms / 1000)}
                <button class="release" onclick={op(HoldOp::Release)}>{"Let the box answer"}</button>
                <button class="by-hand" onclick={write(format!(r#"[3,{id_json},{{"status":"Accepted"}}]"#))}>{"Answer by hand"}</button>
                <button class="with-error" onclick={write(format!(r#"[4,{id_json},"GenericError","answered by hand",{{}}]"#))}>{"CALLERROR"}</button>
                <button class="drop" onclick={op(HoldOp::Drop)}>{"Drop"}</button>
            </li>
        }
    });
    html! {
        <div class="expert">
            <h2>{"Expert: send a frame"}</h2>
            <select id="raw-template" onchange={on_template} aria-label="Start from a CALL of the charge point">
                <option value="" selected=true>{"start from a CALL of the box…"}</option>
                { for CP_ACTIONS.iter().map(|a| html! { <option value={*a}>{*a}</option> }) }
            </select>
            <textarea id="raw-frame" rows="3" spellcheck="false" aria-label="A frame to send to the CSMS as it is" value={(*text).clone()} oninput={on_input} />
            <button id="send-raw" onclick={send}>{"Send as it is"}</button>
            if !error.is_empty() { <p class="error" id="raw-error">{(*error).clone()}</p> }
            <label class="hold"><input type="checkbox" id="hold-calls" checked={props.holding} onchange={hold} />
                {" Hold the CSMS's CALLs: let each through late, answer it by hand (then Send), or drop it"}</label>
            if !props.held.is_empty() { <ul id="held">{ for held }</ul> }
        </div>
    }
}
