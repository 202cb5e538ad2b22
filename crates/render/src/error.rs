//! Why a render could not be made: the one error type of this crate.

use crate::Plane;

/// Everything that can go wrong while rendering or encoding a picture.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("unknown plane `{0}`\nhint: use `axial`, `coronal` or `sagittal`")]
    UnknownPlane(String),
    #[error("{plane} index `{index}` is outside the volume (valid: `0..{count}`)")]
    IndexOutOfRange {
        plane: Plane,
        index: usize,
        count: usize,
    },
    #[error("point `{xyz_mm:?}` mm lies outside the volume (voxel `{ijk:?}`, dims `{dims:?}`)")]
    OutsideVolume {
        xyz_mm: [f64; 3],
        ijk: [f64; 3],
        dims: [usize; 3],
    },
    #[error("no structure `{name}` in `{patient}`\nhint: available: {available}")]
    UnknownStructure {
        patient: String,
        name: String,
        available: String,
    },
    #[error("bad overlay item `{item}`: {reason}")]
    BadOverlay { item: String, reason: String },
    #[error("mask `{mask}` has `{found}` voxels, the CT has `{expected}`")]
    MaskSize {
        mask: String,
        expected: usize,
        found: usize,
    },
    #[error("CT holds `{found}` voxels, its geometry `{dims:?}` says `{expected}`")]
    VolumeSize {
        dims: [usize; 3],
        expected: usize,
        found: usize,
    },
    #[error("volume is empty (dims `{0:?}`)")]
    EmptyVolume([usize; 3]),
    #[error("scale must be positive and finite, found `{0}`")]
    BadScale(f64),
    #[error("rendered image would be `{width}`x`{height}` pixels, over the limit of `{limit}` per side\nhint: lower the scale")]
    TooLarge {
        width: usize,
        height: usize,
        limit: usize,
    },
    #[error("a montage needs at least one slice and one column")]
    EmptyMontage,
    #[error("grey lookup table has `{0}` entries, expected `65536`")]
    LutLength(usize),
    #[error("image buffer holds `{found}` bytes, `{width}`x`{height}` RGB needs `{expected}`")]
    ImageSize {
        width: usize,
        height: usize,
        expected: usize,
        found: usize,
    },
    #[error("png encoding of a `{width}`x`{height}` image failed")]
    Png {
        width: usize,
        height: usize,
        #[source]
        source: png::EncodingError,
    },
}
