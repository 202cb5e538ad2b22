//! Measurements of one lesion (one connected component): size, position, diameters, surface, HU.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tumorscope_core::{Geometry, LabelMask, MM3_PER_ML};

use crate::axial::axial_axes;
use crate::feret::feret_diameter_mm;
use crate::hu::hu_stats;
use crate::surface::{mesh_measures, MeshStyle};
use crate::vessels::{vessel_distance, Vessel, VesselDistance};

/// Everything measured on one tumor. Field names are the public JSON/CSV schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TumorStats {
    /// 1-based, by volume descending (ties: raster order of the first voxel).
    pub id: u32,
    pub voxels: usize,
    /// `voxels × voxel volume / 1000`.
    pub volume_ml: f64,
    /// LPS position of `centroid_ijk`.
    pub centroid_mm: [f64; 3],
    /// Mean voxel index `[i, j, k]`.
    pub centroid_ijk: [f64; 3],
    /// Inclusive bounding box.
    pub bbox_ijk_min: [usize; 3],
    pub bbox_ijk_max: [usize; 3],
    /// Largest distance between two voxel centres (3D Feret diameter, as ITK).
    pub max_diameter_mm: f64,
    /// RECIST long axis: largest in-slice distance between voxel centres, over all slices.
    pub axial_diameter_mm: f64,
    /// Width perpendicular to the long axis on the same slice (see [`crate::axial`]).
    pub axial_short_axis_mm: f64,
    /// Slice where the long axis was measured.
    pub axial_slice_k: usize,
    /// End points of the long axis, voxel indices `[i, j, k]` (two voxel centres of the tumor
    /// on slice `axial_slice_k`), for drawing it.
    #[serde(default)]
    pub axial_long_axis_ijk: [[f64; 3]; 2],
    /// The short axis as drawn: perpendicular to the long axis through its midpoint, as long as
    /// `axial_short_axis_mm` (see [`crate::axial`]).
    #[serde(default)]
    pub axial_short_axis_ijk: [[f64; 3]; 2],
    /// Diameter of the sphere of volume `volume_ml`.
    pub equivalent_diameter_mm: f64,
    /// Marching-cubes mesh area.
    pub surface_area_mm2: f64,
    /// Marching-cubes mesh volume (pyradiomics' `MeshVolume` definition on this crate's
    /// watertight mesh, see [`crate::surface`]), used by `sphericity`.
    pub mesh_volume_mm3: f64,
    /// `(36 π V²)^(1/3) / A` with `V` the mesh volume and `A` the mesh area (pyradiomics).
    pub sphericity: f64,
    pub hu_mean: f64,
    /// Population standard deviation.
    pub hu_std: f64,
    pub hu_min: i16,
    pub hu_max: i16,
    /// Percentiles with numpy's default linear interpolation.
    pub hu_p10: f64,
    pub hu_median: f64,
    pub hu_p90: f64,
    /// Names of the tumor masks holding at least one of its voxels.
    pub sources: Vec<String>,
    /// Percentage of its voxels inside the liver mask; `None` without a liver mask.
    pub liver_overlap_pct: Option<f64>,
    /// Distance to each vessel structure (name → mm), for the vessels with a voxel.
    #[serde(default)]
    pub vessel_distances_mm: BTreeMap<String, f64>,
    /// The nearest vessel and its distance; `None` without vessel structures.
    #[serde(default)]
    pub closest_vessel: Option<String>,
    #[serde(default)]
    pub closest_vessel_mm: Option<f64>,
    /// Closer to a vessel than the analysis' `vessel_margin_mm`; `None` without vessels.
    #[serde(default)]
    pub near_vessel: Option<bool>,
    /// Per vessel: distance, nearest points, contact area, overlap.
    #[serde(default)]
    pub vessels: Vec<VesselDistance>,
    /// Radiomics features by pyradiomics' names, when the analysis asked for them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::radiomics::features_with_nulls"
    )]
    pub radiomics: Option<crate::radiomics::Features>,
}

/// What a lesion is measured against.
pub(crate) struct LesionContext<'a> {
    pub geometry: &'a Geometry,
    pub ct: &'a [i16],
    pub tumor_masks: &'a [&'a LabelMask],
    /// The liver masks (their union is the liver); `None` without any.
    pub liver: Option<&'a [&'a LabelMask]>,
    /// The vessel structures each tumour is measured against.
    pub vessels: &'a [Vessel<'a>],
    pub vessel_margin_mm: f64,
    pub radiomics: Option<&'a crate::radiomics::RadiomicsOptions>,
}

/// Measures the lesion made of the linear voxel `indices` (ascending). `id` is set by the caller.
pub(crate) fn measure_lesion(indices: &[usize], ctx: &LesionContext<'_>) -> Option<TumorStats> {
    let g = ctx.geometry;
    let spacing = g.spacing_mm;
    let first = *indices.first()?;
    let mut sum = [0f64; 3];
    let mut lo = g.ijk(first);
    let mut hi = lo;
    // Hull candidates: the first and last voxel of every run along `i` (only those can be
    // extreme points). Indices are ascending, so runs are consecutive indices in one row.
    let mut candidates: Vec<[i64; 3]> = Vec::new();
    let mut slices: Vec<(usize, Vec<[i64; 2]>)> = Vec::new();
    let mut run_start = first;
    let mut prev = first;
    let close_run = |a: usize,
                     b: usize,
                     candidates: &mut Vec<[i64; 3]>,
                     slices: &mut Vec<(usize, Vec<[i64; 2]>)>| {
        let (pa, pb) = (g.ijk(a), g.ijk(b));
        for p in if a == b { vec![pa] } else { vec![pa, pb] } {
            let q = p.map(|v| v as i64);
            candidates.push(q);
            match slices.last_mut() {
                Some((k, pts)) if *k == p[2] => pts.push([q[0], q[1]]),
                _ => slices.push((p[2], vec![[q[0], q[1]]])),
            }
        }
    };
    for &n in indices {
        let p = g.ijk(n);
        for a in 0..3 {
            sum[a] += p[a] as f64;
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
        if n != first && (n != prev + 1 || p[0] == 0) {
            close_run(run_start, prev, &mut candidates, &mut slices);
            run_start = n;
        }
        prev = n;
    }
    close_run(run_start, prev, &mut candidates, &mut slices);

    let voxels = indices.len();
    let voxel_mm3 = g.voxel_volume_mm3();
    let volume_mm3 = voxels as f64 * voxel_mm3;
    let centroid_ijk = sum.map(|s| s / voxels as f64);
    let axes = axial_axes(&slices, spacing)?;

    // Local box for the mesh.
    let dims = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
    let mut local = vec![0u8; dims[0] * dims[1] * dims[2]];
    for &n in indices {
        let p = g.ijk(n);
        local[((p[2] - lo[2]) * dims[1] + (p[1] - lo[1])) * dims[0] + (p[0] - lo[0])] = 1;
    }
    let mesh = mesh_measures(&local, dims, spacing, MeshStyle::Watertight);
    let sphericity = if mesh.area_mm2 > 0.0 {
        (36.0 * std::f64::consts::PI * mesh.volume_mm3 * mesh.volume_mm3).cbrt() / mesh.area_mm2
    } else {
        0.0
    };

    let mut hu: Vec<i16> = indices
        .iter()
        .filter_map(|&n| ctx.ct.get(n).copied())
        .collect();
    let radiomics = ctx.radiomics.and_then(|o| {
        let hu_box = crate::radiomics::box_hu(ctx.ct, g, lo, dims)?;
        Some(crate::radiomics::region_features(
            &local, dims, spacing, &hu_box, o,
        ))
    });
    let hu = hu_stats(&mut hu)?;

    let sources = ctx
        .tumor_masks
        .iter()
        .filter(|m| indices.iter().any(|&n| m.contains(n)))
        .map(|m| m.name.clone())
        .collect();
    let liver_overlap_pct = ctx.liver.map(|liver| {
        let inside = indices
            .iter()
            .filter(|&&n| liver.iter().any(|m| m.contains(n)))
            .count();
        100.0 * inside as f64 / voxels as f64
    });

    let vessels: Vec<VesselDistance> = ctx
        .vessels
        .iter()
        .filter_map(|v| vessel_distance(indices, lo, hi, v, g))
        .collect();
    let closest = vessels
        .iter()
        .min_by(|a, b| a.distance_mm.total_cmp(&b.distance_mm));

    Some(TumorStats {
        id: 0,
        voxels,
        volume_ml: volume_mm3 / MM3_PER_ML,
        centroid_mm: g.voxel_to_patient(centroid_ijk),
        centroid_ijk,
        bbox_ijk_min: lo,
        bbox_ijk_max: hi,
        max_diameter_mm: feret_diameter_mm(&candidates, spacing),
        axial_diameter_mm: axes.long_axis_mm,
        axial_short_axis_mm: axes.short_axis_mm,
        axial_slice_k: axes.slice_k,
        axial_long_axis_ijk: axes.long_ij.map(|[i, j]| [i, j, axes.slice_k as f64]),
        axial_short_axis_ijk: axes.short_ij.map(|[i, j]| [i, j, axes.slice_k as f64]),
        equivalent_diameter_mm: (6.0 * volume_mm3 / std::f64::consts::PI).cbrt(),
        surface_area_mm2: mesh.area_mm2,
        mesh_volume_mm3: mesh.volume_mm3,
        sphericity,
        hu_mean: hu.mean,
        hu_std: hu.std,
        hu_min: hu.min,
        hu_max: hu.max,
        hu_p10: hu.p10,
        hu_median: hu.median,
        hu_p90: hu.p90,
        sources,
        liver_overlap_pct,
        vessel_distances_mm: vessels
            .iter()
            .map(|v| (v.structure.clone(), v.distance_mm))
            .collect(),
        closest_vessel: closest.map(|v| v.structure.clone()),
        closest_vessel_mm: closest.map(|v| v.distance_mm),
        near_vessel: closest.map(|v| v.distance_mm < ctx.vessel_margin_mm),
        vessels,
        radiomics,
    })
}
