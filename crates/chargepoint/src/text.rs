//! Finding a word in a short text without core's substring searcher: `str::find`,
//! `contains`, `split_once` or `match_indices` with a `&str` pattern link its Two-Way
//! algorithm (about 1.5 KB of the MCU image), far more than reasons, URLs and frames of
//! a few hundred bytes need.

/// The byte offsets at which `needle` occurs in `haystack`, first to last (overlapping
/// occurrences included). Each is a char boundary: a UTF-8 needle can only match there.
pub(crate) fn positions<'a>(
    haystack: &'a str,
    needle: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    (0..=h.len().saturating_sub(n.len())).filter(move |&i| h.get(i..i + n.len()) == Some(n))
}

/// Whether `needle` occurs in `haystack`.
pub(crate) fn contains(haystack: &str, needle: &str) -> bool {
    positions(haystack, needle).next().is_some()
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    #[test]
    fn finds_what_str_finds() {
        let at = |h, n| positions(h, n).collect::<Vec<_>>();
        assert_eq!(at("HTTP 403 after HTTP 500", "HTTP "), [0, 15]);
        assert_eq!(at("aaa", "aa"), [0, 1]);
        assert_eq!(at("ab", "abc"), [] as [usize; 0]);
        assert_eq!(at("é://x", "://"), [2]);
        assert!(contains(
            "[2,\"1\",\"ChangeConfiguration\",{\"key\":\"AuthorizationKey\"}]",
            "AuthorizationKey"
        ));
        assert!(!contains("", "x"));
    }
}
