mod common;
use common::*;
use tumorscope_report::*;
#[test]
fn dump() {
    let mut patients = cohort_patients();
    for n in 0..20 {
        let mut s = ircad_like();
        s.patient = format!("3Dircadb1.{}", n + 1);
        s.tumor_volume_ml = 10.0 * n as f64;
        s.liver_volume_ml = Some(1200.0 + 40.0 * n as f64);
        s.tumor_burden_pct = Some(100.0 * s.tumor_volume_ml / s.liver_volume_ml.unwrap());
        s.tumors[1].volume_ml = 0.05 * n as f64;
        patients.push(report_of(s));
    }
    let cohort = cohort_of(&patients);
    let prov = provenance();
    let skipped = vec![("bad.zip".to_owned(), "not a zip".to_owned())];
    let r = Report {
        provenance: &prov,
        cohort: &cohort,
        patients: &patients,
        skipped: &skipped,
    };
    std::fs::write("/tmp/report-full.html", report_html(&r).unwrap()).unwrap();
    let empty: Vec<PatientReport> = vec![report_of(tumor_free("a")), report_of(tumor_free("b"))];
    let cohort = cohort_of(&empty);
    let r = Report {
        provenance: &prov,
        cohort: &cohort,
        patients: &empty,
        skipped: &[],
    };
    std::fs::write("/tmp/report-empty.html", report_html(&r).unwrap()).unwrap();
}
