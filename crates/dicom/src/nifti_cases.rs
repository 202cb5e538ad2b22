//! NIfTI datasets (LiTS, MSD/nnU-Net, plain files) as patients of a [`Dataset`], so they work
//! wherever a DICOM cohort does: `scan`, `analyze`, `render`, `export`, the viewer.
//!
//! NIfTI files are found on disk by `tumorscope-nifti`'s discovery; a NIfTI file inside a zip
//! archive is not read (it is reported as skipped with a hint to extract it).

use std::path::Path;

use tumorscope_core::classify_structure;
use tumorscope_nifti::{discover, read_header, NiftiCase, NiftiLayout};

use crate::dataset::{Layout, MaskSeries, NiftiSource, Patient, Series, Skipped};
use crate::InstanceHeader;

/// Whether a file name is a NIfTI image.
pub fn is_nifti_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".nii") || lower.ends_with(".nii.gz")
}

/// The NIfTI patients under `root`, and what could not be read.
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
            Err(reason) => skipped.push(Skipped {
                origin: case.image.display().to_string(),
                reason,
            }),
        }
    }
    (patients, skipped)
}

fn patient_of(case: &NiftiCase, root: usize) -> Result<Patient, String> {
    let info = read_header(&case.image).map_err(|e| e.to_string())?;
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
    };
    let masks = if case.labels.is_some() {
        case.label_names
            .iter()
            .map(|(_, name)| MaskSeries {
                name: name.clone(),
                role: classify_structure(name),
                series_uid: String::new(),
                slices: Vec::new(),
                warnings: Vec::new(),
                footprint: None,
            })
            .collect()
    } else {
        Vec::new()
    };
    let header = InstanceHeader {
        modality: "CT".to_owned(),
        transfer_syntax: format!("NIfTI-1 {}", info.datatype),
        series_description: case
            .image
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        rows: info.dims[1] as u16,
        columns: info.dims[0] as u16,
        pixel_spacing_mm: Some([info.spacing_mm[0], info.spacing_mm[1]]),
        ..InstanceHeader::default()
    };
    let series = Series {
        series_uid: String::new(),
        study_uid: String::new(),
        modality: "CT".to_owned(),
        description: header.series_description.clone(),
        geometry: info.geometry.clone(),
        slices: Vec::new(),
        masks,
        warnings,
        localizer: false,
        missing_k: Vec::new(),
        header,
        nifti: Some(NiftiSource {
            image: case.image.clone(),
            labels: case.labels.clone(),
            label_names: case.label_names.clone(),
        }),
    };
    Ok(Patient {
        label: case.patient.clone(),
        layout,
        root,
        series: vec![series],
        unattached_masks: Vec::new(),
    })
}

/// Rebuilds the discovery case of a NIfTI series, to load it.
pub(crate) fn case_of(patient: &Patient, source: &NiftiSource) -> NiftiCase {
    let layout = match patient.layout {
        Layout::Lits => NiftiLayout::Lits,
        Layout::Msd => NiftiLayout::Msd,
        _ => NiftiLayout::Plain,
    };
    NiftiCase {
        patient: patient.label.clone(),
        image: source.image.clone(),
        labels: source.labels.clone(),
        layout,
        label_names: source.label_names.clone(),
    }
}
