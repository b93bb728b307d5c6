//! The CSMS connection settings: URL, charge point id, variant, AuthorizationKey.

use chargepoint::model::Variant;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::{Callback, Html, Properties, TargetCast, component, html, use_state};

use crate::storage::{Setup, check_url};

/// The settings form's inputs and outputs.
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct SettingsProps {
    pub(crate) setup: Setup,
    pub(crate) link: String,
    pub(crate) on_apply: Callback<Setup>,
    pub(crate) on_reset: Callback<()>,
}

/// The form.
#[component]
pub(crate) fn SettingsForm(p: &SettingsProps) -> Html {
    let draft = use_state(|| p.setup.clone());
    let error = use_state(String::new);
    let edit = |f: fn(&mut Setup, String)| {
        let draft = draft.clone();
        Callback::from(move |e: yew::InputEvent| {
            let mut next = (*draft).clone();
            f(
                &mut next,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            );
            draft.set(next);
        })
    };
    let on_variant = {
        let draft = draft.clone();
        Callback::from(move |e: yew::Event| {
            let mut next = (*draft).clone();
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            next.variant = Variant::parse(&value).unwrap_or(Variant::Tethered);
            draft.set(next);
        })
    };
    let connect = {
        let (draft, error, apply) = (draft.clone(), error.clone(), p.on_apply.clone());
        Callback::from(move |_| match check_url(&draft.url) {
            Ok(()) if draft.id.trim().is_empty() => {
                error.set(String::from("the charge point id is empty"));
            }
            Ok(()) => {
                error.set(String::new());
                apply.emit((*draft).clone());
            }
            Err(e) => error.set(e),
        })
    };
    let use_demo = {
        let (draft, apply, error) = (draft.clone(), p.on_apply.clone(), error.clone());
        Callback::from(move |_| {
            error.set(String::new());
            apply.emit(Setup {
                url: String::new(),
                ..(*draft).clone()
            });
        })
    };
    let reset = {
        let on_reset = p.on_reset.clone();
        Callback::from(move |_| on_reset.emit(()))
    };
    html! {
        <div class="settings">
            <h2>{"Connection"}</h2>
            <p class="link" id="link">{p.link.clone()}</p>
            <label>{"CSMS URL (ws:// or wss://, ending with /)"}
                <input id="csms-url" placeholder="wss://csms.example.com/ocpp/" value={draft.url.clone()} oninput={edit(|s, v| s.url = v)} />
            </label>
            <label>{"Charge point id"}
                <input id="cp-id" value={draft.id.clone()} oninput={edit(|s, v| s.id = v)} />
            </label>
            <label>{"Variant"}
                <select onchange={on_variant}>
                    <option value="tethered" selected={draft.variant == Variant::Tethered}>{"tethered cable"}</option>
                    <option value="socket" selected={draft.variant == Variant::Socket}>{"socket with lock"}</option>
                </select>
            </label>
            <label>{"AuthorizationKey (security profiles 1–2)"}
                <input type="password" value={draft.key.clone()} oninput={edit(|s, v| s.key = v)} />
            </label>
            <p class="hint">{"The browser sends the id and key as URL credentials only after the CSMS answers 401 with WWW-Authenticate: Basic."}</p>
            if !error.is_empty() { <p class="error" id="url-error">{(*error).clone()}</p> }
            <button id="connect" onclick={connect}>{"Connect"}</button>
            <button onclick={use_demo}>{"Use the demo CSMS"}</button>
            <button onclick={reset}>{"Factory reset"}</button>
        </div>
    }
}
