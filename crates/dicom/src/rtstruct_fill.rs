//! RTSTRUCT contours to voxels: each closed planar contour is put on the slice of the series
//! grid it lies in, and a voxel is inside when its centre is inside the polygon; the contours of
//! one ROI on one slice combine by the even-odd rule (a contour inside another is a hole, as in
//! DICOM's CLOSEDPLANAR_XOR and as planning systems draw them).
//!
//! The rule, precisely: points go to continuous voxel indices (`Geometry::patient_to_voxel`);
//! a contour belongs to slice `k` when all its points are within a tenth of the slice step of
//! `k`; in that slice, row `j`'s centre line crosses an edge from `(i0, j0)` to `(i1, j1)` when
//! exactly one of `j0`, `j1` is greater than `j` (half-open, so a vertex on the line counts
//! once), and voxel `(i, j)` is inside when an odd number of crossings lie at `i` or left of
//! it. A centre exactly on a left edge is inside, on a right edge outside; scikit-image's
//! `draw.polygon` gives the same voxels wherever no centre lies on an edge.
//!
//! Contours that cannot be placed are left out and said: point and open contours (no area),
//! fewer than three points, a contour not in one axial plane of the series, between two slices,
//! or outside the grid.

use tumorscope_core::Geometry;

use crate::rtstruct::Roi;

/// A contour lies in a slice when its points are within this fraction of the slice step of it.
const MATCH_SLICE_FRACTION: f64 = 0.1;

/// A ROI's contours placed on a grid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlacedContours {
    /// `(k, polygons)`, `k` increasing; each polygon in continuous `(i, j)` voxel indices.
    pub slices: Vec<(usize, Vec<Vec<[f64; 2]>>)>,
    /// Why contours were left out, one line each (`contour 3: between slices 11 and 12`).
    pub left_out: Vec<String>,
}

/// Places the contours of `roi` on `g`.
pub fn place_contours(roi: &Roi, g: &Geometry) -> PlacedContours {
    let mut out = PlacedContours::default();
    let slices = g.dims[2] as f64;
    for (n, c) in roi.contours.iter().enumerate() {
        let mut leave = |why: String| out.left_out.push(format!("contour {}: {why}", n + 1));
        if !matches!(
            c.geometric_type.as_str(),
            "CLOSED_PLANAR" | "CLOSEDPLANAR_XOR"
        ) {
            leave(format!(
                "{} (no area)",
                if c.geometric_type.is_empty() {
                    "no Contour Geometric Type"
                } else {
                    c.geometric_type.as_str()
                }
            ));
            continue;
        }
        if c.points_mm.len() < 3 {
            leave(format!("{} point(s), a polygon needs 3", c.points_mm.len()));
            continue;
        }
        let ijk: Vec<[f64; 3]> = c.points_mm.iter().map(|&p| g.patient_to_voxel(p)).collect();
        let (low, high) = ijk.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            (lo.min(p[2]), hi.max(p[2]))
        });
        let k = ((low + high) / 2.0).round();
        if (high - k).abs() > MATCH_SLICE_FRACTION || (low - k).abs() > MATCH_SLICE_FRACTION {
            if high - low > MATCH_SLICE_FRACTION {
                leave(format!(
                    "not in one axial plane of the series (spans slices {low:.1} to {high:.1})"
                ));
            } else {
                leave(format!(
                    "between slices {} and {}",
                    low.floor(),
                    low.floor() + 1.0
                ));
            }
            continue;
        }
        if k < 0.0 || k >= slices {
            leave(format!("at slice {k}, outside the series' {slices} slices"));
            continue;
        }
        let k = k as usize;
        let polygon: Vec<[f64; 2]> = ijk.iter().map(|p| [p[0], p[1]]).collect();
        match out.slices.iter_mut().find(|(s, _)| *s == k) {
            Some((_, polygons)) => polygons.push(polygon),
            None => out.slices.push((k, vec![polygon])),
        }
    }
    out.slices.sort_by_key(|(k, _)| *k);
    out
}

/// Fills the voxels of one slice (`columns × rows`, row-major, bit `j × columns + i` of `bits`,
/// least significant first) whose centres lie inside `polygons` by the even-odd rule. `bits`
/// must hold the slice and is overwritten.
pub fn fill_slice(polygons: &[Vec<[f64; 2]>], columns: usize, rows: usize, bits: &mut [u64]) {
    bits.fill(0);
    let (mut low, mut high) = (f64::MAX, f64::MIN);
    for p in polygons.iter().flatten() {
        low = low.min(p[1]);
        high = high.max(p[1]);
    }
    if polygons.is_empty() || high < 0.0 || low > (rows as f64) {
        return;
    }
    let first = low.ceil().max(0.0) as usize;
    let last = (high.floor() as usize).min(rows.saturating_sub(1));
    let mut crossings: Vec<f64> = Vec::new();
    for j in first..=last {
        let y = j as f64;
        crossings.clear();
        for polygon in polygons {
            let n = polygon.len();
            for e in 0..n {
                let [x0, y0] = polygon[e];
                let [x1, y1] = polygon[(e + 1) % n];
                if (y0 > y) != (y1 > y) {
                    crossings.push(x0 + (y - y0) * (x1 - x0) / (y1 - y0));
                }
            }
        }
        crossings.sort_by(f64::total_cmp);
        for pair in crossings.chunks_exact(2) {
            // Inside: c0 ≤ i < c1.
            let start = pair[0].ceil().max(0.0);
            let end = pair[1].ceil().min(columns as f64);
            if start < end {
                set_range(
                    bits,
                    j * columns + start as usize,
                    j * columns + end as usize,
                );
            }
        }
    }
}

/// Sets bits `start..end`.
fn set_range(bits: &mut [u64], start: usize, end: usize) {
    const WORD: usize = u64::BITS as usize;
    let mut n = start;
    while n < end {
        let (w, b) = (n / WORD, n % WORD);
        let count = (WORD - b).min(end - n);
        let ones = if count == WORD {
            u64::MAX
        } else {
            ((1u64 << count) - 1) << b
        };
        bits[w] |= ones;
        n += count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtstruct::Contour;

    fn inside(bits: &[u64], n: usize) -> bool {
        bits[n / 64] >> (n % 64) & 1 == 1
    }

    fn filled(polygons: &[Vec<[f64; 2]>], columns: usize, rows: usize) -> Vec<[usize; 2]> {
        let mut bits = vec![0u64; (columns * rows).div_ceil(64)];
        fill_slice(polygons, columns, rows, &mut bits);
        (0..rows)
            .flat_map(|j| (0..columns).map(move |i| [i, j]))
            .filter(|&[i, j]| inside(&bits, j * columns + i))
            .collect()
    }

    #[test]
    fn centres_inside_a_square_with_a_hole() {
        // Square around centres 1..=5 (edges at half voxels), hole around centre (3, 3).
        let outer = vec![[0.5, 0.5], [5.5, 0.5], [5.5, 5.5], [0.5, 5.5]];
        let hole = vec![[2.5, 2.5], [3.5, 2.5], [3.5, 3.5], [2.5, 3.5]];
        let got = filled(&[outer.clone(), hole], 8, 7);
        assert_eq!(got.len(), 25 - 1);
        assert!(!got.contains(&[3, 3]));
        assert!(got.contains(&[1, 1]) && got.contains(&[5, 5]));
        // Without the hole, and clipped by the slice's edge.
        assert_eq!(filled(&[outer], 4, 3).len(), 3 * 2);
    }

    #[test]
    fn edges_through_centres_count_left_not_right() {
        // A square with its corners on centres (1, 1) and (3, 3).
        let square = vec![[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0]];
        let got = filled(&[square], 6, 6);
        // Columns 1..3 (left edge in, right edge out), rows 1..3 likewise.
        assert_eq!(got, vec![[1, 1], [2, 1], [1, 2], [2, 2]]);
    }

    #[test]
    fn a_triangle_and_a_long_row_across_words() {
        let triangle = vec![[0.2, 0.2], [99.7, 0.2], [0.2, 2.9]];
        let got = filled(&[triangle], 100, 4);
        // Row 1 crosses the long edge at x = 99.7 − 99.5 × 0.8 / 2.7 = 70.22… → columns 1..=70.
        let row1: Vec<usize> = got.iter().filter(|p| p[1] == 1).map(|p| p[0]).collect();
        assert_eq!(row1, (1..=70).collect::<Vec<_>>());
        let row2 = got.iter().filter(|p| p[1] == 2).count();
        assert_eq!(row2, 33);
    }

    #[test]
    fn contours_go_to_their_slice_or_are_said_left_out() {
        let g = Geometry::axial([10, 10, 5], [1.0, 1.0, 2.5], [0.0, 0.0, 0.0]);
        let contour = |kind: &str, z: &[f64]| Contour {
            geometric_type: kind.to_owned(),
            points_mm: z
                .iter()
                .enumerate()
                .map(|(n, &z)| [n as f64, (n * n) as f64 % 5.0, z])
                .collect(),
        };
        let roi = Roi {
            number: 1,
            name: "gtv".into(),
            interpreted_type: "GTV".into(),
            color_rgb: None,
            contours: vec![
                contour("CLOSED_PLANAR", &[5.0, 5.0, 5.0]),
                contour("CLOSED_PLANAR", &[5.1, 5.1, 5.1, 5.1]),
                contour("CLOSED_PLANAR", &[6.0, 6.0, 6.0]),
                contour("CLOSED_PLANAR", &[2.5, 5.0, 7.5]),
                contour("CLOSED_PLANAR", &[20.0, 20.0, 20.0]),
                contour("CLOSED_PLANAR", &[5.0, 5.0]),
                contour("POINT", &[5.0]),
                contour("OPEN_PLANAR", &[5.0, 5.0, 5.0]),
            ],
        };
        let placed = place_contours(&roi, &g);
        assert_eq!(placed.slices.len(), 1);
        assert_eq!(placed.slices[0].0, 2);
        assert_eq!(placed.slices[0].1.len(), 2);
        let why = placed.left_out.join("\n");
        assert_eq!(placed.left_out.len(), 6, "{why}");
        for expected in [
            "contour 3: between slices 2 and 3",
            "contour 4: not in one axial plane",
            "contour 5: at slice 8, outside",
            "contour 6: 2 point(s)",
            "contour 7: POINT",
            "contour 8: OPEN_PLANAR",
        ] {
            assert!(why.contains(expected), "{expected}: {why}");
        }
    }
}
