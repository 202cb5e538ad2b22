//! Write then read back: voxels, geometry and the exact header bytes other tools rely on.

mod common;

use common::{assert_geometry_close, awkward_geometries, ramp_ct};
use tumorscope_core::{Geometry, Volume};
use tumorscope_nifti::{
    load_case, read_ct_volume, read_header, read_label_map, write_mask_u8, write_volume_i16,
    NiftiCase, NiftiError, NiftiLayout, NiftiTransform,
};

fn f32_at(bytes: &[u8], at: usize) -> f32 {
    f32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn i16_at(bytes: &[u8], at: usize) -> i16 {
    i16::from_le_bytes([bytes[at], bytes[at + 1]])
}

#[test]
fn ct_round_trips_with_every_geometry() {
    let dir = tempfile::tempdir().unwrap();
    for (what, geometry) in awkward_geometries() {
        for name in ["ct.nii.gz", "ct.nii"] {
            let path = dir.path().join(format!("{what}-{name}"));
            let ct = ramp_ct(geometry.clone());
            write_volume_i16(&path, &ct).unwrap();
            let back = read_ct_volume(&path).unwrap();
            assert_eq!(back.data, ct.data, "{what} {name}");
            assert_geometry_close(&back.geometry, &geometry, what);
            // Physical positions survive too (what a viewer actually uses).
            let far = back.geometry.voxel_to_patient([6.0, 4.0, 2.0]);
            let want = geometry.voxel_to_patient([6.0, 4.0, 2.0]);
            for c in 0..3 {
                assert!(
                    (far[c] - want[c]).abs() < 1e-4,
                    "{what}: {far:?} vs {want:?}"
                );
            }
            let info = read_header(&path).unwrap();
            assert_eq!(info.datatype, "int16");
            assert_eq!(info.transform, NiftiTransform::Sform);
            assert_eq!(info.scaling, None);
            assert_eq!(info.dims, [7, 5, 3]);
        }
    }
}

#[test]
fn axial_decimal_geometry_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ct.nii.gz");
    let ct = ramp_ct(Geometry::axial(
        [4, 3, 2],
        [0.8, 0.8, 2.5],
        [-120.5, 33.25, 7.0],
    ));
    write_volume_i16(&path, &ct).unwrap();
    assert_eq!(read_ct_volume(&path).unwrap(), ct);
}

#[test]
fn qform_alone_gives_the_same_geometry() {
    let dir = tempfile::tempdir().unwrap();
    for (what, geometry) in awkward_geometries() {
        let path = dir.path().join(format!("{what}.nii"));
        write_volume_i16(&path, &ramp_ct(geometry.clone())).unwrap();
        // Switch the sform off in place: readers must fall back to the quaternion.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[254..256].copy_from_slice(&0i16.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let info = read_header(&path).unwrap();
        assert_eq!(info.transform, NiftiTransform::Qform, "{what}");
        assert_geometry_close(&info.geometry, &geometry, what);
    }
}

#[test]
fn header_fields_are_exact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ct.nii");
    let geometry = Geometry::axial([4, 3, 2], [0.5, 0.75, 2.0], [10.0, 20.0, 30.0]);
    write_volume_i16(&path, &ramp_ct(geometry)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 352 + 24 * 2);
    assert_eq!(
        i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        348
    );
    let dim: Vec<i16> = (0..8).map(|n| i16_at(&bytes, 40 + 2 * n)).collect();
    assert_eq!(dim, [3, 4, 3, 2, 1, 1, 1, 1]);
    assert_eq!(i16_at(&bytes, 70), 4, "datatype int16");
    assert_eq!(i16_at(&bytes, 72), 16, "bitpix");
    let pixdim: Vec<f32> = (0..4).map(|n| f32_at(&bytes, 76 + 4 * n)).collect();
    assert_eq!(pixdim, [1.0, 0.5, 0.75, 2.0], "qfac and spacing");
    assert_eq!(f32_at(&bytes, 108), 352.0, "vox_offset");
    assert_eq!(
        (f32_at(&bytes, 112), f32_at(&bytes, 116)),
        (1.0, 0.0),
        "scl slope and intercept"
    );
    assert_eq!(bytes[123], 2, "xyzt_units = mm");
    assert_eq!(&bytes[148..159], b"tumorscope\0");
    assert_eq!(
        (i16_at(&bytes, 252), i16_at(&bytes, 254)),
        (1, 1),
        "qform and sform codes"
    );
    // LPS identity axes are RAS diag(−1, −1, 1): a 180° turn about z.
    let quatern: Vec<f32> = (0..6).map(|n| f32_at(&bytes, 256 + 4 * n)).collect();
    assert_eq!(quatern, [0.0, 0.0, 1.0, -10.0, -20.0, 30.0]);
    let srow: Vec<f32> = (0..12).map(|n| f32_at(&bytes, 280 + 4 * n)).collect();
    assert_eq!(
        srow,
        [-0.5, 0.0, 0.0, -10.0, 0.0, -0.75, 0.0, -20.0, 0.0, 0.0, 2.0, 30.0]
    );
    assert_eq!(&bytes[344..348], b"n+1\0");
    assert_eq!(&bytes[348..352], &[0, 0, 0, 0], "no extensions");
    // Voxels: little endian, i fastest.
    assert_eq!(i16_at(&bytes, 352), i16::MIN);
    assert_eq!(i16_at(&bytes, 354), -1024 + 37);
}

#[test]
fn left_handed_grid_stores_qfac_minus_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ct.nii");
    let geometry = Geometry::new(
        [2, 2, 3],
        [1.0, 1.0, 5.0],
        [0.0, 0.0, 300.0],
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
    )
    .unwrap();
    write_volume_i16(&path, &ramp_ct(geometry)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(f32_at(&bytes, 76), -1.0);
    let srow_z: Vec<f32> = (0..4).map(|n| f32_at(&bytes, 312 + 4 * n)).collect();
    assert_eq!(srow_z, [0.0, 0.0, -5.0, 300.0]);
}

#[test]
fn the_nifti_crate_reads_what_we_write() {
    use nifti::{IntoNdArray, NiftiObject, NiftiVolume, ReaderOptions};
    let dir = tempfile::tempdir().unwrap();
    let (_, geometry) = awkward_geometries().remove(1);
    let path = dir.path().join("oblique.nii.gz");
    let ct = ramp_ct(geometry.clone());
    write_volume_i16(&path, &ct).unwrap();
    let object = ReaderOptions::new().read_file(&path).unwrap();
    let header = object.header().clone();
    assert_eq!(
        (header.sform_code, header.qform_code, header.xyzt_units),
        (1, 1, 2)
    );
    let lps = geometry.voxel_to_patient_matrix();
    let flip = [-1.0, -1.0, 1.0];
    for (r, srow) in [header.srow_x, header.srow_y, header.srow_z]
        .iter()
        .enumerate()
    {
        for c in 0..4 {
            assert!(
                (f64::from(srow[c]) - flip[r] * lps[r][c]).abs() < 1e-5,
                "srow {r} {c}"
            );
        }
    }
    let volume = object.into_volume();
    assert_eq!(volume.dim(), [7, 5, 3]);
    let array = volume.into_ndarray::<i16>().unwrap();
    for k in 0..3 {
        for j in 0..5 {
            for i in 0..7 {
                assert_eq!(array[[i, j, k]], ct.get([i, j, k]));
            }
        }
    }
}

#[test]
fn masks_round_trip_and_load_as_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let (_, geometry) = awkward_geometries().remove(2);
    let ct = ramp_ct(geometry.clone());
    let labels: Vec<u8> = (0..geometry.len()).map(|n| (n % 3) as u8).collect();
    let image = dir.path().join("volume-1.nii.gz");
    let seg = dir.path().join("segmentation-1.nii.gz");
    write_volume_i16(&image, &ct).unwrap();
    write_mask_u8(&seg, &geometry, &labels).unwrap();
    assert_eq!(read_label_map(&seg).unwrap().data, labels);
    assert_eq!(read_header(&seg).unwrap().datatype, "uint8");

    let case = NiftiCase {
        patient: "volume-1".into(),
        image,
        labels: Some(seg),
        layout: NiftiLayout::Lits,
        label_names: vec![(1, "liver".into()), (2, "tumor".into())],
        structure_files: Vec::new(),
        segmentations: Vec::new(),
    };
    let loaded = load_case(&case).unwrap();
    assert_eq!(loaded.patient, "volume-1");
    assert_eq!(loaded.ct.data, ct.data);
    let liver = loaded.mask("liver").unwrap();
    let tumor = loaded.mask("tumor").unwrap();
    assert_eq!(liver.voxel_count(), 35, "105 voxels, every third is 1");
    assert_eq!(tumor.voxel_count(), 35);
    assert!(
        liver.bits.ones().all(|n| !tumor.bits.get(n)),
        "masks are disjoint"
    );
    assert_eq!(loaded.masks.len(), 2);
}

#[test]
fn labels_on_another_grid_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let geometry = Geometry::axial([4, 3, 2], [1.0, 1.0, 2.0], [0.0; 3]);
    let image = dir.path().join("volume-2.nii");
    write_volume_i16(&image, &ramp_ct(geometry.clone())).unwrap();
    let mut shifted = geometry.clone();
    shifted.origin_mm[2] += 2.0; // one slice off
    let seg = dir.path().join("segmentation-2.nii");
    write_mask_u8(&seg, &shifted, &vec![0; shifted.len()]).unwrap();
    let mut other_dims = geometry.clone();
    other_dims.dims = [4, 3, 3];
    let seg_dims = dir.path().join("segmentation-2b.nii");
    write_mask_u8(&seg_dims, &other_dims, &vec![0; other_dims.len()]).unwrap();
    for labels in [seg, seg_dims] {
        let case = NiftiCase {
            patient: "volume-2".into(),
            image: image.clone(),
            labels: Some(labels.clone()),
            layout: NiftiLayout::Lits,
            label_names: Vec::new(),
            structure_files: Vec::new(),
            segmentations: Vec::new(),
        };
        match load_case(&case) {
            Err(e @ NiftiError::GeometryMismatch { .. }) => {
                let message = e.to_string();
                assert!(
                    message.contains("volume-2.nii")
                        && message.contains(&*labels.to_string_lossy()),
                    "{message}"
                );
            }
            other => panic!("expected a mismatch, got {other:?}"),
        }
    }
}

#[test]
fn writers_refuse_bad_input_and_leave_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let geometry = Geometry::axial([4, 3, 2], [1.0; 3], [0.0; 3]);
    let short = write_mask_u8(&dir.path().join("m.nii.gz"), &geometry, &[0; 5]);
    assert!(matches!(short, Err(NiftiError::BadInput { .. })));
    let ct = Volume::filled(geometry.clone(), 0i16);
    assert!(matches!(
        write_volume_i16(&dir.path().join("ct.img"), &ct),
        Err(NiftiError::BadInput { .. })
    ));
    let huge = Volume {
        geometry: Geometry::axial([40_000, 1, 1], [1.0; 3], [0.0; 3]),
        data: vec![0i16; 40_000],
    };
    assert!(matches!(
        write_volume_i16(&dir.path().join("huge.nii"), &huge),
        Err(NiftiError::BadInput { .. })
    ));

    // Overwriting replaces the file whole.
    let path = dir.path().join("ct.nii.gz");
    write_volume_i16(&path, &ct).unwrap();
    let ramp = ramp_ct(geometry);
    write_volume_i16(&path, &ramp).unwrap();
    assert_eq!(read_ct_volume(&path).unwrap().data, ramp.data);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["ct.nii.gz"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o044,
            0o044,
            "readable by others like any exported file"
        );
    }
}
