//! Network faults between the box and a real CSMS, repeatable from a seed: latency,
//! dropped, duplicated and reordered frames, each way. Pure logic (no browser): the live
//! home puts every frame it sends and receives through a [`Line`] and hands on what
//! [`Line::due`] releases.
//!
//! With the same seed, settings and sequence of frames the decisions are the same, so a
//! CSMS developer can run the case that broke their CSMS again.

/// What the line does to frames; rates are per mille.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Faults {
    /// The seed of the decisions.
    pub seed: u64,
    /// Delay of every frame, ms.
    pub latency_ms: u32,
    /// Frames lost, ‰.
    pub drop_permille: u16,
    /// Frames delivered twice, ‰.
    pub duplicate_permille: u16,
    /// Frames held back so that later ones overtake them, ‰.
    pub reorder_permille: u16,
}

impl Faults {
    /// Whether the line does anything at all.
    #[must_use]
    pub fn active(&self) -> bool {
        self.latency_ms > 0
            || self.drop_permille > 0
            || self.duplicate_permille > 0
            || self.reorder_permille > 0
    }

    /// Reads `seed=7 latency=200 drop=5 duplicate=2 reorder=5` (percentages; any order,
    /// any subset; empty = no faults), as the tab's input and `window.evc` take it.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut f = Self::default();
        for part in spec.split_whitespace() {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("\"{part}\": expected name=value"))?;
            match key {
                "seed" => {
                    f.seed = value
                        .parse()
                        .map_err(|_| format!("seed \"{value}\" is not a whole number"))?;
                }
                "latency" => {
                    f.latency_ms = value
                        .parse()
                        .ok()
                        .filter(|ms| *ms <= 60_000)
                        .ok_or_else(|| format!("latency \"{value}\": 0 to 60000 ms"))?;
                }
                "drop" => f.drop_permille = Self::permille(value)?,
                "duplicate" => f.duplicate_permille = Self::permille(value)?,
                "reorder" => f.reorder_permille = Self::permille(value)?,
                other => {
                    return Err(format!(
                        "unknown fault \"{other}\"; one of seed, latency, drop, duplicate, reorder"
                    ));
                }
            }
        }
        Ok(f)
    }

    /// A per-mille rate from a percentage typed by a person (0–100, tenths allowed).
    pub fn permille(percent: &str) -> Result<u16, String> {
        // Read by hand: float parsing would cost the page about 20 KB of tables.
        let t = percent.trim();
        let (whole, tenth) = t.split_once('.').unwrap_or((t, "0"));
        let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(tenth) || tenth.len() > 1 {
            return Err(format!(
                "\"{percent}\" is not a percentage (0 to 100, tenths allowed)"
            ));
        }
        let value = whole
            .parse::<u32>()
            .ok()
            .and_then(|w| w.checked_mul(10))
            .and_then(|w| w.checked_add(tenth.parse::<u32>().ok()?))
            .filter(|v| *v <= 1000)
            .ok_or_else(|| format!("{percent} % is not between 0 and 100"))?;
        u16::try_from(value).map_err(|_| format!("{percent} % is not between 0 and 100"))
    }
}

/// One direction of the link: frames waiting to be delivered.
#[derive(Debug, Clone, Default)]
pub struct Line {
    faults: Faults,
    rng: u64,
    /// (release time ms, order of arrival, text).
    held: Vec<(u64, u64, String)>,
    arrivals: u64,
    /// Counts: dropped, duplicated, reordered.
    pub dropped: u64,
    /// Frames sent twice.
    pub duplicated: u64,
    /// Frames held back.
    pub reordered: u64,
}

impl Line {
    /// A line with these faults; `salt` tells the two directions' decisions apart.
    #[must_use]
    pub fn new(faults: Faults, salt: u64) -> Self {
        Self {
            faults,
            rng: faults.seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x2545_f491_4f6c_dd1d,
            ..Self::default()
        }
    }

    /// The faults it applies.
    #[must_use]
    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// splitmix64: small, good enough, and the same everywhere.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn roll(&mut self, permille: u16) -> bool {
        permille > 0 && self.next() % 1000 < u64::from(permille)
    }

    /// A frame enters the line at `now_ms`.
    pub fn push(&mut self, now_ms: u64, text: String) {
        if !self.faults.active() {
            self.held.push((now_ms, self.arrivals, text));
            self.arrivals += 1;
            return;
        }
        // Always three draws per frame, so one decision does not shift the next ones.
        let (drop, duplicate, reorder) = (
            self.roll(self.faults.drop_permille),
            self.roll(self.faults.duplicate_permille),
            self.roll(self.faults.reorder_permille),
        );
        if drop {
            self.dropped += 1;
            return;
        }
        let latency = u64::from(self.faults.latency_ms);
        let mut at = now_ms.saturating_add(latency);
        if reorder {
            // Held for a second latency (at least 300 ms): what comes next overtakes it.
            self.reordered += 1;
            at = at.saturating_add(latency.max(300));
        }
        if duplicate {
            self.duplicated += 1;
            self.held.push((at, self.arrivals, text.clone()));
            self.arrivals += 1;
        }
        self.held.push((at, self.arrivals, text));
        self.arrivals += 1;
    }

    /// The frames due at `now_ms`, in delivery order.
    pub fn due(&mut self, now_ms: u64) -> Vec<String> {
        // Few frames are held at a time: take the earliest due one until none is left
        // (no sort linked for this).
        let mut out = Vec::new();
        while let Some(pos) = self
            .held
            .iter()
            .enumerate()
            .filter(|(_, (at, _, _))| *at <= now_ms)
            .min_by_key(|(_, (at, order, _))| (*at, *order))
            .map(|(i, _)| i)
        {
            out.push(self.held.remove(pos).2);
        }
        out
    }

    /// The link went: what was on the way is lost.
    pub fn clear(&mut self) {
        self.held.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    fn run(faults: Faults) -> (Vec<String>, Line) {
        let mut line = Line::new(faults, 1);
        let mut out = Vec::new();
        for i in 0..200u64 {
            line.push(i * 10, format!("f{i}"));
            out.extend(line.due(i * 10));
        }
        out.extend(line.due(u64::MAX));
        (out, line)
    }

    #[test]
    fn no_faults_pass_everything_in_order_at_once() {
        let (out, line) = run(Faults::default());
        assert_eq!(out, (0..200).map(|i| format!("f{i}")).collect::<Vec<_>>());
        assert_eq!((line.dropped, line.duplicated, line.reordered), (0, 0, 0));
    }

    #[test]
    fn the_same_seed_makes_the_same_run_and_another_seed_another() {
        let f = Faults {
            seed: 42,
            latency_ms: 50,
            drop_permille: 100,
            duplicate_permille: 100,
            reorder_permille: 100,
        };
        let (a, la) = run(f);
        let (b, _) = run(f);
        assert_eq!(a, b);
        let (c, _) = run(Faults { seed: 43, ..f });
        assert_ne!(a, c);
        // About 10 % each of 200 (the draws are independent of each other).
        assert!((5..=40).contains(&la.dropped), "{}", la.dropped);
        assert!((5..=40).contains(&la.duplicated), "{}", la.duplicated);
        assert!((5..=40).contains(&la.reordered), "{}", la.reordered);
        assert_eq!(a.len() as u64, 200 - la.dropped + la.duplicated);
        // Reordered frames arrive after one that entered later.
        let index = |name: &str| a.iter().position(|f| f == name);
        let overtaken = (0..199).filter(|i| {
            matches!((index(&format!("f{i}")), index(&format!("f{}", i + 1))), (Some(x), Some(y)) if x > y)
        });
        assert!(overtaken.count() > 0);
    }

    #[test]
    fn latency_holds_frames_until_due() {
        let mut line = Line::new(
            Faults {
                latency_ms: 100,
                ..Faults::default()
            },
            0,
        );
        line.push(0, "a".into());
        assert!(line.due(99).is_empty());
        assert_eq!(line.due(100), vec!["a".to_string()]);
        line.push(200, "b".into());
        line.clear();
        assert!(line.due(u64::MAX).is_empty());
    }

    #[test]
    fn specs_are_read_strictly() {
        assert_eq!(
            Faults::parse("seed=7 latency=200 drop=5 duplicate=2.5 reorder=10"),
            Ok(Faults {
                seed: 7,
                latency_ms: 200,
                drop_permille: 50,
                duplicate_permille: 25,
                reorder_permille: 100,
            })
        );
        assert_eq!(Faults::parse(""), Ok(Faults::default()));
        assert_eq!(
            Faults::parse("jitter=5"),
            Err("unknown fault \"jitter\"; one of seed, latency, drop, duplicate, reorder".into())
        );
        assert_eq!(
            Faults::parse("drop"),
            Err("\"drop\": expected name=value".into())
        );
        assert_eq!(
            Faults::parse("latency=90000"),
            Err("latency \"90000\": 0 to 60000 ms".into())
        );
    }

    #[test]
    fn percentages_are_read_strictly() {
        assert_eq!(Faults::permille("12.5"), Ok(125));
        assert_eq!(Faults::permille("0"), Ok(0));
        assert_eq!(Faults::permille("100"), Ok(1000));
        assert_eq!(
            Faults::permille("101"),
            Err("101 % is not between 0 and 100".into())
        );
        assert_eq!(
            Faults::permille("lots"),
            Err("\"lots\" is not a percentage (0 to 100, tenths allowed)".into())
        );
    }
}
