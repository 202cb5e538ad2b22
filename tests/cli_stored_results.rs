//! Results stored in the catalog: `analyze --db` measures a patient once for the same inputs,
//! options and tumorscope version (the outputs equal a fresh run's), measures again what
//! changed, and `view --db` shows the stored numbers in its patient list.

mod util;

use std::io::{Read, Write};
use std::path::Path;

use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::{spawn_view, Dir};

/// `stats.json` without the line that says when it was written.
fn stats_without_time(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("stats.json"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains("\"generated_at\""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap()
}

#[test]
fn analyze_reuses_stored_results_and_measures_what_changed() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 3,
            ..PhantomOptions::default()
        },
        false,
    );
    let root = written.root.to_str().unwrap();
    let analyze = |out: &str, extra: &[&str]| {
        let mut args = vec!["analyze", root, "--db", "cat.db", "--out", out, "--parquet"];
        args.extend_from_slice(extra);
        dir.run_talkative(&args).expect_code(0)
    };
    let first = analyze("r1", &[]);
    assert!(
        !first.stderr().contains("not measured again"),
        "{}",
        first.stderr()
    );
    let again = analyze("r2", &[]);
    assert!(
        again.stderr().contains(
            "3 patient(s) unchanged since their results were stored in `cat.db`: not measured again"
        ),
        "{}",
        again.stderr()
    );
    assert_eq!(again.stdout().replace("r2/", "r1/"), first.stdout());
    let (r1, r2) = (dir.path().join("r1"), dir.path().join("r2"));
    assert_eq!(stats_without_time(&r2), stats_without_time(&r1));
    for table in [
        "patients.csv",
        "tumors.csv",
        "patients.parquet",
        "tumors.parquet",
        "organs.parquet",
    ] {
        assert!(read(&r2, table) == read(&r1, table), "{table} differs");
    }
    // The same as without a catalog.
    dir.run(&["analyze", root, "--out", "r0", "--parquet"])
        .expect_code(0);
    assert_eq!(
        stats_without_time(&dir.path().join("r0")),
        stats_without_time(&r1)
    );

    // Other options: measured again (and stored beside the first results).
    let other = analyze("r3", &["--min-volume-ml", "1000"]);
    assert!(
        !other.stderr().contains("not measured again"),
        "{}",
        other.stderr()
    );
    assert!(other.stdout().contains("0 tumor(s)"), "{}", other.stdout());
    // One patient's masks touched: that patient alone is measured again.
    std::fs::File::options()
        .write(true)
        .open(written.root.join("3Dircadb1.2/MASKS_DICOM.zip"))
        .unwrap()
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(30))
        .unwrap();
    let touched = analyze("r4", &[]);
    assert!(
        touched
            .stderr()
            .contains("2 patient(s) unchanged since their results were stored"),
        "{}",
        touched.stderr()
    );
    assert_eq!(
        stats_without_time(&dir.path().join("r4")),
        stats_without_time(&r1)
    );
    // Other archive limits: the scan may see other entries, so everything is measured again.
    let limits = analyze("r5", &["--max-depth", "9"]);
    assert!(
        !limits.stderr().contains("not measured again"),
        "{}",
        limits.stderr()
    );
}

/// GET `path` from `http://127.0.0.1:port`, the body as JSON.
fn get_json(port: u16, path: &str) -> Value {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"))
}

#[test]
fn view_shows_the_newest_stored_result_of_each_patient() {
    let dir = Dir::new();
    let written = dir.cohort(
        "c",
        PhantomOptions {
            patients: 2,
            ..PhantomOptions::default()
        },
        false,
    );
    let root = written.root.to_str().unwrap();
    // Stored under options the viewer would not use itself: no tumour is that large, so the
    // list shows zero tumours only if it reads the stored results.
    dir.run(&[
        "analyze",
        root,
        "--db",
        "cat.db",
        "--out",
        "r",
        "--min-volume-ml",
        "1000",
    ])
    .expect_code(0);
    let (mut child, line) = spawn_view(dir.path(), &["--db", "cat.db", "--port", "0"]);
    let port: u16 = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no URL in `{line}`"));
    let patients = get_json(port, "/api/patients");
    let _ = child.kill();
    let _ = child.wait();
    let list = patients.as_array().unwrap();
    assert_eq!(list.len(), 2, "{patients}");
    for p in list {
        assert_eq!(p["tumor_count"], 0, "{p}");
    }
}
