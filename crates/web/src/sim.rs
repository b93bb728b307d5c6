//! The simulation behind the page: the engine, the emulated EV and the built-in demo
//! CSMS (the engine's harness), advanced in real time times the demo speed.

use chargepoint::{Led, Settings, harness::Harness, model::Variant, world::EvSpec};
use ocpp16::DateTime;

/// Cards on the panel's card shelf.
pub(crate) const CARDS: [&str; 3] = ["04A2B3C4D5", "04E5F6A7B8", "BLOCKED-CARD"];

/// The whole playground state.
pub(crate) struct Sim {
    /// Engine + world + demo CSMS.
    pub(crate) h: Harness,
    /// Demo speed (1, 10, 60).
    pub(crate) speed: u32,
    /// Real milliseconds at the last tick.
    last_real: f64,
    /// The EV to plug in.
    pub(crate) ev: EvSpec,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Sim {
    /// A fresh box: serial number shaped like the real unit's.
    pub(crate) fn new() -> Self {
        let real = now_ms();
        #[allow(
            clippy::cast_possible_truncation,
            reason = "Date.now() fits i64 for millennia"
        )]
        let epoch = DateTime::from_unix_millis(real as i64);
        let mut settings = Settings::new("TC-1000123456", Variant::Tethered);
        settings.trace_frames = true;
        let mut h = Harness::starting_at(settings, epoch);
        h.csms.script.blocked_tags.push(CARDS[2].into());
        h.run_for(0);
        Self {
            h,
            speed: 1,
            last_real: real,
            ev: EvSpec::default(),
        }
    }

    /// Advances the simulation to the real time now.
    pub(crate) fn tick(&mut self) {
        let real = now_ms();
        let elapsed = (real - self.last_real).max(0.0);
        self.last_real = real;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a tick is milliseconds"
        )]
        let dt = (elapsed * f64::from(self.speed)) as u64;
        self.h.run_for(dt.min(3_600_000));
        // A demo runs for hours: keep the latest of what the harness records.
        trim(&mut self.h.trace, 400);
        trim(&mut self.h.commands, 200);
        trim(&mut self.h.events, 200);
        trim(&mut self.h.csms.received, 200);
    }

    /// The light the box shows now.
    pub(crate) fn led(&self) -> Led {
        self.h
            .commands
            .iter()
            .rev()
            .find_map(|(_, c)| match c {
                chargepoint::Command::Indicator(led) if *led != Led::Rejected => Some(*led),
                _ => None,
            })
            .unwrap_or(Led::Booting)
    }

    /// Whether a refused card was shown in the last two seconds.
    pub(crate) fn rejected_recently(&self) -> bool {
        let now = self.h.now.as_millis();
        self.h
            .commands
            .iter()
            .rev()
            .take_while(|(t, _)| now.saturating_sub(t.as_millis()) < 2_000 * u64::from(self.speed))
            .any(|(_, c)| *c == chargepoint::Command::Indicator(Led::Rejected))
    }
}

fn trim<T>(v: &mut Vec<T>, keep: usize) {
    if v.len() > keep * 2 {
        v.drain(..v.len() - keep);
    }
}
