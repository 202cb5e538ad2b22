//! `tumorscope view PATH…`: scan the inputs and open the interactive viewer on them.
//!
//! The server (`tumorscope-server`) only serves; this file gives it a [`PatientSource`] over a
//! scanned dataset: volumes load with `tumorscope-dicom` on demand, statistics come from
//! `tumorscope-analysis` and are kept once computed.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, PoisonError};

use tumorscope_analysis::{analyze_patient, AnalysisOptions, PatientStats};
use tumorscope_core::PatientImage;
use tumorscope_dicom::{load_patient, Dataset, LoadOptions};
use tumorscope_server::{start, PatientSource, PatientSummary, ServerOptions};

use super::inputs::InputArgs;
use super::scan::scan_inputs;
use crate::ui::{report_skipped, Ui};
use crate::Outcome;

/// Open the interactive viewer (linked axial, coronal and sagittal views) in the browser.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folders, files or zip archives to view (or none with --db).
    #[arg(value_name = "PATH", required_unless_present = "db")]
    pub paths: Vec<std::path::PathBuf>,
    #[command(flatten)]
    pub limits: super::inputs::LimitArgs,
    /// Read patients from a catalog written by `scan` instead of scanning (with PATHs: only
    /// the roots named).
    #[arg(long, value_name = "FILE")]
    pub db: Option<std::path::PathBuf>,
    /// Port to listen on (default: a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on. Anything but loopback exposes the images to the network.
    #[arg(long)]
    pub host: Option<IpAddr>,
    /// Open the viewer in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Memory for loaded patients, in MiB (least recently viewed are dropped first).
    #[arg(long, default_value_t = 2048)]
    pub cache_mib: u64,
}

/// How [`serve_dataset`] serves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub host: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub cache_mib: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            open: false,
            cache_mib: 2048,
        }
    }
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let dataset = match &args.db {
        Some(db) => {
            anyhow::ensure!(
                db.is_file(),
                "catalog `{}` does not exist\nhint: write one with `tumorscope scan PATH --db {}`",
                db.display(),
                db.display()
            );
            let catalog = tumorscope_catalog::Catalog::open(db)?;
            let roots = (!args.paths.is_empty()).then_some(args.paths.as_slice());
            let dataset = catalog.dataset(roots)?;
            anyhow::ensure!(
                !dataset.patients.is_empty(),
                "catalog `{}` holds no patient{}",
                db.display(),
                if roots.is_some() {
                    " under those paths"
                } else {
                    ""
                }
            );
            dataset
        }
        None => scan_inputs(
            &InputArgs {
                paths: args.paths.clone(),
                limits: args.limits.clone(),
            },
            ui,
        )?,
    };
    let options = ServeOptions {
        host: args.host.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        port: args.port.unwrap_or(0),
        open: args.open,
        cache_mib: args.cache_mib,
    };
    serve_dataset(dataset, options, ui)
}

/// Serves `dataset` until Ctrl-C; prints the URL (and opens it when asked).
pub fn serve_dataset(dataset: Dataset, options: ServeOptions, _ui: &Ui) -> anyhow::Result<Outcome> {
    report_skipped(&dataset.skipped);
    let outcome = if dataset.skipped.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Skipped
    };
    let source = DicomSource::new(dataset);
    if source.entries.is_empty() {
        anyhow::bail!("no patient with a CT volume was found\nhint: `tumorscope scan PATH…` lists what the inputs hold");
    }
    let count = source.entries.len();
    if !options.host.is_loopback() {
        eprintln!(
            "warning: listening on `{}`: anyone who can reach this machine can see these images (no authentication)\nhint: prefer the default loopback address and an SSH tunnel (`ssh -L PORT:127.0.0.1:PORT host`)",
            options.host
        );
    }
    let server_options = ServerOptions {
        host: options.host,
        port: options.port,
        cache_bytes: options.cache_mib.saturating_mul(1 << 20),
        ..ServerOptions::default()
    };
    let source = Arc::new(source);
    let server = start(source.clone(), &server_options)?;
    // Fill the patient list's key statistics in the background, one patient at a time, so the
    // list shows tumors and burden before each patient is opened.
    std::thread::Builder::new()
        .name("tumorscope-stats".into())
        .spawn(move || source.analyze_all())
        .map_err(|e| anyhow::anyhow!("cannot start the statistics thread: {e}"))?;
    let url = server.url();
    println!("tumorscope viewer: {url}  ({count} patient(s); Ctrl-C to stop)");
    if options.open {
        open_browser(&url);
    }
    server.wait()?;
    Ok(outcome)
}

/// Starts the platform's URL opener; a failure only prints a message.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(target_os = "windows") {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if let Err(e) = std::process::Command::new(program)
        .args(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("cannot open a browser with `{program}`: {e}\nhint: open {url} yourself");
    }
}

/// Patients of a scanned dataset: ids are indices into `entries` (patients with a volume).
pub struct DicomSource {
    dataset: Dataset,
    /// Index into `dataset.patients` of each id.
    entries: Vec<usize>,
    load_options: LoadOptions,
    stats: Mutex<HashMap<u32, PatientStats>>,
}

impl DicomSource {
    pub fn new(dataset: Dataset) -> Self {
        let entries = (0..dataset.patients.len())
            .filter(|&n| dataset.patients[n].primary_series().is_some())
            .collect();
        Self {
            dataset,
            entries,
            load_options: LoadOptions::default(),
            stats: Mutex::new(HashMap::new()),
        }
    }

    fn patient(&self, id: u32) -> Option<&tumorscope_dicom::Patient> {
        self.dataset.patients.get(*self.entries.get(id as usize)?)
    }

    /// Loads and analyses every patient whose statistics are not known yet (one image in memory
    /// at a time); a failure is logged and the patient keeps no statistics.
    fn analyze_all(&self) {
        for id in 0..self.entries.len() as u32 {
            if self.known_stats().contains_key(&id) {
                continue;
            }
            match self.load(id) {
                Ok(image) => {
                    let _ = self.stats(id, &image);
                }
                Err(e) => tracing::warn!("cannot load patient {id} for statistics: {e}"),
            }
        }
    }

    fn known_stats(&self) -> std::sync::MutexGuard<'_, HashMap<u32, PatientStats>> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PatientSource for DicomSource {
    fn patients(&self) -> Vec<PatientSummary> {
        let stats = self.known_stats();
        let mut out = Vec::with_capacity(self.entries.len());
        for id in 0..self.entries.len() as u32 {
            let Some(p) = self.patient(id) else { continue };
            let Some(s) = p.primary_series() else {
                continue;
            };
            let known = stats.get(&id);
            let g = &s.geometry;
            out.push(PatientSummary {
                id,
                label: p.label.clone(),
                series_description: s.description.clone(),
                modality: s.modality.clone(),
                dims: g.dims,
                spacing_mm: g.spacing_mm,
                origin_mm: g.origin_mm,
                direction: g.direction,
                structures: s.masks.iter().map(|m| m.name.clone()).collect(),
                tumor_count: known.map(|k| k.tumor_count),
                tumor_volume_ml: known.map(|k| k.tumor_volume_ml),
                tumor_burden_pct: known.and_then(|k| k.tumor_burden_pct),
                warnings: s.warnings.clone(),
            });
        }
        out
    }

    fn load(&self, id: u32) -> Result<Arc<PatientImage>, String> {
        let p = self
            .patient(id)
            .ok_or_else(|| format!("no patient `{id}`"))?;
        let loaded =
            load_patient(&self.dataset, p, &self.load_options).map_err(|e| e.to_string())?;
        for w in &loaded.warnings {
            tracing::warn!("`{}`: {w}", p.label);
        }
        for s in &loaded.skipped {
            tracing::warn!("skipped: `{}`: {}", s.origin, s.reason);
        }
        Ok(Arc::new(loaded.image))
    }

    fn stats(&self, id: u32, image: &PatientImage) -> Option<PatientStats> {
        if let Some(s) = self.known_stats().get(&id) {
            return Some(s.clone());
        }
        match analyze_patient(image, &AnalysisOptions::default()) {
            Ok(stats) => {
                self.known_stats().insert(id, stats.clone());
                Some(stats)
            }
            Err(e) => {
                tracing::warn!("cannot analyse `{}`: {e}", image.patient);
                None
            }
        }
    }

    fn metadata(&self, id: u32) -> Vec<(String, String)> {
        let Some(s) = self.patient(id).and_then(|p| p.primary_series()) else {
            return Vec::new();
        };
        let h = &s.header;
        let mut out = Vec::new();
        let mut add = |k: &str, v: String| {
            if !v.trim().is_empty() {
                out.push((k.to_owned(), v));
            }
        };
        add("patient id", h.patient_id.clone());
        add("study date", h.study_date.clone());
        add("study", h.study_description.clone());
        add("manufacturer", format!("{} {}", h.manufacturer, h.model));
        add("institution", h.institution.clone());
        add("kVp", h.kvp.map(|v| v.to_string()).unwrap_or_default());
        add(
            "slice thickness",
            h.slice_thickness_mm
                .map(|v| format!("{v} mm"))
                .unwrap_or_default(),
        );
        add("transfer syntax", h.transfer_syntax.clone());
        add("photometric", h.photometric.clone());
        add("series uid", s.series_uid.clone());
        out
    }
}
