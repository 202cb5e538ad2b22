//! The cohort summary table: counts, then count, volume and burden distributions.

use std::fmt::{self, Write};

use tumorscope_analysis::{CohortStats, Summary};

use crate::format::two;

/// Writes the cohort counts and the distribution table.
pub(crate) fn cohort_tables(out: &mut String, cohort: &CohortStats) -> fmt::Result {
    write!(
        out,
        r#"<dl class="facts"><dt>patients</dt><dd>{}</dd><dt>patients with tumors</dt><dd>{}</dd><dt>lesions</dt><dd>{}</dd></dl>"#,
        cohort.patients, cohort.patients_with_tumors, cohort.lesions
    )?;
    out.push_str(concat!(
        r#"<div class="table-scroll"><table class="summary"><thead><tr><th>per patient</th>"#,
        r#"<th class="num">n</th><th class="num">mean</th><th class="num">sd</th>"#,
        r#"<th class="num">median</th><th class="num">IQR</th><th class="num">q1–q3</th>"#,
        r#"<th class="num">min</th><th class="num">max</th></tr></thead><tbody>"#,
    ));
    summary_row(out, "tumor count", cohort.tumor_count.as_ref())?;
    summary_row(out, "tumor volume (mL)", cohort.tumor_volume_ml.as_ref())?;
    summary_row(out, "tumor burden (%)", cohort.tumor_burden_pct.as_ref())?;
    out.push_str("</tbody></table></div>\n");
    Ok(())
}

fn summary_row(out: &mut String, name: &str, summary: Option<&Summary>) -> fmt::Result {
    write!(out, "<tr><th>{name}</th>")?;
    match summary {
        Some(s) => write!(
            out,
            concat!(
                r#"<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>"#,
                r#"<td class="num">{}</td><td class="num">{}</td><td class="num">{}–{}</td>"#,
                r#"<td class="num">{}</td><td class="num">{}</td></tr>"#
            ),
            s.n,
            two(s.mean),
            s.sd.map_or_else(|| "n/a".to_owned(), two),
            two(s.median),
            two(s.iqr),
            two(s.q1),
            two(s.q3),
            two(s.min),
            two(s.max),
        ),
        None => {
            // No patient has the value (no liver masks, or an empty cohort).
            out.push_str(
                r#"<td class="num">0</td><td class="num muted" colspan="7">no data</td></tr>"#,
            );
            Ok(())
        }
    }
}
