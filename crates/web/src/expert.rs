//! Expert mode's first tool: a frame of the tester's own, sent to the CSMS as it is (any
//! CALL, a payload that breaks the schema, a frame that is not OCPP-J), from either home
//! (`chargepoint::Driver::send_raw`: the answer shows in the trace and stays out of the
//! engine, so it is not counted as a mistake of the CSMS).

use yew::{Callback, Html, Properties, TargetCast, component, html, use_state};

use crate::templates::{CP_ACTIONS, Context, cp_template};

/// What the composer needs: a way to send (the reason when it could not) and what its
/// templates fill in.
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct ExpertProps {
    pub(crate) on_send: Callback<String, Result<(), String>>,
    pub(crate) context: Context,
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
        </div>
    }
}
