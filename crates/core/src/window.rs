//! CT windowing: named presets with their sources and the DICOM linear VOI LUT.

use serde::{Deserialize, Serialize};

/// A display window in Hounsfield units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// Window width (W), at least 1.
    pub width: f64,
    /// Window centre or level (L).
    pub center: f64,
}

/// A named window preset and where its values come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowPreset {
    pub name: &'static str,
    pub window: Window,
    /// Other names users type for the same values.
    pub aliases: &'static [&'static str],
    pub source: &'static str,
}

const fn preset(
    name: &'static str,
    width: f64,
    center: f64,
    aliases: &'static [&'static str],
    source: &'static str,
) -> WindowPreset {
    WindowPreset {
        name,
        window: Window { width, center },
        aliases,
        source,
    }
}

const RADIOPAEDIA: &str = "Radiopaedia, Windowing (CT)";
const SLICER: &str = "3D Slicer volume display presets";
const OHIF: &str = "OHIF viewer window/level presets";

/// Presets: Radiopaedia's values are the defaults; Slicer's and OHIF's differ and are kept
/// under their own names (`slicer-abdomen`, `ohif-liver` …).
pub const WINDOW_PRESETS: &[WindowPreset] = &[
    preset("brain", 80.0, 40.0, &[], RADIOPAEDIA),
    preset("subdural", 200.0, 75.0, &[], RADIOPAEDIA),
    preset("stroke", 8.0, 32.0, &[], RADIOPAEDIA),
    preset(
        "temporal-bone",
        2800.0,
        600.0,
        &["temporal", "temporalbone"],
        RADIOPAEDIA,
    ),
    preset("lung", 1500.0, -600.0, &["lungs", "ohif-lung"], RADIOPAEDIA),
    preset("mediastinum", 350.0, 50.0, &["mediastinal"], RADIOPAEDIA),
    preset(
        "abdomen",
        400.0,
        50.0,
        &["soft-tissue", "softtissue", "abdominal"],
        RADIOPAEDIA,
    ),
    preset("liver", 150.0, 30.0, &[], RADIOPAEDIA),
    preset("bone", 1800.0, 400.0, &[], RADIOPAEDIA),
    preset("slicer-abdomen", 350.0, 40.0, &["ct-abdomen"], SLICER),
    preset("slicer-brain", 100.0, 50.0, &["ct-brain"], SLICER),
    preset("slicer-bone", 1000.0, 400.0, &["ct-bone"], SLICER),
    preset("slicer-lung", 1400.0, -500.0, &["ct-lung"], SLICER),
    preset("ohif-soft-tissue", 400.0, 40.0, &[], OHIF),
    preset("ohif-liver", 150.0, 90.0, &[], OHIF),
    preset("ohif-bone", 2500.0, 480.0, &[], OHIF),
    preset("ohif-brain", 80.0, 40.0, &[], OHIF),
];

/// Why a window specification was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WindowError {
    #[error("unknown window `{0}`\nhint: use a preset ({1}) or `WIDTH/LEVEL` such as `150/30`")]
    Unknown(String, String),
    #[error("window width must be at least 1, found `{0}`")]
    Width(f64),
}

impl Window {
    /// A window from width and centre; widths below 1 are refused as DICOM requires.
    pub fn new(width: f64, center: f64) -> Result<Self, WindowError> {
        if width.is_nan() || width < 1.0 || !center.is_finite() {
            return Err(WindowError::Width(width));
        }
        Ok(Self { width, center })
    }

    /// Parses a preset name or alias (case-insensitive) or `WIDTH/LEVEL`.
    pub fn parse(spec: &str) -> Result<Self, WindowError> {
        if let Some(p) = preset_named(spec) {
            return Ok(p.window);
        }
        if let Some((w, l)) = spec.split_once('/') {
            if let (Ok(w), Ok(l)) = (w.trim().parse::<f64>(), l.trim().parse::<f64>()) {
                return Self::new(w, l);
            }
        }
        let names: Vec<&str> = WINDOW_PRESETS.iter().map(|p| p.name).collect();
        Err(WindowError::Unknown(spec.to_owned(), names.join(", ")))
    }

    /// Window Center/Width as stored in a file, used only when valid (3D-IRCADb stores 0/0).
    pub fn from_file(width: Option<f64>, center: Option<f64>) -> Option<Self> {
        Self::new(width?, center?).ok()
    }

    /// The DICOM linear VOI LUT (PS3.3 C.11.2.1.2.1) mapping `x` to `0.0 ..= y_max`:
    /// below `c − 0.5 − (w − 1)/2` gives 0, above `c − 0.5 + (w − 1)/2` gives `y_max`, and in
    /// between `((x − (c − 0.5)) / (w − 1) + 0.5) × y_max`.
    pub fn voi_linear(&self, x: f64, y_max: f64) -> f64 {
        let (c, w) = (self.center, self.width);
        if x <= c - 0.5 - (w - 1.0) / 2.0 {
            0.0
        } else if x > c - 0.5 + (w - 1.0) / 2.0 {
            y_max
        } else if w <= 1.0 {
            // w = 1 leaves no interior: every value is either at or below, or above.
            y_max
        } else {
            ((x - (c - 0.5)) / (w - 1.0) + 0.5) * y_max
        }
    }

    /// The VOI LUT to 8-bit grey, rounded to nearest.
    #[inline]
    pub fn to_u8(&self, hu: f64) -> u8 {
        self.voi_linear(hu, 255.0).round().clamp(0.0, 255.0) as u8
    }

    /// A 65 536-entry table from every `i16` HU value to its 8-bit grey level.
    pub fn lut_i16(&self) -> Vec<u8> {
        (i16::MIN as i32..=i16::MAX as i32)
            .map(|hu| self.to_u8(hu as f64))
            .collect()
    }
}

/// The preset called `name`, matching names and aliases case-insensitively.
pub fn preset_named(name: &str) -> Option<&'static WindowPreset> {
    let name = name.trim().to_ascii_lowercase();
    WINDOW_PRESETS
        .iter()
        .find(|p| p.name == name || p.aliases.iter().any(|a| *a == name))
}

/// A preset name or `WIDTH/LEVEL`, as [`Window::parse`].
impl std::str::FromStr for Window {
    type Err = WindowError;
    fn from_str(s: &str) -> Result<Self, WindowError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voi_edges_follow_ps3_3() {
        let w = Window::new(150.0, 30.0).unwrap();
        // Lower edge: c - 0.5 - (w-1)/2 = 30 - 0.5 - 74.5 = -45.
        assert_eq!(w.voi_linear(-45.0, 255.0), 0.0);
        assert!(w.voi_linear(-44.999, 255.0) > 0.0);
        // Upper edge: c - 0.5 + (w-1)/2 = 104.
        assert_eq!(
            w.voi_linear(104.0, 255.0),
            255.0 * ((104.0 - 29.5) / 149.0 + 0.5)
        );
        assert_eq!(w.voi_linear(104.0001, 255.0), 255.0);
        // Centre maps to the middle of the output range (shifted by half a step, as defined).
        assert!((w.voi_linear(29.5, 255.0) - 127.5).abs() < 1e-12);
        assert_eq!(w.to_u8(-1000.0), 0);
        assert_eq!(w.to_u8(1000.0), 255);
    }

    #[test]
    fn width_one_is_a_threshold() {
        let w = Window::new(1.0, 0.0).unwrap();
        assert_eq!(w.voi_linear(-0.5, 1.0), 0.0);
        assert_eq!(w.voi_linear(-0.49, 1.0), 1.0);
    }

    #[test]
    fn parses_presets_aliases_and_numbers() {
        assert_eq!(
            Window::parse("liver").unwrap(),
            Window {
                width: 150.0,
                center: 30.0
            }
        );
        assert_eq!(
            Window::parse("Soft-Tissue").unwrap(),
            Window {
                width: 400.0,
                center: 50.0
            }
        );
        assert_eq!(
            Window::parse("1500/-600").unwrap(),
            Window {
                width: 1500.0,
                center: -600.0
            }
        );
        assert!(matches!(
            Window::parse("nope"),
            Err(WindowError::Unknown(..))
        ));
        assert!(matches!(Window::parse("0/40"), Err(WindowError::Width(_))));
        assert_eq!(Window::from_file(Some(0.0), Some(0.0)), None);
    }

    #[test]
    fn lut_matches_formula() {
        let w = Window::parse("abdomen").unwrap();
        let lut = w.lut_i16();
        for hu in [-1024i16, -150, 0, 49, 50, 250, 3000] {
            assert_eq!(
                lut[(hu as i32 - i16::MIN as i32) as usize],
                w.to_u8(hu as f64)
            );
        }
    }
}
