//! One synthetic patient: the truth image and masks, how its files are encoded, and the exact
//! answers a reader should find.

use std::collections::BTreeMap;

use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume, MM3_PER_ML};

use crate::anatomy::{paint, PROFILES};
use crate::rng::SplitMix64;
use crate::variant::variant_for;
use crate::{CtEncoding, PatientTruth, PhantomError, PhantomOptions, TumorTruth};

/// A generated patient, ready to be written.
#[derive(Debug, Clone)]
pub struct PhantomPatient {
    /// `3Dircadb1.N` (N = index + 1).
    pub label: String,
    /// 0-based position in the cohort.
    pub index: usize,
    /// The cohort seed (UIDs and dates derive from it).
    pub seed: u64,
    /// The truth on a k-ascending grid (origin `[0, 0, 0]`, axial directions); masks are 0/1.
    pub image: PatientImage,
    pub encoding: CtEncoding,
    /// Transfer syntax UID of every file of this patient (CT and masks).
    pub transfer_syntax: &'static str,
    /// Instance Number 0 is the top slice (z decreasing with Instance Number).
    pub descending: bool,
    /// `MONOCHROME2`, or `MONOCHROME1` when asked for.
    pub photometric: &'static str,
    /// The `N` of entry `image_N` for each Instance Number (identity unless scrambled).
    pub entry_numbers: Vec<usize>,
    pub truth: PatientTruth,
}

impl PhantomPatient {
    /// Number of slices.
    pub fn slices(&self) -> usize {
        self.image.ct.geometry.dims[2]
    }

    /// Instance Number of the file holding k-ascending slice `k`.
    pub fn instance_of_slice(&self, k: usize) -> usize {
        if self.descending {
            self.slices() - 1 - k
        } else {
            k
        }
    }

    /// The k-ascending slice stored under Instance Number `instance` (an involution).
    pub fn slice_of_instance(&self, instance: usize) -> usize {
        self.instance_of_slice(instance)
    }

    /// Entry file name (`image_N`, no extension) of slice `k`, the same in CT and mask folders.
    pub fn entry_name(&self, k: usize) -> String {
        format!("image_{}", self.entry_numbers[self.instance_of_slice(k)])
    }

    /// The slice `k` whose entry is `image_{number}`, if any.
    pub fn slice_of_entry_number(&self, number: usize) -> Option<usize> {
        let instance = self.entry_numbers.iter().position(|&m| m == number)?;
        Some(self.slice_of_instance(instance))
    }

    /// Image Position (Patient) of slice `k`: x = y = 0, z = k × slice step.
    pub fn position_mm(&self, k: usize) -> [f64; 3] {
        self.image
            .ct
            .geometry
            .voxel_to_patient([0.0, 0.0, k as f64])
    }
}

/// Generates patient `index` (0-based) of the cohort described by `options`; deterministic in
/// `options.seed`, `index`, dims and spacing.
pub fn generate_patient(
    index: usize,
    options: &PhantomOptions,
) -> Result<PhantomPatient, PhantomError> {
    options.validate()?;
    let variant = variant_for(index, options.variations, options.monochrome1);
    let dims = options.dims;
    let anatomy = paint(
        index,
        options.seed,
        dims,
        options.spacing_mm,
        variant.encoding.needs_even_hu(),
    )?;
    let geometry = Geometry::axial(dims, options.spacing_mm, [0.0; 3]);
    let label = format!("3Dircadb1.{}", index + 1);

    let mut lesion_truth = Vec::new();
    for (n, lesion) in anatomy.lesions.iter().enumerate() {
        let (voxels, hu_sum) = anatomy.lesion_stats(n);
        let centre_ijk = lesion.shape.centre.map(|c| c as usize);
        lesion_truth.push((
            lesion.is_cyst,
            TumorTruth {
                structure: lesion.structure.clone(),
                voxels,
                centre_ijk,
                radii_ijk: lesion.shape.radii.map(|r| r as usize),
                centre_xyz_mm: geometry.voxel_to_patient(centre_ijk.map(|c| c as f64)),
                volume_ml: voxels as f64 * geometry.voxel_volume_mm3() / MM3_PER_ML,
                base_hu: lesion.base_hu,
                hu_sum,
            },
        ));
    }
    let mut tumors: Vec<TumorTruth> = lesion_truth
        .iter()
        .filter(|l| !l.0)
        .map(|l| l.1.clone())
        .collect();
    tumors.sort_by(|a, b| a.structure.cmp(&b.structure));
    let cysts: Vec<TumorTruth> = lesion_truth
        .into_iter()
        .filter(|l| l.0)
        .map(|l| l.1)
        .collect();

    let masks: Vec<LabelMask> = anatomy
        .masks
        .into_iter()
        .map(|(name, data)| LabelMask::new(name, data))
        .collect();
    let structure_voxels: BTreeMap<String, usize> = masks
        .iter()
        .map(|m| (m.name.clone(), m.voxel_count()))
        .collect();
    let slice_len = dims[0] * dims[1];
    let slice_hu_sums: Vec<i64> = anatomy
        .hu
        .chunks(slice_len)
        .map(|s| s.iter().map(|&v| i64::from(v)).sum())
        .collect();

    let slices = dims[2];
    let entry_numbers = if variant.scrambled_names {
        scrambled_numbers(slices, &mut SplitMix64::new(options.seed ^ index as u64, 2))
    } else {
        (0..slices).collect()
    };
    let photometric = if variant.monochrome1 {
        "MONOCHROME1"
    } else {
        "MONOCHROME2"
    };
    let truth = PatientTruth {
        label: label.clone(),
        dims,
        spacing_mm: options.spacing_mm,
        origin_mm: [0.0; 3],
        slices,
        structures: masks.iter().map(|m| m.name.clone()).collect(),
        liver_voxels: structure_voxels.get("liver").copied().unwrap_or(0),
        structure_voxels,
        tumors,
        cysts,
        liver_includes_lesions: PROFILES[index % PROFILES.len()].liver_includes_lesions,
        hu_sum: slice_hu_sums.iter().sum(),
        slice_hu_sums,
        encoding: variant.encoding,
        transfer_syntax: variant.transfer_syntax.to_owned(),
        descending: variant.descending,
        scrambled_names: variant.scrambled_names,
        photometric: photometric.to_owned(),
        corrupt_slice_k: None,
    };
    Ok(PhantomPatient {
        label: label.clone(),
        index,
        seed: options.seed,
        image: PatientImage {
            patient: label,
            ct: Volume {
                geometry,
                data: anatomy.hu,
            },
            masks,
        },
        encoding: variant.encoding,
        transfer_syntax: variant.transfer_syntax,
        descending: variant.descending,
        photometric,
        entry_numbers,
        truth,
    })
}

/// A permutation of `0..n` with no fixed point: entry numbers never equal instance numbers.
fn scrambled_numbers(n: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        p.swap(i, rng.range_usize(0, i));
    }
    // Swapping a fixed point with its neighbour removes it without creating another.
    for i in 0..n {
        if p[i] == i && n > 1 {
            p.swap(i, (i + 1) % n);
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scramble_is_a_derangement() {
        for n in [2usize, 3, 8, 24, 119] {
            let p = scrambled_numbers(n, &mut SplitMix64::new(n as u64, 0));
            let mut sorted = p.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
            assert!(p.iter().enumerate().all(|(i, &m)| i != m), "{p:?}");
        }
    }
}
