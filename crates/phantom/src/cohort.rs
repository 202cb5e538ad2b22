//! A whole synthetic cohort on disk: patient folders, or one `cohort.zip` holding them (inner
//! zips stored, as people zip folders of zips), with optional junk and one corrupt file.

use std::path::{Path, PathBuf};

use zip::CompressionMethod;

use crate::ircadb::{
    build_patient_zips, create_dir, write_file, write_patient_zips, ArchiveWriter, ZipQuirks,
    DS_STORE,
};
use crate::{generate_patient, PatientTruth, PhantomError, PhantomOptions};

/// What [`write_cohort`] wrote.
#[derive(Debug, Clone)]
pub struct CohortWritten {
    /// The cohort folder (`out_dir`) or the cohort archive (`out_dir/cohort.zip`).
    pub root: PathBuf,
    /// Truth of every patient, in index order.
    pub patients: Vec<PatientTruth>,
    /// Origins of junk files, `!/` separating archive levels.
    pub junk: Vec<String>,
    /// Origin of the truncated CT file.
    pub corrupt: Option<String>,
}

/// The entry number (`image_N`) truncated when [`PhantomOptions::corrupt_file`] is set.
pub const CORRUPT_ENTRY_NUMBER: usize = 7;

/// Text of the junk `README.txt`.
const README: &str = "synthetic 3D-IRCADb-like cohort written by tumorscope-phantom\n";

/// Writes every patient of `options` under `out_dir`.
///
/// `nested_zip = false`: `out_dir/3Dircadb1.N/{PATIENT_DICOM,MASKS_DICOM}.zip`;
/// `nested_zip = true`: `out_dir/cohort.zip` holding `3Dircadb1.N/PATIENT_DICOM.zip` … stored.
/// Origins look like `<out_dir>/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7` or
/// `<out_dir>/cohort.zip!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7`.
pub fn write_cohort(
    out_dir: &Path,
    options: &PhantomOptions,
    nested_zip: bool,
) -> Result<CohortWritten, PhantomError> {
    options.validate()?;
    create_dir(out_dir)?;
    let root = if nested_zip {
        out_dir.join("cohort.zip")
    } else {
        out_dir.to_owned()
    };
    let root_text = root.display().to_string();
    // Inside a zip, names continue after `!/`; in a folder, after `/`.
    let prefix = if nested_zip {
        format!("{root_text}!/")
    } else {
        format!("{root_text}/")
    };
    let corrupt_index =
        (options.corrupt_file && options.patients > 0).then(|| options.patients.min(3) - 1);

    let mut patients = Vec::with_capacity(options.patients);
    let mut junk = Vec::new();
    let mut corrupt = None;
    let mut cohort_zip = nested_zip.then(|| ArchiveWriter::new(root_text.clone()));
    if options.junk_files {
        junk.push(format!("{prefix}README.txt"));
        junk.push(format!("{prefix}.DS_Store"));
        match cohort_zip.as_mut() {
            Some(z) => {
                z.file("README.txt", README.as_bytes(), CompressionMethod::Deflated)?;
                z.file(".DS_Store", DS_STORE, CompressionMethod::Deflated)?;
            }
            None => {
                write_file(&out_dir.join("README.txt"), README.as_bytes())?;
                write_file(&out_dir.join(".DS_Store"), DS_STORE)?;
            }
        }
    }

    for index in 0..options.patients {
        let mut patient = generate_patient(index, options)?;
        let is_corrupt = corrupt_index == Some(index);
        let quirks = ZipQuirks {
            // Junk inside the archives of the first patient only: enough to be found.
            junk: options.junk_files && index == 0,
            corrupt_entry_number: is_corrupt.then_some(CORRUPT_ENTRY_NUMBER),
        };
        let zips = build_patient_zips(&patient, &quirks)?;
        let label = patient.label.clone();
        for (archive, entry) in &zips.junk {
            junk.push(format!("{prefix}{label}/{archive}!/{entry}"));
        }
        if let Some(entry) = &zips.corrupt_entry {
            corrupt = Some(format!("{prefix}{label}/PATIENT_DICOM.zip!/{entry}"));
            patient.truth.corrupt_slice_k = patient.slice_of_entry_number(CORRUPT_ENTRY_NUMBER);
        }
        match cohort_zip.as_mut() {
            Some(z) => {
                z.directory(&format!("{label}/"))?;
                z.file(
                    &format!("{label}/PATIENT_DICOM.zip"),
                    &zips.ct_zip,
                    CompressionMethod::Stored,
                )?;
                z.file(
                    &format!("{label}/MASKS_DICOM.zip"),
                    &zips.masks_zip,
                    CompressionMethod::Stored,
                )?;
            }
            None => write_patient_zips(&zips, &out_dir.join(&label))?,
        }
        patients.push(patient.truth);
    }
    if let Some(z) = cohort_zip {
        write_file(&root, &z.finish()?)?;
    }
    Ok(CohortWritten {
        root,
        patients,
        junk,
        corrupt,
    })
}
