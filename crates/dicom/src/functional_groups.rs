//! The functional groups of a multi-frame object (PS3.3 C.7.6.16): where each frame lies and
//! how its stored values map to output values, from the frame's own item of the Per-Frame
//! Functional Groups Sequence, else from the Shared Functional Groups Sequence. Enhanced and
//! Legacy Converted Enhanced CT/MR images and segmentations all place their frames this way.

use dicom_core::header::HasLength;
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

/// What the functional groups say about one frame.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameGroups {
    /// Plane Position (Patient): Image Position (Patient) of the frame.
    pub position_mm: Option<[f64; 3]>,
    /// Plane Orientation (Patient): row then column direction cosines.
    pub orientation: Option<[f64; 6]>,
    /// Pixel Measures: Pixel Spacing, DICOM order (between rows, between columns).
    pub spacing_mm: Option<[f64; 2]>,
    /// Pixel Value Transformation: Rescale Slope and Intercept.
    pub rescale: Option<(f64, f64)>,
    /// Segment Identification: Referenced Segment Number (segmentations).
    pub segment: Option<u16>,
}

/// The groups of every frame of a Part-10 file's bytes, read up to its Pixel Data (every
/// declared length checked against the bytes first).
pub fn parse_frame_groups(bytes: &[u8]) -> Result<Vec<FrameGroups>, String> {
    if crate::length_check::check_part10(bytes, true) == crate::length_check::Fit::PastEnd {
        return Err(crate::header::TRUNCATED.to_owned());
    }
    let obj = dicom_object::OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .from_reader(std::io::Cursor::new(bytes))
        .map_err(|e| crate::header::error_chain(&e))?;
    frame_groups(&obj)
}

/// The groups of every frame of `obj`, in frame order. Errors when the Per-Frame Functional
/// Groups Sequence does not hold one item per frame.
pub(crate) fn frame_groups(obj: &InMemDicomObject) -> Result<Vec<FrameGroups>, String> {
    let shared = items(obj, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE).first();
    let per_frame = items(obj, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
    let frame_count = uint(obj, tags::NUMBER_OF_FRAMES).unwrap_or(1) as usize;
    if per_frame.len() != frame_count {
        return Err(format!(
            "{} per-frame functional group item(s) for {frame_count} frame(s)",
            per_frame.len()
        ));
    }
    // A group is looked up in the frame's own item first, then in the shared one.
    let group = |frame: &InMemDicomObject, seq: Tag| -> Option<InMemDicomObject> {
        items(frame, seq)
            .first()
            .cloned()
            .or_else(|| shared.and_then(|s| items(s, seq).first().cloned()))
    };
    Ok(per_frame
        .iter()
        .map(|f| FrameGroups {
            position_mm: group(f, tags::PLANE_POSITION_SEQUENCE)
                .and_then(|g| floats(&g, tags::IMAGE_POSITION_PATIENT)),
            orientation: group(f, tags::PLANE_ORIENTATION_SEQUENCE)
                .and_then(|g| floats(&g, tags::IMAGE_ORIENTATION_PATIENT)),
            spacing_mm: group(f, tags::PIXEL_MEASURES_SEQUENCE)
                .and_then(|g| floats(&g, tags::PIXEL_SPACING)),
            rescale: group(f, tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE).and_then(|g| {
                let [slope] = floats(&g, tags::RESCALE_SLOPE)?;
                let [intercept] = floats(&g, tags::RESCALE_INTERCEPT)?;
                Some((slope, intercept))
            }),
            segment: group(f, tags::SEGMENT_IDENTIFICATION_SEQUENCE)
                .and_then(|g| uint(&g, tags::REFERENCED_SEGMENT_NUMBER))
                .and_then(|n| u16::try_from(n).ok()),
        })
        .collect())
}

pub(crate) fn items(obj: &InMemDicomObject, tag: Tag) -> &[InMemDicomObject] {
    obj.get(tag).and_then(|e| e.items()).unwrap_or(&[])
}

pub(crate) fn text(obj: &InMemDicomObject, tag: Tag) -> String {
    obj.get(tag)
        .and_then(|e| e.value().to_str().ok())
        .map(|s| {
            s.trim_matches(|c: char| c == '\0' || c.is_whitespace())
                .to_owned()
        })
        .unwrap_or_default()
}

pub(crate) fn uint(obj: &InMemDicomObject, tag: Tag) -> Option<u32> {
    let e = obj.get(tag)?;
    if e.is_empty() {
        return None;
    }
    e.value().to_int::<u32>().ok()
}

pub(crate) fn floats<const N: usize>(obj: &InMemDicomObject, tag: Tag) -> Option<[f64; N]> {
    let v = obj.get(tag)?.value().to_multi_float64().ok()?;
    if v.len() < N || v.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let mut out = [0.0; N];
    out.copy_from_slice(&v[..N]);
    Some(out)
}
