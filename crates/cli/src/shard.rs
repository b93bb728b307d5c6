//! `--shard I/N`: one process runs a slice of the fleet, so that N processes (pods,
//! machines) together run all of it.
//!
//! The split is round-robin: shard `I` runs the charge points whose position in the
//! fleet (0 for the first id, `--count` − 1 for the last) is ≡ `I` mod `N`. Round-robin
//! rather than contiguous blocks because scenario groups are contiguous ranges of
//! charge points (`cps = "0..99"`): a block split would put a busy group on one pod and
//! an idle one on another, while round-robin spreads every group over all shards, and
//! shards differ by at most one charge point whatever `--count` is. Everything that
//! names or seeds a charge point (its id, its scenario plan and random stream, its state
//! file) comes from its global index, so a charge point behaves the same in shard
//! `I/N` as in one process running the whole fleet.

use std::fmt;

/// The environment variable a Kubernetes Indexed Job sets to the pod's index.
pub(crate) const INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

/// Which slice of the fleet this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    /// 0-based, below `count`.
    pub(crate) index: u32,
    /// How many shards the fleet is split into (at least 1).
    pub(crate) count: u32,
}

impl Default for Shard {
    /// The whole fleet in one process.
    fn default() -> Self {
        Self { index: 0, count: 1 }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Parses `I/N`, or `env/N` (the index from [`INDEX_ENV`], looked up with `env`).
    pub(crate) fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let usage = "expected I/N with 0 ≤ I < N, like 0/4, or env/N to take I from \
                     JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it)";
        let Some((index, count)) = text.trim().split_once('/') else {
            return Err(format!("{text:?}: {usage}"));
        };
        let count: u32 = match count.trim().parse() {
            Ok(0) => return Err(format!("{text:?}: the shard count must be at least 1")),
            Ok(n) => n,
            Err(_) => {
                return Err(format!(
                    "{text:?}: the shard count {count:?} is not a number; {usage}"
                ));
            }
        };
        let index = index.trim();
        let (index, source) = if index == "env" {
            match env(INDEX_ENV) {
                Some(v) => (v, format!(" (from {INDEX_ENV})")),
                None => {
                    return Err(format!(
                        "{text:?}: {INDEX_ENV} is not set (a Kubernetes Indexed Job sets it in every pod)"
                    ));
                }
            }
        } else if index.contains('$') {
            return Err(format!(
                "{text:?}: the index was not expanded; in a Kubernetes manifest $(JOB_COMPLETION_INDEX) \
                 is expanded only in command/args, in a shell use $JOB_COMPLETION_INDEX, or pass env/{count}"
            ));
        } else {
            (index.to_owned(), String::new())
        };
        let index: u32 = index.trim().parse().map_err(|_| {
            format!("{text:?}: the shard index {index:?}{source} is not a number; {usage}")
        })?;
        if index >= count {
            return Err(format!(
                "{text:?}: shard index {index}{source} is not below the shard count {count} \
                 (indices are 0-based: 0/{count} … {}/{count})",
                count - 1
            ));
        }
        Ok(Self { index, count })
    }

    /// Whether the charge point at `position` in the fleet (0-based) is this shard's.
    #[cfg(test)]
    pub(crate) fn runs(self, position: u32) -> bool {
        position % self.count == self.index
    }

    /// How many of a fleet of `fleet` charge points this shard runs.
    pub(crate) fn size(self, fleet: u32) -> u32 {
        let whole = fleet / self.count;
        whole + u32::from(fleet % self.count > self.index)
    }

    /// The positions (0-based, in the whole fleet) of this shard's charge points.
    pub(crate) fn positions(self, fleet: u32) -> impl Iterator<Item = u32> {
        (self.index..fleet).step_by(usize::try_from(self.count).unwrap_or(usize::MAX))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

    use std::collections::BTreeSet;

    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_index_and_count() {
        assert_eq!(Shard::parse("0/1", no_env).unwrap(), Shard::default());
        assert_eq!(
            Shard::parse("3/4", no_env).unwrap(),
            Shard { index: 3, count: 4 }
        );
        assert_eq!(Shard::parse(" 1 / 2 ", no_env).unwrap().to_string(), "1/2");
    }

    #[test]
    fn refuses_bad_shards_saying_why() {
        assert!(
            Shard::parse("4/4", no_env)
                .unwrap_err()
                .contains("not below the shard count 4")
        );
        assert!(
            Shard::parse("0/0", no_env)
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            Shard::parse("2", no_env)
                .unwrap_err()
                .contains("expected I/N")
        );
        assert!(
            Shard::parse("a/2", no_env)
                .unwrap_err()
                .contains("index \"a\" is not a number")
        );
        assert!(
            Shard::parse("-1/2", no_env)
                .unwrap_err()
                .contains("not a number")
        );
        assert!(
            Shard::parse("0/x", no_env)
                .unwrap_err()
                .contains("count \"x\"")
        );
        assert!(
            Shard::parse("$(JOB_COMPLETION_INDEX)/4", no_env)
                .unwrap_err()
                .contains("not expanded")
        );
    }

    #[test]
    fn takes_the_index_from_the_environment() {
        let env = |k: &str| (k == INDEX_ENV).then(|| String::from("2"));
        assert_eq!(
            Shard::parse("env/3", env).unwrap(),
            Shard { index: 2, count: 3 }
        );
        assert!(
            Shard::parse("env/3", no_env)
                .unwrap_err()
                .contains("JOB_COMPLETION_INDEX is not set")
        );
        let far = |_: &str| Some(String::from("5"));
        let e = Shard::parse("env/3", far).unwrap_err();
        assert!(
            e.contains("5 (from JOB_COMPLETION_INDEX) is not below"),
            "{e}"
        );
    }

    #[test]
    fn shards_are_disjoint_and_cover_the_fleet() {
        for fleet in [0u32, 1, 2, 7, 10, 101] {
            for count in 1..=12u32 {
                let mut seen = BTreeSet::new();
                for index in 0..count {
                    let shard = Shard { index, count };
                    let mine: Vec<u32> = shard.positions(fleet).collect();
                    assert_eq!(mine.len(), usize::try_from(shard.size(fleet)).unwrap());
                    for p in mine {
                        assert!(shard.runs(p));
                        assert!(seen.insert(p), "{p} in two shards of {count}");
                    }
                }
                assert_eq!(
                    seen,
                    (0..fleet).collect(),
                    "fleet {fleet} in {count} shards"
                );
            }
        }
    }

    #[test]
    fn shards_differ_by_at_most_one() {
        let sizes: Vec<u32> = (0..4)
            .map(|i| Shard { index: i, count: 4 }.size(10))
            .collect();
        assert_eq!(sizes, [3, 3, 2, 2]);
    }
}
