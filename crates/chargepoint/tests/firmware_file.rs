//! The firmware file format: a verdict never depends on how the file is cut into
//! chunks, and no bytes make the verifier panic.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use chargepoint::firmware_file::{FileError, Header, Verifier, pack};
use proptest::prelude::*;

const BOX: &str = "TeltoCharge";

fn whole(file: &[u8]) -> Result<Header, FileError> {
    let mut v = Verifier::new(BOX);
    let _ = v.update(file);
    v.finish()
}

/// Feeds `file` cut at `cuts` (positions, any order, any range).
fn chunked(file: &[u8], cuts: &[usize]) -> Result<Header, FileError> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (file.len() + 1)).collect();
    at.push(0);
    at.push(file.len());
    at.sort_unstable();
    let mut v = Verifier::new(BOX);
    let mut first_error = None;
    for pair in at.windows(2) {
        if let Err(e) = v.update(&file[pair[0]..pair[1]]) {
            first_error.get_or_insert(e);
        }
    }
    let verdict = v.finish();
    if let Some(e) = first_error {
        assert_eq!(verdict, Err(e), "an error is final");
    }
    verdict
}

/// A packed file, then one edit: a byte changed, cut short, or bytes added.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(any::<u8>(), 0..300),
        "[0-9][0-9a-z.+-]{0,12}",
        0usize..4,
        any::<usize>(),
        any::<u8>(),
    )
        .prop_map(|(body, version, edit, pos, byte)| {
            let mut file = pack(BOX, &version, &body);
            let pos = pos % (file.len() + 1);
            match edit {
                0 => {}
                1 => {
                    if let Some(b) = file.get_mut(pos) {
                        *b ^= byte | 1;
                    }
                }
                2 => file.truncate(pos),
                _ => file.insert(pos, byte),
            }
            file
        })
}

proptest! {
    #[test]
    fn any_chunking_gives_the_same_verdict(
        file in mutated(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        prop_assert_eq!(chunked(&file, &cuts), whole(&file));
    }

    #[test]
    fn an_untouched_file_always_verifies(
        body in proptest::collection::vec(any::<u8>(), 0..2000),
        cuts in proptest::collection::vec(any::<usize>(), 0..20),
    ) {
        let file = pack(BOX, "3.1.4", &body);
        let header = chunked(&file, &cuts).unwrap();
        prop_assert_eq!(header.version, "3.1.4");
        prop_assert_eq!(header.length, body.len() as u64);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        file in proptest::collection::vec(any::<u8>(), 0..700),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let verdict = chunked(&file, &cuts);
        prop_assert_eq!(&verdict, &whole(&file));
        if let Err(e) = verdict {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn a_header_line_of_arbitrary_text_is_shown_printable_and_short() {
    let file = b"EVC-FIRMWARE 1\nproduct: \x01\x02 a very long name of a product that goes on\n\n";
    let reason = whole(file).unwrap_err().to_string();
    assert!(reason.contains("line 2"), "{reason}");
    assert!(!reason.contains('\x01'));
}
