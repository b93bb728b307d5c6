//! The page's scenario module, loaded on demand: the runner's TOML scenarios, read and
//! carried out by `chargepoint::scenario` (the same parser and executor as
//! `evc run --scenario`), as a wasm module of its own that `www/evc.js` fetches the
//! first time a scenario runs. It only decides; `www/evc.js` does what it says through
//! the page's test API (`plug`, `tap`, `fault`, `offline`, `csms`, …), so the page's
//! own wasm carries none of this (about 12 KB gzipped the page's budget has no room
//! for, BENCHMARKS.md).

use chargepoint::scenario::{Action, Due, Rng, Scenario, Script, parse_status};
use wasm_bindgen::prelude::wasm_bindgen;

fn main() {}

/// A scenario being carried out on the page's box.
#[wasm_bindgen]
pub struct Run {
    script: Script,
    steps: usize,
    speed: u32,
    demo_only: bool,
}

#[wasm_bindgen]
impl Run {
    /// Reads a scenario (TOML); `seed` is used when the file has none. Throws the
    /// reason (its line, or the step and the field) when the file is wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, seed: f64) -> Result<Self, String> {
        let scenario = Scenario::parse(text)?;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a seed: any bits will do"
        )]
        let seed = scenario.seed.unwrap_or(seed as u64);
        let plan = scenario.plan_for(0);
        Ok(Self {
            steps: plan.steps().len(),
            script: Script::new(plan, Rng::new(seed, 0)),
            speed: scenario.speed.unwrap_or(0),
            demo_only: scenario.has_csms_steps(),
        })
    }

    /// The file's speed (0: none).
    #[must_use]
    pub fn speed(&self) -> u32 {
        self.speed
    }

    /// Whether it has `csms` steps, which only the demo CSMS can carry out.
    #[wasm_bindgen(js_name = demoOnly)]
    #[must_use]
    pub fn demo_only(&self) -> bool {
        self.demo_only
    }

    /// Where it stands: `step 2 of 4, round 1`, `finished`, or waiting to start.
    #[must_use]
    pub fn status(&self) -> String {
        if self.script.done() {
            return String::from("finished");
        }
        if !self.script.started() {
            return String::from("waiting for the CSMS to accept the box");
        }
        let (round, step) = self.script.position();
        format!("step {} of {}, round {}", step + 1, self.steps, round + 1)
    }

    /// Whether every step has run.
    #[must_use]
    pub fn done(&self) -> bool {
        self.script.done()
    }

    /// What is due at the box's time `engine_ms` (real time `real_ms`, for an `until`
    /// step's timeout) with connector 1 in `status`; the scenario starts once
    /// `accepted` (the CSMS accepted the box). A JSON array of
    /// `{"do": "plug", "ev": {…}}`, `{"do": "tap", "card": …}`, `{"do": "fault" |
    /// "clear", "fault": …}`, `{"do": "csms", "action": …, "payload": {…}}`, `{"do":
    /// "unplug" | "pause" | "resume" | "offline" | "online" | "wait"}` and `{"do":
    /// "skipped", "why": …}` for an `until` that waited in vain.
    #[must_use]
    pub fn poll(&mut self, engine_ms: f64, real_ms: f64, status: &str, accepted: bool) -> String {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "ms"
        )]
        let (now, real) = (
            chargepoint::Instant::from_millis(engine_ms.max(0.0) as u64),
            real_ms.max(0.0) as u64,
        );
        if !self.script.started() && accepted {
            self.script.start(now, real);
        }
        let Ok(status) = parse_status(status) else {
            return String::from("[]");
        };
        let mut out = Vec::new();
        while let Some(due) = self.script.poll(now, real, status) {
            out.push(match due {
                Due::TimedOut {
                    step,
                    until,
                    skipped,
                } => format!(
                    r#"{{"do":"skipped","why":"step {}: waited in vain for {until}; its {} was skipped"}}"#,
                    step + 1,
                    skipped.name()
                ),
                Due::Act(action) => self.act(action),
            });
        }
        format!("[{}]", out.join(","))
    }
}

impl Run {
    fn act(&mut self, action: Action) -> String {
        let quoted = |s: &str| {
            let mut out = String::new();
            ocpp16::codec::write_str(&mut out, s);
            out
        };
        match action {
            Action::Plug => {
                let ev = self.script.ev();
                format!(
                    r#"{{"do":"plug","ev":{{"batteryWh":{},"socPermille":{},"maxCurrentMa":{},"phases":{},"targetPermille":{}}}}}"#,
                    ev.battery_wh,
                    ev.soc_permille,
                    ev.max_current_ma,
                    ev.phases,
                    ev.target_permille
                )
            }
            Action::Tap(cards) => format!(
                r#"{{"do":"tap","card":{}}}"#,
                quoted(cards.first().map_or("", String::as_str))
            ),
            Action::Fault(f) | Action::Clear(f) => {
                format!(r#"{{"do":"{}","fault":"{f:?}"}}"#, action.name())
            }
            Action::Csms { action, payload } => format!(
                r#"{{"do":"csms","action":{},"payload":{payload}}}"#,
                quoted(&action)
            ),
            other => format!(r#"{{"do":"{}"}}"#, other.name()),
        }
    }
}
