//! The synthetic abdomen: body, fat, vertebra, liver and lesions painted on an integer grid, so
//! every mask and every HU sum is known exactly.

use crate::rng::{voxel_noise, SplitMix64};
use crate::PhantomError;

/// Tissue HU before noise.
pub(crate) const AIR_HU: i16 = -1000;
pub(crate) const FAT_HU: i16 = -100;
pub(crate) const SOFT_TISSUE_HU: i16 = 40;
pub(crate) const LIVER_HU: i16 = 60;
pub(crate) const BONE_HU: i16 = 700;
pub(crate) const HYPERDENSE_TUMOR_HU: i16 = 80;
pub(crate) const HYPODENSE_TUMOR_HU: i16 = 10;
pub(crate) const CYST_HU: i16 = 6;
/// Noise amplitude in HU (uniform in `−NOISE_HU..=NOISE_HU`).
pub(crate) const NOISE_HU: i32 = 8;

/// Labels of the painted tissue map; lesion `n` gets `FIRST_LESION + n`.
const AIR: u8 = 0;
const FAT: u8 = 1;
const SOFT: u8 = 2;
const BONE: u8 = 3;
const LIVER: u8 = 4;
const FIRST_LESION: u8 = 5;

/// A solid ellipsoid `Σ ((p − centre) / radii)² ≤ 1`, evaluated exactly in integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ellipsoid {
    pub centre: [i64; 3],
    pub radii: [i64; 3],
}

impl Ellipsoid {
    pub(crate) fn contains(&self, p: [i64; 3]) -> bool {
        let r2 = self.radii.map(|r| i128::from(r * r));
        let d2 = [0, 1, 2].map(|a| i128::from((p[a] - self.centre[a]) * (p[a] - self.centre[a])));
        d2[0] * r2[1] * r2[2] + d2[1] * r2[0] * r2[2] + d2[2] * r2[0] * r2[1]
            <= r2[0] * r2[1] * r2[2]
    }

    /// Inclusive voxel ranges of its bounding box, clipped to `dims`.
    fn bbox(&self, dims: [usize; 3]) -> [(usize, usize); 3] {
        [0, 1, 2].map(|a| {
            let lo = (self.centre[a] - self.radii[a]).max(0) as usize;
            let hi = (self.centre[a] + self.radii[a])
                .min(dims[a] as i64 - 1)
                .max(0) as usize;
            (lo, hi)
        })
    }
}

/// Inside the axial ellipse of semi-axes `radii` around `centre` (all slices).
fn in_ellipse(i: i64, j: i64, centre: [i64; 2], radii: [i64; 2]) -> bool {
    let (di, dj) = (i128::from(i - centre[0]), i128::from(j - centre[1]));
    let (ri, rj) = (i128::from(radii[0]), i128::from(radii[1]));
    di * di * rj * rj + dj * dj * ri * ri <= ri * ri * rj * rj
}

/// Which masks a patient has: tumor mask names with their lesion counts, a cyst, and whether
/// the liver mask covers the lesions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Profile {
    pub tumor_masks: &'static [(&'static str, usize)],
    pub cyst: bool,
    pub liver_includes_lesions: bool,
}

/// Anatomy by `index % 5`: the 3D-IRCADb naming habits, a cyst, one patient without tumor.
pub(crate) const PROFILES: [Profile; 5] = [
    Profile {
        tumor_masks: &[("livertumor1", 1), ("livertumor2", 1)],
        cyst: false,
        liver_includes_lesions: false,
    },
    Profile {
        tumor_masks: &[("livertumors", 2)],
        cyst: true,
        liver_includes_lesions: true,
    },
    Profile {
        tumor_masks: &[],
        cyst: false,
        liver_includes_lesions: false,
    },
    Profile {
        tumor_masks: &[("livertumor01", 1)],
        cyst: false,
        liver_includes_lesions: true,
    },
    Profile {
        tumor_masks: &[("livertumor1", 1), ("livertumor2", 1), ("livertumor3", 1)],
        cyst: true,
        liver_includes_lesions: false,
    },
];

/// One placed lesion.
#[derive(Debug, Clone)]
pub(crate) struct Lesion {
    pub structure: String,
    pub shape: Ellipsoid,
    pub base_hu: i16,
    pub is_cyst: bool,
}

/// The painted patient: HU volume, masks (0/1, sorted by name) and the lesions.
#[derive(Debug, Clone)]
pub(crate) struct Anatomy {
    pub hu: Vec<i16>,
    pub masks: Vec<(String, Vec<u8>)>,
    pub lesions: Vec<Lesion>,
    /// Tissue label of every voxel (lesion `n` is `FIRST_LESION + n`).
    labels: Vec<u8>,
}

impl Anatomy {
    /// Voxels and HU sum of lesion `n`.
    pub(crate) fn lesion_stats(&self, n: usize) -> (usize, i64) {
        let id = FIRST_LESION + n as u8;
        let mut count = 0usize;
        let mut sum = 0i64;
        for (label, &hu) in self.labels.iter().zip(&self.hu) {
            if *label == id {
                count += 1;
                sum += i64::from(hu);
            }
        }
        (count, sum)
    }
}

/// Paints the anatomy of patient `index` on `dims` (already validated).
pub(crate) fn paint(
    index: usize,
    seed: u64,
    dims: [usize; 3],
    spacing_mm: [f64; 3],
    even_hu: bool,
) -> Result<Anatomy, PhantomError> {
    let profile = PROFILES[index % PROFILES.len()];
    let [nx, ny, nz] = dims.map(|d| d as i64);
    let len = dims[0] * dims[1] * dims[2];
    let at = |i: usize, j: usize, k: usize| (k * dims[1] + j) * dims[0] + i;
    let mut labels = vec![AIR; len];

    // Body: an axial ellipse with a ring of subcutaneous fat, through every slice.
    let body_centre = [nx / 2, ny / 2];
    let body_radii = [nx * 7 / 16, ny * 3 / 8];
    let ring = (nx / 24).max(1);
    let inner_radii = [body_radii[0] - ring, body_radii[1] - ring];
    for j in 0..dims[1] {
        for i in 0..dims[0] {
            let (ii, jj) = (i as i64, j as i64);
            let label = if in_ellipse(ii, jj, body_centre, inner_radii) {
                SOFT
            } else if in_ellipse(ii, jj, body_centre, body_radii) {
                FAT
            } else {
                AIR
            };
            for k in 0..dims[2] {
                labels[at(i, j, k)] = label;
            }
        }
    }

    // Liver on the patient's right (low i), vertebra behind it (high j): they never overlap
    // because the liver ends above j = 0.61 × rows and the vertebra starts below 0.67 × rows.
    let rng_seed = seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut rng = SplitMix64::new(rng_seed, 1);
    let liver = Ellipsoid {
        centre: [
            nx * 3 / 8 + rng.range_i64(-1, 1),
            ny * 7 / 16 + rng.range_i64(-1, 1),
            nz / 2,
        ],
        radii: [nx * 2 / 9, ny / 6, (nz * 3 / 8).max(2)],
    };
    paint_shape(&mut labels, dims, &liver, LIVER, |_| true);
    let vertebra = Ellipsoid {
        centre: [nx / 2, ny * 3 / 4, nz / 2],
        radii: [(ny / 12).max(1), (ny / 12).max(1), nz],
    };
    paint_shape(&mut labels, dims, &vertebra, BONE, |_| true);

    // Lesions strictly inside the liver and never touching each other. When a crowded small
    // liver cannot take them all, every lesion is placed again with a smaller size cap.
    let mut wanted: Vec<(String, bool)> = Vec::new();
    for (name, count) in profile.tumor_masks {
        for _ in 0..*count {
            wanted.push(((*name).to_owned(), false));
        }
    }
    if profile.cyst {
        wanted.push(("liverkyst".to_owned(), true));
    }
    let initial_cap = (liver.radii[0].min(liver.radii[1]) / 3).max(2);
    let mut placed = None;
    for cap in (1..=initial_cap).rev() {
        let mut round_rng = SplitMix64::new(rng_seed, 16 + cap as u64);
        if let Some(found) = place_all(
            &labels,
            dims,
            spacing_mm,
            &liver,
            &wanted,
            cap,
            &mut round_rng,
        ) {
            placed = Some(found);
            break;
        }
    }
    let (labels, lesions) = placed.ok_or_else(|| PhantomError::InvalidOptions {
        reason: format!(
            "dims `{dims:?}` leave no room for `{}` lesions in the liver",
            wanted.len()
        ),
    })?;

    // HU: tissue value plus deterministic noise, clamped to the 12-bit-safe range, even when the
    // encoding (slope 2) can only hold even values.
    let mut hu = Vec::with_capacity(len);
    for (n, &label) in labels.iter().enumerate() {
        let base = match label {
            AIR => AIR_HU,
            FAT => FAT_HU,
            SOFT => SOFT_TISSUE_HU,
            BONE => BONE_HU,
            LIVER => LIVER_HU,
            id => lesions[usize::from(id - FIRST_LESION)].base_hu,
        };
        let mut v = (i32::from(base) + voxel_noise(seed, index as u64, n as u64, NOISE_HU))
            .clamp(-1024, 3071);
        if even_hu {
            v -= v.rem_euclid(2);
        }
        hu.push(v as i16);
    }

    // Masks straight from the label map, so counts are exact by construction.
    let mut masks: Vec<(String, Vec<u8>)> = Vec::new();
    let liver_mask = labels
        .iter()
        .map(|&l| u8::from(l == LIVER || (profile.liver_includes_lesions && l >= FIRST_LESION)))
        .collect();
    masks.push(("liver".to_owned(), liver_mask));
    masks.push((
        "bone".to_owned(),
        labels.iter().map(|&l| u8::from(l == BONE)).collect(),
    ));
    for (n, lesion) in lesions.iter().enumerate() {
        let id = FIRST_LESION + n as u8;
        match masks.iter_mut().find(|(name, _)| *name == lesion.structure) {
            Some((_, data)) => labels
                .iter()
                .zip(data.iter_mut())
                .for_each(|(&l, d)| *d |= u8::from(l == id)),
            None => masks.push((
                lesion.structure.clone(),
                labels.iter().map(|&l| u8::from(l == id)).collect(),
            )),
        }
    }
    masks.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Anatomy {
        hu,
        masks,
        lesions,
        labels,
    })
}

/// Sets `label` on the voxels of `shape` whose current label passes `over`.
fn paint_shape(
    labels: &mut [u8],
    dims: [usize; 3],
    shape: &Ellipsoid,
    label: u8,
    over: impl Fn(u8) -> bool,
) {
    let [(i0, i1), (j0, j1), (k0, k1)] = shape.bbox(dims);
    for k in k0..=k1 {
        for j in j0..=j1 {
            for i in i0..=i1 {
                if shape.contains([i as i64, j as i64, k as i64]) {
                    let n = (k * dims[1] + j) * dims[0] + i;
                    if over(labels[n]) {
                        labels[n] = label;
                    }
                }
            }
        }
    }
}

/// Places every wanted lesion (`(structure, is_cyst)`) with in-plane radii at most `cap`;
/// returns the painted labels and the lesions, or `None` when one does not fit.
fn place_all(
    labels: &[u8],
    dims: [usize; 3],
    spacing_mm: [f64; 3],
    liver: &Ellipsoid,
    wanted: &[(String, bool)],
    cap: i64,
    rng: &mut SplitMix64,
) -> Option<(Vec<u8>, Vec<Lesion>)> {
    let mut labels = labels.to_vec();
    let mut lesions = Vec::with_capacity(wanted.len());
    for (n, (structure, is_cyst)) in wanted.iter().enumerate() {
        let shape = place_lesion(&labels, dims, spacing_mm, liver, cap, rng)?;
        paint_shape(&mut labels, dims, &shape, FIRST_LESION + n as u8, |label| {
            label == LIVER
        });
        let base_hu = if *is_cyst {
            CYST_HU
        } else if rng.next_u64().is_multiple_of(2) {
            HYPERDENSE_TUMOR_HU
        } else {
            HYPODENSE_TUMOR_HU
        };
        lesions.push(Lesion {
            structure: structure.clone(),
            shape,
            base_hu,
            is_cyst: *is_cyst,
        });
    }
    Some((labels, lesions))
}

/// Finds a lesion whose every voxel has all 26 neighbours still plain liver: strictly inside the
/// liver, one voxel of liver between it and any other lesion. Shrinks when nothing fits.
fn place_lesion(
    labels: &[u8],
    dims: [usize; 3],
    spacing_mm: [f64; 3],
    liver: &Ellipsoid,
    cap: i64,
    rng: &mut SplitMix64,
) -> Option<Ellipsoid> {
    let mut radius = rng.range_i64(cap.min(2), cap);
    while radius >= 1 {
        // Roughly spherical in millimetres: fewer voxels along the usually thicker slice axis.
        let radius_k = ((radius as f64 * spacing_mm[0] / spacing_mm[2]).round() as i64).max(1);
        for _ in 0..400 {
            let radius_j = (radius + rng.range_i64(-1, 1)).clamp(1, cap);
            let centre = [0, 1, 2].map(|a| {
                let r = liver.radii[a] - 1;
                liver.centre[a] + rng.range_i64(-r, r)
            });
            let shape = Ellipsoid {
                centre,
                radii: [radius, radius_j, radius_k],
            };
            if fits(labels, dims, &shape) {
                return Some(shape);
            }
        }
        // Crowded liver: scan every centre in a fixed order before giving up on this size.
        let [(i0, i1), (j0, j1), (k0, k1)] = liver.bbox(dims);
        for k in k0..=k1 {
            for j in j0..=j1 {
                for i in i0..=i1 {
                    let radii = [radius, radius, radius_k];
                    let shape = Ellipsoid {
                        centre: [i as i64, j as i64, k as i64],
                        radii,
                    };
                    if fits(labels, dims, &shape) {
                        return Some(shape);
                    }
                }
            }
        }
        radius -= 1;
    }
    None
}

/// True when every voxel of `shape` and all their neighbours lie in the grid and are liver.
fn fits(labels: &[u8], dims: [usize; 3], shape: &Ellipsoid) -> bool {
    let [nx, ny, nz] = dims.map(|d| d as i64);
    for k in shape.centre[2] - shape.radii[2]..=shape.centre[2] + shape.radii[2] {
        for j in shape.centre[1] - shape.radii[1]..=shape.centre[1] + shape.radii[1] {
            for i in shape.centre[0] - shape.radii[0]..=shape.centre[0] + shape.radii[0] {
                if !shape.contains([i, j, k]) {
                    continue;
                }
                for (dk, dj, di) in neighbourhood() {
                    let (a, b, c) = (i + di, j + dj, k + dk);
                    if a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz {
                        return false;
                    }
                    if labels[((c * ny + b) * nx + a) as usize] != LIVER {
                        return false;
                    }
                }
            }
        }
    }
    true
}

/// The 27 offsets of a voxel's 3×3×3 neighbourhood, itself included.
fn neighbourhood() -> impl Iterator<Item = (i64, i64, i64)> {
    (-1..=1).flat_map(|a| (-1..=1).flat_map(move |b| (-1..=1).map(move |c| (a, b, c))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsoid_is_exact() {
        let e = Ellipsoid {
            centre: [5, 5, 5],
            radii: [2, 2, 1],
        };
        // Voxels: z=0 plane is the 2-radius disc (13 voxels), z=±1 only the centre.
        let mut count = 0;
        for k in 0..11 {
            for j in 0..11 {
                for i in 0..11 {
                    count += usize::from(e.contains([i, j, k]));
                }
            }
        }
        assert_eq!(count, 13 + 2);
        assert!(e.contains([7, 5, 5]) && !e.contains([7, 6, 5]) && !e.contains([5, 5, 7]));
    }

    #[test]
    fn organs_do_not_overlap_and_lesions_sit_in_liver() {
        for index in 0..10 {
            let a = paint(index, 42, [64, 64, 24], [0.75, 0.75, 1.6], false).unwrap();
            let liver = &a.masks.iter().find(|m| m.0 == "liver").unwrap().1;
            let bone = &a.masks.iter().find(|m| m.0 == "bone").unwrap().1;
            assert!(liver.iter().zip(bone).all(|(l, b)| l & b == 0));
            assert!(bone.contains(&1));
            for (n, lesion) in a.lesions.iter().enumerate() {
                let (voxels, _) = a.lesion_stats(n);
                assert!(voxels > 0, "{index} {}", lesion.structure);
                assert!(fits_after_painting(&a, n));
            }
        }
    }

    /// Every neighbour of a lesion voxel is liver or the lesion itself.
    fn fits_after_painting(a: &Anatomy, n: usize) -> bool {
        let id = FIRST_LESION + n as u8;
        let dims = [64usize, 64, 24];
        (0..a.labels.len()).filter(|&v| a.labels[v] == id).all(|v| {
            let (i, j, k) = ((v % 64) as i64, ((v / 64) % 64) as i64, (v / 4096) as i64);
            neighbourhood().all(|(dk, dj, di)| {
                let w = (((k + dk) * dims[1] as i64 + j + dj) * dims[0] as i64 + i + di) as usize;
                a.labels[w] == id || a.labels[w] == LIVER
            })
        })
    }
}
