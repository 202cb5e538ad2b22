//! Serializes tumorscope analysis results for people and machines: JSON, CSV, a console line and
//! one self-contained HTML page with inline SVG charts and PNG thumbnails.
//!
//! This crate computes nothing: every number comes from `tumorscope-analysis` types
//! ([`PatientStats`], [`CohortStats`] …), and it writes no files: each writer returns bytes and
//! the caller (the CLI) writes them atomically.
//!
//! - [`stats_json`]: the machine-readable document (provenance, definitions, cohort, patients);
//! - [`patients_csv`] / [`tumors_csv`]: one row per patient / per tumor, RFC 4180, with text
//!   cells guarded against spreadsheet formula injection;
//! - [`report_html`]: one page with no network references (inline CSS, inline SVG, images as
//!   `data:` URIs), every data-derived text HTML-escaped;
//! - [`console_line`]: the one-line summary the CLI prints per patient;
//! - [`ReportStream`]: all of a result set's files written one patient at a time, in the memory
//!   of one patient, the same bytes as the writers above;
//! - [`response_json`] / [`response_csv`] / [`response_html`]: the outputs of a response
//!   assessment between scans.
//!
//! ```
//! use tumorscope_analysis::{analyze_patient, AnalysisOptions};
//! use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume};
//! use tumorscope_report::console_line;
//!
//! let g = Geometry::axial([4, 4, 4], [1.0, 1.0, 1.0], [0.0; 3]);
//! let mut tumor = vec![0u8; 64];
//! tumor[g.index([1, 1, 1])] = 1;
//! let image = PatientImage {
//!     patient: "demo".into(),
//!     ct: Volume::filled(g, 40i16),
//!     masks: vec![LabelMask::new("liver", vec![1; 64]), LabelMask::new("livertumor1", tumor)],
//! };
//! let stats = analyze_patient(&image, &AnalysisOptions::default()).unwrap();
//! assert_eq!(console_line(&stats), "demo: 1 tumor, 0.00 mL, burden 1.56 %");
//! ```
//!
//! [`PatientStats`]: tumorscope_analysis::PatientStats
//! [`CohortStats`]: tumorscope_analysis::CohortStats

mod base64;
mod console;
mod csv;
mod error;
mod format;
mod html;
mod json;
mod model;
mod parquet;
mod radiomics_table;
mod record;
mod response;
mod stream;
mod table;
mod tables;

pub use console::console_line;
pub use csv::CsvWriter;
pub use error::ReportError;
pub use html::{report_html, PatientLine};
pub use json::{stats_json, DEFINITIONS};
pub use model::{PatientReport, Provenance, Report, StudyRef};
pub use parquet::{table_parquet, ParquetWriter, ROWS_PER_GROUP};
pub use radiomics_table::{radiomics_csv, radiomics_table};
pub use response::{
    response_csv, response_html, response_json, ResponsePair, TimePoint, RESPONSE_DEFINITIONS,
};
pub use stream::{Overview, OverviewBuilder, ParquetSinks, ReportStream, Sinks};
pub use table::{Cell, IntoCell, Kind, Row, Table};
pub use tables::{
    failures_table, organs_table, parquet_tables, patients_csv, patients_table, tumors_csv,
    tumors_table, Failure,
};
