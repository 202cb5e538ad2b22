//! The per-patient parts of the page: the overview table and one section per patient (facts,
//! warnings, organ volumes, tumor table, thumbnails).

use std::fmt::{self, Write};

use tumorscope_analysis::{PatientStats, TumorStats};
use tumorscope_core::StructureRole;

use crate::base64;
use crate::format::{escape, escape_into, hu, two, two_or_na};
use crate::tables::inclusion_text;
use crate::PatientReport;

/// The overview table, one row per patient, each linking to its section `#p-<n>`.
pub(crate) fn patients_table(out: &mut String, patients: &[PatientLine]) -> fmt::Result {
    if patients.is_empty() {
        out.push_str("<p class=\"muted\">no patient was analysed</p>\n");
        return Ok(());
    }
    out.push_str(concat!(
        r#"<div class="table-scroll"><table class="patients"><thead><tr><th>patient</th>"#,
        r#"<th class="num">tumors</th><th class="num">tumors (mL)</th>"#,
        r#"<th class="num">liver (mL)</th><th class="num">burden (%)</th>"#,
        r#"<th>largest by volume</th><th>by diameter</th>"#,
        r#"<th class="num">RECIST sum (mm)</th><th>note</th></tr></thead><tbody>"#,
        "\n"
    ));
    for (index, s) in patients.iter().enumerate() {
        write!(
            out,
            concat!(
                r##"<tr><td><a href="#p-{}">{}</a></td><td class="num">{}</td>"##,
                r#"<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>"#,
                r#"<td class="nowrap">{}</td><td class="nowrap">{}</td><td class="num">{}</td><td>{}</td></tr>"#,
                "\n"
            ),
            index + 1,
            escape(&s.patient),
            s.tumor_count,
            two(s.tumor_volume_ml),
            two_or_na(s.liver_volume_ml),
            two_or_na(s.tumor_burden_pct),
            s.largest_by_volume,
            s.largest_by_diameter,
            s.recist_sum,
            s.note.as_deref().map(escape).unwrap_or_default(),
        )?;
    }
    out.push_str("</tbody></table></div>\n");
    Ok(())
}

/// What the overview (the patients table and the cohort charts) shows of one patient: a few
/// numbers and texts, so a page can be written without holding every patient's results.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientLine {
    pub(crate) patient: String,
    pub(crate) tumor_count: usize,
    pub(crate) tumor_volume_ml: f64,
    pub(crate) liver_volume_ml: Option<f64>,
    pub(crate) tumor_burden_pct: Option<f64>,
    pub(crate) largest_by_volume: String,
    pub(crate) largest_by_diameter: String,
    pub(crate) recist_sum: String,
    pub(crate) note: Option<String>,
}

impl PatientLine {
    pub fn of(s: &PatientStats) -> Self {
        PatientLine {
            patient: s.patient.clone(),
            tumor_count: s.tumor_count,
            tumor_volume_ml: s.tumor_volume_ml,
            liver_volume_ml: s.liver_volume_ml,
            tumor_burden_pct: s.tumor_burden_pct,
            largest_by_volume: largest(s, s.largest_tumor_by_volume, |t| {
                format!("{} mL", two(t.volume_ml))
            }),
            largest_by_diameter: largest(s, s.largest_tumor_by_diameter, |t| {
                format!("{} mm", two(t.max_diameter_mm))
            }),
            recist_sum: recist_sum(s),
            note: s.note.clone(),
        }
    }
}

/// `#2 (12.34 mL)` for the tumor `id`, empty without one.
fn largest(s: &PatientStats, id: Option<u32>, measure: impl Fn(&TumorStats) -> String) -> String {
    match id.and_then(|id| s.tumors.iter().find(|t| t.id == id)) {
        Some(t) => format!("#{} ({})", t.id, measure(t)),
        None => String::new(),
    }
}

/// The RECIST sum, or a dash when no tumor is measurable.
fn recist_sum(s: &PatientStats) -> String {
    if s.recist.targets.is_empty() {
        "–".to_owned()
    } else {
        two(s.recist.sum_of_diameters_mm)
    }
}

/// One patient's section, `id="p-<number>"` (1-based, as in the overview table).
pub(crate) fn patient_section(out: &mut String, number: usize, p: &PatientReport) -> fmt::Result {
    let s = &p.stats;
    write!(
        out,
        r##"<section class="patient" id="p-{number}"><h3>{}</h3><p class="source">{}</p>"##,
        escape(&s.patient),
        escape(&p.source)
    )?;
    let study = format!("{} {}", p.study.date, p.study.description);
    if !study.trim().is_empty() {
        write!(
            out,
            r#"<p class="source">study {}</p>"#,
            escape(study.trim())
        )?;
    }
    facts(out, s)?;
    if let Some(note) = &s.note {
        write!(out, "<p><strong>note:</strong> {}</p>", escape(note))?;
    }
    if !p.warnings.is_empty() {
        out.push_str(r#"<ul class="warnings">"#);
        for w in &p.warnings {
            write!(out, "<li>{}</li>", escape(w))?;
        }
        out.push_str("</ul>");
    }
    organs_table(out, s)?;
    tumors_table(out, s)?;
    thumbnails(out, p)?;
    out.push_str(
        "<p class=\"top\"><a href=\"#patients\">back to the patient table</a></p></section>\n",
    );
    Ok(())
}

fn facts(out: &mut String, s: &PatientStats) -> fmt::Result {
    let inclusion = match s.liver_mask_includes_tumors {
        Some(i) => inclusion_text(i),
        None => "n/a",
    };
    let targets = if s.recist.targets.is_empty() {
        format!(
            "none measurable (long axis ≥ {} mm)",
            two(s.recist.measurable_min_mm)
        )
    } else {
        let ids: Vec<String> = s.recist.targets.iter().map(|id| format!("#{id}")).collect();
        format!(
            "{}, sum of long axes {} mm (measurable from {} mm)",
            ids.join(", "),
            two(s.recist.sum_of_diameters_mm),
            two(s.recist.measurable_min_mm)
        )
    };
    let [sx, sy, sz] = s.spacing_mm;
    write!(
        out,
        concat!(
            r#"<dl class="facts"><dt>tumors</dt><dd>{}</dd><dt>tumor volume</dt><dd>{} mL</dd>"#,
            r#"<dt>liver volume</dt><dd>{}</dd><dt>tumor burden</dt><dd>{}</dd>"#,
            r#"<dt>liver mask includes tumors</dt><dd>{}</dd><dt>RECIST targets</dt><dd>{}</dd>"#,
            r#"<dt>tumor masks with voxels</dt><dd>{}</dd><dt>small components dropped</dt><dd>{}</dd>"#,
            r#"<dt>connectivity</dt><dd>{}</dd><dt>voxel spacing</dt><dd>{:.3} × {:.3} × {:.3} mm</dd></dl>"#
        ),
        s.tumor_count,
        two(s.tumor_volume_ml),
        s.liver_volume_ml.map_or_else(
            || "n/a (no liver mask)".to_owned(),
            |v| format!("{} mL", two(v))
        ),
        s.tumor_burden_pct
            .map_or_else(|| "n/a".to_owned(), |v| format!("{} %", two(v))),
        inclusion,
        targets,
        s.tumor_structures,
        s.dropped_small,
        u8::from(s.connectivity),
        sx,
        sy,
        sz
    )
}

fn organs_table(out: &mut String, s: &PatientStats) -> fmt::Result {
    if s.organs.is_empty() {
        out.push_str("<p class=\"muted\">no structure masks</p>");
        return Ok(());
    }
    out.push_str(concat!(
        r#"<h4>structures</h4><div class="table-scroll"><table class="organs"><thead><tr>"#,
        r#"<th>structure</th><th>role</th><th class="num">voxels</th><th class="num">volume (mL)</th>"#,
        r#"</tr></thead><tbody>"#
    ));
    for o in &s.organs {
        // The role's JSON spelling, as users see it elsewhere.
        let role = match o.role {
            StructureRole::Liver => "liver",
            StructureRole::Tumor => "tumor",
            StructureRole::Cyst => "cyst",
            StructureRole::Vessel => "vessel",
            StructureRole::Other => "other",
        };
        write!(
            out,
            r#"<tr><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            escape(&o.name),
            role,
            o.voxels,
            two(o.volume_ml)
        )?;
    }
    out.push_str("</tbody></table></div>");
    Ok(())
}

fn tumors_table(out: &mut String, s: &PatientStats) -> fmt::Result {
    if s.tumors.is_empty() {
        out.push_str("<p class=\"muted\">no tumors</p>");
        return Ok(());
    }
    out.push_str(concat!(
        r#"<h4>tumors</h4><div class="table-scroll"><table class="tumors"><thead><tr>"#,
        r#"<th class="num">id</th><th class="num">volume (mL)</th><th class="num">max diameter (mm)</th>"#,
        r#"<th class="num">long axis (mm)</th><th class="num">short axis (mm)</th>"#,
        r#"<th class="num">slice k</th><th class="num">HU mean ± sd</th><th class="num">sphericity</th>"#,
        r#"<th>sources</th><th class="num">in liver (%)</th><th>RECIST</th>"#,
        r#"<th>closest vessel (mm)</th>"#,
        r#"</tr></thead><tbody>"#
    ));
    for t in &s.tumors {
        let target = if s.recist.targets.contains(&t.id) {
            "target"
        } else {
            ""
        };
        write!(
            out,
            concat!(
                r#"<tr><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>"#,
                r#"<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>"#,
                r#"<td class="num">{} ± {}</td><td class="num">{}</td><td>{}</td>"#,
                r#"<td class="num">{}</td><td>{}</td><td>{}</td></tr>"#
            ),
            t.id,
            two(t.volume_ml),
            two(t.max_diameter_mm),
            two(t.axial_diameter_mm),
            two(t.axial_short_axis_mm),
            t.axial_slice_k,
            hu(t.hu_mean),
            hu(t.hu_std),
            two(t.sphericity),
            escape(&t.sources.join(", ")),
            two_or_na(t.liver_overlap_pct),
            target,
            closest_vessel(t, s.vessel_margin_mm)
        )?;
    }
    out.push_str("</tbody></table></div>");
    Ok(())
}

/// `portalvein 3.20 ⚠` (flagged under the margin), `n/a` without vessel structures.
fn closest_vessel(t: &tumorscope_analysis::TumorStats, margin_mm: f64) -> String {
    match (&t.closest_vessel, t.closest_vessel_mm) {
        (Some(name), Some(mm)) => {
            let flag = if t.near_vessel == Some(true) {
                format!(
                    r#" <span class="flag" title="closer than {} mm">⚠ &lt; {} mm</span>"#,
                    two(margin_mm),
                    two(margin_mm)
                )
            } else {
                String::new()
            };
            format!("{} {}{flag}", escape(name), two(mm))
        }
        _ => "n/a".to_owned(),
    }
}

/// The thumbnails as `data:` URIs, captioned with what they show.
fn thumbnails(out: &mut String, p: &PatientReport) -> fmt::Result {
    if p.thumbnails.is_empty() {
        return Ok(());
    }
    out.push_str(r#"<h4>tumor thumbnails</h4><div class="thumbs">"#);
    for (id, png) in &p.thumbnails {
        let tumor = p.stats.tumors.iter().find(|t| t.id == *id);
        out.push_str(r#"<figure><img src="data:image/png;base64,"#);
        base64::encode_into(png, out);
        out.push_str(r#"" alt="axial slice of tumor "#);
        write!(out, "{id} of ")?;
        escape_into(out, &p.stats.patient);
        write!(out, r#""><figcaption>tumor #{id}"#)?;
        if let Some(t) = tumor {
            write!(
                out,
                ": slice k = {}, long axis {} mm, short axis {} mm, {} mL",
                t.axial_slice_k,
                two(t.axial_diameter_mm),
                two(t.axial_short_axis_mm),
                two(t.volume_ml)
            )?;
        }
        out.push_str("</figcaption></figure>");
    }
    out.push_str("</div>");
    Ok(())
}
