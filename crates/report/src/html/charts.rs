//! The three cohort charts as inline SVG figures: tumor burden per patient, lesion size
//! histogram, liver volume against tumor volume.

use std::fmt::{self, Write};

use tumorscope_analysis::VolumeBin;

use super::axis::Axis;
use super::svg::{self, Plot};
use super::PatientLine;
use crate::format::{escape, two};

/// Width of one patient's band in the burden chart; the chart grows with the cohort (and
/// scrolls sideways on screen) rather than squeezing labels together.
const BAND_PX: f64 = 22.0;
/// Smallest plot width of any chart.
const MIN_PLOT_PX: f64 = 640.0;
/// Widest bar, so that a small cohort does not draw slabs.
const MAX_BAR_PX: f64 = 48.0;
/// Room under category charts for rotated labels.
const CATEGORY_BOTTOM_PX: f64 = 110.0;
/// Room under the scatter plot for numeric ticks.
const NUMERIC_BOTTOM_PX: f64 = 48.0;

/// Bar chart of tumor burden (%) per patient, in report order; each bar links to the patient.
pub(crate) fn burden_chart(out: &mut String, patients: &[PatientLine]) -> fmt::Result {
    let n = patients.len();
    let plot = Plot::new((n as f64 * BAND_PX).max(MIN_PLOT_PX), CATEGORY_BOTTOM_PX);
    let max = patients
        .iter()
        .filter_map(|p| p.tumor_burden_pct)
        .fold(0.0, f64::max);
    let axis = Axis::covering(max, false);
    let without_liver = patients
        .iter()
        .filter(|p| p.tumor_burden_pct.is_none())
        .count();

    out.push_str(r#"<figure id="chart-burden"><div class="scroll">"#);
    svg::open(out, &plot, "wide", "tumor burden per patient")?;
    svg::y_grid(out, &plot, &axis, "tumor burden (%)")?;
    let band = plot.width / n.max(1) as f64;
    let bar = (band * 0.7).min(MAX_BAR_PX);
    for (index, p) in patients.iter().enumerate() {
        let s = p;
        let x = plot.left + band * index as f64;
        let centre = x + band / 2.0;
        write!(out, r##"<a href="#p-{}">"##, index + 1)?;
        match s.tumor_burden_pct {
            Some(pct) => {
                let y = plot.y(&axis, pct);
                write!(
                    out,
                    r#"<rect class="bar" x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}"><title>{}: {} %</title></rect>"#,
                    centre - bar / 2.0,
                    bar,
                    plot.bottom_y() - y,
                    escape(&s.patient),
                    two(pct)
                )?;
            }
            None => write!(
                out,
                r#"<text class="na" x="{centre:.1}" y="{:.1}" text-anchor="middle">n/a<title>{}: no liver mask</title></text>"#,
                plot.bottom_y() - 4.0,
                escape(&s.patient)
            )?,
        }
        svg::category_label(out, &plot, centre + 4.0, &s.patient)?;
        out.push_str("</a>");
    }
    if n == 0 {
        svg::empty_message(out, &plot, "no patients")?;
    }
    svg::axis_lines(out, &plot)?;
    svg::x_title(out, &plot, "patient")?;
    out.push_str("</svg></div><figcaption>Tumor burden per patient");
    if without_liver > 0 {
        write!(out, " ({without_liver} without a liver mask, marked n/a)")?;
    }
    out.push_str(".</figcaption></figure>\n");
    Ok(())
}

/// Histogram of lesion volumes over the cohort, one bar per bin of `lesion_volumes_ml`.
pub(crate) fn lesion_histogram(out: &mut String, bins: &[VolumeBin]) -> fmt::Result {
    let plot = Plot::new(MIN_PLOT_PX, CATEGORY_BOTTOM_PX - 30.0);
    let total: usize = bins.iter().map(|b| b.count).sum();
    let max = bins.iter().map(|b| b.count).max().unwrap_or(0);
    let axis = Axis::covering(max as f64, true);

    out.push_str(r#"<figure id="chart-lesions">"#);
    svg::open(out, &plot, "narrow", "lesion volume histogram")?;
    svg::y_grid(out, &plot, &axis, "lesions")?;
    let band = plot.width / bins.len().max(1) as f64;
    let bar = (band * 0.8).min(2.0 * MAX_BAR_PX);
    for (index, bin) in bins.iter().enumerate() {
        let x = plot.left + band * index as f64;
        let y = plot.y(&axis, bin.count as f64);
        let range = match bin.max_ml {
            Some(max) => format!("{} to {} mL", bin.min_ml, max),
            None => format!("{} mL or more", bin.min_ml),
        };
        write!(
            out,
            r#"<rect class="bar" x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}"><title>{}: {}</title></rect>"#,
            x + (band - bar) / 2.0,
            bar,
            plot.bottom_y() - y,
            escape(&range),
            lesions(bin.count)
        )?;
        if bin.count > 0 {
            write!(
                out,
                r#"<text class="value" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x + band / 2.0,
                y - 4.0,
                bin.count
            )?;
        }
        svg::category_label(out, &plot, x + band / 2.0 + 4.0, &bin.label)?;
    }
    if total == 0 {
        svg::empty_message(out, &plot, "no tumors in this cohort")?;
    }
    svg::axis_lines(out, &plot)?;
    svg::x_title(out, &plot, "lesion volume (mL)")?;
    writeln!(
        out,
        "</svg><figcaption>Lesion volumes ({}; a bin holds volumes from its lower \
         edge up to, not including, its upper edge).</figcaption></figure>",
        lesions(total)
    )
}

/// `1 lesion`, `2 lesions`.
fn lesions(n: usize) -> String {
    format!("{n} lesion{}", if n == 1 { "" } else { "s" })
}

/// Scatter plot of liver volume (x) against tumor volume (y), one dot per patient with a liver
/// mask; each dot names its patient in a tooltip and links to the patient.
pub(crate) fn volume_scatter(out: &mut String, patients: &[PatientLine]) -> fmt::Result {
    let plot = Plot::new(MIN_PLOT_PX, NUMERIC_BOTTOM_PX);
    let points: Vec<(usize, &PatientLine, f64)> = patients
        .iter()
        .enumerate()
        .filter_map(|(n, p)| p.liver_volume_ml.map(|liver| (n, p, liver)))
        .collect();
    let x_axis = Axis::covering(points.iter().map(|p| p.2).fold(0.0, f64::max), false);
    let y_axis = Axis::covering(
        points
            .iter()
            .map(|p| p.1.tumor_volume_ml)
            .fold(0.0, f64::max),
        false,
    );

    out.push_str(r#"<figure id="chart-volumes">"#);
    svg::open(out, &plot, "narrow", "liver volume against tumor volume")?;
    svg::x_grid(out, &plot, &x_axis)?;
    svg::y_grid(out, &plot, &y_axis, "tumor volume (mL)")?;
    for (index, p, liver) in &points {
        let s = p;
        write!(
            out,
            r##"<a href="#p-{}"><circle class="dot" cx="{:.1}" cy="{:.1}" r="5"><title>{}: liver {} mL, tumors {} mL</title></circle></a>"##,
            index + 1,
            plot.x(&x_axis, *liver),
            plot.y(&y_axis, s.tumor_volume_ml),
            escape(&s.patient),
            two(*liver),
            two(s.tumor_volume_ml)
        )?;
    }
    if points.is_empty() {
        svg::empty_message(out, &plot, "no patient has a liver mask")?;
    }
    svg::axis_lines(out, &plot)?;
    svg::x_title(out, &plot, "liver volume (mL)")?;
    out.push_str("</svg><figcaption>Liver volume against tumor volume, one dot per patient");
    let hidden = patients.len() - points.len();
    if hidden > 0 {
        write!(out, " ({hidden} without a liver mask not shown)")?;
    }
    out.push_str(".</figcaption></figure>\n");
    Ok(())
}
