//! Drawing pieces shared by the inline SVG charts: the plot area, gridlines with tick labels,
//! axis titles and the message shown when there is nothing to plot.

use std::fmt::{self, Write};

use super::axis::Axis;
use crate::format::{escape, fixed};

/// Room left of the plot for the y tick labels and title.
const LEFT: f64 = 70.0;
const TOP: f64 = 16.0;
const RIGHT: f64 = 24.0;
/// Height of the plot area.
const PLOT_HEIGHT: f64 = 240.0;

/// The plot area of one chart, in SVG user units (CSS pixels at full size).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    /// Room below the plot for x tick labels and the x title.
    pub bottom: f64,
}

impl Plot {
    pub(crate) fn new(width: f64, bottom: f64) -> Self {
        Self {
            left: LEFT,
            top: TOP,
            width,
            height: PLOT_HEIGHT,
            bottom,
        }
    }

    pub(crate) fn svg_width(&self) -> f64 {
        self.left + self.width + RIGHT
    }

    pub(crate) fn svg_height(&self) -> f64 {
        self.top + self.height + self.bottom
    }

    /// The y pixel of `value` on `axis` (0 at the bottom of the plot).
    pub(crate) fn y(&self, axis: &Axis, value: f64) -> f64 {
        self.top + self.height * (1.0 - axis.fraction(value))
    }

    /// The x pixel of `value` on `axis` (0 at the left of the plot).
    pub(crate) fn x(&self, axis: &Axis, value: f64) -> f64 {
        self.left + self.width * axis.fraction(value)
    }

    pub(crate) fn bottom_y(&self) -> f64 {
        self.top + self.height
    }
}

/// Opens the `<svg>` element; `label` (plain text) names the chart for screen readers.
pub(crate) fn open(out: &mut String, plot: &Plot, class: &str, label: &str) -> fmt::Result {
    let (w, h) = (plot.svg_width(), plot.svg_height());
    write!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-label="{}">"#,
        escape(label)
    )
}

/// Horizontal gridlines with their tick labels, and the rotated y-axis title.
pub(crate) fn y_grid(out: &mut String, plot: &Plot, axis: &Axis, title: &str) -> fmt::Result {
    out.push_str(r#"<g class="grid">"#);
    for t in axis.ticks() {
        let y = plot.y(axis, t);
        write!(
            out,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            plot.left,
            plot.left + plot.width,
            plot.left - 6.0,
            y + 4.0,
            fixed(t, axis.decimals)
        )?;
    }
    let cy = plot.top + plot.height / 2.0;
    write!(
        out,
        r#"<text class="axis-title" transform="translate(16 {cy:.1}) rotate(-90)" text-anchor="middle">{}</text></g>"#,
        escape(title)
    )
}

/// Vertical gridlines with their tick labels (numeric x axes).
pub(crate) fn x_grid(out: &mut String, plot: &Plot, axis: &Axis) -> fmt::Result {
    out.push_str(r#"<g class="grid">"#);
    for t in axis.ticks() {
        let x = plot.x(axis, t);
        write!(
            out,
            r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            plot.top,
            plot.bottom_y(),
            plot.bottom_y() + 16.0,
            fixed(t, axis.decimals)
        )?;
    }
    out.push_str("</g>");
    Ok(())
}

/// The x-axis title, centred under the plot at the bottom of the chart.
pub(crate) fn x_title(out: &mut String, plot: &Plot, title: &str) -> fmt::Result {
    write!(
        out,
        r#"<text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        plot.left + plot.width / 2.0,
        plot.svg_height() - 8.0,
        escape(title)
    )
}

/// The two axis lines (left and bottom of the plot).
pub(crate) fn axis_lines(out: &mut String, plot: &Plot) -> fmt::Result {
    write!(
        out,
        r#"<path class="axis" d="M{l:.1} {t:.1}V{b:.1}H{r:.1}"/>"#,
        l = plot.left,
        t = plot.top,
        b = plot.bottom_y(),
        r = plot.left + plot.width
    )
}

/// A message in the middle of the plot, for charts without data.
pub(crate) fn empty_message(out: &mut String, plot: &Plot, message: &str) -> fmt::Result {
    write!(
        out,
        r#"<text class="empty" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        plot.left + plot.width / 2.0,
        plot.top + plot.height / 2.0,
        escape(message)
    )
}

/// An x tick label under a category, rotated so that long labels do not overlap.
pub(crate) fn category_label(out: &mut String, plot: &Plot, x: f64, label: &str) -> fmt::Result {
    write!(
        out,
        r#"<text class="tick" transform="translate({x:.1} {:.1}) rotate(-40)" text-anchor="end">{}</text>"#,
        plot.bottom_y() + 12.0,
        escape(&shorten(label, 18))
    )
}

/// `text` cut to `max` characters with an ellipsis (the full text is in the `<title>`).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("3Dircadb1.17", 18), "3Dircadb1.17");
        assert_eq!(shorten("ééééé", 4), "ééé…");
    }

    #[test]
    fn y_maps_axis_to_pixels() {
        let plot = Plot::new(400.0, 80.0);
        let axis = Axis::covering(10.0, false);
        assert_eq!(plot.y(&axis, 0.0), TOP + PLOT_HEIGHT);
        assert_eq!(plot.y(&axis, 10.0), TOP);
        assert_eq!(plot.y(&axis, 5.0), TOP + PLOT_HEIGHT / 2.0);
    }
}
