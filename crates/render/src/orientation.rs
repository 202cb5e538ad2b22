//! Orientation letters: which patient direction (R/L, A/P, S/I) each screen edge faces.

use tumorscope_core::Geometry;

use crate::plane::ScreenAxes;
use crate::Plane;

/// The patient direction shown at each edge of a rendered plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenLetters {
    pub left: char,
    pub right: char,
    pub top: char,
    pub bottom: char,
}

/// Letter of the LPS axis that dominates `v_lps`: `L`/`R` for ±x, `P`/`A` for ±y, `S`/`I`
/// for ±z. Ties go to the earlier axis (x before y before z).
pub fn direction_letter(v_lps: [f64; 3]) -> char {
    let mut axis = 0;
    for c in 1..3 {
        if v_lps[c].abs() > v_lps[axis].abs() + 1e-9 {
            axis = c;
        }
    }
    let positive = v_lps[axis] >= 0.0;
    match (axis, positive) {
        (0, true) => 'L',
        (0, false) => 'R',
        (1, true) => 'P',
        (1, false) => 'A',
        (_, true) => 'S',
        (_, false) => 'I',
    }
}

/// The letters at the four edges of `plane` as [`crate::render_slice`] lays it out, derived
/// from the geometry's direction cosines (so they are right for any acquisition orientation).
pub fn screen_letters(geometry: &Geometry, plane: Plane) -> ScreenLetters {
    let axes = ScreenAxes::new(geometry, plane);
    let right = axes.right_lps(geometry);
    let down = axes.down_lps(geometry);
    ScreenLetters {
        left: direction_letter(right.map(|c| -c)),
        right: direction_letter(right),
        top: direction_letter(down.map(|c| -c)),
        bottom: direction_letter(down),
    }
}
