//! 3D Slicer's segmentation metadata (`.seg.nrrd`): one entry per segment with its name, the
//! layer and label value holding its voxels, its colour and its terminology code.
//!
//! Slicer writes `Segment<N>_<Field>:=value` key/value pairs (`Name`, `ID`, `Color` as three
//! floats in `0..1`, `LabelValue`, `Layer`, `Tags` with a `TerminologyEntry`). Files from
//! before Slicer 4.11 have no `LabelValue`/`Layer`: each segment is then a 0/1 layer of its
//! own, in segment order.

use crate::NrrdHeader;

/// One segment of a 3D Slicer segmentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// `Segment<N>`'s `N`.
    pub index: usize,
    pub id: String,
    pub name: String,
    /// The layer (value per voxel) holding the segment.
    pub layer: usize,
    /// The value marking the segment in its layer.
    pub label_value: u8,
    /// Display colour, when the file gives one.
    pub color_rgb: Option<[u8; 3]>,
    /// Terminology type as (coding scheme, code, meaning): `("SCT", "10200004", "Liver")`.
    pub property: Option<(String, String, String)>,
}

/// The segments a header describes, in segment order; empty for a plain NRRD volume.
///
/// A segment whose label value is not in `1..=255` or whose layer the data does not have is
/// left out and named in the returned warnings.
pub fn slicer_segments(header: &NrrdHeader) -> (Vec<Segment>, Vec<String>) {
    let mut segments = Vec::new();
    let mut warnings = Vec::new();
    let legacy = header.key_value("Segment0_LabelValue").is_none();
    for index in 0.. {
        let field = |name: &str| header.key_value(&format!("Segment{index}_{name}"));
        let (Some(id), name) = (field("ID"), field("Name")) else {
            if field("Name").is_none() {
                break;
            }
            warnings.push(format!("segment {index} has a name but no ID: left out"));
            continue;
        };
        let name = name.unwrap_or(id).trim().to_owned();
        let (layer, label_value) = if legacy {
            (index, Some(1))
        } else {
            (
                field("Layer")
                    .and_then(|l| l.trim().parse::<usize>().ok())
                    .unwrap_or(0),
                field("LabelValue").and_then(|v| v.trim().parse::<u8>().ok()),
            )
        };
        let Some(label_value) = label_value.filter(|&v| v != 0) else {
            warnings.push(format!(
                "segment `{name}` has label value `{}`, not in 1..=255: left out",
                field("LabelValue").unwrap_or("")
            ));
            continue;
        };
        if layer >= header.layers {
            warnings.push(format!(
                "segment `{name}` is in layer {layer}, the file has {}: left out",
                header.layers
            ));
            continue;
        }
        segments.push(Segment {
            index,
            id: id.to_owned(),
            name,
            layer,
            label_value,
            color_rgb: field("Color").and_then(parse_color),
            property: field("Tags").and_then(terminology_type),
        });
    }
    (segments, warnings)
}

/// `0.5 0.68 0.5` → RGB bytes.
fn parse_color(text: &str) -> Option<[u8; 3]> {
    let values: Vec<f64> = text
        .split_whitespace()
        .map(|v| v.parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()?;
    let rgb = <[f64; 3]>::try_from(values).ok()?;
    Some(rgb.map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8))
}

/// The type code of a `TerminologyEntry` tag:
/// `context~SCT^123037004^Anatomical Structure~SCT^10200004^Liver~…` → `(SCT, 10200004, Liver)`.
fn terminology_type(tags: &str) -> Option<(String, String, String)> {
    let entry = tags
        .split('|')
        .find_map(|tag| tag.strip_prefix("TerminologyEntry:"))?;
    let code = entry.split('~').nth(2)?;
    let mut parts = code.split('^');
    let (scheme, value, meaning) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
    (!scheme.is_empty() && !value.is_empty())
        .then(|| (scheme.to_owned(), value.to_owned(), meaning.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn header(keys: &str, layers: usize) -> NrrdHeader {
        let text = format!(
            "NRRD0004\ntype: uchar\ndimension: 4\nsizes: {layers} 1 1 1\nspace: LPS\nspace directions: none (1,0,0) (0,1,0) (0,0,1)\nencoding: raw\n{keys}\n"
        );
        crate::header::parse_header(Path::new("s.seg.nrrd"), &text, Some(0)).unwrap()
    }

    #[test]
    fn current_slicer_segments() {
        let h = header(
            "Segment0_ID:=Segment_1\nSegment0_Name:=liver\nSegment0_Color:=0.8 0.4 0.2\nSegment0_Layer:=0\nSegment0_LabelValue:=1\nSegment0_Tags:=Segmentation.Status:inprogress|TerminologyEntry:Segmentation category and type - 3D Slicer General Anatomy list~SCT^123037004^Anatomical Structure~SCT^10200004^Liver~^^~Anatomic codes - DICOM master list~^^~^^|\nSegment1_ID:=Segment_2\nSegment1_Name:=Tumor\nSegment1_Layer:=1\nSegment1_LabelValue:=3\nSegment2_ID:=bad\nSegment2_Name:=bad\nSegment2_Layer:=5\nSegment2_LabelValue:=1\n",
            2,
        );
        let (segments, warnings) = slicer_segments(&h);
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0].name, "liver");
        assert_eq!(segments[0].color_rgb, Some([204, 102, 51]));
        assert_eq!(
            segments[0].property,
            Some(("SCT".into(), "10200004".into(), "Liver".into()))
        );
        assert_eq!((segments[1].layer, segments[1].label_value), (1, 3));
        assert_eq!(segments[1].property, None);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("layer 5"), "{warnings:?}");
    }

    #[test]
    fn legacy_segments_are_one_layer_each() {
        let h = header(
            "Segment0_ID:=a\nSegment0_Name:=liver\nSegment1_ID:=b\nSegment1_Name:=vessels\n",
            2,
        );
        let (segments, _) = slicer_segments(&h);
        let placed: Vec<_> = segments
            .iter()
            .map(|s| (s.name.as_str(), s.layer, s.label_value))
            .collect();
        assert_eq!(placed, [("liver", 0, 1), ("vessels", 1, 1)]);
    }

    #[test]
    fn plain_volumes_have_no_segments() {
        assert!(slicer_segments(&header("", 1)).0.is_empty());
    }
}
