//! Times tumorscope on one 3D-IRCADb patient folder for `bench/compare.py`: header scan, CT load,
//! the inflate-only baseline, and optionally the masks and the tumor labelling; prints the CT HU
//! sum so the comparison also checks correctness.
//!
//! `cargo run --release --example load_ct -- DIR [--repeat N] [--label] [--once]`
//!
//! Output: one `key value` line per figure (times are the best of `N` in-process runs, in ms).
//! `--once` only scans and loads the CT once, prints `hu_sum` and `elapsed_ms`, and exits: the
//! process to time whole against a reference script doing the same.

// An example binary reports to the terminal like any CLI.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../benches/support/inflate.rs"]
mod inflate;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tumorscope_analysis::{label_components, Connectivity};
use tumorscope_dataset::{Dataset, LoadedPatient};
use tumorscope_sources::{load_patient, load_series, scan, LoadOptions, ScanOptions};

struct Args {
    dir: PathBuf,
    repeat: usize,
    label: bool,
    once: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut dir = None;
    let mut repeat = 5;
    let mut label = false;
    let mut once = false;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--repeat") => {
                let n = args.next().context("`--repeat` needs a number")?;
                repeat = n
                    .to_str()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n: &usize| n > 0)
                    .with_context(|| {
                        format!("`--repeat` needs a positive number, found `{n:?}`")
                    })?;
            }
            Some("--label") => label = true,
            Some("--once") => once = true,
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => bail!("unexpected argument `{}`", arg.to_string_lossy()),
        }
    }
    let dir = dir.context("usage: load_ct DIR [--repeat N] [--label] [--once]")?;
    Ok(Args {
        dir,
        repeat,
        label,
        once,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs `f` and returns its result with the time it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// Best time (and last result) of `n` runs of `f`.
fn best_of<T>(n: usize, mut f: impl FnMut() -> anyhow::Result<T>) -> anyhow::Result<(T, Duration)> {
    let (mut out, mut best) = {
        let (out, t) = timed(&mut f);
        (out?, t)
    };
    for _ in 1..n {
        let (next, t) = timed(&mut f);
        out = next?;
        best = best.min(t);
    }
    Ok((out, best))
}

fn scan_dir(args: &Args) -> anyhow::Result<Dataset> {
    let dataset = scan(
        std::slice::from_ref(&args.dir),
        &ScanOptions::default(),
        &|| {},
    );
    if dataset.patients.is_empty() {
        bail!("no patient found under `{}`", args.dir.display());
    }
    Ok(dataset)
}

/// Loads the primary series of the first patient without its masks.
fn load_ct_only(dataset: &Dataset) -> anyhow::Result<LoadedPatient> {
    let patient = &dataset.patients[0];
    let mut series = patient
        .primary_series()
        .context("the patient has no CT volume")?
        .clone();
    series.structures.clear();
    Ok(load_series(
        dataset,
        patient,
        &series,
        &LoadOptions::default(),
    )?)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let ct_zip = args.dir.join("PATIENT_DICOM.zip");
    let zips = [ct_zip.clone(), args.dir.join("MASKS_DICOM.zip")];
    // Inflating every entry of both zips, whole or up to a prefix: the floor under `scan`
    // (which reads a 4 KiB prefix per entry) and under a full load.
    let inflate_both = |prefix_bytes: Option<u64>| -> anyhow::Result<u64> {
        let mut bytes = 0;
        for zip in &zips {
            bytes += inflate::inflate_zip_prefix(zip, prefix_bytes)
                .map_err(anyhow::Error::msg)?
                .bytes;
        }
        Ok(bytes)
    };

    // The first scan + CT load, timed alone: what one cold-ish `load` costs end to end.
    let (first, first_elapsed) = timed(|| -> anyhow::Result<_> {
        let dataset = scan_dir(&args)?;
        let loaded = load_ct_only(&dataset)?;
        Ok((dataset, loaded))
    });
    let (dataset, first_load) = first?;
    let volume = &first_load.image.ct;
    let hu_sum: i64 = volume.data.iter().map(|&v| i64::from(v)).sum();
    if args.once {
        println!("hu_sum {hu_sum}");
        println!("elapsed_ms {:.2}", ms(first_elapsed));
        return Ok(());
    }
    let patient = &dataset.patients[0];
    let mask_count = patient.primary_series().map_or(0, |s| s.structures.len());

    let (_, scan_best) = best_of(args.repeat, || scan_dir(&args))?;
    let (inflated, inflate_best) = best_of(args.repeat, || {
        inflate::inflate_zip(&ct_zip).map_err(anyhow::Error::msg)
    })?;
    let (_, load_best) = best_of(args.repeat, || load_ct_only(&dataset))?;
    let (_, scan_load_best) = best_of(args.repeat, || load_ct_only(&scan_dir(&args)?))?;

    let g = &volume.geometry;
    println!("patient {}", patient.label);
    println!("dims {}x{}x{}", g.dims[0], g.dims[1], g.dims[2]);
    println!("instances {}", dataset.instances);
    println!("masks {mask_count}");
    println!("hu_sum {hu_sum}");
    println!("elapsed_ms {:.2}", ms(first_elapsed));
    println!("scan_ms {:.2}", ms(scan_best));
    println!("inflate_ct_ms {:.2}", ms(inflate_best));
    println!("inflate_ct_entries {}", inflated.entries);
    println!("inflate_ct_mb {:.1}", inflated.bytes as f64 / 1e6);
    println!("load_ct_ms {:.2}", ms(load_best));
    println!(
        "load_over_inflate {:.3}",
        load_best.as_secs_f64() / inflate_best.as_secs_f64()
    );
    println!("scan_load_ct_ms {:.2}", ms(scan_load_best));

    if args.label {
        let (loaded, load_all_best) = best_of(args.repeat, || {
            Ok(load_patient(&dataset, patient, &LoadOptions::default())?)
        })?;
        // The union of every `livertumor*` structure, as the Python reference builds it.
        let mut tumors = vec![0u8; loaded.image.ct.data.len()];
        for mask in loaded
            .image
            .masks
            .iter()
            .filter(|m| m.name.starts_with("livertumor"))
        {
            for n in mask.bits.ones() {
                tumors[n] = 1;
            }
        }
        let dims = loaded.image.ct.geometry.dims;
        let (components, label_best) = best_of(args.repeat, || {
            Ok(label_components(&tumors, dims, Connectivity::TwentySix)?)
        })?;
        let (_, inflate_all_best) = best_of(args.repeat, || inflate_both(None))?;
        // The scan's first prefix (`HEADER_PREFIX_BYTES`), and a smaller one for scale.
        let (_, prefix_4k_best) = best_of(args.repeat, || inflate_both(Some(4 * 1024)))?;
        let (_, prefix_2k_best) = best_of(args.repeat, || inflate_both(Some(2 * 1024)))?;
        println!("load_all_ms {:.2}", ms(load_all_best));
        println!("inflate_all_ms {:.2}", ms(inflate_all_best));
        println!("inflate_prefix_4k_all_ms {:.2}", ms(prefix_4k_best));
        println!("inflate_prefix_2k_all_ms {:.2}", ms(prefix_2k_best));
        println!(
            "tumor_voxels {}",
            tumors.iter().filter(|&&t| t != 0).count()
        );
        println!("tumor_components {}", components.count);
        println!("label_ms {:.2}", ms(label_best));
    }
    Ok(())
}
