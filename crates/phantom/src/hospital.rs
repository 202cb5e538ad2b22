//! DICOM objects that are not images, as hospitals export them beside their CT series:
//! structured reports, RT plans, a segmentation and an RT structure set whose CT is elsewhere,
//! presentation states,
//! encapsulated documents, waveforms, images without pixel data or with zero rows, and a file
//! whose File Meta group declares a huge length. Tests read them (they must be listed, never
//! loaded) and mutate them (they must never crash anything).

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::meta::FileMetaTableBuilder;
use dicom_object::InMemDicomObject;

/// One generated object.
#[derive(Debug, Clone)]
pub struct HospitalObject {
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// What `scan` lists it as (a non-image object); `None` when it is skipped instead.
    pub kind: Option<&'static str>,
    /// Part of the reason `scan` gives when it skips the file.
    pub skip_reason: Option<&'static str>,
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
    part10(obj, sop_class, &uid)
}

/// A valid BINARY DICOM SEG of 4×4 pixels: two frames of one segment (`liver`, SNOMED CT
/// 10200004), drawn on series `referenced_series` (which the hospital folder does not hold).
pub fn segmentation_object(referenced_series: &str) -> Vec<u8> {
    let sop_class = "1.2.840.10008.5.1.4.1.1.66.4";
    let uid = "2.25.9100";
    let item = |elements: Vec<DataElement<InMemDicomObject>>| {
        InMemDicomObject::from_element_iter(elements)
    };
    let seq = |tag, items: Vec<InMemDicomObject>| {
        DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
    };
    let text = |tag, vr, value: &str| DataElement::new(tag, vr, PrimitiveValue::from(value));
    let us = |tag, value: u16| DataElement::new(tag, VR::US, PrimitiveValue::from(value));
    let mut obj = InMemDicomObject::new_empty();
    for e in [
        text(tags::SOP_CLASS_UID, VR::UI, sop_class),
        text(tags::SOP_INSTANCE_UID, VR::UI, uid),
        text(tags::STUDY_INSTANCE_UID, VR::UI, "2.25.8001"),
        text(tags::SERIES_INSTANCE_UID, VR::UI, "2.25.8200"),
        text(tags::FRAME_OF_REFERENCE_UID, VR::UI, "2.25.8300"),
        text(tags::PATIENT_ID, VR::LO, "HOSP-1"),
        text(tags::MODALITY, VR::CS, "SEG"),
        text(tags::SEGMENTATION_TYPE, VR::CS, "BINARY"),
        text(tags::NUMBER_OF_FRAMES, VR::IS, "2"),
        us(tags::ROWS, 4),
        us(tags::COLUMNS, 4),
        us(tags::BITS_ALLOCATED, 1),
        us(tags::BITS_STORED, 1),
        us(tags::HIGH_BIT, 0),
        us(tags::SAMPLES_PER_PIXEL, 1),
        us(tags::PIXEL_REPRESENTATION, 0),
        text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"),
        seq(
            tags::REFERENCED_SERIES_SEQUENCE,
            vec![item(vec![text(
                tags::SERIES_INSTANCE_UID,
                VR::UI,
                referenced_series,
            )])],
        ),
        seq(
            tags::SEGMENT_SEQUENCE,
            vec![item(vec![
                us(tags::SEGMENT_NUMBER, 1),
                text(tags::SEGMENT_LABEL, VR::LO, "liver"),
                text(tags::SEGMENT_ALGORITHM_TYPE, VR::CS, "MANUAL"),
                seq(
                    tags::SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE,
                    vec![item(vec![
                        text(tags::CODE_VALUE, VR::SH, "10200004"),
                        text(tags::CODING_SCHEME_DESIGNATOR, VR::SH, "SCT"),
                        text(tags::CODE_MEANING, VR::LO, "Liver"),
                    ])],
                ),
            ])],
        ),
        seq(
            tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
            vec![item(vec![
                seq(
                    tags::PLANE_ORIENTATION_SEQUENCE,
                    vec![item(vec![text(
                        tags::IMAGE_ORIENTATION_PATIENT,
                        VR::DS,
                        "1\\0\\0\\0\\1\\0",
                    )])],
                ),
                seq(
                    tags::PIXEL_MEASURES_SEQUENCE,
                    vec![item(vec![
                        text(tags::PIXEL_SPACING, VR::DS, "1\\1"),
                        text(tags::SLICE_THICKNESS, VR::DS, "2"),
                    ])],
                ),
            ])],
        ),
        seq(
            tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
            (0..2)
                .map(|k| {
                    item(vec![
                        seq(
                            tags::PLANE_POSITION_SEQUENCE,
                            vec![item(vec![text(
                                tags::IMAGE_POSITION_PATIENT,
                                VR::DS,
                                &format!("0\\0\\{}", 2 * k),
                            )])],
                        ),
                        seq(
                            tags::SEGMENT_IDENTIFICATION_SEQUENCE,
                            vec![item(vec![us(tags::REFERENCED_SEGMENT_NUMBER, 1)])],
                        ),
                    ])
                })
                .collect(),
        ),
        // 2 frames × 16 pixels = 32 bits.
        DataElement::new(
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::from(vec![0x0f_u8, 0xf0, 0x66, 0x99]),
        ),
    ] {
        obj.put(e);
    }
    part10(obj, sop_class, uid)
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

/// A valid RT Structure Set: two ROIs (`GTV`, a GTV with two contours, one a hole; `liver`, an
/// ORGAN with one contour, a POINT and a two-point contour) drawn on series
/// `referenced_series` (which the hospital folder does not hold).
pub fn rtstruct_object(referenced_series: &str) -> Vec<u8> {
    let sop_class = "1.2.840.10008.5.1.4.1.1.481.3";
    let uid = "2.25.9101";
    let frame_of_reference = "2.25.8301";
    let item = |elements: Vec<DataElement<InMemDicomObject>>| {
        InMemDicomObject::from_element_iter(elements)
    };
    let seq = |tag, items: Vec<InMemDicomObject>| {
        DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
    };
    let text = |tag, vr, value: &str| DataElement::new(tag, vr, PrimitiveValue::from(value));
    let contour = |kind: &str, points: &[[f64; 3]]| {
        let data: Vec<String> = points.iter().flatten().map(|v| v.to_string()).collect();
        item(vec![
            text(tags::CONTOUR_GEOMETRIC_TYPE, VR::CS, kind),
            text(
                tags::NUMBER_OF_CONTOUR_POINTS,
                VR::IS,
                &points.len().to_string(),
            ),
            text(tags::CONTOUR_DATA, VR::DS, &data.join("\\")),
        ])
    };
    let square = |half: f64, z: f64| {
        [
            [-half, -half, z],
            [half, -half, z],
            [half, half, z],
            [-half, half, z],
        ]
    };
    let roi = |number: &str, name: &str| {
        item(vec![
            text(tags::ROI_NUMBER, VR::IS, number),
            text(
                tags::REFERENCED_FRAME_OF_REFERENCE_UID,
                VR::UI,
                frame_of_reference,
            ),
            text(tags::ROI_NAME, VR::LO, name),
        ])
    };
    let observation = |number: &str, kind: &str| {
        item(vec![
            text(tags::OBSERVATION_NUMBER, VR::IS, number),
            text(tags::REFERENCED_ROI_NUMBER, VR::IS, number),
            text(tags::RTROI_INTERPRETED_TYPE, VR::CS, kind),
        ])
    };
    let mut obj = InMemDicomObject::new_empty();
    for e in [
        text(tags::SOP_CLASS_UID, VR::UI, sop_class),
        text(tags::SOP_INSTANCE_UID, VR::UI, uid),
        text(tags::STUDY_INSTANCE_UID, VR::UI, "2.25.8001"),
        text(tags::SERIES_INSTANCE_UID, VR::UI, "2.25.8201"),
        text(tags::PATIENT_ID, VR::LO, "HOSP-1"),
        text(tags::MODALITY, VR::CS, "RTSTRUCT"),
        text(tags::STRUCTURE_SET_LABEL, VR::SH, "hospital"),
        seq(
            tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE,
            vec![item(vec![
                text(tags::FRAME_OF_REFERENCE_UID, VR::UI, frame_of_reference),
                seq(
                    tags::RT_REFERENCED_STUDY_SEQUENCE,
                    vec![item(vec![
                        text(tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, "2.25.8001"),
                        seq(
                            tags::RT_REFERENCED_SERIES_SEQUENCE,
                            vec![item(vec![text(
                                tags::SERIES_INSTANCE_UID,
                                VR::UI,
                                referenced_series,
                            )])],
                        ),
                    ])],
                ),
            ])],
        ),
        seq(
            tags::STRUCTURE_SET_ROI_SEQUENCE,
            vec![roi("1", "GTV"), roi("2", "liver")],
        ),
        seq(
            tags::ROI_CONTOUR_SEQUENCE,
            vec![
                item(vec![
                    text(tags::REFERENCED_ROI_NUMBER, VR::IS, "1"),
                    text(tags::ROI_DISPLAY_COLOR, VR::IS, "255\\0\\0"),
                    seq(
                        tags::CONTOUR_SEQUENCE,
                        vec![
                            contour("CLOSED_PLANAR", &square(4.0, 0.0)),
                            contour("CLOSED_PLANAR", &square(1.5, 0.0)),
                        ],
                    ),
                ]),
                item(vec![
                    text(tags::REFERENCED_ROI_NUMBER, VR::IS, "2"),
                    seq(
                        tags::CONTOUR_SEQUENCE,
                        vec![
                            contour("CLOSED_PLANAR", &square(9.0, 2.0)),
                            contour("POINT", &[[0.0, 0.0, 2.0]]),
                            contour("CLOSED_PLANAR", &square(9.0, 2.0)[..2]),
                        ],
                    ),
                ]),
            ],
        ),
        seq(
            tags::RTROI_OBSERVATIONS_SEQUENCE,
            vec![observation("1", "GTV"), observation("2", "ORGAN")],
        ),
    ] {
        obj.put(e);
    }
    part10(obj, sop_class, uid)
}

/// `obj` as a Part-10 file (explicit VR little endian).
fn part10(obj: InMemDicomObject, sop_class: &str, uid: &str) -> Vec<u8> {
    let file = obj
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(EXPLICIT_LE)
                .media_storage_sop_class_uid(sop_class)
                .media_storage_sop_instance_uid(uid),
        )
        .expect("a complete meta group");
    let mut out = Vec::new();
    file.write_all(&mut out).expect("writing to memory");
    out
}

/// Every kind above, with the name `scan` gives it.
pub fn hospital_objects() -> Vec<HospitalObject> {
    let classes = [
        ("1.2.840.10008.5.1.4.1.1.88.22", "structured report"),
        ("1.2.840.10008.5.1.4.1.1.481.5", "RT plan"),
        ("1.2.840.10008.5.1.4.1.1.11.1", "presentation state"),
        ("1.2.840.10008.5.1.4.1.1.104.1", "encapsulated PDF"),
        ("1.2.840.10008.5.1.4.1.1.9.1.1", "waveform"),
    ];
    let mut out = Vec::new();
    for (n, (uid, kind)) in classes.iter().enumerate() {
        out.push(HospitalObject {
            file_name: format!("obj{n}.dcm"),
            bytes: non_image_object(uid, n, 0, false),
            kind: Some(*kind),
            skip_reason: None,
        });
    }
    // A segmentation is read, and placed on its CT: this one's CT is not in the folder.
    out.push(HospitalObject {
        file_name: "seg.dcm".into(),
        bytes: segmentation_object("2.25.404"),
        kind: None,
        skip_reason: Some("segmentation not attached"),
    });
    // So is an RT structure set; this one's CT is not in the folder either.
    out.push(HospitalObject {
        file_name: "rtstruct.dcm".into(),
        bytes: rtstruct_object("2.25.405"),
        kind: None,
        skip_reason: Some("RT structure set not attached"),
    });
    let ct = "1.2.840.10008.5.1.4.1.1.2";
    out.push(HospitalObject {
        file_name: "zero_rows.dcm".into(),
        bytes: non_image_object(ct, 20, 0, true),
        kind: Some("image of 0×0 pixels (no rows or columns)"),
        skip_reason: None,
    });
    out.push(HospitalObject {
        file_name: "no_pixels.dcm".into(),
        bytes: non_image_object(ct, 21, 8, false),
        kind: Some("object without pixel data"),
        skip_reason: None,
    });
    out.push(HospitalObject {
        file_name: "huge_meta.dcm".into(),
        bytes: huge_meta_length(),
        kind: None,
        skip_reason: Some("File Meta element"),
    });
    out
}
