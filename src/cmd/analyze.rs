//! `tumorscope analyze [PATH…] --out DIR`: count and measure every tumor, per patient and per
//! cohort, and write `stats.json`, `patients.csv`, `tumors.csv` and `report.html`.
//!
//! Without a path it analyzes a generated demo cohort. Patients are processed in parallel, one
//! patient's images per worker at a time (load → measure → thumbnails → drop), so memory stays
//! bounded by the number of workers, not by the cohort.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use tumorscope_analysis::{
    analyze_patient, summarize_cohort, AnalysisOptions, Connectivity, PatientStats,
};
use tumorscope_core::{PatientImage, Window};
use tumorscope_dicom::{load_patient, Dataset, LoadOptions, Patient, Skipped};
use tumorscope_render::{
    encode_png, render_slice, resolve_overlays, Plane, RenderOptions, SliceRequest,
};
use tumorscope_report::{
    console_line, patients_csv, report_html, stats_json, tumors_csv, PatientReport, Provenance,
    Report,
};

use super::inputs::{InputArgs, LimitArgs};
use super::scan::scan_inputs;
use crate::ui::{report_skipped, write_atomic, Ui};
use crate::Outcome;

/// Measure every tumor and write the cohort report.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folders, files or zip archives; none: a generated demo cohort.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Output folder for stats.json, patients.csv, tumors.csv and report.html.
    #[arg(long, short, default_value = "tumorscope-report")]
    pub out: PathBuf,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

/// Settings of the measurement.
#[derive(Debug, Clone, clap::Args)]
pub struct AnalysisArgs {
    /// Voxel connectivity of tumor components: 6 (faces), 18 (faces+edges) or 26 (all neighbours).
    #[arg(long, default_value_t = 26, value_parser = parse_connectivity)]
    pub connectivity: u8,
    /// Drop tumor components smaller than this, in mL.
    #[arg(long, default_value_t = 0.0)]
    pub min_volume_ml: f64,
    /// Comma-separated mask names to treat as tumors, replacing the name rules
    /// (`livertumor*`, `livertumors`, `tumor*`, label 2 of LiTS/MSD; cysts such as `liverkyst` are not tumors).
    #[arg(long, value_delimiter = ',')]
    pub tumor_masks: Option<Vec<String>>,
    /// No tumor thumbnails in the HTML report (faster on large cohorts).
    #[arg(long)]
    pub no_thumbnails: bool,
}

/// Accepts exactly 6, 18 or 26, so a typo fails before any file is read.
fn parse_connectivity(s: &str) -> Result<u8, String> {
    match s.trim() {
        "6" => Ok(6),
        "18" => Ok(18),
        "26" => Ok(26),
        other => Err(format!("`{other}` is not 6, 18 or 26")),
    }
}

impl AnalysisArgs {
    fn options(&self) -> anyhow::Result<AnalysisOptions> {
        let connectivity = Connectivity::try_from(self.connectivity).map_err(|_| {
            anyhow::anyhow!(
                "connectivity must be 6, 18 or 26, not `{}`",
                self.connectivity
            )
        })?;
        Ok(AnalysisOptions {
            connectivity,
            min_volume_ml: self.min_volume_ml,
            tumor_masks: self.tumor_masks.clone(),
            slice_thickness_mm: None,
        })
    }
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let demo_dir;
    let paths = if args.paths.is_empty() {
        demo_dir = tempfile::tempdir()?;
        let root = super::demo::write_demo(demo_dir.path(), &super::demo::DemoCohort::default())?;
        println!("no input given: analyzing a generated demo cohort (`tumorscope demo` keeps it)");
        vec![root]
    } else {
        args.paths.clone()
    };
    let inputs = InputArgs {
        paths,
        limits: args.limits.clone(),
    };
    run(&inputs, &args.out, &args.analysis, ui)
}

/// Scans, analyzes and writes the report; shared with `demo`.
pub fn run(
    inputs: &InputArgs,
    out: &Path,
    settings: &AnalysisArgs,
    ui: &Ui,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let dataset = scan_inputs(inputs, ui)?;
    tracing::debug!(ms = ms_since(started), "scan done");
    let load = LoadOptions {
        walk: inputs.walk_options()?,
    };
    let options = settings.options()?;
    let bar = ui.bar(dataset.patients.len() as u64, "analyzing");
    let results: Vec<(String, PatientOutcome)> = dataset
        .patients
        .par_iter()
        .filter(|p| p.primary_series().is_some())
        .map(|p| {
            let r = analyze_one(&dataset, p, &load, &options, !settings.no_thumbnails);
            // `suspend` prints above the bar, and prints plainly when the bar is hidden.
            match &r {
                Ok((report, _)) => bar.suspend(|| println!("{}", console_line(&report.stats))),
                Err(e) => bar.suspend(|| eprintln!("{}: failed: {e:#}", p.label)),
            }
            bar.inc(1);
            (p.label.clone(), r)
        })
        .collect();
    bar.finish_and_clear();

    let mut skipped = dataset.skipped.clone();
    let mut patients = Vec::new();
    for (label, r) in results {
        match r {
            Ok((report, s)) => {
                patients.push(report);
                skipped.extend(s);
            }
            Err(e) => skipped.push(Skipped {
                origin: label,
                reason: format!("{e:#}"),
            }),
        }
    }
    for p in dataset
        .patients
        .iter()
        .filter(|p| p.primary_series().is_none())
    {
        skipped.push(Skipped {
            origin: p.label.clone(),
            reason: "no CT volume to analyze".into(),
        });
    }
    let stats: Vec<PatientStats> = patients.iter().map(|p| p.stats.clone()).collect();
    let cohort = summarize_cohort(&stats);
    let provenance = Provenance {
        tool: concat!("tumorscope ", env!("CARGO_PKG_VERSION")).to_owned(),
        generated_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        inputs: inputs
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        settings: serde_json::json!({
            "connectivity": settings.connectivity,
            "min_volume_ml": settings.min_volume_ml,
            "tumor_masks": settings.tumor_masks.clone().map(serde_json::Value::from)
                .unwrap_or_else(|| "by name: livertumor*, livertumors, tumor*, lesion*, metastas*s; cysts (kyst/cyst) excluded".into()),
        }),
    };
    let skipped_pairs: Vec<(String, String)> = skipped
        .iter()
        .map(|s| (s.origin.clone(), s.reason.clone()))
        .collect();
    let report = Report {
        provenance: &provenance,
        cohort: &cohort,
        patients: &patients,
        skipped: &skipped_pairs,
    };
    tracing::debug!(ms = ms_since(started), "every patient measured");
    fs_err::create_dir_all(out)?;
    write_atomic(&out.join("stats.json"), &stats_json(&report)?)?;
    write_atomic(&out.join("patients.csv"), &patients_csv(&patients))?;
    write_atomic(&out.join("tumors.csv"), &tumors_csv(&patients))?;
    write_atomic(&out.join("report.html"), &report_html(&report)?)?;
    println!(
        "{} patient(s), {} with tumors, {} tumor(s); report in `{}`",
        cohort.patients,
        cohort.patients_with_tumors,
        cohort.lesions,
        out.join("report.html").display()
    );
    tracing::debug!(ms = ms_since(started), "report written");
    report_skipped(&skipped);
    Ok(if skipped.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Skipped
    })
}

/// Milliseconds since `start`, for the `-vv` phase timings.
fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// One patient's report and the files skipped while loading it.
type PatientOutcome = anyhow::Result<(PatientReport, Vec<Skipped>)>;

fn analyze_one(
    dataset: &Dataset,
    patient: &Patient,
    load: &LoadOptions,
    options: &AnalysisOptions,
    thumbnails: bool,
) -> PatientOutcome {
    let started = Instant::now();
    let loaded = load_patient(dataset, patient, load)?;
    tracing::debug!(patient = %patient.label, ms = ms_since(started), "loaded");
    let series = patient.primary_series().context("no CT series")?;
    let options = AnalysisOptions {
        slice_thickness_mm: series.header.slice_thickness_mm,
        ..options.clone()
    };
    let stats = analyze_patient(&loaded.image, &options)?;
    tracing::debug!(patient = %patient.label, ms = ms_since(started), "measured");
    let thumbnails = if thumbnails {
        tumor_thumbnails(&loaded.image, &stats)?
    } else {
        BTreeMap::new()
    };
    tracing::debug!(patient = %patient.label, ms = ms_since(started), "thumbnails drawn");
    let source = format!("{} {}", series.modality, series.description)
        .trim()
        .to_owned();
    Ok((
        PatientReport {
            stats,
            warnings: loaded.warnings,
            source,
            thumbnails,
        },
        loaded.skipped,
    ))
}

/// Margin around a tumor's bounding box in its thumbnail, in pixels.
const THUMB_MARGIN_PX: usize = 24;

/// For each tumor, its RECIST slice in the liver window with tumors filled and the liver
/// outlined, cropped around the tumor.
fn tumor_thumbnails(
    image: &PatientImage,
    stats: &PatientStats,
) -> anyhow::Result<BTreeMap<u32, Vec<u8>>> {
    let mut out = BTreeMap::new();
    if stats.tumors.is_empty() {
        return Ok(out);
    }
    let mut spec = String::from("tumors:fill:0.45");
    if image
        .masks
        .iter()
        .any(|m| m.role == tumorscope_core::StructureRole::Liver)
    {
        spec.push_str(",liver:outline");
    }
    let opts = RenderOptions {
        window: Window::parse("liver")?,
        overlays: resolve_overlays(image, &spec)?,
        annotations: false,
        scale: 1.0,
    };
    let g = &image.ct.geometry;
    for t in &stats.tumors {
        let full = render_slice(
            image,
            SliceRequest {
                plane: Plane::Axial,
                index: t.axial_slice_k,
            },
            &opts,
        )?;
        // Axial display is one pixel per voxel when in-plane spacing is square; map otherwise.
        let sx = full.width as f64 / g.dims[0] as f64;
        let sy = full.height as f64 / g.dims[1] as f64;
        let x0 = (t.bbox_ijk_min[0] as f64 * sx) as usize;
        let x1 = ((t.bbox_ijk_max[0] + 1) as f64 * sx).ceil() as usize;
        let y0 = (t.bbox_ijk_min[1] as f64 * sy) as usize;
        let y1 = ((t.bbox_ijk_max[1] + 1) as f64 * sy).ceil() as usize;
        let side = (x1 - x0).max(y1 - y0) + 2 * THUMB_MARGIN_PX;
        let cx = (x0 + x1) / 2;
        let cy = (y0 + y1) / 2;
        let crop = full.crop(
            cx.saturating_sub(side / 2),
            cy.saturating_sub(side / 2),
            side,
            side,
        );
        out.insert(t.id, encode_png(&crop)?);
    }
    Ok(out)
}
