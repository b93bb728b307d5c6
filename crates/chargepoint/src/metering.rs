//! Meter readings to OCPP sampled values: the six supported measurands, each with its
//! unit, phase where it applies, location and context.

use alloc::{format, string::String, vec::Vec};
use ocpp16::{
    DateTime,
    messages::{
        Location, Measurand, MeterValue, Phase, ReadingContext, SampledValue, UnitOfMeasure,
    },
};

use crate::{interface::MeterReading, model::MeasurandSet};

/// At most this many meter values are kept for StopTransaction's transactionData.
pub const TX_DATA_MAX: usize = 24;

/// `value` in thousandths as text with one decimal, rounded half away from zero.
fn milli_to_text(milli: i64) -> String {
    let tenths = if milli >= 0 {
        (milli + 50) / 100
    } else {
        (milli - 50) / 100
    };
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    format!("{sign}{}.{}", abs / 10, abs % 10)
}

fn sample(
    value: String,
    measurand: Measurand,
    unit: UnitOfMeasure,
    phase: Option<Phase>,
    location: Location,
    context: ReadingContext,
) -> SampledValue {
    SampledValue {
        value,
        context: Some(context),
        format: None,
        measurand: Some(measurand),
        phase,
        location: Some(location),
        unit: Some(unit),
    }
}

/// The phases connected to the EV (L1 when none is, so a value is always reported).
fn phases(reading: &MeterReading) -> impl Iterator<Item = usize> + '_ {
    let mask = if reading.phases & 0b111 == 0 {
        1
    } else {
        reading.phases
    };
    (0..3).filter(move |i| mask & (1 << i) != 0)
}

/// The sampled values of `measurands` (only the six supported ones) for a reading.
pub fn sampled_values(
    reading: &MeterReading,
    offered_ma: u32,
    measurands: impl IntoIterator<Item = Measurand>,
    context: ReadingContext,
) -> Vec<SampledValue> {
    const CURRENT_PHASES: [Phase; 3] = [Phase::L1, Phase::L2, Phase::L3];
    const VOLTAGE_PHASES: [Phase; 3] = [Phase::L1N, Phase::L2N, Phase::L3N];
    let mut out = Vec::new();
    for m in measurands {
        match m {
            Measurand::EnergyActiveImportRegister => out.push(sample(
                format!("{}", reading.energy_wh),
                m,
                UnitOfMeasure::Wh,
                None,
                Location::Outlet,
                context,
            )),
            Measurand::PowerActiveImport => out.push(sample(
                format!("{}", reading.power_w),
                m,
                UnitOfMeasure::W,
                None,
                Location::Outlet,
                context,
            )),
            Measurand::CurrentOffered => out.push(sample(
                milli_to_text(i64::from(offered_ma)),
                m,
                UnitOfMeasure::A,
                None,
                Location::Outlet,
                context,
            )),
            Measurand::CurrentImport => {
                for i in phases(reading) {
                    let ma = reading.current_ma.get(i).copied().unwrap_or(0);
                    let phase = CURRENT_PHASES.get(i).copied();
                    out.push(sample(
                        milli_to_text(i64::from(ma)),
                        m,
                        UnitOfMeasure::A,
                        phase,
                        Location::Outlet,
                        context,
                    ));
                }
            }
            Measurand::Voltage => {
                for i in phases(reading) {
                    let dv = reading.voltage_dv.get(i).copied().unwrap_or(0);
                    let phase = VOLTAGE_PHASES.get(i).copied();
                    out.push(sample(
                        milli_to_text(i64::from(dv) * 100),
                        m,
                        UnitOfMeasure::V,
                        phase,
                        Location::Outlet,
                        context,
                    ));
                }
            }
            Measurand::Temperature => out.push(sample(
                milli_to_text(i64::from(reading.temperature_dc) * 100),
                m,
                UnitOfMeasure::Celsius,
                None,
                Location::Body,
                context,
            )),
            _ => {}
        }
    }
    out.shrink_to_fit();
    out
}

/// One meter value.
#[must_use]
pub fn meter_value(timestamp: DateTime, sampled_value: Vec<SampledValue>) -> MeterValue {
    MeterValue {
        timestamp,
        sampled_value,
    }
}

/// One sample kept for StopTransaction's transactionData: the raw reading, turned into
/// sampled values only when the StopTransaction is built (a few dozen bytes instead of a
/// few hundred per sample).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TxSample {
    at: DateTime,
    context: ReadingContext,
    reading: MeterReading,
    offered_ma: u32,
    measurands: MeasurandSet,
}

/// The samples collected for StopTransaction's transactionData, bounded: the first
/// (Transaction.Begin) is kept, and past the cap the oldest of the others make room, so a
/// ten-hour session at 5 s samples does not grow without bound.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxData {
    max: usize,
    samples: Vec<TxSample>,
}

// The stored form (see `crate::durable`): format 1's names after `|`.
ocpp16::stored_struct! {
    TxSample {
        at: "at" req,
        context: "context" req,
        reading: "reading" req,
        offered_ma: "offeredMa" | "offered_ma" def,
        measurands: "measurands" req,
    }
    TxData {
        max: "max" req,
        samples: "samples" def,
    }
}

impl TxData {
    /// An empty buffer keeping at most `max` samples (at least 2).
    #[must_use]
    pub fn new(max: usize) -> Self {
        Self {
            max: max.max(2),
            samples: Vec::new(),
        }
    }

    /// Adds a sample of `measurands` (nothing when the set is empty), dropping the
    /// oldest after the first when full.
    pub fn push(
        &mut self,
        at: DateTime,
        context: ReadingContext,
        reading: &MeterReading,
        offered_ma: u32,
        measurands: MeasurandSet,
    ) {
        if measurands.is_empty() {
            return;
        }
        if self.samples.len() >= self.max {
            self.samples.remove(1);
        }
        self.samples.push(TxSample {
            at,
            context,
            reading: *reading,
            offered_ma,
            measurands,
        });
    }

    /// The meter values, oldest first.
    #[must_use]
    pub fn to_meter_values(&self) -> Vec<MeterValue> {
        self.samples
            .iter()
            .map(|s| {
                meter_value(
                    s.at,
                    sampled_values(&s.reading, s.offered_ma, s.measurands.iter(), s.context),
                )
            })
            .collect()
    }

    /// How many samples it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether it is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// The next clock-aligned instant strictly after `now_utc_ms`: a multiple of
/// `interval_s` counted from UTC midnight (ClockAlignedDataInterval 900 gives :00, :15,
/// :30, :45). `None` when the interval is 0 (off).
#[must_use]
pub fn next_aligned(now_utc_ms: i64, interval_s: u32) -> Option<i64> {
    if interval_s == 0 {
        return None;
    }
    const DAY_MS: i64 = 86_400_000;
    let interval = i64::from(interval_s) * 1000;
    let midnight = now_utc_ms.div_euclid(DAY_MS) * DAY_MS;
    let into_day = now_utc_ms - midnight;
    let next = (into_day / interval + 1) * interval;
    // An interval that does not divide the day restarts at midnight.
    Some(midnight + next.min(DAY_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_phase() -> MeterReading {
        MeterReading {
            energy_wh: 12_345,
            current_ma: [15_950, 16_000, 16_049],
            voltage_dv: [2300, 2299, 2301],
            power_w: 11_040,
            temperature_dc: -55,
            phases: 0b111,
        }
    }

    #[test]
    fn exact_values_units_phases_and_locations() {
        let all = crate::model::MEASURANDS;
        let values = sampled_values(&three_phase(), 32_000, all, ReadingContext::SamplePeriodic);
        let json = serde_json::to_string(&values).unwrap();
        assert_eq!(values.len(), 1 + 3 + 1 + 1 + 3 + 1);
        assert!(json.starts_with(r#"[{"value":"12345","context":"Sample.Periodic","measurand":"Energy.Active.Import.Register","location":"Outlet","unit":"Wh"}"#), "{json}");
        assert!(json.contains(r#"{"value":"16.0","context":"Sample.Periodic","measurand":"Current.Import","phase":"L1","location":"Outlet","unit":"A"}"#), "{json}");
        assert!(json.contains(r#"{"value":"16.0","context":"Sample.Periodic","measurand":"Current.Import","phase":"L3","location":"Outlet","unit":"A"}"#), "{json}");
        assert!(json.contains(r#""value":"32.0","context":"Sample.Periodic","measurand":"Current.Offered","location":"Outlet","unit":"A""#));
        assert!(json.contains(r#""value":"-5.5","context":"Sample.Periodic","measurand":"Temperature","location":"Body","unit":"Celsius""#));
        assert!(json.contains(
            r#""value":"229.9","context":"Sample.Periodic","measurand":"Voltage","phase":"L2-N""#
        ));
    }

    #[test]
    fn one_phase_and_no_phase() {
        let mut r = three_phase();
        r.phases = 0b001;
        let v = sampled_values(
            &r,
            0,
            [Measurand::CurrentImport],
            ReadingContext::SampleClock,
        );
        assert_eq!(v.len(), 1);
        r.phases = 0;
        let v = sampled_values(&r, 0, [Measurand::Voltage], ReadingContext::SampleClock);
        assert_eq!(v[0].phase, Some(Phase::L1N));
    }

    #[test]
    fn rounding() {
        assert_eq!(milli_to_text(15_949), "15.9");
        assert_eq!(milli_to_text(15_950), "16.0");
        assert_eq!(milli_to_text(-5_550), "-5.6");
        assert_eq!(milli_to_text(49), "0.0");
    }

    #[test]
    fn tx_data_keeps_the_first_and_the_latest() {
        let mut d = TxData::new(4);
        let energy = MeasurandSet::parse("Energy.Active.Import.Register").unwrap();
        for i in 0..10 {
            let at = DateTime::from_unix_millis(i);
            d.push(
                at,
                ReadingContext::SamplePeriodic,
                &three_phase(),
                0,
                energy,
            );
        }
        let nothing = MeasurandSet::EMPTY;
        d.push(
            DateTime::UNIX_EPOCH,
            ReadingContext::SamplePeriodic,
            &three_phase(),
            0,
            nothing,
        );
        let values = d.to_meter_values();
        let t: Vec<i64> = values.iter().map(|m| m.timestamp.unix_millis()).collect();
        assert_eq!(t, [0, 7, 8, 9]);
        assert_eq!(values[0].sampled_value[0].value, "12345");
    }

    #[test]
    fn aligned_to_midnight() {
        let day = 86_400_000;
        assert_eq!(next_aligned(day + 1, 900), Some(day + 900_000));
        assert_eq!(next_aligned(day + 900_000, 900), Some(day + 1_800_000));
        assert_eq!(next_aligned(2 * day - 1, 3600), Some(2 * day));
        // 7 hours does not divide the day: 07:00, 14:00, 21:00, then midnight.
        assert_eq!(
            next_aligned(day + 21 * 3_600_000 + 5, 25_200),
            Some(2 * day)
        );
        assert_eq!(next_aligned(5, 0), None);
    }
}
