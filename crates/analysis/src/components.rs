//! 3D connected-component labelling of a binary mask, numbered exactly like `scipy.ndimage.label`.
//!
//! The mask is cut into runs of foreground along `i` (the fastest axis). Runs are found per slice
//! in parallel, then one sequential union-find pass joins each run with the overlapping runs of
//! the already-seen neighbour rows that the connectivity allows, and a parallel pass writes the
//! final labels. Only foreground runs are ever visited after the first scan, which is what makes
//! sparse tumor masks cheap (the technique of cc3d and of run-based labelling in general).
//!
//! Numbering: components are numbered `1..=count` in raster order of their first voxel (`i`
//! fastest, then `j`, then `k`), which is the order `scipy.ndimage.label` produces on a
//! C-ordered `(k, j, i)` array.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Which neighbours of a voxel touch it.
///
/// Serialized as the number of neighbours: `6`, `18` or `26`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Connectivity {
    /// Face neighbours only (`generate_binary_structure(3, 1)`).
    Six,
    /// Face and edge neighbours (`generate_binary_structure(3, 2)`).
    Eighteen,
    /// Face, edge and corner neighbours (`generate_binary_structure(3, 3)`), the default.
    #[default]
    TwentySix,
}

impl From<Connectivity> for u8 {
    fn from(c: Connectivity) -> u8 {
        match c {
            Connectivity::Six => 6,
            Connectivity::Eighteen => 18,
            Connectivity::TwentySix => 26,
        }
    }
}

/// A number of neighbours that is not 6, 18 or 26 (as given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("connectivity must be `6`, `18` or `26`, found `{0}`")]
pub struct BadConnectivity(pub String);

impl TryFrom<u8> for Connectivity {
    type Error = BadConnectivity;
    fn try_from(n: u8) -> Result<Self, BadConnectivity> {
        match n {
            6 => Ok(Self::Six),
            18 => Ok(Self::Eighteen),
            26 => Ok(Self::TwentySix),
            other => Err(BadConnectivity(other.to_string())),
        }
    }
}

/// `6`, `18` or `26`: so a command-line option is checked before any file is read.
impl std::str::FromStr for Connectivity {
    type Err = BadConnectivity;
    fn from_str(s: &str) -> Result<Self, BadConnectivity> {
        s.trim()
            .parse::<u8>()
            .map_err(|_| BadConnectivity(s.to_owned()))
            .and_then(Self::try_from)
    }
}

impl std::fmt::Display for Connectivity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", u8::from(*self))
    }
}

/// The result of [`label_components`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Components {
    /// One label per voxel: 0 for background, `1..=count` for the components.
    pub labels: Vec<u32>,
    /// Number of components.
    pub count: u32,
}

/// Why a mask could not be labelled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("mask holds `{found}` voxels but dims `{dims:?}` need `{expected}`")]
    SizeMismatch {
        dims: [usize; 3],
        expected: usize,
        found: usize,
    },
    #[error("mask has more than `{}` foreground runs", u32::MAX)]
    TooManyRuns,
}

/// One run of foreground voxels `start..=end` along `i` within a row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Run {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// The runs of one slice: `runs[row_offsets[j]..row_offsets[j + 1]]` are the runs of row `j`.
pub(crate) struct SliceRuns {
    pub(crate) runs: Vec<Run>,
    row_offsets: Vec<u32>,
}

impl SliceRuns {
    /// No rows yet; room for `rows`.
    pub(crate) fn with_rows(rows: usize) -> Self {
        let mut row_offsets = Vec::with_capacity(rows + 1);
        row_offsets.push(0);
        SliceRuns {
            runs: Vec::new(),
            row_offsets,
        }
    }

    /// Appends the next row (non-zero = foreground).
    pub(crate) fn push_row(&mut self, row: &[u8]) {
        row_runs(row, &mut self.runs);
        self.row_offsets.push(self.runs.len() as u32);
    }

    /// Appends the next row given as `cols` bits (bit `i % 64` of `bits[i / 64]`; bits past
    /// `cols` zero).
    pub(crate) fn push_row_bits(&mut self, bits: &[u64]) {
        row_runs_bits(bits, &mut self.runs);
        self.row_offsets.push(self.runs.len() as u32);
    }

    /// Appends the next row, known to hold no foreground.
    pub(crate) fn push_empty_row(&mut self) {
        self.row_offsets.push(self.runs.len() as u32);
    }

    /// Rows pushed so far.
    pub(crate) fn rows(&self) -> usize {
        self.row_offsets.len() - 1
    }
}

/// Foreground runs of a whole volume and the component of every run.
pub(crate) struct RunLabels {
    slices: Vec<SliceRuns>,
    /// Index of the first run of slice `k` among all runs.
    slice_base: Vec<u32>,
    /// Final label (`1..=count`) of every run, in raster order.
    run_label: Vec<u32>,
    pub(crate) count: u32,
}

impl RunLabels {
    /// Every run with its row `(k, j)` and its label, in raster order.
    pub(crate) fn labelled_runs(&self) -> impl Iterator<Item = (usize, usize, Run, u32)> + '_ {
        self.slices.iter().enumerate().flat_map(move |(k, s)| {
            let base = self.slice_base[k] as usize;
            (0..s.rows()).flat_map(move |j| {
                row_range(s, j).map(move |r| (k, j, s.runs[r], self.run_label[base + r]))
            })
        })
    }

    /// The ascending linear voxel indices of every component `1..=count`, on a grid of
    /// `cols` columns and `rows` rows per slice.
    pub(crate) fn voxel_lists(&self, cols: usize, rows: usize) -> Vec<Vec<usize>> {
        let mut lists = vec![Vec::new(); self.count as usize];
        for (k, j, run, label) in self.labelled_runs() {
            if let Some(list) = (label as usize)
                .checked_sub(1)
                .and_then(|l| lists.get_mut(l))
            {
                let row_start = (k * rows + j) * cols;
                list.extend(row_start + run.start as usize..=row_start + run.end as usize);
            }
        }
        lists
    }
}

/// Labels the connected components of `mask` (non-zero = foreground) on a grid of
/// `dims = [columns, rows, slices]` laid out with `i` fastest.
///
/// ```
/// use tumorscope_analysis::{label_components, Connectivity};
/// // Two voxels touching at a corner only.
/// let mut mask = vec![0u8; 8];
/// mask[0] = 1; // [0, 0, 0]
/// mask[7] = 1; // [1, 1, 1]
/// assert_eq!(label_components(&mask, [2, 2, 2], Connectivity::TwentySix).unwrap().count, 1);
/// assert_eq!(label_components(&mask, [2, 2, 2], Connectivity::Six).unwrap().count, 2);
/// ```
pub fn label_components(
    mask: &[u8],
    dims: [usize; 3],
    connectivity: Connectivity,
) -> Result<Components, LabelError> {
    let [cols, rows, slices] = dims;
    let expected = cols.checked_mul(rows).and_then(|n| n.checked_mul(slices));
    if expected != Some(mask.len()) {
        return Err(LabelError::SizeMismatch {
            dims,
            expected: expected.unwrap_or(usize::MAX),
            found: mask.len(),
        });
    }
    let slice_len = cols * rows;
    if mask.is_empty() {
        return Ok(Components {
            labels: Vec::new(),
            count: 0,
        });
    }

    // Pass 1 (parallel): runs of every slice.
    let per_slice: Vec<SliceRuns> = mask
        .par_chunks(slice_len)
        .map(|slice| slice_runs(slice, cols, rows))
        .collect();
    let labelled = label_runs(per_slice, connectivity)?;

    // Pass 3 (parallel): paint the runs.
    let mut labels = vec![0u32; mask.len()];
    labels
        .par_chunks_mut(slice_len)
        .enumerate()
        .for_each(|(k, out)| {
            let s = &labelled.slices[k];
            let base = labelled.slice_base[k] as usize;
            for j in 0..rows {
                for r in row_range(s, j) {
                    let run = s.runs[r];
                    let row_start = j * cols;
                    out[row_start + run.start as usize..=row_start + run.end as usize]
                        .fill(labelled.run_label[base + r]);
                }
            }
        });
    Ok(Components {
        labels,
        count: labelled.count,
    })
}

/// Pass 2 of the labelling (sequential union-find over the runs of every slice, every slice
/// with the same number of rows), and the final numbering in raster order.
pub(crate) fn label_runs(
    slices: Vec<SliceRuns>,
    connectivity: Connectivity,
) -> Result<RunLabels, LabelError> {
    let rows = slices.first().map_or(0, SliceRuns::rows);
    let total_runs: usize = slices.iter().map(|s| s.runs.len()).sum();
    if total_runs >= u32::MAX as usize {
        return Err(LabelError::TooManyRuns);
    }
    let mut slice_base = Vec::with_capacity(slices.len() + 1);
    let mut acc = 0u32;
    for s in &slices {
        slice_base.push(acc);
        acc += s.runs.len() as u32;
    }
    slice_base.push(acc);

    let mut parent: Vec<u32> = (0..total_runs as u32).collect();
    let edge = connectivity != Connectivity::Six;
    let corner = connectivity == Connectivity::TwentySix;
    for k in 0..slices.len() {
        let cur = &slices[k];
        let base = slice_base[k];
        for j in 0..rows {
            if row_range(cur, j).is_empty() {
                continue;
            }
            // Neighbour rows already visited; `edge`/`corner` say whether runs touching only
            // diagonally along `i` count as connected.
            if j > 0 {
                join_rows(&mut parent, cur, base, j, cur, base, j - 1, edge);
            }
            if k > 0 {
                let prev = &slices[k - 1];
                let pbase = slice_base[k - 1];
                join_rows(&mut parent, cur, base, j, prev, pbase, j, edge);
                if connectivity != Connectivity::Six {
                    if j > 0 {
                        join_rows(&mut parent, cur, base, j, prev, pbase, j - 1, corner);
                    }
                    if j + 1 < rows {
                        join_rows(&mut parent, cur, base, j, prev, pbase, j + 1, corner);
                    }
                }
            }
        }
    }

    // Final numbering: the first run met of each component (raster order) names it.
    let mut run_label = vec![0u32; total_runs];
    let mut count = 0u32;
    for r in 0..total_runs {
        let root = find(&mut parent, r as u32) as usize;
        if run_label[root] == 0 {
            count += 1;
            run_label[root] = count;
        }
        run_label[r] = run_label[root];
    }
    Ok(RunLabels {
        slices,
        slice_base,
        run_label,
        count,
    })
}

/// The runs of one slice.
fn slice_runs(slice: &[u8], cols: usize, rows: usize) -> SliceRuns {
    let mut runs = SliceRuns::with_rows(rows);
    for row in slice.chunks_exact(cols) {
        runs.push_row(row);
    }
    runs
}

/// Appends the foreground runs of one row, skipping zero bytes eight at a time.
fn row_runs(row: &[u8], runs: &mut Vec<Run>) {
    let n = row.len();
    let mut i = 0usize;
    while i < n {
        // Skip background quickly.
        while i + 8 <= n {
            let word = u64::from_ne_bytes([
                row[i],
                row[i + 1],
                row[i + 2],
                row[i + 3],
                row[i + 4],
                row[i + 5],
                row[i + 6],
                row[i + 7],
            ]);
            if word != 0 {
                break;
            }
            i += 8;
        }
        while i < n && row[i] == 0 {
            i += 1;
        }
        if i >= n {
            break;
        }
        let start = i;
        // Skip foreground quickly: a word of all non-zero bytes stays inside the run.
        while i + 8 <= n && row[i..i + 8].iter().all(|&b| b != 0) {
            i += 8;
        }
        while i < n && row[i] != 0 {
            i += 1;
        }
        runs.push(Run {
            start: start as u32,
            end: (i - 1) as u32,
        });
    }
}

/// Appends the foreground runs of a row of bits: whole words of background or foreground are
/// skipped at once, and run ends are found by counting trailing zeros or ones.
fn row_runs_bits(bits: &[u64], runs: &mut Vec<Run>) {
    let n = bits.len() * 64;
    // Bit `i` of the row, as a word shifted so that bit `i` is bit 0.
    let from = |i: usize| bits[i / 64] >> (i % 64);
    let mut i = 0usize;
    while i < n {
        // Next foreground bit.
        let rest = from(i);
        if rest == 0 {
            i = (i / 64 + 1) * 64;
            continue;
        }
        i += rest.trailing_zeros() as usize;
        let start = i;
        // Next background bit (bits past the row are zero, so a run always ends).
        loop {
            let ones = from(i).trailing_ones() as usize;
            i += ones;
            if ones == 0 || !i.is_multiple_of(64) || i >= n {
                break;
            }
        }
        runs.push(Run {
            start: start as u32,
            end: (i - 1) as u32,
        });
    }
}

fn row_range(s: &SliceRuns, j: usize) -> std::ops::Range<usize> {
    s.row_offsets[j] as usize..s.row_offsets[j + 1] as usize
}

/// Unions every run of row `j` of `cur` with the runs of row `pj` of `prev` that overlap it
/// (`widen`: also those that only touch it diagonally, one voxel apart along `i`).
#[allow(clippy::too_many_arguments)]
fn join_rows(
    parent: &mut [u32],
    cur: &SliceRuns,
    cur_base: u32,
    j: usize,
    prev: &SliceRuns,
    prev_base: u32,
    pj: usize,
    widen: bool,
) {
    let a = row_range(cur, j);
    let b = row_range(prev, pj);
    if b.is_empty() {
        return;
    }
    let w = u32::from(widen);
    let mut q = b.start;
    for p in a {
        let run = cur.runs[p];
        // Skip previous-row runs that end before this run can touch them.
        while q < b.end && prev.runs[q].end + w < run.start {
            q += 1;
        }
        let mut t = q;
        while t < b.end && prev.runs[t].start <= run.end + w {
            union(parent, cur_base + p as u32, prev_base + t as u32);
            t += 1;
        }
    }
}

/// Root of `x`, halving the path on the way.
#[inline]
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

/// Joins the sets of `a` and `b`; the smaller root (earlier run) becomes the root.
#[inline]
fn union(parent: &mut [u32], a: u32, b: u32) {
    let ra = find(parent, a);
    let rb = find(parent, b);
    if ra < rb {
        parent[rb as usize] = ra;
    } else if rb < ra {
        parent[ra as usize] = rb;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Breadth-first labelling straight from the definition, numbering in raster order.
    fn brute_force(mask: &[u8], dims: [usize; 3], connectivity: Connectivity) -> (Vec<u32>, u32) {
        let [nx, ny, nz] = dims;
        let max_diff = match connectivity {
            Connectivity::Six => 1,
            Connectivity::Eighteen => 2,
            Connectivity::TwentySix => 3,
        };
        let mut labels = vec![0u32; mask.len()];
        let mut count = 0;
        for start in 0..mask.len() {
            if mask[start] == 0 || labels[start] != 0 {
                continue;
            }
            count += 1;
            labels[start] = count;
            let mut queue = std::collections::VecDeque::from([start]);
            while let Some(n) = queue.pop_front() {
                let (i, j, k) = (
                    (n % nx) as i64,
                    ((n / nx) % ny) as i64,
                    (n / (nx * ny)) as i64,
                );
                for dk in -1i64..=1 {
                    for dj in -1i64..=1 {
                        for di in -1i64..=1 {
                            let diff = (di != 0) as i32 + (dj != 0) as i32 + (dk != 0) as i32;
                            if diff == 0 || diff > max_diff {
                                continue;
                            }
                            let (a, b, c) = (i + di, j + dj, k + dk);
                            if a < 0
                                || b < 0
                                || c < 0
                                || a >= nx as i64
                                || b >= ny as i64
                                || c >= nz as i64
                            {
                                continue;
                            }
                            let m = ((c as usize) * ny + b as usize) * nx + a as usize;
                            if mask[m] != 0 && labels[m] == 0 {
                                labels[m] = count;
                                queue.push_back(m);
                            }
                        }
                    }
                }
            }
        }
        (labels, count)
    }

    fn at(dims: [usize; 3], i: usize, j: usize, k: usize) -> usize {
        (k * dims[1] + j) * dims[0] + i
    }

    fn count(mask: &[u8], dims: [usize; 3], c: Connectivity) -> u32 {
        label_components(mask, dims, c).unwrap().count
    }

    #[test]
    fn corner_touching_pair() {
        let dims = [3, 3, 3];
        let mut mask = vec![0u8; 27];
        mask[at(dims, 0, 0, 0)] = 1;
        mask[at(dims, 1, 1, 1)] = 1;
        assert_eq!(count(&mask, dims, Connectivity::TwentySix), 1);
        // A corner contact differs in all three coordinates: not an 18-neighbour.
        assert_eq!(count(&mask, dims, Connectivity::Eighteen), 2);
        assert_eq!(count(&mask, dims, Connectivity::Six), 2);
    }

    #[test]
    fn edge_touching_pair() {
        let dims = [3, 3, 3];
        for (a, b) in [
            ((0, 0, 0), (1, 1, 0)),
            ((0, 0, 0), (1, 0, 1)),
            ((0, 0, 0), (0, 1, 1)),
            ((2, 0, 0), (1, 1, 0)),
        ] {
            let mut mask = vec![0u8; 27];
            mask[at(dims, a.0, a.1, a.2)] = 1;
            mask[at(dims, b.0, b.1, b.2)] = 1;
            assert_eq!(
                count(&mask, dims, Connectivity::TwentySix),
                1,
                "{a:?} {b:?}"
            );
            assert_eq!(count(&mask, dims, Connectivity::Eighteen), 1, "{a:?} {b:?}");
            assert_eq!(count(&mask, dims, Connectivity::Six), 2, "{a:?} {b:?}");
        }
    }

    #[test]
    fn empty_full_and_single() {
        let dims = [4, 5, 6];
        let empty = vec![0u8; 120];
        let c = label_components(&empty, dims, Connectivity::TwentySix).unwrap();
        assert_eq!(c.count, 0);
        assert!(c.labels.iter().all(|&l| l == 0));
        let full = vec![255u8; 120];
        for conn in [
            Connectivity::Six,
            Connectivity::Eighteen,
            Connectivity::TwentySix,
        ] {
            let c = label_components(&full, dims, conn).unwrap();
            assert_eq!(c.count, 1);
            assert!(c.labels.iter().all(|&l| l == 1));
        }
        let mut one = vec![0u8; 120];
        one[at(dims, 3, 4, 5)] = 1;
        let c = label_components(&one, dims, Connectivity::Six).unwrap();
        assert_eq!(c.count, 1);
        assert_eq!(c.labels.iter().filter(|&&l| l == 1).count(), 1);
        assert_eq!(c.labels[at(dims, 3, 4, 5)], 1);
        assert!(label_components(&[], [0, 3, 3], Connectivity::Six)
            .unwrap()
            .labels
            .is_empty());
    }

    #[test]
    fn raster_numbering_follows_first_voxel() {
        // A U-shape whose arms start on row 0; a later blob on row 0 further right.
        let dims = [7, 3, 1];
        #[rustfmt::skip]
        let mask = vec![
            0, 1, 0, 1, 0, 0, 1,
            0, 1, 0, 1, 0, 0, 1,
            0, 1, 1, 1, 0, 0, 0u8,
        ];
        let c = label_components(&mask, dims, Connectivity::Six).unwrap();
        assert_eq!(c.count, 2);
        assert_eq!(c.labels[1], 1);
        assert_eq!(c.labels[3], 1);
        assert_eq!(c.labels[6], 2);
        // Component 2 starts earlier in raster order than the bottom-left blob below.
        let dims = [4, 2, 2];
        #[rustfmt::skip]
        let mask = vec![
            0, 0, 0, 1,   0, 0, 0, 0,
            1, 0, 0, 0,   0, 0, 0, 0u8,
        ];
        let c = label_components(&mask, dims, Connectivity::TwentySix).unwrap();
        assert_eq!(c.count, 2);
        assert_eq!(c.labels[3], 1);
        assert_eq!(c.labels[8], 2);
    }

    #[test]
    fn rejects_wrong_size() {
        assert!(matches!(
            label_components(&[0; 5], [2, 2, 2], Connectivity::Six),
            Err(LabelError::SizeMismatch {
                expected: 8,
                found: 5,
                ..
            })
        ));
    }

    #[test]
    fn serializes_as_number() {
        let json = serde_json::to_string(&Connectivity::Eighteen).unwrap();
        assert_eq!(json, "18");
        let back: Connectivity = serde_json::from_str("6").unwrap();
        assert_eq!(back, Connectivity::Six);
        assert!(serde_json::from_str::<Connectivity>("7").is_err());
    }

    fn mask_strategy() -> impl Strategy<Value = ([usize; 3], Vec<u8>)> {
        (1usize..12, 1usize..9, 1usize..7, 0.05f64..0.7).prop_flat_map(|(x, y, z, p)| {
            let n = x * y * z;
            (
                Just([x, y, z]),
                proptest::collection::vec(proptest::bool::weighted(p), n),
            )
                .prop_map(|(d, v)| (d, v.into_iter().map(u8::from).collect()))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn agrees_with_breadth_first_search((dims, mask) in mask_strategy()) {
            for conn in [Connectivity::Six, Connectivity::Eighteen, Connectivity::TwentySix] {
                let got = label_components(&mask, dims, conn).unwrap();
                let (want, n) = brute_force(&mask, dims, conn);
                prop_assert_eq!(got.count, n);
                prop_assert_eq!(&got.labels, &want);
            }
        }

        #[test]
        fn voxel_lists_follow_the_labels((dims, mask) in mask_strategy()) {
            let [cols, rows, _] = dims;
            let slices: Vec<SliceRuns> = mask
                .chunks(cols * rows)
                .map(|slice| slice_runs(slice, cols, rows))
                .collect();
            let runs = label_runs(slices, Connectivity::TwentySix).unwrap();
            let (labels, count) = brute_force(&mask, dims, Connectivity::TwentySix);
            let mut want = vec![Vec::new(); count as usize];
            for (n, &l) in labels.iter().enumerate() {
                if l > 0 {
                    want[l as usize - 1].push(n);
                }
            }
            prop_assert_eq!(runs.count, count);
            prop_assert_eq!(runs.voxel_lists(cols, rows), want);
        }

        #[test]
        fn runs_of_bits_equal_runs_of_bytes(
            row in proptest::collection::vec(prop_oneof![Just(0u8), Just(0u8), Just(1u8)], 0..300),
            ones in 0usize..200,
        ) {
            // Long stretches of ones cross word edges.
            let row: Vec<u8> = row.iter().copied().chain(std::iter::repeat_n(1, ones)).chain(row.iter().copied()).collect();
            let bits = tumorscope_core::BitMask::from_bytes(&row);
            let (mut from_bytes, mut from_bits) = (Vec::new(), Vec::new());
            row_runs(&row, &mut from_bytes);
            row_runs_bits(bits.words(), &mut from_bits);
            let pairs = |r: &[Run]| r.iter().map(|r| (r.start, r.end)).collect::<Vec<_>>();
            prop_assert_eq!(pairs(&from_bits), pairs(&from_bytes));
        }
    }
}
