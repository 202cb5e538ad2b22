//! A mask volume being filled by parallel slice decoders.
//!
//! Workers pack a slice into bits on their own, then OR them into the shared words under a
//! lock held for a few microseconds (a 512² slice is 4 096 words, and zero words are skipped).
//! A lock rather than per-slice word ranges because slices start on word boundaries only when a
//! slice holds a multiple of 64 voxels. The words start as `vec![0; n]`, which the allocator
//! serves as untouched zero pages: the pages of empty regions (most of a tumor mask) are never
//! faulted in at all.

use std::sync::Mutex;

use tumorscope_core::{BitMask, WORD_BITS};

pub(crate) struct MaskFill {
    len: usize,
    words: Mutex<Vec<u64>>,
}

impl MaskFill {
    /// `len` voxels, none inside.
    pub(crate) fn zeros(len: usize) -> Self {
        Self {
            len,
            words: Mutex::new(vec![0; len.div_ceil(WORD_BITS)]),
        }
    }

    /// ORs `count` bits of `bits` (from bit 0 of `bits[0]`; bits past `count` must be zero)
    /// into the mask from voxel `start`.
    pub(crate) fn or_bits(&self, start: usize, count: usize, bits: &[u64]) {
        debug_assert!(start + count <= self.len);
        let first = start / WORD_BITS;
        let shift = start % WORD_BITS;
        // A poisoned lock only means another slice panicked mid-OR: its bits are what they are.
        let mut words = self.words.lock().unwrap_or_else(|e| e.into_inner());
        for (w, &word) in bits[..count.div_ceil(WORD_BITS)].iter().enumerate() {
            if word == 0 {
                continue;
            }
            words[first + w] |= word << shift;
            if shift != 0 {
                let high = word >> (WORD_BITS - shift);
                if high != 0 {
                    words[first + w + 1] |= high;
                }
            }
        }
    }

    /// The filled mask (all writers are done: the caller owns `self`).
    pub(crate) fn finish(self) -> BitMask {
        let words = self.words.into_inner().unwrap_or_else(|e| e.into_inner());
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
            if !count.is_multiple_of(WORD_BITS) {
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
