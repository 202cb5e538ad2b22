//! What to generate: cohort size, seed, grid and which quirks to include.

use crate::PhantomError;

/// Options of a synthetic cohort; [`Default`] gives three small patients with varied encodings.
#[derive(Debug, Clone, PartialEq)]
pub struct PhantomOptions {
    /// Number of patients (`3Dircadb1.1` … `3Dircadb1.N`).
    pub patients: usize,
    /// Everything (anatomy, noise, UIDs, entry order) follows from this seed and the patient index.
    pub seed: u64,
    /// `[columns, rows, slices]`; at least [`MIN_DIMS`].
    pub dims: [usize; 3],
    /// `[column step, row step, slice step]` in millimetres.
    pub spacing_mm: [f64; 3],
    /// Vary CT encodings, transfer syntaxes, slice order and entry names across patients; when
    /// false every patient is written like the real 3D-IRCADb data (int16, explicit VR LE, ascending).
    pub variations: bool,
    /// Add `README.txt`, `.DS_Store` and `__MACOSX/…/._image_0` files to the cohort and its zips.
    pub junk_files: bool,
    /// Truncate one CT entry (`image_7` of the third patient, or of the last one when fewer).
    pub corrupt_file: bool,
    /// Write the CT of odd-indexed patients (`3Dircadb1.2`, `.4` …) as MONOCHROME1 (same HU).
    pub monochrome1: bool,
}

impl Default for PhantomOptions {
    fn default() -> Self {
        Self {
            patients: 3,
            seed: 0x7475_6d6f_7273_636f,
            dims: [64, 64, 24],
            spacing_mm: [0.75, 0.75, 1.6],
            variations: true,
            junk_files: false,
            corrupt_file: false,
            monochrome1: false,
        }
    }
}

/// Smallest grid the anatomy (body, liver, lesions, vertebra) fits in.
pub const MIN_DIMS: [usize; 3] = [48, 48, 12];
/// Largest extent per axis: DICOM Rows/Columns are 16-bit and phantoms are meant to stay small.
pub const MAX_DIMS: [usize; 3] = [4096, 4096, 4096];

impl PhantomOptions {
    /// The cohort `tumorscope demo` (and `analyze` without a path) generates: `patients`
    /// body-sized patients (a 384 mm field of view, 192 mm of slices, so volumes look like real
    /// ones), clean (no junk, no corrupt file, so the exit status is 0).
    pub fn demo(patients: usize, seed: u64) -> Self {
        Self {
            patients,
            seed,
            dims: [192, 192, 48],
            spacing_mm: [2.0, 2.0, 4.0],
            junk_files: false,
            corrupt_file: false,
            ..Self::default()
        }
    }

    /// Number of patients of the default demo cohort.
    pub const DEMO_PATIENTS: usize = 6;

    /// Refuses grids the anatomy cannot fit in and unusable spacings.
    pub fn validate(&self) -> Result<(), PhantomError> {
        let invalid = |reason: String| Err(PhantomError::InvalidOptions { reason });
        for axis in 0..3 {
            if self.dims[axis] < MIN_DIMS[axis] || self.dims[axis] > MAX_DIMS[axis] {
                return invalid(format!(
                    "dims `{:?}` must lie between `{MIN_DIMS:?}` and `{MAX_DIMS:?}`",
                    self.dims
                ));
            }
        }
        if self
            .spacing_mm
            .iter()
            .any(|s| !(s.is_finite() && *s > 0.0 && *s < 1000.0))
        {
            return invalid(format!(
                "spacing `{:?}` must be positive millimetres",
                self.spacing_mm
            ));
        }
        Ok(())
    }
}
