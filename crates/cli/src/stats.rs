//! Fleet counters (lock-free), the CSMS answer latency histogram, the progress line and
//! the summary.

use std::{
    collections::BTreeMap,
    io::Write,
    sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed},
    time::Duration,
};

use chargepoint::mistakes::MistakeKind;
use serde::{Deserialize, Serialize};

use crate::shard::Shard;

/// Log-linear histogram: 8 sub-buckets per power of two of microseconds (≤ 12.5 % error).
pub(crate) const SUB: usize = 8;
pub(crate) const BUCKETS: usize = 40 * SUB;

/// Counters shared by every charge point of the run.
#[derive(Debug)]
pub(crate) struct Stats {
    pub(crate) connected: AtomicI64,
    pub(crate) ever_connected: AtomicU64,
    pub(crate) in_transaction: AtomicI64,
    pub(crate) frames_sent: AtomicU64,
    pub(crate) frames_received: AtomicU64,
    pub(crate) callerrors_sent: AtomicU64,
    pub(crate) callerrors_received: AtomicU64,
    pub(crate) transactions_started: AtomicU64,
    pub(crate) transactions_stopped: AtomicU64,
    pub(crate) energy_wh: AtomicU64,
    pub(crate) connect_failures: AtomicU64,
    pub(crate) warnings: AtomicU64,
    /// Milliseconds from the start until every charge point had connected once.
    pub(crate) all_connected_ms: AtomicU64,
    /// Resident memory while every charge point still ran (taken just before the stop).
    pub(crate) rss_running_bytes: AtomicU64,
    /// Resident memory before the charge points were built.
    pub(crate) rss_start_bytes: AtomicU64,
    /// Transactions still running when their charge point stopped.
    pub(crate) transactions_running: AtomicU64,
    /// Wake-ups of the charge points' tasks (each turn of a task's loop).
    pub(crate) wakeups: AtomicU64,
    /// Transaction messages the engine gave up after their attempts.
    pub(crate) messages_lost: AtomicU64,
    /// Scenario steps skipped (an `until` that timed out).
    pub(crate) steps_skipped: AtomicU64,
    /// The CSMS's mistakes, per kind (in `MistakeKind::ALL`'s order).
    mistakes: [AtomicU64; MistakeKind::ALL.len()],
    /// What was lost and skipped, said plainly (the first [`PROBLEMS_KEPT`]).
    problems: std::sync::Mutex<Problems>,
    latency: Box<[AtomicU64]>,
}

/// How many lost messages and skipped steps the summary lists by name (the counts are
/// always whole).
pub(crate) const PROBLEMS_KEPT: usize = 100;

#[derive(Debug, Default)]
struct Problems {
    lost: Vec<String>,
    skipped: Vec<String>,
}

fn bucket(us: u64) -> usize {
    let us = us.max(1);
    let log = 63 - us.leading_zeros() as usize;
    let sub = if log >= 3 {
        usize::try_from((us >> (log - 3)) & 7).unwrap_or(0)
    } else {
        usize::try_from(us << (3 - log) & 7).unwrap_or(0)
    };
    (log * SUB + sub).min(BUCKETS - 1)
}

/// The upper bound of a bucket in µs.
pub(crate) fn bucket_top(i: usize) -> u64 {
    let log = i / SUB;
    let sub = u64::try_from(i % SUB).unwrap_or(0);
    let base = 1u64 << log;
    base + (base * (sub + 1)) / 8
}

impl Stats {
    pub(crate) fn new() -> Self {
        Self {
            connected: AtomicI64::new(0),
            ever_connected: AtomicU64::new(0),
            in_transaction: AtomicI64::new(0),
            frames_sent: AtomicU64::new(0),
            frames_received: AtomicU64::new(0),
            callerrors_sent: AtomicU64::new(0),
            callerrors_received: AtomicU64::new(0),
            transactions_started: AtomicU64::new(0),
            transactions_stopped: AtomicU64::new(0),
            energy_wh: AtomicU64::new(0),
            connect_failures: AtomicU64::new(0),
            warnings: AtomicU64::new(0),
            all_connected_ms: AtomicU64::new(0),
            transactions_running: AtomicU64::new(0),
            wakeups: AtomicU64::new(0),
            messages_lost: AtomicU64::new(0),
            steps_skipped: AtomicU64::new(0),
            mistakes: std::array::from_fn(|_| AtomicU64::new(0)),
            problems: std::sync::Mutex::new(Problems::default()),
            rss_start_bytes: AtomicU64::new(0),
            rss_running_bytes: AtomicU64::new(0),
            latency: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// A charge point connected; the first connection of the last of `count` charge
    /// points (started at `started`) fixes the fleet's connect time.
    pub(crate) fn connected_once(&self, count: u32, started: tokio::time::Instant) {
        self.connected.fetch_add(1, Relaxed);
        let before = self.ever_connected.fetch_add(1, Relaxed);
        if before + 1 == u64::from(count) {
            let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(0);
            self.all_connected_ms.store(ms.max(1), Relaxed);
        }
    }

    /// A transaction message was given up (`what` names the charge point, the action
    /// and the reason).
    pub(crate) fn message_lost(&self, what: String) {
        self.messages_lost.fetch_add(1, Relaxed);
        if let Ok(mut p) = self.problems.lock()
            && p.lost.len() < PROBLEMS_KEPT
        {
            p.lost.push(what);
        }
    }

    /// A scenario step was skipped (`what` names the charge point, the step and what
    /// it would have done).
    pub(crate) fn step_skipped(&self, what: String) {
        self.steps_skipped.fetch_add(1, Relaxed);
        if let Ok(mut p) = self.problems.lock()
            && p.skipped.len() < PROBLEMS_KEPT
        {
            p.skipped.push(what);
        }
    }

    /// The CSMS made a mistake of this kind.
    pub(crate) fn mistake(&self, kind: MistakeKind) {
        if let Some(i) = MistakeKind::ALL.iter().position(|k| *k == kind)
            && let Some(n) = self.mistakes.get(i)
        {
            n.fetch_add(1, Relaxed);
        }
    }

    /// Records how long the CSMS took to answer one of our CALLs.
    pub(crate) fn answer_latency(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        if let Some(b) = self.latency.get(bucket(us)) {
            b.fetch_add(1, Relaxed);
        }
    }

    /// The summary as it stands.
    pub(crate) fn summary(&self, charge_points: u32, elapsed: Duration, shard: Shard) -> Summary {
        let counts: Vec<u64> = self.latency.iter().map(|c| c.load(Relaxed)).collect();
        let latency = LatencyMs::from_counts(&counts);
        let round = round1;
        let usage = crate::sys::usage();
        let start = self.rss_start_bytes.load(Relaxed);
        let running = match self.rss_running_bytes.load(Relaxed) {
            0 => usage.rss_bytes,
            r => r,
        };
        let ever = self.ever_connected.load(Relaxed);
        let all_ms = self.all_connected_ms.load(Relaxed);
        #[allow(clippy::cast_precision_loss, reason = "figures")]
        let connect_rate = if all_ms > 0 {
            round(ever as f64 * 1000.0 / all_ms as f64)
        } else {
            0.0
        };
        let (lost, skipped) = self
            .problems
            .lock()
            .map(|p| (p.lost.clone(), p.skipped.clone()))
            .unwrap_or_default();
        Summary {
            shards: Shards {
                count: shard.count,
                indices: vec![shard.index],
            },
            latency_histogram: Histogram::from_counts(&counts),
            charge_points,
            transactions_running: self.transactions_running.load(Relaxed),
            messages_lost: self.messages_lost.load(Relaxed),
            lost,
            steps_skipped: self.steps_skipped.load(Relaxed),
            skipped,
            csms_mistakes: MistakeKind::ALL
                .iter()
                .zip(&self.mistakes)
                .map(|(k, n)| (String::from(k.as_str()), n.load(Relaxed)))
                .collect(),
            wakeups: self.wakeups.load(Relaxed),
            connected: u64::try_from(self.connected.load(Relaxed).max(0)).unwrap_or(0),
            ever_connected: self.ever_connected.load(Relaxed),
            transactions_started: self.transactions_started.load(Relaxed),
            transactions_stopped: self.transactions_stopped.load(Relaxed),
            energy_wh: self.energy_wh.load(Relaxed),
            frames_sent: self.frames_sent.load(Relaxed),
            frames_received: self.frames_received.load(Relaxed),
            callerrors_sent: self.callerrors_sent.load(Relaxed),
            callerrors_received: self.callerrors_received.load(Relaxed),
            connect_failures: self.connect_failures.load(Relaxed),
            warnings: self.warnings.load(Relaxed),
            latency_ms: latency,
            elapsed_s: round(elapsed.as_secs_f64()),
            cpu_s: round(usage.cpu_s),
            rss_bytes: usage.rss_bytes,
            rss_peak_bytes: usage.rss_peak_bytes,
            rss_start_bytes: start,
            rss_running_bytes: running,
            rss_per_charge_point_bytes: running.saturating_sub(start)
                / u64::from(charge_points.max(1)),
            all_connected_s: round(Duration::from_millis(all_ms).as_secs_f64()),
            connects_per_s: connect_rate,
        }
    }

    /// One progress line.
    pub(crate) fn progress_line(&self, charge_points: u32, elapsed: Duration) -> String {
        format!(
            "[{:>6.0}s] {}/{} connected · {} in transaction · {} tx done · frames {} out {} in · {} CALLERRORs · {} connect failures",
            elapsed.as_secs_f64(),
            self.connected.load(Relaxed),
            charge_points,
            self.in_transaction.load(Relaxed),
            self.transactions_stopped.load(Relaxed),
            self.frames_sent.load(Relaxed),
            self.frames_received.load(Relaxed),
            self.callerrors_sent.load(Relaxed) + self.callerrors_received.load(Relaxed),
            self.connect_failures.load(Relaxed),
        )
    }
}

/// A figure rounded to 0.1.
pub(crate) fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// The `p` quantile in ms: the top of the bucket holding the answer of that rank.
fn percentile(counts: &[u64], total: u64, p: f64) -> f64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "counts"
    )]
    let rank = ((total as f64) * p).ceil().max(1.0) as u64;
    let mut seen = 0;
    for (i, c) in counts.iter().enumerate() {
        seen += c;
        if seen >= rank {
            #[allow(clippy::cast_precision_loss, reason = "µs")]
            return bucket_top(i) as f64 / 1000.0;
        }
    }
    0.0
}

/// Answer latency figures in ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LatencyMs {
    pub(crate) answers: u64,
    pub(crate) p50: f64,
    pub(crate) p90: f64,
    pub(crate) p99: f64,
    pub(crate) max: f64,
}

impl LatencyMs {
    /// The figures of a histogram's bucket counts (index = bucket).
    pub(crate) fn from_counts(counts: &[u64]) -> Self {
        let total: u64 = counts.iter().sum();
        Self {
            answers: total,
            p50: round1(percentile(counts, total, 0.50)),
            p90: round1(percentile(counts, total, 0.90)),
            p99: round1(percentile(counts, total, 0.99)),
            max: round1(counts.iter().rposition(|c| *c > 0).map_or(0.0, |i| {
                #[allow(clippy::cast_precision_loss, reason = "µs")]
                let top = bucket_top(i) as f64;
                top / 1000.0
            })),
        }
    }
}

/// Which shards of the fleet a summary covers (`--shard I/N`; one process: 0 of 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Shards {
    /// N: how many shards the fleet was split into.
    pub(crate) count: u32,
    /// Which of them this summary adds up (one for a run, several once merged).
    pub(crate) indices: Vec<u32>,
}

/// The latency histogram itself, so that summaries of shards can be added: the
/// non-empty buckets of a log-linear histogram of µs, `sub_buckets` per power of two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Histogram {
    pub(crate) unit: String,
    pub(crate) sub_buckets: u32,
    pub(crate) buckets: Vec<Bucket>,
}

/// One non-empty bucket: answers that took at most `top_us` µs (and more than the
/// previous bucket's top).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Bucket {
    pub(crate) index: u32,
    pub(crate) top_us: u64,
    pub(crate) count: u64,
}

impl Histogram {
    /// The non-empty buckets of dense counts.
    pub(crate) fn from_counts(counts: &[u64]) -> Self {
        Self {
            unit: String::from("us"),
            sub_buckets: u32::try_from(SUB).unwrap_or(u32::MAX),
            buckets: counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, c)| Bucket {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    top_us: bucket_top(i),
                    count: *c,
                })
                .collect(),
        }
    }

    /// Adds this histogram into dense counts; refuses one of another layout.
    pub(crate) fn add_to(&self, counts: &mut [u64]) -> Result<(), String> {
        if self.unit != "us" || usize::try_from(self.sub_buckets).ok() != Some(SUB) {
            return Err(format!(
                "its latency histogram is in {:?} with {} sub-buckets; this evc writes \"us\" with {SUB}",
                self.unit, self.sub_buckets
            ));
        }
        for b in &self.buckets {
            let i = usize::try_from(b.index).unwrap_or(usize::MAX);
            let slot = counts
                .get_mut(i)
                .filter(|_| bucket_top(i) == b.top_us)
                .ok_or_else(|| {
                    format!(
                        "its latency histogram has a bucket {} (top {} µs) that this evc does not have",
                        b.index, b.top_us
                    )
                })?;
            *slot = slot.saturating_add(b.count);
        }
        Ok(())
    }
}

/// The end-of-run summary (`--summary-json` writes it as it is; `evc summary merge`
/// adds those of shards).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Summary {
    /// Which shards of the fleet this is (`--shard`).
    pub(crate) shards: Shards,
    pub(crate) charge_points: u32,
    /// Transactions still running when the run ended (at the charge point, and so at
    /// the CSMS).
    pub(crate) transactions_running: u64,
    /// Transaction messages given up after their attempts (exit code 4).
    pub(crate) messages_lost: u64,
    /// Which (the first 100): "id: Action: reason".
    pub(crate) lost: Vec<String>,
    /// Scenario steps skipped because their `until` timed out (exit code 4).
    pub(crate) steps_skipped: u64,
    /// Which (the first 100): "id: step N waited in vain for S; its X was skipped".
    pub(crate) skipped: Vec<String>,
    /// The CSMS's mistakes as the charge points saw them, per kind
    /// (`chargepoint::mistakes::MistakeKind::as_str`); absent in summaries of older evcs.
    #[serde(default)]
    pub(crate) csms_mistakes: BTreeMap<String, u64>,
    /// Wake-ups of the charge points' tasks, all together: a charge point waiting for
    /// its CSMS wakes only for its reconnect attempts.
    pub(crate) wakeups: u64,
    pub(crate) connected: u64,
    pub(crate) ever_connected: u64,
    pub(crate) transactions_started: u64,
    pub(crate) transactions_stopped: u64,
    pub(crate) energy_wh: u64,
    pub(crate) frames_sent: u64,
    pub(crate) frames_received: u64,
    pub(crate) callerrors_sent: u64,
    pub(crate) callerrors_received: u64,
    pub(crate) connect_failures: u64,
    pub(crate) warnings: u64,
    pub(crate) latency_ms: LatencyMs,
    /// The histogram the latency figures come from.
    pub(crate) latency_histogram: Histogram,
    pub(crate) elapsed_s: f64,
    pub(crate) cpu_s: f64,
    pub(crate) rss_bytes: u64,
    pub(crate) rss_peak_bytes: u64,
    pub(crate) rss_start_bytes: u64,
    pub(crate) rss_running_bytes: u64,
    pub(crate) rss_per_charge_point_bytes: u64,
    pub(crate) all_connected_s: f64,
    pub(crate) connects_per_s: f64,
}

impl Summary {
    /// The summary for a person.
    pub(crate) fn print(&self, out: &mut impl Write) -> std::io::Result<()> {
        #[allow(clippy::cast_precision_loss, reason = "display")]
        let kwh = self.energy_wh as f64 / 1000.0;
        writeln!(out, "── summary ─────────────────────────────────────")?;
        if self.shards.count > 1 {
            let list: Vec<String> = self.shards.indices.iter().map(u32::to_string).collect();
            writeln!(
                out,
                "shards          {} of {} ({})",
                self.shards.indices.len(),
                self.shards.count,
                list.join(", ")
            )?;
        }
        writeln!(
            out,
            "charge points   {} ({} connected at the end, {} ever)",
            self.charge_points, self.connected, self.ever_connected
        )?;
        writeln!(
            out,
            "transactions    {} started, {} stopped, {kwh:.3} kWh",
            self.transactions_started, self.transactions_stopped
        )?;
        writeln!(
            out,
            "frames          {} sent, {} received",
            self.frames_sent, self.frames_received
        )?;
        writeln!(
            out,
            "CALLERRORs      {} sent, {} received",
            self.callerrors_sent, self.callerrors_received
        )?;
        let l = &self.latency_ms;
        writeln!(
            out,
            "CSMS answers    {} in p50 {} ms, p90 {} ms, p99 {} ms, max {} ms",
            l.answers, l.p50, l.p90, l.p99, l.max
        )?;
        writeln!(
            out,
            "problems        {} failed connection attempts, {} warnings",
            self.connect_failures, self.warnings
        )?;
        let mistakes: u64 = self.csms_mistakes.values().sum();
        if mistakes > 0 {
            let kinds: Vec<String> = self
                .csms_mistakes
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            writeln!(out, "CSMS mistakes   {mistakes} ({})", kinds.join(", "))?;
        }
        if self.messages_lost > 0 || self.steps_skipped > 0 || self.transactions_running > 0 {
            writeln!(
                out,
                "not done        {} messages lost, {} scenario steps skipped, {} transactions still running",
                self.messages_lost, self.steps_skipped, self.transactions_running
            )?;
            for l in &self.lost {
                writeln!(out, "  lost          {l}")?;
            }
            for s in &self.skipped {
                writeln!(out, "  skipped       {s}")?;
            }
        }
        #[allow(clippy::cast_precision_loss, reason = "display")]
        let mib = self.rss_peak_bytes as f64 / 1_048_576.0;
        writeln!(
            out,
            "process         {} s, {} CPU-s, peak RSS {mib:.1} MiB, {:.1} KiB RSS per charge point",
            self.elapsed_s,
            self.cpu_s,
            {
                #[allow(clippy::cast_precision_loss, reason = "display")]
                let k = self.rss_per_charge_point_bytes as f64 / 1024.0;
                k
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_bound_their_values() {
        for us in [
            1u64, 2, 7, 8, 9, 100, 1000, 1234, 65_000, 1_000_000, 30_000_000,
        ] {
            let b = bucket(us);
            assert!(
                bucket_top(b) >= us,
                "{us} in bucket {b} topped {}",
                bucket_top(b)
            );
            assert!(bucket_top(b) <= us + us / 4 + 1, "{us}: {}", bucket_top(b));
        }
    }

    #[test]
    fn percentiles_come_from_the_recorded_answers() {
        let s = Stats::new();
        for ms in 1..=100u64 {
            s.answer_latency(Duration::from_millis(ms));
        }
        let sum = s.summary(1, Duration::from_secs(1), Shard::default());
        assert_eq!(sum.latency_ms.answers, 100);
        assert!(
            (50.0..=57.0).contains(&sum.latency_ms.p50),
            "{:?}",
            sum.latency_ms
        );
        assert!(
            (99.0..=113.0).contains(&sum.latency_ms.p99),
            "{:?}",
            sum.latency_ms
        );
        assert!(sum.latency_ms.max >= 100.0);
    }
}
