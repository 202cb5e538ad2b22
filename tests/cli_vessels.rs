//! Tumour-to-vessel distances against scipy's exact Euclidean distance transform
//! (`tests/tools/vessel_distances.py`): on phantoms given a tube-shaped `portalvein` by an
//! independent writer (`tests/tools/add_vessel.py`, crossing a tumour and beside it), and on
//! the real patient 1.17 (three vessel structures, two tumours: six distances), equal to
//! 1e-6 mm. The report and `tumors.csv` carry the closest vessel and the flag.
//!
//! Skips (passing, with a message) when python3 with scipy and pydicom is missing; `.ci/run`
//! installs them and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes that a failure.

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const TOOLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools");

fn python(script: &str, args: &[&str]) -> String {
    let run = Command::new("python3")
        .arg(Path::new(TOOLS).join(script))
        .args(args)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8(run.stdout).unwrap()
}

/// scipy's distances against the `stats.json` of `report`: every tumour, every vessel.
fn assert_scipy_distances(dir: &Dir, patient: &Path, report: &str) -> usize {
    let reference: Value =
        serde_json::from_str(&python("vessel_distances.py", &[patient.to_str().unwrap()])).unwrap();
    let ours = util::first_patient(dir.path(), report);
    let tumors = ours["tumors"].as_array().unwrap();
    let reference = reference.as_array().unwrap();
    assert_eq!(tumors.len(), reference.len(), "tumour count");
    let mut compared = 0;
    for t in tumors {
        // Equal sizes are ordered differently (scipy labels in its own raster order): the
        // same tumour is the one with the same voxels and centroid.
        let centroid = |v: &Value| -> Vec<f64> {
            v["centroid_ijk"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let r = reference
            .iter()
            .find(|r| {
                r["voxels"] == t["voxels"]
                    && centroid(r)
                        .iter()
                        .zip(centroid(t))
                        .all(|(a, b)| (a - b).abs() < 1e-6)
            })
            .unwrap_or_else(|| panic!("no scipy tumour like {}", t["id"]));
        let want = r["distances_mm"].as_object().unwrap();
        let got = t["vessel_distances_mm"].as_object().unwrap();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "the same vessels"
        );
        for (name, w) in want {
            let (g, w) = (got[name].as_f64().unwrap(), w.as_f64().unwrap());
            assert!(
                (g - w).abs() <= 1e-6,
                "tumour {}, {name}: {g} vs scipy {w}",
                t["id"]
            );
            compared += 1;
        }
        // The nearest points are that far apart, and the closest vessel is the nearest one.
        for v in t["vessels"].as_array().unwrap() {
            let a: Vec<f64> = v["tumor_point_mm"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            let b: Vec<f64> = v["vessel_point_mm"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
            assert!((d - v["distance_mm"].as_f64().unwrap()).abs() < 1e-6, "{v}");
        }
        let closest = want
            .iter()
            .min_by(|a, b| a.1.as_f64().unwrap().total_cmp(&b.1.as_f64().unwrap()))
            .unwrap();
        assert_eq!(t["closest_vessel"], closest.0.as_str());
        assert_eq!(
            t["near_vessel"],
            closest.1.as_f64().unwrap() < ours["vessel_margin_mm"].as_f64().unwrap()
        );
    }
    compared
}

#[test]
fn phantom_tumours_against_a_tube_equal_scipy() {
    if !util::python_has("scipy, numpy, pydicom") {
        return;
    }
    let dir = Dir::new();
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 1,
            seed: 53,
            ..PhantomOptions::default()
        },
        false,
    );
    let patient = written.root.join(&written.patients[0].label);
    // Crossing the largest tumour, then beside it.
    for (name, offset) in [("crossing", "0"), ("beside", "14")] {
        let case = dir.path().join(name).join("case");
        python(
            "add_vessel.py",
            &[
                patient.to_str().unwrap(),
                case.to_str().unwrap(),
                offset,
                "3",
            ],
        );
        let report = format!("rep-{name}");
        dir.analyze(case.parent().unwrap().to_str().unwrap(), &report);
        assert!(assert_scipy_distances(&dir, &case, &report) > 0);
        // The tube runs through the largest tumour's centroid (one of the largest, on a tie).
        let p = util::first_patient(dir.path(), &report);
        let distances: Vec<f64> = p["tumors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["vessel_distances_mm"]["portalvein"].as_f64().unwrap())
            .collect();
        if name == "crossing" {
            let t = p["tumors"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["vessel_distances_mm"]["portalvein"] == 0.0)
                .expect("a tumour the tube crosses");
            assert!(t["vessels"][0]["overlap_ml"].as_f64().unwrap() > 0.0);
        } else {
            assert!(distances.iter().all(|&d| d > 0.0), "{distances:?}");
        }
    }
    // The flag follows the margin, the CSV and the page say it.
    let case = dir.path().join("beside");
    dir.run(&[
        "analyze",
        case.to_str().unwrap(),
        "--out",
        "rep-margin",
        "--no-thumbnails",
        "--vessel-margin-mm",
        "1000",
    ])
    .expect_code(0);
    let p = util::first_patient(dir.path(), "rep-margin");
    assert!(p["tumors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["near_vessel"] == true));
    let csv = std::fs::read_to_string(dir.path().join("rep-margin/tumors.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let column = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(column("closest_vessel"), "portalvein");
    assert_eq!(column("near_vessel"), "true");
    let html = std::fs::read_to_string(dir.path().join("rep-margin/report.html")).unwrap();
    assert!(html.contains("closest vessel") && html.contains("&lt; 1000.00 mm"));
    assert_eq!(
        dir.run(&["analyze", "src", "--out", "x", "--vessel-margin-mm", "-1"])
            .code(),
        2
    );
}

#[test]
fn the_real_patient_six_distances_equal_scipy() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !util::python_has("scipy, numpy, pydicom") {
        return;
    }
    let dir = Dir::new();
    dir.analyze(real.to_str().unwrap(), "rep");
    assert_eq!(assert_scipy_distances(&dir, &real, "rep"), 6);
}
