//! The functional groups of a multi-frame object (PS3.3 C.7.6.16): where each frame lies and
//! how its stored values map to output values, from the frame's own item of the Per-Frame
//! Functional Groups Sequence, else from the Shared Functional Groups Sequence. Enhanced and
//! Legacy Converted Enhanced CT/MR images and segmentations all place their frames this way.

use dicom_core::header::HasLength;
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

/// What the functional groups say about one frame.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
    /// Frame Content: the stack the frame belongs to (see [`StackKey`]).
    pub stack: StackKey,
}

/// Which stack of a multi-frame file a frame belongs to: its Stack ID, Temporal Position Index
/// and the Dimension Index Values of every dimension that is not a place within a stack (a
/// phase, an echo, a b-value …). Frames of one stack share one key; a file whose frames have
/// several keys holds several volumes at the same positions. Empty when the file says nothing.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct StackKey(Vec<(StackPart, u64, String)>);

/// What one component of a [`StackKey`] is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
enum StackPart {
    StackId,
    Temporal,
    /// The dimension's tag as (group, element): dicom-rs' `Tag` has no serde.
    Dimension(u16, u16),
}

impl StackKey {
    /// Whether the file said nothing about stacks for this frame.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for StackKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (n, (part, _, value)) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            match part {
                StackPart::StackId => write!(f, "stack `{value}`")?,
                StackPart::Temporal => write!(f, "temporal position {value}")?,
                StackPart::Dimension(group, element) => {
                    write!(f, "dimension {} = {value}", Tag(*group, *element))?
                }
            }
        }
        Ok(())
    }
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
    let dimensions = stack_dimensions(obj);
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
            stack: group(f, tags::FRAME_CONTENT_SEQUENCE)
                .map(|g| stack_key(&g, &dimensions))
                .unwrap_or_default(),
        })
        .collect())
}

/// Dimensions that place a frame within a stack: they do not tell stacks apart.
const IN_STACK: [Tag; 6] = [
    tags::IMAGE_POSITION_PATIENT,
    tags::IN_STACK_POSITION_NUMBER,
    tags::SLICE_LOCATION,
    // Stack ID and temporal position are keys of their own.
    tags::STACK_ID,
    tags::TEMPORAL_POSITION_INDEX,
    // A segmentation's frames are told apart by segment, not stacked.
    tags::REFERENCED_SEGMENT_NUMBER,
];

/// The Dimension Index Sequence: for each position of Dimension Index Values, the dimension's
/// tag when it tells stacks apart.
fn stack_dimensions(obj: &InMemDicomObject) -> Vec<Option<Tag>> {
    items(obj, tags::DIMENSION_INDEX_SEQUENCE)
        .iter()
        .map(|d| {
            d.get(tags::DIMENSION_INDEX_POINTER)
                .and_then(|e| e.value().to_tag().ok())
                .filter(|t| !IN_STACK.contains(t))
        })
        .collect()
}

/// One frame's stack key from its Frame Content item.
fn stack_key(content: &InMemDicomObject, dimensions: &[Option<Tag>]) -> StackKey {
    let mut key = Vec::new();
    let id = text(content, tags::STACK_ID);
    if !id.is_empty() {
        key.push((StackPart::StackId, id.parse().unwrap_or(u64::MAX), id));
    }
    if let Some(t) = uint(content, tags::TEMPORAL_POSITION_INDEX) {
        key.push((StackPart::Temporal, u64::from(t), t.to_string()));
    }
    let values = content
        .get(tags::DIMENSION_INDEX_VALUES)
        .and_then(|e| e.value().to_multi_int::<u32>().ok())
        .unwrap_or_default();
    for (value, dimension) in values.iter().zip(dimensions) {
        if let Some(tag) = dimension {
            key.push((
                StackPart::Dimension(tag.group(), tag.element()),
                u64::from(*value),
                value.to_string(),
            ));
        }
    }
    StackKey(key)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EntryHeader;

    /// A scan remembers multi-frame headers (the scan memo): every field, the stack key's
    /// dimension tags included, must come back equal.
    #[test]
    fn a_multiframe_entry_round_trips_through_its_record() {
        let frames = vec![
            FrameGroups {
                position_mm: Some([1.0, -2.5, 3.25]),
                orientation: Some([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
                spacing_mm: Some([0.7, 0.8]),
                rescale: Some((1.0, -1024.0)),
                segment: Some(2),
                stack: StackKey(vec![
                    (StackPart::StackId, 1, "1".into()),
                    (StackPart::Temporal, 3, "3".into()),
                    (StackPart::Dimension(0x0018, 0x9087), 800, "800".into()),
                ]),
            },
            FrameGroups::default(),
        ];
        let entry = EntryHeader::MultiFrame(Box::default(), frames);
        let json = serde_json::to_vec(&entry).unwrap();
        let back: EntryHeader = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, entry);
        let EntryHeader::MultiFrame(_, frames) = back else {
            unreachable!("a multi-frame entry reads back as one")
        };
        assert_eq!(
            frames[0].stack.to_string(),
            "stack `1`, temporal position 3, dimension (0018,9087) = 800"
        );
    }
}
