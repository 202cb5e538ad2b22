//! Synthetic CT cohorts with exactly known answers, written as real DICOM in the 3D-IRCADb-01
//! distribution layout.
//!
//! Each patient is a small abdomen painted on an integer grid (air, fat, soft tissue, a
//! vertebra, a liver ellipsoid, 0–3 tumors and sometimes a cyst strictly inside the liver) with
//! seeded noise; every mask count and HU sum in [`PatientTruth`] is counted from what was
//! generated, not estimated. Patients vary the things real data varies (CT pixel encoding,
//! transfer syntax, slice order, entry names, tumor mask naming, whether the liver mask covers
//! the tumors) so readers can be tested against all of them.
//!
//! The crate writes files and archives; it does not read them back (tests do, with dicom-rs).
//!
//! ```
//! use tumorscope_phantom::{generate_patient, encode_ct_slice, PhantomOptions};
//! let options = PhantomOptions { dims: [48, 48, 12], ..PhantomOptions::default() };
//! let patient = generate_patient(0, &options).unwrap();
//! assert_eq!(patient.label, "3Dircadb1.1");
//! assert_eq!(patient.truth.tumors.len(), 2);
//! let bytes = encode_ct_slice(&patient, 0).unwrap();
//! assert_eq!(&bytes[128..132], b"DICM");
//! ```

mod anatomy;
mod cohort;
mod encode;
mod error;
mod hospital;
mod ircadb;
mod options;
mod patient;
mod rng;
mod truth;
mod uid;
mod variant;

pub use cohort::{write_cohort, CohortWritten, CORRUPT_ENTRY_NUMBER};
pub use encode::{
    encode_slice, SliceEncoding, SliceTags, EXPLICIT_VR_BIG_ENDIAN, NATIVE_TRANSFER_SYNTAXES,
};
pub use error::PhantomError;
pub use hospital::{
    hospital_objects, huge_meta_length, non_image_object, rtstruct_object, segmentation_object,
    HospitalObject,
};
pub use ircadb::{encode_ct_slice, encode_mask_slice, write_patient_dir};
pub use options::{PhantomOptions, MAX_DIMS, MIN_DIMS};
pub use patient::{generate_patient, PhantomPatient};
pub use truth::{PatientTruth, TumorTruth};
pub use variant::CtEncoding;
