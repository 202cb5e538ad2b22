//! `tumorscope response` against follow-up scans built independently (pydicom + scipy,
//! `tests/tools/make_followup.py`) from a phantom and from the real patient: each RECIST 1.1
//! category (tumours shrunk ≥ 30 %, grown ≥ 20 % and ≥ 5 mm, grown ≥ 20 % but < 5 mm, a new
//! lesion, all gone), a table shift absorbed by the liver alignment, a patient with two studies
//! in one input, and 1.17 with one tumour removed and the other eroded (PR). Sums of diameters
//! equal those of the independent hull-based measurement (`bench/reference_stats.py`) to 1e-3 mm.
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

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn tools() -> bool {
    util::python_has("scipy, numpy, pydicom")
}

/// Writes a follow-up of `patient` into `out` with `ops` (see make_followup.py).
fn followup(patient: &Path, out: &Path, ops: &[&str]) {
    let run = Command::new("python3")
        .arg(Path::new(ROOT).join("tests/tools/make_followup.py"))
        .arg(patient)
        .arg(out)
        .args(ops)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "make_followup.py {ops:?}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The axial long axes of a patient's tumours by the independent reference, longest first.
fn reference_long_axes(patient: &Path) -> Vec<f64> {
    let run = Command::new("python3")
        .arg(Path::new(ROOT).join("bench/reference_stats.py"))
        .arg(patient)
        .output()
        .expect("python3");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc: Value = serde_json::from_slice(&run.stdout).unwrap();
    let mut axes: Vec<f64> = doc["patients"][0]["tumors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["axial_diameter_mm"].as_f64().unwrap())
        .collect();
    axes.sort_by(|a, b| b.total_cmp(a));
    axes
}

/// The RECIST baseline sum from reference long axes: the two longest measurable (≥ 10 mm).
fn reference_target_sum(axes: &[f64]) -> f64 {
    axes.iter().filter(|&&a| a >= 10.0).take(2).sum()
}

/// Runs `response` and returns its one pair.
fn respond(dir: &Dir, baseline: &str, followup: Option<&str>, out: &str) -> Value {
    let mut args = vec!["response", baseline];
    args.extend(followup);
    args.extend(["--out", out]);
    let run = dir.run(&args);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(out).join("response.json")).unwrap())
            .unwrap();
    assert!(dir.path().join(out).join("response.csv").is_file());
    assert!(dir.path().join(out).join("response.html").is_file());
    let responses = doc["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 1, "{doc}");
    responses[0].clone()
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() <= 1e-3
}

#[test]
fn each_recist_category_on_phantom_follow_ups() {
    if !tools() {
        return;
    }
    let dir = Dir::new();
    let written = dir.cohort(
        "base",
        PhantomOptions {
            variations: false,
            ..PhantomOptions::demo(1, 61)
        },
        false,
    );
    let label = &written.patients[0].label;
    let base = written.root.join(label);
    let base_axes = reference_long_axes(&base);
    assert!(
        base_axes.len() >= 2 && base_axes[1] >= 10.0,
        "{base_axes:?}"
    );
    let base_sum = reference_target_sum(&base_axes);

    let cases: [(&str, &[&str], &str); 5] = [
        ("shrunk", &["erode=3"], "PR"),
        ("grown", &["dilate=3"], "PD"),
        ("new", &["add"], "PD"),
        ("gone", &["remove-tumors"], "CR"),
        ("shifted", &["shift=0,25,-8"], "SD"),
    ];
    for (name, ops, category) in cases {
        let out = dir.path().join(name).join(label);
        followup(&base, &out, ops);
        let r = respond(&dir, "base", Some(name), &format!("rep-{name}"));
        assert_eq!(r["category"], category, "{name}: {r:#}");
        assert!(
            close(&r["baseline_sum_mm"], base_sum),
            "{name}: {r:#} vs {base_sum}"
        );
        if name != "new" {
            // Every follow-up lesion is a matched target: the sum is theirs.
            let axes = reference_long_axes(&out);
            let want: f64 = axes.iter().sum();
            assert!(
                close(&r["followup_sum_mm"], want),
                "{name}: {r:#} vs {axes:?}"
            );
        }
        match name {
            "new" => assert_eq!(r["new_lesions"], 1, "{r:#}"),
            "shifted" => {
                assert_eq!(r["alignment"]["method"], "liver centroid");
                let shift: Vec<f64> = r["alignment"]["shift_mm"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_f64().unwrap())
                    .collect();
                assert!(
                    shift
                        .iter()
                        .zip([0.0, 25.0, -8.0])
                        .all(|(a, b)| (a - b).abs() < 1e-6),
                    "{shift:?}"
                );
                assert_eq!(r["new_lesions"], 0);
                assert!(r["lesions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|l| l["status"] == "matched"));
            }
            "gone" => assert_eq!(r["followup_sum_mm"], 0.0),
            _ => {}
        }
    }

    // Growing 20 % or more but by less than 5 mm is not progression: one small lesion.
    let small = dir.path().join("small").join(label);
    followup(&base, &small, &["keep-one", "erode=3"]);
    let bigger = dir.path().join("bigger").join(label);
    followup(&small, &bigger, &["grow=1"]);
    let r = respond(&dir, "small", Some("bigger"), "rep-5mm");
    let (b, f) = (
        r["baseline_sum_mm"].as_f64().unwrap(),
        r["followup_sum_mm"].as_f64().unwrap(),
    );
    assert!(
        f >= 1.2 * b && f - b < 5.0,
        "the case this checks: {b} → {f}"
    );
    assert_eq!(r["category"], "SD", "{r:#}");

    // One input holding both studies of one patient: paired in Study Date order.
    let dated = dir.path().join("dated").join(label);
    followup(&base, &dated, &["erode=3", "date=20240301"]);
    dir.run(&["organize", "base", "--out", "org-a"])
        .expect_code(0);
    dir.run(&["organize", "dated", "--out", "org-b"])
        .expect_code(0);
    let p = dir.path().join("both").join("P1");
    util::copy_tree(
        &dir.path().join("org-a").join(label).join("ct"),
        &p.join("ct"),
    );
    util::copy_tree(
        &dir.path().join("org-a").join(label).join("masks"),
        &p.join("masks"),
    );
    util::copy_tree(
        &dir.path().join("org-b").join(label).join("ct"),
        &p.join("series-2-ct"),
    );
    util::copy_tree(
        &dir.path().join("org-b").join(label).join("masks"),
        &p.join("series-2-ct/masks"),
    );
    let r = respond(&dir, "both", None, "rep-both");
    assert_eq!(r["category"], "PR", "{r:#}");
    assert_eq!(r["followup"]["study"]["date"], "2024-03-01");
    assert!(r["baseline"]["study"]["date"].as_str().unwrap() < "2024-03-01");

    // Nothing to compare: a usage error naming why.
    let run = dir.run(&["response", "base", "--out", "rep-none"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("one study only"), "{}", run.stderr());
}

#[test]
fn the_real_patient_one_tumour_removed_the_other_eroded_is_a_partial_response() {
    let Some(real) = util::real_patient() else {
        return;
    };
    if !tools() {
        return;
    }
    let dir = Dir::new();
    let after = dir.path().join("after/3Dircadb1.17");
    followup(
        &real,
        &after,
        &["remove=livertumor2", "erode=3", "date=20091105"],
    );
    let r = respond(&dir, real.to_str().unwrap(), Some("after"), "rep");
    assert_eq!(r["category"], "PR", "{r:#}");
    let base_axes = reference_long_axes(&real);
    assert!(close(
        &r["baseline_sum_mm"],
        reference_target_sum(&base_axes)
    ));
    let after_axes = reference_long_axes(&after);
    assert_eq!(after_axes.len(), 1);
    assert!(
        close(&r["followup_sum_mm"], after_axes[0]),
        "{r:#} vs {after_axes:?}"
    );
    let statuses: Vec<&str> = r["lesions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["matched", "disappeared"]);
    assert_eq!(r["followup"]["study"]["date"], "2009-11-05");
}
