//! The emulated world a real box would measure: the supply, the relay, an EV with a
//! battery, the meter and a body temperature. Deterministic integer arithmetic, shared
//! by the browser and native homes (a firmware reads a real meter instead); the engine
//! itself never uses it. Speeding time up is the home's job: it passes scaled steps.

use alloc::{vec, vec::Vec};

use crate::interface::{Command, HardwareEvent, MeterReading};

/// mW·ms in one Wh.
const MWMS_PER_WH: u128 = 3_600_000_000;
/// Longest step integrated at once while the EV charges (its current changes with SoC).
const CHUNK_MS: u64 = 10_000;
/// Lowest current an EV draws while charging (IEC 61851).
const MIN_CURRENT_MA: u32 = 6_000;

/// An EV as the user sets it up before plugging it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvSpec {
    /// Usable battery capacity in Wh.
    pub battery_wh: u32,
    /// State of charge when plugged in, in ‰.
    pub soc_permille: u16,
    /// Most current it draws per phase, in mA.
    pub max_current_ma: u32,
    /// Phases it charges on (1 or 3).
    pub phases: u8,
    /// State of charge at which it stops, in ‰.
    pub target_permille: u16,
}

impl Default for EvSpec {
    fn default() -> Self {
        Self {
            battery_wh: 60_000,
            soc_permille: 200,
            max_current_ma: 32_000,
            phases: 3,
            target_permille: 1000,
        }
    }
}

/// A plugged-in EV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ev {
    /// Its set-up.
    pub spec: EvSpec,
    /// Energy in the battery, in mW·ms.
    stored: u128,
    /// The driver (or the car) paused charging.
    pub paused: bool,
    /// Whether it draws current when offered (it told the box so).
    drawing: bool,
}

impl Ev {
    fn capacity(&self) -> u128 {
        u128::from(self.spec.battery_wh) * MWMS_PER_WH
    }

    // Not inlined: its 128-bit division would be copied into each caller.
    #[inline(never)]
    fn target(&self) -> u128 {
        self.capacity() * u128::from(self.spec.target_permille.min(1000)) / 1000
    }

    /// State of charge in ‰.
    #[must_use]
    pub fn soc_permille(&self) -> u16 {
        let cap = self.capacity().max(1);
        u16::try_from(self.stored * 1000 / cap)
            .unwrap_or(1000)
            .min(1000)
    }

    fn wants_charge(&self) -> bool {
        !self.paused && self.stored < self.target()
    }

    /// Current per phase it draws at its state of charge when `offered_ma` is offered:
    /// full current up to 80 %, then linearly down to 10 % of its maximum at 100 %.
    fn current_ma(&self, offered_ma: u32) -> u32 {
        let max = self.spec.max_current_ma.min(offered_ma);
        if max < MIN_CURRENT_MA {
            return 0;
        }
        let soc = u32::from(self.soc_permille());
        let max = if soc > 800 {
            let tapered = u64::from(max) * u64::from(1000 - (soc - 800) * 9 / 2) / 1000;
            u32::try_from(tapered).unwrap_or(max)
        } else {
            max
        };
        max.max(MIN_CURRENT_MA)
    }
}

/// The supply, relay, meter and EV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    /// Supply voltage per phase in decivolts.
    pub voltage_dv: u32,
    /// Ambient temperature in deci-°C.
    pub ambient_dc: i32,
    /// A forced body temperature (fault injection), in deci-°C.
    pub temperature_override: Option<i32>,
    relay_closed: bool,
    offered_ma: u32,
    ev: Option<Ev>,
    /// Energy register in mW·ms.
    register: u128,
    /// Body temperature in milli-°C (fine enough that the approach never stalls).
    temperature_mc: i32,
    current_ma: u32,
    phases: u8,
}

impl Default for World {
    fn default() -> Self {
        Self::new(0)
    }
}

impl World {
    /// No EV, the relay open, the meter at zero, 230 V and 20 °C.
    pub const EMPTY: Self = Self {
        voltage_dv: 2300,
        ambient_dc: 200,
        temperature_override: None,
        relay_closed: false,
        offered_ma: 0,
        ev: None,
        register: 0,
        temperature_mc: 20_000,
        current_ma: 0,
        phases: 0,
    };

    /// A world whose meter starts at `register_wh`.
    #[must_use]
    pub fn new(register_wh: u64) -> Self {
        Self {
            register: u128::from(register_wh) * MWMS_PER_WH,
            ..Self::EMPTY
        }
    }

    /// The plugged-in EV.
    #[must_use]
    pub fn ev(&self) -> Option<&Ev> {
        self.ev.as_ref()
    }

    /// Whether the relay is closed, and the offered current.
    #[must_use]
    pub fn relay(&self) -> (bool, u32) {
        (self.relay_closed, self.offered_ma)
    }

    /// Applies the engine's relay command (other commands do not touch the world).
    pub fn apply(&mut self, command: &Command) {
        if let Command::SetRelay { closed, offered_ma } = command {
            self.relay_closed = *closed;
            self.offered_ma = *offered_ma;
            self.settle();
        }
    }

    /// Plugs in an EV.
    pub fn plug(&mut self, spec: EvSpec) -> Vec<HardwareEvent> {
        let cap = u128::from(spec.battery_wh) * MWMS_PER_WH;
        let stored = cap * u128::from(spec.soc_permille.min(1000)) / 1000;
        let mut ev = Ev {
            spec,
            stored,
            paused: false,
            drawing: true,
        };
        ev.drawing = ev.wants_charge();
        self.ev = Some(ev);
        self.settle();
        let mut events = vec![HardwareEvent::EvPlugged];
        if !ev.drawing {
            events.push(HardwareEvent::EvSuspended);
        }
        events
    }

    /// Unplugs the EV.
    pub fn unplug(&mut self) -> Vec<HardwareEvent> {
        if self.ev.take().is_none() {
            return Vec::new();
        }
        self.settle();
        vec![HardwareEvent::EvUnplugged]
    }

    /// The driver pauses or resumes charging from the car.
    pub fn set_paused(&mut self, paused: bool) -> Vec<HardwareEvent> {
        if let Some(ev) = self.ev.as_mut() {
            ev.paused = paused;
        }
        self.update_drawing()
    }

    fn update_drawing(&mut self) -> Vec<HardwareEvent> {
        let Some(ev) = self.ev.as_mut() else {
            return Vec::new();
        };
        let wants = ev.wants_charge();
        let event = match (ev.drawing, wants) {
            (true, false) => Some(HardwareEvent::EvSuspended),
            (false, true) => Some(HardwareEvent::EvResumed),
            _ => None,
        };
        ev.drawing = wants;
        self.settle();
        event.into_iter().collect()
    }

    /// Current and phases from the relay and the EV at this instant.
    fn settle(&mut self) {
        let (current, phases) = match &self.ev {
            Some(ev) if self.relay_closed && ev.drawing => {
                (ev.current_ma(self.offered_ma), ev.spec.phases.clamp(1, 3))
            }
            Some(ev) => (0, ev.spec.phases.clamp(1, 3)),
            None => (0, 0),
        };
        self.current_ma = current;
        self.phases = phases;
    }

    fn power_mw(&self) -> u128 {
        // dV × mA / 10 = mW per phase.
        u128::from(self.voltage_dv) * u128::from(self.current_ma) / 10 * u128::from(self.phases)
    }

    /// Lets `dt_ms` pass: energy flows, the battery fills, the body warms or cools.
    /// Returns the events the EV causes (it suspends when full).
    pub fn advance(&mut self, dt_ms: u64) -> Vec<HardwareEvent> {
        let mut events = Vec::new();
        let mut left = dt_ms;
        while left > 0 {
            let charging = self.current_ma > 0;
            let step = if charging { left.min(CHUNK_MS) } else { left };
            left -= step;
            let mut energy = self.power_mw() * u128::from(step);
            if let Some(ev) = self.ev.as_mut() {
                let room = ev.target().saturating_sub(ev.stored);
                energy = energy.min(room);
                ev.stored += energy;
            }
            self.register += energy;
            self.cool_or_warm(step);
            events.extend(self.update_drawing());
            self.settle();
        }
        events
    }

    /// First-order approach to ambient + 0.5 °C per ampere, time constant 10 minutes.
    fn cool_or_warm(&mut self, dt_ms: u64) {
        let target =
            self.ambient_dc.saturating_mul(100) + i32::try_from(self.current_ma / 2).unwrap_or(0);
        let tau: i64 = 600_000;
        let dt = i64::try_from(dt_ms.min(10 * 600_000)).unwrap_or(0);
        let delta = i64::from(target - self.temperature_mc) * dt / (tau + dt);
        self.temperature_mc += i32::try_from(delta).unwrap_or(0);
    }

    /// Engine ms until the world changes by itself: the EV's battery reaches its
    /// target at the power flowing now (a lower bound, as the charging curve only
    /// lowers the power). `None` while no energy flows. A home that wakes then, and
    /// reads the meter when the engine asks for a value, needs no periodic reading.
    #[must_use]
    pub fn next_change_ms(&self) -> Option<u64> {
        let ev = self.ev.as_ref()?;
        let power = self.power_mw();
        if power == 0 || !ev.drawing {
            return None;
        }
        let room = ev.target().saturating_sub(ev.stored);
        let ms = room.div_ceil(power);
        Some(u64::try_from(ms).unwrap_or(u64::MAX).max(1))
    }

    /// What the meter and sensors read now.
    #[must_use]
    pub fn reading(&self) -> MeterReading {
        let current = [0, 1, 2].map(|i| if i < self.phases { self.current_ma } else { 0 });
        let voltage = [self.voltage_dv; 3];
        MeterReading {
            energy_wh: u64::try_from(self.register / MWMS_PER_WH).unwrap_or(u64::MAX),
            current_ma: current,
            voltage_dv: voltage,
            power_w: u32::try_from(self.power_mw() / 1000).unwrap_or(u32::MAX),
            temperature_dc: self
                .temperature_override
                .unwrap_or(self.temperature_mc / 100),
            phases: match self.phases {
                0 => 0,
                1 => 0b001,
                _ => 0b111,
            },
        }
    }

    /// The energy register in mWh (finer than the meter's Wh), for tests and displays.
    #[must_use]
    pub fn register_mwh(&self) -> u64 {
        u64::try_from(self.register / 3_600_000).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charging(spec: EvSpec) -> World {
        let mut w = World::default();
        w.plug(spec);
        w.apply(&Command::SetRelay {
            closed: true,
            offered_ma: 32_000,
        });
        w
    }

    #[test]
    fn an_hour_at_16_a_on_three_phases() {
        let mut w = charging(EvSpec {
            max_current_ma: 16_000,
            ..EvSpec::default()
        });
        w.advance(3_600_000);
        assert_eq!(w.reading().energy_wh, 11_040);
        let r = w.reading();
        assert_eq!(
            (r.current_ma, r.power_w, r.phases),
            ([16_000; 3], 11_040, 0b111)
        );
    }

    #[test]
    fn one_phase_at_32_a() {
        let mut w = charging(EvSpec {
            phases: 1,
            ..EvSpec::default()
        });
        w.advance(1_800_000);
        assert_eq!(w.reading().energy_wh, 3_680);
        assert_eq!(w.reading().current_ma, [32_000, 0, 0]);
    }

    #[test]
    fn step_size_does_not_change_the_energy() {
        let spec = EvSpec {
            max_current_ma: 13_333,
            ..EvSpec::default()
        };
        let (mut a, mut b) = (charging(spec), charging(spec));
        a.advance(1_000);
        for _ in 0..10 {
            b.advance(100);
        }
        assert_eq!(a.register_mwh(), b.register_mwh());
    }

    #[test]
    fn a_full_ev_suspends_once_and_draws_nothing() {
        let mut w = charging(EvSpec {
            soc_permille: 990,
            battery_wh: 10_000,
            ..EvSpec::default()
        });
        let mut events = Vec::new();
        for _ in 0..100 {
            events.extend(w.advance(60_000));
        }
        assert_eq!(events, [HardwareEvent::EvSuspended]);
        assert_eq!(w.reading().current_ma, [0; 3]);
        assert_eq!(w.ev().map(Ev::soc_permille), Some(1000));
        assert_eq!(w.set_paused(true), []);
    }

    #[test]
    fn taper_above_80_percent() {
        let w = charging(EvSpec {
            soc_permille: 900,
            ..EvSpec::default()
        });
        assert_eq!(w.reading().current_ma[0], 17_600);
        let w = charging(EvSpec {
            soc_permille: 990,
            ..EvSpec::default()
        });
        assert_eq!(
            w.reading().current_ma[0],
            6_000,
            "never below 6 A while charging"
        );
    }

    #[test]
    fn open_relay_or_pause_means_no_energy() {
        let mut w = World::default();
        w.plug(EvSpec::default());
        w.advance(3_600_000);
        assert_eq!(w.reading().energy_wh, 0);
        let mut w = charging(EvSpec::default());
        assert_eq!(w.set_paused(true), [HardwareEvent::EvSuspended]);
        w.advance(60_000);
        assert_eq!(w.reading().energy_wh, 0);
        assert_eq!(w.set_paused(false), [HardwareEvent::EvResumed]);
    }

    #[test]
    fn huge_steps_do_not_overflow() {
        let mut w = charging(EvSpec::default());
        w.advance(u64::MAX / 2);
        assert_eq!(w.ev().map(Ev::soc_permille), Some(1000));
        assert_eq!(w.reading().energy_wh, 48_000);
    }

    #[test]
    fn the_body_warms_with_current() {
        let mut w = charging(EvSpec::default());
        w.advance(3_600_000);
        let t = w.reading().temperature_dc;
        assert!((340..=360).contains(&t), "{t}");
    }
}
