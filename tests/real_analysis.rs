//! The whole analysis of the real patient 3Dircadb1.17 against the numbers the issue states
//! (computed independently with pydicom + numpy + scipy; see README "Accuracy").

mod util;

use tumorscope_analysis::{analyze_patient, AnalysisOptions};
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};

#[test]
fn liver_tumors_of_3dircadb1_17() {
    let Some(dir) = util::real_patient() else {
        return;
    };
    let d = scan(&[dir], &ScanOptions::default(), &|| {});
    let loaded = load_patient(&d, &d.patients[0], &LoadOptions::default()).unwrap();
    let s = analyze_patient(&loaded.image, &AnalysisOptions::default()).unwrap();
    let voxel_ml = s.voxel_volume_mm3 / 1000.0;
    let liver_voxels = (s.liver_volume_ml.unwrap() / voxel_ml).round() as usize;
    assert_eq!(liver_voxels, 2_106_497);
    assert!(
        (s.liver_volume_ml.unwrap() - 1860.62).abs() < 0.005,
        "{:?}",
        s.liver_volume_ml
    );
    assert_eq!(s.tumor_count, 2);
    let vols: Vec<f64> = s.tumors.iter().map(|t| t.volume_ml).collect();
    assert!(
        (vols[0] - 85.64).abs() < 0.005 && (vols[1] - 78.64).abs() < 0.005,
        "{vols:?}"
    );
    assert!(
        (s.tumor_volume_ml - 164.28).abs() < 0.005,
        "{}",
        s.tumor_volume_ml
    );
    assert!(
        (s.tumor_burden_pct.unwrap() - 8.83).abs() < 0.005,
        "{:?}",
        s.tumor_burden_pct
    );
    let d: Vec<f64> = s.tumors.iter().map(|t| t.max_diameter_mm).collect();
    assert!(
        (d[0] - 69.03).abs() < 0.005 && (d[1] - 78.29).abs() < 0.005,
        "{d:?}"
    );
    // The smaller tumor has the longer diameter.
    assert_eq!(s.largest_tumor_by_volume, Some(1));
    assert_eq!(s.largest_tumor_by_diameter, Some(2));
}
