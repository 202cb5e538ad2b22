//! A tiny deterministic PRNG (SplitMix64) so phantoms are identical for the same seed
//! on every platform and every version of every dependency.

/// SplitMix64 (Steele, Lea & Flood 2014): one 64-bit state, full period, passes BigCrush.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

/// The SplitMix64 finaliser: a good 64-bit mixing function on its own.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// A generator for one purpose (`stream`) of one seed; different streams do not overlap in practice.
    pub(crate) fn new(seed: u64, stream: u64) -> Self {
        Self {
            state: mix64(seed ^ mix64(stream.wrapping_add(Self::GAMMA))),
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(Self::GAMMA);
        mix64(self.state)
    }

    /// A value in `lo..=hi` (inclusive); `lo` when the range is empty.
    pub(crate) fn range_i64(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        // Modulo bias is irrelevant for spans this small next to 2^64.
        lo + (self.next_u64() % span) as i64
    }

    /// A value in `lo..=hi` (inclusive) as `usize`.
    pub(crate) fn range_usize(&mut self, lo: usize, hi: usize) -> usize {
        self.range_i64(lo as i64, hi as i64) as usize
    }
}

/// Deterministic noise for one voxel in `-amplitude..=amplitude`, independent of visiting order.
pub(crate) fn voxel_noise(seed: u64, patient: u64, index: u64, amplitude: i32) -> i32 {
    let h = mix64(seed ^ mix64(patient.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ mix64(index)));
    let span = (2 * amplitude + 1) as u64;
    (h % span) as i32 - amplitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_first_values() {
        // Reference values of SplitMix64 seeded with state 0 (the published test vector).
        let mut g = SplitMix64 { state: 0 };
        assert_eq!(g.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(g.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn ranges_stay_inside() {
        let mut g = SplitMix64::new(7, 1);
        for _ in 0..1000 {
            let v = g.range_i64(-3, 5);
            assert!((-3..=5).contains(&v));
        }
        assert_eq!(g.range_i64(4, 4), 4);
        for n in 0..1000 {
            let v = voxel_noise(1, 2, n, 6);
            assert!((-6..=6).contains(&v));
        }
    }
}
