//! Volume-file cases (LiTS, MSD/nnU-Net, structure folders, 3D Slicer, plain NIfTI and NRRD files) as patients of the format-neutral dataset
//! model, so they work wherever a DICOM cohort does: `scan`, `analyze`, `render`, `export`, the
//! viewer.

use std::path::Path;

use tumorscope_dataset::{
    Layout, LoadedPatient, NiftiSource, Patient, Series, SeriesInfo, SeriesSource, Skipped,
    Structure,
};

use crate::case::{placement, segment_role};
use crate::volume_file::{read_volume_header, volume_stem};
use crate::{discover_placed, load_case_with_warnings, NiftiCase, NiftiError, NiftiLayout};

/// Whether a file name is a volume file this crate reads (NIfTI or NRRD).
pub fn is_nifti_name(name: &str) -> bool {
    volume_stem(name).is_some()
}

/// The NIfTI patients under `root` (input path number `root_index`), and what could not be read.
pub fn nifti_patients(root: &Path, root_index: usize) -> (Vec<Patient>, Vec<Skipped>) {
    let is_candidate = root.is_dir()
        || root
            .file_name()
            .is_some_and(|n| is_nifti_name(&n.to_string_lossy()));
    if !is_candidate {
        return (Vec::new(), Vec::new());
    }
    let (cases, not_placed) = match discover_placed(root) {
        Ok(c) => c,
        Err(e) => {
            return (
                Vec::new(),
                vec![Skipped {
                    origin: root.display().to_string(),
                    reason: e.to_string(),
                }],
            )
        }
    };
    let mut patients = Vec::new();
    let mut skipped: Vec<Skipped> = not_placed
        .into_iter()
        .map(|n| Skipped {
            origin: n.path.display().to_string(),
            reason: n.reason,
        })
        .collect();
    for case in cases {
        match patient_of(&case, root_index) {
            Ok(p) => patients.push(p),
            Err(e) => skipped.push(Skipped {
                origin: case.image.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }
    (patients, skipped)
}

fn patient_of(case: &NiftiCase, root: usize) -> Result<Patient, NiftiError> {
    let info = read_volume_header(&case.image)?;
    let image = &info.geometry;
    // Where a label file lies on the image: a block of its grid loads, another grid does not.
    let placed = |path: &std::path::Path, block: bool| -> Option<String> {
        match read_volume_header(path) {
            Ok(h) => placement(image, &h.geometry, block).err().map(|detail| {
                format!(
                    "`{}` lies on another grid ({detail}): it will not load",
                    path.display()
                )
            }),
            Err(e) => Some(format!("unreadable: {e}")),
        }
    };
    let mut warnings = Vec::new();
    if let Some(labels) = &case.labels {
        warnings.extend(placed(labels, false).map(|w| format!("label map: {w}")));
    }
    let layout = match case.layout {
        NiftiLayout::Lits => Layout::Lits,
        NiftiLayout::Msd => Layout::Msd,
        NiftiLayout::Plain => Layout::Nifti,
        NiftiLayout::Structures => Layout::NiftiStructures,
        NiftiLayout::Nrrd => Layout::Nrrd,
        NiftiLayout::Slicer => Layout::Slicer,
    };
    let mut structures: Vec<Structure> = if case.labels.is_some() {
        case.label_names
            .iter()
            .map(|(_, name)| Structure::from_label_map(name))
            .collect()
    } else {
        Vec::new()
    };
    for (name, path) in &case.structure_files {
        let mut structure = Structure::from_label_map(name);
        structure.warnings.extend(placed(path, true));
        structures.push(structure);
    }
    for path in &case.segmentations {
        let header = match tumorscope_nrrd::read_header(path) {
            Ok(h) => h,
            Err(e) => {
                warnings.push(format!("segmentation left out: {e}"));
                continue;
            }
        };
        let (segments, notes) = tumorscope_nrrd::slicer_segments(&header);
        warnings.extend(
            notes
                .into_iter()
                .map(|n| format!("`{}`: {n}", path.display())),
        );
        if segments.is_empty() {
            warnings.push(format!(
                "`{}` names no segments (no `Segment0_ID`): not read as a segmentation",
                path.display()
            ));
        }
        let off_grid = placed(path, true);
        for segment in segments {
            let mut structure = Structure::from_label_map(&segment.name);
            structure.role = segment_role(&segment);
            structure.color_rgb = segment.color_rgb;
            structure.warnings.extend(off_grid.clone());
            structures.push(structure);
        }
    }
    let description = case
        .image
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let series = Series {
        series_uid: String::new(),
        study_uid: String::new(),
        modality: "CT".to_owned(),
        description: description.clone(),
        geometry: info.geometry.clone(),
        source: SeriesSource::Nifti(NiftiSource {
            image: case.image.clone(),
            labels: case.labels.clone(),
            label_names: case.label_names.clone(),
            structure_files: case.structure_files.clone(),
            segmentations: case.segmentations.clone(),
        }),
        slices: Vec::new(),
        structures,
        warnings,
        localizer: false,
        missing_k: Vec::new(),
        info: SeriesInfo {
            modality: "CT".to_owned(),
            transfer_syntax: info.encoding.clone(),
            storage: info.encoding.clone(),
            series_description: description,
            ..SeriesInfo::default()
        },
    };
    Ok(Patient {
        label: case.patient.clone(),
        layout,
        root,
        location: case
            .image
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
        series: vec![series],
        unattached: Vec::new(),
    })
}

/// Loads a series found by [`nifti_patients`] (`source` is its [`SeriesSource::Nifti`]).
pub fn load_nifti_series(
    patient: &Patient,
    series: &Series,
    source: &NiftiSource,
) -> Result<LoadedPatient, NiftiError> {
    let layout = match patient.layout {
        Layout::Lits => NiftiLayout::Lits,
        Layout::Msd => NiftiLayout::Msd,
        Layout::NiftiStructures => NiftiLayout::Structures,
        Layout::Nrrd => NiftiLayout::Nrrd,
        Layout::Slicer => NiftiLayout::Slicer,
        _ => NiftiLayout::Plain,
    };
    let case = NiftiCase {
        patient: patient.label.clone(),
        image: source.image.clone(),
        labels: source.labels.clone(),
        layout,
        label_names: source.label_names.clone(),
        structure_files: source.structure_files.clone(),
        segmentations: source.segmentations.clone(),
    };
    let (image, left_out) = load_case_with_warnings(&case)?;
    let mut warnings = series.warnings.clone();
    // What the scan already said (a segmentation it could not read) is said once.
    for w in left_out {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
    Ok(LoadedPatient {
        image,
        warnings,
        skipped: Vec::new(),
    })
}
