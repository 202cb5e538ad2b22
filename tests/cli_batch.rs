//! `plan` → `run` (per shard, or as a real Slurm array) → `merge`, against a one-machine
//! `analyze` of the same inputs: the merged tables equal its tables, a patient broken after
//! planning is a failure row, a finished shard rerun changes no file, a cancelled array resumes
//! without redoing finished patients, and the Parquet tables read back with pyarrow.
//!
//! The Slurm test starts a one-node cluster with scripts/slurm-local.sh (Debian's slurmctld,
//! slurmd, slurm-client and munge; root). Without them it says it skipped; `.ci/run` installs
//! them and sets `TUMORSCOPE_REQUIRE_TOOLS=1`, which makes them required.

// Tests say on stderr what they skipped and measured.
#![allow(clippy::print_stderr)]

mod util;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const BIN: &str = env!("CARGO_BIN_EXE_tumorscope");

/// A cohort of `patients` phantom patients in folders under `dir/src`; returns the labels.
fn cohort(dir: &Dir, patients: usize) -> Vec<String> {
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients,
            seed: 1300,
            ..PhantomOptions::default()
        },
        false,
    );
    written.patients.iter().map(|p| p.label.clone()).collect()
}

/// Replaces a patient's CT archive with bytes that are no zip: the plan saw it whole; the run
/// finds only its masks, and the patient fails (no CT volume), as it does in `analyze`.
fn break_patient(dir: &Dir, label: &str) {
    let zip = dir.path().join("src").join(label).join("PATIENT_DICOM.zip");
    assert!(zip.is_file(), "{}", zip.display());
    std::fs::write(&zip, b"not a zip any more").unwrap();
}

/// Every file under `root` (but `logs/`) with its size and modification time.
fn files(root: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.file_name().unwrap() != "logs" {
                    stack.push(p);
                }
            } else {
                let m = std::fs::metadata(&p).unwrap();
                out.insert(p, (m.len(), m.modified().unwrap()));
            }
        }
    }
    out
}

/// The merged tables equal `analyze`'s: the CSVs byte for byte, stats.json's patients.
fn assert_same_tables(merged: &Path, one: &Path) {
    for table in ["patients.csv", "tumors.csv"] {
        let (a, b) = (
            std::fs::read_to_string(merged.join(table)).unwrap(),
            std::fs::read_to_string(one.join(table)).unwrap(),
        );
        assert_eq!(a, b, "{table}");
    }
    let stats = |d: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(d.join("stats.json")).unwrap()).unwrap()
    };
    let (m, o) = (stats(merged), stats(one));
    assert_eq!(m["patients"], o["patients"]);
    assert_eq!(m["cohort"], o["cohort"]);
}

/// pyarrow's reading of the merged Parquet tables: row counts, a column against the CSV, the
/// failure rows.
fn check_parquet(merged: &Path, broken: &str) {
    if !util::python_has("pyarrow") {
        return;
    }
    let script = r#"
import csv, json, sys
import pyarrow.parquet as pq
d = sys.argv[1]
out = {}
for t in ("patients", "tumors", "organs", "failures"):
    out[t] = pq.read_table(f"{d}/{t}.parquet").to_pylist()
with open(f"{d}/tumors.csv", newline="") as f:
    out["tumors_csv"] = list(csv.DictReader(f))
print(json.dumps(out))
"#;
    let run = Command::new("python3")
        .args(["-c", script, merged.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read: Value = serde_json::from_slice(&run.stdout).unwrap();
    let tumors = read["tumors"].as_array().unwrap();
    let csv = read["tumors_csv"].as_array().unwrap();
    assert_eq!(tumors.len(), csv.len());
    assert!(!tumors.is_empty());
    for (p, c) in tumors.iter().zip(csv) {
        assert_eq!(p["patient"], c["patient"]);
        // Parquet holds the double; the CSV its shortest round-trip text.
        let v: f64 = c["volume_ml"].as_str().unwrap().parse().unwrap();
        assert_eq!(p["volume_ml"].as_f64().unwrap(), v);
        assert_eq!(
            p["id"].as_i64().unwrap().to_string(),
            c["id"].as_str().unwrap()
        );
    }
    let failures = read["failures"].as_array().unwrap();
    assert!(
        failures
            .iter()
            .any(|f| f["patient"] == broken && f["kind"] == "failed"),
        "{failures:?}"
    );
    assert!(!read["patients"].as_array().unwrap().is_empty());
    assert!(!read["organs"].as_array().unwrap().is_empty());
}

#[test]
fn plan_run_merge_equals_analyze_and_resumes() {
    let dir = Dir::new();
    let labels = cohort(&dir, 4);
    dir.run(&["plan", "src", "--out", "plan", "--per-task", "2"])
        .expect_code(0);
    let plan: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("plan/plan.json")).unwrap()).unwrap();
    assert_eq!(plan["tasks"], 2);
    let units = plan["units"].as_array().unwrap();
    assert_eq!(units.len(), 4);
    // Each patient folder is its own: a task re-scans that folder only.
    for (u, label) in units.iter().zip(&labels) {
        assert_eq!(u["key"], label.as_str());
        let scan: Vec<PathBuf> = serde_json::from_value(u["scan_paths"].clone()).unwrap();
        assert_eq!(scan.len(), 1);
        assert!(scan[0].ends_with(Path::new("src").join(label)), "{scan:?}");
        assert!(u["bytes"].as_u64().unwrap() > 0);
        assert_eq!(u["content_hash"].as_str().unwrap().len(), 64);
    }
    assert!(dir.path().join("plan/submit-slurm.sh").is_file());
    assert!(dir.path().join("plan/k8s-job.yaml").is_file());

    let broken = &labels[3];
    break_patient(&dir, broken);
    dir.run(&["run", "plan", "--shard-index", "0"])
        .expect_code(0);
    let second = dir
        .run(&["run", "plan", "--shard-index", "1"])
        .expect_code(1);
    assert!(
        second.stderr().contains(broken.as_str()),
        "{}",
        second.stderr()
    );
    // A file touched after its task ran: the merged result is stored under the stamps the task
    // took, so the catalog does not take it as current for the file as it is now.
    let touched = dir
        .path()
        .join("src")
        .join(&labels[0])
        .join("MASKS_DICOM.zip");
    std::fs::File::options()
        .write(true)
        .open(&touched)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(30))
        .unwrap();
    let merge = dir.run(&["merge", "plan", "--db", "cat.db"]).expect_code(1);
    assert!(
        merge.stderr().contains(broken.as_str()),
        "{}",
        merge.stderr()
    );
    dir.run(&["analyze", "src", "--out", "one", "--parquet"])
        .expect_code(1);
    assert_same_tables(&dir.path().join("plan/merged"), &dir.path().join("one"));
    check_parquet(&dir.path().join("plan/merged"), broken);
    check_parquet(&dir.path().join("one"), broken);
    // The merged results went to the catalog: `analyze --db` of the same inputs measures only
    // the broken patient (failures are not stored) and the touched one, with the same tables.
    let from_db = dir
        .run_talkative(&[
            "analyze",
            "src",
            "--out",
            "from-db",
            "--parquet",
            "--db",
            "cat.db",
        ])
        .expect_code(1);
    assert!(
        from_db
            .stderr()
            .contains("2 patient(s) unchanged since their results were stored in `cat.db`"),
        "{}",
        from_db.stderr()
    );
    assert_same_tables(&dir.path().join("from-db"), &dir.path().join("one"));
    // Analysed again into the same folder without --parquet: no stale tables left beside it.
    dir.run(&["analyze", "src", "--out", "one"]).expect_code(1);
    assert!(!dir.path().join("one/tumors.parquet").exists());

    // A finished shard run again changes no file.
    let before = files(&dir.path().join("plan"));
    let again = dir
        .run(&["run", "plan", "--shard-index", "0"])
        .expect_code(0);
    assert!(
        again.stdout().contains("0 measured now"),
        "{}",
        again.stdout()
    );
    assert_eq!(files(&dir.path().join("plan")), before);

    // A lost result is redone, and only it.
    let results = dir.path().join("plan/results");
    let lost = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(labels[0].as_str())
        })
        .unwrap();
    std::fs::remove_file(&lost).unwrap();
    // Merging now lists it and writes nothing.
    let missing = dir
        .run(&["merge", "plan", "--out", "partial"])
        .expect_code(1);
    assert!(
        missing.stderr().contains(labels[0].as_str()),
        "{}",
        missing.stderr()
    );
    assert!(!dir.path().join("partial/stats.json").exists());
    let other = results.join(
        tumorscope_batch::result_path(Path::new(""), &labels[1])
            .file_name()
            .unwrap(),
    );
    let other_time = std::fs::metadata(&other).unwrap().modified().unwrap();
    let redo = dir
        .run(&["run", "plan", "--shard-index", "0"])
        .expect_code(0);
    assert!(
        redo.stdout().contains("1 measured now"),
        "{}",
        redo.stdout()
    );
    assert!(lost.is_file());
    assert_eq!(
        std::fs::metadata(&other).unwrap().modified().unwrap(),
        other_time
    );

    // Other options make every result stale: merge refuses a plan's mix.
    dir.run(&[
        "plan",
        "src",
        "--out",
        "plan",
        "--per-task",
        "2",
        "--min-volume-ml",
        "0.5",
    ])
    .expect_code(1);
    let stale = dir.run(&["merge", "plan", "--out", "stale"]).expect_code(1);
    assert!(
        stale.stderr().contains("other options"),
        "{}",
        stale.stderr()
    );
}

#[test]
fn shards_come_from_the_batch_environment() {
    let dir = Dir::new();
    cohort(&dir, 3);
    dir.run(&["plan", "src", "--out", "plan", "--max-depth", "3"])
        .expect_code(0);
    // The scan limits go with the plan to the tasks.
    let plan: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("plan/plan.json")).unwrap()).unwrap();
    assert_eq!(plan["scan_limits"]["max_depth"], 3);
    // No flag and no batch variable: a usage error that says what to pass.
    let none = dir.run(&["run", "plan"]).expect_code(2);
    assert!(none.stderr().contains("--shard-index"), "{}", none.stderr());
    let k8s = Command::new(BIN)
        .args(["run", "plan", "--quiet"])
        .env("JOB_COMPLETION_INDEX", "2")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        k8s.status.success(),
        "{}",
        String::from_utf8_lossy(&k8s.stderr)
    );
    assert!(String::from_utf8_lossy(&k8s.stdout).contains("shard 2 of 3"));
    let out_of_range = dir
        .run(&["run", "plan", "--shard-index", "3"])
        .expect_code(2);
    assert!(
        out_of_range.stderr().contains("shard index 3"),
        "{}",
        out_of_range.stderr()
    );
}

/// A one-node Slurm cluster, stopped when dropped.
struct Slurm {
    dir: PathBuf,
}

impl Slurm {
    fn start(dir: PathBuf) -> Option<Slurm> {
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let installed = ["slurmctld", "slurmd", "sbatch", "munged"].iter().all(|t| {
            Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .output()
                .is_ok_and(|o| o.status.success())
        });
        if !util::tool_present(
            installed && root,
            "Slurm (slurmctld, slurmd, sbatch, munged) as root",
        ) {
            return None;
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-local.sh");
        let up = Command::new(&script)
            .arg("start")
            .arg(&dir)
            .output()
            .unwrap();
        assert!(
            up.status.success(),
            "slurm-local.sh start: {}{}",
            String::from_utf8_lossy(&up.stdout),
            String::from_utf8_lossy(&up.stderr)
        );
        Some(Slurm { dir })
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new(program);
        c.env("SLURM_CONF", self.dir.join("slurm.conf"));
        c
    }

    /// Runs a command of the cluster's, which must succeed; its stdout.
    fn output(&self, program: &str, args: &[&str]) -> String {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until `job` has left the queue.
    fn wait(&self, job: &str) {
        let start = Instant::now();
        while !self
            .output("squeue", &["-h", "-j", job, "-o", "%i"])
            .trim()
            .is_empty()
        {
            assert!(
                start.elapsed() < Duration::from_secs(300),
                "job {job} still queued after 300 s"
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// Runs `PLAN/submit-slurm.sh` and waits for its merge job; returns (array, merge) ids.
    fn submit(&self, plan: &Path) -> (String, String) {
        let out = self.output(plan.join("submit-slurm.sh").to_str().unwrap(), &[]);
        let ids: Vec<&str> = out
            .split_whitespace()
            .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
            .collect();
        assert!(ids.len() >= 2, "{out}");
        let (array, merge) = (ids[0].to_owned(), ids[ids.len() - 1].to_owned());
        self.wait(&merge);
        (array, merge)
    }
}

impl Drop for Slurm {
    fn drop(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-local.sh");
        let _ = Command::new(script).arg("stop").arg(&self.dir).output();
    }
}

#[test]
fn a_slurm_array_runs_the_plan_and_resumes_after_scancel() {
    let dir = Dir::new();
    let Some(slurm) = Slurm::start(dir.path().join("slurm")) else {
        return;
    };
    let labels = cohort(&dir, 4);
    dir.run(&[
        "plan",
        "src",
        "--out",
        "plan",
        "--cpus-per-task",
        "1",
        "--mem",
        "1G",
        "--time",
        "00:10:00",
    ])
    .expect_code(0);
    let broken = &labels[2];
    break_patient(&dir, broken);
    let plan = dir.path().join("plan");
    let started = Instant::now();
    slurm.submit(&plan);
    eprintln!(
        "slurm: 4 tasks and the merge in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let merged = plan.join("merged");
    assert!(
        merged.join("stats.json").is_file(),
        "no merge; logs: {:?}",
        std::fs::read_dir(plan.join("logs")).map(|d| d.count())
    );
    dir.run(&["analyze", "src", "--out", "one", "--parquet"])
        .expect_code(1);
    assert_same_tables(&merged, &dir.path().join("one"));
    check_parquet(&merged, broken);
    // The array tasks used the one CPU each was given.
    let log = std::fs::read_dir(plan.join("logs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with("run-"))
        .unwrap();
    assert!(std::fs::read_to_string(log).unwrap().contains("shard "));

    // Cancel an array after its first task: the rerun redoes only the others.
    std::fs::remove_dir_all(plan.join("results")).unwrap();
    std::fs::remove_dir_all(plan.join("shards")).unwrap();
    std::fs::remove_dir_all(&merged).unwrap();
    let held = slurm.output(
        "sbatch",
        &[
            "--parsable",
            "--hold",
            "--array=0-3",
            "--cpus-per-task=1",
            "--mem=1G",
            &format!("--output={}/logs/held-%A_%a.out", plan.display()),
            &format!("--wrap=exec '{BIN}' run '{}'", plan.display()),
        ],
    );
    let held = held.trim().split(';').next().unwrap().to_owned();
    slurm.output("scontrol", &["release", &format!("{held}_0")]);
    let first = plan.join("shards/shard-00000-of-00004.done");
    let start = Instant::now();
    while !first.is_file() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "task 0 never finished"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    slurm.wait(&format!("{held}_0"));
    slurm.output("scancel", &[&held]);
    slurm.wait(&held);
    let done_first: Vec<PathBuf> = std::fs::read_dir(plan.join("results"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(done_first.len(), 1, "{done_first:?}");
    let kept = files(&plan.join("results"));
    slurm.submit(&plan);
    for (path, stamp) in &kept {
        assert_eq!(
            std::fs::metadata(path).unwrap().modified().unwrap(),
            stamp.1,
            "{} was redone",
            path.display()
        );
    }
    assert_eq!(std::fs::read_dir(plan.join("results")).unwrap().count(), 4);
    assert_same_tables(&merged, &dir.path().join("one"));
}
