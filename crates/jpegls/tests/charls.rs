//! Streams written by the reference encoder (CharLS, through DCMTK's `dcmcjpls`) decode to the
//! samples they were made from: lossless exactly, near-lossless equal to DCMTK's own decoding
//! (`dcmdjpls`) and within NEAR of the original. Images cover 8, 12 and 16 bits, signed data,
//! flat regions (run mode), noise (regular mode, escape codes) and odd widths.
//!
//! Skips (passing, with a message) without `dcmcjpls`; `TUMORSCOPE_REQUIRE_TOOLS` makes that a
//! failure (CI installs dcmtk).

#![allow(clippy::print_stderr)]

use std::path::Path;
use std::process::Command;

use dicom_core::value::Value;
use dicom_dictionary_std::tags;
use tumorscope_phantom::{encode_slice, SliceEncoding, SliceTags};

fn have_dcmtk() -> bool {
    let ok = Command::new("dcmcjpls").arg("--version").output().is_ok();
    if !ok {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "dcmcjpls required but missing"
        );
        eprintln!("skipped: dcmcjpls (dcmtk) not installed");
    }
    ok
}

/// SplitMix64 values in `[lo, hi]`.
fn noise(seed: u64, n: usize, lo: i32, hi: i32) -> Vec<i32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            lo + (z % (hi - lo + 1) as u64) as i32
        })
        .collect()
}

/// An image mixing flat areas, ramps, edges and noise within `[lo, hi]`.
fn image(rows: usize, cols: usize, lo: i32, hi: i32, seed: u64) -> Vec<i32> {
    let n = noise(seed, rows * cols, lo, hi);
    (0..rows * cols)
        .map(|i| {
            let (x, y) = ((i % cols) as i32, (i / cols) as i32);
            let v = match (x * 4 / cols as i32, y * 3 / rows as i32) {
                (0, _) => lo,                               // flat: run mode
                (1, 0) => lo + (hi - lo) * x / cols as i32, // ramp
                (1, _) => {
                    if (x + y) % 7 < 3 {
                        hi
                    } else {
                        lo
                    }
                } // edges
                (2, _) => (lo + hi) / 2 + (n[i] - (lo + hi) / 2) / 64, // small noise
                _ => n[i],                                  // full noise: escapes
            };
            v.clamp(lo, hi)
        })
        .collect()
}

/// Pixel Data of a DICOM file: the first fragment when encapsulated, else the native bytes.
fn pixel_data(path: &Path) -> (Vec<u8>, bool) {
    let obj = dicom_object::open_file(path).unwrap();
    match obj.element(tags::PIXEL_DATA).unwrap().value() {
        Value::PixelSequence(seq) => (seq.fragments().concat(), true),
        Value::Primitive(p) => (p.to_bytes().into_owned(), false),
        Value::Sequence(_) => panic!("Pixel Data is a sequence"),
    }
}

fn dcmtk(tool: &str, args: &[&str], input: &Path, output: &Path) {
    let out = Command::new(tool)
        .args(args)
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn charls_streams_decode_to_their_samples() {
    if !have_dcmtk() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // (rows, cols, encoding, stored range)
    let u8_mask = SliceEncoding::mask_u8();
    let mut u12 = SliceEncoding::ct_int16();
    u12.bits_stored = 12;
    u12.pixel_representation = 0;
    let s16 = SliceEncoding::ct_int16();
    let mut u16_full = SliceEncoding::ct_int16();
    u16_full.pixel_representation = 0;
    let cases = [
        ("u8", 37, 53, &u8_mask, 0, 255),
        ("u12", 64, 61, &u12, 0, 4095),
        ("s16", 48, 40, &s16, -2000, 3000),
        ("u16", 33, 71, &u16_full, 0, 65535),
    ];
    let mut decoded_images = 0;
    for (name, rows, cols, enc, lo, hi) in cases {
        let stored = image(rows, cols, lo, hi, rows as u64 * 31 + cols as u64);
        let bytes = encode_slice(
            &stored,
            rows,
            cols,
            [0.0; 3],
            [1.0, 1.0],
            enc,
            &SliceTags::default(),
        )
        .unwrap();
        let raw = dir.path().join(format!("{name}.dcm"));
        std::fs::write(&raw, bytes).unwrap();
        let (native, _) = pixel_data(&raw);
        let bits = enc.bits_stored;
        let mask = if bits >= 16 {
            0xFFFF
        } else {
            (1u32 << bits) - 1
        };
        // (8-bit Pixel Data of an odd length carries a padding byte.)
        let stored_unsigned: Vec<u16> = if enc.bits_allocated == 8 {
            native
                .iter()
                .take(rows * cols)
                .map(|&b| u16::from(b))
                .collect()
        } else {
            native
                .chunks_exact(2)
                .map(|c| (u32::from(u16::from_le_bytes([c[0], c[1]])) & mask) as u16)
                .collect()
        };

        for (mode, args, near) in [
            ("lossless", vec!["+el"], 0),
            ("near2", vec!["+en", "+md", "2"], 2),
            ("near5", vec!["+en", "+md", "5"], 5),
        ] {
            // DCMTK encodes signed data losslessly only.
            if near > 0 && enc.pixel_representation == 1 {
                continue;
            }
            let coded = dir.path().join(format!("{name}-{mode}.dcm"));
            dcmtk("dcmcjpls", &args, &raw, &coded);
            let (stream, encapsulated) = pixel_data(&coded);
            assert!(encapsulated, "{name} {mode}: dcmcjpls wrote native data");
            let image =
                tumorscope_jpegls::decode(&stream).unwrap_or_else(|e| panic!("{name} {mode}: {e}"));
            assert_eq!((image.width, image.height), (cols, rows), "{name} {mode}");
            decoded_images += 1;
            if near == 0 {
                assert_eq!(image.samples, stored_unsigned, "{name} {mode}");
                continue;
            }
            // Near-lossless: exactly what the reference decoder gives, within NEAR of the input.
            let back = dir.path().join(format!("{name}-{mode}-back.dcm"));
            dcmtk("dcmdjpls", &[], &coded, &back);
            let (reference, _) = pixel_data(&back);
            let reference: Vec<u16> = if enc.bits_allocated == 8 {
                reference
                    .iter()
                    .take(rows * cols)
                    .map(|&b| u16::from(b))
                    .collect()
            } else {
                reference
                    .chunks_exact(2)
                    .map(|c| (u32::from(u16::from_le_bytes([c[0], c[1]])) & mask) as u16)
                    .collect()
            };
            assert_eq!(image.samples, reference, "{name} {mode}: vs dcmdjpls");
            for (a, b) in image.samples.iter().zip(&stored_unsigned) {
                assert!(
                    (i32::from(*a) - i32::from(*b)).abs() <= near,
                    "{name} {mode}: {a} vs {b}"
                );
            }
        }
    }
    assert_eq!(decoded_images, 10);
}

#[test]
fn broken_streams_are_errors_not_panics() {
    let stream = [
        0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0xE0, 0xE1, 0xC9, 0xFF, 0xD9,
    ];
    for cut in 0..stream.len() {
        let _ = tumorscope_jpegls::decode(&stream[..cut]);
    }
    let mut flipped = stream;
    for i in 0..flipped.len() {
        for bit in 0..8 {
            flipped[i] ^= 1 << bit;
            let _ = tumorscope_jpegls::decode(&flipped);
            flipped[i] ^= 1 << bit;
        }
    }
    // Scan data of zero bytes: 64 zero bits in a row once fit the bit cache (found by the
    // fuzz target: a shift overflow); now a code longer than LIMIT.
    let mut zeros = stream[..25].to_vec();
    zeros.extend_from_slice(&[0u8; 32]);
    zeros.extend_from_slice(&[0xFF, 0xD9]);
    assert!(tumorscope_jpegls::decode(&zeros).is_err());
    assert!(tumorscope_jpegls::decode(&[]).is_err());
    assert!(tumorscope_jpegls::decode(&stream[..20]).is_err());
}
