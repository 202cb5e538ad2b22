//! How close a tumour lies to each vessel: the minimum distance between their voxel centres,
//! the nearest points, the contact area and the overlap.
//!
//! The distance is exact, from a Euclidean distance transform of the vessel
//! ([`crate::distance`]) over a box around the tumour. The box is made large enough by an
//! upper bound found first (nearest vessel voxel to the tumour's centroid, nearest tumour voxel
//! to that, nearest vessel voxel to that): any vessel voxel closer to the tumour than the bound
//! lies within the bound of the tumour's bounding box, so the box holds the true nearest one.

use serde::{Deserialize, Serialize};
use tumorscope_core::{BitMask, Geometry, MM3_PER_ML};

use crate::distance::squared_distance_mm2;

/// A tumour against one vessel structure. Field names are the public JSON schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VesselDistance {
    /// The vessel structure's name.
    pub structure: String,
    /// Minimum distance between a tumour voxel centre and a vessel voxel centre; 0 when a
    /// tumour voxel is inside the vessel mask.
    pub distance_mm: f64,
    /// A tumour voxel centre at that distance (LPS).
    pub tumor_point_mm: [f64; 3],
    /// A vessel voxel centre at that distance (LPS).
    pub vessel_point_mm: [f64; 3],
    /// Area of the voxel faces between tumour voxels and vessel voxels outside the tumour.
    pub contact_area_mm2: f64,
    /// Volume of the tumour voxels inside the vessel mask.
    pub overlap_ml: f64,
}

/// A vessel mask with its voxels listed once for every tumour.
pub(crate) struct Vessel<'a> {
    pub name: &'a str,
    pub bits: &'a BitMask,
    /// Linear indices of its voxels, ascending.
    pub voxels: Vec<usize>,
}

/// `tumor` (ascending linear indices, bounding box `lo..=hi`) against `vessel`; `None` when
/// the vessel mask is empty.
pub(crate) fn vessel_distance(
    tumor: &[usize],
    lo: [usize; 3],
    hi: [usize; 3],
    vessel: &Vessel<'_>,
    g: &Geometry,
) -> Option<VesselDistance> {
    if vessel.voxels.is_empty() || tumor.is_empty() {
        return None;
    }
    let s = g.spacing_mm;
    let ijk = |n: usize| g.ijk(n);
    let d2 = |a: [usize; 3], b: [usize; 3]| {
        (0..3)
            .map(|x| ((a[x] as f64 - b[x] as f64) * s[x]).powi(2))
            .sum::<f64>()
    };
    let at_mm = |p: [usize; 3]| g.voxel_to_patient(p.map(|v| v as f64));

    // Overlap and contact faces.
    let in_tumor = |n: usize| tumor.binary_search(&n).is_ok();
    let face_mm2 = [s[1] * s[2], s[0] * s[2], s[0] * s[1]];
    let mut overlap = 0usize;
    let mut first_inside = None;
    let mut contact_area_mm2 = 0.0;
    for &n in tumor {
        if vessel.bits.get(n) {
            overlap += 1;
            first_inside.get_or_insert(n);
            continue;
        }
        let p = ijk(n);
        for axis in 0..3 {
            for forward in [false, true] {
                let q = if forward {
                    (p[axis] + 1 < g.dims[axis]).then(|| p[axis] + 1)
                } else {
                    p[axis].checked_sub(1)
                };
                let Some(q) = q else { continue };
                let mut r = p;
                r[axis] = q;
                let m = g.index(r);
                if vessel.bits.get(m) && !in_tumor(m) {
                    contact_area_mm2 += face_mm2[axis];
                }
            }
        }
    }
    let overlap_ml = overlap as f64 * g.voxel_volume_mm3() / MM3_PER_ML;
    if let Some(n) = first_inside {
        let p = at_mm(ijk(n));
        return Some(VesselDistance {
            structure: vessel.name.to_owned(),
            distance_mm: 0.0,
            tumor_point_mm: p,
            vessel_point_mm: p,
            contact_area_mm2,
            overlap_ml,
        });
    }

    // An upper bound from alternating nearest voxels, starting at the tumour's centre.
    let nearest = |from: [usize; 3], among: &[usize]| {
        among
            .iter()
            .map(|&n| (d2(from, ijk(n)), n))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| n)
            .unwrap_or(among[0])
    };
    let centre = ijk(tumor[tumor.len() / 2]);
    let v0 = nearest(centre, &vessel.voxels);
    let t1 = nearest(ijk(v0), tumor);
    let v1 = nearest(ijk(t1), &vessel.voxels);
    let bound_mm = d2(ijk(t1), ijk(v1)).sqrt();

    // The box: the tumour's bounding box grown by the bound, clipped to the grid.
    let mut box_lo = [0usize; 3];
    let mut box_dims = [0usize; 3];
    for a in 0..3 {
        let margin = (bound_mm / s[a]).ceil() as usize;
        box_lo[a] = lo[a].saturating_sub(margin);
        let box_hi = (hi[a] + margin).min(g.dims[a] - 1);
        box_dims[a] = box_hi - box_lo[a] + 1;
    }
    let local = |p: [usize; 3]| {
        ((p[2] - box_lo[2]) * box_dims[1] + (p[1] - box_lo[1])) * box_dims[0] + (p[0] - box_lo[0])
    };
    let inside_box =
        |p: [usize; 3]| (0..3).all(|a| p[a] >= box_lo[a] && p[a] < box_lo[a] + box_dims[a]);
    let mut feature = vec![false; box_dims.iter().product()];
    let in_box: Vec<usize> = vessel
        .voxels
        .iter()
        .copied()
        .filter(|&n| inside_box(ijk(n)))
        .collect();
    for &n in &in_box {
        feature[local(ijk(n))] = true;
    }
    let field = squared_distance_mm2(&feature, box_dims, s);
    let (best, t) = tumor
        .iter()
        .map(|&n| (field[local(ijk(n))], n))
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))?;
    let t = ijk(t);
    // The vessel voxel at that distance (the first in raster order, for stable output).
    let v = in_box
        .iter()
        .copied()
        .find(|&n| (d2(t, ijk(n)) - best).abs() <= 1e-9 * best.max(1.0))
        .unwrap_or(v1);
    Some(VesselDistance {
        structure: vessel.name.to_owned(),
        distance_mm: best.sqrt(),
        tumor_point_mm: at_mm(t),
        vessel_point_mm: at_mm(ijk(v)),
        contact_area_mm2,
        overlap_ml,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ball of radius `r` voxels around `c`, and a tube along `k` through `(ti, tj)` of
    /// radius `tr` voxels, on an anisotropic grid: the distance between voxel centres checked
    /// against brute force over every pair.
    #[test]
    fn ball_and_tube_match_brute_force() {
        let g = Geometry::axial([40, 36, 20], [0.7, 0.8, 2.5], [-10.0, 5.0, 30.0]);
        let inside_ball = |p: [usize; 3]| {
            let d = [
                p[0] as f64 - 12.0,
                p[1] as f64 - 14.0,
                (p[2] as f64 - 9.0) * 2.5 / 0.7,
            ];
            d.iter().map(|v| v * v).sum::<f64>() <= 25.0
        };
        for (ti, tj, tr) in [(30.0, 20.0, 3.0), (21.0, 14.0, 2.0), (16.0, 14.0, 2.5)] {
            let inside_tube =
                |p: [usize; 3]| (p[0] as f64 - ti).powi(2) + (p[1] as f64 - tj).powi(2) <= tr * tr;
            let tumor: Vec<usize> = (0..g.len()).filter(|&n| inside_ball(g.ijk(n))).collect();
            let bits = BitMask::from_fn(&(0..g.len()).collect::<Vec<_>>(), |&n| {
                inside_tube(g.ijk(n))
            });
            let vessel = Vessel {
                name: "portalvein",
                bits: &bits,
                voxels: bits.ones().collect(),
            };
            let mut lo = [usize::MAX; 3];
            let mut hi = [0; 3];
            for &n in &tumor {
                let p = g.ijk(n);
                for a in 0..3 {
                    lo[a] = lo[a].min(p[a]);
                    hi[a] = hi[a].max(p[a]);
                }
            }
            let got = vessel_distance(&tumor, lo, hi, &vessel, &g).unwrap();
            let mut want = f64::INFINITY;
            for &t in &tumor {
                for &v in &vessel.voxels {
                    let (a, b) = (
                        g.voxel_to_patient(g.ijk(t).map(|x| x as f64)),
                        g.voxel_to_patient(g.ijk(v).map(|x| x as f64)),
                    );
                    let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2))
                        .sqrt();
                    want = want.min(d);
                }
            }
            assert!(
                (got.distance_mm - want).abs() < 1e-9,
                "tube at {ti},{tj}: {} vs {want}",
                got.distance_mm
            );
            let between = ((got.tumor_point_mm[0] - got.vessel_point_mm[0]).powi(2)
                + (got.tumor_point_mm[1] - got.vessel_point_mm[1]).powi(2)
                + (got.tumor_point_mm[2] - got.vessel_point_mm[2]).powi(2))
            .sqrt();
            assert!(
                (between - want).abs() < 1e-9,
                "the nearest points are that far apart"
            );
            if want == 0.0 {
                assert!(got.overlap_ml > 0.0);
            } else if want <= 0.8 + 1e-9 {
                // Neighbouring voxels share faces.
                assert!(got.contact_area_mm2 > 0.0, "{got:?}");
            } else {
                assert_eq!((got.contact_area_mm2, got.overlap_ml), (0.0, 0.0));
            }
        }
    }
}
