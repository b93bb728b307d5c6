//! The command line: `evc run` and `evc csms`.

use std::{path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Emulated Teltonika EVC charge points (OCPP 1.6-J) against a CSMS, one or ten thousand.
#[derive(Debug, Parser)]
#[command(name = "evc", version, about)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Cmd,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Cmd {
    /// Run charge points against a CSMS.
    Run(Box<RunArgs>),
    /// A fast loopback CSMS that answers every CALL at once (for load tests and demos).
    Csms(CsmsArgs),
}

/// The hardware variant.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum VariantArg {
    /// Cable fixed to the box (UnlockConnector: NotSupported).
    Tethered,
    /// Type 2 socket with a cable lock.
    Socket,
}

/// When to draw the live progress line.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum Progress {
    /// When standard error is a terminal.
    Auto,
    /// Always (a line every 5 s when not a terminal).
    Always,
    /// Never.
    Never,
}

/// `evc run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// The CSMS URL (ws:// or wss://, ending with "/"); each charge point connects to
    /// URL + its id with subprotocol ocpp1.6.
    pub(crate) url: String,
    /// Charge point id, or a pattern: `{0000}` is replaced by the index, zero-padded to
    /// the width given.
    #[arg(long, default_value = "CP{0000}")]
    pub(crate) id: String,
    /// How many charge points.
    #[arg(long, default_value_t = 1)]
    pub(crate) count: u32,
    /// The first index put into the id pattern.
    #[arg(long, default_value_t = 0)]
    pub(crate) first: u32,
    /// Hardware variant.
    #[arg(long, value_enum, default_value_t = VariantArg::Tethered)]
    pub(crate) variant: VariantArg,
    /// AuthorizationKey for HTTP Basic auth (user = id); SecurityProfile becomes at least 1.
    #[arg(long, env = "EVC_AUTH_KEY", hide_env_values = true)]
    pub(crate) auth_key: Option<String>,
    /// SecurityProfile: 0 none, 1 Basic auth, 2 Basic auth over TLS, 3 TLS client certificate.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub(crate) security_profile: Option<u8>,
    /// Extra root certificate(s) (PEM) to trust for wss://, besides the public roots.
    #[arg(long)]
    pub(crate) ca: Option<PathBuf>,
    /// Client certificate chain (PEM) for security profile 3.
    #[arg(long, requires = "key")]
    pub(crate) cert: Option<PathBuf>,
    /// Private key (PEM) of the client certificate.
    #[arg(long, requires = "cert")]
    pub(crate) key: Option<PathBuf>,
    /// Set a configuration key at every start (KEY=VALUE, repeatable), with the checks
    /// of ChangeConfiguration.
    #[arg(long = "config", value_name = "KEY=VALUE")]
    pub(crate) config: Vec<String>,
    /// Scenario file (TOML): plug, tap, charge, unplug, repeats.
    #[arg(long)]
    pub(crate) scenario: Option<PathBuf>,
    /// Durable state of each charge point in DIR/ID.json, written crash-safe.
    #[arg(long, value_name = "DIR")]
    pub(crate) state_dir: Option<PathBuf>,
    /// Protocol trace as JSON lines ("-" for standard output).
    #[arg(long, value_name = "FILE")]
    pub(crate) trace: Option<PathBuf>,
    /// Time speed-up (timers, meter samples, scenario waits, the EV).
    #[arg(long)]
    pub(crate) speed: Option<u32>,
    /// Seed for the scenario's randomness (reconnect jitter and message ids draw on fresh
    /// OS entropy at every start).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Stop after this much real time (e.g. 90s, 10m, 1h).
    #[arg(long, value_parser = parse_duration)]
    pub(crate) duration: Option<Duration>,
    /// New connections opened per second, across the fleet.
    #[arg(long, default_value_t = 500)]
    pub(crate) connect_rate: u32,
    /// Keep retrying when a charge point's first connection fails (otherwise: exit 3).
    #[arg(long)]
    pub(crate) keep_trying: bool,
    /// Write the summary as JSON to this file at the end.
    #[arg(long, value_name = "FILE")]
    pub(crate) summary_json: Option<PathBuf>,
    /// The live progress line.
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    pub(crate) progress: Progress,
    /// Log filter (tracing), e.g. info, debug, evc=debug; RUST_LOG works too.
    #[arg(long, default_value = "info")]
    pub(crate) log: String,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
}

/// `evc csms`.
#[derive(Debug, Args)]
pub(crate) struct CsmsArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub(crate) listen: String,
    /// Heartbeat interval given in BootNotification answers (s).
    #[arg(long, default_value_t = 300)]
    pub(crate) interval: i32,
    /// Print frame counts every this many seconds (0: never).
    #[arg(long, default_value_t = 10)]
    pub(crate) stats_every: u64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
}

/// `90s`, `10m`, `1h`, `500ms`, or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (try 90s, 10m, 1h)"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => return Err(format!("unknown unit {other:?} in {text:?} (ms, s, m, h)")),
    };
    if !seconds.is_finite() || !(0.0..=1e9).contains(&seconds) {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// The id of charge point `index` from a pattern such as `CP{0000}`.
pub(crate) fn expand_id(pattern: &str, index: u32) -> Result<String, String> {
    let (id, placeholder) = match (pattern.find('{'), pattern.find('}')) {
        (Some(open), Some(close)) if open < close => {
            let inner = pattern.get(open + 1..close).unwrap_or_default();
            if inner.is_empty() || !inner.bytes().all(|b| b == b'0') {
                return Err(format!(
                    "id pattern {pattern:?}: the placeholder must be zeros, like {{0000}}"
                ));
            }
            let number = format!("{index:0width$}", width = inner.len());
            let head = pattern.get(..open).unwrap_or_default();
            let tail = pattern.get(close + 1..).unwrap_or_default();
            (format!("{head}{number}{tail}"), true)
        }
        (None, None) => (pattern.to_owned(), false),
        _ => return Err(format!("id pattern {pattern:?} has an unmatched brace")),
    };
    if !placeholder && index > 0 {
        return Err(format!(
            "id {pattern:?} names one charge point; give a pattern like CP{{0000}} for more"
        ));
    }
    check_id(&id)?;
    Ok(id)
}

/// A charge point id must be a URL path segment and fit the BootNotification serial.
fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err(String::from("the charge point id is empty"));
    }
    if id.len() > 25 {
        return Err(format!(
            "charge point id {id:?} is {} characters; at most 25 (it is the serial number)",
            id.len()
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.~".contains(*c)))
    {
        return Err(format!(
            "charge point id {id:?} contains {c:?}; use letters, digits, '-', '_', '.', '~'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_patterns() {
        assert_eq!(expand_id("CP{0000}", 7).unwrap(), "CP0007");
        assert_eq!(expand_id("TC-{000}-x", 12345).unwrap(), "TC-12345-x");
        assert_eq!(expand_id("ONE", 0).unwrap(), "ONE");
        assert!(expand_id("ONE", 1).unwrap_err().contains("pattern"));
        assert!(expand_id("CP{00", 0).unwrap_err().contains("brace"));
        assert!(expand_id("CP{ab}", 0).unwrap_err().contains("zeros"));
        assert!(expand_id("CP 1", 0).unwrap_err().contains("' '"));
        assert!(expand_id("A{0}", 0).is_ok());
        assert!(expand_id(&"X".repeat(26), 0).unwrap_err().contains("25"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("3 weeks").unwrap_err().contains("unit"));
        assert!(parse_duration("soon").is_err());
    }
}
