//! Searching for bugs with seeded mutations: real-format files (a phantom patient in the
//! 3D-IRCADb layout, its masks, and non-image objects; 3D-IRCADb 1.17's first slices when
//! present) are truncated, bit-flipped, given huge or odd lengths, zeroed or huge
//! rows/columns/bits, spliced and cut, then run through scan → load → analyze → render
//! in-process. Nothing may panic; every file ends read, listed as a non-image object, ignored
//! or skipped with a reason; each round stays within a time budget.

// The test says on stderr how long each round took.
#![allow(clippy::print_stderr)]

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tumorscope_analysis::{analyze_patient, AnalysisOptions};
use tumorscope_core::Window;
use tumorscope_dataset::Dataset;
use tumorscope_phantom::{write_cohort, PhantomOptions};
use tumorscope_render::{render_slice, Plane, RenderOptions, SliceRequest};
use tumorscope_sources::{load_exam, scan, LoadOptions, ScanOptions};

/// SplitMix64: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The explicit-VR-LE header of a US element `(0028,eeee)`.
fn us_element(element: u16) -> [u8; 8] {
    let e = element.to_le_bytes();
    [0x28, 0x00, e[0], e[1], b'U', b'S', 2, 0]
}

/// One mutation of `bytes` (`other` is another file, for splices); returns its name.
fn mutate(bytes: &mut Vec<u8>, other: &[u8], rng: &mut Rng) -> &'static str {
    let header_end = bytes.len().clamp(1, 1200);
    match rng.below(8) {
        0 => {
            let at = rng.below(bytes.len());
            bytes.truncate(at);
            "truncate"
        }
        1 => {
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(header_end);
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            "flip header bits"
        }
        2 => {
            let value: u32 = match rng.below(4) {
                0 => u32::MAX,
                1 => 0xFFFF_FFF0,
                2 => 0x7FFF_FFFF,
                _ => (rng.next() as u32) | 1,
            };
            let at = 132 + rng.below(header_end.saturating_sub(136).max(1));
            if at + 4 <= bytes.len() {
                bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
            "huge or odd length"
        }
        3 => {
            // Rows, Columns, Bits Allocated, Bits Stored, High Bit, Pixel Representation.
            let element = [0x0010, 0x0011, 0x0100, 0x0101, 0x0102, 0x0103][rng.below(6)];
            let value: u16 = [0, 1, 3, 7, 17, 33, 4096, u16::MAX][rng.below(8)];
            let pattern = us_element(element);
            if let Some(at) = bytes.windows(8).position(|w| w == pattern) {
                if at + 10 <= bytes.len() {
                    bytes[at + 8..at + 10].copy_from_slice(&value.to_le_bytes());
                }
            }
            "zero or huge pixel module value"
        }
        4 => {
            let from = rng.below(other.len());
            let len = rng.below(other.len() - from).min(4096);
            let at = rng.below(bytes.len());
            let chunk = other[from..from + len].to_vec();
            bytes.splice(at..at, chunk);
            "splice"
        }
        5 => {
            let at = rng.below(bytes.len());
            let len = rng.below(bytes.len() - at).min(512);
            bytes.drain(at..at + len);
            "cut a span"
        }
        6 => {
            // Number of Frames as a huge IS string, where the file has room for one.
            let pattern = [0x28, 0x00, 0x08, 0x00, b'I', b'S'];
            if let Some(at) = bytes.windows(6).position(|w| w == pattern) {
                if at + 10 <= bytes.len() {
                    bytes[at + 8..at + 10].copy_from_slice(b"9 ");
                }
            }
            let at = rng.below(bytes.len());
            bytes[at] = bytes[at].wrapping_add(1);
            "frames and a byte"
        }
        _ => {
            let at = rng.below(header_end);
            let len = rng.below(64);
            for b in bytes.iter_mut().skip(at).take(len) {
                *b = rng.next() as u8;
            }
            "garbage run in the header"
        }
    }
}

/// Every leaf file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Extracts the zips of a phantom cohort folder into loose files (what the mutations edit).
fn loose_patient(dir: &Path) -> PathBuf {
    let options = PhantomOptions {
        patients: 1,
        dims: [48, 48, 12],
        ..PhantomOptions::default()
    };
    let written = write_cohort(&dir.join("zipped"), &options, false).unwrap();
    let out = dir.join("base");
    for zip_path in files(&written.root) {
        if zip_path.extension().is_none_or(|e| e != "zip") {
            continue;
        }
        let rel = zip_path
            .strip_prefix(&written.root)
            .unwrap()
            .with_extension("");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            if f.is_dir() {
                continue;
            }
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let target = out.join(&rel).join(name);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, data).unwrap();
        }
    }
    out
}

/// The first six CT slices of 3D-IRCADb 1.17 and their liver and tumor mask slices, when the
/// real patient is present (`../shared/data`), as loose files beside the phantom.
fn add_real_slices(base: &Path) {
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/3Dircadb1.17");
    if !real.join("PATIENT_DICOM.zip").is_file() {
        eprintln!(
            "3Dircadb1.17 not found at `{}`: mutating phantoms only",
            real.display()
        );
        return;
    }
    for (zip_name, keep) in [
        ("PATIENT_DICOM.zip", "PATIENT_DICOM/image_"),
        ("MASKS_DICOM.zip", "MASKS_DICOM/liver/image_"),
        ("MASKS_DICOM.zip", "MASKS_DICOM/livertumor1/image_"),
    ] {
        let mut zip =
            zip::ZipArchive::new(std::fs::File::open(real.join(zip_name)).unwrap()).unwrap();
        for n in 60..66 {
            let name = format!("{keep}{n}");
            let Ok(mut f) = zip.by_name(&name) else {
                continue;
            };
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let target = base
                .join("3Dircadb1.17")
                .join(zip_name.trim_end_matches(".zip"))
                .join(&name);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, data).unwrap();
        }
    }
}

/// Every origin the dataset accounts for: read into a series or structure, listed as a
/// non-image object, ignored, skipped, or dropped as a duplicate.
fn accounted(d: &Dataset) -> HashSet<String> {
    let mut out = HashSet::new();
    for p in &d.patients {
        for s in &p.series {
            out.extend(s.slices.iter().map(|x| x.origin.clone()));
            for m in &s.structures {
                out.extend(m.slices.iter().map(|x| x.origin.clone()));
                out.extend(m.segmentation.iter().map(|x| x.origin.clone()));
                out.extend(m.contours.iter().map(|x| x.origin.clone()));
            }
        }
        for m in &p.unattached {
            out.extend(m.slices.iter().map(|x| x.origin.clone()));
        }
    }
    out.extend(d.non_image.iter().map(|o| o.origin.clone()));
    out.extend(d.ignored_files.iter().map(|o| o.origin.clone()));
    out.extend(d.skipped.iter().map(|o| o.origin.clone()));
    out.extend(d.duplicates.iter().map(|o| o.origin.clone()));
    out
}

/// Scan → load → analyze → render of `root`; panics (a bug) fail the test with `what`.
fn run_pipeline(root: &Path, what: &str) {
    let started = Instant::now();
    let d = scan(&[root.to_path_buf()], &ScanOptions::default(), &|| {});
    let seen = accounted(&d);
    for f in files(root) {
        let origin = f.to_string_lossy().into_owned();
        // A file the scan silently dropped (accounted nowhere, or only in a series that
        // left it out as a duplicate position) must at least be named in a warning.
        let warned = d
            .patients
            .iter()
            .flat_map(|p| {
                p.series
                    .iter()
                    .flat_map(|s| {
                        s.warnings
                            .iter()
                            .chain(s.structures.iter().flat_map(|m| &m.warnings))
                    })
                    .chain(p.unattached.iter().flat_map(|m| &m.warnings))
            })
            .any(|w| w.contains(&origin));
        assert!(
            seen.contains(&origin) || warned,
            "{what}: `{origin}` is neither read nor reported"
        );
    }
    for exam in d.patients.iter().flat_map(|p| p.exams()) {
        let Ok(loaded) = load_exam(&d, &exam, &LoadOptions::default()) else {
            continue;
        };
        let image = &loaded.image;
        let _ = analyze_patient(image, &AnalysisOptions::default());
        let opts = RenderOptions {
            window: Window::parse("abdomen").unwrap(),
            ..RenderOptions::default()
        };
        for plane in [Plane::Axial, Plane::Coronal, Plane::Sagittal] {
            let index = plane.slice_count(&image.ct.geometry) / 2;
            let _ = render_slice(image, SliceRequest { plane, index }, &opts);
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{what}: took {:?}",
        started.elapsed()
    );
}

#[test]
fn seeded_mutations_never_panic_and_every_file_is_accounted_for() {
    let tmp = tempfile::tempdir().unwrap();
    let base = loose_patient(tmp.path());
    add_real_slices(&base);
    // Objects that are not images (SR, RT, presentation state, PDF, waveform, no pixels, zero
    // rows) and a DICOM SEG beside the patient: mutated, they must be listed, skipped or read,
    // never crash.
    let other = base.join("export/other");
    std::fs::create_dir_all(&other).unwrap();
    for o in tumorscope_phantom::hospital_objects()
        .into_iter()
        .filter(|o| o.file_name != "huge_meta.dcm")
    {
        std::fs::write(other.join(&o.file_name), &o.bytes).unwrap();
    }
    // An RT structure set drawn on the patient's CT: mutated, its contours are still filled
    // (or the file skipped), never a crash.
    let unmutated = scan(std::slice::from_ref(&base), &ScanOptions::default(), &|| {});
    let ct_series = &unmutated.patients[0].series[0].series_uid;
    std::fs::write(
        other.join("rtstruct-on-ct.dcm"),
        tumorscope_phantom::rtstruct_object(ct_series),
    )
    .unwrap();
    let with_rtstruct = scan(std::slice::from_ref(&base), &ScanOptions::default(), &|| {});
    assert!(
        with_rtstruct.patients[0].series[0]
            .structures
            .iter()
            .any(|m| m.contours.is_some() && m.name == "GTV"),
        "the RT structure set is placed on the CT before it is mutated"
    );
    let originals: Vec<(PathBuf, Vec<u8>)> = files(&base)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    // `TUMORSCOPE_MUTATION_ROUNDS=400` searches longer (a local bug hunt); CI runs 40.
    let rounds: u64 = std::env::var("TUMORSCOPE_MUTATION_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    const PER_ROUND: usize = 60;
    let mut mutations = 0;
    for round in 0..rounds {
        let mut rng = Rng(0x7475_6d6f_7273_636f ^ round);
        let dir = tmp.path().join(format!("round{round}"));
        for (path, bytes) in &originals {
            let target = dir.join(path.strip_prefix(&base).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
        let mut log = Vec::new();
        for _ in 0..PER_ROUND {
            let (path, _) = &originals[rng.below(originals.len())];
            let target = dir.join(path.strip_prefix(&base).unwrap());
            let mut bytes = std::fs::read(&target).unwrap();
            if bytes.is_empty() {
                continue;
            }
            let other = &originals[rng.below(originals.len())].1;
            let kind = mutate(&mut bytes, other, &mut rng);
            log.push(format!("{kind} on {}", target.display()));
            std::fs::write(&target, bytes).unwrap();
            mutations += 1;
        }
        let what = format!("round {round} (seed {round}); mutations: {log:#?}");
        let started = Instant::now();
        let result = std::panic::catch_unwind(|| run_pipeline(&dir, &what));
        eprintln!(
            "round {round}: {:?}, peak so far {} KiB",
            started.elapsed(),
            peak_rss_kib().unwrap_or(0)
        );
        if let Err(e) = result {
            if let Some(keep) = std::env::var_os("TUMORSCOPE_KEEP_MUTATIONS") {
                let _ = std::fs::rename(&dir, PathBuf::from(keep).join(format!("round{round}")));
            }
            std::panic::resume_unwind(e);
        }
        if std::env::var_os("TUMORSCOPE_KEEP_MUTATIONS").is_some() {
            let keep = PathBuf::from(std::env::var_os("TUMORSCOPE_KEEP_MUTATIONS").unwrap());
            let _ = std::fs::rename(&dir, keep.join(format!("round{round}")));
        } else {
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
    eprintln!("{mutations} mutations in {rounds} rounds: no panic");
    assert!(mutations >= 2000);
    // Memory: a garbage length must never be allocated (Linux reports the peak).
    if let Some(peak_kib) = peak_rss_kib() {
        eprintln!("peak memory of the test process: {} MiB", peak_kib / 1024);
        assert!(peak_kib < 1024 * 1024, "peak {peak_kib} KiB");
    }
}

/// The process's peak resident memory (`VmHWM`), where /proc says it.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
