//! Browser storage of the settings and the engine's durable state (localStorage).

use chargepoint::{durable::DurableState, model::Variant};
use wasm_bindgen::JsCast;

const SETTINGS: &str = "evc.settings";
const STATE: &str = "evc.state";
const CORRUPT: &str = "evc.state.corrupt";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What the user set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The CSMS URL, ending with "/"; empty for the built-in demo CSMS.
    pub url: String,
    /// The charge point id (the serial number).
    pub id: String,
    /// Tethered or socket.
    pub variant: Variant,
    /// The AuthorizationKey the installer typed for security profiles 1-2; it goes into
    /// the engine's configuration, and the engine's key is what the box sends.
    pub key: String,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            url: String::new(),
            id: String::from("TC-1000123456"),
            variant: Variant::Tethered,
            key: String::new(),
        }
    }
}

impl Setup {
    /// The stored settings, or the defaults.
    pub fn load() -> Self {
        let text = storage()
            .and_then(|s| s.get_item(SETTINGS).ok().flatten())
            .unwrap_or_default();
        let mut parts = text.split('\n');
        let (Some(url), Some(id), Some(variant)) = (parts.next(), parts.next(), parts.next())
        else {
            return Self::default();
        };
        let key = parts.next().unwrap_or_default().into();
        Self {
            url: url.into(),
            id: id.into(),
            variant: Variant::parse(variant).unwrap_or(Variant::Tethered),
            key,
        }
    }

    /// Stores them.
    pub fn save(&self) {
        if let Some(s) = storage() {
            let text = format!(
                "{}\n{}\n{}\n{}",
                self.url,
                self.id,
                self.variant.as_str(),
                self.key
            );
            let _ = s.set_item(SETTINGS, &text);
        }
    }
}

/// Checks a CSMS URL as the product does (see [`chargepoint::model::check_csms_url`]).
pub fn check_url(url: &str) -> Result<(), String> {
    chargepoint::model::check_csms_url(url).map_err(String::from)
}

/// The stored durable state: `Ok(None)` when there is none; a corrupt one is set aside
/// (kept under another key, never overwritten) and reported.
pub fn load_state() -> Result<Option<DurableState>, String> {
    let Some(s) = storage() else { return Ok(None) };
    let Some(text) = s.get_item(STATE).ok().flatten() else {
        return Ok(None);
    };
    match DurableState::from_json(&text) {
        Ok(state) => Ok(Some(state)),
        Err(e) => {
            let _ = s.set_item(CORRUPT, &text);
            let _ = s.remove_item(STATE);
            Err(format!(
                "{e}; it was kept as {CORRUPT} and the box started from defaults"
            ))
        }
    }
}

/// Writes the durable state.
///
/// # Errors
/// Why it could not be written (no storage, the quota exceeded).
pub fn save_state(state: &DurableState) -> Result<(), String> {
    let s = storage().ok_or_else(|| String::from("this browser gives the page no localStorage"))?;
    s.set_item(STATE, &state.to_json()).map_err(|e| {
        e.dyn_ref::<js_sys::Error>().map_or_else(
            || String::from("localStorage refused it"),
            |e| String::from(e.message()),
        )
    })
}

/// Forgets everything: the factory reset.
pub fn factory_reset() {
    if let Some(s) = storage() {
        for key in [SETTINGS, STATE, CORRUPT] {
            let _ = s.remove_item(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn urls_as_the_product_wants_them() {
        assert!(check_url("ws://127.0.0.1:9000/ocpp/").is_ok());
        assert!(check_url("wss://csms.example.com/").is_ok());
        assert!(check_url("wss://id:key@csms.example.com/ocpp/").is_ok());
        for (bad, why) in [
            ("http://x/", "ws://"),
            ("ws://x/ocpp", "end with"),
            ("ws:///", "no host"),
            ("ws://a b/", "spaces"),
            ("", "ws://"),
        ] {
            let e = check_url(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
