//! NIfTI cases (LiTS, MSD/nnU-Net, plain files) as patients of the format-neutral dataset
//! model, so they work wherever a DICOM cohort does: `scan`, `analyze`, `render`, `export`, the
//! viewer.

use std::path::Path;

use tumorscope_dataset::{
    Layout, LoadedPatient, NiftiSource, Patient, Series, SeriesInfo, SeriesSource, Skipped,
    Structure,
};

use crate::{discover, load_case_with_warnings, read_header, NiftiCase, NiftiError, NiftiLayout};

/// Whether a file name is a NIfTI image.
pub fn is_nifti_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".nii") || lower.ends_with(".nii.gz")
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
    let cases = match discover(root) {
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
    let mut skipped = Vec::new();
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
    let info = read_header(&case.image)?;
    let mut warnings = Vec::new();
    if let Some(labels) = &case.labels {
        match read_header(labels) {
            Ok(l) if l.dims != info.dims => warnings.push(format!(
                "label map `{}` is {:?}, the image {:?}: labels will not load",
                labels.display(),
                l.dims,
                info.dims
            )),
            Ok(_) => {}
            Err(e) => warnings.push(format!("label map unreadable: {e}")),
        }
    }
    let layout = match case.layout {
        NiftiLayout::Lits => Layout::Lits,
        NiftiLayout::Msd => Layout::Msd,
        NiftiLayout::Plain => Layout::Nifti,
        NiftiLayout::Structures => Layout::NiftiStructures,
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
        match read_header(path) {
            Ok(m) if m.dims != info.dims => structure.warnings.push(format!(
                "`{}` is {:?}, the image {:?}: another grid, the mask will not load",
                path.display(),
                m.dims,
                info.dims
            )),
            Ok(_) => {}
            Err(e) => structure.warnings.push(format!("unreadable: {e}")),
        }
        structures.push(structure);
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
        }),
        slices: Vec::new(),
        structures,
        warnings,
        localizer: false,
        missing_k: Vec::new(),
        info: SeriesInfo {
            modality: "CT".to_owned(),
            transfer_syntax: format!("NIfTI-1 {}", info.datatype),
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
        _ => NiftiLayout::Plain,
    };
    let case = NiftiCase {
        patient: patient.label.clone(),
        image: source.image.clone(),
        labels: source.labels.clone(),
        layout,
        label_names: source.label_names.clone(),
        structure_files: source.structure_files.clone(),
    };
    let (image, left_out) = load_case_with_warnings(&case)?;
    let mut warnings = series.warnings.clone();
    warnings.extend(left_out);
    Ok(LoadedPatient {
        image,
        warnings,
        skipped: Vec::new(),
    })
}
