//! What a DICOM object is, from its SOP Class and its pixel module: an image tumorscope can put
//! in a series, or one of the many non-image objects hospitals export beside images (reports,
//! RT plans and structure sets, segmentations, presentation states, documents, waveforms).

use crate::InstanceHeader;

/// Why an instance is not an image of a series, in words users know (`structured report`,
/// `RT structure set` …), or `None` for an image.
pub fn non_image_kind(h: &InstanceHeader) -> Option<String> {
    if let Some(kind) = kind_of_sop_class(&h.sop_class_uid) {
        return Some(kind.to_owned());
    }
    if !h.has_pixel_data {
        return Some("object without pixel data".to_owned());
    }
    if h.rows == 0 || h.columns == 0 {
        return Some(format!(
            "image of {}×{} pixels (no rows or columns)",
            h.columns, h.rows
        ));
    }
    None
}

/// The storage SOP classes that are never images of a volume (PS3.4 Annex B.5 and PS3.6).
fn kind_of_sop_class(uid: &str) -> Option<&'static str> {
    const STORAGE: &str = "1.2.840.10008.5.1.4.1.1.";
    let rest = uid.trim_end_matches('\0').strip_prefix(STORAGE)?;
    let family = |prefix: &str| rest == prefix || rest.starts_with(&format!("{prefix}."));
    Some(match rest {
        "481.3" => "RT structure set",
        "481.5" | "481.8" => "RT plan",
        "481.2" => "RT dose",
        "481.1" => "RT image",
        "66.4" => "segmentation",
        "66.7" => "label map segmentation",
        "66" => "raw data",
        "66.1" | "66.3" => "spatial registration",
        "66.2" => "spatial fiducials",
        "88.59" => "key object selection",
        "104.1" => "encapsulated PDF",
        "104.2" => "encapsulated CDA",
        "104.3" | "104.4" | "104.5" => "encapsulated 3D model",
        _ if family("88") => "structured report",
        _ if family("11") => "presentation state",
        _ if family("9") => "waveform",
        _ if family("481") => "RT object",
        _ if family("104") => "encapsulated document",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(sop: &str, pixels: bool, rows: u16) -> InstanceHeader {
        InstanceHeader {
            sop_class_uid: sop.to_owned(),
            has_pixel_data: pixels,
            rows,
            columns: rows,
            ..InstanceHeader::default()
        }
    }

    #[test]
    fn kinds() {
        let ct = "1.2.840.10008.5.1.4.1.1.2";
        assert_eq!(non_image_kind(&header(ct, true, 512)), None);
        let cases = [
            ("1.2.840.10008.5.1.4.1.1.88.22", "structured report"),
            ("1.2.840.10008.5.1.4.1.1.88.59", "key object selection"),
            ("1.2.840.10008.5.1.4.1.1.481.3", "RT structure set"),
            ("1.2.840.10008.5.1.4.1.1.481.5", "RT plan"),
            ("1.2.840.10008.5.1.4.1.1.66.4", "segmentation"),
            ("1.2.840.10008.5.1.4.1.1.11.1", "presentation state"),
            ("1.2.840.10008.5.1.4.1.1.104.1", "encapsulated PDF"),
            ("1.2.840.10008.5.1.4.1.1.9.1.1", "waveform"),
        ];
        for (uid, kind) in cases {
            assert_eq!(
                non_image_kind(&header(uid, true, 8)).as_deref(),
                Some(kind),
                "{uid}"
            );
        }
        assert_eq!(
            non_image_kind(&header(ct, false, 512)).as_deref(),
            Some("object without pixel data")
        );
        assert!(non_image_kind(&header(ct, true, 0)).is_some());
        // `1.2.840.10008.5.1.4.1.1.90…` is not the `9` family.
        assert_eq!(kind_of_sop_class("1.2.840.10008.5.1.4.1.1.90.1"), None);
    }
}
