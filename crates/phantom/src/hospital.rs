//! DICOM objects that are not images, as hospitals export them beside their CT series:
//! structured reports, RT structure sets and plans, segmentations, presentation states,
//! encapsulated documents, waveforms, images without pixel data or with zero rows, and a file
//! whose File Meta group declares a huge length. Tests read them (they must be listed, never
//! loaded) and mutate them (they must never crash anything).

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::meta::FileMetaTableBuilder;
use dicom_object::InMemDicomObject;

/// One generated object.
#[derive(Debug, Clone)]
pub struct HospitalObject {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// What `scan` should call it; `None` for the corrupt file (skipped with a reason).
    pub kind: Option<&'static str>,
}

const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// A minimal object of `sop_class`; `rows` > 0 adds an image pixel module, `pixels` a Pixel
/// Data element of the right size.
pub fn non_image_object(sop_class: &str, n: usize, rows: u16, pixels: bool) -> Vec<u8> {
    let mut obj = InMemDicomObject::new_empty();
    let mut put = |tag, vr, value: PrimitiveValue| obj.put(DataElement::new(tag, vr, value));
    let uid = format!("2.25.{}", 9000 + n);
    put(tags::SOP_CLASS_UID, VR::UI, sop_class.into());
    put(tags::SOP_INSTANCE_UID, VR::UI, uid.as_str().into());
    put(tags::STUDY_INSTANCE_UID, VR::UI, "2.25.8001".into());
    put(
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        format!("2.25.{}", 8100 + n).into(),
    );
    put(tags::PATIENT_ID, VR::LO, "HOSP-1".into());
    put(tags::MODALITY, VR::CS, "OT".into());
    if rows > 0 || pixels {
        put(tags::ROWS, VR::US, PrimitiveValue::from(rows));
        put(tags::COLUMNS, VR::US, PrimitiveValue::from(rows));
        put(tags::BITS_ALLOCATED, VR::US, PrimitiveValue::from(16_u16));
        put(tags::BITS_STORED, VR::US, PrimitiveValue::from(16_u16));
        put(
            tags::PIXEL_REPRESENTATION,
            VR::US,
            PrimitiveValue::from(1_u16),
        );
        put(tags::SAMPLES_PER_PIXEL, VR::US, PrimitiveValue::from(1_u16));
        put(
            tags::PHOTOMETRIC_INTERPRETATION,
            VR::CS,
            "MONOCHROME2".into(),
        );
    }
    if pixels {
        let bytes = vec![0u8; usize::from(rows) * usize::from(rows) * 2];
        put(tags::PIXEL_DATA, VR::OW, PrimitiveValue::from(bytes));
    }
    let file = obj
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(EXPLICIT_LE)
                .media_storage_sop_class_uid(sop_class)
                .media_storage_sop_instance_uid(uid.as_str()),
        )
        .expect("a complete meta group");
    let mut out = Vec::new();
    file.write_all(&mut out).expect("writing to memory");
    out
}

/// A Part-10 file whose File Meta group declares a 4 GiB element, then 500 KB of garbage.
pub fn huge_meta_length() -> Vec<u8> {
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    // (0002,0000) UL 4: the group length dicom-rs reads the meta group by.
    out.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
    out.extend_from_slice(&200_u32.to_le_bytes());
    // (0002,0001) OB, reserved, length 0xFFFFFFF0.
    out.extend_from_slice(&[0x02, 0x00, 0x01, 0x00, b'O', b'B', 0, 0]);
    out.extend_from_slice(&0xFFFF_FFF0_u32.to_le_bytes());
    out.extend((0..500_000u32).map(|i| (i * 7919 % 251) as u8));
    out
}

/// Every kind above, with the name `scan` gives it.
pub fn hospital_objects() -> Vec<HospitalObject> {
    let classes = [
        ("1.2.840.10008.5.1.4.1.1.88.22", "structured report"),
        ("1.2.840.10008.5.1.4.1.1.481.3", "RT structure set"),
        ("1.2.840.10008.5.1.4.1.1.481.5", "RT plan"),
        ("1.2.840.10008.5.1.4.1.1.66.4", "segmentation"),
        ("1.2.840.10008.5.1.4.1.1.11.1", "presentation state"),
        ("1.2.840.10008.5.1.4.1.1.104.1", "encapsulated PDF"),
        ("1.2.840.10008.5.1.4.1.1.9.1.1", "waveform"),
    ];
    let mut out = Vec::new();
    for (n, (uid, kind)) in classes.iter().enumerate() {
        // Segmentations carry pixels; the others none.
        let pixels = *kind == "segmentation";
        out.push(HospitalObject {
            file_name: format!("obj{n}.dcm"),
            bytes: non_image_object(uid, n, if pixels { 4 } else { 0 }, pixels),
            kind: Some(*kind),
        });
    }
    let ct = "1.2.840.10008.5.1.4.1.1.2";
    out.push(HospitalObject {
        file_name: "zero_rows.dcm".into(),
        bytes: non_image_object(ct, 20, 0, true),
        kind: Some("image of 0×0 pixels (no rows or columns)"),
    });
    out.push(HospitalObject {
        file_name: "no_pixels.dcm".into(),
        bytes: non_image_object(ct, 21, 8, false),
        kind: Some("object without pixel data"),
    });
    out.push(HospitalObject {
        file_name: "huge_meta.dcm".into(),
        bytes: huge_meta_length(),
        kind: None,
    });
    out
}
