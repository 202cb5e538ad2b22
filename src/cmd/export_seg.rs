//! `tumorscope export PATH --dicom-seg DIR`: one DICOM Segmentation per exam,
//! `DIR/<patient>/seg.dcm`, holding every structure as it was read and every tumour `analyze`
//! counts as a segment of its own, drawn over the CT series it came from.

use std::path::Path;

use anyhow::Context;
use tumorscope_analysis::{analyze_patient, tumor_masks, AnalysisOptions};
use tumorscope_core::{default_color, structure_colors, PatientImage, StructureRole};
use tumorscope_dataset::{Exam, SeriesSource};
use tumorscope_dicom::{write_seg, SegmentToWrite};

use crate::ui::write_atomic;

/// Writes `dir/seg.dcm` for `exam`; returns a note for the user when there is something to know
/// (a Frame of Reference UID had to be made up).
pub fn export_seg(
    exam: &Exam<'_>,
    image: &PatientImage,
    options: &AnalysisOptions,
    dir: &Path,
) -> anyhow::Result<Option<String>> {
    // A SEG references the instances it was drawn on: a NIfTI or NRRD CT has none.
    anyhow::ensure!(
        matches!(exam.series.source, SeriesSource::DicomSlices),
        "a DICOM SEG is drawn over a DICOM CT series; this CT is a NIfTI or NRRD file"
    );
    let stats = analyze_patient(image, options)?;
    let tumors = tumor_masks(image, &stats, options)?;
    // The colours the viewer and the PNGs show: the file's own, else the default palette.
    let palette = structure_colors(image.masks.iter().map(|m| (m.name.as_str(), m.role)));
    let file_color = |name: &str| {
        exam.series
            .structures
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.color_rgb)
    };
    let mut segments: Vec<SegmentToWrite> = image
        .masks
        .iter()
        .zip(palette)
        .map(|(m, default)| SegmentToWrite {
            label: m.name.clone(),
            role: m.role,
            derived: false,
            bits: &m.bits,
            color_rgb: file_color(&m.name).unwrap_or(default),
        })
        .collect();
    // Tumours after the structures, numbered as in the report (largest first).
    segments.extend(
        stats
            .tumors
            .iter()
            .zip(&tumors)
            .enumerate()
            .map(|(n, (t, bits))| {
                let label = format!("Tumor {}", t.id);
                SegmentToWrite {
                    color_rgb: default_color(&label, n),
                    label,
                    role: StructureRole::Tumor,
                    derived: true,
                    bits,
                }
            }),
    );
    segments.retain(|s| s.bits.count_ones() > 0);
    anyhow::ensure!(
        !segments.is_empty(),
        "no structure has a voxel on this CT: a SEG needs at least one frame"
    );
    let written = write_seg(exam.series, &image.ct.geometry, &segments)?;
    fs_err::create_dir_all(dir)?;
    write_atomic(&dir.join("seg.dcm"), &written.bytes)
        .with_context(|| format!("cannot write the SEG of {}", exam.label))?;
    Ok(written.minted_frame_of_reference.map(|uid| {
        format!(
            "the CT has no Frame of Reference UID; the SEG carries a new one ({uid}) and \
             references the CT's series and instances"
        )
    }))
}
