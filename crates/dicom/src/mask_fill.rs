//! A mask volume being filled by parallel slice decoders.
//!
//! Slices of a bit mask do not start on word boundaries unless a slice holds a multiple of 64
//! voxels, so two workers can own halves of one storage word. Words are atomics and every
//! write is an OR of the non-zero words only: neighbours never lose bits, and the words of
//! empty slices (most of a tumor mask) are never written, so their pages are never touched.

use std::sync::atomic::{AtomicU64, Ordering};

use tumorscope_core::{BitMask, WORD_BITS};

pub(crate) struct MaskFill {
    len: usize,
    words: Vec<AtomicU64>,
}

impl MaskFill {
    /// `len` voxels, none inside.
    pub(crate) fn zeros(len: usize) -> Self {
        let mut words = Vec::new();
        words.resize_with(len.div_ceil(WORD_BITS), || AtomicU64::new(0));
        Self { len, words }
    }

    /// ORs `count` bits of `bits` (from bit 0 of `bits[0]`; bits past `count` must be zero)
    /// into the mask from voxel `start`.
    pub(crate) fn or_bits(&self, start: usize, count: usize, bits: &[u64]) {
        debug_assert!(start + count <= self.len);
        let first = start / WORD_BITS;
        let shift = start % WORD_BITS;
        for (w, &word) in bits[..count.div_ceil(WORD_BITS)].iter().enumerate() {
            if word == 0 {
                continue;
            }
            self.words[first + w].fetch_or(word << shift, Ordering::Relaxed);
            if shift != 0 {
                let high = word >> (WORD_BITS - shift);
                if high != 0 {
                    self.words[first + w + 1].fetch_or(high, Ordering::Relaxed);
                }
            }
        }
    }

    /// The filled mask (all writers are done: the caller owns `self`).
    pub(crate) fn finish(self) -> BitMask {
        let words = self.words.into_iter().map(AtomicU64::into_inner).collect();
        BitMask::from_words(self.len, words)
    }
}

/// Clears voxels `start..start + count` (an unreadable slice is empty, never half-written).
pub(crate) fn clear_range(mask: &mut BitMask, start: usize, count: usize) {
    for n in start..start + count {
        mask.set(n, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unaligned_slices_keep_their_neighbours_bits() {
        // Three "slices" of 50 voxels: boundaries at 50 and 100 fall inside words.
        let fill = MaskFill::zeros(150);
        let all = |count: usize| {
            let mut b = vec![u64::MAX; count.div_ceil(WORD_BITS)];
            if count % WORD_BITS != 0 {
                *b.last_mut().unwrap() = (1u64 << (count % WORD_BITS)) - 1;
            }
            b
        };
        fill.or_bits(100, 50, &all(50));
        fill.or_bits(0, 50, &all(50));
        fill.or_bits(50, 50, &[0b101, 0]);
        let mut mask = fill.finish();
        let ones: Vec<usize> = mask.ones().collect();
        let want: Vec<usize> = (0..50).chain([50, 52]).chain(100..150).collect();
        assert_eq!(ones, want);
        clear_range(&mut mask, 40, 70);
        assert_eq!(mask.count_ones(), 40 + 40);
    }
}
