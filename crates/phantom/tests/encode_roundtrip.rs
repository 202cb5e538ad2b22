//! Round trip of the general-purpose slice encoder: every native transfer syntax and bit layout
//! is read back with dicom-object and checked tag by tag and pixel by pixel.

mod common;

use common::{int, read, stored_values, text};
use dicom_dictionary_std::{tags, uids};
use tumorscope_phantom::{
    encode_slice, SliceEncoding, SliceTags, EXPLICIT_VR_BIG_ENDIAN, NATIVE_TRANSFER_SYNTAXES,
};

fn sample(enc: &SliceEncoding, rows: usize, cols: usize) -> Vec<i32> {
    let (lo, hi) = enc.stored_range();
    (0..rows * cols)
        .map(|n| (lo + (n as i64 * 977) % (hi - lo + 1)) as i32)
        .collect()
}

#[test]
fn every_native_syntax_and_layout_round_trips() {
    let layouts = [
        SliceEncoding::ct_int16(),
        SliceEncoding {
            pixel_representation: 0,
            intercept: -1024.0,
            ..SliceEncoding::ct_int16()
        },
        SliceEncoding {
            pixel_representation: 0,
            bits_stored: 12,
            intercept: -1024.0,
            ..SliceEncoding::ct_int16()
        },
        SliceEncoding {
            pixel_representation: 1,
            bits_stored: 12,
            ..SliceEncoding::ct_int16()
        },
        SliceEncoding {
            pixel_representation: 0,
            slope: 2.0,
            intercept: -1024.0,
            ..SliceEncoding::ct_int16()
        },
        SliceEncoding {
            photometric: "MONOCHROME1",
            pixel_padding_value: Some(-2000),
            ..SliceEncoding::ct_int16()
        },
        SliceEncoding {
            pixel_representation: 0,
            pixel_padding_value: Some(0),
            ..SliceEncoding::ct_int16()
        },
        SliceEncoding::mask_u8(),
        SliceEncoding {
            pixel_representation: 1,
            ..SliceEncoding::mask_u8()
        },
    ];
    let (rows, cols) = (5, 7); // odd sizes: 8-bit pixel data needs a pad byte
    for ts in NATIVE_TRANSFER_SYNTAXES {
        for layout in &layouts {
            let enc = SliceEncoding {
                transfer_syntax: ts,
                ..layout.clone()
            };
            let stored = sample(&enc, rows, cols);
            let extra = SliceTags {
                instance_number: 42,
                slice_thickness_mm: Some(1.6),
                ..SliceTags::default()
            };
            let bytes = encode_slice(
                &stored,
                rows,
                cols,
                [-12.5, 3.25, 4.8],
                [0.7, 0.8],
                &enc,
                &extra,
            )
            .unwrap();
            assert_eq!(&bytes[128..132], b"DICM");
            let obj = read(&bytes);
            let what = format!("{ts} {enc:?}");
            assert_eq!(
                obj.meta().transfer_syntax().trim_end_matches('\0'),
                ts,
                "{what}"
            );
            assert_eq!(int(&obj, tags::ROWS), rows as i64);
            assert_eq!(int(&obj, tags::COLUMNS), cols as i64);
            assert_eq!(
                int(&obj, tags::BITS_ALLOCATED),
                i64::from(enc.bits_allocated)
            );
            assert_eq!(int(&obj, tags::BITS_STORED), i64::from(enc.bits_stored));
            assert_eq!(int(&obj, tags::HIGH_BIT), i64::from(enc.bits_stored - 1));
            assert_eq!(
                int(&obj, tags::PIXEL_REPRESENTATION),
                i64::from(enc.pixel_representation)
            );
            assert_eq!(int(&obj, tags::INSTANCE_NUMBER), 42);
            assert_eq!(
                text(&obj, tags::PHOTOMETRIC_INTERPRETATION),
                enc.photometric
            );
            assert_eq!(text(&obj, tags::IMAGE_POSITION_PATIENT), "-12.5\\3.25\\4.8");
            assert_eq!(text(&obj, tags::PIXEL_SPACING), "0.7\\0.8");
            assert_eq!(
                text(&obj, tags::IMAGE_ORIENTATION_PATIENT),
                "1\\0\\0\\0\\1\\0"
            );
            assert_eq!(text(&obj, tags::SLICE_THICKNESS), "1.6");
            assert_eq!(
                obj.element(tags::RESCALE_SLOPE)
                    .unwrap()
                    .to_float64()
                    .unwrap(),
                enc.slope
            );
            assert_eq!(
                obj.element(tags::RESCALE_INTERCEPT)
                    .unwrap()
                    .to_float64()
                    .unwrap(),
                enc.intercept
            );
            assert_eq!(text(&obj, tags::SOP_CLASS_UID), uids::CT_IMAGE_STORAGE);
            assert!(obj.element(tags::FRAME_OF_REFERENCE_UID).is_err());
            match enc.pixel_padding_value {
                Some(pad) => assert_eq!(
                    int(&obj, tags::PIXEL_PADDING_VALUE),
                    i64::from(pad),
                    "{what}"
                ),
                None => assert!(obj.element(tags::PIXEL_PADDING_VALUE).is_err()),
            }
            assert_eq!(stored_values(&obj), stored, "{what}");
            if ts != uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN {
                assert_eq!(
                    raw_tail_values(&bytes, &enc, rows * cols, ts),
                    stored,
                    "raw bytes {what}"
                );
            }
        }
    }
}

/// Pixel values read straight from the last bytes of the file (Pixel Data is the last element),
/// independently of dicom-rs: proves the byte order on disk.
fn raw_tail_values(bytes: &[u8], enc: &SliceEncoding, n: usize, ts: &str) -> Vec<i32> {
    let width = usize::from(enc.bits_allocated / 8);
    let len = n * width + (n * width) % 2;
    let tail = &bytes[bytes.len() - len..];
    (0..n)
        .map(|i| {
            match (
                width,
                ts == EXPLICIT_VR_BIG_ENDIAN,
                enc.pixel_representation,
            ) {
                (1, _, 0) => i32::from(tail[i]),
                (1, _, _) => i32::from(tail[i] as i8),
                (_, big, pr) => {
                    let pair = [tail[2 * i], tail[2 * i + 1]];
                    let w = if big {
                        u16::from_be_bytes(pair)
                    } else {
                        u16::from_le_bytes(pair)
                    };
                    if pr == 1 {
                        i32::from(w as i16)
                    } else {
                        i32::from(w)
                    }
                }
            }
        })
        .collect()
}
