//! A plan being carried out: [`Script`] steps through one charge point's [`Plan`],
//! drawing its waits, cards and state of charge from a seeded [`Rng`], and tells the
//! home what to do and when. It reads no clock: the home passes engine time (sped up)
//! and real time (an `until` step's timeout: the CSMS it waits for is not sped up).

use ocpp16::messages::ChargePointStatus;

use super::{Action, Plan, Shared};
use crate::{Instant, world::EvSpec};

/// A small deterministic generator (SplitMix64), one per charge point.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for charge point `index` of a run with `seed`.
    pub fn new(seed: u64, index: u32) -> Self {
        Self(seed ^ u64::from(index).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    /// The next number of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
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
pub struct Script {
    plan: Shared<Plan>,
    rng: Rng,
    round: u32,
    step: usize,
    phase: Phase,
}

/// What the script asks for now.
#[derive(Debug, PartialEq, Eq)]
pub enum Due {
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
pub enum Deadline {
    /// At this engine instant.
    Engine(Instant),
    /// At this real time (the home's ms).
    Real(u64),
}

impl Script {
    /// A script that has not started yet.
    pub fn new(plan: Shared<Plan>, rng: Rng) -> Self {
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
    pub fn ev(&mut self) -> EvSpec {
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
    pub fn started(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// Where it stands: (round, step), both from 0.
    #[must_use]
    pub const fn position(&self) -> (u32, usize) {
        (self.round, self.step)
    }

    /// Whether every step has run.
    pub fn done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Starts the first step's clock (engine time `now`, real time `real`).
    pub fn start(&mut self, now: Instant, real: u64) {
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
    pub fn deadline(&self) -> Option<Deadline> {
        match self.phase {
            Phase::Until { deadline } => Some(Deadline::Real(deadline)),
            Phase::Wait { at } => Some(Deadline::Engine(at)),
            Phase::Idle | Phase::Done => None,
        }
    }

    /// What is due at engine time `now` (real time `real`) with connector 1 in
    /// `status`; call until `None`.
    pub fn poll(&mut self, now: Instant, real: u64, status: ChargePointStatus) -> Option<Due> {
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
