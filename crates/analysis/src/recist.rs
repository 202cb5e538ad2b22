//! RECIST 1.1 target lesion selection from measured tumors.
//!
//! Rules applied (RECIST 1.1, Eisenhauer et al. 2009): a lesion is measurable when its axial long
//! axis is at least 10 mm, or at least twice the slice thickness when slices are thicker than
//! 5 mm; up to 5 targets in total and 2 per organ, the largest first. Every tumor here is a
//! liver lesion, so at most 2 targets are chosen. The baseline sum of diameters adds their long
//! axes (lymph nodes, measured on the short axis, are out of scope).

use serde::{Deserialize, Serialize};

use crate::TumorStats;

/// Most targets per organ.
pub const MAX_TARGETS_PER_ORGAN: usize = 2;
/// Most targets in total.
pub const MAX_TARGETS: usize = 5;

/// The RECIST target lesions of a patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recist {
    /// Tumor ids, longest axial diameter first (ties: lower id).
    pub targets: Vec<u32>,
    /// Sum of the targets' axial long axes.
    pub sum_of_diameters_mm: f64,
    /// The measurability threshold that was applied.
    pub measurable_min_mm: f64,
    /// The slice thickness the threshold was derived from.
    pub slice_thickness_mm: f64,
}

/// The smallest measurable long axis for a slice thickness.
pub fn measurable_min_mm(slice_thickness_mm: f64) -> f64 {
    if slice_thickness_mm > 5.0 {
        2.0 * slice_thickness_mm
    } else {
        10.0
    }
}

/// Chooses the targets among `tumors` (all in one organ).
pub fn select_targets(tumors: &[TumorStats], slice_thickness_mm: f64) -> Recist {
    let min = measurable_min_mm(slice_thickness_mm);
    let mut measurable: Vec<&TumorStats> = tumors
        .iter()
        .filter(|t| t.axial_diameter_mm >= min)
        .collect();
    measurable.sort_by(|a, b| {
        b.axial_diameter_mm
            .total_cmp(&a.axial_diameter_mm)
            .then(a.id.cmp(&b.id))
    });
    measurable.truncate(MAX_TARGETS_PER_ORGAN.min(MAX_TARGETS));
    Recist {
        targets: measurable.iter().map(|t| t.id).collect(),
        // `+ 0.0`: an empty f64 sum is −0.0, which JSON would show as such.
        sum_of_diameters_mm: measurable.iter().map(|t| t.axial_diameter_mm).sum::<f64>() + 0.0,
        measurable_min_mm: min,
        slice_thickness_mm,
    }
}
