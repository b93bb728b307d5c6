//! The shareable link: the setup (CSMS URL, charge point id, variant), the speed, the
//! EV and the scenario running in the page's URL fragment
//! (`#url=…&id=…&variant=socket&speed=60&ev=16000x3&scenario=peak-hours`), so opening it
//! reproduces the setup (a ready scenario goes by its name, one's own as its TOML; the
//! scenario card runs it). The AuthorizationKey is never in it.
//!
//! The fragment is read once when the page starts and then cleared, so a reload after
//! the user changed the settings keeps their change.

use chargepoint::{model::Variant, world::EvSpec};

use crate::storage::{Setup, check_url};

/// What a link sets; what it leaves out stays as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) url: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) variant: Option<Variant>,
    pub(crate) speed: Option<u32>,
    /// (max current in mA, phases).
    pub(crate) ev: Option<(u32, u8)>,
    /// A ready scenario's name or a scenario's TOML.
    pub(crate) scenario: Option<String>,
}

fn decode(v: &str) -> String {
    js_sys::decode_uri_component(v).map_or_else(|_| v.to_string(), String::from)
}

fn encode(v: &str) -> String {
    String::from(js_sys::encode_uri_component(v))
}

impl Link {
    /// Reads a fragment (with or without the `#`); a bad field is an error naming it, so
    /// a broken link is said so rather than half applied.
    pub(crate) fn parse(fragment: &str) -> Result<Self, String> {
        let mut link = Self::default();
        for pair in fragment.trim_start_matches('#').split('&') {
            if pair.is_empty() {
                continue;
            }
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key {
                "url" => {
                    if !value.is_empty() {
                        check_url(&value).map_err(|e| format!("the link's url: {e}"))?;
                    }
                    link.url = Some(value);
                }
                "id" if !value.is_empty() && value.chars().count() <= 20 => link.id = Some(value),
                "id" => return Err("the link's id must be 1 to 20 characters".into()),
                "variant" => {
                    link.variant = Some(
                        Variant::parse(&value)
                            .ok_or("the link's variant must be tethered or socket")?,
                    );
                }
                "speed" => {
                    link.speed = Some(
                        value
                            .parse()
                            .ok()
                            .filter(|s| (1..=3600).contains(s))
                            .ok_or("the link's speed must be 1 to 3600")?,
                    );
                }
                "ev" => {
                    let (ma, phases) = value.split_once('x').unwrap_or(("", ""));
                    let ma = ma
                        .parse::<u32>()
                        .ok()
                        .filter(|a| (6_000..=32_000).contains(a));
                    let phases = phases.parse::<u8>().ok().filter(|p| *p == 1 || *p == 3);
                    link.ev = Some(ma.zip(phases).ok_or(
                        "the link's ev must be <6000–32000 mA>x<1 or 3 phases>, e.g. 16000x3",
                    )?);
                }
                "scenario" => link.scenario = Some(value).filter(|v| !v.is_empty()),
                // Never taken from a link: a key does not travel in URLs.
                "key" => return Err("a link never carries the AuthorizationKey".into()),
                other => return Err(format!("the link has an unknown field \"{other}\"")),
            }
        }
        Ok(link)
    }

    /// The fragment for this setup, speed, EV and scenario (no key).
    pub(crate) fn fragment(
        setup: &Setup,
        speed: u32,
        ev: &EvSpec,
        scenario: Option<&str>,
    ) -> String {
        let scenario = scenario.map_or_else(String::new, |s| format!("&scenario={}", encode(s)));
        format!(
            "#url={}&id={}&variant={}&speed={speed}&ev={}x{}{scenario}",
            encode(&setup.url),
            encode(&setup.id),
            setup.variant.as_str(),
            ev.max_current_ma,
            ev.phases
        )
    }

    /// The setup with what the link sets.
    pub(crate) fn apply(&self, mut setup: Setup) -> Setup {
        if let Some(url) = &self.url {
            if *url != setup.url {
                // Another CSMS: the stored key was for the old one.
                setup.key.clear();
            }
            setup.url.clone_from(url);
        }
        if let Some(id) = &self.id {
            setup.id.clone_from(id);
        }
        if let Some(variant) = self.variant {
            setup.variant = variant;
        }
        setup
    }
}

/// The page's fragment, read and cleared: `None` without one.
pub(crate) fn take_from_location() -> Option<Result<Link, String>> {
    let location = web_sys::window()?.location();
    let hash = location.hash().ok()?;
    if hash.len() <= 1 {
        return None;
    }
    let _ = location.set_hash("");
    Some(Link::parse(&hash))
}

/// The page's own address with this fragment.
pub(crate) fn page_url(fragment: &str) -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return fragment.to_string();
    };
    let href = location.href().unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    format!("{base}{fragment}")
}
