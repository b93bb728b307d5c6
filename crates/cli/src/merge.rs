//! `evc summary merge`: the summaries of a fleet's shards added into one.
//!
//! Counts are summed exactly; the latency histograms are added bucket by bucket and
//! the quantiles recomputed from the sum (never averaged), so a merged summary says
//! what one process running every charge point would have said of the same answers.
//! `lost` and `skipped` are concatenated and kept to the same 100 (their counts stay
//! whole). `elapsed_s` and `all_connected_s` are the longest shard's (the shards run
//! side by side); `cpu_s` and the `rss_*` figures are summed (the fleet's CPU time and
//! memory on all its machines; the summed peak is an upper bound of the peaks at one
//! moment), and `rss_per_charge_point_bytes` and `connects_per_s` are recomputed from
//! the sums. A merged summary can be merged again.

use std::{collections::BTreeSet, path::Path};

use crate::{
    args::MergeArgs,
    fleet::EXIT_BAD_INPUT,
    stats::{BUCKETS, Histogram, LatencyMs, PROBLEMS_KEPT, Shards, Summary, round1},
};

/// Runs `evc summary merge`; returns the exit code.
pub(crate) fn run(args: &MergeArgs) -> u8 {
    let mut parts = Vec::new();
    for path in &args.files {
        match load(path) {
            Ok(s) => parts.push((path.display().to_string(), s)),
            Err(e) => {
                eprintln!("evc summary merge: {e}");
                return EXIT_BAD_INPUT;
            }
        }
    }
    let merged = match merge(&parts) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("evc summary merge: {e}");
            return EXIT_BAD_INPUT;
        }
    };
    let missing: Vec<String> = (0..merged.shards.count)
        .filter(|i| !merged.shards.indices.contains(i))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "evc summary merge: warning: shard(s) {} of {} are not among the inputs",
            missing.join(", "),
            merged.shards.count
        );
    }
    let _ = merged.print(&mut std::io::stderr());
    let json = serde_json::to_string_pretty(&merged).unwrap_or_default() + "\n";
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, json) {
                eprintln!("evc summary merge: -o {}: {e}", path.display());
                return 1;
            }
        }
        None => print!("{json}"),
    }
    0
}

/// Reads one `--summary-json` file, refusing what is not one.
fn load(path: &Path) -> Result<Summary, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{name} is not an evc summary: it is not JSON ({e})"))?;
    let Some(object) = value.as_object() else {
        return Err(format!("{name} is not an evc summary: not a JSON object"));
    };
    if !object.contains_key("charge_points") || !object.contains_key("latency_ms") {
        return Err(format!(
            "{name} is not an evc summary (written by evc run --summary-json): it has no charge_points and latency_ms"
        ));
    }
    for field in ["shards", "latency_histogram"] {
        if !object.contains_key(field) {
            return Err(format!(
                "{name} has no {field}: it was written by an evc without --shard and cannot be merged"
            ));
        }
    }
    let summary: Summary =
        serde_json::from_value(value).map_err(|e| format!("{name} is not an evc summary: {e}"))?;
    let mut counts = vec![0u64; BUCKETS];
    summary
        .latency_histogram
        .add_to(&mut counts)
        .map_err(|e| format!("{name}: {e}"))?;
    let held: u64 = counts.iter().sum();
    if held != summary.latency_ms.answers {
        return Err(format!(
            "{name}: its latency histogram holds {held} answers but latency_ms.answers says {}",
            summary.latency_ms.answers
        ));
    }
    let s = &summary.shards;
    if s.count == 0 || s.indices.is_empty() || s.indices.iter().any(|i| *i >= s.count) {
        return Err(format!(
            "{name}: its shards {:?} of {} are not indices below the count",
            s.indices, s.count
        ));
    }
    Ok(summary)
}

/// Adds the summaries (`(name, summary)`, the name for messages).
fn merge(parts: &[(String, Summary)]) -> Result<Summary, String> {
    let Some(((first_name, first), rest)) = parts.split_first() else {
        return Err(String::from("no summaries to merge"));
    };
    let n = first.shards.count;
    let mut owner: Vec<(u32, &str)> = Vec::new();
    for (name, s) in parts {
        if s.shards.count != n {
            return Err(format!(
                "{name} is a shard of {} but {first_name} of {n}: the shard counts (N of --shard I/N) must match",
                s.shards.count
            ));
        }
        for i in &s.shards.indices {
            if let Some((_, other)) = owner.iter().find(|(j, _)| j == i) {
                return Err(format!("shard {i}/{n} is in both {other} and {name}"));
            }
            owner.push((*i, name));
        }
    }
    let mut m = first.clone();
    let mut counts = vec![0u64; BUCKETS];
    first.latency_histogram.add_to(&mut counts)?;
    for (name, s) in rest {
        s.latency_histogram
            .add_to(&mut counts)
            .map_err(|e| format!("{name}: {e}"))?;
        m.charge_points = m.charge_points.saturating_add(s.charge_points);
        m.transactions_running += s.transactions_running;
        m.messages_lost += s.messages_lost;
        m.steps_skipped += s.steps_skipped;
        m.lost.extend(s.lost.iter().cloned());
        m.skipped.extend(s.skipped.iter().cloned());
        for (kind, n) in &s.csms_mistakes {
            let sum = m.csms_mistakes.entry(kind.clone()).or_insert(0);
            *sum = sum.saturating_add(*n);
        }
        m.wakeups += s.wakeups;
        m.connected += s.connected;
        m.ever_connected += s.ever_connected;
        m.transactions_started += s.transactions_started;
        m.transactions_stopped += s.transactions_stopped;
        m.energy_wh += s.energy_wh;
        m.frames_sent += s.frames_sent;
        m.frames_received += s.frames_received;
        m.callerrors_sent += s.callerrors_sent;
        m.callerrors_received += s.callerrors_received;
        m.connect_failures += s.connect_failures;
        m.warnings += s.warnings;
        m.elapsed_s = m.elapsed_s.max(s.elapsed_s);
        m.cpu_s = round1(m.cpu_s + s.cpu_s);
        m.rss_bytes += s.rss_bytes;
        m.rss_peak_bytes += s.rss_peak_bytes;
        m.rss_start_bytes += s.rss_start_bytes;
        m.rss_running_bytes += s.rss_running_bytes;
        // The fleet was all connected once every shard was; 0 (never) stays 0.
        m.all_connected_s = if m.all_connected_s == 0.0 || s.all_connected_s == 0.0 {
            0.0
        } else {
            m.all_connected_s.max(s.all_connected_s)
        };
    }
    m.lost.truncate(PROBLEMS_KEPT);
    m.skipped.truncate(PROBLEMS_KEPT);
    m.latency_ms = LatencyMs::from_counts(&counts);
    m.latency_histogram = Histogram::from_counts(&counts);
    m.rss_per_charge_point_bytes =
        m.rss_running_bytes.saturating_sub(m.rss_start_bytes) / u64::from(m.charge_points.max(1));
    #[allow(clippy::cast_precision_loss, reason = "figures")]
    let rate = if m.all_connected_s > 0.0 {
        round1(m.ever_connected as f64 / m.all_connected_s)
    } else {
        0.0
    };
    m.connects_per_s = rate;
    let indices: BTreeSet<u32> = owner.iter().map(|(i, _)| *i).collect();
    m.shards = Shards {
        count: n,
        indices: indices.into_iter().collect(),
    };
    Ok(m)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use std::time::Duration;

    use super::*;
    use crate::{shard::Shard, stats::Stats};

    fn shard_summary(index: u32, count: u32, latencies_us: &[u64], lost: usize) -> Summary {
        let s = Stats::new();
        for us in latencies_us {
            s.answer_latency(Duration::from_micros(*us));
        }
        s.frames_sent
            .store(10 + u64::from(index), std::sync::atomic::Ordering::Relaxed);
        for k in 0..lost {
            s.message_lost(format!("CP{index}: lost {k}"));
        }
        s.summary(
            3,
            Duration::from_secs(u64::from(index) + 1),
            Shard { index, count },
        )
    }

    fn named(s: Summary) -> (String, Summary) {
        (format!("shard{}.json", s.shards.indices[0]), s)
    }

    #[test]
    fn histograms_add_bucket_by_bucket_and_quantiles_come_from_the_sum() {
        // Shard 0 answers fast, shard 1 slowly: averaging their p50s would be wrong.
        let fast: Vec<u64> = (1..=300).map(|i| 1_000 + i).collect();
        let slow: Vec<u64> = (1..=100).map(|i| 100_000 + i * 100).collect();
        let all: Vec<u64> = fast.iter().chain(&slow).copied().collect();
        let a = shard_summary(0, 2, &fast, 0);
        let b = shard_summary(1, 2, &slow, 0);
        let m = merge(&[named(a.clone()), named(b.clone())]).unwrap();
        let one = shard_summary(0, 1, &all, 0);
        assert_eq!(
            m.latency_histogram, one.latency_histogram,
            "exactly the one-process histogram"
        );
        assert_eq!(m.latency_ms, one.latency_ms);
        assert_eq!(m.latency_ms.answers, 400);
        // p50 is among the fast answers, p90 and p99 among the slow ones, each within
        // the histogram's resolution (12.5 %) of the true quantile.
        let mut sorted = all.clone();
        sorted.sort_unstable();
        for (q, got) in [
            (0.5, m.latency_ms.p50),
            (0.9, m.latency_ms.p90),
            (0.99, m.latency_ms.p99),
        ] {
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let truth = sorted[((400.0 * q) as usize).saturating_sub(1)] as f64 / 1000.0;
            assert!(
                got >= truth - 0.05 && got <= truth * 1.125 + 0.05,
                "q{q}: {got} vs {truth}"
            );
        }
        assert!((a.latency_ms.p50 + b.latency_ms.p50) / 2.0 > 2.0 * m.latency_ms.p50);
        assert_eq!(m.frames_sent, 21);
        assert_eq!(m.charge_points, 6);
        assert_eq!(m.elapsed_s, 2.0);
        assert_eq!(
            m.shards,
            Shards {
                count: 2,
                indices: vec![0, 1]
            }
        );
    }

    #[test]
    fn lists_are_concatenated_with_the_cap() {
        let a = shard_summary(0, 2, &[], 70);
        let b = shard_summary(1, 2, &[], 70);
        let m = merge(&[named(a), named(b)]).unwrap();
        assert_eq!(m.messages_lost, 140);
        assert_eq!(m.lost.len(), PROBLEMS_KEPT);
        assert_eq!(m.lost[0], "CP0: lost 0");
        assert_eq!(m.lost[70], "CP1: lost 0");
    }

    #[test]
    fn the_csms_s_mistakes_add_up_per_kind_and_an_older_summary_has_none() {
        use chargepoint::mistakes::MistakeKind;
        let stats = |kinds: &[MistakeKind], index| {
            let s = Stats::new();
            for k in kinds {
                s.mistake(*k);
            }
            s.summary(1, Duration::from_secs(1), Shard { index, count: 3 })
        };
        let a = stats(&[MistakeKind::AnswerTimeout, MistakeKind::AnswerTimeout], 0);
        let b = stats(&[MistakeKind::AnswerTimeout, MistakeKind::Senseless], 1);
        assert_eq!(a.csms_mistakes.len(), MistakeKind::ALL.len());
        // A summary written before the counts existed reads as none.
        let mut old = serde_json::to_value(stats(&[], 2)).unwrap();
        old.as_object_mut().unwrap().remove("csms_mistakes");
        let old: Summary = serde_json::from_value(old).unwrap();
        let m = merge(&[named(a), named(b), named(old)]).unwrap();
        assert_eq!(m.csms_mistakes["answer-timeout"], 3);
        assert_eq!(m.csms_mistakes["senseless-request"], 1);
        assert_eq!(m.csms_mistakes["schema-violation"], 0);
        let mut text = Vec::new();
        m.print(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains("CSMS mistakes   4 (answer-timeout 3, senseless-request 1)"),
            "{text}"
        );
    }

    #[test]
    fn merged_summaries_merge_again() {
        let ab = merge(&[
            named(shard_summary(0, 3, &[5], 0)),
            named(shard_summary(1, 3, &[6], 0)),
        ])
        .unwrap();
        let abc = merge(&[
            (String::from("ab"), ab),
            named(shard_summary(2, 3, &[7], 0)),
        ])
        .unwrap();
        assert_eq!(abc.shards.indices, [0, 1, 2]);
        assert_eq!(abc.latency_ms.answers, 3);
    }

    #[test]
    fn refuses_duplicate_shards_and_mismatched_counts() {
        let e = merge(&[
            named(shard_summary(1, 2, &[], 0)),
            named(shard_summary(1, 2, &[], 0)),
        ])
        .unwrap_err();
        assert!(e.contains("shard 1/2 is in both"), "{e}");
        let e = merge(&[
            named(shard_summary(0, 2, &[], 0)),
            named(shard_summary(1, 3, &[], 0)),
        ])
        .unwrap_err();
        assert!(e.contains("shard counts"), "{e}");
    }

    #[test]
    fn refuses_files_that_are_not_summaries() {
        let dir = std::env::temp_dir().join(format!("evc-merge-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        assert!(
            load(&write("a", "not json"))
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            load(&write("b", "[1]"))
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert!(
            load(&write("c", "{\"x\": 1}"))
                .unwrap_err()
                .contains("no charge_points")
        );
        let old = r#"{"charge_points": 1, "latency_ms": {}}"#;
        assert!(
            load(&write("d", old))
                .unwrap_err()
                .contains("cannot be merged")
        );
        let good = serde_json::to_value(shard_summary(0, 1, &[10, 20], 0)).unwrap();
        assert!(load(&write("e", &good.to_string())).is_ok());
        let mut bad = good.clone();
        bad["latency_ms"]["answers"] = 5.into();
        assert!(
            load(&write("f", &bad.to_string()))
                .unwrap_err()
                .contains("holds 2 answers")
        );
        let mut bad = good.clone();
        bad["latency_histogram"]["buckets"][0]["top_us"] = 3.into();
        assert!(
            load(&write("g", &bad.to_string()))
                .unwrap_err()
                .contains("does not have")
        );
        let mut bad = good;
        bad["frames_sent"] = "many".into();
        assert!(
            load(&write("h", &bad.to_string()))
                .unwrap_err()
                .contains("not an evc summary")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
