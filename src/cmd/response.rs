//! `tumorscope response BASELINE [FOLLOWUP] --out DIR`: tumour response between scans —
//! lesions matched, RECIST 1.1 sums and category, volumetric change — in `response.json`,
//! `response.csv` and `response.html`.
//!
//! With two inputs, the patient of each side is paired when each side holds one; otherwise
//! patients pair by label. With one input, every patient with several studies is followed in
//! Study Date order: the earliest is the baseline, each later one a follow-up (with the nadir
//! of the sums before it).

use std::path::PathBuf;

use rayon::prelude::*;
use tumorscope_analysis::response::{assess_response, liver_centroid_mm, Response};
use tumorscope_analysis::{analyze_patient, AnalysisOptions, PatientStats};
use tumorscope_dataset::{Dataset, Exam, Skipped};
use tumorscope_report::{
    response_csv, response_html, response_json, Provenance, ResponsePair, StudyRef, TimePoint,
};
use tumorscope_sources::{load_exam, LoadOptions};

use super::analyze::MeasureArgs;
use super::inputs::{InputArgs, LimitArgs};
use super::scan::scan_inputs;
use crate::ui::{check_output_dir, isolate_panics, outln, report_skipped, write_atomic, Ui};
use crate::Outcome;

/// Compare a baseline and a follow-up scan: lesions matched, RECIST 1.1 response, volume change.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The baseline scan(s): any input tumorscope reads. Alone, patients with several studies
    /// are followed in Study Date order.
    #[arg(value_name = "BASELINE")]
    pub baseline: PathBuf,
    /// The follow-up scan(s); patients pair by label unless each side holds one patient.
    #[arg(value_name = "FOLLOWUP")]
    pub followup: Option<PathBuf>,
    /// Output folder for `response.json`, `response.csv` and `response.html`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub measure: MeasureArgs,
}

/// One measured scan.
struct Measured {
    label: String,
    study: StudyRef,
    stats: PatientStats,
    liver_mm: Option<[f64; 3]>,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    check_output_dir(&args.out)?;
    let side = |path: &PathBuf| InputArgs {
        paths: vec![path.clone()],
        limits: args.limits.clone(),
    };
    let load = LoadOptions {
        walk: side(&args.baseline).walk_options()?,
    };
    let options = args.measure.options();
    let baseline = scan_inputs(&side(&args.baseline), ui)?;
    let followup = match &args.followup {
        Some(path) => Some(scan_inputs(&side(path), ui)?),
        None => None,
    };
    let mut skipped: Vec<Skipped> = baseline.skipped.clone();
    // Each series of scans: (patient, [(dataset, exam)] in time order).
    let mut series: Vec<(String, Vec<(&Dataset, Exam)>)> = Vec::new();
    match &followup {
        Some(followup) => {
            skipped.extend(followup.skipped.iter().cloned());
            let before: Vec<Exam> = baseline.patients.iter().flat_map(|p| p.exams()).collect();
            let after: Vec<Exam> = followup.patients.iter().flat_map(|p| p.exams()).collect();
            if before.len() == 1 && after.len() == 1 {
                let (b, a) = (before.into_iter().next(), after.into_iter().next());
                if let (Some(b), Some(a)) = (b, a) {
                    series.push((b.patient.label.clone(), vec![(&baseline, b), (followup, a)]));
                }
            } else {
                let mut after = after;
                for b in before {
                    let label = b.patient.label.clone();
                    let mut times = vec![(&baseline, b)];
                    let (mine, rest): (Vec<Exam>, Vec<Exam>) =
                        after.into_iter().partition(|a| a.patient.label == label);
                    after = rest;
                    if mine.is_empty() {
                        skipped.push(Skipped {
                            origin: label.clone(),
                            reason: "no follow-up of this patient in the follow-up input".into(),
                        });
                        continue;
                    }
                    times.extend(mine.into_iter().map(|a| (followup, a)));
                    // A patient with several baseline studies keeps the earliest as baseline.
                    if series.iter().any(|(p, _)| *p == label) {
                        continue;
                    }
                    series.push((label, times));
                }
                for a in after {
                    skipped.push(Skipped {
                        origin: a.label.clone(),
                        reason: "no baseline of this patient in the baseline input".into(),
                    });
                }
            }
        }
        None => {
            for p in &baseline.patients {
                let exams = p.exams();
                if exams.len() < 2 {
                    skipped.push(Skipped {
                        origin: p.label.clone(),
                        reason: "one study only: nothing to compare (give a follow-up input, or both studies in one)".into(),
                    });
                    continue;
                }
                series.push((
                    p.label.clone(),
                    exams.into_iter().map(|e| (&baseline, e)).collect(),
                ));
            }
        }
    }
    if series.is_empty() {
        report_skipped(&skipped);
        anyhow::bail!("no patient with a baseline and a follow-up in these inputs");
    }

    let results: Vec<(String, anyhow::Result<Vec<ResponsePair>>)> = series
        .par_iter()
        .map(|(patient, times)| {
            let r = isolate_panics(|| {
                let measured = times
                    .iter()
                    .map(|(dataset, exam)| measure(dataset, exam, &load, &options))
                    .collect::<anyhow::Result<Vec<Measured>>>()?;
                Ok(follow(patient, &measured))
            });
            (patient.clone(), r)
        })
        .collect();
    let mut pairs = Vec::new();
    for (patient, r) in results {
        match r {
            Ok(p) => {
                for pair in &p {
                    outln!("{}", console_line(pair));
                }
                pairs.extend(p);
            }
            Err(e) => skipped.push(Skipped {
                origin: patient,
                reason: format!("{e:#}"),
            }),
        }
    }

    let mut inputs = vec![args.baseline.display().to_string()];
    inputs.extend(args.followup.iter().map(|p| p.display().to_string()));
    let provenance = Provenance {
        tool: concat!("tumorscope ", env!("CARGO_PKG_VERSION")).to_owned(),
        generated_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        inputs,
        settings: serde_json::json!({
            "connectivity": args.measure.connectivity,
            "min_volume_ml": args.measure.min_volume_ml,
            "tumor_masks": args.measure.tumor_masks,
        }),
    };
    let skipped_pairs: Vec<(String, String)> = skipped
        .iter()
        .map(|s| (s.origin.clone(), s.reason.clone()))
        .collect();
    write_atomic(
        &args.out.join("response.json"),
        &response_json(&provenance, &pairs, &skipped_pairs)?,
    )?;
    write_atomic(&args.out.join("response.csv"), &response_csv(&pairs))?;
    write_atomic(
        &args.out.join("response.html"),
        &response_html(&provenance, &pairs),
    )?;
    outln!(
        "{} follow-up(s) of {} patient(s); report in `{}`",
        pairs.len(),
        series.len(),
        args.out.join("response.html").display()
    );
    report_skipped(&skipped);
    Ok(Outcome::of(&skipped))
}

/// Loads and measures one scan.
fn measure(
    dataset: &Dataset,
    exam: &Exam,
    load: &LoadOptions,
    options: &AnalysisOptions,
) -> anyhow::Result<Measured> {
    let loaded = load_exam(dataset, exam, load)?;
    let options = AnalysisOptions {
        slice_thickness_mm: exam.series.info.slice_thickness_mm,
        ..options.clone()
    };
    let stats = analyze_patient(&loaded.image, &options)?;
    Ok(Measured {
        label: exam.label.clone(),
        study: StudyRef {
            patient: exam.patient.label.clone(),
            uid: exam.study.study_uid.to_owned(),
            date: exam.study.date_iso(),
            description: exam.study.description.to_owned(),
        },
        liver_mm: liver_centroid_mm(&loaded.image),
        stats,
    })
}

/// Every follow-up of one patient against the baseline, with the nadir before it.
fn follow(patient: &str, times: &[Measured]) -> Vec<ResponsePair> {
    let Some((baseline, later)) = times.split_first() else {
        return Vec::new();
    };
    let mut nadir = baseline.stats.recist.sum_of_diameters_mm;
    let mut pairs = Vec::new();
    for f in later {
        let response: Response = assess_response(
            &baseline.stats,
            &f.stats,
            baseline.liver_mm,
            f.liver_mm,
            nadir,
        );
        nadir = nadir.min(response.followup_sum_mm);
        pairs.push(ResponsePair {
            patient: patient.to_owned(),
            baseline: TimePoint {
                label: baseline.label.clone(),
                study: baseline.study.clone(),
            },
            followup: TimePoint {
                label: f.label.clone(),
                study: f.study.clone(),
            },
            response,
        });
    }
    pairs
}

/// `P7: 3Dircadb1.17 → follow-up: PR (sum 142.56 → 64.99 mm, −54.41 %; volume −47.87 %)`.
fn console_line(pair: &ResponsePair) -> String {
    let r = &pair.response;
    let pct = |v: Option<f64>| {
        v.map(|v| format!("{v:+.2} %"))
            .unwrap_or_else(|| "n/a".to_owned())
    };
    format!(
        "{}: {} → {}: {} (sum {:.2} → {:.2} mm, {}; volume {})",
        pair.patient,
        pair.baseline.label,
        pair.followup.label,
        r.category.as_str(),
        r.baseline_sum_mm,
        r.followup_sum_mm,
        pct(r.sum_change_pct),
        pct(r.volume_change_pct)
    )
}
