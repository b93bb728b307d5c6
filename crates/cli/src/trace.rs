//! The JSON-lines protocol trace: one line per frame, both directions, every charge point
//! (`dir` `send` / `recv`, the text in `frame`), and a line with `dir` `note` (the text in
//! `note`) for what a frame does not show: a file transfer's status and its failure reason.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
    sync::Mutex,
};

use serde::Serialize;

/// A trace sink shared by the fleet.
pub(crate) struct Trace {
    out: Mutex<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Trace")
    }
}

#[derive(Serialize)]
struct Line<'a> {
    t: &'a str,
    ms: u64,
    cp: &'a str,
    dir: &'a str,
    frame: &'a str,
}

#[derive(Serialize)]
struct Note<'a> {
    t: &'a str,
    ms: u64,
    cp: &'a str,
    dir: &'a str,
    note: &'a str,
}

impl Trace {
    /// A trace into `path` ("-" is standard output).
    pub(crate) fn open(path: &Path) -> std::io::Result<Self> {
        let out: Box<dyn Write + Send> = if path.as_os_str() == "-" {
            Box::new(std::io::stdout())
        } else {
            Box::new(BufWriter::new(File::create(path)?))
        };
        Ok(Self {
            out: Mutex::new(out),
        })
    }

    /// Writes one frame (a ChangeConfiguration of AuthorizationKey redacted) and flushes,
    /// so that a reader following the file sees it at once.
    pub(crate) fn frame(&self, wall: &str, ms: u64, cp: &str, sent: bool, text: &str) {
        let redacted = chargepoint::redact(text);
        let line = Line {
            t: wall,
            ms,
            cp,
            dir: if sent { "send" } else { "recv" },
            frame: &redacted,
        };
        self.write(serde_json::to_string(&line));
    }

    /// Writes one note (a transfer's status and why it failed).
    pub(crate) fn note(&self, wall: &str, ms: u64, cp: &str, note: &str) {
        let line = Note {
            t: wall,
            ms,
            cp,
            dir: "note",
            note,
        };
        self.write(serde_json::to_string(&line));
    }

    fn write(&self, json: serde_json::Result<String>) {
        if let (Ok(json), Ok(mut out)) = (json, self.out.lock()) {
            let _ = writeln!(out, "{json}");
            let _ = out.flush();
        }
    }
}
