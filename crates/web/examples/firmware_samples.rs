//! Writes the sample firmware files the demo CSMS offers (`www/firmware/`):
//! `cargo run -p web --example firmware_samples -- www/firmware`.
//! The same bytes every run: the body is a fixed pseudo-random sequence.

use std::{fs, path::PathBuf};

use chargepoint::firmware_file::pack;

/// A 12 KiB body that does not compress away (xorshift from a fixed seed).
fn body(seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..12 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "www/firmware".into()),
    );
    fs::create_dir_all(&dir)?;
    let image = body(0x1130);
    fs::write(
        dir.join("evc-1.13.0.fw"),
        pack("TeltoCharge", "1.13.0", &image),
    )?;
    // The same file with one bit of its body flipped: its SHA-256 no longer matches.
    let mut corrupt = pack("TeltoCharge", "1.13.0", &image);
    if let Some(last) = corrupt.last_mut() {
        *last ^= 0x01;
    }
    fs::write(dir.join("evc-1.13.0-corrupt.fw"), corrupt)?;
    fs::write(
        dir.join("other-product-2.0.0.fw"),
        pack("OtherCharger", "2.0.0", &body(0x200)),
    )?;
    Ok(())
}
