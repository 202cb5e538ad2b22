//! The report's files written one patient at a time, so a cohort of any size takes the memory
//! of one patient (plus a line of overview per patient): `stats.json`, `patients.csv`,
//! `tumors.csv`, `radiomics.csv`, `report.html` and the Parquet tables, the same bytes as the
//! whole-cohort writers ([`stats_json`](crate::stats_json), [`report_html`](crate::report_html)
//! …) give.
//!
//! Two passes over the patients: the first ([`OverviewBuilder`]) keeps what the beginning of the
//! files needs — the cohort summary, the overview table's and the charts' few numbers per
//! patient, the radiomics feature names —; the second ([`ReportStream`]) writes every patient's
//! parts as it comes. Sinks are any [`Write`]; this crate opens no file.

use std::collections::BTreeSet;
use std::io::Write;

use tumorscope_analysis::{CohortAccumulator, CohortStats};

use crate::html::{html_head, html_patient, html_tail, PatientLine};
use crate::json::{json_head, json_patient, json_tail};
use crate::parquet::ParquetWriter;
use crate::radiomics_table::{radiomics_names, radiomics_rows};
use crate::table::Table;
use crate::tables::{failures_table, organs_table, patients_table, tumors_table, Failure};
use crate::{PatientReport, Provenance, ReportError};

/// What the files' beginnings need, from a first pass over the patients.
#[derive(Debug, Clone)]
pub struct Overview {
    pub cohort: CohortStats,
    lines: Vec<PatientLine>,
    radiomics: Vec<String>,
}

impl Overview {
    /// Whether some region has radiomics features (`radiomics.csv` and `.parquet` are written).
    pub fn has_radiomics(&self) -> bool {
        !self.radiomics.is_empty()
    }

    /// Patients counted.
    pub fn patients(&self) -> usize {
        self.lines.len()
    }
}

/// The first pass: add every patient, in report order.
#[derive(Debug, Default)]
pub struct OverviewBuilder {
    cohort: CohortAccumulator,
    lines: Vec<PatientLine>,
    radiomics: BTreeSet<String>,
}

impl OverviewBuilder {
    pub fn add(&mut self, p: &PatientReport) {
        self.cohort.add(&p.stats);
        self.lines.push(PatientLine::of(&p.stats));
        self.radiomics
            .extend(radiomics_names(std::slice::from_ref(p)));
    }

    pub fn finish(self) -> Overview {
        Overview {
            cohort: self.cohort.finish(),
            lines: self.lines,
            radiomics: self.radiomics.into_iter().collect(),
        }
    }
}

/// Where each file goes.
pub struct Sinks {
    pub stats_json: Box<dyn Write + Send>,
    pub patients_csv: Box<dyn Write + Send>,
    pub tumors_csv: Box<dyn Write + Send>,
    /// Given when [`Overview::has_radiomics`].
    pub radiomics_csv: Option<Box<dyn Write + Send>>,
    pub report_html: Box<dyn Write + Send>,
    pub parquet: Option<ParquetSinks>,
}

/// Where each Parquet table goes.
pub struct ParquetSinks {
    pub patients: Box<dyn Write + Send>,
    pub tumors: Box<dyn Write + Send>,
    pub organs: Box<dyn Write + Send>,
    pub failures: Box<dyn Write + Send>,
    /// Given when [`Overview::has_radiomics`].
    pub radiomics: Option<Box<dyn Write + Send>>,
}

type Sink = Box<dyn Write + Send>;

struct ParquetStreams {
    patients: ParquetWriter<Sink>,
    tumors: ParquetWriter<Sink>,
    organs: ParquetWriter<Sink>,
    failures: Sink,
    radiomics: Option<ParquetWriter<Sink>>,
}

/// The second pass: [`start`](Self::start), [`patient`](Self::patient) for each in the first
/// pass's order, [`finish`](Self::finish).
pub struct ReportStream {
    stats_json: Sink,
    patients_csv: Sink,
    tumors_csv: Sink,
    radiomics_csv: Option<Sink>,
    report_html: Sink,
    parquet: Option<ParquetStreams>,
    radiomics: Vec<String>,
    /// The first pass's lines: each patient written must be the one counted at its place.
    lines: Vec<PatientLine>,
    written: usize,
}

/// A write to `what` failed.
fn io(what: &'static str) -> impl Fn(std::io::Error) -> ReportError {
    move |source| ReportError::Write { what, source }
}

/// The columns of a table kind, from the table of no patient.
fn columns(table: &Table) -> Vec<(&str, crate::Kind)> {
    table
        .columns
        .iter()
        .map(|(n, k)| (n.as_str(), *k))
        .collect()
}

impl ReportStream {
    /// Writes the beginnings of the files.
    pub fn start(
        sinks: Sinks,
        provenance: &Provenance,
        overview: &Overview,
    ) -> Result<Self, ReportError> {
        let Sinks {
            mut stats_json,
            mut patients_csv,
            mut tumors_csv,
            mut radiomics_csv,
            mut report_html,
            parquet,
        } = sinks;
        stats_json
            .write_all(json_head(provenance, &overview.cohort)?.as_bytes())
            .map_err(io("stats.json"))?;
        patients_csv
            .write_all(&patients_table(&[]).csv_header())
            .map_err(io("patients.csv"))?;
        tumors_csv
            .write_all(&tumors_table(&[]).csv_header())
            .map_err(io("tumors.csv"))?;
        let radiomics_columns = radiomics_rows(&overview.radiomics, &[]);
        if let Some(sink) = &mut radiomics_csv {
            sink.write_all(&radiomics_columns.csv_header())
                .map_err(io("radiomics.csv"))?;
        }
        report_html
            .write_all(html_head(provenance, &overview.cohort, &overview.lines).as_bytes())
            .map_err(io("report.html"))?;
        let parquet = match parquet {
            None => None,
            Some(p) => Some(ParquetStreams {
                patients: ParquetWriter::new(
                    p.patients,
                    &columns(&patients_table(&[])),
                    "patients.parquet",
                )?,
                tumors: ParquetWriter::new(
                    p.tumors,
                    &columns(&tumors_table(&[])),
                    "tumors.parquet",
                )?,
                organs: ParquetWriter::new(
                    p.organs,
                    &columns(&organs_table(&[])),
                    "organs.parquet",
                )?,
                failures: p.failures,
                radiomics: match p.radiomics {
                    Some(sink) => Some(ParquetWriter::new(
                        sink,
                        &columns(&radiomics_columns),
                        "radiomics.parquet",
                    )?),
                    None => None,
                },
            }),
        };
        Ok(Self {
            stats_json,
            patients_csv,
            tumors_csv,
            radiomics_csv,
            report_html,
            parquet,
            radiomics: overview.radiomics.clone(),
            lines: overview.lines.clone(),
            written: 0,
        })
    }

    /// Writes one patient's parts of every file.
    pub fn patient(&mut self, p: &PatientReport) -> Result<(), ReportError> {
        if self.lines.get(self.written) != Some(&PatientLine::of(&p.stats)) {
            return Err(ReportError::Inconsistent {
                what: format!(
                    "patient {} is `{}`, not the one counted there",
                    self.written + 1,
                    p.stats.patient
                ),
            });
        }
        let one = std::slice::from_ref(p);
        self.stats_json
            .write_all(json_patient(p, self.written == 0)?.as_bytes())
            .map_err(io("stats.json"))?;
        let (patients, tumors) = (patients_table(one), tumors_table(one));
        self.patients_csv
            .write_all(&patients.csv_rows())
            .map_err(io("patients.csv"))?;
        self.tumors_csv
            .write_all(&tumors.csv_rows())
            .map_err(io("tumors.csv"))?;
        let radiomics = radiomics_rows(&self.radiomics, one);
        if let Some(sink) = &mut self.radiomics_csv {
            sink.write_all(&radiomics.csv_rows())
                .map_err(io("radiomics.csv"))?;
        }
        self.written += 1;
        self.report_html
            .write_all(html_patient(self.written, p)?.as_bytes())
            .map_err(io("report.html"))?;
        if let Some(parquet) = &mut self.parquet {
            parquet.patients.rows(&patients.rows)?;
            parquet.tumors.rows(&tumors.rows)?;
            parquet.organs.rows(&organs_table(one).rows)?;
            if let Some(r) = &mut parquet.radiomics {
                r.rows(&radiomics.rows)?;
            }
        }
        Ok(())
    }

    /// Writes the ends of the files: the skipped inputs (`(origin, reason)`, into `stats.json`
    /// and the page) and the failures table's rows; flushes every sink.
    pub fn finish(
        mut self,
        skipped: &[(String, String)],
        failures: &[Failure],
    ) -> Result<(), ReportError> {
        if self.written != self.lines.len() {
            return Err(ReportError::Inconsistent {
                what: format!("{} written of {} counted", self.written, self.lines.len()),
            });
        }
        self.stats_json
            .write_all(json_tail(skipped, self.written > 0)?.as_bytes())
            .map_err(io("stats.json"))?;
        self.report_html
            .write_all(html_tail(skipped).as_bytes())
            .map_err(io("report.html"))?;
        self.stats_json.flush().map_err(io("stats.json"))?;
        self.report_html.flush().map_err(io("report.html"))?;
        self.patients_csv.flush().map_err(io("patients.csv"))?;
        self.tumors_csv.flush().map_err(io("tumors.csv"))?;
        if let Some(sink) = &mut self.radiomics_csv {
            sink.flush().map_err(io("radiomics.csv"))?;
        }
        if let Some(p) = self.parquet {
            p.patients
                .finish()?
                .flush()
                .map_err(io("patients.parquet"))?;
            p.tumors.finish()?.flush().map_err(io("tumors.parquet"))?;
            p.organs.finish()?.flush().map_err(io("organs.parquet"))?;
            if let Some(r) = p.radiomics {
                r.finish()?.flush().map_err(io("radiomics.parquet"))?;
            }
            let table = failures_table(failures);
            let mut writer = ParquetWriter::new(p.failures, &columns(&table), "failures.parquet")?;
            writer.rows(&table.rows)?;
            writer.finish()?.flush().map_err(io("failures.parquet"))?;
        }
        Ok(())
    }
}
