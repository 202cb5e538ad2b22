//! Lightbox montage: N slices of one plane in a grid.

use tumorscope_core::{PatientImage, StructureRole};

use crate::annotate::{draw_caption, draw_corner_label, draw_legend, draw_letters, window_caption};
use crate::resample::MAX_SIDE_PX;
use crate::slice::{check_volume, render_plane};
use crate::{screen_letters, Plane, RenderError, RenderOptions, RgbImage, SliceRequest};

/// Black gap between montage tiles, in pixels.
pub const MONTAGE_GAP_PX: usize = 2;

/// The slices a montage of `count` tiles shows along `plane`.
///
/// They are spread evenly over the liver's extent along the plane's axis when the patient
/// has a non-empty liver mask (the organ this tool is about), else over the whole volume:
/// the extent is cut into `count` equal bins and each bin's middle slice is taken, so no
/// slice repeats. `count` larger than the extent is reduced to the extent.
pub fn montage_indices(
    image: &PatientImage,
    plane: Plane,
    count: usize,
) -> Result<Vec<usize>, RenderError> {
    check_volume(&image.ct)?;
    if count == 0 {
        return Err(RenderError::EmptyMontage);
    }
    let g = &image.ct.geometry;
    let axis = plane.normal_axis();
    let (lo, hi) = liver_extent(image, axis).unwrap_or((0, g.dims[axis] - 1));
    let len = hi - lo + 1;
    let n = count.min(len);
    Ok((0..n).map(|t| lo + (2 * t + 1) * len / (2 * n)).collect())
}

/// First and last slice along voxel `axis` holding liver voxels.
fn liver_extent(image: &PatientImage, axis: usize) -> Option<(usize, usize)> {
    let g = &image.ct.geometry;
    let mut range: Option<(usize, usize)> = None;
    for mask in image.masks_with_role(StructureRole::Liver) {
        if mask.bits.len() != g.len() {
            continue;
        }
        for n in mask.bits.ones() {
            let c = g.ijk(n)[axis];
            range = Some(match range {
                Some((a, b)) => (a.min(c), b.max(c)),
                None => (c, c),
            });
        }
    }
    range
}

/// A grid of `count` slices of `plane` (see [`montage_indices`]), `columns` per row
/// (default `ceil(sqrt(N))`), tiles separated by [`MONTAGE_GAP_PX`] black pixels.
///
/// With annotations, every tile gets its orientation letters and its slice index
/// (bottom-right); the legend sits at the top-left of the montage and the caption at its
/// bottom-left.
pub fn render_montage(
    image: &PatientImage,
    plane: Plane,
    count: usize,
    columns: Option<usize>,
    opts: &RenderOptions,
) -> Result<RgbImage, RenderError> {
    let indices = montage_indices(image, plane, count)?;
    let n = indices.len();
    let cols = match columns {
        Some(0) => return Err(RenderError::EmptyMontage),
        Some(c) => c.min(n),
        None => (1..=n).find(|c| c * c >= n).unwrap_or(1),
    };
    let rows = n.div_ceil(cols);
    let lut = opts.window.lut_i16();
    let letters = screen_letters(&image.ct.geometry, plane);
    let mut canvas: Option<RgbImage> = None;
    for (t, &index) in indices.iter().enumerate() {
        let mut tile = render_plane(image, SliceRequest { plane, index }, opts, &lut)?;
        if opts.annotations {
            draw_letters(&mut tile, letters);
            draw_corner_label(&mut tile, &index.to_string());
        }
        let (tw, th) = (tile.width, tile.height);
        let canvas = match &mut canvas {
            Some(c) => c,
            None => {
                let width = cols * tw + (cols - 1) * MONTAGE_GAP_PX;
                let height = rows * th + (rows - 1) * MONTAGE_GAP_PX;
                if width > MAX_SIDE_PX || height > MAX_SIDE_PX {
                    return Err(RenderError::TooLarge {
                        width,
                        height,
                        limit: MAX_SIDE_PX,
                    });
                }
                canvas.insert(RgbImage::black(width, height))
            }
        };
        let (r, c) = (t / cols, t % cols);
        canvas.paste(&tile, c * (tw + MONTAGE_GAP_PX), r * (th + MONTAGE_GAP_PX));
    }
    let mut canvas = canvas.ok_or(RenderError::EmptyMontage)?;
    if opts.annotations {
        draw_legend(&mut canvas, &opts.overlays);
        let (first, last) = (indices[0], indices[n - 1]);
        let caption = format!(
            "{plane} {n} slices {}={first}..{last} {}",
            plane.index_name(),
            window_caption(&opts.window)
        );
        draw_caption(&mut canvas, &caption);
    }
    Ok(canvas)
}
