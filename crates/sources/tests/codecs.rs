//! Compressed and unusual pixel encodings load to exactly known HU.
//!
//! Small series are written uncompressed with the phantom encoder (signed and unsigned 16-bit,
//! 12-bit in 16, fractional slope, Pixel Padding Value, MONOCHROME1), transcoded by reference
//! tools (GDCM `gdcmconv`, DCMTK `dcmcjpeg`/`dcmcrle`/`dcmcjpls`) to JPEG lossless (process 14 SV1),
//! JPEG 2000 lossless, RLE, deflated explicit VR LE, JPEG-LS (GDCM and DCMTK, both CharLS) and
//! JPEG baseline, then scanned and loaded. Lossless syntaxes must give the HU computed from the
//! stored values, voxel for voxel; near-lossless JPEG-LS must give what DCMTK's decoder gives;
//! JPEG baseline must decode and stay close; a syntax without a codec must be reported per
//! file, naming the syntax and the file, while the rest of the series loads.
//!
//! A missing tool skips its part with a message, and fails the test when
//! `TUMORSCOPE_REQUIRE_TOOLS` is set (CI installs `libgdcm-tools` and `dcmtk`).

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

use tumorscope_dataset::{Dataset, LoadedPatient};
use tumorscope_phantom::{
    encode_slice, generate_patient, write_cohort, PhantomOptions, SliceEncoding, SliceTags,
};
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};

const COLS: usize = 40;
const ROWS: usize = 30;
const SLICES: usize = 5;
const PIXEL_SPACING_MM: [f64; 2] = [0.7, 0.8];
const STEP_MM: f64 = 2.0;

const JPEG_LOSSLESS_SV1: &str = "1.2.840.10008.1.2.4.70";
const JPEG_BASELINE: &str = "1.2.840.10008.1.2.4.50";
const JPEG_2000_LOSSLESS: &str = "1.2.840.10008.1.2.4.90";
const JPEG_LS_LOSSLESS: &str = "1.2.840.10008.1.2.4.80";
const JPEG_LS_NEAR_LOSSLESS: &str = "1.2.840.10008.1.2.4.81";
const RLE_LOSSLESS: &str = "1.2.840.10008.1.2.5";
const DEFLATED: &str = "1.2.840.10008.1.2.1.99";
const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// Whether `tool` can run; without it the caller skips, unless CI demands every tool.
fn have_tool(tool: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "`{tool}` is not installed and TUMORSCOPE_REQUIRE_TOOLS is set"
        );
        eprintln!("`{tool}` not installed: its part of the codec test is skipped");
    }
    found
}

/// A tiny deterministic generator (SplitMix64), so the stored values are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// Stored values of every slice: a smooth ramp plus noise inside `[lo, hi]`, with the extremes
/// of the range (and `extra` values) planted in the first row, where codecs most often slip.
fn stored_slices(lo: i64, hi: i64, noise: i64, extra: &[i64], seed: u64) -> Vec<Vec<i32>> {
    let mut rng = Rng(seed);
    (0..SLICES)
        .map(|k| {
            let mut v: Vec<i32> = (0..ROWS * COLS)
                .map(|n| {
                    let (i, j) = ((n % COLS) as i64, (n / COLS) as i64);
                    let ramp = lo + (hi - lo) * (i + j + k as i64) / (COLS + ROWS + SLICES) as i64;
                    (ramp + rng.range(-noise, noise)).clamp(lo, hi) as i32
                })
                .collect();
            for (n, s) in [lo, hi].iter().chain(extra).enumerate() {
                v[n + k] = *s as i32;
            }
            v
        })
        .collect()
}

/// The HU a reader must produce for one stored value (PS3.3 C.11.1.1.2; padding → −1024).
fn expected_hu(enc: &SliceEncoding, stored: i32) -> i16 {
    if enc.pixel_padding_value == Some(stored) {
        return -1024;
    }
    let hu = (stored as f64 * enc.slope + enc.intercept).round();
    hu.clamp(i16::MIN as f64, i16::MAX as f64) as i16
}

/// Writes one uncompressed series into `dir` (`image_0` … ), one file per slice.
fn write_series(dir: &Path, enc: &SliceEncoding, slices: &[Vec<i32>]) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    slices
        .iter()
        .enumerate()
        .map(|(k, stored)| {
            let tags = SliceTags {
                sop_instance_uid: format!("2.25.777{k}"),
                patient_id: "CODEC".to_owned(),
                patient_name: "CODEC^TEST".to_owned(),
                instance_number: k as i32 + 1,
                ..SliceTags::default()
            };
            let bytes = encode_slice(
                stored,
                ROWS,
                COLS,
                [-10.0, 20.0, k as f64 * STEP_MM],
                PIXEL_SPACING_MM,
                enc,
                &tags,
            )
            .unwrap();
            let path = dir.join(format!("image_{k}"));
            std::fs::write(&path, bytes).unwrap();
            path
        })
        .collect()
}

fn scan_dir(dir: &Path) -> Dataset {
    scan(&[dir.to_path_buf()], &ScanOptions::default(), &|| {})
}

/// Scans `dir` (one patient, one series) and loads it.
fn load_dir(dir: &Path) -> (Dataset, LoadedPatient) {
    let d = scan_dir(dir);
    assert!(d.skipped.is_empty(), "{}: {:?}", dir.display(), d.skipped);
    assert_eq!(d.patients.len(), 1, "{}", dir.display());
    let loaded = load_patient(&d, &d.patients[0], &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    (d, loaded)
}

/// The transfer syntax written in a file's meta group, read with dicom-rs.
fn transfer_syntax_of(path: &Path) -> String {
    let obj = dicom_object::OpenFileOptions::new()
        .read_until(dicom_dictionary_std::tags::PIXEL_DATA)
        .open_file(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    obj.meta()
        .transfer_syntax()
        .trim_end_matches('\0')
        .to_owned()
}

/// A transcoder: tool, arguments before `input output`, and the syntax it must produce.
struct Transcoder {
    tool: &'static str,
    args: &'static [&'static str],
    syntax: &'static str,
}

/// Every lossless conversion we require to decode exactly.
const LOSSLESS: [Transcoder; 8] = [
    Transcoder {
        tool: "gdcmconv",
        args: &["-J"],
        syntax: JPEG_LOSSLESS_SV1,
    },
    Transcoder {
        tool: "gdcmconv",
        args: &["-K"],
        syntax: JPEG_2000_LOSSLESS,
    },
    Transcoder {
        tool: "gdcmconv",
        args: &["-R"],
        syntax: RLE_LOSSLESS,
    },
    Transcoder {
        tool: "gdcmconv",
        args: &["-d"],
        syntax: DEFLATED,
    },
    Transcoder {
        tool: "dcmcjpeg",
        args: &["+e1"],
        syntax: JPEG_LOSSLESS_SV1,
    },
    Transcoder {
        tool: "dcmcrle",
        args: &[],
        syntax: RLE_LOSSLESS,
    },
    // JPEG-LS, decoded by tumorscope's own decoder (`tumorscope-jpegls`), written by CharLS
    // through GDCM and through DCMTK.
    Transcoder {
        tool: "gdcmconv",
        args: &["-L"],
        syntax: JPEG_LS_LOSSLESS,
    },
    Transcoder {
        tool: "dcmcjpls",
        args: &["+el"],
        syntax: JPEG_LS_LOSSLESS,
    },
];

/// Runs `t` on every file of `inputs` into `out_dir` (same names). Panics when the tool fails:
/// the inputs are valid, so a failure is a test-setup problem worth seeing.
fn transcode(t: &Transcoder, inputs: &[PathBuf], out_dir: &Path) {
    std::fs::create_dir_all(out_dir).unwrap();
    for input in inputs {
        let output = out_dir.join(input.file_name().unwrap());
        let run = Command::new(t.tool)
            .args(t.args)
            .arg(input)
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            run.status.success() && output.is_file(),
            "{} {:?} {}: {}{}",
            t.tool,
            t.args,
            input.display(),
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(
            transfer_syntax_of(&output),
            t.syntax,
            "{} {:?} wrote another syntax",
            t.tool,
            t.args
        );
    }
}

/// One pixel encoding to push through every codec.
struct Case {
    name: &'static str,
    enc: SliceEncoding,
    slices: Vec<Vec<i32>>,
    /// A warning the load must give (rounding, padding), if any.
    warning: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let base = SliceEncoding::ct_int16();
    let int16 = base.clone();
    let uint16 = SliceEncoding {
        pixel_representation: 0,
        intercept: -1024.0,
        ..base.clone()
    };
    let u12 = SliceEncoding {
        pixel_representation: 0,
        bits_stored: 12,
        intercept: -1024.0,
        ..base.clone()
    };
    let s12 = SliceEncoding {
        bits_stored: 12,
        ..base.clone()
    };
    let half_slope = SliceEncoding {
        pixel_representation: 0,
        slope: 0.5,
        intercept: -1024.0,
        ..base.clone()
    };
    let padded = SliceEncoding {
        pixel_padding_value: Some(-2000),
        ..base.clone()
    };
    let padded_unsigned = SliceEncoding {
        pixel_representation: 0,
        intercept: -1024.0,
        pixel_padding_value: Some(0xF830),
        ..base.clone()
    };
    let mono1 = SliceEncoding {
        photometric: "MONOCHROME1",
        pixel_representation: 0,
        bits_stored: 12,
        intercept: -1024.0,
        ..base
    };
    vec![
        Case {
            name: "int16",
            slices: stored_slices(-1024, 3071, 40, &[-32768, 32767, -1, 0], 1),
            enc: int16,
            warning: None,
        },
        Case {
            name: "uint16_intercept",
            slices: stored_slices(0, 4095, 40, &[65535, 32768, 1], 2),
            enc: uint16,
            // 65535 − 1024 does not fit in i16.
            warning: Some("clipped"),
        },
        Case {
            name: "uint12_intercept",
            slices: stored_slices(0, 4095, 40, &[2048, 1], 3),
            enc: u12,
            warning: None,
        },
        Case {
            name: "int12",
            slices: stored_slices(-2048, 2047, 40, &[-1, 0], 4),
            enc: s12,
            warning: None,
        },
        Case {
            name: "slope_0.5",
            slices: stored_slices(0, 4095, 40, &[1, 3, 4095], 5),
            enc: half_slope,
            warning: Some("fractional HU"),
        },
        Case {
            name: "padding_-2000",
            slices: stored_slices(-1024, 1500, 40, &[-2000, -2000, -1999], 6),
            enc: padded,
            warning: Some("padding voxel"),
        },
        Case {
            name: "padding_unsigned",
            slices: stored_slices(0, 3000, 40, &[0xF830, 0xF830, 0xF831], 7),
            enc: padded_unsigned,
            warning: Some("padding voxel"),
        },
        Case {
            name: "monochrome1_uint12",
            slices: stored_slices(0, 4095, 40, &[], 8),
            enc: mono1,
            warning: None,
        },
    ]
}

/// Checks that `loaded` holds exactly the HU of `case`, on the expected grid.
fn assert_exact(case: &Case, label: &str, loaded: &LoadedPatient) {
    let ct = &loaded.image.ct;
    assert_eq!(ct.geometry.dims, [COLS, ROWS, SLICES], "{label}");
    assert!((ct.geometry.spacing_mm[0] - PIXEL_SPACING_MM[1]).abs() < 1e-9);
    assert!((ct.geometry.spacing_mm[1] - PIXEL_SPACING_MM[0]).abs() < 1e-9);
    assert!((ct.geometry.spacing_mm[2] - STEP_MM).abs() < 1e-9);
    assert!(loaded.skipped.is_empty(), "{label}: {:?}", loaded.skipped);
    let mut wrong = 0;
    let mut first = None;
    for (k, stored) in case.slices.iter().enumerate() {
        for (n, &s) in stored.iter().enumerate() {
            let want = expected_hu(&case.enc, s);
            let got = ct.data[k * ROWS * COLS + n];
            if got != want {
                wrong += 1;
                first.get_or_insert((k, n % COLS, n / COLS, s, want, got));
            }
        }
    }
    assert_eq!(
        wrong, 0,
        "{label}: {wrong} voxel(s) differ; first (k, i, j, stored, want, got) = {first:?}"
    );
    if let Some(w) = case.warning {
        assert!(
            loaded.warnings.iter().any(|x| x.contains(w)),
            "{label}: no `{w}` warning in {:?}",
            loaded.warnings
        );
    }
}

#[test]
fn native_encodings_load_exact_hu() {
    let tmp = tempfile::tempdir().unwrap();
    for case in cases() {
        let dir = tmp.path().join(case.name);
        write_series(&dir, &case.enc, &case.slices);
        let (_, loaded) = load_dir(&dir);
        assert_exact(&case, case.name, &loaded);
    }
}

#[test]
fn padded_voxels_become_air_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let case = cases()
        .into_iter()
        .find(|c| c.name == "padding_-2000")
        .unwrap();
    write_series(tmp.path(), &case.enc, &case.slices);
    let (_, loaded) = load_dir(tmp.path());
    let padded: usize = case
        .slices
        .iter()
        .flatten()
        .filter(|&&s| s == -2000)
        .count();
    assert_eq!(padded, 2 * SLICES);
    // Exactly the padded voxels are −1024 apart from real −1024 values, and the warning counts them.
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.starts_with(&format!("{padded} padding voxel(s)"))),
        "{:?}",
        loaded.warnings
    );
    for (k, stored) in case.slices.iter().enumerate() {
        for (n, &s) in stored.iter().enumerate() {
            if s == -2000 {
                assert_eq!(loaded.image.ct.data[k * ROWS * COLS + n], -1024);
            }
        }
    }
}

#[test]
fn lossless_compressed_syntaxes_decode_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = Vec::new();
    let tools: Vec<&Transcoder> = LOSSLESS.iter().filter(|t| have_tool(t.tool)).collect();
    for case in cases() {
        let native = tmp.path().join(case.name).join("native");
        let inputs = write_series(&native, &case.enc, &case.slices);
        let (_, reference) = load_dir(&native);
        assert_exact(&case, case.name, &reference);
        for (n, t) in tools.iter().enumerate() {
            let label = format!("{} via {} {:?} ({})", case.name, t.tool, t.args, t.syntax);
            let out = tmp.path().join(case.name).join(format!("t{n}"));
            transcode(t, &inputs, &out);
            let (d, loaded) = load_dir(&out);
            let series = d.patients[0].primary_series().unwrap();
            assert_eq!(series.info.transfer_syntax, t.syntax, "{label}");
            assert_exact(&case, &label, &loaded);
            assert!(loaded.image.ct.data == reference.image.ct.data, "{label}");
            checked.push(label);
        }
    }
    eprintln!("exact HU after: {checked:#?}");
}

#[test]
fn jpeg_baseline_decodes_close() {
    if !have_tool("gdcmconv") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Baseline JPEG holds 8-bit samples: an 8-bit CT with slope 8 (a coarse but real encoding).
    let enc = SliceEncoding {
        pixel_representation: 0,
        bits_allocated: 8,
        bits_stored: 8,
        slope: 8.0,
        intercept: -1024.0,
        ..SliceEncoding::ct_int16()
    };
    let slices = stored_slices(0, 255, 2, &[], 9);
    let native = tmp.path().join("native");
    let inputs = write_series(&native, &enc, &slices);
    let out = tmp.path().join("baseline");
    transcode(
        &Transcoder {
            tool: "gdcmconv",
            args: &["-J", "-Y", "-q", "90"],
            syntax: JPEG_BASELINE,
        },
        &inputs,
        &out,
    );
    let (_, loaded) = load_dir(&out);
    assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
    let ct = &loaded.image.ct;
    assert_eq!(ct.geometry.dims, [COLS, ROWS, SLICES]);
    // GDCM's own decoding of the same JPEG files is the reference; IDCT implementations may
    // differ by one level, never more.
    let gdcm = tmp.path().join("gdcm_decoded");
    let baseline_files: Vec<PathBuf> = (0..SLICES)
        .map(|k| out.join(format!("image_{k}")))
        .collect();
    transcode(
        &Transcoder {
            tool: "gdcmconv",
            args: &["-w"],
            syntax: EXPLICIT_LE,
        },
        &baseline_files,
        &gdcm,
    );
    let (_, reference) = load_dir(&gdcm);
    let (mut max_vs_gdcm, mut max_err, mut sum_err) = (0i64, 0i64, 0i64);
    for (k, stored) in slices.iter().enumerate() {
        for (n, &s) in stored.iter().enumerate() {
            let want = expected_hu(&enc, s) as i64;
            let at = k * ROWS * COLS + n;
            let got = ct.data[at] as i64;
            // Lossy, but every HU is still on the 8-HU grid of the encoding.
            assert_eq!((got + 1024).rem_euclid(8), 0, "k {k} n {n}: {got}");
            max_vs_gdcm = max_vs_gdcm.max((got - reference.image.ct.data[at] as i64).abs());
            max_err = max_err.max((got - want).abs());
            sum_err += (got - want).abs();
        }
    }
    let mean_err = sum_err as f64 / (SLICES * ROWS * COLS) as f64;
    eprintln!(
        "JPEG baseline: max |ΔHU| vs GDCM's decoding {max_vs_gdcm}, vs the source: \
         max {max_err}, mean {mean_err:.2}"
    );
    assert!(max_vs_gdcm <= 8, "max |ΔHU| vs GDCM {max_vs_gdcm}");
    // Quality 90: a couple of stored levels (×8 HU) on average; the planted 0/255 extremes
    // next to each other ring more.
    assert!(mean_err <= 16.0, "mean |ΔHU| {mean_err}");
    assert!(max_err <= 8 * 20, "max |ΔHU| {max_err}");
}

/// Replaces the file's transfer syntax UID in the meta group by a same-length one.
fn patch_transfer_syntax(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap();
    bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn near_lossless_jpeg_ls_decodes_as_the_reference_decoder() {
    if !have_tool("dcmcjpls") || !have_tool("dcmdjpls") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    // DCMTK encodes unsigned data only in near-lossless mode.
    for case in cases()
        .into_iter()
        .filter(|c| c.enc.pixel_representation == 0)
    {
        let native = tmp.path().join(case.name).join("native");
        let inputs = write_series(&native, &case.enc, &case.slices);
        let near = tmp.path().join(case.name).join("near");
        transcode(
            &Transcoder {
                tool: "dcmcjpls",
                args: &["+en", "+md", "3"],
                syntax: JPEG_LS_NEAR_LOSSLESS,
            },
            &inputs,
            &near,
        );
        let (_, loaded) = load_dir(&near);
        assert!(
            loaded.skipped.is_empty(),
            "{}: {:?}",
            case.name,
            loaded.skipped
        );
        // DCMTK's own decoding of the same files is the reference, voxel for voxel.
        let reference_dir = tmp.path().join(case.name).join("reference");
        std::fs::create_dir_all(&reference_dir).unwrap();
        for k in 0..SLICES {
            let st = Command::new("dcmdjpls")
                .arg(near.join(format!("image_{k}")))
                .arg(reference_dir.join(format!("image_{k}")))
                .status()
                .unwrap();
            assert!(st.success());
        }
        let (_, reference) = load_dir(&reference_dir);
        assert!(
            loaded.image.ct.data == reference.image.ct.data,
            "{}: differs from dcmdjpls",
            case.name
        );
        checked += 1;
    }
    assert!(checked >= 3, "{checked}");
}

#[test]
fn unknown_transfer_syntax_is_reported_with_its_uid_and_the_rest_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let case = cases().into_iter().next().unwrap();
    let inputs = write_series(tmp.path(), &case.enc, &case.slices);
    // Same length as the explicit VR LE UID, so the meta group stays consistent.
    let made_up = "1.2.3.4.5.6.7.8.9.10";
    assert_eq!(made_up.len(), EXPLICIT_LE.len() + 1);
    // The UID is stored padded to even length: `1.2.840.10008.1.2.1\0` (20 bytes).
    patch_transfer_syntax(&inputs[1], &format!("{EXPLICIT_LE}\0"), made_up);
    let d = scan_dir(tmp.path());
    let origin_ends = "image_1";
    // Wherever it is caught (header scan or pixel decoding), the file is named with the UID and
    // the other slices load.
    let mut reasons: Vec<(String, String)> = d
        .skipped
        .iter()
        .map(|s| (s.origin.clone(), s.reason.clone()))
        .collect();
    assert_eq!(d.patients.len(), 1, "{:?}", d.skipped);
    let loaded = load_patient(&d, &d.patients[0], &LoadOptions::default()).unwrap();
    reasons.extend(
        loaded
            .skipped
            .iter()
            .map(|s| (s.origin.clone(), s.reason.clone())),
    );
    eprintln!("made-up transfer syntax: {reasons:?}");
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    let (origin, reason) = &reasons[0];
    assert!(origin.ends_with(origin_ends), "{origin}");
    assert!(reason.contains(made_up), "{reason}");
    let ct = &loaded.image.ct;
    let len = ROWS * COLS;
    for k in [0, 2, 3, 4] {
        let want: Vec<i16> = case.slices[k]
            .iter()
            .map(|&v| expected_hu(&case.enc, v))
            .collect();
        let slice = &ct.data[k * len..(k + 1) * len];
        assert!(slice == &want[..], "slice {k}");
    }
}

#[test]
fn monochrome1_cohort_keeps_exact_hu() {
    let tmp = tempfile::tempdir().unwrap();
    let options = PhantomOptions {
        patients: 4,
        monochrome1: true,
        ..PhantomOptions::default()
    };
    let written = write_cohort(&tmp.path().join("c"), &options, false).unwrap();
    let d = scan_dir(&written.root);
    assert!(d.skipped.is_empty(), "{:?}", d.skipped);
    let mut mono1 = 0;
    for (index, truth) in written.patients.iter().enumerate() {
        let phantom = generate_patient(index, &options).unwrap();
        let p = d.patient(&truth.label).unwrap();
        assert_eq!(
            p.primary_series().unwrap().info.photometric,
            truth.photometric
        );
        let loaded = load_patient(&d, p, &LoadOptions::default()).unwrap();
        assert!(
            loaded.image.ct.data == phantom.image.ct.data,
            "{} ({}): voxels differ",
            truth.label,
            truth.photometric
        );
        let sum: i64 = loaded.image.ct.data.iter().map(|&v| v as i64).sum();
        assert_eq!(sum, truth.hu_sum, "{}", truth.label);
        mono1 += usize::from(truth.photometric == "MONOCHROME1");
    }
    assert_eq!(mono1, 2, "patients 2 and 4 are MONOCHROME1");
}
