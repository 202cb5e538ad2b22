//! Annotations drawn over a rendered plane: orientation letters, legend and caption.

use crate::orientation::ScreenLetters;
use crate::raster::RgbImage;
use crate::text::{draw_text, text_height, text_scale, text_width};
use crate::OverlayStyle;

/// Colour of annotation text.
pub const TEXT_COLOR: [u8; 3] = [255, 255, 255];
/// Colour of the orientation letters (yellow, as most viewers draw them).
pub const LETTER_COLOR: [u8; 3] = [255, 220, 0];

/// Gap between the picture's edge and any annotation, at text scale 1.
const MARGIN: usize = 3;

/// The four orientation letters at the midpoints of the picture's edges.
pub(crate) fn draw_letters(img: &mut RgbImage, letters: ScreenLetters) {
    let s = text_scale(img.width);
    let (w, h) = (img.width as i64, img.height as i64);
    let m = (MARGIN * s) as i64;
    let cw = text_width("M", s) as i64;
    let ch = text_height(s) as i64;
    let mid_x = (w - cw) / 2;
    let mid_y = (h - ch) / 2;
    draw_text(img, mid_x, m, &letters.top.to_string(), s, LETTER_COLOR);
    draw_text(
        img,
        mid_x,
        h - m - ch,
        &letters.bottom.to_string(),
        s,
        LETTER_COLOR,
    );
    draw_text(img, m, mid_y, &letters.left.to_string(), s, LETTER_COLOR);
    draw_text(
        img,
        w - m - cw,
        mid_y,
        &letters.right.to_string(),
        s,
        LETTER_COLOR,
    );
}

/// A legend box at the top-left: one colour swatch and name per overlay.
pub(crate) fn draw_legend(img: &mut RgbImage, overlays: &[OverlayStyle]) {
    if overlays.is_empty() {
        return;
    }
    let s = text_scale(img.width);
    let m = MARGIN * s;
    let pad = 2 * s;
    let ch = text_height(s);
    let line = ch + 2 * s;
    let swatch = ch;
    let names_w = overlays
        .iter()
        .map(|o| text_width(&o.name, s))
        .max()
        .unwrap_or(0);
    let box_w = pad + swatch + 2 * s + names_w + pad;
    let box_h = pad + overlays.len() * line - 2 * s + pad;
    // A translucent dark box keeps the anatomy faintly visible behind the legend.
    img.blend_rect(m, m, box_w, box_h, [0, 0, 0], 160);
    for (n, o) in overlays.iter().enumerate() {
        let y = m + pad + n * line;
        img.blend_rect(m + pad, y, swatch, swatch, o.color, 256);
        let tx = m + pad + swatch + 2 * s;
        draw_text(img, tx as i64, y as i64, &o.name, s, TEXT_COLOR);
    }
}

/// A caption at the bottom-left, one line above the bottom orientation letter.
pub(crate) fn draw_caption(img: &mut RgbImage, caption: &str) {
    let s = text_scale(img.width);
    let m = (MARGIN * s) as i64;
    let ch = text_height(s) as i64;
    let y = img.height as i64 - m - ch - (ch + 3 * s as i64);
    draw_text(img, m, y, caption, s, TEXT_COLOR);
}

/// A short label at the bottom-right (montage tile index).
pub(crate) fn draw_corner_label(img: &mut RgbImage, label: &str) {
    let s = text_scale(img.width);
    let m = (MARGIN * s) as i64;
    let ch = text_height(s) as i64;
    let x = img.width as i64 - m - text_width(label, s) as i64;
    draw_text(img, x, img.height as i64 - m - ch, label, s, TEXT_COLOR);
}

/// `W=400 L=50` with integers shown without decimals.
pub(crate) fn window_caption(window: &tumorscope_core::Window) -> String {
    format!(
        "W={} L={}",
        trim_number(window.width),
        trim_number(window.center)
    )
}

fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}
