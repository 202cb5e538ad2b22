//! Structure overlays: their style, the `--overlay` mini-grammar, and drawing them.
//!
//! Grammar (items separated by `,`, whitespace ignored, case-insensitive):
//!
//! ```text
//! spec   := "" | "none" | item ("," item)*
//! item   := target (":" style)*
//! target := "all"                      every mask of the patient
//!         | "tumors" | "tumours"       every mask with the Tumor role, one red-family colour each
//!         | "cysts"                    every mask with the Cyst role
//!         | NAME                       the mask called NAME
//! style  := "fill" | "outline"         mode (default fill)
//!         | NUMBER | NUMBER "%"        opacity in 0..=1 or 0..=100 % (default 0.4 fill, 1 outline)
//!         | "#" RRGGBB                 colour (default: [`tumorscope_core::default_color`])
//! ```
//!
//! Example: `liver:fill:0.3,tumors:outline,portalvein:#00ff00`. Overlays are drawn in the
//! order given, later ones on top. A group that matches nothing (a patient without tumors)
//! gives no overlay rather than an error; an unknown NAME is an error.

use tumorscope_core::{default_color, structure_colors, LabelMask, PatientImage, StructureRole};

use crate::raster::{alpha_256, blend, RgbImage};
use crate::RenderError;

/// Default opacity of a filled overlay.
pub const DEFAULT_FILL_OPACITY: f32 = 0.4;

/// How a mask is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayMode {
    /// Every pixel inside, alpha-blended with the opacity.
    Fill,
    /// The 1-pixel inner boundary on the display grid (4-neighbourhood; the picture's edge
    /// counts as outside, so a mask cut by the edge gets a closed contour).
    Outline,
}

/// One structure to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlayStyle {
    /// Mask name as in [`PatientImage::masks`] (matched ASCII case-insensitively).
    pub name: String,
    pub color: [u8; 3],
    /// `0.0..=1.0`; `1.0` paints the exact colour.
    pub opacity: f32,
    pub mode: OverlayMode,
}

/// Turns an overlay spec (see the module documentation) into styles for `image`'s masks.
pub fn resolve_overlays(
    image: &PatientImage,
    spec: &str,
) -> Result<Vec<OverlayStyle>, RenderError> {
    let mut out = Vec::new();
    let spec = spec.trim();
    if spec.is_empty() || spec.eq_ignore_ascii_case("none") {
        return Ok(out);
    }
    for item in spec.split(',') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let mut parts = item.split(':').map(str::trim);
        let target = parts.next().unwrap_or_default();
        let style = parse_style(item, parts)?;
        let targets: Vec<&LabelMask> = match target.to_ascii_lowercase().as_str() {
            "all" => image.masks.iter().collect(),
            "tumors" | "tumours" => image.masks_with_role(StructureRole::Tumor).collect(),
            "cysts" => image.masks_with_role(StructureRole::Cyst).collect(),
            _ => match image.mask(target) {
                Some(m) => vec![m],
                None => return Err(unknown_structure(image, target)),
            },
        };
        for mask in targets {
            let mode = style.mode.unwrap_or(OverlayMode::Fill);
            let opacity = style.opacity.unwrap_or(match mode {
                OverlayMode::Fill => DEFAULT_FILL_OPACITY,
                OverlayMode::Outline => 1.0,
            });
            let color = style.color.unwrap_or_else(|| color_for(image, mask));
            out.push(OverlayStyle {
                name: mask.name.clone(),
                color,
                opacity,
                mode,
            });
        }
    }
    Ok(out)
}

/// The default colour of `mask` within `image`: the core palette over the patient's masks.
fn color_for(image: &PatientImage, mask: &LabelMask) -> [u8; 3] {
    let colors = structure_colors(image.masks.iter().map(|m| (m.name.as_str(), m.role)));
    image
        .masks
        .iter()
        .position(|m| m.name == mask.name)
        .map(|n| colors[n])
        .unwrap_or_else(|| default_color(&mask.name, 0))
}

#[derive(Default)]
struct ParsedStyle {
    mode: Option<OverlayMode>,
    opacity: Option<f32>,
    color: Option<[u8; 3]>,
}

fn parse_style<'a>(
    item: &str,
    parts: impl Iterator<Item = &'a str>,
) -> Result<ParsedStyle, RenderError> {
    let bad = |reason: String| RenderError::BadOverlay {
        item: item.to_owned(),
        reason,
    };
    let mut style = ParsedStyle::default();
    for part in parts {
        let lower = part.to_ascii_lowercase();
        if lower == "fill" {
            style.mode = Some(OverlayMode::Fill);
        } else if lower == "outline" {
            style.mode = Some(OverlayMode::Outline);
        } else if let Some(hex) = lower.strip_prefix('#') {
            style.color = Some(
                parse_hex(hex).ok_or_else(|| bad(format!("colour `{part}` is not `#rrggbb`")))?,
            );
        } else {
            let (number, percent) = match lower.strip_suffix('%') {
                Some(n) => (n, true),
                None => (lower.as_str(), false),
            };
            let value: f32 = number.trim().parse().map_err(|_| {
                bad(format!(
                    "`{part}` is not `fill`, `outline`, an opacity or `#rrggbb`"
                ))
            })?;
            let value = if percent { value / 100.0 } else { value };
            if !(0.0..=1.0).contains(&value) {
                return Err(bad(format!("opacity `{part}` is outside 0..1")));
            }
            style.opacity = Some(value);
        }
    }
    Ok(style)
}

fn parse_hex(hex: &str) -> Option<[u8; 3]> {
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let byte = |n: usize| u8::from_str_radix(&hex[n..n + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

pub(crate) fn unknown_structure(image: &PatientImage, name: &str) -> RenderError {
    let names: Vec<String> = image
        .masks
        .iter()
        .map(|m| format!("`{}`", m.name))
        .collect();
    let mut available = if names.is_empty() {
        "no masks".to_owned()
    } else {
        names.join(", ")
    };
    available.push_str(", or `all`, `tumors`, `cysts`");
    RenderError::UnknownStructure {
        patient: image.patient.clone(),
        name: name.to_owned(),
        available,
    }
}

/// The mask each style names, checked against the CT size.
pub(crate) fn masks_for<'a>(
    image: &'a PatientImage,
    overlays: &'a [OverlayStyle],
) -> Result<Vec<(&'a OverlayStyle, &'a LabelMask)>, RenderError> {
    overlays
        .iter()
        .map(|style| {
            let mask = image
                .mask(&style.name)
                .ok_or_else(|| unknown_structure(image, &style.name))?;
            if mask.bits.len() != image.ct.data.len() {
                return Err(RenderError::MaskSize {
                    mask: mask.name.clone(),
                    expected: image.ct.data.len(),
                    found: mask.bits.len(),
                });
            }
            Ok((style, mask))
        })
        .collect()
}

/// Draws one overlay given its 0/1 mask on the display grid (`inside.len() == w·h`).
pub(crate) fn draw_overlay(img: &mut RgbImage, inside: &[u8], style: &OverlayStyle) {
    let alpha = alpha_256(style.opacity);
    let (w, h) = (img.width, img.height);
    let color = style.color;
    for y in 0..h {
        let row = &inside[y * w..(y + 1) * w];
        // Most rows of most structures are empty: skip them with one vectorisable scan.
        if !row.iter().any(|&v| v != 0) {
            continue;
        }
        let up = (y > 0).then(|| &inside[(y - 1) * w..y * w]);
        let down = (y + 1 < h).then(|| &inside[(y + 1) * w..(y + 2) * w]);
        let pixels = &mut img.pixels[y * w * 3..(y + 1) * w * 3];
        for (x, rgb) in pixels.chunks_exact_mut(3).enumerate() {
            if row[x] == 0 {
                continue;
            }
            let draw = match style.mode {
                OverlayMode::Fill => true,
                OverlayMode::Outline => {
                    x == 0
                        || x + 1 == w
                        || row[x - 1] == 0
                        || row[x + 1] == 0
                        || up.is_none_or(|r| r[x] == 0)
                        || down.is_none_or(|r| r[x] == 0)
                }
            };
            if draw {
                for (dst, &over) in rgb.iter_mut().zip(&color) {
                    *dst = blend(*dst, over, alpha);
                }
            }
        }
    }
}
