//! The CSV tables: headers, exact row values, RFC 4180 quoting and the formula guard.

mod common;

use common::{cohort_patients, ircad_like, report_of, tumor};
use tumorscope_report::{patients_csv, tumors_csv};

fn lines(bytes: Vec<u8>) -> Vec<String> {
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.ends_with("\r\n"), "rows end with CRLF");
    text.split_terminator("\r\n").map(str::to_owned).collect()
}

const PATIENT_HEADER: &str = "patient,source,tumor_count,tumor_volume_ml,liver_volume_ml,\
tumor_burden_pct,liver_mask_includes_tumors,largest_tumor_by_volume,largest_tumor_by_diameter,\
recist_targets,recist_sum_mm,tumor_structures,note,dropped_small,connectivity,organs,warnings,\
patient_label,study_uid,study_date,study_description";

#[test]
fn patients_header_and_exact_rows() {
    let rows = lines(patients_csv(&cohort_patients()));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], PATIENT_HEADER);
    let burden = 100.0 * 164.2849 / 1860.0;
    assert_eq!(
        rows[1],
        format!(
            "3Dircadb1.17,3Dircadb1.17.zip: PATIENT_DICOM,2,164.2849,1860,{burden},true,1,1,1;2,52.5,2,,0,26,\
             liver=1850.5;livertumor1=150.25;livertumor2=14.0349,slice 12 <missing>,,,,"
        )
    );
    // No liver: empty cells for liver volume, burden and inclusion.
    assert_eq!(
        rows[2],
        "<script>x</script>,3Dircadb1.17.zip: PATIENT_DICOM,1,2.5,,,,1,1,1,35,1,,0,26,tumor=2.5,,,,,"
    );
    // A label that is a formula is guarded, then quoted because it holds quotes.
    assert!(
        rows[3].starts_with("\"'=HYPERLINK(\"\"x\"\")\",3Dircadb1.17.zip: PATIENT_DICOM,0,0,1500,0,,,,,0,0,,0,26,liver=1500,"),
        "{}",
        rows[3]
    );
}

#[test]
fn patients_quote_commas_and_newlines_in_text() {
    let mut p = report_of(ircad_like());
    p.stats.patient = "a,b".to_owned();
    p.stats.note = Some("2 tumor masks, 1 components: tumors touch\nor overlap".to_owned());
    p.warnings = vec!["-slice gap".to_owned(), "@odd".to_owned()];
    let text = String::from_utf8(patients_csv(&[p])).unwrap();
    assert!(text.contains("\r\n\"a,b\","), "{text}");
    assert!(text.contains(",\"2 tumor masks, 1 components: tumors touch\nor overlap\","));
    assert!(text.ends_with(",'-slice gap; @odd,,,,\r\n"), "{text}");
}

#[test]
fn patients_rows_name_the_study() {
    let mut p = report_of(ircad_like());
    p.stats.patient = "P7@2021-03-15".to_owned();
    p.study = tumorscope_report::StudyRef {
        patient: "P7".into(),
        uid: "1.2.3".into(),
        date: "2021-03-15".into(),
        description: "CT, follow-up".into(),
    };
    let rows = lines(patients_csv(&[p]));
    assert!(rows[1].starts_with("P7@2021-03-15,"), "{}", rows[1]);
    assert!(
        rows[1].ends_with(",P7,1.2.3,2021-03-15,\"CT, follow-up\""),
        "{}",
        rows[1]
    );
}

#[test]
fn patients_header_without_patients() {
    assert_eq!(
        String::from_utf8(patients_csv(&[])).unwrap(),
        format!("{PATIENT_HEADER}\r\n")
    );
    assert_eq!(lines(tumors_csv(&[])).len(), 1);
}

#[test]
fn tumors_header_covers_every_field() {
    let rows = lines(tumors_csv(&cohort_patients()));
    let header: Vec<&str> = rows[0].split(',').collect();
    // Every TumorStats field (as serialized) appears: scalars by name, arrays per axis.
    let json = serde_json::to_value(tumor(1, 1.0, "x")).unwrap();
    for (key, value) in json.as_object().unwrap() {
        // Per-vessel details (nearest points, contact) stay in the JSON; the CSV has the
        // distances and the closest vessel. So do the RECIST axes' end points (for drawing; the
        // tables have the axes' lengths and slice).
        if ["vessels", "axial_long_axis_ijk", "axial_short_axis_ijk"].contains(&key.as_str()) {
            continue;
        }
        let expected: Vec<String> = match value {
            serde_json::Value::Array(a) if key != "sources" => {
                let axes = if key.ends_with("_mm") {
                    ["x", "y", "z"]
                } else {
                    ["i", "j", "k"]
                };
                assert_eq!(a.len(), 3);
                axes.iter().map(|axis| format!("{key}_{axis}")).collect()
            }
            _ => vec![key.clone()],
        };
        for column in expected {
            assert!(header.contains(&column.as_str()), "missing `{column}`");
        }
    }
    assert_eq!(header[..2], ["patient", "id"]);
    assert_eq!(header.last(), Some(&"vessel_distances_mm"));
    assert_eq!(header.len(), 38);
}

#[test]
fn tumors_exact_row() {
    let rows = lines(tumors_csv(&cohort_patients()));
    // Two tumors of the first patient, one of the second, none of the third.
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[2],
        "3Dircadb1.17,2,2000,14.0349,21,-20.25,100,1.5,2.5,7,1,2,3,11,12,13,20.125,17.5,10,52,30,\
         2500.5,12000.25,0.8125,57.25,12.75,-40,160,30.5,58,80.5,livertumor2,100,true,\
         portalvein,5,true,portalvein=5;artery=30"
    );
    assert!(rows[3].starts_with("<script>x</script>,1,1000,2.5,"));
    assert!(
        rows[3].ends_with(",tumor,,true,portalvein,2.5,true,portalvein=2.5;artery=30"),
        "no liver: empty overlap: {}",
        rows[3]
    );
}

#[test]
fn tumor_sources_join_and_guard() {
    let mut p = report_of(ircad_like());
    p.stats.tumors[0].sources = vec!["=cmd".to_owned(), "livertumor2".to_owned()];
    let rows = lines(tumors_csv(&[p]));
    assert!(rows[1].contains(",'=cmd;livertumor2,"), "{}", rows[1]);
}
