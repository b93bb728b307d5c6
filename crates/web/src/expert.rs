//! Expert mode's first tool: a frame of the tester's own, sent to the CSMS as it is (any
//! CALL, a payload that breaks the schema, a frame that is not OCPP-J), from either home
//! (`chargepoint::Driver::send_raw`: the answer shows in the trace and stays out of the
//! engine, so it is not counted as a mistake of the CSMS).

use yew::{Callback, Html, Properties, TargetCast, component, html, use_state};

/// What the composer needs: a way to send (the reason when it could not).
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct ExpertProps {
    pub(crate) on_send: Callback<String, Result<(), String>>,
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
    let send = {
        let (text, error, on_send) = (text.clone(), error.clone(), props.on_send.clone());
        Callback::from(move |_| {
            error.set(on_send.emit((*text).clone()).err().unwrap_or_default());
        })
    };
    html! {
        <div class="expert">
            <h2>{"Expert: send a frame"}</h2>
            <textarea id="raw-frame" rows="3" spellcheck="false" aria-label="A frame to send to the CSMS as it is" value={(*text).clone()} oninput={on_input} />
            <button id="send-raw" onclick={send}>{"Send as it is"}</button>
            if !error.is_empty() { <p class="error" id="raw-error">{(*error).clone()}</p> }
        </div>
    }
}
