//! The one error type of this crate: every variant names the file it is about.

use std::path::PathBuf;

/// Why a NIfTI file or dataset could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum NiftiError {
    /// The file system refused a read (open, read, list a directory).
    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file system refused a write (temp file, write, rename).
    #[error("cannot write `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a NIfTI-1 single-file image.
    #[error("`{path}` is not a nifti-1 image: {reason}")]
    NotNifti { path: PathBuf, reason: String },
    /// A valid NIfTI file using a feature this crate does not read (NIfTI-2, `.hdr`/`.img`
    /// pairs, complex or RGB voxels, 4D data with more than one volume).
    #[error("`{path}` uses an unsupported feature: {what}")]
    Unsupported { path: PathBuf, what: String },
    /// The header's spatial transform does not describe a regular orthogonal grid.
    #[error("`{path}` has no usable geometry: {reason}")]
    BadGeometry { path: PathBuf, reason: String },
    /// The voxel data stops before `dims × bytes per voxel`.
    #[error("`{path}` ends early: expected `{expected}` bytes of voxels, found `{found}`")]
    Truncated {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
    /// A label map holds a value that is not a whole number in `0..=255`.
    #[error("label map `{path}` holds value `{value}`, not a whole number in `0..=255`")]
    BadLabel { path: PathBuf, value: f64 },
    /// A label map does not lie on the grid of its image.
    #[error("labels `{labels}` do not lie on the grid of image `{image}`: {detail}")]
    GeometryMismatch {
        image: PathBuf,
        labels: PathBuf,
        detail: String,
    },
    /// `dataset.json` of a Medical Segmentation Decathlon task could not be parsed.
    #[error("cannot parse `{path}`")]
    DatasetJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// An nnU-Net prediction whose image is not where the run's arguments say.
    #[error("nnU-Net prediction `{labels}` has no image: the input named in `{arguments}` is not there\nhint: keep the images where nnUNetv2_predict read them (`-i`), or fix `list_of_lists_or_source_folder`")]
    PredictionWithoutImage { labels: PathBuf, arguments: PathBuf },
    /// Two files claim the same case name.
    #[error("two files claim case `{case}`: `{first}` and `{second}`\nhint: keep one copy of the dataset under the folder")]
    DuplicateCase {
        case: String,
        first: PathBuf,
        second: PathBuf,
    },
    /// An NRRD file (image, label map, mask or 3D Slicer segmentation) could not be read.
    #[error(transparent)]
    Nrrd(#[from] tumorscope_nrrd::NrrdError),
    /// The data handed to a writer does not fit its geometry or the format.
    #[error("cannot write `{path}`: {reason}")]
    BadInput { path: PathBuf, reason: String },
}
