//! Writes a small seed corpus for every fuzz target, from phantoms (never from a dataset):
//! `cargo run --example seeds -- corpus` in `fuzz/`, then `cargo fuzz run TARGET corpus/TARGET`.
//!
//! Seeds stay under 4 KiB where they can (the fuzzers run with `-max_len=4096`): 8×8 slices.

use std::io::Write;
use std::path::Path;

use tumorscope_core::{Geometry, Volume};
use tumorscope_phantom::{encode_slice, SliceEncoding, SliceTags};

fn slice(k: usize, mask: bool) -> Vec<u8> {
    let stored: Vec<i32> = (0..64)
        .map(|n| if mask { 255 * i32::from(n % 9 == 0) } else { n as i32 * 7 - 100 })
        .collect();
    let tags = SliceTags {
        sop_instance_uid: format!("2.25.{}{k}", u8::from(mask)),
        instance_number: k as i32 + 1,
        ..SliceTags::default()
    };
    let encoding = if mask {
        SliceEncoding::mask_u8()
    } else {
        SliceEncoding::ct_int16()
    };
    encode_slice(&stored, 8, 8, [0.0, 0.0, k as f64 * 2.5], [0.7, 0.7], &encoding, &tags)
        .expect("seed slice")
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        w.write_all(bytes).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("seed folder");
    std::fs::write(dir.join(name), bytes).expect("seed file");
}

fn main() {
    let out = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "corpus".into()));
    let (ct0, ct1, mask0) = (slice(0, false), slice(1, false), slice(0, true));
    for target in ["scan_header", "load_series"] {
        let dir = out.join(target);
        write(&dir, "ct0.dcm", &ct0);
        write(&dir, "ct1.dcm", &ct1);
        write(&dir, "mask0.dcm", &mask0);
    }
    let inner = zip_of(&[("PATIENT_DICOM/image_0", &ct0), ("PATIENT_DICOM/image_1", &ct1)]);
    let dir = out.join("walk_archive");
    write(&dir, "slices.zip", &inner);
    write(&dir, "nested.zip", &zip_of(&[("3Dircadb1.1/PATIENT_DICOM.zip", &inner)]));

    let geometry = Geometry::axial([4, 4, 3], [0.7, 0.7, 2.5], [0.0; 3]);
    let volume = Volume {
        data: (0..48).map(|n| n as i16 * 11 - 200).collect(),
        geometry: geometry.clone(),
    };
    let tmp = std::env::temp_dir().join(format!("tumorscope-seeds-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp folder");
    let dir = out.join("nifti_read");
    for name in ["ct.nii", "ct.nii.gz"] {
        tumorscope_nifti::write_volume_i16(&tmp.join(name), &volume).expect("nifti");
        write(&dir, name, &std::fs::read(tmp.join(name)).expect("read back"));
    }
    let labels: Vec<u8> = (0..48).map(|n| (n % 3) as u8).collect();
    tumorscope_nifti::write_mask_u8(&tmp.join("labels.nii"), &geometry, &labels).expect("nifti");
    write(&dir, "labels.nii", &std::fs::read(tmp.join("labels.nii")).expect("read back"));
    let _ = std::fs::remove_dir_all(&tmp);
    // NRRD as 3D Slicer writes it: a raw int16 image, a two-layer segmentation, and a text one.
    let dir = out.join("nrrd_read");
    let grid = "dimension: 3\nspace: left-posterior-superior\nsizes: 4 4 3\nspace directions: (0.7,0,0) (0,0.7,0) (0,0,2.5)\nspace origin: (-10,20,30)\n";
    let mut image = format!("NRRD0004\ntype: short\n{grid}endian: little\nencoding: raw\n\n").into_bytes();
    image.extend(volume.data.iter().flat_map(|v| v.to_le_bytes()));
    write(&dir, "ct.nrrd", &image);
    let mut seg = String::from("NRRD0004\ntype: uint8\ndimension: 4\nspace: left-posterior-superior\nsizes: 2 4 4 3\nkinds: list domain domain domain\nspace directions: none (0.7,0,0) (0,0.7,0) (0,0,2.5)\nspace origin: (-10,20,30)\nencoding: raw\n");
    for (n, (name, layer, value)) in [("liver", 0, 1), ("tumor", 1, 1), ("vessel", 0, 2)].iter().enumerate() {
        seg.push_str(&format!("Segment{n}_ID:=s{n}\nSegment{n}_Name:={name}\nSegment{n}_Layer:={layer}\nSegment{n}_LabelValue:={value}\nSegment{n}_Color:=0.5 0.2 0.1\n"));
    }
    seg.push('\n');
    let mut seg = seg.into_bytes();
    seg.extend((0..96).map(|n| (n % 3) as u8));
    write(&dir, "seg.nrrd", &seg);
    let text: String = labels.iter().map(|v| format!("{v} ")).collect();
    write(
        &dir,
        "labels.nrrd",
        format!("NRRD0005\ntype: uchar\n{grid}encoding: ascii\n\n{text}\n").as_bytes(),
    );
    // A 3×2 8-bit JPEG-LS stream written by CharLS (through DCMTK).
    write(
        &out.join("jpegls_decode"),
        "charls.jls",
        &[
            0xFF, 0xD8, 0xFF, 0xF7, 0x00, 0x0B, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0x01, 0x11,
            0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0xE0, 0xE1, 0xC9,
            0xFF, 0xD9,
        ],
    );
    println!("seeds written to `{}`", out.display());
}
