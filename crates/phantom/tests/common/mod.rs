//! Reading helpers shared by the integration tests: open written bytes with dicom-object and
//! get tags and stored pixel values back.
#![allow(dead_code)]

use dicom_core::value::{DicomValueType, PrimitiveValue, Value};
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, OpenFileOptions};
use tumorscope_phantom::EXPLICIT_VR_BIG_ENDIAN;

pub fn read(bytes: &[u8]) -> DefaultDicomObject {
    OpenFileOptions::new()
        .from_reader(bytes)
        .expect("written file reads back")
}

pub fn text(obj: &DefaultDicomObject, tag: Tag) -> String {
    obj.element(tag)
        .unwrap()
        .to_str()
        .unwrap()
        .trim_end_matches(['\0', ' '])
        .to_owned()
}

pub fn int(obj: &DefaultDicomObject, tag: Tag) -> i64 {
    obj.element(tag).unwrap().to_int::<i64>().unwrap()
}

pub fn float(obj: &DefaultDicomObject, tag: Tag) -> f64 {
    obj.element(tag).unwrap().to_float64().unwrap()
}

pub fn floats(obj: &DefaultDicomObject, tag: Tag) -> Vec<f64> {
    obj.element(tag).unwrap().to_multi_float64().unwrap()
}

/// Stored values as dicom-rs decoded them, with Bits Stored and Pixel Representation applied.
pub fn stored_values(obj: &DefaultDicomObject) -> Vec<i32> {
    let n = (int(obj, tags::ROWS) * int(obj, tags::COLUMNS)) as usize;
    let bits_allocated = int(obj, tags::BITS_ALLOCATED);
    let bits_stored = int(obj, tags::BITS_STORED) as u32;
    let signed = int(obj, tags::PIXEL_REPRESENTATION) == 1;
    let value = obj.element(tags::PIXEL_DATA).unwrap().value();
    let Value::Primitive(p) = value else {
        panic!("pixel data is not primitive")
    };
    let little = obj.meta().transfer_syntax().trim_end_matches('\0') != EXPLICIT_VR_BIG_ENDIAN;
    let words: Vec<u32> = match (p, bits_allocated) {
        (PrimitiveValue::U8(b), 8) => b.iter().take(n).map(|&v| u32::from(v)).collect(),
        (PrimitiveValue::U8(b), 16) => b
            .chunks_exact(2)
            .take(n)
            .map(|c| {
                u32::from(if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                })
            })
            .collect(),
        // Implicit VR: the dictionary says "OB or OW" and dicom-rs reads OW words (little endian).
        (PrimitiveValue::U16(w), 8) => w
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .take(n)
            .map(u32::from)
            .collect(),
        (PrimitiveValue::U16(w), 16) => w.iter().take(n).map(|&v| u32::from(v)).collect(),
        (PrimitiveValue::I16(w), 16) => w.iter().take(n).map(|&v| u32::from(v as u16)).collect(),
        (other, bits) => panic!(
            "unexpected pixel value {:?} for {bits} bits",
            other.value_type()
        ),
    };
    assert_eq!(words.len(), n);
    words
        .into_iter()
        .map(|w| {
            let v = w & ((1u32 << bits_stored) - 1);
            if signed && v & (1 << (bits_stored - 1)) != 0 {
                v as i32 - (1i32 << bits_stored)
            } else {
                v as i32
            }
        })
        .collect()
}
