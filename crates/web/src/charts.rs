//! The session's charts, drawn as SVG by the page itself (no charting library: a
//! polyline per series costs the page less than any crate): current offered and drawn
//! with the composite schedule's limit ahead as a step line, power, and energy with the
//! EV's state of charge. One sample per real second of the box's time, the latest 600:
//! ten minutes at 1×, ten hours at 60×.

use core::fmt::Write;

use yew::{Html, html};

/// What the charts keep of one moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Sample {
    /// The box's time (ms since it started).
    pub(crate) at_ms: u64,
    pub(crate) offered_ma: u32,
    /// The most any phase draws.
    pub(crate) drawn_ma: u32,
    pub(crate) power_w: u32,
    /// The transaction's energy so far.
    pub(crate) session_wh: u64,
    /// The EV's state of charge in ‰, when one is plugged in.
    pub(crate) soc_permille: Option<u16>,
}

/// The samples, oldest first.
#[derive(Default)]
pub(crate) struct History {
    samples: Vec<Sample>,
}

/// How many samples are kept.
const KEEP: usize = 600;

impl History {
    /// Keeps `sample` if at least `step_ms` of the box's time passed since the last
    /// one (or the box's clock started again: a new setup, a reboot of the demo).
    pub(crate) fn record(&mut self, sample: Sample, step_ms: u64) {
        match self.samples.last() {
            Some(last) if sample.at_ms < last.at_ms => self.samples.clear(),
            Some(last) if sample.at_ms - last.at_ms < step_ms => return,
            _ => {}
        }
        if self.samples.len() >= KEEP {
            self.samples.drain(..KEEP / 10);
        }
        self.samples.push(sample);
    }

    pub(crate) fn samples(&self) -> &[Sample] {
        &self.samples
    }
}

const W: i64 = 600;
const H: i64 = 90;

/// The time axis: from the oldest sample to now plus a quarter of that ahead (at
/// least ten minutes shown), in ms of the box's time.
#[derive(Clone, Copy)]
struct Axis {
    from: u64,
    now: u64,
    to: u64,
}

impl Axis {
    fn of(samples: &[Sample], now: u64) -> Self {
        let from = samples.first().map_or(now, |s| s.at_ms).min(now);
        let past = (now - from).max(600_000);
        let from = now.saturating_sub(past);
        Self {
            from,
            now,
            to: now + past / 4,
        }
    }

    fn x(self, t: u64) -> i64 {
        let span = i64::try_from((self.to - self.from).max(1)).unwrap_or(i64::MAX);
        let dt = i64::try_from(t.saturating_sub(self.from)).unwrap_or(i64::MAX);
        dt.saturating_mul(W) / span
    }
}

/// `points` of a polyline: `value(s)` scaled so that `max` is the top.
fn line(
    samples: &[Sample],
    axis: Axis,
    max: i64,
    value: impl Fn(&Sample) -> Option<i64>,
) -> String {
    let mut out = String::new();
    for s in samples {
        if let Some(v) = value(s) {
            let y = H - v.clamp(0, max) * H / max.max(1);
            let _ = write!(out, "{},{y} ", axis.x(s.at_ms));
        }
    }
    out
}

/// The composite schedule ahead as a step line: `(startPeriod s, limit A tenths)`.
fn steps(schedule: &[(i32, i64)], axis: Axis, max: i64) -> String {
    let mut out = String::new();
    let y = |tenths: i64| H - tenths.clamp(0, max) * H / max.max(1);
    for (i, (start, tenths)) in schedule.iter().enumerate() {
        let at = axis.now + u64::try_from(*start).unwrap_or(0) * 1000;
        let end = schedule.get(i + 1).map_or(axis.to, |(s, _)| {
            axis.now + u64::try_from(*s).unwrap_or(0) * 1000
        });
        let _ = write!(
            out,
            "{},{} {},{} ",
            axis.x(at.min(axis.to)),
            y(*tenths),
            axis.x(end.min(axis.to)),
            y(*tenths)
        );
    }
    out
}

/// `12 min` / `3.5 h`: a span of the box's time.
fn span(ms: u64) -> String {
    let min = ms / 60_000;
    if min < 120 {
        format!("{min} min")
    } else {
        format!("{}.{} h", min / 60, min % 60 / 6)
    }
}

/// One chart: a title, its series `(class, label, points, last value)`, the top of its
/// scale, the time axis' labels.
fn chart(
    id: &str,
    title: String,
    series: Vec<(&'static str, &'static str, String, String)>,
    axis: Axis,
) -> Html {
    let now_x = axis.x(axis.now).to_string();
    html! {
        <figure class="chart" id={id.to_string()}>
            <figcaption>{title}{ for series.iter().map(|(class, label, _, last)| html! {
                <span class={format!("key {class}")}>{format!("{label} {last}")}</span>
            }) }</figcaption>
            <svg viewBox="0 -4 600 104" preserveAspectRatio="none" role="img" aria-label={id.to_string()}>
                <line class="now" x1={now_x.clone()} x2={now_x} y1="0" y2="90" />
                { for series.into_iter().map(|(class, _, points, last)| html! {
                    <polyline class={class} points={points} data-last={last} />
                }) }
            </svg>
            <div class="axis"><span>{format!("−{}", span(axis.now - axis.from))}</span><span>{format!("now (dotted) +{}", span(axis.to - axis.now))}</span></div>
        </figure>
    }
}

/// `1234` tenths of a unit as `123.4`.
fn tenths(v: i64) -> String {
    format!("{}.{}", v / 10, (v % 10).abs())
}

/// The three charts: current (A), power (kW), energy (kWh) and state of charge (%).
pub(crate) fn view(history: &History, now_ms: u64, schedule: &[(i32, i64)], max_ma: u32) -> Html {
    let samples = history.samples();
    let axis = Axis::of(samples, now_ms);
    let last = samples.last().copied();
    let amps = i64::from(max_ma / 100).max(10);
    let current = vec![
        (
            "offered",
            "offered",
            line(samples, axis, amps, |s| Some(i64::from(s.offered_ma / 100))),
            last.map(|s| tenths(i64::from(s.offered_ma / 100)))
                .unwrap_or_default(),
        ),
        (
            "drawn",
            "drawn",
            line(samples, axis, amps, |s| Some(i64::from(s.drawn_ma / 100))),
            last.map(|s| tenths(i64::from(s.drawn_ma / 100)))
                .unwrap_or_default(),
        ),
        (
            "limit",
            "schedule",
            steps(schedule, axis, amps),
            schedule
                .first()
                .map(|(_, t)| tenths(*t))
                .unwrap_or_default(),
        ),
    ];
    let power_max = samples
        .iter()
        .map(|s| s.power_w)
        .max()
        .unwrap_or(0)
        .max(7_400)
        / 100;
    let power = vec![(
        "power",
        "kW",
        line(samples, axis, i64::from(power_max), |s| {
            Some(i64::from(s.power_w / 100))
        }),
        last.map(|s| tenths(i64::from(s.power_w / 100)))
            .unwrap_or_default(),
    )];
    let wh_max = samples
        .iter()
        .map(|s| s.session_wh)
        .max()
        .unwrap_or(0)
        .max(1_000);
    let wh_max = i64::try_from(wh_max / 100).unwrap_or(i64::MAX);
    let energy = vec![
        (
            "energy",
            "kWh",
            line(samples, axis, wh_max, |s| {
                i64::try_from(s.session_wh / 100).ok()
            }),
            last.and_then(|s| i64::try_from(s.session_wh / 100).ok())
                .map(tenths)
                .unwrap_or_default(),
        ),
        (
            "soc",
            "SoC %",
            line(samples, axis, 1000, |s| s.soc_permille.map(i64::from)),
            last.and_then(|s| s.soc_permille)
                .map(|p| tenths(i64::from(p)))
                .unwrap_or_default(),
        ),
    ];
    html! {
        <section class="charts" id="charts">
            {chart("chart-current", format!("Current (A, 0–{})", amps / 10), current, axis)}
            {chart("chart-power", format!("Power (kW, 0–{})", tenths(i64::from(power_max))), power, axis)}
            {chart("chart-energy", format!("Energy (kWh, 0–{}) and state of charge (%, 0–100)", tenths(wh_max)), energy, axis)}
        </section>
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    fn at(ms: u64) -> Sample {
        Sample {
            at_ms: ms,
            offered_ma: 16_000,
            drawn_ma: 15_000,
            power_w: 10_350,
            session_wh: ms / 1000,
            soc_permille: Some(500),
        }
    }

    #[test]
    fn one_sample_per_step_the_latest_kept_and_a_new_clock_starts_again() {
        let mut h = History::default();
        for ms in (0..2_000_000).step_by(250) {
            h.record(at(ms), 1000);
        }
        let s = h.samples();
        assert!(s.len() <= KEEP && s.len() > KEEP / 2, "{}", s.len());
        assert!(s.windows(2).all(|w| w[1].at_ms - w[0].at_ms == 1000));
        assert_eq!(s.last().unwrap().at_ms, 1_999_000);
        h.record(at(5_000), 1000);
        assert_eq!(h.samples().len(), 1, "the box's clock started again");
    }

    #[test]
    fn the_axis_shows_ten_minutes_at_least_and_a_quarter_ahead() {
        let a = Axis::of(&[at(0)], 60_000);
        assert_eq!((a.from, a.now, a.to), (0, 60_000, 210_000));
        assert_eq!(a.x(0), 0);
        assert_eq!(a.x(210_000), W);
        let a = Axis::of(&[at(0)], 7_200_000);
        assert_eq!((a.from, a.to), (0, 9_000_000));
        assert_eq!(span(7_200_000), "2.0 h");
        assert_eq!(span(600_000), "10 min");
    }

    #[test]
    fn the_schedule_is_a_step_line_from_now() {
        let axis = Axis {
            from: 0,
            now: 400_000,
            to: 600_000,
        };
        // 16 A now, 10 A from 100 s on: two flat segments, cut at the axis' end.
        let points = steps(&[(0, 160), (100, 100)], axis, 320);
        assert_eq!(points, "400,45 500,45 500,62 600,62 ");
        let points = line(&[at(0), at(300_000)], axis, 320, |s| {
            Some(i64::from(s.offered_ma / 100))
        });
        assert_eq!(points, "0,45 300,45 ");
    }
}
