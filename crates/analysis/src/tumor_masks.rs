//! The voxels of each tumour an analysis counted, as masks: what a DICOM SEG export, a viewer
//! or a notebook needs beside the numbers.

use tumorscope_core::{BitMask, PatientImage};

use crate::patient::select_tumor_masks;
use crate::{label_components, AnalysisError, AnalysisOptions, PatientStats};

/// One mask per tumour of `stats` (in id order), on the image grid: the connected components
/// of the union of the tumour masks (with the connectivity `stats` was computed with), matched
/// to `stats.tumors` by voxel count and bounding box.
pub fn tumor_masks(
    image: &PatientImage,
    stats: &PatientStats,
    options: &AnalysisOptions,
) -> Result<Vec<BitMask>, AnalysisError> {
    let g = &image.ct.geometry;
    let n = g.len();
    let mut union = vec![0u8; n];
    for m in select_tumor_masks(image, options)? {
        for v in m.bits.ones() {
            union[v] = 1;
        }
    }
    let components = label_components(&union, g.dims, stats.connectivity).map_err(|source| {
        AnalysisError::Label {
            patient: image.patient.clone(),
            source,
        }
    })?;
    // Size and bounding box of every component.
    let count = components.count as usize;
    let mut voxels = vec![0usize; count + 1];
    let mut low = vec![[usize::MAX; 3]; count + 1];
    let mut high = vec![[0usize; 3]; count + 1];
    for (v, &label) in components.labels.iter().enumerate() {
        if label == 0 {
            continue;
        }
        let c = label as usize;
        let ijk = g.ijk(v);
        voxels[c] += 1;
        for a in 0..3 {
            low[c][a] = low[c][a].min(ijk[a]);
            high[c][a] = high[c][a].max(ijk[a]);
        }
    }
    let mut out = Vec::with_capacity(stats.tumors.len());
    for t in &stats.tumors {
        let label = (1..=count)
            .find(|&c| {
                voxels[c] == t.voxels && low[c] == t.bbox_ijk_min && high[c] == t.bbox_ijk_max
            })
            .ok_or_else(|| AnalysisError::StatsMismatch {
                patient: image.patient.clone(),
                tumor: t.id,
            })?;
        out.push(BitMask::from_fn(&components.labels, |&l| {
            l as usize == label
        }));
    }
    Ok(out)
}
