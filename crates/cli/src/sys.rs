//! What the process asks of the operating system: more file descriptors, and its own
//! CPU time and memory for the summary.

/// The real wall clock, UTC.
pub(crate) fn wall_clock() -> ocpp16::DateTime {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    ocpp16::DateTime::from_unix_millis(ms)
}

/// CPU time and memory of this process.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Usage {
    /// User + system CPU seconds.
    pub(crate) cpu_s: f64,
    /// Resident set size now.
    pub(crate) rss_bytes: u64,
    /// Peak resident set size.
    pub(crate) rss_peak_bytes: u64,
}

/// Raises the open-file limit to the hard limit (a fleet needs one socket per charge
/// point); returns the soft limit in force afterwards.
pub(crate) fn raise_fd_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}

/// This process's CPU time and memory (Linux `/proc`; zeros elsewhere).
pub(crate) fn usage() -> Usage {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |v| v * 1024)
    };
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 14th field.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    #[allow(clippy::cast_precision_loss, reason = "clock ticks")]
    let cpu_s = (ticks(11) + ticks(12)) as f64 / 100.0;
    Usage {
        cpu_s,
        rss_bytes: kib("VmRSS:"),
        rss_peak_bytes: kib("VmHWM:"),
    }
}
