//! `tumorscope analyze [PATH…] --out DIR`: count and measure every tumor, per patient and per
//! cohort, and write `stats.json`, `patients.csv`, `tumors.csv` and `report.html`.
//!
//! Without a path it analyzes a generated demo cohort. Patients are processed in parallel, one
//! patient's images per worker at a time (load → measure → thumbnails → drop), so memory stays
//! bounded by the number of workers, not by the cohort.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use tumorscope_analysis::{
    analyze_patient,
    radiomics::{RadiomicsOptions, CLASSES, MAX_BIN_COUNT, MIN_BIN_WIDTH_HU},
    AnalysisOptions, Connectivity, PatientStats,
};
use tumorscope_core::PatientImage;
use tumorscope_dataset::{Dataset, Exam, Skipped};
use tumorscope_render::{encode_png, render_tumor_thumbnail};
use tumorscope_report::{
    console_line, Failure, Overview, OverviewBuilder, ParquetSinks, PatientReport, Provenance,
    ReportStream, Sinks, StudyRef,
};
use tumorscope_sources::{load_exam, LoadOptions};

use super::inputs::{InputArgs, LimitArgs};
use super::scan::{scan_inputs, scan_into_catalog};
use super::stored::{say_reused, StoredResults};
use crate::ui::outln;
use crate::ui::{
    check_output_dir, isolate_panics, report_skipped, AtomicFile, Line, OrderedLines, Ui,
};
use crate::Outcome;
use tumorscope_batch::options_hash;
use tumorscope_catalog::{Catalog, StoredAnalysis};

/// Measure every tumor and write the cohort report.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folders, files or zip archives (`tumorscope demo` makes a cohort to try).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Output folder for stats.json, patients.csv, tumors.csv and report.html.
    #[arg(long, short, default_value = "tumorscope-report")]
    pub out: PathBuf,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// SQLite catalog to read and store results in: the scan reads only changed files, and a
    /// patient whose inputs, options and tumorscope version are those of its stored result is
    /// not measured again (`view --db` shows the stored results too).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

/// Settings of the measurement; defaults are `AnalysisOptions::default()`'s.
#[derive(Debug, Clone, clap::Args)]
pub struct AnalysisArgs {
    #[command(flatten)]
    pub measure: MeasureArgs,
    /// No tumor thumbnails in the HTML report (faster on large cohorts).
    #[arg(long)]
    pub no_thumbnails: bool,
    /// Also write the tables as Parquet: patients.parquet, tumors.parquet, organs.parquet,
    /// failures.parquet (and radiomics.parquet), what `merge` writes for a batch run.
    #[arg(long)]
    pub parquet: bool,
}

/// What makes a tumour: shared by `analyze` and `export --dicom-seg` (whose tumour segments
/// must be the tumours the report counts).
#[derive(Debug, Clone, clap::Args)]
pub struct MeasureArgs {
    /// Voxel connectivity of tumor components: 6 (faces), 18 (faces+edges) or 26 (all neighbours).
    #[arg(long, default_value_t = AnalysisOptions::default().connectivity)]
    pub connectivity: Connectivity,
    /// Drop tumor components smaller than this, in mL (0 or more).
    #[arg(long, default_value_t = AnalysisOptions::default().min_volume_ml, value_parser = non_negative_ml, allow_hyphen_values = true)]
    pub min_volume_ml: f64,
    /// Comma-separated mask names to treat as tumors, replacing the name rules
    /// (`livertumor*`, `livertumors`, `tumor*`, label 2 of LiTS/MSD; cysts such as `liverkyst` are not tumors).
    #[arg(long, value_delimiter = ',')]
    pub tumor_masks: Option<Vec<String>>,
    /// Flag tumors closer than this to a vessel structure (artery, portal vein, venous
    /// system …), in mm.
    #[arg(long, default_value_t = AnalysisOptions::default().vessel_margin_mm, value_parser = non_negative_mm, allow_hyphen_values = true)]
    pub vessel_margin_mm: f64,
    /// Radiomics features of every tumour by pyradiomics' definitions and names (its seven
    /// classes, default settings): a `radiomics` object on each tumour of stats.json and
    /// radiomics.csv.
    #[arg(long)]
    pub radiomics: bool,
    /// Bin width of the radiomics grey-level discretisation, in HU (pyradiomics `binWidth`).
    #[arg(long, default_value_t = RadiomicsOptions::default().bin_width, value_parser = positive_hu, allow_hyphen_values = true)]
    pub radiomics_bin_width: f64,
    /// Fixed number of bins of the radiomics grey-level discretisation instead of a bin width
    /// (pyradiomics `binCount`; 1 to 65536); implies `--radiomics`.
    #[arg(long, conflicts_with = "radiomics_bin_width", value_parser = clap::value_parser!(u32).range(1..=MAX_BIN_COUNT as i64))]
    pub radiomics_bin_count: Option<u32>,
    /// Comma-separated structures (organs) whose radiomics features are computed too
    /// (`liver`); implies `--radiomics`.
    #[arg(long, value_delimiter = ',')]
    pub radiomics_structures: Vec<String>,
    /// Comma-separated radiomics feature classes to compute (default: all seven of
    /// pyradiomics: shape, firstorder, glcm, glrlm, glszm, gldm, ngtdm); implies `--radiomics`.
    #[arg(long, value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(CLASSES))]
    pub radiomics_classes: Vec<String>,
}

/// A bin width in HU: a finite number of at least `MIN_BIN_WIDTH_HU`.
fn positive_hu(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= MIN_BIN_WIDTH_HU => Ok(v),
        _ => Err(format!(
            "`{s}` is not a bin width in HU (a number of at least {MIN_BIN_WIDTH_HU})"
        )),
    }
}

/// A distance in mm that is a finite number, 0 or more.
fn non_negative_mm(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!(
            "`{s}` is not a distance in mm (a number, 0 or more)"
        )),
    }
}

/// A volume in mL that is a finite number, 0 or more.
fn non_negative_ml(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a volume in mL (a number, 0 or more)")),
    }
}

impl Default for AnalysisArgs {
    fn default() -> Self {
        let options = AnalysisOptions::default();
        Self {
            measure: MeasureArgs {
                connectivity: options.connectivity,
                min_volume_ml: options.min_volume_ml,
                tumor_masks: options.tumor_masks,
                vessel_margin_mm: options.vessel_margin_mm,
                radiomics: false,
                radiomics_bin_width: RadiomicsOptions::default().bin_width,
                radiomics_bin_count: None,
                radiomics_structures: Vec::new(),
                radiomics_classes: Vec::new(),
            },
            no_thumbnails: false,
            parquet: false,
        }
    }
}

impl MeasureArgs {
    pub fn options(&self) -> AnalysisOptions {
        AnalysisOptions {
            connectivity: self.connectivity,
            min_volume_ml: self.min_volume_ml,
            tumor_masks: self.tumor_masks.clone(),
            vessel_margin_mm: self.vessel_margin_mm,
            radiomics: (self.radiomics
                || self.radiomics_bin_count.is_some()
                || !self.radiomics_structures.is_empty()
                || !self.radiomics_classes.is_empty())
            .then(|| RadiomicsOptions {
                bin_width: self.radiomics_bin_width,
                bin_count: self.radiomics_bin_count.map(|n| n as usize),
                structures: self.radiomics_structures.clone(),
                classes: if self.radiomics_classes.is_empty() {
                    RadiomicsOptions::default().classes
                } else {
                    self.radiomics_classes.clone()
                },
            }),
            ..AnalysisOptions::default()
        }
    }
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let inputs = InputArgs {
        paths: args.paths.clone(),
        limits: args.limits.clone(),
    };
    run(&inputs, &args.out, &args.analysis, args.db.as_deref(), ui)
}

/// Scans, analyzes and writes the report (with a catalog: reusing and storing results); shared
/// with `demo`.
pub fn run(
    inputs: &InputArgs,
    out: &Path,
    settings: &AnalysisArgs,
    db: Option<&Path>,
    ui: &Ui,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    // Everything that can be checked before the work is checked first.
    let load = LoadOptions {
        walk: inputs.walk_options()?,
    };
    check_output_dir(out)?;
    let mut catalog = db.map(Catalog::open).transpose()?;
    let dataset = match (&mut catalog, db) {
        (Some(catalog), Some(db)) => scan_into_catalog(inputs, ui, catalog, db)?,
        _ => scan_inputs(inputs, ui)?,
    };
    tracing::debug!(ms = ms_since(started), "scan done");
    if let Some(names) = &settings.measure.tumor_masks {
        check_structure_names(&dataset, names)?;
    }
    let options = settings.measure.options();
    // Results stored in the catalog from the same inputs, options and tool are not measured
    // again.
    let mut stored = match &catalog {
        Some(c) => Some(StoredResults::look_up(
            c,
            &dataset,
            &options_hash(&options, !settings.no_thumbnails),
            &load.walk,
        )?),
        None => None,
    };
    if let (Some(s), Some(db)) = (&stored, db) {
        say_reused(s.len(), db, ui.quiet);
    }
    // One result per study with a volume: a patient's baseline and follow-up are measured
    // apart, never merged and never one dropped.
    let mut exams: Vec<(usize, Exam, Option<Measured>)> = Vec::new();
    for (n, p) in dataset.patients.iter().enumerate() {
        let mut reused = stored.as_mut().and_then(|s| s.take(n));
        for (j, exam) in p.exams().into_iter().enumerate() {
            let known = reused.as_mut().map(|r| {
                // The patient's skipped files go with its first exam, as loading reports them.
                let skipped = if j == 0 {
                    std::mem::take(&mut r.skipped)
                } else {
                    Vec::new()
                };
                (r.reports.remove(0), skipped)
            });
            exams.push((n, exam, known));
        }
    }
    let bar = ui.bar(exams.len() as u64, "analyzing");
    let lines = OrderedLines::new();
    let results: Vec<(usize, String, bool, PatientOutcome)> = exams
        .into_par_iter()
        .enumerate()
        .map(|(i, (n, exam, known))| {
            let was_stored = known.is_some();
            let r = match known {
                Some(known) => Ok(known),
                None => isolate_panics(|| {
                    analyze_one(&dataset, &exam, &load, &options, !settings.no_thumbnails)
                }),
            };
            let line = match &r {
                Ok((report, _)) => Line::Out(console_line(&report.stats)),
                Err(e) => Line::Err(format!("{}: failed: {e:#}", exam.label)),
            };
            // `suspend` prints above the bar, and prints plainly when the bar is hidden; lines
            // come out in input order whatever order the workers finish in.
            lines.put(i, line, |l| bar.suspend(|| l.print()));
            bar.inc(1);
            (n, exam.label.clone(), was_stored, r)
        })
        .collect();
    bar.finish_and_clear();
    if let (Some(catalog), Some(stored)) = (&mut catalog, &stored) {
        catalog.store_analyses(&fresh_rows(&dataset, stored, &results)?)?;
    }

    let mut skipped = dataset.skipped.clone();
    let mut patients = Vec::new();
    let mut failures = Vec::new();
    for (_, label, _, r) in results {
        match r {
            Ok((report, s)) => {
                patients.push(report);
                skipped.extend(s);
            }
            Err(e) => failures.push(Failure {
                patient: label.clone(),
                kind: "failed".into(),
                message: format!("{e:#}"),
                origin: label,
            }),
        }
    }
    for p in dataset.patients.iter().filter(|p| p.exams().is_empty()) {
        failures.push(Failure {
            patient: p.label.clone(),
            kind: "failed".into(),
            message: "no CT volume to analyze".into(),
            origin: p.label.clone(),
        });
    }
    tracing::debug!(ms = ms_since(started), "every patient measured");
    let inputs: Vec<String> = inputs
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let provenance = provenance(inputs, settings_json(settings));
    write_results(
        out,
        &provenance,
        &patients,
        &skipped,
        &failures,
        settings.parquet,
    )?;
    tracing::debug!(ms = ms_since(started), "report written");
    let mut all = skipped;
    all.extend(failures.iter().map(failure_as_skipped));
    report_skipped(&all);
    Ok(Outcome::of(&all))
}

/// The catalog rows of the patients measured now whose every exam succeeded (a failure is
/// measured again next time).
fn fresh_rows(
    dataset: &Dataset,
    stored: &StoredResults,
    results: &[(usize, String, bool, PatientOutcome)],
) -> anyhow::Result<Vec<StoredAnalysis>> {
    let mut rows = Vec::new();
    let mut at = 0;
    while at < results.len() {
        let n = results[at].0;
        let end = at + results[at..].iter().take_while(|r| r.0 == n).count();
        let patient = &results[at..end];
        if !patient.iter().any(|r| r.2) && patient.iter().all(|r| r.3.is_ok()) {
            let reports: Vec<&PatientReport> = patient
                .iter()
                .filter_map(|r| r.3.as_ref().ok().map(|(report, _)| report))
                .collect();
            let skipped: Vec<Skipped> = patient
                .iter()
                .filter_map(|r| r.3.as_ref().ok())
                .flat_map(|(_, s)| s.iter().cloned())
                .collect();
            rows.push(stored.row(dataset, n, &reports, &skipped)?);
        }
        at = end;
    }
    Ok(rows)
}

/// The settings of a run as the provenance records them.
pub(crate) fn settings_json(settings: &AnalysisArgs) -> serde_json::Value {
    serde_json::json!({
        "connectivity": settings.measure.connectivity,
        "min_volume_ml": settings.measure.min_volume_ml,
        "vessel_margin_mm": settings.measure.vessel_margin_mm,
        "radiomics": settings.measure.options().radiomics,
        "tumor_masks": settings.measure.tumor_masks.clone().map(serde_json::Value::from)
            .unwrap_or_else(|| tumorscope_analysis::TUMOR_MASK_RULE.into()),
    })
}

/// This tool, now, these inputs and settings.
pub(crate) fn provenance(inputs: Vec<String>, settings: serde_json::Value) -> Provenance {
    Provenance {
        tool: concat!("tumorscope ", env!("CARGO_PKG_VERSION")).to_owned(),
        generated_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        inputs,
        settings,
    }
}

/// A failure as the skipped list of stats.json and stderr show it.
pub(crate) fn failure_as_skipped(f: &Failure) -> Skipped {
    Skipped {
        origin: f.origin.clone(),
        reason: f.message.clone(),
    }
}

/// Every Parquet table `write_results` may write.
const PARQUET_TABLES: [&str; 5] = [
    "patients.parquet",
    "tumors.parquet",
    "organs.parquet",
    "failures.parquet",
    "radiomics.parquet",
];

/// Removes a result file an earlier run left in the output folder, which this run's results
/// would contradict.
fn remove_stale(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(crate::Fatal::OutputNotWritable {
                path: path.to_owned(),
                reason: e.to_string(),
            }
            .into())
        }
        _ => Ok(()),
    }
}

/// Writes every output file of a result set held in memory (see [`write_streamed`]).
pub(crate) fn write_results(
    out: &Path,
    provenance: &Provenance,
    patients: &[PatientReport],
    skipped: &[Skipped],
    failures: &[Failure],
    parquet: bool,
) -> anyhow::Result<()> {
    let mut overview = OverviewBuilder::default();
    for p in patients {
        overview.add(p);
    }
    // Borrowed: the reports are in memory already, the stream reads each once.
    let mut each = patients.iter().map(|p| Ok(Cow::Borrowed(p)));
    write_streamed(
        out,
        provenance,
        &overview.finish(),
        &mut each,
        skipped,
        failures,
        parquet,
    )
}

/// Writes `stats.json`, `patients.csv`, `tumors.csv`, `radiomics.csv` (when some region has
/// features), `report.html` and, with `parquet`, the Parquet tables, one patient at a time:
/// `patients` yields them in `overview`'s order, and only one is held at once. Files are
/// written beside their places and renamed into them once all are complete: a failure while
/// writing changes none (a failed rename, in the same folder, could leave some replaced); a
/// file of an earlier run that this one does not write is removed (it would contradict
/// `stats.json`).
pub(crate) fn write_streamed(
    out: &Path,
    provenance: &Provenance,
    overview: &Overview,
    patients: &mut dyn Iterator<Item = anyhow::Result<Cow<'_, PatientReport>>>,
    skipped: &[Skipped],
    failures: &[Failure],
    parquet: bool,
) -> anyhow::Result<()> {
    let file = |name: &str| AtomicFile::create(&out.join(name));
    let radiomics = overview.has_radiomics();
    let mut files = vec![
        file("stats.json")?,
        file("patients.csv")?,
        file("tumors.csv")?,
        file("report.html")?,
    ];
    let radiomics_csv = radiomics.then(|| file("radiomics.csv")).transpose()?;
    let tables = if parquet {
        let mut t = vec![
            file("patients.parquet")?,
            file("tumors.parquet")?,
            file("organs.parquet")?,
            file("failures.parquet")?,
        ];
        if radiomics {
            t.push(file("radiomics.parquet")?);
        }
        t
    } else {
        Vec::new()
    };
    let sinks = Sinks {
        stats_json: files[0].writer()?,
        patients_csv: files[1].writer()?,
        tumors_csv: files[2].writer()?,
        radiomics_csv: radiomics_csv.as_ref().map(AtomicFile::writer).transpose()?,
        report_html: files[3].writer()?,
        parquet: if parquet {
            Some(ParquetSinks {
                patients: tables[0].writer()?,
                tumors: tables[1].writer()?,
                organs: tables[2].writer()?,
                failures: tables[3].writer()?,
                radiomics: tables.get(4).map(AtomicFile::writer).transpose()?,
            })
        } else {
            None
        },
    };
    let storage = |e: tumorscope_report::ReportError| -> anyhow::Error {
        match e {
            tumorscope_report::ReportError::Write { what, source } => {
                crate::Fatal::OutputNotWritable {
                    path: out.join(what),
                    reason: source.to_string(),
                }
                .into()
            }
            other => other.into(),
        }
    };
    let mut stream = ReportStream::start(sinks, provenance, overview).map_err(storage)?;
    for p in patients {
        stream.patient(&*p?).map_err(storage)?;
    }
    let skipped_pairs: Vec<(String, String)> = skipped
        .iter()
        .cloned()
        .chain(failures.iter().map(failure_as_skipped))
        .map(|s| (s.origin, s.reason))
        .collect();
    let mut rows: Vec<Failure> = skipped
        .iter()
        .map(|s| Failure {
            patient: String::new(),
            kind: "skipped".into(),
            message: s.reason.clone(),
            origin: s.origin.clone(),
        })
        .collect();
    rows.extend(failures.iter().cloned());
    stream.finish(&skipped_pairs, &rows).map_err(storage)?;
    files.extend(radiomics_csv);
    files.extend(tables);
    let written: Vec<PathBuf> = files.iter().map(|f| f.path().to_owned()).collect();
    for f in files {
        f.commit()?;
    }
    for name in PARQUET_TABLES.iter().chain(&["radiomics.csv"]) {
        let path = out.join(name);
        if !written.contains(&path) {
            remove_stale(&path)?;
        }
    }
    let cohort = &overview.cohort;
    outln!(
        "{} patient(s), {} with tumors, {} tumor(s); report in `{}`",
        cohort.patients,
        cohort.patients_with_tumors,
        cohort.lesions,
        out.join("report.html").display()
    );
    Ok(())
}

/// Refuses `--tumor-masks` names that no patient has, before any patient is loaded.
pub(crate) fn check_structure_names(dataset: &Dataset, names: &[String]) -> anyhow::Result<()> {
    let mut found: Vec<&str> = dataset
        .patients
        .iter()
        .flat_map(|p| &p.series)
        .flat_map(|s| &s.structures)
        .map(|m| m.name.as_str())
        .collect();
    found.sort_by(|a, b| tumorscope_dataset::natural_cmp(a, b));
    found.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !found.iter().any(|f| f.eq_ignore_ascii_case(n)))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "--tumor-masks: no structure named {} in these inputs\nhint: the structures found are {}",
        unknown
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
        if found.is_empty() {
            "none".to_owned()
        } else {
            found
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    )
}

/// Milliseconds since `start`, for the `-vv` phase timings.
fn ms_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// One exam's report and the files skipped while loading it.
pub(crate) type Measured = (PatientReport, Vec<Skipped>);

/// An exam measured, or why it could not be.
pub(crate) type PatientOutcome = anyhow::Result<Measured>;

pub(crate) fn analyze_one(
    dataset: &Dataset,
    exam: &Exam,
    load: &LoadOptions,
    options: &AnalysisOptions,
    thumbnails: bool,
) -> PatientOutcome {
    let started = Instant::now();
    let loaded = load_exam(dataset, exam, load)?;
    tracing::debug!(patient = %exam.label, ms = ms_since(started), "loaded");
    let series = exam.series;
    let options = AnalysisOptions {
        slice_thickness_mm: series.info.slice_thickness_mm,
        ..options.clone()
    };
    let stats = analyze_patient(&loaded.image, &options)?;
    tracing::debug!(patient = %exam.label, ms = ms_since(started), "measured");
    let thumbnails = if thumbnails {
        tumor_thumbnails(&loaded.image, &stats)?
    } else {
        BTreeMap::new()
    };
    tracing::debug!(patient = %exam.label, ms = ms_since(started), "thumbnails drawn");
    let source = format!("{} {}", series.modality, series.description)
        .trim()
        .to_owned();
    Ok((
        PatientReport {
            stats,
            warnings: loaded.warnings,
            source,
            study: StudyRef {
                patient: exam.patient.label.clone(),
                uid: exam.study.study_uid.to_owned(),
                date: exam.study.date_iso(),
                description: exam.study.description.to_owned(),
            },
            thumbnails,
        },
        loaded.skipped,
    ))
}

/// Each tumor's thumbnail (PNG), keyed by tumor id.
fn tumor_thumbnails(
    image: &PatientImage,
    stats: &PatientStats,
) -> anyhow::Result<BTreeMap<u32, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for t in &stats.tumors {
        let rgb = render_tumor_thumbnail(image, t.axial_slice_k, t.bbox_ijk_min, t.bbox_ijk_max)?;
        out.insert(t.id, encode_png(&rgb)?);
    }
    Ok(out)
}
