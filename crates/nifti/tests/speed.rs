//! Throughput of write and read on a CT-sized volume (run by hand, prints timings):
//! `cargo test -p tumorscope-nifti --test speed -- --ignored --nocapture`.
#![allow(clippy::print_stderr)]

use std::time::Instant;

use tumorscope_core::{Geometry, Volume};
use tumorscope_nifti::{
    read_ct_volume, read_header, read_label_map, write_mask_u8, write_volume_i16,
};

/// A 512×512×`slices` CT: air around an elliptic body of soft tissue with ±32 HU noise.
fn synthetic_ct(slices: usize) -> Volume<i16> {
    let geometry = Geometry::axial([512, 512, slices], [0.74, 0.74, 1.6], [-190.0, -190.0, 0.0]);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut data = Vec::with_capacity(geometry.len());
    for _k in 0..slices {
        for j in 0..512 {
            for i in 0..512 {
                let (x, y) = ((i as f64 - 256.0) / 230.0, (j as f64 - 256.0) / 170.0);
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let noise = (seed % 64) as i16 - 32;
                data.push(if x * x + y * y < 1.0 {
                    40 + noise
                } else {
                    -1024
                });
            }
        }
    }
    Volume { geometry, data }
}

#[test]
#[ignore = "timing run, prints figures"]
fn ct_write_and_read_speed() {
    let dir = tempfile::tempdir().unwrap();
    let ct = synthetic_ct(200);
    let mb = (ct.data.len() * 2) as f64 / 1e6;
    for name in ["ct.nii.gz", "ct.nii"] {
        let path = dir.path().join(name);
        let t = Instant::now();
        write_volume_i16(&path, &ct).unwrap();
        let write_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let back = read_ct_volume(&path).unwrap();
        let read_s = t.elapsed().as_secs_f64();
        assert_eq!(back.data, ct.data);
        let t = Instant::now();
        read_header(&path).unwrap();
        let header_s = t.elapsed().as_secs_f64();
        let size = std::fs::metadata(&path).unwrap().len() as f64 / 1e6;
        eprintln!(
            "{name}: {mb:.0} MB of voxels, file {size:.1} MB; write {write_s:.3} s ({:.0} MB/s), read {read_s:.3} s ({:.0} MB/s), header {:.2} ms",
            mb / write_s,
            mb / read_s,
            header_s * 1e3
        );
    }
    let mask: Vec<u8> = ct.data.iter().map(|&v| u8::from(v > 0)).collect();
    let path = dir.path().join("mask.nii.gz");
    let t = Instant::now();
    write_mask_u8(&path, &ct.geometry, &mask).unwrap();
    let write_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    assert_eq!(read_label_map(&path).unwrap().data, mask);
    eprintln!(
        "mask.nii.gz: write {write_s:.3} s, read {:.3} s",
        t.elapsed().as_secs_f64()
    );
}
