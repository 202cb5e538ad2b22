//! `tumorscope view PATH…`: scan the inputs and open the interactive viewer on them.
//!
//! The patients come from a scan or a catalog; `tumorscope-server`'s `DatasetSource` loads and
//! measures them on demand, and its router serves them.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tumorscope_analysis::PatientStats;
use tumorscope_dataset::Dataset;
use tumorscope_server::{start, DatasetSource, ServerOptions};
use tumorscope_sources::LoadOptions;

use super::inputs::InputArgs;
use super::scan::scan_inputs;
use crate::ui::{errln, outln};
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
    /// Address or host name to listen on (`127.0.0.1`, `localhost`, `::1` …). Anything but
    /// loopback exposes the images to the network.
    #[arg(long, value_parser = parse_host)]
    pub host: Option<IpAddr>,
    /// Open the viewer in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Memory for loaded patients, in MiB (least recently viewed are dropped first).
    #[arg(long, default_value_t = 2048)]
    pub cache_mib: u64,
    /// Open on this patient (default: the first).
    #[arg(long, value_name = "LABEL")]
    pub patient: Option<String>,
    /// Open centred on this structure (`liver`, `livertumor01` …) with its organ's window.
    #[arg(long, value_name = "NAME")]
    pub structure: Option<String>,
}

/// An IP address, or a host name resolved on this machine (IPv4 preferred).
fn parse_host(s: &str) -> Result<IpAddr, String> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(ip);
    }
    use std::net::ToSocketAddrs;
    let addrs: Vec<IpAddr> = (s, 0)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve `{s}`: {e}"))?
        .map(|a| a.ip())
        .collect();
    addrs
        .iter()
        .find(|ip| ip.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| format!("`{s}` resolves to no address"))
}

/// How [`serve_dataset`] serves.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub host: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub open: bool,
    pub cache_mib: u64,
    /// The page's hash to open on (`patient=…&structure=…`), empty for the first patient.
    pub start_at: String,
    /// Where the viewer's measurements are saved, one JSON file per patient (`None`: not saved).
    pub measurements_dir: Option<PathBuf>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            open: false,
            cache_mib: 2048,
            start_at: String::new(),
            measurements_dir: None,
        }
    }
}

/// The hash that opens the page on `patient` (checked against the dataset's exams) centred on
/// `structure` (checked against that exam's structures), as the viewer reads it.
fn start_at(
    dataset: &Dataset,
    patient: Option<&str>,
    structure: Option<&str>,
) -> anyhow::Result<String> {
    if patient.is_none() && structure.is_none() {
        return Ok(String::new());
    }
    let exams: Vec<_> = dataset.patients.iter().flat_map(|p| p.exams()).collect();
    let exam = match patient {
        Some(label) => exams.iter().find(|e| e.label == label).ok_or_else(|| {
            let labels: Vec<String> = exams.iter().map(|e| format!("`{}`", e.label)).collect();
            anyhow::anyhow!(
                "no patient `{label}` with a CT volume\nhint: the patients are {}",
                labels.join(", ")
            )
        })?,
        None => exams
            .first()
            .ok_or_else(|| anyhow::anyhow!("no patient with a CT volume was found"))?,
    };
    let mut hash = format!("patient={}", encode_component(&exam.label));
    if let Some(name) = structure {
        let names: Vec<&str> = exam
            .series
            .structures
            .iter()
            .map(|s| s.name.as_str())
            .collect();
        anyhow::ensure!(
            names.iter().any(|n| n.eq_ignore_ascii_case(name)),
            "patient `{}` has no structure `{name}`\nhint: its structures are {}",
            exam.label,
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        hash.push_str(&format!("&structure={}", encode_component(name)));
    }
    Ok(hash)
}

/// Where measurements are saved: beside the catalog (`cat.db` → `cat.measurements/`), or
/// `tumorscope.measurements/` in the working folder (beside the default catalog) without one —
/// never inside the inputs.
fn measurements_dir(db: Option<&Path>) -> PathBuf {
    match db {
        Some(db) => db.with_extension("measurements"),
        None => PathBuf::from("tumorscope.measurements"),
    }
}

/// `s` as a URL query component: unreserved characters as they are, every other byte `%XX`.
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let mut known_stats = Vec::new();
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
            // Results `analyze --db` stored, while current, fill the patient list at once.
            // Keyed as `analyze --db` keyed them: by the inputs under these archive limits.
            let walk = InputArgs {
                paths: Vec::new(),
                limits: args.limits.clone(),
            }
            .walk_options()?;
            known_stats = super::stored::current_stats(&catalog, &dataset, &walk)?;
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
        start_at: start_at(&dataset, args.patient.as_deref(), args.structure.as_deref())?,
        measurements_dir: Some(measurements_dir(args.db.as_deref())),
    };
    serve_dataset(dataset, known_stats, options, ui)
}

/// Serves `dataset` until Ctrl-C (with the statistics of `known_stats`' exams already known);
/// prints the URL (and opens it when asked).
pub fn serve_dataset(
    dataset: Dataset,
    known_stats: Vec<(String, PatientStats)>,
    options: ServeOptions,
    _ui: &Ui,
) -> anyhow::Result<Outcome> {
    report_skipped(&dataset.skipped);
    let outcome = Outcome::of(&dataset.skipped);
    let source = DatasetSource::new(dataset, LoadOptions::default()).with_stats(known_stats);
    if source.is_empty() {
        anyhow::bail!("no patient with a CT volume was found\nhint: `tumorscope scan PATH…` lists what the inputs hold");
    }
    let count = source.len();
    if !options.host.is_loopback() {
        errln!(
            "warning: listening on `{}`: anyone who can reach this machine can see these images (no authentication)\nhint: prefer the default loopback address and an SSH tunnel (`ssh -L PORT:127.0.0.1:PORT host`)",
            options.host
        );
    }
    let server_options = ServerOptions {
        host: options.host,
        port: options.port,
        cache_bytes: options.cache_mib.saturating_mul(1 << 20),
        measurements_dir: options.measurements_dir.clone(),
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
    let url = if options.start_at.is_empty() {
        server.url()
    } else {
        format!("{}#{}", server.url(), options.start_at)
    };
    outln!("tumorscope viewer: {url}  ({count} patient(s); Ctrl-C to stop)");
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
        errln!("cannot open a browser with `{program}`: {e}\nhint: open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_addresses_or_names() {
        assert_eq!(parse_host("127.0.0.1"), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(parse_host("::1").is_ok_and(|ip| ip.is_loopback()));
        assert!(parse_host("localhost").is_ok_and(|ip| ip.is_loopback()));
        assert!(parse_host("no such host.invalid").is_err());
    }
}
