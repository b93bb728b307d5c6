//! Scenarios (TOML): what the people at each charge point do, and when. One parser and
//! one executor for every home: the native runner `evc run --scenario` and the page both
//! read a file with [`Scenario::parse`] and carry a charge point's plan out with a
//! [`Script`]; no_std, no I/O, no clock (the home passes the time in).
//!
//! ```toml
//! speed = 10                 # time speed-up (the command line's --speed wins)
//! seed = 1                   # randomness (the command line's --seed wins)
//! repeat = 1                 # how often the steps run; 0 = forever
//! ev = { battery_kwh = 60, soc = "20..40", max_current = 32, phases = 3, target_soc = 100 }
//! [[step]]
//! wait = "5s..30s"           # engine time before the step, picked per charge point
//! do = "plug"
//! [[step]]
//! wait = "2s"
//! do = "tap"
//! cards = ["04A1B2C3", "04D4E5F6"]
//! [[step]]
//! until = "Charging"         # first wait for connector 1's status (timeout = "60s",
//!                            # real time: a slow CSMS is as slow at any --speed)
//! wait = "30m"
//! do = "unplug"              # plug | unplug | tap | pause | resume | fault | clear |
//!                            # offline | online | csms | wait
//! [[step]]
//! wait = "1h"                # a step without `do` only waits
//! [[step]]
//! do = "csms"                # the CSMS sends a CALL: only the tab's demo CSMS can
//! action = "TriggerMessage"  # (the runner refuses such a file)
//! payload = '{"requestedMessage": "Heartbeat"}'
//! [[group]]                  # charge points 0..=99 follow their own plan
//! cps = "0..99"
//! [[group.step]]
//! do = "plug"
//! ```
//!
//! A file is read by the small TOML reader in [`toml`]; errors name the line (syntax) or
//! the field (`step[2]: do = "dance": expected …`), and an unknown field is an error.

pub mod toml;

mod script;

use alloc::{borrow::ToOwned, format, string::String, vec::Vec};
use core::ops::RangeInclusive;

use ocpp16::messages::ChargePointStatus;

pub use script::{Deadline, Due, Rng, Script};
use toml::{Decimal, Table, Value};

use crate::Fault;

/// How a plan is shared between the charge points that follow it: `Arc` where the
/// target has atomics (the runner's threads), `Rc` where it has none (riscv32imc).
#[cfg(target_has_atomic = "ptr")]
pub type Shared<T> = alloc::sync::Arc<T>;
/// How a plan is shared between the charge points that follow it: `Arc` where the
/// target has atomics (the runner's threads), `Rc` where it has none (riscv32imc).
#[cfg(not(target_has_atomic = "ptr"))]
pub type Shared<T> = alloc::rc::Rc<T>;

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Plug the EV in.
    Plug,
    /// Unplug it.
    Unplug,
    /// Tap one of these cards (picked at random).
    Tap(Vec<String>),
    /// The EV stops drawing current.
    Pause,
    /// It draws again.
    Resume,
    /// Raise a fault.
    Fault(Fault),
    /// Clear a fault.
    Clear(Fault),
    /// The box loses its link to the CSMS and cannot reach it until `Online`.
    Offline,
    /// The CSMS can be reached again (the box reconnects on its own schedule).
    Online,
    /// The CSMS sends this CALL (checked against the schema when the file is read).
    /// Only a home that plays the CSMS itself can do it: the tab's demo CSMS.
    Csms {
        /// The action, e.g. `SetChargingProfile`.
        action: String,
        /// Its payload (JSON text).
        payload: String,
    },
    /// Nothing: a step that only waits.
    Wait,
}

impl Action {
    /// Its name in a scenario file (`do = "…"`).
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Plug => "plug",
            Self::Unplug => "unplug",
            Self::Tap(_) => "tap",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Fault(_) => "fault",
            Self::Clear(_) => "clear",
            Self::Offline => "offline",
            Self::Online => "online",
            Self::Csms { .. } => "csms",
            Self::Wait => "wait",
        }
    }
}

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    wait_ms: (u64, u64),
    until: Option<ChargePointStatus>,
    timeout_ms: u64,
    action: Action,
}

impl Step {
    /// What it does.
    #[must_use]
    pub const fn action(&self) -> &Action {
        &self.action
    }
}

/// The plan of one charge point.
#[derive(Debug, Clone)]
pub struct Plan {
    repeat: u32,
    battery_wh: u32,
    soc_permille: (u16, u16),
    max_current_ma: u32,
    phases: u8,
    target_permille: u16,
    steps: Vec<Step>,
}

impl Plan {
    /// Its steps.
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
}

/// A whole scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Time speed-up.
    pub speed: Option<u32>,
    /// Seed.
    pub seed: Option<u64>,
    default: Shared<Plan>,
    groups: Vec<(RangeInclusive<u32>, Shared<Plan>)>,
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// What is wrong, naming the line or the step and the field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut file = Fields::new(toml::parse(text)?, "");
        let speed = file.int("speed", 1, u64::from(u32::MAX))?.map(narrow);
        let seed = file.int("seed", 0, u64::MAX)?;
        let repeat = file.int("repeat", 0, u64::from(u32::MAX))?.map(narrow);
        let ev = file.table("ev")?;
        let steps = file.tables("step")?;
        let groups = file.tables("group")?;
        file.finish(&["speed", "seed", "repeat", "ev", "step", "group"])?;
        let default = plan(repeat, ev, steps, "step")?;
        let mut plans = Vec::new();
        for (i, g) in groups.into_iter().enumerate() {
            let at = format!("group[{i}]");
            let mut g = Fields::new(g, &format!("{at}."));
            let cps = g
                .string("cps")?
                .ok_or_else(|| format!("{at}: cps = \"…\" is missing"))?;
            let range = parse_index_range(&cps).map_err(|e| format!("{at}.cps: {e}"))?;
            let repeat = g.int("repeat", 0, u64::from(u32::MAX))?.map(narrow);
            let ev = g.table("ev")?;
            let steps = g.tables("step")?;
            g.finish(&["cps", "repeat", "ev", "step"])?;
            let p = plan(repeat, ev, steps, &format!("{at}.step"))?;
            plans.push((range, Shared::new(p)));
        }
        Ok(Self {
            speed,
            seed,
            default: Shared::new(default),
            groups: plans,
        })
    }

    /// Whether a step has the CSMS send a CALL (`do = "csms"`), which only a home that
    /// plays the CSMS can carry out.
    #[must_use]
    pub fn has_csms_steps(&self) -> bool {
        core::iter::once(&self.default)
            .chain(self.groups.iter().map(|(_, p)| p))
            .any(|p| {
                p.steps
                    .iter()
                    .any(|s| matches!(s.action, Action::Csms { .. }))
            })
    }

    /// The plan of charge point `index` (the first group that holds it, else the top level).
    #[must_use]
    pub fn plan_for(&self, index: u32) -> Shared<Plan> {
        self.groups
            .iter()
            .find(|(r, _)| r.contains(&index))
            .map_or_else(|| self.default.clone(), |(_, p)| p.clone())
    }
}

#[allow(
    clippy::cast_possible_truncation,
    reason = "range checked by Fields::int"
)]
const fn narrow(v: u64) -> u32 {
    v as u32
}

/// The fields of one table, taken one by one; what is left at the end is unknown.
struct Fields {
    table: Table,
    /// Where the table is, as a prefix of its fields' names: `""`, `"ev."`, `"group[1]."`.
    at: String,
}

impl Fields {
    fn new(table: Table, at: &str) -> Self {
        Self {
            table,
            at: at.to_owned(),
        }
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> String {
        format!(
            "{}{key}: expected {expected}, found {}",
            self.at,
            found.describe()
        )
    }

    /// A whole number in `lo..=hi`.
    fn int(&mut self, key: &str, lo: u64, hi: u64) -> Result<Option<u64>, String> {
        match self.table.take(key) {
            None => Ok(None),
            Some(Value::Integer(i)) => match u64::try_from(i) {
                Ok(v) if (lo..=hi).contains(&v) => Ok(Some(v)),
                _ => Err(format!("{}{key}: {i} is not in {lo}..{hi}", self.at)),
            },
            Some(other) => Err(self.wrong(key, "a whole number", &other)),
        }
    }

    /// A number, whole or not, in thousandths.
    fn number(&mut self, key: &str) -> Result<Option<Decimal>, String> {
        match self.table.take(key) {
            None => Ok(None),
            Some(Value::Integer(i)) => Decimal::from_int(i)
                .map(Some)
                .ok_or_else(|| format!("{}{key}: {i} is too large", self.at)),
            Some(Value::Float(f)) => Ok(Some(f)),
            Some(other) => Err(self.wrong(key, "a number", &other)),
        }
    }

    fn string(&mut self, key: &str) -> Result<Option<String>, String> {
        match self.table.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(key, "a string", &other)),
        }
    }

    fn strings(&mut self, key: &str) -> Result<Vec<String>, String> {
        match self.table.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(self.wrong(key, "an array of strings", &other)),
                })
                .collect(),
            Some(other) => Err(self.wrong(key, "an array of strings", &other)),
        }
    }

    fn table(&mut self, key: &str) -> Result<Option<Table>, String> {
        match self.table.take(key) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(other) => Err(self.wrong(key, "a table", &other)),
        }
    }

    /// An array of tables: `[[key]]` headers, or `key = [{ … }, …]`.
    fn tables(&mut self, key: &str) -> Result<Vec<Table>, String> {
        match self.table.take(key) {
            None => Ok(Vec::new()),
            Some(Value::Tables(ts)) => Ok(ts),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::Table(t) => Ok(t),
                    other => Err(self.wrong(key, "an array of tables", &other)),
                })
                .collect(),
            Some(other) => Err(self.wrong(key, "an array of tables", &other)),
        }
    }

    /// Every field was taken, else the first unknown one is named.
    fn finish(self, known: &[&str]) -> Result<(), String> {
        match self.table.keys().next() {
            None => Ok(()),
            Some(key) => Err(format!(
                "unknown field `{}{key}`, expected one of {}",
                self.at,
                known.join(", ")
            )),
        }
    }
}

/// `v` in thousandths when it is in `lo..=hi` (whole units), else what is wrong.
fn within(v: Decimal, lo: i64, hi: i64, field: &str, unit: &str) -> Result<u32, String> {
    if (lo * 1000..=hi * 1000).contains(&v.milli) {
        u32::try_from(v.milli).map_err(|_| String::new())
    } else {
        Err(format!("{field}: {}{unit} is not in {lo}..{hi}", v.show()))
    }
}

fn plan(
    repeat: Option<u32>,
    ev: Option<Table>,
    steps: Vec<Table>,
    at: &str,
) -> Result<Plan, String> {
    let mut ev = Fields::new(ev.unwrap_or_default(), "ev.");
    // A percentage in permille (thousandths of a percent / 100, rounded).
    let pct = |v: Decimal, name: &str| -> Result<u16, String> {
        if (0..=100_000).contains(&v.milli) {
            u16::try_from((v.milli + 50) / 100).map_err(|_| String::new())
        } else {
            Err(format!(
                "ev.{name}: {} is not a percentage 0..100",
                v.show()
            ))
        }
    };
    let soc = match ev.table.take("soc") {
        None => (200, 200),
        Some(Value::Integer(v)) => {
            let v = Decimal::from_int(v).unwrap_or(Decimal { milli: -1 });
            (pct(v, "soc")?, pct(v, "soc")?)
        }
        Some(Value::Float(v)) => (pct(v, "soc")?, pct(v, "soc")?),
        Some(Value::String(t)) => {
            let (a, b) = t.split_once("..").ok_or_else(|| {
                format!("ev.soc: {t:?} is not a number or a range like \"20..40\"")
            })?;
            let num = |s: &str| {
                Decimal::parse(s.trim())
                    .ok_or_else(|| format!("ev.soc: {t:?} is not a range like \"20..40\""))
            };
            let (a, b) = (pct(num(a)?, "soc")?, pct(num(b)?, "soc")?);
            if a > b {
                return Err(format!("ev.soc: {t:?} runs backwards"));
            }
            (a, b)
        }
        Some(other) => return Err(ev.wrong("soc", "a percentage or a range", &other)),
    };
    let battery_wh = match ev.number("battery_kwh")? {
        None => 60_000,
        Some(kwh) => within(kwh, 1, 1000, "ev.battery_kwh", "")?,
    };
    let max_current_ma = match ev.number("max_current")? {
        None => 32_000,
        Some(a) => within(a, 6, 80, "ev.max_current", " A")?,
    };
    let phases = ev.int("phases", 0, 255)?.unwrap_or(3);
    if phases != 1 && phases != 3 {
        return Err(format!(
            "ev.phases: {phases}; an EV charges on 1 or 3 phases"
        ));
    }
    let target = match ev.number("target_soc")? {
        None => 1000,
        Some(v) => pct(v, "target_soc")?,
    };
    ev.finish(&["battery_kwh", "soc", "max_current", "phases", "target_soc"])?;
    let steps = steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| step(Fields::new(s, "")).map_err(|e| format!("{at}[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Plan {
        repeat: repeat.unwrap_or(1),
        battery_wh,
        soc_permille: soc,
        max_current_ma,
        phases: u8::try_from(phases).unwrap_or(3),
        target_permille: target,
        steps,
    })
}

fn step(mut s: Fields) -> Result<Step, String> {
    let wait_ms = match s.string("wait")? {
        None => (0, 0),
        Some(w) => parse_wait(&w)?,
    };
    let until = match s.string("until")? {
        None => None,
        Some(u) => Some(parse_status(&u)?),
    };
    let timeout_ms = match s.string("timeout")? {
        None => 60_000,
        Some(t) => parse_duration_ms(&t).map_err(|e| format!("timeout: {e}"))?,
    };
    let name = s.string("do")?;
    let mut cards = s.strings("cards")?;
    cards.extend(s.string("card")?);
    let fault = s.string("fault")?;
    let csms_action = s.string("action")?;
    let payload = s.string("payload")?;
    s.finish(&[
        "wait", "until", "timeout", "do", "card", "cards", "fault", "action", "payload",
    ])?;
    let fault = || -> Result<Fault, String> {
        parse_fault(fault.as_deref().ok_or("this step needs fault = \"…\"")?)
    };
    let action = match name.as_deref().unwrap_or("wait") {
        "wait" => Action::Wait,
        "plug" => Action::Plug,
        "unplug" => Action::Unplug,
        "tap" => {
            if cards.is_empty() {
                return Err(String::from("tap needs card = \"…\" or cards = [\"…\", …]"));
            }
            if let Some(bad) = cards
                .iter()
                .find(|c| c.is_empty() || c.chars().count() > 20)
            {
                return Err(format!("card {bad:?}: an idTag has 1 to 20 characters"));
            }
            Action::Tap(cards)
        }
        "pause" => Action::Pause,
        "resume" => Action::Resume,
        "fault" => Action::Fault(fault()?),
        "clear" => Action::Clear(fault()?),
        "offline" => Action::Offline,
        "online" => Action::Online,
        "csms" => {
            let action = csms_action.ok_or("csms needs action = \"…\" (a CSMS request)")?;
            let payload = payload.unwrap_or_else(|| String::from("{}"));
            ocpp16::decode_call(ocpp16::Side::ChargePoint, &action, &payload)
                .map_err(|e| format!("csms {action}: {} ({})", e.description, e.code.as_str()))?;
            Action::Csms { action, payload }
        }
        other => {
            return Err(format!(
                "do = {other:?}: expected plug, unplug, tap, pause, resume, fault, clear, \
                 offline, online, csms or wait"
            ));
        }
    };
    Ok(Step {
        wait_ms,
        until,
        timeout_ms,
        action,
    })
}

/// A duration such as `90s`, `10m`, `1.5h`, `250ms` or `3` (seconds), in milliseconds
/// (rounded).
///
/// # Errors
/// Not a number, an unknown unit, or more than 10^9 s.
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value = Decimal::parse(number)
        .and_then(|d| u64::try_from(d.milli).ok())
        .ok_or_else(|| format!("{text:?} is not a duration (try 90s, 10m, 1h)"))?;
    // `value` is in thousandths of the unit.
    let ms = match unit.trim() {
        "" | "s" => Some(value),
        "ms" => Some((value + 500) / 1000),
        "m" | "min" => value.checked_mul(60),
        "h" => value.checked_mul(3600),
        other => return Err(format!("unknown unit {other:?} in {text:?} (ms, s, m, h)")),
    };
    ms.filter(|ms| *ms <= 1_000_000_000_000)
        .ok_or_else(|| format!("{text:?} is out of range"))
}

fn parse_wait(text: &str) -> Result<(u64, u64), String> {
    let (a, b) = text.split_once("..").unwrap_or((text, text));
    let a = parse_duration_ms(a).map_err(|e| format!("wait: {e}"))?;
    let b = parse_duration_ms(b).map_err(|e| format!("wait: {e}"))?;
    if a > b {
        return Err(format!("wait: {text:?} runs backwards"));
    }
    Ok((a, b))
}

fn parse_index_range(text: &str) -> Result<RangeInclusive<u32>, String> {
    let num = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("{text:?} is not an index range like \"0..99\""))
    };
    let (a, b) = match text.split_once("..") {
        Some((a, b)) => (num(a)?, num(b)?),
        None => (num(text)?, num(text)?),
    };
    if a > b {
        return Err(format!("{text:?} runs backwards"));
    }
    Ok(a..=b)
}

/// A connector status by its OCPP 1.6 name (`Charging`, …).
///
/// # Errors
/// Not one of the nine.
pub fn parse_status(text: &str) -> Result<ChargePointStatus, String> {
    use ChargePointStatus as S;
    let all = [
        S::Available,
        S::Preparing,
        S::Charging,
        S::SuspendedEv,
        S::SuspendedEvse,
        S::Finishing,
        S::Reserved,
        S::Unavailable,
        S::Faulted,
    ];
    all.into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| format!("until: {text:?} is not an OCPP 1.6 connector status"))
}

/// A fault by its name in a scenario (`GroundFailure`, …).
///
/// # Errors
/// An unknown name; the message lists the known ones.
pub fn parse_fault(text: &str) -> Result<Fault, String> {
    use Fault as F;
    let all = [
        ("HighTemperature", F::HighTemperature),
        ("GroundFailure", F::GroundFailure),
        ("OverCurrent", F::OverCurrent),
        ("UnderVoltage", F::UnderVoltage),
        ("OverVoltage", F::OverVoltage),
        ("PowerMeter", F::PowerMeter),
        ("PowerSwitch", F::PowerSwitch),
        ("Reader", F::Reader),
        ("ConnectorLock", F::ConnectorLock),
        ("EvCommunication", F::EvCommunication),
        ("Internal", F::Internal),
    ];
    all.iter()
        .find(|(n, _)| *n == text)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
            format!("unknown fault \"{text}\"; one of {}", names.join(", "))
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;
    use crate::Instant;
    use alloc::vec::Vec;

    const FULL: &str = r#"
speed = 10
seed = 3
repeat = 2
ev = { battery_kwh = 40, soc = "20..40", max_current = 16, phases = 1 }
[[step]]
wait = "5s..10s"
do = "plug"
[[step]]
do = "tap"
cards = ["A", "B"]
[[step]]
until = "Charging"
timeout = "30s"
wait = "1m"
do = "unplug"
[[group]]
cps = "5..6"
[[group.step]]
do = "fault"
fault = "GroundFailure"
"#;

    fn run(script: &mut Script, status: ChargePointStatus, until_ms: u64) -> Vec<(u64, Due)> {
        let mut out = Vec::new();
        for t in 0..=until_ms / 100 {
            let now = Instant::from_millis(t * 100);
            while let Some(d) = script.poll(now, t * 100, status) {
                out.push((t * 100, d));
            }
        }
        out
    }

    #[test]
    fn a_plan_runs_its_steps_and_repeats() {
        let s = Scenario::parse(FULL).unwrap();
        assert_eq!((s.speed, s.seed), (Some(10), Some(3)));
        let mut script = Script::new(s.plan_for(0), Rng::new(3, 0));
        let ev = script.ev();
        assert_eq!(
            (ev.battery_wh, ev.max_current_ma, ev.phases),
            (40_000, 16_000, 1)
        );
        assert!((200..=400).contains(&ev.soc_permille));
        script.start(Instant::from_millis(0), 0);
        let done = run(&mut script, ChargePointStatus::Charging, 200_000);
        let acts: Vec<&Due> = done.iter().map(|(_, d)| d).collect();
        assert_eq!(acts.len(), 6, "{done:?}");
        assert_eq!(*acts[0], Due::Act(Action::Plug));
        assert!((5_000..=10_000).contains(&done[0].0));
        assert!(matches!(acts[1], Due::Act(Action::Tap(c)) if c.len() == 1));
        assert_eq!(
            done[2].0,
            done[1].0 + 60_000,
            "unplug a minute after Charging"
        );
        assert!(script.done());
    }

    #[test]
    fn an_until_that_never_comes_times_out() {
        let s = Scenario::parse(FULL).unwrap();
        let mut script = Script::new(s.plan_for(1), Rng::new(1, 1));
        script.start(Instant::from_millis(0), 0);
        let done = run(&mut script, ChargePointStatus::Preparing, 60_000);
        assert!(done.iter().any(|(_, d)| matches!(
            d,
            Due::TimedOut {
                step: 2,
                until: ChargePointStatus::Charging,
                skipped: Action::Unplug,
            }
        )));
    }

    #[test]
    fn an_until_timeout_counts_real_time_at_any_speed() {
        let s =
            Scenario::parse("[[step]]\nuntil = \"Charging\"\ntimeout = \"30s\"\ndo = \"unplug\"")
                .unwrap();
        let mut script = Script::new(s.plan_for(0), Rng::new(0, 0));
        script.start(Instant::from_millis(0), 0);
        assert_eq!(script.deadline(), Some(Deadline::Real(30_000)));
        // At 10x, 29 s of real time are 290 s of engine time: still waiting.
        let status = ChargePointStatus::Preparing;
        assert_eq!(
            script.poll(Instant::from_millis(290_000), 29_000, status),
            None
        );
        assert!(matches!(
            script.poll(Instant::from_millis(300_000), 30_000, status),
            Some(Due::TimedOut {
                step: 0,
                skipped: Action::Unplug,
                ..
            })
        ));
        assert!(script.done());
    }

    #[test]
    fn groups_pick_their_plan() {
        let s = Scenario::parse(FULL).unwrap();
        let mut script = Script::new(s.plan_for(6), Rng::new(0, 6));
        script.start(Instant::from_millis(0), 0);
        let done = run(&mut script, ChargePointStatus::Available, 1000);
        assert_eq!(done[0].1, Due::Act(Action::Fault(Fault::GroundFailure)));
    }

    #[test]
    fn the_shipped_files_and_every_toml_spelling_read_the_same() {
        for text in [
            include_str!("../../cli/benches/fleet.toml"),
            include_str!("../../../tests/web/runner-scenario.toml"),
            include_str!("../../../www/scenarios/home-day.toml"),
            include_str!("../../../www/scenarios/offline.toml"),
            include_str!("../../../www/scenarios/peak-hours.toml"),
        ] {
            assert!(!Scenario::parse(text).unwrap().plan_for(0).steps.is_empty());
        }
        let docs: String = include_str!("scenario.rs")
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| l.trim_start_matches("//!").trim_start_matches(' '))
            .fold(String::new(), |acc, l| acc + l + "\n");
        let s = Scenario::parse(&docs).unwrap();
        assert_eq!(s.plan_for(100).steps.len(), 5);
        assert!(s.has_csms_steps());
        assert!(
            matches!(&s.plan_for(100).steps[4].action, Action::Csms { action, .. } if action == "TriggerMessage")
        );
        assert_eq!(s.plan_for(99).steps[0].action, Action::Plug);
        let headed =
            Scenario::parse("[ev]\nphases = 1\nsoc = 35.5\n[[step]]\ndo = 'plug'\n").unwrap();
        let inline =
            Scenario::parse("ev.phases = 1\nev.soc = 35.5\nstep = [{ do = \"plug\" }]").unwrap();
        for s in [headed, inline] {
            let p = s.plan_for(0);
            assert_eq!((p.phases, p.soc_permille), (1, (355, 355)));
            assert_eq!(p.steps[0].action, Action::Plug);
        }
    }

    proptest::proptest! {
        #[test]
        fn no_input_panics(text in "[\\[\\]{}=,.\"'#a-z0-9_ \n\\\\-]{0,80}") {
            let _ = Scenario::parse(&text);
        }

        #[test]
        fn no_cut_of_a_good_file_panics(cut in 0usize..400) {
            let text = include_str!("../../cli/benches/fleet.toml");
            let end = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
            let _ = Scenario::parse(&text[..end]);
        }
    }

    #[test]
    fn bad_files_say_where() {
        let err = |t: &str| Scenario::parse(t).unwrap_err();
        assert!(err("[[step]]\ndo = \"dance\"").contains("step[0]: do = \"dance\""));
        assert!(err("[[step]]\ndo = \"tap\"").contains("card"));
        assert!(err("[[step]]\ndo = \"plug\"\nwait = \"10s..5s\"").contains("backwards"));
        assert!(err("[[step]]\ndo = \"plug\"\nuntil = \"Charged\"").contains("status"));
        assert!(err("[[step]]\ndo = \"fault\"\nfault = \"Fire\"").contains("GroundFailure"));
        assert!(err("ev = { soc = 120 }").contains("percentage"));
        assert!(err("ev = { phases = 2 }").contains("phases"));
        assert!(err("colour = 1").contains("colour"));
        assert!(err("[[group]]\ncps = \"9..2\"").contains("group[0].cps"));
        assert!(err("speed = 0").contains("speed"));
        assert_eq!(
            err("speed = \"fast\""),
            "speed: expected a whole number, found the string \"fast\""
        );
        assert!(err("seed = -1").contains("seed: -1 is not in"));
        assert!(err("ev = { colour = 1 }").contains("unknown field `ev.colour`"));
        assert!(err("ev = 3").contains("ev: expected a table"));
        assert!(err("[[step]]\nwait = 5").contains("step[0]: wait: expected a string"));
        assert!(err("[[step]]\ncards = [1]").contains("array of strings"));
        assert!(err("[[step]]\ncolour = 1").starts_with("step[0]: unknown field `colour`"));
        assert!(err("[[group]]\n[[group.step]]").contains("group[0]: cps"));
        assert!(
            err("[[group]]\ncps = \"1\"\n[[group.step]]\ndo = 1").contains("group[0].step[0]: do")
        );
        assert!(err("[[step]\ndo = 'plug'").starts_with("line 1:"));
        assert!(err("[[step]]\ndo = \"csms\"").contains("csms needs action"));
        assert!(
            err("[[step]]\ndo = \"csms\"\naction = \"Heartbeat\"").contains("csms Heartbeat"),
            "a charge point's CALL is not the CSMS's"
        );
        assert!(
            err("[[step]]\ndo = 'csms'\naction = 'TriggerMessage'\npayload = '{\"requestedMessage\": \"Coffee\"}'")
                .contains("requestedMessage"),
            "the payload is checked against the schema"
        );
        let net = Scenario::parse("[[step]]\ndo = 'offline'\n[[step]]\ndo = 'online'").unwrap();
        assert!(!net.has_csms_steps());
        assert_eq!(net.plan_for(0).steps[1].action, Action::Online);
        assert!(Scenario::parse("").unwrap().plan_for(0).steps.is_empty());
        let waits = Scenario::parse("[[step]]\nwait = \"1h\"").unwrap();
        assert_eq!(waits.plan_for(0).steps[0].action, Action::Wait);
    }
}
