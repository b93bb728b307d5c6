//! Scenarios (TOML): what the people at each charge point do, and when.
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
//! do = "unplug"              # plug | unplug | tap | pause | resume | fault | clear | wait
//! [[step]]
//! wait = "1h"                # a step without `do` only waits
//! [[group]]                  # charge points 0..=99 follow their own plan
//! cps = "0..99"
//! [[group.step]]
//! do = "plug"
//! ```

use std::{ops::RangeInclusive, sync::Arc};

use chargepoint::{Fault, Instant, world::EvSpec};
use ocpp16::messages::ChargePointStatus;
use serde::Deserialize;

use crate::args::parse_duration;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileToml {
    speed: Option<u32>,
    seed: Option<u64>,
    repeat: Option<u32>,
    ev: Option<EvToml>,
    #[serde(default)]
    step: Vec<StepToml>,
    #[serde(default)]
    group: Vec<GroupToml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupToml {
    cps: String,
    repeat: Option<u32>,
    ev: Option<EvToml>,
    #[serde(default)]
    step: Vec<StepToml>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EvToml {
    battery_kwh: Option<f64>,
    soc: Option<NumOrRange>,
    max_current: Option<f64>,
    phases: Option<u8>,
    target_soc: Option<f64>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
enum NumOrRange {
    Num(f64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepToml {
    wait: Option<String>,
    until: Option<String>,
    timeout: Option<String>,
    #[serde(rename = "do")]
    action: Option<String>,
    card: Option<String>,
    cards: Option<Vec<String>>,
    fault: Option<String>,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
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
    /// Nothing: a step that only waits.
    Wait,
}

impl Action {
    /// Its name in a scenario file (`do = "…"`).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Plug => "plug",
            Self::Unplug => "unplug",
            Self::Tap(_) => "tap",
            Self::Pause => "pause",
            Self::Resume => "resume",
            Self::Fault(_) => "fault",
            Self::Clear(_) => "clear",
            Self::Wait => "wait",
        }
    }
}

/// One step.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    wait_ms: (u64, u64),
    until: Option<ChargePointStatus>,
    timeout_ms: u64,
    action: Action,
}

/// The plan of one charge point.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    repeat: u32,
    battery_wh: u32,
    soc_permille: (u16, u16),
    max_current_ma: u32,
    phases: u8,
    target_permille: u16,
    steps: Vec<Step>,
}

/// A whole scenario file.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    /// Time speed-up.
    pub(crate) speed: Option<u32>,
    /// Seed.
    pub(crate) seed: Option<u64>,
    default: Arc<Plan>,
    groups: Vec<(RangeInclusive<u32>, Arc<Plan>)>,
}

impl Scenario {
    /// Parses a scenario; errors name the step and the field.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let file: FileToml = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.speed == Some(0) {
            return Err(String::from("speed must be at least 1"));
        }
        let default = plan(file.repeat, file.ev.as_ref(), &file.step, "step")?;
        let mut groups = Vec::new();
        for (i, g) in file.group.iter().enumerate() {
            let where_ = format!("group[{i}]");
            let range = parse_index_range(&g.cps).map_err(|e| format!("{where_}.cps: {e}"))?;
            let p = plan(g.repeat, g.ev.as_ref(), &g.step, &format!("{where_}.step"))?;
            groups.push((range, Arc::new(p)));
        }
        Ok(Self {
            speed: file.speed,
            seed: file.seed,
            default: Arc::new(default),
            groups,
        })
    }

    /// The plan of charge point `index` (the first group that holds it, else the top level).
    pub(crate) fn plan_for(&self, index: u32) -> Arc<Plan> {
        self.groups
            .iter()
            .find(|(r, _)| r.contains(&index))
            .map_or_else(|| self.default.clone(), |(_, p)| p.clone())
    }
}

fn plan(
    repeat: Option<u32>,
    ev: Option<&EvToml>,
    steps: &[StepToml],
    where_: &str,
) -> Result<Plan, String> {
    let ev_default = EvToml::default();
    let ev = ev.unwrap_or(&ev_default);
    let pct = |v: f64, name: &str| -> Result<u16, String> {
        if (0.0..=100.0).contains(&v) {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "0..=1000"
            )]
            Ok((v * 10.0).round() as u16)
        } else {
            Err(format!("ev.{name}: {v} is not a percentage 0..100"))
        }
    };
    let soc = match &ev.soc {
        None => (200, 200),
        Some(NumOrRange::Num(v)) => (pct(*v, "soc")?, pct(*v, "soc")?),
        Some(NumOrRange::Text(t)) => {
            let (a, b) = t.split_once("..").ok_or_else(|| {
                format!("ev.soc: {t:?} is not a number or a range like \"20..40\"")
            })?;
            let num = |s: &str| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("ev.soc: {t:?} is not a range like \"20..40\""))
            };
            let (a, b) = (pct(num(a)?, "soc")?, pct(num(b)?, "soc")?);
            if a > b {
                return Err(format!("ev.soc: {t:?} runs backwards"));
            }
            (a, b)
        }
    };
    let battery_kwh = ev.battery_kwh.unwrap_or(60.0);
    if !(1.0..=1000.0).contains(&battery_kwh) {
        return Err(format!("ev.battery_kwh: {battery_kwh} is not in 1..1000"));
    }
    let max_current = ev.max_current.unwrap_or(32.0);
    if !(6.0..=80.0).contains(&max_current) {
        return Err(format!("ev.max_current: {max_current} A is not in 6..80"));
    }
    let phases = ev.phases.unwrap_or(3);
    if phases != 1 && phases != 3 {
        return Err(format!(
            "ev.phases: {phases}; an EV charges on 1 or 3 phases"
        ));
    }
    let steps = steps
        .iter()
        .enumerate()
        .map(|(i, s)| step(s).map_err(|e| format!("{where_}[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "ranges checked"
    )]
    Ok(Plan {
        repeat: repeat.unwrap_or(1),
        battery_wh: (battery_kwh * 1000.0).round() as u32,
        soc_permille: soc,
        max_current_ma: (max_current * 1000.0).round() as u32,
        phases,
        target_permille: pct(ev.target_soc.unwrap_or(100.0), "target_soc")?,
        steps,
    })
}

fn step(s: &StepToml) -> Result<Step, String> {
    let wait_ms = match &s.wait {
        None => (0, 0),
        Some(w) => parse_wait(w)?,
    };
    let until = match &s.until {
        None => None,
        Some(u) => Some(parse_status(u)?),
    };
    let timeout_ms = match &s.timeout {
        None => 60_000,
        Some(t) => ms(parse_duration(t).map_err(|e| format!("timeout: {e}"))?),
    };
    let fault = || -> Result<Fault, String> {
        let name = s.fault.as_deref().ok_or("this step needs fault = \"…\"")?;
        parse_fault(name)
    };
    let action = match s.action.as_deref().unwrap_or("wait") {
        "wait" => Action::Wait,
        "plug" => Action::Plug,
        "unplug" => Action::Unplug,
        "tap" => {
            let mut cards: Vec<String> = s.cards.clone().unwrap_or_default();
            cards.extend(s.card.clone());
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
        other => {
            return Err(format!(
                "do = {other:?}: expected plug, unplug, tap, pause, resume, fault, clear or wait"
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

fn ms(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn parse_wait(text: &str) -> Result<(u64, u64), String> {
    let (a, b) = text.split_once("..").unwrap_or((text, text));
    let a = ms(parse_duration(a).map_err(|e| format!("wait: {e}"))?);
    let b = ms(parse_duration(b).map_err(|e| format!("wait: {e}"))?);
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

fn parse_status(text: &str) -> Result<ChargePointStatus, String> {
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

pub(crate) fn parse_fault(text: &str) -> Result<Fault, String> {
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
            format!("fault {text:?}: one of {}", names.join(", "))
        })
}

/// A small deterministic generator (SplitMix64), one per charge point.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for charge point `index` of a run with `seed`.
    pub(crate) fn new(seed: u64, index: u32) -> Self {
        Self(seed ^ u64::from(index).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Waiting for a status until real time `deadline` (ms of the home's clock).
    Until {
        deadline: u64,
    },
    Wait {
        at: Instant,
    },
    Done,
}

/// A plan being carried out by one charge point.
#[derive(Debug)]
pub(crate) struct Script {
    plan: Arc<Plan>,
    rng: Rng,
    round: u32,
    step: usize,
    phase: Phase,
}

/// What the script asks for now.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Due {
    /// Carry out this action.
    Act(Action),
    /// A step waited in vain for a status; it was skipped.
    TimedOut {
        /// The step number (0-based).
        step: usize,
        /// The status awaited.
        until: ChargePointStatus,
        /// What the step would have done.
        skipped: Action,
    },
}

/// When a script next needs the clock: waits count in engine time (sped up), an
/// `until` step's timeout in real time (the CSMS it waits for is not sped up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// At this engine instant.
    Engine(Instant),
    /// At this real time (the home's ms).
    Real(u64),
}

impl Script {
    /// A script that has not started yet.
    pub(crate) fn new(plan: Arc<Plan>, rng: Rng) -> Self {
        let phase = if plan.steps.is_empty() {
            Phase::Done
        } else {
            Phase::Idle
        };
        Self {
            plan,
            rng,
            round: 0,
            step: 0,
            phase,
        }
    }

    /// The EV this plan plugs in (its state of charge picked at random).
    pub(crate) fn ev(&mut self) -> EvSpec {
        let p = &self.plan;
        let (lo, hi) = p.soc_permille;
        let soc = u16::try_from(self.rng.between(u64::from(lo), u64::from(hi))).unwrap_or(lo);
        EvSpec {
            battery_wh: p.battery_wh,
            soc_permille: soc,
            max_current_ma: p.max_current_ma,
            phases: p.phases,
            target_permille: p.target_permille,
        }
    }

    /// Whether it has started.
    pub(crate) fn started(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// Whether every step has run.
    pub(crate) fn done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Starts the first step's clock (engine time `now`, real time `real`).
    pub(crate) fn start(&mut self, now: Instant, real: u64) {
        if self.phase == Phase::Idle {
            self.enter(now, real);
        }
    }

    fn enter(&mut self, now: Instant, real: u64) {
        self.phase = match self.plan.steps.get(self.step) {
            None => Phase::Done,
            Some(s) if s.until.is_some() => Phase::Until {
                deadline: real.saturating_add(s.timeout_ms),
            },
            Some(s) => Phase::Wait {
                at: now + self.rng.between(s.wait_ms.0, s.wait_ms.1),
            },
        };
    }

    fn advance(&mut self, now: Instant, real: u64) {
        self.step += 1;
        if self.step >= self.plan.steps.len() {
            self.round += 1;
            if self.plan.repeat != 0 && self.round >= self.plan.repeat {
                self.phase = Phase::Done;
                return;
            }
            self.step = 0;
        }
        self.enter(now, real);
    }

    /// When the script next needs the clock.
    pub(crate) fn deadline(&self) -> Option<Deadline> {
        match self.phase {
            Phase::Until { deadline } => Some(Deadline::Real(deadline)),
            Phase::Wait { at } => Some(Deadline::Engine(at)),
            Phase::Idle | Phase::Done => None,
        }
    }

    /// What is due at engine time `now` (real time `real`) with connector 1 in
    /// `status`; call until `None`.
    pub(crate) fn poll(
        &mut self,
        now: Instant,
        real: u64,
        status: ChargePointStatus,
    ) -> Option<Due> {
        let step = self.plan.steps.get(self.step)?.clone();
        match self.phase {
            Phase::Until { deadline } => {
                if Some(status) == step.until {
                    self.phase = Phase::Wait {
                        at: now + self.rng.between(step.wait_ms.0, step.wait_ms.1),
                    };
                    self.poll(now, real, status)
                } else if deadline <= real {
                    let at = self.step;
                    self.advance(now, real);
                    step.until.map(|until| Due::TimedOut {
                        step: at,
                        until,
                        skipped: step.action,
                    })
                } else {
                    None
                }
            }
            Phase::Wait { at } if at <= now => {
                let action = match step.action {
                    Action::Tap(cards) => {
                        let n = u64::try_from(cards.len()).unwrap_or(1);
                        let pick =
                            usize::try_from(self.rng.between(0, n.saturating_sub(1))).unwrap_or(0);
                        Action::Tap(cards.get(pick).cloned().into_iter().collect())
                    }
                    other => other,
                };
                self.advance(now, real);
                Some(Due::Act(action))
            }
            Phase::Wait { .. } | Phase::Idle | Phase::Done => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(Scenario::parse("").unwrap().plan_for(0).steps.is_empty());
        let waits = Scenario::parse("[[step]]\nwait = \"1h\"").unwrap();
        assert_eq!(waits.plan_for(0).steps[0].action, Action::Wait);
    }
}
