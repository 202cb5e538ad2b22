//! The HTML page: self-contained, escaped, with three charts, thumbnails as data URIs,
//! deterministic, well nested, and sane without tumors or without a liver.

mod common;

use common::{cohort_of, cohort_patients, provenance, report_of, tumor_free, PNG_1X2_BASE64};
use tumorscope_report::{report_html, PatientReport, Report, ReportError};

fn html_of(patients: &[PatientReport], skipped: &[(String, String)]) -> String {
    let cohort = cohort_of(patients);
    let provenance = provenance();
    let report = Report {
        provenance: &provenance,
        cohort: &cohort,
        patients,
        skipped,
    };
    String::from_utf8(report_html(&report).unwrap()).unwrap()
}

fn full() -> String {
    html_of(
        &cohort_patients(),
        &[("<b>bad</b>.zip".to_owned(), "not a zip archive".to_owned())],
    )
}

/// Every element that is opened is closed, in order (void elements and `/>` aside); text inside
/// `<style>` is skipped. Returns the first problem found.
fn check_nesting(html: &str) -> Result<(), String> {
    const VOID: [&str; 4] = ["meta", "img", "br", "hr"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        if rest.starts_with("<!DOCTYPE") || rest.starts_with("<!--") {
            rest = &rest[rest.find('>').ok_or("unclosed declaration")? + 1..];
            continue;
        }
        let end = rest.find('>').ok_or("unclosed tag")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("`</{name}>` closes `{other:?}`")),
            }
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name.is_empty() {
                return Err(format!("bad tag `<{tag}>`"));
            }
            if tag.ends_with('/') || VOID.contains(&name.as_str()) {
                continue;
            }
            if name == "style" {
                let close = rest.find("</style>").ok_or("unclosed style")?;
                rest = &rest[close + "</style>".len()..];
                continue;
            }
            stack.push(name);
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

#[test]
fn is_one_well_nested_html5_page() {
    let html = full();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</html>\n"));
    assert_eq!(html.matches("<body>").count(), 1);
    check_nesting(&html).unwrap();
}

#[test]
fn references_nothing_outside_the_page() {
    let html = full();
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("@import"));
    assert!(!html.contains("url("));
    // Every src is a data URI, every href an in-page anchor.
    for (n, _) in html.match_indices(" src=\"") {
        assert!(html[n + 6..].starts_with("data:image/png;base64,"));
    }
    for (n, _) in html.match_indices(" href=\"") {
        assert!(html[n + 7..].starts_with('#'), "{}", &html[n..n + 40]);
    }
    assert!(html.contains("Content-Security-Policy"));
}

#[test]
fn has_three_charts_and_the_content() {
    let html = full();
    assert_eq!(html.matches("<svg").count(), 3);
    assert_eq!(html.matches("</svg>").count(), 3);
    for text in [
        "tumorscope 0.1.0",
        "2025-01-02T03:04:05Z",
        "data/3Dircadb1.17.zip",
        "<details><summary>Settings</summary>",
        "&quot;min_volume_ml&quot;: 0.0",
        "100 × tumor volume / liver volume",
        "164.28",
        "1860.00",
        "8.83",
        "57.2 ± 12.8",
        "slice 12 &lt;missing&gt;",
        "not a zip archive",
        "<code>&lt;b&gt;bad&lt;/b&gt;.zip</code>",
        r##"<a href="#p-1">3Dircadb1.17</a>"##,
        r#"id="p-3""#,
        // The scatter dot names its patient.
        "<title>3Dircadb1.17: liver 1860.00 mL, tumors 164.28 mL</title>",
    ] {
        assert!(html.contains(text), "missing `{text}`");
    }
}

#[test]
fn escapes_labels_from_files() {
    let html = full();
    assert!(!html.contains("<script>x</script>"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(html.contains("=HYPERLINK(&quot;x&quot;)"));
}

#[test]
fn embeds_thumbnails_as_data_uris() {
    let html = full();
    assert!(html.contains(&format!(
        "<img src=\"data:image/png;base64,{PNG_1X2_BASE64}\" alt=\"axial slice of tumor 1 of 3Dircadb1.17\">"
    )));
    assert!(
        html.contains("tumor #1: slice k = 51, long axis 35.00 mm, short axis 20.00 mm, 150.25 mL")
    );
}

#[test]
fn rejects_a_thumbnail_that_is_not_png() {
    let mut patients = cohort_patients();
    patients[0].thumbnails.insert(2, b"GIF89a".to_vec());
    let cohort = cohort_of(&patients);
    let provenance = provenance();
    let report = Report {
        provenance: &provenance,
        cohort: &cohort,
        patients: &patients,
        skipped: &[],
    };
    match report_html(&report) {
        Err(e @ ReportError::NotPng { .. }) => assert_eq!(
            e.to_string(),
            "thumbnail of tumor `2` of patient `3Dircadb1.17` is not a PNG image"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn same_input_same_bytes() {
    assert_eq!(full(), full());
}

#[test]
fn cohort_without_tumors() {
    let patients = vec![report_of(tumor_free("a")), report_of(tumor_free("b"))];
    let html = html_of(&patients, &[]);
    check_nesting(&html).unwrap();
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("no tumors in this cohort"));
    assert!(html.contains("<p class=\"muted\">no tumors</p>"));
    assert!(html.contains("nothing was skipped"));
    assert!(!html.contains("NaN") && !html.contains("inf"));
}

#[test]
fn patient_without_liver_and_empty_report() {
    let html = full();
    // The burden bar of the liver-less patient is an n/a marker; it has no scatter dot.
    assert!(html.contains("<title>&lt;script&gt;x&lt;/script&gt;: no liver mask</title>"));
    assert!(html.contains("(1 without a liver mask not shown)"));
    assert!(html.contains("n/a (no liver mask)"));

    let empty = html_of(&[], &[]);
    check_nesting(&empty).unwrap();
    assert_eq!(empty.matches("<svg").count(), 3);
    assert!(empty.contains("no patients") && empty.contains("no patient has a liver mask"));
    assert!(empty.contains("no data"));
}

#[test]
fn nesting_check_finds_mistakes() {
    assert!(check_nesting("<div><p>a</div>").is_err());
    assert!(check_nesting("<div><img src=\"x\"><br></div><svg><path d=\"\"/></svg>").is_ok());
    assert!(check_nesting("<section>").is_err());
}
