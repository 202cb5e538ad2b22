//! One pass over every mask of a patient, slice by slice in parallel, that gathers everything
//! whole-volume the analysis needs: voxels per mask, the foreground runs of the tumor union (the
//! first pass of the labelling) and the liver ∪ tumor overlap counts.
//!
//! Masks are bits, so a 512-voxel row of one mask is 8 words: counts are popcounts, unions are
//! ORs, and neither the tumor union nor the liver union is ever written out as a volume.

use rayon::prelude::*;
use tumorscope_core::{count_ones, LabelMask, WORD_BITS};

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
    /// Voxels inside every mask, in the order given.
    pub(crate) voxels: Vec<usize>,
    /// Foreground runs of the tumor union, one entry per slice.
    pub(crate) tumor_runs: Vec<SliceRuns>,
    pub(crate) overlap: Overlap,
}

/// Scans `masks` (each `cols × rows × slices` voxels; the caller checked the lengths) once.
/// `tumor` and `liver` are indices into `masks` of the masks whose unions are the tumors and
/// the liver.
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
    let words = cols.div_ceil(WORD_BITS);
    let mut counts = vec![0usize; masks.len()];
    let mut row_counts = vec![0usize; masks.len()];
    // Row `j` of mask `m`, word-aligned: `mask_rows[m * words..(m + 1) * words]`.
    let mut mask_rows = vec![0u64; masks.len() * words];
    let mut runs = SliceRuns::with_rows(rows);
    let mut overlap = Overlap::default();
    let mut tumor_buf = vec![0u64; words];
    let mut liver_buf = vec![0u64; words];
    for j in 0..rows {
        let at = (k * rows + j) * cols;
        // `max(1)`: a grid without columns has no words, and no voxel to count either.
        for (m, (mask, row)) in masks
            .iter()
            .zip(mask_rows.chunks_mut(words.max(1)))
            .enumerate()
        {
            mask.bits.copy_bits(at, cols, row);
            row_counts[m] = count_ones(row);
            counts[m] += row_counts[m];
        }
        let row = |m: usize| &mask_rows[m * words..(m + 1) * words];
        let t = union_row(tumor, &row_counts, &row, &mut tumor_buf);
        let l = union_row(liver, &row_counts, &row, &mut liver_buf);
        match t {
            Some((t_row, t_count)) => {
                runs.push_row_bits(t_row);
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

/// The union of one row of the masks `members` and its count, or `None` when that row is
/// empty in every member. Borrows the member's own row when only one is non-empty.
fn union_row<'r, 'm: 'r>(
    members: &[usize],
    row_counts: &[usize],
    row: &impl Fn(usize) -> &'m [u64],
    buf: &'r mut [u64],
) -> Option<(&'r [u64], usize)> {
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
    let count = count_ones(buf);
    Some((buf, count))
}

/// Bits set in `a` or `b`, and in both.
fn either_both(a: &[u64], b: &[u64]) -> (usize, usize) {
    a.iter().zip(b).fold((0, 0), |(either, both), (&x, &y)| {
        (
            either + (x | y).count_ones() as usize,
            both + (x & y).count_ones() as usize,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_grid_counts_nothing() {
        for dims in [[0, 2, 2], [3, 0, 2], [3, 2, 0]] {
            let masks = [LabelMask::new("livertumor1", Vec::<u8>::new())];
            let scan = scan_masks(&masks, &[0], &[], dims);
            assert_eq!(scan.voxels, [0]);
            assert_eq!(scan.overlap, Overlap::default());
            assert_eq!(scan.tumor_runs.len(), dims[2]);
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
