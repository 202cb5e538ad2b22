//! End-to-end tests of `render` and `export` through the real binary: overlay colours at known
//! tumour and background pixels, physical aspect of coronal images, montage and MIP sizes, and
//! the exported NIfTI compared voxel for voxel and in world space with `dcm2niix`'s conversion
//! of the same DICOM series (read with nibabel and SimpleITK).
//!
//! Reference tools (`dcm2niix`, `python3` with numpy, nibabel and SimpleITK) are skipped with a
//! message when missing, and required when `TUMORSCOPE_REQUIRE_TOOLS` is set (CI).

#![allow(clippy::print_stderr)]

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tumorscope_core::{PatientImage, StructureRole};
use tumorscope_phantom::{CohortWritten, PatientTruth, PhantomOptions};
use tumorscope_render::{display_size, montage_indices, resolve_overlays, Plane, MONTAGE_GAP_PX};
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};
use util::{real_patient, Dir};

/// A decoded 8-bit RGB PNG.
struct Png {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

impl Png {
    fn read(path: &Path) -> Self {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
        assert_eq!(info.bit_depth, png::BitDepth::Eight, "{}", path.display());
        buf.truncate(info.buffer_size());
        Self {
            width: info.width as usize,
            height: info.height as usize,
            rgb: buf,
        }
    }

    fn at(&self, x: usize, y: usize) -> [u8; 3] {
        assert!(x < self.width && y < self.height, "({x}, {y}) outside");
        let n = (y * self.width + x) * 3;
        [self.rgb[n], self.rgb[n + 1], self.rgb[n + 2]]
    }
}

/// Scans `root` and loads `label` in process (the same code the binary runs).
fn load(root: &Path, label: &str) -> PatientImage {
    let d = scan(&[root.to_path_buf()], &ScanOptions::default(), &|| {});
    let p = d
        .patient(label)
        .unwrap_or_else(|| panic!("{label} not found"));
    load_patient(&d, p, &LoadOptions::default()).unwrap().image
}

/// Screen pixel of voxel `(i, j)` on an axial image of `width × height` (unflipped axes: the
/// display grid samples `u = (x + 0.5)·n/m − 0.5`, so voxel `i` covers `x ≈ (i + 0.5)·m/n`).
fn axial_pixel(image: &PatientImage, ijk: [usize; 3], width: usize, height: usize) -> [usize; 2] {
    let g = &image.ct.geometry;
    // Identity orientation keeps i across and j down (R on the left, A at the top).
    assert_eq!(g.direction[0], [1.0, 0.0, 0.0]);
    assert_eq!(g.direction[1], [0.0, 1.0, 0.0]);
    let x = ((ijk[0] as f64 + 0.5) * width as f64 / g.dims[0] as f64) as usize;
    let y = ((ijk[1] as f64 + 0.5) * height as f64 / g.dims[1] as f64) as usize;
    [x, y]
}

/// The overlay colour `tumors:fill:1` gives structure `name` on this patient.
fn tumor_colour(image: &PatientImage, name: &str) -> [u8; 3] {
    let styles = resolve_overlays(image, "tumors:fill:1").unwrap();
    styles
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no overlay for `{name}` in {styles:?}"))
        .color
}

fn phantom_cohort(dir: &Dir, variations: bool) -> CohortWritten {
    dir.cohort(
        "cohort",
        PhantomOptions {
            patients: 1,
            variations,
            ..PhantomOptions::default()
        },
        false,
    )
}

fn xyz_arg(xyz: [f64; 3]) -> String {
    format!("{},{},{}", xyz[0], xyz[1], xyz[2])
}

/// Renders an axial slice through `xyz_mm` with the tumour overlay opaque, and checks the
/// overlay colour of structure `name` at voxel `ijk` and plain grey at `background_ijk`.
fn check_tumour_pixel(
    dir: &Dir,
    root: &Path,
    image: &PatientImage,
    name: &str,
    xyz_mm: [f64; 3],
    ijk: [usize; 3],
    background_ijk: [usize; 3],
    extra: &[&str],
) {
    let mask = image.mask(name).unwrap();
    let g = &image.ct.geometry;
    assert!(
        mask.bits.get(g.index(ijk)),
        "`{name}` does not cover {ijk:?}"
    );
    assert!(image
        .masks_with_role(StructureRole::Tumor)
        .all(|m| !m.bits.get(g.index(background_ijk))));
    let out = format!("axial_{name}.png");
    let mut args = vec![
        "render",
        root.to_str().unwrap(),
        "--window",
        "liver",
        "--overlay",
        "tumors:fill:1",
        "--at-mm",
    ];
    let xyz = xyz_arg(xyz_mm);
    args.push(&xyz);
    args.extend(["-o", &out]);
    args.extend(extra);
    dir.run(&args).expect_code(0);
    let png = Png::read(&dir.path().join(&out));
    let size = display_size(g, Plane::Axial, 1.0).unwrap();
    assert_eq!((png.width, png.height), (size.width, size.height));
    let colour = tumor_colour(image, name);
    let [x, y] = axial_pixel(image, ijk, png.width, png.height);
    assert_eq!(
        png.at(x, y),
        colour,
        "`{name}` at {ijk:?} → pixel ({x}, {y})"
    );
    let [bx, by] = axial_pixel(image, background_ijk, png.width, png.height);
    let bg = png.at(bx, by);
    assert_ne!(bg, colour, "background {background_ijk:?} → ({bx}, {by})");
    assert!(
        bg[0] == bg[1] && bg[1] == bg[2],
        "background pixel not grey: {bg:?}"
    );
    eprintln!(
        "{name}: pixel ({x}, {y}) = {:?} (overlay colour), background ({bx}, {by}) = {bg:?}",
        png.at(x, y)
    );
}

#[test]
fn render_overlay_at_the_tumour_centre_and_sizes() {
    let dir = Dir::new();
    let written = phantom_cohort(&dir, true);
    let truth: &PatientTruth = &written.patients[0];
    assert!(
        truth.tumors.len() >= 2,
        "the first phantom patient has tumours"
    );
    let root = written.root.clone();
    let image = load(&root, &truth.label);
    let g = image.ct.geometry.clone();
    assert_eq!(g.dims, truth.dims);

    for tumour in &truth.tumors {
        check_tumour_pixel(
            &dir,
            &root,
            &image,
            &tumour.structure,
            tumour.centre_xyz_mm,
            tumour.centre_ijk,
            [1, 1, tumour.centre_ijk[2]],
            &["--no-annotations"],
        );
    }

    // Coronal: physical aspect, height = round(slices × step / pixel spacing).
    dir.run(&[
        "render",
        root.to_str().unwrap(),
        "--plane",
        "coronal",
        "-o",
        "coronal.png",
    ])
    .expect_code(0);
    let png = Png::read(&dir.path().join("coronal.png"));
    let size = display_size(&g, Plane::Coronal, 1.0).unwrap();
    let pixel_mm = g.spacing_mm[0].min(g.spacing_mm[2]);
    let want_h = (g.dims[2] as f64 * g.spacing_mm[2] / pixel_mm).round() as usize;
    let want_w = (g.dims[0] as f64 * g.spacing_mm[0] / pixel_mm).round() as usize;
    assert_eq!((png.width, png.height), (want_w, want_h));
    assert_eq!((size.width, size.height), (want_w, want_h));
    assert_ne!(
        want_h, g.dims[2],
        "the phantom's slices are thicker than its pixels"
    );

    // Montage of 4 axial slices: a 2 × 2 grid of axial tiles with gaps.
    dir.run(&[
        "render",
        root.to_str().unwrap(),
        "--montage",
        "4",
        "--overlay",
        "liver",
        "-o",
        "montage.png",
    ])
    .expect_code(0);
    let png = Png::read(&dir.path().join("montage.png"));
    let n = montage_indices(&image, Plane::Axial, 4).unwrap().len();
    assert_eq!(n, 4);
    let tile = display_size(&g, Plane::Axial, 1.0).unwrap();
    let w = 2 * tile.width + MONTAGE_GAP_PX;
    let h = 2 * tile.height + MONTAGE_GAP_PX;
    assert_eq!((png.width, png.height), (w, h));

    // MIPs: the size of their plane.
    for plane in [Plane::Axial, Plane::Coronal, Plane::Sagittal] {
        let out = format!("mip_{plane}.png");
        dir.run(&[
            "render",
            root.to_str().unwrap(),
            "--mip",
            "--plane",
            plane.name(),
            "--overlay",
            "tumors",
            "-o",
            &out,
        ])
        .expect_code(0);
        let png = Png::read(&dir.path().join(&out));
        let size = display_size(&g, plane, 1.0).unwrap();
        assert_eq!(
            (png.width, png.height),
            (size.width, size.height),
            "{plane}"
        );
    }

    // A bad window is fatal, with a hint.
    let run = dir
        .run(&[
            "render",
            root.to_str().unwrap(),
            "--window",
            "nope",
            "-o",
            "x.png",
        ])
        .expect_code(2);
    let err = run.stderr();
    assert!(err.contains("`nope`") && err.contains("hint:"), "{err}");
    assert!(
        err.contains("liver") && err.contains("WIDTH/LEVEL"),
        "{err}"
    );
    assert!(!dir.path().join("x.png").exists());
}

/// The voxel nearest to an LPS point.
fn nearest_voxel(image: &PatientImage, xyz_mm: [f64; 3]) -> [usize; 3] {
    let ijk = image.ct.geometry.patient_to_voxel(xyz_mm);
    [0, 1, 2].map(|a| ijk[a].round() as usize)
}

#[test]
fn real_patient_render_at_tumour_centroids() {
    let Some(root) = real_patient() else { return };
    let dir = Dir::new();
    let image = load(&root, "3Dircadb1.17");
    // Centroids of 1.17's tumours (LPS mm), measured with the analysis pipeline.
    let tumours = [
        ("livertumor1", [101.77, 138.39, 157.15]),
        ("livertumor2", [206.02, 126.45, 147.56]),
    ];
    for (name, xyz) in tumours {
        let ijk = nearest_voxel(&image, xyz);
        // The spinal canal, far from both tumours, on the same slice.
        let background = [256, 330, ijk[2]];
        check_tumour_pixel(&dir, &root, &image, name, xyz, ijk, background, &[]);
    }
    dir.run(&[
        "render",
        root.to_str().unwrap(),
        "--plane",
        "coronal",
        "-o",
        "coronal.png",
    ])
    .expect_code(0);
    let png = Png::read(&dir.path().join("coronal.png"));
    let size = display_size(&image.ct.geometry, Plane::Coronal, 1.0).unwrap();
    assert_eq!((png.width, png.height), (size.width, size.height));
    // 119 slices × 1.6 mm on 0.743 mm pixels.
    assert_eq!((png.width, png.height), (512, 256));
}

#[test]
fn export_matches_the_loaded_patient() {
    let dir = Dir::new();
    let written = phantom_cohort(&dir, true);
    let truth = &written.patients[0];
    let root = written.root.clone();
    dir.run(&["export", root.to_str().unwrap(), "--nifti", "out"])
        .expect_code(0);
    let image = load(&root, &truth.label);
    let g = &image.ct.geometry;
    let out = dir.path().join("out").join(&truth.label);

    let ct = tumorscope_nifti::read_ct_volume(&out.join("ct.nii.gz")).unwrap();
    assert_eq!(ct.geometry.dims, g.dims);
    for a in 0..3 {
        assert!((ct.geometry.spacing_mm[a] - g.spacing_mm[a]).abs() < 1e-4);
        assert!((ct.geometry.origin_mm[a] - g.origin_mm[a]).abs() < 1e-3);
        for b in 0..3 {
            assert!((ct.geometry.direction[a][b] - g.direction[a][b]).abs() < 1e-6);
        }
    }
    assert!(
        ct.data == image.ct.data,
        "ct.nii.gz voxels differ from load_patient"
    );

    for m in &image.masks {
        let read =
            tumorscope_nifti::read_label_map(&out.join("masks").join(format!("{}.nii.gz", m.name)))
                .unwrap();
        assert!(read.data == m.bits.to_bytes(), "mask `{}` differs", m.name);
    }

    // labels.json names every value of labels.nii.gz; every labelled voxel is inside its mask,
    // unlabelled voxels are in no mask, and tumours win where structures overlap.
    let entries: Value =
        serde_json::from_slice(&std::fs::read(out.join("labels.json")).unwrap()).unwrap();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), image.masks.len());
    let mut by_value = std::collections::HashMap::new();
    for e in entries {
        let value = e["value"].as_u64().unwrap() as u8;
        let name = e["name"].as_str().unwrap();
        let mask = image
            .mask(name)
            .unwrap_or_else(|| panic!("labels.json names `{name}`"));
        assert_eq!(e["role"], serde_json::to_value(mask.role).unwrap());
        assert!(
            by_value.insert(value, mask).is_none(),
            "value {value} twice"
        );
    }
    let labels = tumorscope_nifti::read_label_map(&out.join("labels.nii.gz")).unwrap();
    assert_eq!(labels.geometry.dims, g.dims);
    for (n, &v) in labels.data.iter().enumerate() {
        let in_any = image.masks.iter().any(|m| m.bits.get(n));
        let in_tumour = image
            .masks_with_role(StructureRole::Tumor)
            .any(|m| m.bits.get(n));
        if v == 0 {
            assert!(!in_any, "voxel {n} is in a mask but unlabelled");
        } else {
            let mask = by_value[&v];
            assert!(mask.bits.get(n), "voxel {n} labelled `{}`", mask.name);
            assert!(!in_tumour || mask.role == StructureRole::Tumor, "voxel {n}");
        }
    }

    // liver_tumor.nii.gz: 1 liver, 2 tumour (tumour first), nothing else.
    let lits = tumorscope_nifti::read_label_map(&out.join("liver_tumor.nii.gz")).unwrap();
    let mut counts = [0usize; 256];
    for &v in &lits.data {
        counts[v as usize] += 1;
    }
    assert!(counts[3..].iter().all(|&c| c == 0), "values beyond 2");
    let tumour_union = (0..g.len())
        .filter(|&n| {
            image
                .masks_with_role(StructureRole::Tumor)
                .any(|m| m.bits.get(n))
        })
        .count();
    assert_eq!(counts[2], tumour_union);
    assert_eq!(counts[2], truth.tumor_voxels());
    let liver_only = (0..g.len())
        .filter(|&n| {
            image
                .masks_with_role(StructureRole::Liver)
                .any(|m| m.bits.get(n))
                && !image
                    .masks_with_role(StructureRole::Tumor)
                    .any(|m| m.bits.get(n))
        })
        .count();
    assert_eq!(counts[1], liver_only);
}

/// Compares our NIfTI with dcm2niix's in world space, with nibabel and SimpleITK. Exit 3 when a
/// module is missing.
const COMPARE_PY: &str = r#"
import sys
try:
    import numpy as np, nibabel as nib, SimpleITK as sitk
except ImportError as e:
    print(f"missing python module: {e}")
    sys.exit(3)
ours, theirs = sys.argv[1], sys.argv[2]
ok = True
def check(what, cond):
    global ok
    print(("OK   " if cond else "FAIL ") + what)
    ok = ok and bool(cond)
a, b = nib.load(ours), nib.load(theirs)
print(f"nibabel: ours {a.shape} {a.get_data_dtype()} axcodes {nib.aff2axcodes(a.affine)}; "
      f"dcm2niix {b.shape} {b.get_data_dtype()} axcodes {nib.aff2axcodes(b.affine)}")
ca, cb = nib.as_closest_canonical(a), nib.as_closest_canonical(b)
da, db = np.asanyarray(ca.dataobj), np.asanyarray(cb.dataobj)
check("nibabel canonical shapes equal", da.shape == db.shape)
check("nibabel canonical affines allclose(atol=1e-3)", np.allclose(ca.affine, cb.affine, atol=1e-3))
check("nibabel canonical voxels array_equal", da.shape == db.shape and np.array_equal(da, db))
check("ours is int16 with no scaling", a.get_data_dtype() == np.int16
      and a.header.get_slope_inter() in [(None, None), (1.0, 0.0)])
# Every voxel (i,j,k) of ours maps to the same world point as the voxel of theirs holding the
# same value: checked on the eight corners through the affines.
inv = np.linalg.inv(b.affine)
corners = [(i, j, k) for i in (0, a.shape[0]-1) for j in (0, a.shape[1]-1) for k in (0, a.shape[2]-1)]
same = True
for c in corners:
    w = a.affine @ np.array([*c, 1.0])
    t = inv @ w
    ti = np.rint(t[:3]).astype(int)
    same = same and np.allclose(t[:3], ti, atol=1e-3) \
        and all(0 <= ti[n] < b.shape[n] for n in range(3)) \
        and np.asanyarray(a.dataobj)[c] == np.asanyarray(b.dataobj)[tuple(ti)]
check("corner voxels: same world point, same value", same)
ia = sitk.DICOMOrient(sitk.ReadImage(ours), "LPS")
ib = sitk.DICOMOrient(sitk.ReadImage(theirs), "LPS")
print(f"SimpleITK (LPS): ours origin {ia.GetOrigin()} spacing {ia.GetSpacing()}; "
      f"dcm2niix origin {ib.GetOrigin()} spacing {ib.GetSpacing()}")
check("SimpleITK sizes equal", ia.GetSize() == ib.GetSize())
check("SimpleITK origins allclose(1e-3)", np.allclose(ia.GetOrigin(), ib.GetOrigin(), atol=1e-3))
check("SimpleITK spacings allclose(1e-4)", np.allclose(ia.GetSpacing(), ib.GetSpacing(), atol=1e-4))
check("SimpleITK directions allclose(1e-6)", np.allclose(ia.GetDirection(), ib.GetDirection(), atol=1e-6))
xa, xb = sitk.GetArrayFromImage(ia), sitk.GetArrayFromImage(ib)
check("SimpleITK voxels array_equal", xa.shape == xb.shape and np.array_equal(xa, xb))
print(f"voxels {xa.size}, HU sum ours {int(xa.astype(np.int64).sum())} dcm2niix {int(xb.astype(np.int64).sum())}")
sys.exit(0 if ok else 1)
"#;

/// Whether `tool` runs; skipped with a message unless `TUMORSCOPE_REQUIRE_TOOLS` is set.
fn have_tool(tool: &str, probe: &[&str]) -> bool {
    let ok = Command::new(tool)
        .args(probe)
        .output()
        .is_ok_and(|o| o.status.success() || tool == "dcm2niix");
    if !ok {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "`{tool}` is not installed and TUMORSCOPE_REQUIRE_TOOLS is set"
        );
        eprintln!("`{tool}` not installed: dcm2niix comparison skipped");
    }
    ok
}

/// Extracts every file entry of `zip_path` into `dest` (flat: file names only).
fn extract_zip(zip_path: &Path, dest: &Path) -> usize {
    std::fs::create_dir_all(dest).unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    let mut files = 0;
    for i in 0..archive.len() {
        let name = archive.name_for_index(i).unwrap().unwrap().to_string();
        let Some(file) = name.rsplit('/').next().filter(|f| !f.is_empty()) else {
            continue;
        };
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        std::fs::write(dest.join(file), bytes).unwrap();
        files += 1;
    }
    files
}

/// Exports `label` from `root` with the binary, converts the CT series in `patient_zip` with
/// dcm2niix, and requires identical voxels and world placement.
fn compare_with_dcm2niix(dir: &Dir, root: &Path, label: &str, patient_zip: &Path, slices: usize) {
    if !have_tool("dcm2niix", &["-v"]) || !have_tool("python3", &["--version"]) {
        return;
    }
    dir.run(&["export", root.to_str().unwrap(), "--nifti", "out"])
        .expect_code(0);
    let ours = dir.path().join("out").join(label).join("ct.nii.gz");
    assert!(ours.is_file());
    let dicom = dir.path().join("extracted");
    assert_eq!(extract_zip(patient_zip, &dicom), slices);
    let conv = dir.path().join("dcm2niix");
    std::fs::create_dir_all(&conv).unwrap();
    let run = Command::new("dcm2niix")
        .args(["-z", "y", "-b", "n", "-f", "ref", "-o"])
        .arg(&conv)
        .arg(&dicom)
        .output()
        .unwrap();
    assert!(run.status.success(), "dcm2niix: {run:?}");
    let theirs: Vec<PathBuf> = std::fs::read_dir(&conv)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".nii.gz"))
        .collect();
    assert_eq!(theirs.len(), 1, "dcm2niix wrote {theirs:?}");
    let run = Command::new("python3")
        .arg("-c")
        .arg(COMPARE_PY)
        .arg(&ours)
        .arg(&theirs[0])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    eprintln!(
        "{label}: ours vs dcm2niix\n{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    if run.status.code() == Some(3) {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "{stdout} and TUMORSCOPE_REQUIRE_TOOLS is set"
        );
        return;
    }
    assert!(run.status.success(), "comparison failed:\n{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn export_matches_dcm2niix_on_a_phantom() {
    let dir = Dir::new();
    // Uncompressed int16 explicit VR LE, like the real data.
    let written = phantom_cohort(&dir, false);
    let truth = &written.patients[0];
    let zip = written.root.join(&truth.label).join("PATIENT_DICOM.zip");
    compare_with_dcm2niix(&dir, &written.root, &truth.label, &zip, truth.slices);
}

#[test]
fn export_matches_dcm2niix_on_the_real_patient() {
    let Some(root) = real_patient() else { return };
    let dir = Dir::new();
    compare_with_dcm2niix(
        &dir,
        &root,
        "3Dircadb1.17",
        &root.join("PATIENT_DICOM.zip"),
        119,
    );
}

#[test]
fn export_matches_dcm2niix_on_varied_phantom_encodings() {
    // Unsigned with intercept, 12-bit, descending slice order, implicit VR, big endian … as the
    // phantom varies them; dcm2niix applies the rescale itself, so voxel values must still agree.
    let options = PhantomOptions {
        patients: 4,
        ..PhantomOptions::default()
    };
    let probe = Dir::new();
    let written = probe.cohort("cohort", options, false);
    for truth in &written.patients {
        eprintln!(
            "{}: {:?}, {}, descending {}",
            truth.label, truth.encoding, truth.transfer_syntax, truth.descending
        );
        let dir = Dir::new();
        let zip = written.root.join(&truth.label).join("PATIENT_DICOM.zip");
        compare_with_dcm2niix(&dir, &written.root, &truth.label, &zip, truth.slices);
    }
}
