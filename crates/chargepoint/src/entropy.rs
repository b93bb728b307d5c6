//! The engine's random generator. The home hands in entropy (at creation through
//! [`crate::Settings::seed`], later through [`crate::ChargePoint::add_entropy`]); the
//! engine draws reconnect jitter and message id prefixes from it. It is not a
//! cryptographic generator: a key pair's seed comes from the home
//! (`ChargePoint::provide_key_seed`) when it has one; this stream is the fallback.

/// SplitMix64 over a 64-bit state: small, fast and well distributed, which is all that
/// jitter and id prefixes need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Mixes bytes from the home into the state.
    pub(crate) fn mix(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(chunk) {
                *w = *b;
            }
            self.0 ^= u64::from_le_bytes(word);
            let _ = self.next_u64();
        }
    }

    /// Fills `out` from the stream (the fallback seed of a key pair when the home gave
    /// none of its own, see `ChargePoint::provide_key_seed`).
    #[cfg_attr(
        not(feature = "certificates"),
        allow(
            dead_code,
            reason = "the certificate part is used with the `certificates` feature"
        )
    )]
    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            for (o, w) in chunk.iter_mut().zip(word) {
                *o = w;
            }
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn mixing_changes_the_stream() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        b.mix(&[1, 2, 3]);
        assert_ne!(a.next_u64(), b.next_u64());
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        a.fill(&mut x);
        a.fill(&mut y);
        assert_ne!(x, y);
        assert_ne!(x, [0; 32]);
    }
}
