//! The files written one patient at a time are the bytes the whole-cohort writers give: with
//! and without radiomics, thumbnails, skipped inputs and failures, for 0 to 3 patients, and a
//! Parquet table longer than one row group.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{cohort_of, cohort_patients, provenance};
use tumorscope_report::{
    parquet_tables, patients_csv, radiomics_csv, report_html, stats_json, table_parquet,
    tumors_csv, Failure, Kind, OverviewBuilder, ParquetSinks, ParquetWriter, PatientReport, Report,
    ReportStream, Sinks, Table,
};

/// A sink whose bytes can be read after the stream has consumed it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
    fn sink(&self) -> Box<dyn Write + Send> {
        Box::new(self.clone())
    }
}

fn with_radiomics(mut p: PatientReport) -> PatientReport {
    for (n, t) in p.stats.tumors.iter_mut().enumerate() {
        let mut f = std::collections::BTreeMap::new();
        f.insert("original_firstorder_Mean".to_owned(), 10.0 + n as f64);
        if n == 0 {
            f.insert("original_shape_Sphericity".to_owned(), f64::NAN);
        }
        t.radiomics = Some(f);
    }
    p
}

fn compare(patients: &[PatientReport], what: &str) {
    let provenance = provenance();
    let cohort = cohort_of(patients);
    let skipped = vec![("bad.zip!/x".to_owned(), "not \"DICOM\"".to_owned())];
    let failures = vec![Failure {
        patient: "p".into(),
        kind: "failed".into(),
        message: "m".into(),
        origin: "o".into(),
    }];
    let report = Report {
        provenance: &provenance,
        cohort: &cohort,
        patients,
        skipped: &skipped,
    };
    let mut overview = OverviewBuilder::default();
    for p in patients {
        overview.add(p);
    }
    let overview = overview.finish();
    assert_eq!(overview.cohort, cohort, "{what}");
    let files: Vec<Shared> = (0..10).map(|_| Shared::default()).collect();
    let radiomics = overview.has_radiomics();
    let sinks = Sinks {
        stats_json: files[0].sink(),
        patients_csv: files[1].sink(),
        tumors_csv: files[2].sink(),
        radiomics_csv: radiomics.then(|| files[3].sink()),
        report_html: files[4].sink(),
        parquet: Some(ParquetSinks {
            patients: files[5].sink(),
            tumors: files[6].sink(),
            organs: files[7].sink(),
            failures: files[8].sink(),
            radiomics: radiomics.then(|| files[9].sink()),
        }),
    };
    let mut stream = ReportStream::start(sinks, &provenance, &overview).unwrap();
    for p in patients {
        stream.patient(p).unwrap();
    }
    stream.finish(&skipped, &failures).unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    assert_eq!(
        text(files[0].bytes()),
        text(stats_json(&report).unwrap()),
        "{what}: stats.json"
    );
    assert_eq!(
        files[1].bytes(),
        patients_csv(patients),
        "{what}: patients.csv"
    );
    assert_eq!(files[2].bytes(), tumors_csv(patients), "{what}: tumors.csv");
    assert_eq!(
        radiomics.then(|| files[3].bytes()),
        radiomics_csv(patients),
        "{what}: radiomics.csv"
    );
    assert_eq!(
        text(files[4].bytes()),
        text(report_html(&report).unwrap()),
        "{what}: report.html"
    );
    let tables = parquet_tables(patients, &failures).unwrap();
    let index = |name: &str| match name {
        "patients.parquet" => 5,
        "tumors.parquet" => 6,
        "organs.parquet" => 7,
        "failures.parquet" => 8,
        _ => 9,
    };
    assert_eq!(tables.len(), if radiomics { 5 } else { 4 });
    for (name, bytes) in tables {
        assert!(files[index(name)].bytes() == bytes, "{what}: {name}");
    }
}

#[test]
fn streamed_files_equal_the_whole_cohort_writers() {
    let all = cohort_patients();
    for n in 0..=all.len() {
        compare(&all[..n], &format!("{n} patient(s)"));
    }
    let radiomic: Vec<PatientReport> = all.into_iter().map(with_radiomics).collect();
    compare(&radiomic, "with radiomics");
}

#[test]
fn a_streamed_parquet_table_of_several_groups_equals_the_whole() {
    let mut table = Table::new(&[("n", Kind::Int), ("x", Kind::Float), ("s", Kind::Text)]);
    let rows = tumorscope_report_rows();
    for n in 0..rows {
        table
            .row()
            .num(n as i64)
            .num((n % 7 != 0).then_some(n as f64 / 3.0))
            .text(&format!("row {n}"));
    }
    let whole = table_parquet(&table, "t").unwrap();
    let columns: Vec<(&str, Kind)> = table
        .columns
        .iter()
        .map(|(n, k)| (n.as_str(), *k))
        .collect();
    let mut writer = ParquetWriter::new(Vec::new(), &columns, "t").unwrap();
    for chunk in table.rows.chunks(977) {
        writer.rows(chunk).unwrap();
    }
    assert!(writer.finish().unwrap() == whole);
}

/// More rows than one row group holds.
fn tumorscope_report_rows() -> usize {
    tumorscope_report::ROWS_PER_GROUP * 2 + 123
}

#[test]
fn a_patient_other_than_the_one_counted_is_refused() {
    let all = cohort_patients();
    let provenance = provenance();
    let mut overview = OverviewBuilder::default();
    overview.add(&all[0]);
    overview.add(&all[1]);
    let overview = overview.finish();
    let sinks = || Sinks {
        stats_json: Shared::default().sink(),
        patients_csv: Shared::default().sink(),
        tumors_csv: Shared::default().sink(),
        radiomics_csv: None,
        report_html: Shared::default().sink(),
        parquet: None,
    };
    // Another patient in second place (its result changed between the passes).
    let mut stream = ReportStream::start(sinks(), &provenance, &overview).unwrap();
    stream.patient(&all[0]).unwrap();
    assert!(stream.patient(&all[2]).is_err());
    // One missing at the end.
    let mut stream = ReportStream::start(sinks(), &provenance, &overview).unwrap();
    stream.patient(&all[0]).unwrap();
    assert!(stream.finish(&[], &[]).is_err());
}
