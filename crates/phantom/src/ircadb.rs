//! The 3D-IRCADb-01 distribution layout, quirks included: per patient a `PATIENT_DICOM.zip`
//! (`PATIENT_DICOM/image_N`) and a `MASKS_DICOM.zip` (`MASKS_DICOM/<structure>/image_N`), empty
//! Patient ID, a study and series per mask, the structure only in folder and Patient's Name,
//! Window 0/0, no Frame of Reference, masks 8-bit 0/255 with Modality CT.

use std::io::{Cursor, Write};
use std::path::Path;

use dicom_core::VR;
use dicom_dictionary_std::tags;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::encode::{encode_slice, SliceEncoding, SliceTags};
use crate::uid::uid;
use crate::{PhantomError, PhantomPatient};

/// Encodes CT slice `k` (k-ascending truth index) as the file the dataset would hold.
pub fn encode_ct_slice(patient: &PhantomPatient, k: usize) -> Result<Vec<u8>, PhantomError> {
    check_k(patient, k, "ct")?;
    let geometry = &patient.image.ct.geometry;
    let n = geometry.slice_len();
    let stored: Vec<i32> = patient.image.ct.data[k * n..(k + 1) * n]
        .iter()
        .map(|&hu| patient.encoding.stored_from_hu(hu))
        .collect();
    let enc = patient
        .encoding
        .slice_encoding(patient.transfer_syntax, patient.photometric);
    let mut tags = common_tags(patient, k);
    tags.sop_instance_uid = uid(patient.seed, patient.index, "ct-sop", k);
    tags.study_instance_uid = uid(patient.seed, patient.index, "ct-study", 0);
    tags.series_instance_uid = uid(patient.seed, patient.index, "ct-series", 0);
    tags.series_number = 1;
    tags.patient_name = patient_stem(patient);
    tags.extra_text.push((
        tags::SERIES_DESCRIPTION,
        VR::LO,
        "abdomen venous phase (phantom)".to_owned(),
    ));
    encode_at(patient, k, &stored, &enc, &tags)
}

/// Encodes slice `k` of the mask called `structure` (8-bit, 0/255).
pub fn encode_mask_slice(
    patient: &PhantomPatient,
    structure: &str,
    k: usize,
) -> Result<Vec<u8>, PhantomError> {
    check_k(patient, k, structure)?;
    let (s, mask) = patient
        .image
        .masks
        .iter()
        .enumerate()
        .find(|(_, m)| m.name == structure)
        .ok_or_else(|| PhantomError::InvalidSlice {
            origin: format!("{}/{structure}", patient.label),
            reason: format!("no structure `{structure}`"),
        })?;
    let geometry = &patient.image.ct.geometry;
    let n = geometry.slice_len();
    let stored: Vec<i32> = (k * n..(k + 1) * n)
        .map(|v| if mask.bits.get(v) { 255 } else { 0 })
        .collect();
    let enc = SliceEncoding {
        transfer_syntax: patient.transfer_syntax,
        ..SliceEncoding::mask_u8()
    };
    let mut tags = common_tags(patient, k);
    // Every mask folder is its own study and series, with UIDs unrelated to the CT.
    let purpose = format!("mask-{structure}");
    tags.sop_instance_uid = uid(patient.seed, patient.index, &format!("{purpose}-sop"), k);
    tags.study_instance_uid = uid(patient.seed, patient.index, &format!("{purpose}-study"), 0);
    tags.series_instance_uid = uid(patient.seed, patient.index, &format!("{purpose}-series"), 0);
    tags.series_number = 2 + s as i32;
    tags.patient_name = format!("{}^{structure}", patient_stem(patient));
    tags.extra_text
        .push((tags::SERIES_DESCRIPTION, VR::LO, structure.to_owned()));
    encode_at(patient, k, &stored, &enc, &tags)
}

/// Slice `k` of `patient`'s grid (rows, columns, position, spacing) holding `stored`.
fn encode_at(
    patient: &PhantomPatient,
    k: usize,
    stored: &[i32],
    enc: &SliceEncoding,
    tags: &SliceTags,
) -> Result<Vec<u8>, PhantomError> {
    let dims = patient.image.ct.geometry.dims;
    encode_slice(
        stored,
        dims[1],
        dims[0],
        patient.position_mm(k),
        pixel_spacing(patient),
        enc,
        tags,
    )
}

/// `liver_N`, the stem of Patient's Name in 3D-IRCADb (`liver_17^livertumor1` for masks).
fn patient_stem(patient: &PhantomPatient) -> String {
    format!("liver_{}", patient.index + 1)
}

/// DICOM Pixel Spacing order: between rows (j step), between columns (i step).
fn pixel_spacing(patient: &PhantomPatient) -> [f64; 2] {
    let s = patient.image.ct.geometry.spacing_mm;
    [s[1], s[0]]
}

fn check_k(patient: &PhantomPatient, k: usize, what: &str) -> Result<(), PhantomError> {
    if k >= patient.slices() {
        return Err(PhantomError::InvalidSlice {
            origin: format!("{}/{what}", patient.label),
            reason: format!("slice `{k}` outside `0..{}`", patient.slices()),
        });
    }
    Ok(())
}

/// Attributes shared by CT and mask files of a patient (descriptive ones vary per patient).
fn common_tags(patient: &PhantomPatient, k: usize) -> SliceTags {
    let p = patient.index;
    let sex = if p.is_multiple_of(2) { "M" } else { "F" };
    let age = 38 + (p * 7) % 40;
    let study_year = 2007 + p % 3;
    let text = [
        (
            tags::STUDY_DATE,
            VR::DA,
            format!("{study_year}{:02}{:02}", 1 + p % 12, 1 + (p * 5) % 28),
        ),
        (tags::MANUFACTURER, VR::LO, "tumorscope".to_owned()),
        (
            tags::MANUFACTURER_MODEL_NAME,
            VR::LO,
            "synthetic phantom".to_owned(),
        ),
        (
            tags::INSTITUTION_NAME,
            VR::LO,
            "tumorscope phantom institute".to_owned(),
        ),
        (tags::KVP, VR::DS, "120".to_owned()),
        (tags::PATIENT_SEX, VR::CS, sex.to_owned()),
        (tags::PATIENT_AGE, VR::AS, format!("{age:03}Y")),
        (
            tags::PATIENT_BIRTH_DATE,
            VR::DA,
            format!("{}0101", study_year - age),
        ),
    ];
    SliceTags {
        instance_number: patient.instance_of_slice(k) as i32,
        modality: "CT".to_owned(),
        patient_id: String::new(),
        orientation: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        slice_thickness_mm: Some(patient.image.ct.geometry.spacing_mm[2]),
        window_center_width: Some((0.0, 0.0)),
        frame_of_reference_uid: None,
        extra_text: text.to_vec(),
        ..SliceTags::default()
    }
}

/// Where to put junk and which CT entry to truncate while building a patient's zips.
#[derive(Debug, Clone, Default)]
pub(crate) struct ZipQuirks {
    /// Add `.DS_Store` and `__MACOSX/…/._image_0` entries.
    pub junk: bool,
    /// Truncate the CT entry `image_{n}`.
    pub corrupt_entry_number: Option<usize>,
}

/// The two archives of one patient, with the entry names of what was added as quirks.
#[derive(Debug, Clone)]
pub(crate) struct PatientZips {
    pub ct_zip: Vec<u8>,
    pub masks_zip: Vec<u8>,
    /// `(archive file name, entry name)` of every junk entry.
    pub junk: Vec<(&'static str, String)>,
    /// Entry name of the truncated CT file.
    pub corrupt_entry: Option<String>,
}

/// Builds `PATIENT_DICOM.zip` and `MASKS_DICOM.zip` in memory.
pub(crate) fn build_patient_zips(
    patient: &PhantomPatient,
    quirks: &ZipQuirks,
) -> Result<PatientZips, PhantomError> {
    let slices = patient.slices();
    // Entries in a scattered (but fixed) order, as in the real archives.
    let order = entry_order(patient);
    let mut junk = Vec::new();
    let mut corrupt_entry = None;

    let mut ct = ArchiveWriter::new(format!("{}/PATIENT_DICOM.zip", patient.label));
    ct.directory("PATIENT_DICOM/")?;
    for &k in &order {
        let name = format!("PATIENT_DICOM/{}", patient.entry_name(k));
        let mut bytes = encode_ct_slice(patient, k)?;
        if quirks
            .corrupt_entry_number
            .is_some_and(|m| patient.entry_name(k) == format!("image_{m}"))
        {
            bytes.truncate(truncation_point(&bytes));
            corrupt_entry = Some(name.clone());
        }
        ct.file(&name, &bytes, CompressionMethod::Deflated)?;
    }
    if quirks.junk {
        for (name, bytes) in junk_entries("PATIENT_DICOM", "image_0") {
            ct.file(&name, &bytes, CompressionMethod::Deflated)?;
            junk.push(("PATIENT_DICOM.zip", name));
        }
    }

    let mut masks = ArchiveWriter::new(format!("{}/MASKS_DICOM.zip", patient.label));
    masks.directory("MASKS_DICOM/")?;
    for mask in &patient.image.masks {
        masks.directory(&format!("MASKS_DICOM/{}/", mask.name))?;
        for &k in &order {
            let name = format!("MASKS_DICOM/{}/{}", mask.name, patient.entry_name(k));
            masks.file(
                &name,
                &encode_mask_slice(patient, &mask.name, k)?,
                CompressionMethod::Deflated,
            )?;
        }
    }
    if quirks.junk {
        let name = "MASKS_DICOM/.DS_Store".to_owned();
        masks.file(&name, DS_STORE, CompressionMethod::Deflated)?;
        junk.push(("MASKS_DICOM.zip", name));
    }
    debug_assert_eq!(order.len(), slices);
    Ok(PatientZips {
        ct_zip: ct.finish()?,
        masks_zip: masks.finish()?,
        junk,
        corrupt_entry,
    })
}

/// A fixed scattered order of slices (by entry name as text, reversed in pairs), so neither
/// text nor numeric order of entries matches slice order.
fn entry_order(patient: &PhantomPatient) -> Vec<usize> {
    let mut order: Vec<usize> = (0..patient.slices()).collect();
    order.sort_by_key(|&k| patient.entry_name(k));
    for pair in order.chunks_mut(2) {
        pair.reverse();
    }
    order
}

/// A cut in the middle of the file meta group: preamble and `DICM` survive, the header does not.
fn truncation_point(bytes: &[u8]) -> usize {
    // The meta group length value sits at bytes 140..144; cut halfway into the group.
    let group_len = bytes
        .get(140..144)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .unwrap_or(0);
    (144 + group_len / 2 + 1).min(bytes.len())
}

/// Start of a macOS `.DS_Store` (Bud1 magic).
pub(crate) const DS_STORE: &[u8] =
    b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00\x00\x00\x08\x00\x00\x00\x10\x00";
/// Start of an AppleDouble `._` resource fork file (magic 0x00051607, version 2).
pub(crate) const APPLE_DOUBLE: &[u8] =
    b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\x09\x00\x00\x00\x32";

/// The junk a macOS zip of `folder` carries: `folder/.DS_Store` and `__MACOSX/folder/._<first>`.
fn junk_entries(folder: &str, first_entry: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        (format!("{folder}/.DS_Store"), DS_STORE.to_vec()),
        (
            format!("__MACOSX/{folder}/._{first_entry}"),
            APPLE_DOUBLE.to_vec(),
        ),
    ]
}

/// A zip being built in memory; errors name the archive and entry.
pub(crate) struct ArchiveWriter {
    name: String,
    zip: ZipWriter<Cursor<Vec<u8>>>,
}

impl ArchiveWriter {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            zip: ZipWriter::new(Cursor::new(Vec::new())),
        }
    }

    fn options(method: CompressionMethod) -> SimpleFileOptions {
        // A fixed timestamp keeps archives byte-identical across runs.
        SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644)
    }

    fn error(&self, entry: &str, source: zip::result::ZipError) -> PhantomError {
        PhantomError::Zip {
            origin: format!("{}!/{entry}", self.name),
            source,
        }
    }

    pub(crate) fn directory(&mut self, name: &str) -> Result<(), PhantomError> {
        let options = Self::options(CompressionMethod::Stored).unix_permissions(0o755);
        self.zip
            .add_directory(name, options)
            .map_err(|e| self.error(name, e))
    }

    pub(crate) fn file(
        &mut self,
        name: &str,
        bytes: &[u8],
        method: CompressionMethod,
    ) -> Result<(), PhantomError> {
        self.zip
            .start_file(name, Self::options(method))
            .map_err(|e| self.error(name, e))?;
        self.zip
            .write_all(bytes)
            .map_err(|e| self.error(name, e.into()))
    }

    pub(crate) fn finish(self) -> Result<Vec<u8>, PhantomError> {
        let name = self.name.clone();
        self.zip
            .finish()
            .map(Cursor::into_inner)
            .map_err(|source| PhantomError::Zip {
                origin: name,
                source,
            })
    }
}

/// Writes `<dir>/<label>/PATIENT_DICOM.zip` and `MASKS_DICOM.zip` (no junk, nothing corrupt).
pub fn write_patient_dir(patient: &PhantomPatient, dir: &Path) -> Result<(), PhantomError> {
    let zips = build_patient_zips(patient, &ZipQuirks::default())?;
    write_patient_zips(&zips, &dir.join(&patient.label))
}

/// Writes the two archives into `patient_dir` (created if needed).
pub(crate) fn write_patient_zips(
    zips: &PatientZips,
    patient_dir: &Path,
) -> Result<(), PhantomError> {
    create_dir(patient_dir)?;
    write_file(&patient_dir.join("PATIENT_DICOM.zip"), &zips.ct_zip)?;
    write_file(&patient_dir.join("MASKS_DICOM.zip"), &zips.masks_zip)
}

pub(crate) fn create_dir(path: &Path) -> Result<(), PhantomError> {
    std::fs::create_dir_all(path).map_err(|source| PhantomError::Io {
        path: path.to_owned(),
        source,
    })
}

pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PhantomError> {
    std::fs::write(path, bytes).map_err(|source| PhantomError::Io {
        path: path.to_owned(),
        source,
    })
}
