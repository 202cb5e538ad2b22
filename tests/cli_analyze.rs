//! `tumorscope analyze` end to end: generated cohorts against their exact answers, and the real
//! patient 3Dircadb1.17 against an independent pydicom + numpy + scipy implementation
//! (`bench/reference_stats.py`, see docs/accuracy.md).

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tumorscope_core::BitMask;
use tumorscope_phantom::{generate_patient, write_patient_dir, PatientTruth, PhantomOptions};
use util::{real_patient, Dir};

/// The tolerances for the real patient.
const VOLUME_REL_TOL: f64 = 1e-6;
const MM_HU_ABS_TOL: f64 = 1e-3;

fn cohort_options(patients: usize, corrupt: bool) -> PhantomOptions {
    PhantomOptions {
        patients,
        corrupt_file: corrupt,
        ..PhantomOptions::default()
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Runs `analyze INPUT --out OUT EXTRA…` in `dir`, checks the exit code and returns stats.json.
fn analyze(dir: &Dir, input: &Path, out: &str, extra: &[&str], code: i32) -> (util::Run, Value) {
    let mut args = vec!["analyze", path_str(input), "--out", out];
    args.extend_from_slice(extra);
    let run = dir.run(&args).expect_code(code);
    let stats = read_json(&dir.path().join(out).join("stats.json"));
    (run, stats)
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("`{}`: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("`{}`: {e}", path.display()))
}

/// The stats.json entry of patient `label`.
fn patient<'a>(stats: &'a Value, label: &str) -> &'a Value {
    stats["patients"]
        .as_array()
        .expect("patients array")
        .iter()
        .find(|p| p["patient"] == label)
        .unwrap_or_else(|| panic!("no patient `{label}` in stats.json"))
}

fn f64_of(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn usize_of(v: &Value) -> usize {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}")) as usize
}

fn tumors(p: &Value) -> &Vec<Value> {
    p["tumors"].as_array().expect("tumors array")
}

fn sorted_voxels(p: &Value) -> Vec<usize> {
    let mut v: Vec<usize> = tumors(p).iter().map(|t| usize_of(&t["voxels"])).collect();
    v.sort_unstable();
    v
}

/// Voxels of liver mask ∪ tumor masks in the truth (the liver mask may or may not hold them).
fn truth_liver_union_voxels(t: &PatientTruth) -> usize {
    if t.liver_includes_lesions {
        t.liver_voxels
    } else {
        t.liver_voxels + t.tumor_voxels()
    }
}

/// Data rows of a CRLF CSV file (header excluded).
fn csv_rows(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("csv");
    text.split("\r\n").filter(|l| !l.is_empty()).count() - 1
}

/// Every `src=`/`href=` value of the HTML pointing outside the file (`http:`, `https:`, `//`).
fn external_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["src=", "href="] {
        for (at, _) in html.match_indices(attr) {
            let value = html[at + attr.len()..].trim_start_matches(['"', '\'']);
            let lower = value.get(..8).unwrap_or(value).to_ascii_lowercase();
            if lower.starts_with("http:") || lower.starts_with("https:") || lower.starts_with("//")
            {
                found.push(value.chars().take(60).collect());
            }
        }
    }
    found
}

#[test]
fn phantom_cohort_counts_volumes_liver_and_files() {
    let dir = Dir::new();
    // Five patients cover every anatomy profile: two masks, `livertumors` with a cyst, no tumor,
    // `livertumor01`, three masks with a cyst; liver masks with and without the lesions.
    let written = dir.cohort("c", cohort_options(5, false), false);
    let (_, stats) = analyze(&dir, &written.root, "out", &[], 0);
    assert_eq!(stats["patients"].as_array().unwrap().len(), 5);
    assert_eq!(stats["skipped"].as_array().unwrap().len(), 0);

    let mut total_tumors = 0;
    let mut saw_no_tumor = false;
    let mut saw_cyst = false;
    for truth in &written.patients {
        let p = patient(&stats, &truth.label);
        let what = &truth.label;
        let voxel_mm3 = f64_of(&p["voxel_volume_mm3"]);
        let spacing_product: f64 = truth.spacing_mm.iter().product();
        assert!(
            ((voxel_mm3 - spacing_product) / spacing_product).abs() < 1e-12,
            "{what}: voxel volume {voxel_mm3} vs {spacing_product}"
        );

        // Counts and voxels per tumor, compared sorted.
        assert_eq!(usize_of(&p["tumor_count"]), truth.tumors.len(), "{what}");
        let mut want: Vec<usize> = truth.tumors.iter().map(|t| t.voxels).collect();
        want.sort_unstable();
        assert_eq!(sorted_voxels(p), want, "{what}");
        total_tumors += truth.tumors.len();

        // Each tumor: volume exactly voxels × voxel volume; centroid the ellipsoid's centre;
        // HU mean the truth's sum over voxels; never a cyst.
        let mut volume_sum = 0.0;
        for t in tumors(p) {
            let voxels = usize_of(&t["voxels"]);
            let volume_ml = f64_of(&t["volume_ml"]);
            assert_eq!(volume_ml, voxels as f64 * voxel_mm3 / 1000.0, "{what}: {t}");
            volume_sum += volume_ml;
            let centroid: Vec<f64> = t["centroid_ijk"]
                .as_array()
                .unwrap()
                .iter()
                .map(f64_of)
                .collect();
            let matched = truth
                .tumors
                .iter()
                .find(|x| {
                    x.voxels == voxels
                        && x.centre_ijk
                            .iter()
                            .zip(&centroid)
                            .all(|(&c, &m)| (c as f64 - m).abs() < 1e-9)
                })
                .unwrap_or_else(|| panic!("{what}: no truth tumor for {t}"));
            assert!(
                ((volume_ml - matched.volume_ml) / matched.volume_ml).abs() < 1e-12,
                "{what}: {volume_ml} vs truth {}",
                matched.volume_ml
            );
            let hu_mean = matched.hu_sum as f64 / matched.voxels as f64;
            assert!(
                (f64_of(&t["hu_mean"]) - hu_mean).abs() < 1e-9,
                "{what}: HU mean {} vs truth {hu_mean}",
                t["hu_mean"]
            );
            let sources = t["sources"].as_array().unwrap();
            assert_eq!(sources, &vec![Value::from(matched.structure.clone())]);
        }
        for cyst in &truth.cysts {
            saw_cyst = true;
            assert!(
                tumors(p).iter().all(|t| t["sources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|s| s != &Value::from(cyst.structure.clone()))),
                "{what}: the cyst `{}` was counted",
                cyst.structure
            );
        }
        let tumor_ml = f64_of(&p["tumor_volume_ml"]);
        assert!((tumor_ml - volume_sum).abs() <= 1e-12 * volume_sum.max(1.0));

        // Liver volume = liver mask ∪ tumors; burden = tumors / liver.
        let liver_ml = f64_of(&p["liver_volume_ml"]);
        let liver_voxels = truth_liver_union_voxels(truth);
        assert_eq!(
            liver_ml,
            liver_voxels as f64 * voxel_mm3 / 1000.0,
            "{what}: liver ∪ tumors should be {liver_voxels} voxels"
        );
        let burden = f64_of(&p["tumor_burden_pct"]);
        assert!(
            (burden - 100.0 * tumor_ml / liver_ml).abs() < 1e-12,
            "{what}: {burden}"
        );
        if truth.tumors.is_empty() {
            saw_no_tumor = true;
            assert_eq!(tumor_ml, 0.0, "{what}");
            assert_eq!(burden, 0.0, "{what}");
            assert!(tumors(p).is_empty());
        }
    }
    assert!(
        saw_no_tumor && saw_cyst,
        "the cohort should cover both cases"
    );
    assert_eq!(usize_of(&stats["cohort"]["patients"]), 5);
    assert_eq!(usize_of(&stats["cohort"]["lesions"]), total_tumors);

    // The tables and the report.
    let out = dir.path().join("out");
    assert_eq!(csv_rows(&out.join("patients.csv")), 5);
    assert_eq!(csv_rows(&out.join("tumors.csv")), total_tumors);
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.len() > 1000 && html.contains("</html>"));
    assert_eq!(external_references(&html), Vec::<String>::new());
    // Thumbnails are inline images.
    assert!(html.contains("data:image/png;base64,"));
}

#[test]
fn corrupt_file_exits_1_and_names_its_origin() {
    let dir = Dir::new();
    let written = dir.cohort("c", cohort_options(3, true), true);
    let corrupt = written.corrupt.clone().expect("a corrupt file");
    let (run, stats) = analyze(&dir, &written.root, "out", &["--no-thumbnails"], 1);
    assert!(
        run.stderr().contains(&format!("`{corrupt}`")),
        "stderr should name `{corrupt}`:\n{}",
        run.stderr()
    );
    let skipped = stats["skipped"].as_array().unwrap();
    assert!(
        skipped.iter().any(|s| s["origin"] == corrupt.as_str()),
        "{skipped:?}"
    );
    // The other patients are measured as usual.
    for truth in written
        .patients
        .iter()
        .filter(|t| t.corrupt_slice_k.is_none())
    {
        let p = patient(&stats, &truth.label);
        let mut want: Vec<usize> = truth.tumors.iter().map(|t| t.voxels).collect();
        want.sort_unstable();
        assert_eq!(sorted_voxels(p), want, "{}", truth.label);
    }
}

/// One linear index on the k-ascending grid.
fn at(dims: [usize; 3], ijk: [usize; 3]) -> usize {
    (ijk[2] * dims[1] + ijk[1]) * dims[0] + ijk[0]
}

/// The voxel of `data` maximizing the sum of the coordinates on `axes` (ties: first found).
fn extreme_voxel(data: &BitMask, dims: [usize; 3], axes: &[usize]) -> [usize; 3] {
    let mut best: Option<(usize, [usize; 3])> = None;
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                let p = [i, j, k];
                if data.get(at(dims, p)) {
                    let s: usize = axes.iter().map(|&a| p[a]).sum();
                    if best.is_none_or(|(b, _)| s > b) {
                        best = Some((s, p));
                    }
                }
            }
        }
    }
    best.expect("a non-empty mask").1
}

/// True when a voxel of `data` lies in the 3×3×3 block around `p`.
fn touches(data: &BitMask, dims: [usize; 3], p: [usize; 3]) -> bool {
    (0..27).any(|n| {
        let d = [n % 3, (n / 3) % 3, n / 9];
        let q = [
            (p[0] + d[0]).wrapping_sub(1),
            (p[1] + d[1]).wrapping_sub(1),
            (p[2] + d[2]).wrapping_sub(1),
        ];
        q.iter().zip(&dims).all(|(&v, &n)| v < n) && data.get(at(dims, q))
    })
}

/// A patient whose `livertumor1` has one extra voxel touching it by a corner only and whose
/// `livertumor2` has one touching it by an edge only. Returns the folder and the two tumor sizes.
fn patient_with_diagonal_voxels(dir: &Dir) -> (PathBuf, [usize; 2]) {
    let mut p = generate_patient(0, &PhantomOptions::default()).expect("patient");
    let dims = p.image.ct.geometry.dims;
    let find = |p: &tumorscope_phantom::PhantomPatient, name: &str| {
        p.image
            .masks
            .iter()
            .position(|m| m.name == name)
            .unwrap_or_else(|| panic!("no `{name}`"))
    };
    let (m1, m2) = (find(&p, "livertumor1"), find(&p, "livertumor2"));
    let sizes = [m1, m2].map(|m| p.image.masks[m].voxel_count());
    // Past the voxel with the largest i+j+k, one step along (1,1,1) has no face or edge
    // neighbour in the tumor (those would have a larger i+j+k): a corner contact only.
    let c = extreme_voxel(&p.image.masks[m1].bits, dims, &[0, 1, 2]);
    let corner = [c[0] + 1, c[1] + 1, c[2] + 1];
    // Past the voxel with the largest i+j, one step along (1,1,0): edge contact, no face.
    let e = extreme_voxel(&p.image.masks[m2].bits, dims, &[0, 1]);
    let edge = [e[0] + 1, e[1] + 1, e[2]];
    // Neither extra voxel may touch the other tumor, or the expected counts would be wrong.
    assert!(!touches(&p.image.masks[m2].bits, dims, corner));
    assert!(!touches(&p.image.masks[m1].bits, dims, edge));
    p.image.masks[m1].bits.set(at(dims, corner), true);
    p.image.masks[m2].bits.set(at(dims, edge), true);
    write_patient_dir(&p, dir.path()).expect("write");
    (dir.path().join(&p.label), sizes)
}

#[test]
fn connectivity_option_splits_diagonal_contacts() {
    let dir = Dir::new();
    let (folder, [t1, t2]) = patient_with_diagonal_voxels(&dir);
    let cases: [(&str, Vec<usize>); 3] = [
        // 26: both extra voxels join their tumor.
        ("26", vec![t1 + 1, t2 + 1]),
        // 18: the edge contact joins, the corner contact is its own component.
        ("18", vec![1, t1, t2 + 1]),
        // 6: both extra voxels are on their own.
        ("6", vec![1, 1, t1, t2]),
    ];
    for (conn, want) in cases {
        let out = format!("out{conn}");
        let (_, stats) = analyze(
            &dir,
            &folder,
            &out,
            &["--connectivity", conn, "--no-thumbnails"],
            0,
        );
        let p = &stats["patients"][0];
        let mut want = want;
        want.sort_unstable();
        assert_eq!(sorted_voxels(p), want, "connectivity {conn}");
        assert_eq!(usize_of(&p["tumor_count"]), want.len());
        assert_eq!(p["connectivity"].to_string(), conn, "{p}");
        assert_eq!(stats["settings"]["connectivity"].to_string(), conn);
    }
    // Any other number is refused (fatal, exit 2) and no report is written.
    let run = dir.run(&["analyze", path_str(&folder), "--connectivity", "8"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(!dir.path().join("tumorscope-report").exists());
}

#[test]
fn min_volume_drops_smaller_tumors_and_keeps_equal_ones() {
    let dir = Dir::new();
    let written = dir.cohort("c", cohort_options(5, false), false);
    let mut volumes: Vec<f64> = written
        .patients
        .iter()
        .flat_map(|p| p.tumors.iter().map(|t| t.volume_ml))
        .collect();
    volumes.sort_by(f64::total_cmp);
    volumes.dedup();
    assert!(volumes.len() >= 3, "{volumes:?}");
    // Exactly the volume of a middle tumor: documented as "smaller than this" dropped, so that
    // tumor stays. Rust's `{}` prints the shortest text that parses back to the same f64.
    let threshold = volumes[volumes.len() / 2];
    let text = format!("{threshold}");
    let (_, stats) = analyze(
        &dir,
        &written.root,
        "out",
        &["--min-volume-ml", &text, "--no-thumbnails"],
        0,
    );
    assert_eq!(
        f64_of(&stats["settings"]["min_volume_ml"]),
        threshold,
        "{}",
        stats["settings"]
    );
    for truth in &written.patients {
        let p = patient(&stats, &truth.label);
        let voxel_mm3 = f64_of(&p["voxel_volume_mm3"]);
        let kept: Vec<usize> = {
            let mut v: Vec<usize> = truth
                .tumors
                .iter()
                .filter(|t| t.voxels as f64 * voxel_mm3 / 1000.0 >= threshold)
                .map(|t| t.voxels)
                .collect();
            v.sort_unstable();
            v
        };
        let dropped = truth.tumors.len() - kept.len();
        assert_eq!(sorted_voxels(p), kept, "{}", truth.label);
        assert_eq!(usize_of(&p["dropped_small"]), dropped, "{}", truth.label);
        let kept_ml: f64 = kept.iter().map(|&v| v as f64 * voxel_mm3 / 1000.0).sum();
        assert!((f64_of(&p["tumor_volume_ml"]) - kept_ml).abs() < 1e-12);
        if dropped > 0 {
            let note = p["note"].as_str().unwrap_or_default();
            let plural = if dropped == 1 { "" } else { "s" };
            let want = format!("{dropped} component{plural} smaller than");
            assert!(note.contains(&want), "{note}");
        }
    }
    let total: usize = written
        .patients
        .iter()
        .flat_map(|p| &p.tumors)
        .filter(|t| t.volume_ml >= threshold)
        .count();
    assert!(total > 0 && total < written.patients.iter().map(|p| p.tumors.len()).sum());
    assert_eq!(usize_of(&stats["cohort"]["lesions"]), total);
}

#[test]
fn tumor_masks_option_replaces_the_name_rules() {
    let dir = Dir::new();
    // Patient 1: livertumor1 + livertumor2; patient 2: livertumors (two lesions) + liverkyst.
    let written = dir.cohort("c", cohort_options(2, false), false);
    let (first, second) = (&written.patients[0], &written.patients[1]);
    assert_eq!(second.cysts.len(), 1);
    assert_eq!(second.tumors.len(), 2);
    let second_dir = written.root.join(&second.label);

    // Only `livertumor2`: the first patient has one tumor; the second has no such mask and is
    // skipped with a message naming it (exit 1).
    let (run, stats) = analyze(
        &dir,
        &written.root,
        "one",
        &["--tumor-masks", "livertumor2", "--no-thumbnails"],
        1,
    );
    let p = patient(&stats, &first.label);
    let want: Vec<usize> = first
        .tumors
        .iter()
        .filter(|t| t.structure == "livertumor2")
        .map(|t| t.voxels)
        .collect();
    assert_eq!(want.len(), 1);
    assert_eq!(sorted_voxels(p), want);
    assert!(
        run.stderr().contains(&second.label) && run.stderr().contains("`livertumor2`"),
        "{}",
        run.stderr()
    );

    // The cyst, named explicitly, is measured as a tumor; with `livertumors` too, all three.
    let (_, stats) = analyze(
        &dir,
        &second_dir,
        "cyst",
        &["--tumor-masks", "liverkyst", "--no-thumbnails"],
        0,
    );
    let p = patient(&stats, &second.label);
    assert_eq!(sorted_voxels(p), vec![second.cysts[0].voxels]);
    let (_, stats) = analyze(
        &dir,
        &second_dir,
        "both",
        &["--tumor-masks", "livertumors,liverkyst", "--no-thumbnails"],
        0,
    );
    let p = patient(&stats, &second.label);
    let mut want: Vec<usize> = second
        .tumors
        .iter()
        .chain(&second.cysts)
        .map(|t| t.voxels)
        .collect();
    want.sort_unstable();
    assert_eq!(sorted_voxels(p), want);
}

// ---------------------------------------------------------------------------------------------
// The real patient against bench/reference_stats.py
// ---------------------------------------------------------------------------------------------

/// `python3` when it can import pydicom, numpy and scipy; otherwise `None` with a message, or a
/// failure when `TUMORSCOPE_REQUIRE_TOOLS` is set.
fn reference_python() -> Option<&'static str> {
    let python = "python3";
    let ok = Command::new(python)
        .args(["-c", "import pydicom, numpy, scipy.ndimage, scipy.spatial"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    assert!(
        std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
        "`{python}` with pydicom, numpy and scipy is required (TUMORSCOPE_REQUIRE_TOOLS is set)"
    );
    // A skipped comparison must be visible in the test output.
    #[allow(clippy::print_stderr)]
    {
        eprintln!("python3 with pydicom, numpy and scipy not found: reference comparison skipped");
    }
    None
}

/// Our tumor matching `reference` (same voxel count, then nearest centroid).
fn match_tumor<'a>(ours: &'a [Value], reference: &Value) -> &'a Value {
    let centroid = |t: &Value| -> Vec<f64> {
        t["centroid_ijk"]
            .as_array()
            .unwrap()
            .iter()
            .map(f64_of)
            .collect()
    };
    let rc = centroid(reference);
    ours.iter()
        .filter(|t| t["voxels"] == reference["voxels"])
        .min_by(|a, b| {
            let d = |t: &Value| -> f64 {
                centroid(t)
                    .iter()
                    .zip(&rc)
                    .map(|(x, y)| (x - y) * (x - y))
                    .sum()
            };
            d(a).total_cmp(&d(b))
        })
        .unwrap_or_else(|| panic!("no tumor of ours has {} voxels", reference["voxels"]))
}

fn assert_rel(what: &str, ours: f64, reference: f64) {
    let rel = ((ours - reference) / reference).abs();
    assert!(
        rel <= VOLUME_REL_TOL,
        "{what}: ours {ours} vs reference {reference} ({rel:e} relative)"
    );
}

fn assert_abs(what: &str, ours: f64, reference: f64) {
    assert!(
        (ours - reference).abs() <= MM_HU_ABS_TOL,
        "{what}: ours {ours} vs reference {reference}"
    );
}

/// Runs `bench/reference_stats.py FOLDERS… --out JSON` and returns the JSON.
fn run_reference(python: &str, folders: &[PathBuf], json: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/reference_stats.py");
    let out = Command::new(python)
        .arg(&script)
        .args(folders)
        .arg("--out")
        .arg(json)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    read_json(json)
}

/// The reference script itself against exactly known answers, then ours against it on every
/// field the truth does not give (diameters, percentiles, bounding boxes).
#[test]
fn reference_script_and_ours_agree_on_a_phantom_cohort() {
    let Some(python) = reference_python() else {
        return;
    };
    let dir = Dir::new();
    // Written like the real data (int16, explicit VR little endian): the script decodes with
    // plain pydicom and no codec plugins.
    let options = PhantomOptions {
        patients: 5,
        variations: false,
        ..PhantomOptions::default()
    };
    let written = dir.cohort("c", options, false);
    let folders: Vec<PathBuf> = written
        .patients
        .iter()
        .map(|t| written.root.join(&t.label))
        .collect();
    let reference = run_reference(python, &folders, &dir.path().join("reference.json"));
    let (_, stats) = analyze(&dir, &written.root, "out", &["--no-thumbnails"], 0);
    for (truth, r) in written
        .patients
        .iter()
        .zip(reference["patients"].as_array().unwrap())
    {
        assert_eq!(r["patient"], truth.label.as_str());
        assert_eq!(r["hu_sum"].as_i64(), Some(truth.hu_sum), "{}", truth.label);
        let mut got: Vec<usize> = tumors(r).iter().map(|t| usize_of(&t["voxels"])).collect();
        got.sort_unstable();
        let mut want: Vec<usize> = truth.tumors.iter().map(|t| t.voxels).collect();
        want.sort_unstable();
        assert_eq!(got, want, "{}: reference tumors", truth.label);
        let liver_ml =
            truth_liver_union_voxels(truth) as f64 * f64_of(&r["voxel_volume_mm3"]) / 1000.0;
        assert_rel("reference liver", f64_of(&r["liver_volume_ml"]), liver_ml);
        assert_matches_reference(patient(&stats, &truth.label), r);
    }
}

#[test]
fn real_patient_matches_the_independent_reference() {
    let Some(data) = real_patient() else {
        return;
    };
    let Some(python) = reference_python() else {
        return;
    };
    let dir = Dir::new();
    let reference = run_reference(
        python,
        std::slice::from_ref(&data),
        &dir.path().join("reference.json"),
    );
    let r = &reference["patients"][0];

    let (_, stats) = analyze(&dir, &data, "out", &["--no-thumbnails"], 0);
    let p = patient(&stats, "3Dircadb1.17");

    assert_eq!(usize_of(&p["tumor_count"]), 2);
    assert_matches_reference(p, r);
}

/// Our patient `p` against the reference's `r`: counts, voxels, bounding boxes and HU extremes
/// exact; volumes to 1e-6 relative; diameters and HU statistics to 1e-3.
fn assert_matches_reference(p: &Value, r: &Value) {
    assert_eq!(p["tumor_count"], r["tumor_count"], "{}", p["patient"]);
    assert_rel(
        "voxel volume",
        f64_of(&p["voxel_volume_mm3"]),
        f64_of(&r["voxel_volume_mm3"]),
    );
    for field in ["tumor_volume_ml", "liver_volume_ml", "tumor_burden_pct"] {
        if f64_of(&r[field]) == 0.0 {
            assert_eq!(f64_of(&p[field]), 0.0, "{field}");
            continue;
        }
        assert_rel(field, f64_of(&p[field]), f64_of(&r[field]));
    }
    let organs = p["organs"].as_array().unwrap();
    assert_eq!(organs.len(), r["structures"].as_object().unwrap().len());
    for organ in organs {
        let name = organ["name"].as_str().unwrap();
        assert_eq!(organ["voxels"], r["structures"][name], "organ `{name}`");
    }

    // Per tumor, matched by voxels and centroid.
    let ours = tumors(p);
    for rt in r["tumors"].as_array().unwrap() {
        let t = match_tumor(ours, rt);
        let what = format!("tumor {} (scipy label {})", t["id"], rt["scipy_label"]);
        for field in ["voxels", "bbox_ijk_min", "bbox_ijk_max", "hu_min", "hu_max"] {
            assert_eq!(t[field], rt[field], "{what}: {field}");
        }
        for (a, b) in t["centroid_ijk"]
            .as_array()
            .unwrap()
            .iter()
            .zip(rt["centroid_ijk"].as_array().unwrap())
        {
            assert!((f64_of(a) - f64_of(b)).abs() < 1e-9, "{what}: centroid");
        }
        assert_rel(
            &format!("{what}: volume_ml"),
            f64_of(&t["volume_ml"]),
            f64_of(&rt["volume_ml"]),
        );
        for field in [
            "max_diameter_mm",
            "axial_diameter_mm",
            "equivalent_diameter_mm",
            "hu_mean",
            "hu_std",
            "hu_p10",
            "hu_median",
            "hu_p90",
        ] {
            assert_abs(
                &format!("{what}: {field}"),
                f64_of(&t[field]),
                f64_of(&rt[field]),
            );
        }
    }
}
