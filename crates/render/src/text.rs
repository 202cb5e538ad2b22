//! Drawing text with the embedded font: light glyphs on a dark 1-pixel halo.

use crate::font::{glyph, ADVANCE, GLYPH_H, GLYPH_W};
use crate::raster::RgbImage;

/// Colour of the halo drawn around every glyph pixel, so text reads on any background.
pub const HALO: [u8; 3] = [0, 0, 0];

/// Glyph magnification for a picture `width` pixels wide: ×2 from 384 px on.
pub fn text_scale(width: usize) -> usize {
    if width >= 384 {
        2
    } else {
        1
    }
}

/// Width in pixels of `text` at `scale` (no trailing space).
pub fn text_width(text: &str, scale: usize) -> usize {
    let n = text.chars().count();
    if n == 0 {
        0
    } else {
        (n * ADVANCE - 1) * scale
    }
}

/// Height in pixels of one line of text at `scale`.
pub fn text_height(scale: usize) -> usize {
    GLYPH_H * scale
}

/// Draws `text` with its top-left corner at `(x, y)` (may be negative: drawing clips).
pub fn draw_text(img: &mut RgbImage, x: i64, y: i64, text: &str, scale: usize, color: [u8; 3]) {
    // Halo first over the whole string, then glyphs, so a halo never covers a neighbour glyph.
    for pass in 0..2 {
        let mut pen = x;
        for c in text.chars() {
            let rows = glyph(c);
            for (gy, bits) in rows.iter().enumerate() {
                for gx in 0..GLYPH_W {
                    if bits & (1 << (GLYPH_W - 1 - gx)) == 0 {
                        continue;
                    }
                    let px = pen + (gx * scale) as i64;
                    let py = y + (gy * scale) as i64;
                    if pass == 0 {
                        fill(img, px - 1, py - 1, scale + 2, scale + 2, HALO);
                    } else {
                        fill(img, px, py, scale, scale, color);
                    }
                }
            }
            pen += (ADVANCE * scale) as i64;
        }
    }
}

/// Paints a rectangle that may stick out of the picture.
fn fill(img: &mut RgbImage, x: i64, y: i64, w: usize, h: usize, rgb: [u8; 3]) {
    for yy in y.max(0)..(y + h as i64) {
        for xx in x.max(0)..(x + w as i64) {
            img.put(xx as usize, yy as usize, rgb);
        }
    }
}
