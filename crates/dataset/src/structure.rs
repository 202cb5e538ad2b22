//! A structure: one named mask (organ, tumor, vessel …) attached to an image series.

use serde::{Deserialize, Serialize};
use tumorscope_core::StructureRole;

use crate::SliceRef;

/// One structure of a series, with its role.
///
/// Where its voxels are depends on the format: DICOM mask series list their files in
/// `slices` (`k` is the index on the series grid); structures of a label map (NIfTI) have no
/// files of their own and are read from the series' [`SeriesSource`](crate::SeriesSource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    pub name: String,
    pub role: StructureRole,
    /// Series UID of the mask series it came from (empty when it has none).
    pub series_uid: String,
    /// Mask files, one per slice, `k` on the grid of the series it is attached to.
    pub slices: Vec<crate::SliceRef>,
    pub warnings: Vec<String>,
    /// Set when a DICOM SEG holds the voxels (then `slices` is empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segmentation: Option<SegmentFrames>,
    /// Set when the contours of an RT Structure Set ROI hold the voxels (then `slices` is
    /// empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contours: Option<RoiContours>,
    /// The display colour the file gives (RTSTRUCT ROI Display Color, SEG Recommended Display
    /// CIELab Value), sRGB; the default palette applies when it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_rgb: Option<[u8; 3]>,
}

/// One ROI of an RT Structure Set file: the file and the ROI Number, read again at load (the
/// contours themselves are not kept in the model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoiContours {
    /// The RTSTRUCT file's full origin.
    pub origin: String,
    pub roi_number: i64,
}

/// How a DICOM SEG stores its frames' pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum SegEncoding {
    /// One bit per pixel, packed across frame boundaries.
    Binary,
    /// 8 bits per pixel; inside from `threshold` (half the Maximum Fractional Value) on.
    Fractional { threshold: u16 },
    /// The pixel value is the segment number.
    Labelmap { bits_allocated: u16 },
}

/// The frames of one segment of a DICOM SEG file, placed on the series grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentFrames {
    /// The SEG file's full origin.
    pub origin: String,
    /// Segment Number (the pixel value in a labelmap).
    pub segment: u16,
    pub encoding: SegEncoding,
    /// Pixels per frame (rows × columns; equal to the series' slice).
    pub frame_pixels: usize,
    /// `[frame index from 0, k on the series grid]` of each frame showing this segment.
    pub frames: Vec<[usize; 2]>,
}

impl Structure {
    /// A structure read from its series' label map (no files of its own).
    pub fn from_label_map(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            role: tumorscope_core::classify_structure(name),
            series_uid: String::new(),
            slices: Vec::<SliceRef>::new(),
            warnings: Vec::new(),
            segmentation: None,
            contours: None,
            color_rgb: None,
        }
    }
}
