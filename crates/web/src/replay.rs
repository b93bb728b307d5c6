//! Trace replay: a JSON-lines trace the trace view exported (here or in another tab)
//! read back, to step through frame by frame in the same view. Each line is
//! `{"time_ms":…,"direction":"in"|"out"|"file","action":…,"frame":…}`; a line that is not
//! one is refused with its number and what is wrong, and nothing is loaded. The native
//! runner's `--trace` (`{"t":…,"ms":…,"cp":…,"dir":"send"|"recv"|"note","frame"|"note":…}`)
//! replays too: its first charge point's lines, with their wall time.

use chargepoint::{harness::Traced, time::Instant};

use crate::json::Fields;

/// The most lines a replay takes (a day of a busy box is far fewer).
const MAX_LINES: usize = 100_000;

/// A loaded trace and how far the replay has stepped.
#[derive(Clone, PartialEq)]
pub(crate) struct Replay {
    /// The file's name.
    pub(crate) name: String,
    frames: Vec<(Traced, String)>,
    transfers: Vec<(u64, String, String)>,
    /// Rows shown: the first `shown` of the trace (at least one).
    shown: usize,
}

impl Replay {
    /// The trace in `text` (the file `name`), or why it cannot be replayed.
    pub(crate) fn parse(name: &str, text: &str) -> Result<Self, String> {
        let mut frames = Vec::new();
        let mut transfers = Vec::new();
        let mut last = 0;
        let mut first_cp = None;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if frames.len() + transfers.len() == MAX_LINES {
                return Err(format!(
                    "{name} has more than {MAX_LINES} frames; a replay takes up to {MAX_LINES}"
                ));
            }
            let Entry {
                at,
                from,
                text: frame,
                wall,
                cp,
            } = entry(line).map_err(|e| format!("line {}: {e}", i + 1))?;
            if *first_cp.get_or_insert_with(|| cp.clone()) != cp {
                continue;
            }
            if at < last {
                return Err(format!(
                    "line {}: time_ms {at} is before the line above's {last} (lines go in time order)",
                    i + 1
                ));
            }
            last = at;
            match from {
                Some(from_cp) => frames.push((
                    Traced {
                        at: Instant::from_millis(at),
                        from_cp,
                        text: frame,
                    },
                    wall,
                )),
                None => transfers.push((at, wall, frame)),
            }
        }
        if frames.is_empty() && transfers.is_empty() {
            return Err(format!("{name} holds no frames"));
        }
        let name = match first_cp.flatten() {
            Some(cp) => format!("{name} ({cp})"),
            None => String::from(name),
        };
        Ok(Self {
            name,
            frames,
            transfers,
            shown: 1,
        })
    }

    /// Frames and transfers up to the replay's position, as the trace view takes them.
    pub(crate) fn upto(&self) -> crate::trace::Shown {
        // The `shown` earliest rows: frames and transfers merged by time as the view does
        // (a transfer after the frames of its moment).
        let (mut f, mut t) = (0, 0);
        while f + t < self.shown {
            let frame_at = self.frames.get(f).map(|(x, _)| x.at.as_millis());
            match (frame_at, self.transfers.get(t)) {
                (Some(a), Some((b, _, _))) if *b < a => t += 1,
                (Some(_), _) => f += 1,
                (None, _) => t += 1,
            }
        }
        (
            self.frames.iter().take(f).cloned().collect(),
            self.transfers.iter().take(t).cloned().collect(),
        )
    }

    /// Rows shown and rows in all.
    pub(crate) fn position(&self) -> (usize, usize) {
        (self.shown, self.frames.len() + self.transfers.len())
    }

    /// Steps by `by` rows (back when negative), staying within the trace.
    #[must_use]
    pub(crate) fn step(&self, by: isize) -> Self {
        let (shown, len) = self.position();
        let mut next = self.clone();
        next.shown = shown.saturating_add_signed(by).clamp(1, len);
        next
    }
}

/// One line of a trace.
struct Entry {
    at: u64,
    /// Who sent it; `None` for a file transfer.
    from: Option<bool>,
    /// The frame's text, or the transfer's line.
    text: String,
    wall: String,
    /// The charge point (the runner's traces hold several).
    cp: Option<String>,
}

/// One line, the page's export or the runner's trace.
fn entry(line: &str) -> Result<Entry, String> {
    let fields = Fields::parse(line).map_err(|e| format!("not a trace line ({e})"))?;
    let field = |name: &str| fields.raw(name).ok_or(format!("no \"{name}\""));
    let string = |name: &str| fields.get::<String>(name).and_then(Result::ok);
    let runner = fields.raw("dir").is_some();
    let (time_name, direction_name) = if runner {
        ("ms", "dir")
    } else {
        ("time_ms", "direction")
    };
    let time = field(time_name)?;
    let at = time
        .parse::<u64>()
        .map_err(|_| format!("\"{time_name}\" must be a whole number of ms, got {time}"))?;
    let direction = field(direction_name)?;
    let from = match (runner, direction) {
        (false, "\"out\"") | (true, "\"send\"") => Some(true),
        (false, "\"in\"") | (true, "\"recv\"") => Some(false),
        (false, "\"file\"") | (true, "\"note\"") => None,
        (false, other) => {
            return Err(format!(
                "\"direction\" must be \"in\", \"out\" or \"file\", got {other}"
            ));
        }
        (true, other) => {
            return Err(format!(
                "\"dir\" must be \"send\", \"recv\" or \"note\", got {other}"
            ));
        }
    };
    // The page's export holds a frame as its JSON (a string when it was not JSON); the
    // runner's as its text, and a note in `note`.
    let name = if runner && from.is_none() {
        "note"
    } else {
        "frame"
    };
    let raw = field(name)?;
    let text = match string(name) {
        Some(s) => s,
        None if runner || from.is_none() => return Err(format!("\"{name}\" must be text")),
        None => String::from(raw),
    };
    Ok(Entry {
        at,
        from,
        text,
        wall: string("t").unwrap_or_default(),
        cp: string("cp"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::Replay;

    const TRACE: &str = concat!(
        r#"{"time_ms":10,"direction":"out","action":"BootNotification","frame":[2,"1","BootNotification",{"chargePointVendor":"Teltonika","chargePointModel":"TeltoCharge"}]}"#,
        "\n",
        r#"{"time_ms":25,"direction":"in","action":"BootNotification","frame":[3,"1",{"status":"Accepted","currentTime":"2026-12-03T20:00:00Z","interval":300}]}"#,
        "\r\n\n",
        r#"{"time_ms":25,"direction":"file","action":"transfer","frame":"download started"}"#,
        "\n",
        r#"{"time_ms":40,"direction":"in","action":"malformed","frame":"[2,\"x\""}"#,
        "\n",
    );

    #[test]
    fn steps_through_a_trace_in_time_order() {
        let r = Replay::parse("t.jsonl", TRACE).unwrap();
        assert_eq!(r.position(), (1, 4));
        let (f, t) = r.upto();
        assert_eq!((f.len(), t.len()), (1, 0));
        assert!(f[0].0.from_cp);
        let r = r.step(2);
        let (f, t) = r.upto();
        assert_eq!((f.len(), t.len()), (2, 1));
        assert_eq!(t[0].2, "download started");
        let r = r.step(10);
        assert_eq!(r.position(), (4, 4));
        let (f, _) = r.upto();
        // A frame that was not JSON comes back as it was sent.
        assert_eq!(f[2].0.text, "[2,\"x\"");
        assert!(!f[2].0.from_cp);
        assert_eq!(r.step(-10).position(), (1, 4));
    }

    #[test]
    fn replays_the_runners_trace_of_its_first_charge_point() {
        let trace = concat!(
            r#"{"t":"2026-12-03T20:00:00.010Z","ms":10,"cp":"CP-1","dir":"send","frame":"[2,\"1\",\"Heartbeat\",{}]"}"#,
            "\n",
            r#"{"t":"2026-12-03T20:00:00.011Z","ms":11,"cp":"CP-2","dir":"send","frame":"[2,\"1\",\"Heartbeat\",{}]"}"#,
            "\n",
            r#"{"t":"2026-12-03T20:00:00.020Z","ms":20,"cp":"CP-1","dir":"recv","frame":"[3,\"1\",{\"currentTime\":\"2026-12-03T20:00:00Z\"}]"}"#,
            "\n",
            r#"{"t":"2026-12-03T20:00:00.030Z","ms":30,"cp":"CP-1","dir":"note","note":"download failed: HTTP 404"}"#,
        );
        let r = Replay::parse("run.jsonl", trace).unwrap();
        assert_eq!(r.name, "run.jsonl (CP-1)");
        assert_eq!(r.position(), (1, 3));
        let (f, t) = r.step(2).upto();
        assert_eq!(f[0].0.text, r#"[2,"1","Heartbeat",{}]"#);
        assert_eq!(f[0].1, "2026-12-03T20:00:00.010Z");
        assert!(!f[1].0.from_cp);
        assert_eq!(t[0].2, "download failed: HTTP 404");
        let wrong = Replay::parse("run.jsonl", r#"{"ms":1,"cp":"A","dir":"up","frame":""}"#);
        assert!(
            wrong
                .err()
                .unwrap()
                .starts_with("line 1: \"dir\" must be \"send\", \"recv\" or \"note\"")
        );
        let wrong = Replay::parse("run.jsonl", r#"{"ms":1,"cp":"A","dir":"send","frame":[]}"#);
        assert_eq!(wrong.err().unwrap(), "line 1: \"frame\" must be text");
    }

    #[test]
    fn says_which_line_is_wrong() {
        let cases = [
            ("", "t.jsonl holds no frames"),
            ("{\"time_ms\":1", "line 1: not a trace line"),
            ("[1,2]", "line 1: not a trace line"),
            (
                "{\"direction\":\"in\",\"frame\":[]}",
                "line 1: no \"time_ms\"",
            ),
            (
                "{\"time_ms\":-4,\"direction\":\"in\",\"frame\":[]}",
                "line 1: \"time_ms\" must be a whole number of ms, got -4",
            ),
            (
                "{\"time_ms\":4,\"direction\":\"up\",\"frame\":[]}",
                "line 1: \"direction\" must be \"in\", \"out\" or \"file\", got \"up\"",
            ),
            (
                "{\"time_ms\":4,\"direction\":\"in\"}",
                "line 1: no \"frame\"",
            ),
            (
                "{\"time_ms\":4,\"direction\":\"file\",\"frame\":[]}",
                "line 1: \"frame\" must be text",
            ),
            (
                "{\"time_ms\":9,\"direction\":\"in\",\"frame\":[]}\n{\"time_ms\":4,\"direction\":\"in\",\"frame\":[]}",
                "line 2: time_ms 4 is before the line above's 9",
            ),
        ];
        for (text, want) in cases {
            let got = Replay::parse("t.jsonl", text).err().unwrap();
            assert!(got.starts_with(want), "{text}: {got}");
        }
    }
}
