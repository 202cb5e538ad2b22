//! Placing a mask stored on part of an image's grid onto the whole grid.
//!
//! 3D Slicer saves a segmentation cropped to where its segments are (and says so only through
//! the origin), other tools keep the full grid: a mask counts as lying on the image when it has
//! the image's axes and spacing and its voxel centres fall on the image's, wherever it starts.

use tumorscope_core::Geometry;

/// How far, in voxels, centres may lie off the image grid and still be on it: float32
/// headers written by different tools differ by far less, a real offset by more.
const TOLERANCE_VOXELS: f64 = 0.1;

/// The voxel of `whole` where voxel `[0, 0, 0]` of `part` lies, when `part` is a block of
/// `whole`'s grid (it may stick out of `whole`); else why not.
pub(crate) fn grid_offset(whole: &Geometry, part: &Geometry) -> Result<[i64; 3], String> {
    for a in 0..3 {
        let (w, p) = (whole.spacing_mm[a], part.spacing_mm[a]);
        // Over the part's extent, the spacing difference may shift centres by the tolerance.
        let extent = part.dims[a].max(1) as f64;
        if (w - p).abs() * extent > TOLERANCE_VOXELS * w {
            return Err(format!(
                "spacing `{:?}` mm vs the image's `{:?}` mm",
                part.spacing_mm, whole.spacing_mm
            ));
        }
        let cos = (0..3)
            .map(|c| whole.direction[a][c] * part.direction[a][c])
            .sum::<f64>();
        if cos < 1.0 - 1e-4 {
            return Err(format!(
                "axes `{:?}` vs the image's `{:?}`",
                part.direction, whole.direction
            ));
        }
    }
    let at = whole.patient_to_voxel(part.origin_mm);
    let mut offset = [0i64; 3];
    for a in 0..3 {
        let rounded = at[a].round();
        if (at[a] - rounded).abs() > TOLERANCE_VOXELS {
            return Err(format!(
                "its first voxel lies between the image's voxels (at `{:.2?}`)",
                at
            ));
        }
        offset[a] = rounded as i64;
    }
    Ok(offset)
}

/// `part`'s values on `whole`'s grid (0 where `part` has none), and the number of non-zero
/// values that fall outside `whole` and are lost.
pub(crate) fn embed(
    whole: &Geometry,
    part: &Geometry,
    values: &[u8],
    offset: [i64; 3],
) -> (Vec<u8>, usize) {
    if offset == [0; 3] && part.dims == whole.dims {
        return (values.to_vec(), 0);
    }
    let mut out = vec![0u8; whole.len()];
    let mut lost = 0;
    let [pc, pr, ps] = part.dims;
    for k in 0..ps {
        for j in 0..pr {
            let row = &values[(k * pr + j) * pc..(k * pr + j + 1) * pc];
            let (wk, wj) = (k as i64 + offset[2], j as i64 + offset[1]);
            let row_inside =
                (0..whole.dims[2] as i64).contains(&wk) && (0..whole.dims[1] as i64).contains(&wj);
            for (i, &v) in row.iter().enumerate() {
                if v == 0 {
                    continue;
                }
                let wi = i as i64 + offset[0];
                if row_inside && (0..whole.dims[0] as i64).contains(&wi) {
                    out[whole.index([wi as usize, wj as usize, wk as usize])] = v;
                } else {
                    lost += 1;
                }
            }
        }
    }
    (out, lost)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cropped_block_lands_at_its_offset() {
        let whole = Geometry::axial([4, 3, 2], [0.5, 0.5, 2.0], [10.0, 20.0, 30.0]);
        let part = Geometry::axial([2, 2, 1], [0.5, 0.5, 2.0], [11.0, 20.5, 32.0]);
        let offset = grid_offset(&whole, &part).unwrap();
        assert_eq!(offset, [2, 1, 1]);
        let (out, lost) = embed(&whole, &part, &[1, 2, 3, 4], offset);
        assert_eq!(lost, 0);
        assert_eq!(out[whole.index([2, 1, 1])], 1);
        assert_eq!(out[whole.index([3, 2, 1])], 4);
        assert_eq!(out.iter().filter(|&&v| v != 0).count(), 4);
    }

    #[test]
    fn what_sticks_out_is_counted() {
        let whole = Geometry::axial([2, 2, 1], [1.0; 3], [0.0; 3]);
        let part = Geometry::axial([2, 1, 1], [1.0; 3], [1.0, 0.0, 0.0]);
        let (out, lost) = embed(&whole, &part, &[5, 6], grid_offset(&whole, &part).unwrap());
        assert_eq!((out, lost), (vec![0, 5, 0, 0], 1));
    }

    #[test]
    fn other_grids_are_refused() {
        let whole = Geometry::axial([4, 4, 4], [1.0; 3], [0.0; 3]);
        let half_off = Geometry::axial([2, 2, 2], [1.0; 3], [0.5, 0.0, 0.0]);
        assert!(grid_offset(&whole, &half_off)
            .unwrap_err()
            .contains("between"));
        let finer = Geometry::axial([4, 4, 4], [0.5, 1.0, 1.0], [0.0; 3]);
        assert!(grid_offset(&whole, &finer).unwrap_err().contains("spacing"));
        let mut flipped = Geometry::axial([4, 4, 4], [1.0; 3], [3.0, 0.0, 0.0]);
        flipped.direction[0] = [-1.0, 0.0, 0.0];
        assert!(grid_offset(&whole, &flipped).unwrap_err().contains("axes"));
    }
}
