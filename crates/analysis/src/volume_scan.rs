//! One pass over every mask of a patient, slice by slice in parallel, that gathers everything
//! whole-volume the analysis needs: voxels per mask, the foreground runs of the tumor union (the
//! first pass of the labelling) and the liver ∪ tumor overlap counts.
//!
//! Fusing these passes matters on CT-sized volumes (512×512×119 with 8 masks is 250 MB of mask
//! bytes): each mask row is read once while it is in cache, and neither the tumor union nor the
//! liver union is ever written out as a volume (writing a fresh zeroed buffer costs page faults,
//! and or-ing into one costs a copy-on-write fault per page on top).

use rayon::prelude::*;
use tumorscope_core::LabelMask;

use crate::components::SliceRuns;

/// Voxel counts of the liver and tumor unions taken together.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Overlap {
    /// In the liver union or the tumor union.
    pub(crate) either: usize,
    /// In both.
    pub(crate) both: usize,
    /// In the tumor union.
    pub(crate) tumor: usize,
}

impl Overlap {
    fn add(&mut self, other: Overlap) {
        self.either += other.either;
        self.both += other.both;
        self.tumor += other.tumor;
    }
}

/// What [`scan_masks`] found.
pub(crate) struct MaskScan {
    /// Non-zero voxels of every mask, in the order given.
    pub(crate) voxels: Vec<usize>,
    /// Foreground runs of the tumor union, one entry per slice.
    pub(crate) tumor_runs: Vec<SliceRuns>,
    pub(crate) overlap: Overlap,
}

/// Scans `masks` (each `cols × rows × slices` bytes, non-zero = inside; the caller checked the
/// lengths) once. `tumor` and `liver` are indices into `masks` of the masks whose unions are the
/// tumors and the liver.
pub(crate) fn scan_masks(
    masks: &[LabelMask],
    tumor: &[usize],
    liver: &[usize],
    dims: [usize; 3],
) -> MaskScan {
    let [cols, rows, slices] = dims;
    let per_slice: Vec<(Vec<usize>, SliceRuns, Overlap)> = (0..slices)
        .into_par_iter()
        .map(|k| scan_slice(masks, tumor, liver, cols, rows, k))
        .collect();
    let mut voxels = vec![0usize; masks.len()];
    let mut overlap = Overlap::default();
    let mut tumor_runs = Vec::with_capacity(slices);
    for (counts, runs, o) in per_slice {
        for (total, c) in voxels.iter_mut().zip(counts) {
            *total += c;
        }
        overlap.add(o);
        tumor_runs.push(runs);
    }
    MaskScan {
        voxels,
        tumor_runs,
        overlap,
    }
}

fn scan_slice(
    masks: &[LabelMask],
    tumor: &[usize],
    liver: &[usize],
    cols: usize,
    rows: usize,
    k: usize,
) -> (Vec<usize>, SliceRuns, Overlap) {
    let mut counts = vec![0usize; masks.len()];
    let mut row_counts = vec![0usize; masks.len()];
    let mut runs = SliceRuns::with_rows(rows);
    let mut overlap = Overlap::default();
    let mut tumor_buf = vec![0u8; cols];
    let mut liver_buf = vec![0u8; cols];
    for j in 0..rows {
        let at = (k * rows + j) * cols;
        let row = |m: usize| &masks[m].data[at..at + cols];
        for (m, c) in row_counts.iter_mut().enumerate() {
            *c = count_nonzero(row(m));
            counts[m] += *c;
        }
        let t = union_row(tumor, &row_counts, &row, &mut tumor_buf);
        let l = union_row(liver, &row_counts, &row, &mut liver_buf);
        match t {
            Some((t_row, t_count)) => {
                runs.push_row(t_row);
                overlap.tumor += t_count;
                match l {
                    Some((l_row, _)) => {
                        let (either, both) = either_both(l_row, t_row);
                        overlap.either += either;
                        overlap.both += both;
                    }
                    None => overlap.either += t_count,
                }
            }
            None => {
                runs.push_empty_row();
                overlap.either += l.map_or(0, |(_, count)| count);
            }
        }
    }
    (counts, runs, overlap)
}

/// The union of row `at` of the masks `members` and its non-zero count, or `None` when that
/// row is empty in every member. Borrows the member's own row when only one is non-empty.
fn union_row<'r, 'm: 'r>(
    members: &[usize],
    row_counts: &[usize],
    row: &impl Fn(usize) -> &'m [u8],
    buf: &'r mut [u8],
) -> Option<(&'r [u8], usize)> {
    let mut busy = members.iter().copied().filter(|&m| row_counts[m] > 0);
    let first = busy.next()?;
    let Some(second) = busy.next() else {
        return Some((row(first), row_counts[first]));
    };
    buf.copy_from_slice(row(first));
    for m in std::iter::once(second).chain(busy) {
        for (b, &v) in buf.iter_mut().zip(row(m)) {
            *b |= v;
        }
    }
    let count = count_nonzero(buf);
    Some((buf, count))
}

/// Bytes non-zero in `a` or `b`, and in both.
fn either_both(a: &[u8], b: &[u8]) -> (usize, usize) {
    let pairs = || a.chunks(BLOCK).zip(b.chunks(BLOCK));
    let either = pairs()
        .map(|(x, y)| count_block(x.iter().zip(y).map(|(&p, &q)| p | q)))
        .sum();
    let both = pairs()
        .map(|(x, y)| {
            count_block(
                x.iter()
                    .zip(y)
                    .map(|(&p, &q)| u8::from(p != 0) & u8::from(q != 0)),
            )
        })
        .sum();
    (either, both)
}

/// Bytes per block counted in a `u8` accumulator: at most 255 additions of 1 cannot overflow,
/// and the byte-wide sum is what lets the compiler vectorize the comparison (about 10× faster
/// than counting into a `usize`, measured: 250 MB of masks in ~10 ms instead of ~95 ms).
const BLOCK: usize = 255;

/// Non-zero values among at most [`BLOCK`] bytes.
#[inline]
fn count_block(block: impl Iterator<Item = u8>) -> usize {
    usize::from(block.fold(0u8, |n, v| n + u8::from(v != 0)))
}

/// Number of non-zero bytes, vectorized.
pub(crate) fn count_nonzero(data: &[u8]) -> usize {
    data.chunks(BLOCK)
        .map(|block| count_block(block.iter().copied()))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive_count(data: &[u8]) -> usize {
        data.iter().filter(|&&v| v != 0).count()
    }

    #[test]
    fn counts_are_exact_across_block_edges() {
        // Every block of 0xff fills its u8 counter exactly.
        let full = vec![0xffu8; 3 * BLOCK + 40];
        assert_eq!(count_nonzero(&full), 3 * BLOCK + 40);
        assert_eq!(count_nonzero(&[]), 0);
        let a = [0u8, 1, 0, 7, 0];
        let b = [0u8, 0, 3, 9, 0];
        assert_eq!(either_both(&a, &b), (3, 1));
    }

    proptest! {
        #[test]
        fn counts_match_the_definition(
            a in proptest::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 0..20_000),
            b_seed in any::<u64>(),
        ) {
            let b: Vec<u8> = a.iter().enumerate()
                .map(|(i, _)| ((b_seed >> (i % 61)) & 1) as u8 * (i as u8 | 1))
                .collect();
            prop_assert_eq!(count_nonzero(&a), naive_count(&a));
            let either = a.iter().zip(&b).filter(|(x, y)| **x != 0 || **y != 0).count();
            let both = a.iter().zip(&b).filter(|(x, y)| **x != 0 && **y != 0).count();
            prop_assert_eq!(either_both(&a, &b), (either, both));
        }
    }

    #[test]
    fn scan_gathers_counts_runs_and_overlap() {
        // 4 × 2 × 2 grid; masks: liver, tumor A, tumor B (B overlaps A on one voxel).
        let dims = [4, 2, 2];
        let liver = LabelMask::new(
            "liver",
            vec![1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0],
        );
        let a = LabelMask::new(
            "livertumor1",
            vec![0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        );
        let b = LabelMask::new(
            "livertumor2",
            vec![0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
        );
        let masks = [liver, a, b];
        let scan = scan_masks(&masks, &[1, 2], &[0], dims);
        assert_eq!(scan.voxels, [5, 4, 2]);
        // Tumor union: voxels 1, 2, 3, 8, 15; liver: 0, 1, 2, 8, 9.
        assert_eq!(
            scan.overlap,
            Overlap {
                either: 7,
                both: 3,
                tumor: 5
            }
        );
        let runs: Vec<Vec<(u32, u32)>> = scan
            .tumor_runs
            .iter()
            .map(|s| s.runs.iter().map(|r| (r.start, r.end)).collect())
            .collect();
        assert_eq!(runs, [vec![(1, 3)], vec![(0, 0), (3, 3)]]);
    }
}
