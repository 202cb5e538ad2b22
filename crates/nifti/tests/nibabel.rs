//! Cross-check with nibabel: the affine and voxels Python sees must be our geometry in RAS.
//!
//! Skips (passing, with a message) when `python3` with `nibabel` and `numpy` is missing;
//! set `TUMORSCOPE_REQUIRE_NIBABEL=1` to make that a failure.
#![allow(clippy::print_stderr)]

mod common;

use std::process::Command;

use common::{awkward_geometries, ramp_ct};
use tumorscope_nifti::{read_ct_volume, write_mask_u8, write_volume_i16};

const CHECK: &str = r#"
import sys, json
import nibabel as nib, numpy as np
path, expected = sys.argv[1], json.loads(sys.argv[2])
img = nib.load(path)
data = np.asanyarray(img.dataobj)
assert data.dtype == np.dtype(expected["dtype"]), data.dtype
assert list(data.shape) == expected["shape"], data.shape
affine = np.array(expected["affine"])
assert np.allclose(img.affine, affine, atol=1e-4), (img.affine, affine)
assert np.allclose(img.get_qform(), affine, atol=1e-4), (img.get_qform(), affine)
assert int(img.header["sform_code"]) == 1 and int(img.header["qform_code"]) == 1
assert img.header.get_xyzt_units()[0] == "mm"
# Our voxel index n = (k*rows + j)*cols + i is Fortran order over (i, j, k).
flat = np.asarray(expected["data"])
assert np.array_equal(data.reshape(-1, order="F"), flat)
# Write a file of nibabel's own for us to read back: the same grid, voxels halved.
out = nib.Nifti1Image((data.astype(np.int32) // 2).astype(np.int16), img.affine)
out.set_qform(None, code=0)
nib.save(out, sys.argv[3])
print("ok")
"#;

fn nibabel_available() -> bool {
    Command::new("python3")
        .args(["-c", "import nibabel, numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn nibabel_sees_our_affine_and_voxels() {
    if !nibabel_available() {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "nibabel required but missing"
        );
        eprintln!("skipped: python3 with nibabel and numpy not found (pip install nibabel numpy)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (what, geometry) in awkward_geometries() {
        let ct = ramp_ct(geometry.clone());
        let path = dir.path().join(format!("{what}.nii.gz"));
        write_volume_i16(&path, &ct).unwrap();
        let lps = geometry.voxel_to_patient_matrix();
        let flip = [-1.0, -1.0, 1.0, 1.0];
        let affine: Vec<Vec<f64>> = (0..4)
            .map(|r| lps[r].iter().map(|v| flip[r] * v).collect())
            .collect();
        let back_path = dir.path().join(format!("{what}-nibabel.nii.gz"));
        for (dtype, data, file) in [
            (
                "int16",
                ct.data.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(),
                path.clone(),
            ),
            (
                "uint8",
                ct.data.iter().map(|&v| i64::from(v as u8)).collect(),
                dir.path().join(format!("{what}-mask.nii.gz")),
            ),
        ] {
            if dtype == "uint8" {
                let bytes: Vec<u8> = data.iter().map(|&v| v as u8).collect();
                write_mask_u8(&file, &geometry, &bytes).unwrap();
            }
            let expected = serde_json::json!({
                "dtype": dtype,
                "shape": geometry.dims,
                "affine": affine,
                "data": data,
            });
            let out = Command::new("python3")
                .args(["-c", CHECK])
                .arg(&file)
                .arg(expected.to_string())
                .arg(&back_path)
                .output()
                .unwrap();
            assert!(
                out.status.success() && out.stdout.starts_with(b"ok"),
                "{what} {dtype}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // nibabel's file (sform only, after the uint8 pass) reads back on our grid.
        let theirs = read_ct_volume(&back_path).unwrap();
        common::assert_geometry_close(&theirs.geometry, &geometry, what);
        let halved: Vec<i16> = ct
            .data
            .iter()
            .map(|&v| (v as u8 as i32 / 2) as i16)
            .collect();
        assert_eq!(theirs.data, halved, "{what}");
    }
}
