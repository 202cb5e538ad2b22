//! Writing results as a DICOM Segmentation (BINARY, PS3.3 A.51): one segment per structure
//! and per tumour, frames placed on the source CT by the functional groups, every frame
//! deriving from its CT slice, so PACS viewers (OHIF, Slicer, Horos) show it over the CT.
//!
//! Only frames holding a voxel are written (a sparse SEG, as highdicom writes by default).
//! UIDs are derived from the source series and the content (`2.25.<128-bit hash>`), so writing
//! the same result twice gives the same file. A CT without a Frame of Reference (3D-IRCADb)
//! gets one minted the same way: the SEG must carry one, and the caller says so.

use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::meta::FileMetaTableBuilder;
use dicom_object::InMemDicomObject;
use tumorscope_core::{BitMask, Geometry, StructureRole};
use tumorscope_dataset::Series;

use crate::seg::SEG_STORAGE;
use crate::DicomError;

const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// One segment to write.
#[derive(Debug, Clone)]
pub struct SegmentToWrite<'a> {
    pub label: String,
    pub role: StructureRole,
    /// Derived by tumorscope (a tumour component) rather than copied from an input mask.
    pub derived: bool,
    /// On the series grid.
    pub bits: &'a BitMask,
    /// Display colour, written as the segment's Recommended Display CIELab Value.
    pub color_rgb: [u8; 3],
}

/// What [`write_seg`] made.
#[derive(Debug, Clone)]
pub struct SegWritten {
    pub bytes: Vec<u8>,
    pub frames: usize,
    /// The CT had no Frame of Reference UID: this one was made up for the SEG.
    pub minted_frame_of_reference: Option<String>,
}

/// A BINARY SEG of `segments` over `series` (its slices' SOP Instance UIDs are referenced)
/// on `geometry`, the grid the masks were loaded on.
pub fn write_seg(
    series: &Series,
    geometry: &Geometry,
    segments: &[SegmentToWrite],
) -> Result<SegWritten, DicomError> {
    let fail = |reason: String| DicomError::Read {
        origin: series.series_uid.clone(),
        reason,
    };
    let [columns, rows, slices] = geometry.dims;
    let (Ok(rows_u16), Ok(columns_u16)) = (u16::try_from(rows), u16::try_from(columns)) else {
        return Err(fail(format!(
            "a grid of {columns}×{rows} pixels cannot be a SEG"
        )));
    };
    let slice_len = rows * columns;
    for s in segments {
        if s.bits.len() != geometry.len() {
            return Err(fail(format!(
                "segment `{}` is not on the series grid",
                s.label
            )));
        }
    }
    let info = &series.info;
    let seed = format!("{}\u{0}{}", series.series_uid, series.study_uid);
    let content: String = segments
        .iter()
        .map(|s| format!("{}:{}", s.label, s.bits.count_ones()))
        .collect::<Vec<_>>()
        .join(";");
    let series_uid = uid(&format!("{seed}\u{0}seg-series\u{0}{content}"));
    let instance_uid = uid(&format!("{seed}\u{0}seg-instance\u{0}{content}"));
    let (frame_of_reference, minted) = if info.frame_of_reference_uid.is_empty() {
        let minted = uid(&format!("{seed}\u{0}frame-of-reference"));
        (minted.clone(), Some(minted))
    } else {
        (info.frame_of_reference_uid.clone(), None)
    };
    // The CT instance (and frame, in a multi-frame CT) of each grid slice; interpolated
    // slices have none.
    let mut sop_of_k: Vec<Option<(&str, Option<u32>)>> = vec![None; slices];
    for s in &series.slices {
        if let Some(slot) = sop_of_k.get_mut(s.k) {
            if !s.sop_instance_uid.is_empty() {
                *slot = Some((&s.sop_instance_uid, s.frame));
            }
        }
    }
    let ct_class = if info.sop_class_uid.is_empty() {
        "1.2.840.10008.5.1.4.1.1.2"
    } else {
        info.sop_class_uid.as_str()
    };

    // Frames: (segment number, k) of every slice holding a voxel of the segment.
    let mut frames: Vec<(u16, usize)> = Vec::new();
    for (n, s) in segments.iter().enumerate() {
        let number = u16::try_from(n + 1).map_err(|_| fail("more than 65535 segments".into()))?;
        for k in 0..slices {
            if s.bits
                .ones_in(k * slice_len..(k + 1) * slice_len)
                .next()
                .is_some()
            {
                frames.push((number, k));
            }
        }
    }
    let mut pixels = frame_bits(&frames, segments, slice_len);
    if pixels.len() % 2 == 1 {
        pixels.push(0);
    }

    let text =
        |tag: Tag, vr: VR, value: &str| DataElement::new(tag, vr, PrimitiveValue::from(value));
    let us = |tag: Tag, value: u16| DataElement::new(tag, VR::US, PrimitiveValue::from(value));
    let item = |elements: Vec<DataElement<InMemDicomObject>>| {
        InMemDicomObject::from_element_iter(elements)
    };
    let seq = |tag: Tag, items: Vec<InMemDicomObject>| {
        DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
    };
    let code = |value: &str, scheme: &str, meaning: &str| {
        item(vec![
            text(tags::CODE_VALUE, VR::SH, value),
            text(tags::CODING_SCHEME_DESIGNATOR, VR::SH, scheme),
            text(tags::CODE_MEANING, VR::LO, meaning),
        ])
    };
    let ds = |values: &[f64]| {
        values
            .iter()
            .map(|v| format_ds(*v))
            .collect::<Vec<_>>()
            .join("\\")
    };
    let dimension_uid = uid(&format!("{seed}\u{0}dimensions\u{0}{content}"));
    let [row_dir, col_dir, _] = geometry.direction;

    let mut obj = InMemDicomObject::new_empty();
    let mut put = |e: DataElement<InMemDicomObject>| obj.put(e);
    // Patient and study: those of the CT.
    put(text(tags::PATIENT_NAME, VR::PN, &info.patient_name));
    put(text(tags::PATIENT_ID, VR::LO, &info.patient_id));
    put(text(
        tags::PATIENT_BIRTH_DATE,
        VR::DA,
        &info.patient_birth_date,
    ));
    put(text(tags::PATIENT_SEX, VR::CS, &info.patient_sex));
    put(text(tags::STUDY_INSTANCE_UID, VR::UI, &series.study_uid));
    put(text(tags::STUDY_DATE, VR::DA, &info.study_date));
    put(text(tags::STUDY_TIME, VR::TM, ""));
    put(text(tags::REFERRING_PHYSICIAN_NAME, VR::PN, ""));
    put(text(tags::STUDY_ID, VR::SH, ""));
    put(text(tags::ACCESSION_NUMBER, VR::SH, ""));
    put(text(
        tags::STUDY_DESCRIPTION,
        VR::LO,
        &info.study_description,
    ));
    // Series, equipment, frame of reference.
    put(text(tags::MODALITY, VR::CS, "SEG"));
    put(text(tags::SERIES_INSTANCE_UID, VR::UI, &series_uid));
    put(text(tags::SERIES_NUMBER, VR::IS, "9001"));
    put(text(
        tags::SERIES_DESCRIPTION,
        VR::LO,
        "tumorscope segmentation",
    ));
    put(text(
        tags::FRAME_OF_REFERENCE_UID,
        VR::UI,
        &frame_of_reference,
    ));
    put(text(tags::POSITION_REFERENCE_INDICATOR, VR::LO, ""));
    put(text(tags::MANUFACTURER, VR::LO, "tumorscope"));
    put(text(tags::MANUFACTURER_MODEL_NAME, VR::LO, "tumorscope"));
    put(text(tags::DEVICE_SERIAL_NUMBER, VR::LO, "1"));
    put(text(
        tags::SOFTWARE_VERSIONS,
        VR::LO,
        env!("CARGO_PKG_VERSION"),
    ));
    // Image and segmentation.
    put(text(tags::SOP_CLASS_UID, VR::UI, SEG_STORAGE));
    put(text(tags::SOP_INSTANCE_UID, VR::UI, &instance_uid));
    put(text(tags::INSTANCE_NUMBER, VR::IS, "1"));
    put(text(tags::CONTENT_DATE, VR::DA, &info.study_date));
    put(text(tags::CONTENT_TIME, VR::TM, "000000"));
    put(text(tags::CONTENT_LABEL, VR::CS, "TUMORSCOPE"));
    put(text(
        tags::CONTENT_DESCRIPTION,
        VR::LO,
        "structures and tumours (connected components)",
    ));
    put(text(tags::CONTENT_CREATOR_NAME, VR::PN, ""));
    put(text(tags::IMAGE_TYPE, VR::CS, "DERIVED\\PRIMARY"));
    put(text(tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "00"));
    put(text(tags::SEGMENTATION_TYPE, VR::CS, "BINARY"));
    put(us(tags::SAMPLES_PER_PIXEL, 1));
    put(text(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        "MONOCHROME2",
    ));
    put(us(tags::ROWS, rows_u16));
    put(us(tags::COLUMNS, columns_u16));
    put(us(tags::BITS_ALLOCATED, 1));
    put(us(tags::BITS_STORED, 1));
    put(us(tags::HIGH_BIT, 0));
    put(us(tags::PIXEL_REPRESENTATION, 0));
    put(text(
        tags::NUMBER_OF_FRAMES,
        VR::IS,
        &frames.len().to_string(),
    ));
    put(text(tags::DIMENSION_ORGANIZATION_TYPE, VR::CS, "3D"));
    put(seq(
        tags::DIMENSION_ORGANIZATION_SEQUENCE,
        vec![item(vec![text(
            tags::DIMENSION_ORGANIZATION_UID,
            VR::UI,
            &dimension_uid,
        )])],
    ));
    let dimension = |pointer: Tag, group: Tag, label: &str| {
        item(vec![
            text(tags::DIMENSION_ORGANIZATION_UID, VR::UI, &dimension_uid),
            DataElement::new(
                tags::DIMENSION_INDEX_POINTER,
                VR::AT,
                PrimitiveValue::Tags(vec![pointer].into()),
            ),
            DataElement::new(
                tags::FUNCTIONAL_GROUP_POINTER,
                VR::AT,
                PrimitiveValue::Tags(vec![group].into()),
            ),
            text(tags::DIMENSION_DESCRIPTION_LABEL, VR::LO, label),
        ])
    };
    put(seq(
        tags::DIMENSION_INDEX_SEQUENCE,
        vec![
            dimension(
                tags::REFERENCED_SEGMENT_NUMBER,
                tags::SEGMENT_IDENTIFICATION_SEQUENCE,
                "ReferencedSegmentNumber",
            ),
            dimension(
                tags::IMAGE_POSITION_PATIENT,
                tags::PLANE_POSITION_SEQUENCE,
                "ImagePositionPatient",
            ),
        ],
    ));
    // What it was drawn on.
    let mut instances: Vec<&str> = sop_of_k.iter().flatten().map(|(sop, _)| *sop).collect();
    instances.sort_unstable();
    instances.dedup();
    let referenced: Vec<InMemDicomObject> = instances
        .into_iter()
        .map(|sop| {
            item(vec![
                text(tags::REFERENCED_SOP_CLASS_UID, VR::UI, ct_class),
                text(tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, sop),
            ])
        })
        .collect();
    put(seq(
        tags::REFERENCED_SERIES_SEQUENCE,
        vec![item(vec![
            seq(tags::REFERENCED_INSTANCE_SEQUENCE, referenced),
            text(tags::SERIES_INSTANCE_UID, VR::UI, &series.series_uid),
        ])],
    ));
    // The segments.
    let segment_items: Vec<InMemDicomObject> = segments
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let (category, kind) = property_codes(s.role);
            let mut elements = vec![
                us(tags::SEGMENT_NUMBER, (n + 1) as u16),
                text(tags::SEGMENT_LABEL, VR::LO, &s.label),
                text(
                    tags::SEGMENT_ALGORITHM_TYPE,
                    VR::CS,
                    if s.derived { "AUTOMATIC" } else { "MANUAL" },
                ),
                seq(
                    tags::SEGMENTED_PROPERTY_CATEGORY_CODE_SEQUENCE,
                    vec![code(category.0, "SCT", category.1)],
                ),
                seq(
                    tags::SEGMENTED_PROPERTY_TYPE_CODE_SEQUENCE,
                    vec![code(kind.0, "SCT", kind.1)],
                ),
                DataElement::new(
                    tags::RECOMMENDED_DISPLAY_CIE_LAB_VALUE,
                    VR::US,
                    PrimitiveValue::U16(
                        crate::cielab::srgb_to_dicom_lab(s.color_rgb)
                            .into_iter()
                            .collect(),
                    ),
                ),
            ];
            if s.derived {
                elements.push(text(
                    tags::SEGMENT_ALGORITHM_NAME,
                    VR::LO,
                    crate::seg::COMPONENTS_ALGORITHM,
                ));
            }
            item(elements)
        })
        .collect();
    put(seq(tags::SEGMENT_SEQUENCE, segment_items));
    // Where every frame lies: shared orientation and spacing, per-frame position and source.
    put(seq(
        tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
        vec![item(vec![
            seq(
                tags::PLANE_ORIENTATION_SEQUENCE,
                vec![item(vec![text(
                    tags::IMAGE_ORIENTATION_PATIENT,
                    VR::DS,
                    &ds(&[
                        row_dir[0], row_dir[1], row_dir[2], col_dir[0], col_dir[1], col_dir[2],
                    ]),
                )])],
            ),
            seq(
                tags::PIXEL_MEASURES_SEQUENCE,
                vec![item(vec![
                    text(
                        tags::PIXEL_SPACING,
                        VR::DS,
                        &ds(&[geometry.spacing_mm[1], geometry.spacing_mm[0]]),
                    ),
                    text(
                        tags::SLICE_THICKNESS,
                        VR::DS,
                        &ds(&[geometry.spacing_mm[2]]),
                    ),
                    text(
                        tags::SPACING_BETWEEN_SLICES,
                        VR::DS,
                        &ds(&[geometry.spacing_mm[2]]),
                    ),
                ])],
            ),
        ])],
    ));
    let per_frame: Vec<InMemDicomObject> = frames
        .iter()
        .map(|&(number, k)| {
            let position = geometry.voxel_to_patient([0.0, 0.0, k as f64]);
            let mut elements = vec![
                seq(
                    tags::FRAME_CONTENT_SEQUENCE,
                    vec![item(vec![DataElement::new(
                        tags::DIMENSION_INDEX_VALUES,
                        VR::UL,
                        PrimitiveValue::U32(
                            [u32::from(number), k as u32 + 1].into_iter().collect(),
                        ),
                    )])],
                ),
                seq(
                    tags::PLANE_POSITION_SEQUENCE,
                    vec![item(vec![text(
                        tags::IMAGE_POSITION_PATIENT,
                        VR::DS,
                        &ds(&position),
                    )])],
                ),
                seq(
                    tags::SEGMENT_IDENTIFICATION_SEQUENCE,
                    vec![item(vec![us(tags::REFERENCED_SEGMENT_NUMBER, number)])],
                ),
            ];
            if let Some((sop, frame)) = sop_of_k[k] {
                let mut source = vec![
                    text(tags::REFERENCED_SOP_CLASS_UID, VR::UI, ct_class),
                    text(tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, sop),
                ];
                if let Some(frame) = frame {
                    // Frames are numbered from 1 in DICOM.
                    source.push(text(
                        tags::REFERENCED_FRAME_NUMBER,
                        VR::IS,
                        &(frame + 1).to_string(),
                    ));
                }
                source.push(seq(
                    tags::PURPOSE_OF_REFERENCE_CODE_SEQUENCE,
                    vec![code_dcm(
                        "121322",
                        "Source image for image processing operation",
                    )],
                ));
                elements.push(seq(
                    tags::DERIVATION_IMAGE_SEQUENCE,
                    vec![item(vec![
                        seq(
                            tags::DERIVATION_CODE_SEQUENCE,
                            vec![code_dcm("113076", "Segmentation")],
                        ),
                        seq(tags::SOURCE_IMAGE_SEQUENCE, vec![item(source)]),
                    ])],
                ));
            }
            item(elements)
        })
        .collect();
    put(seq(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, per_frame));
    put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::from(pixels),
    ));

    let file = obj
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(EXPLICIT_LE)
                .media_storage_sop_class_uid(SEG_STORAGE)
                .media_storage_sop_instance_uid(instance_uid.as_str()),
        )
        .map_err(|e| fail(crate::header::error_chain(&e)))?;
    let mut bytes = Vec::new();
    file.write_all(&mut bytes)
        .map_err(|e| fail(crate::header::error_chain(&e)))?;
    Ok(SegWritten {
        bytes,
        frames: frames.len(),
        minted_frame_of_reference: minted,
    })
}

/// Pixel Data of `frames`: one bit per pixel, least significant first, running on across frames
/// (PS3.5 8.1.1) — the order of [`BitMask`]'s words written little-endian, so whole words are
/// shifted into place instead of single bits.
fn frame_bits(frames: &[(u16, usize)], segments: &[SegmentToWrite], slice_len: usize) -> Vec<u8> {
    const WORD: usize = u64::BITS as usize;
    let total_bits = frames.len() * slice_len;
    let mut out = vec![0u64; total_bits.div_ceil(WORD)];
    let mut slice = vec![0u64; slice_len.div_ceil(WORD)];
    for (f, &(number, k)) in frames.iter().enumerate() {
        segments[usize::from(number) - 1]
            .bits
            .copy_bits(k * slice_len, slice_len, &mut slice);
        let start = f * slice_len;
        let (first, shift) = (start / WORD, start % WORD);
        for (i, &word) in slice.iter().enumerate().filter(|(_, w)| **w != 0) {
            out[first + i] |= word << shift;
            if shift > 0 {
                // `copy_bits` zeroes the bits past the slice, so nothing spills past the end.
                if let Some(next) = out.get_mut(first + i + 1) {
                    *next |= word >> (WORD - shift);
                }
            }
        }
    }
    let mut bytes: Vec<u8> = out.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.truncate(total_bits.div_ceil(8));
    bytes
}

/// A DICOM (DCM) code item.
fn code_dcm(value: &str, meaning: &str) -> InMemDicomObject {
    InMemDicomObject::from_element_iter([
        DataElement::new(tags::CODE_VALUE, VR::SH, PrimitiveValue::from(value)),
        DataElement::new(
            tags::CODING_SCHEME_DESIGNATOR,
            VR::SH,
            PrimitiveValue::from("DCM"),
        ),
        DataElement::new(tags::CODE_MEANING, VR::LO, PrimitiveValue::from(meaning)),
    ])
}

/// SNOMED CT category and type of a role (the codes the reader maps back to roles).
fn property_codes(
    role: StructureRole,
) -> ((&'static str, &'static str), (&'static str, &'static str)) {
    let anatomy = ("91723000", "Anatomical Structure");
    let altered = ("49755003", "Morphologically Altered Structure");
    match role {
        StructureRole::Liver => (anatomy, ("10200004", "Liver")),
        StructureRole::Tumor => (altered, ("108369006", "Neoplasm")),
        StructureRole::Cyst => (altered, ("441457006", "Cyst")),
        StructureRole::Vessel => (anatomy, ("59820001", "Blood vessel")),
        StructureRole::Other => (anatomy, ("85756007", "Tissue")),
    }
}

/// A DS value: at most 16 characters (PS3.5 6.2).
fn format_ds(v: f64) -> String {
    let v = if v == 0.0 { 0.0 } else { v };
    for precision in (0..=10).rev() {
        let s = format!("{v:.precision$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            s
        };
        if s.len() <= 16 {
            return s;
        }
    }
    format!("{v:.0}")
}

/// `2.25.` and the 128-bit FNV-1a hash of `text`: a UID that the same content always gets,
/// and other content practically never.
fn uid(text: &str) -> String {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    const BASIS: u128 = 0x6C62_272E_07BB_0142_62B8_2175_6295_C58D;
    let value = text
        .bytes()
        .fold(BASIS, |h, b| (h ^ u128::from(b)).wrapping_mul(PRIME));
    format!("2.25.{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ds_values_fit_sixteen_characters() {
        assert_eq!(format_ds(0.75), "0.75");
        assert_eq!(format_ds(-0.0), "0");
        assert_eq!(format_ds(-187.62890625), "-187.62890625");
        assert!(format_ds(-123456.123456789).len() <= 16);
        assert_eq!(format_ds(f64::from(1.6_f32)), "1.6000000238");
    }

    #[test]
    fn frames_are_packed_bit_by_bit_across_frame_boundaries() {
        // 3×3 slices (9 bits: frames do not start on byte or word boundaries), 80 slices.
        let slice_len = 9;
        let len = slice_len * 80;
        let a = BitMask::from_fn(&(0..len).collect::<Vec<_>>(), |v| v % 7 == 0 || v % 11 == 3);
        let b = BitMask::from_fn(&(0..len).collect::<Vec<_>>(), |v| v % 5 == 1);
        let segments = [
            SegmentToWrite {
                label: "a".into(),
                role: StructureRole::Liver,
                derived: false,
                bits: &a,
                color_rgb: [0, 255, 0],
            },
            SegmentToWrite {
                label: "b".into(),
                role: StructureRole::Tumor,
                derived: true,
                bits: &b,
                color_rgb: [255, 0, 0],
            },
        ];
        let frames: Vec<(u16, usize)> = (0..80)
            .map(|k| (1, k))
            .chain((3..77).step_by(3).map(|k| (2, k)))
            .collect();
        let packed = frame_bits(&frames, &segments, slice_len);
        assert_eq!(packed.len(), (frames.len() * slice_len).div_ceil(8));
        for (f, &(number, k)) in frames.iter().enumerate() {
            for v in 0..slice_len {
                let bit = f * slice_len + v;
                let got = packed[bit / 8] >> (bit % 8) & 1 == 1;
                let want = segments[usize::from(number) - 1]
                    .bits
                    .get(k * slice_len + v);
                assert_eq!(got, want, "frame {f} pixel {v}");
            }
        }
    }

    #[test]
    fn uids_are_stable_and_distinct() {
        assert_eq!(uid("a"), uid("a"));
        assert_ne!(uid("a"), uid("b"));
        assert!(uid("a").len() <= 64 && uid("a").starts_with("2.25."));
    }
}
