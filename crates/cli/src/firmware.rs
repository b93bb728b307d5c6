//! `evc firmware pack` and `evc firmware check`: firmware files in the format the box
//! judges before installing (`chargepoint::firmware_file`).

use std::io::Write;

use chargepoint::firmware_file::{Verifier, pack};

use crate::args::{CheckArgs, FirmwareCmd, PackArgs};

/// Runs the subcommand; the exit code (0 fine, 1 a file the box would refuse, 2 bad input).
pub(crate) fn run(cmd: FirmwareCmd) -> u8 {
    let result = match cmd {
        FirmwareCmd::Pack(a) => pack_file(&a),
        FirmwareCmd::Check(a) => check_file(&a),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            0
        }
        Err((code, why)) => {
            eprintln!("evc firmware: {why}");
            code
        }
    }
}

/// A generated body: reproducible bytes (an xorshift stream seeded by the version), so
/// two packs of one version are the same file.
fn generated(version: &str, size: u64) -> Vec<u8> {
    let mut state = version.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1;
    let mut body = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    while (body.len() as u64) < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        body.extend_from_slice(&state.to_le_bytes());
    }
    body.truncate(usize::try_from(size).unwrap_or(0));
    body
}

fn pack_file(a: &PackArgs) -> Result<String, (u8, String)> {
    let bad = |why: String| (2, why);
    if a.version.is_empty()
        || a.version.len() > 50
        || !a.version.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(bad(format!(
            "--version {:?}: 1 to 50 printable characters without spaces",
            a.version
        )));
    }
    let body = match &a.body {
        Some(path) => {
            std::fs::read(path).map_err(|e| bad(format!("--body {}: {e}", path.display())))?
        }
        None => generated(&a.version, a.size),
    };
    let bytes = pack(&a.product, &a.version, &body);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&a.output)?;
        f.write_all(&bytes)?;
        f.sync_all()
    };
    write().map_err(|e| bad(format!("-o {}: {e}", a.output.display())))?;
    Ok(format!(
        "{}: firmware {} for {}, {} bytes of body ({} in all)",
        a.output.display(),
        a.version,
        a.product,
        body.len(),
        bytes.len()
    ))
}

fn check_file(a: &CheckArgs) -> Result<String, (u8, String)> {
    use std::io::Read;
    let mut file =
        std::fs::File::open(&a.file).map_err(|e| (2, format!("{}: {e}", a.file.display())))?;
    let mut verifier = Verifier::new(&a.product);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| (2, format!("{}: {e}", a.file.display())))?;
        if n == 0 {
            break;
        }
        verifier
            .update(buf.get(..n).unwrap_or_default())
            .map_err(|e| (1, format!("{}: {e}", a.file.display())))?;
    }
    let header = verifier
        .finish()
        .map_err(|e| (1, format!("{}: {e}", a.file.display())))?;
    Ok(format!(
        "{}: firmware {} for {}, {} bytes of body, SHA-256 matches",
        a.file.display(),
        header.version,
        header.product,
        header.length
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::*;

    #[test]
    fn generated_bodies_are_reproducible_and_differ_by_version() {
        assert_eq!(generated("1.13.0", 1000), generated("1.13.0", 1000));
        assert_ne!(generated("1.13.0", 64), generated("1.13.1", 64));
        assert_eq!(generated("1", 13).len(), 13);
    }
}
