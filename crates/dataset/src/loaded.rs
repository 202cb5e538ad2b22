//! What loading a series gives: the image on its grid and what went wrong along the way.

use tumorscope_core::PatientImage;

use crate::Skipped;

/// A loaded patient with what went wrong along the way.
#[derive(Debug, Clone)]
pub struct LoadedPatient {
    pub image: PatientImage,
    /// The series' own warnings plus what loading noticed (rounding, clipping, padding).
    pub warnings: Vec<String>,
    /// Slices that could not be decoded (the volume has interpolated or empty slices there).
    pub skipped: Vec<Skipped>,
}
