//! Maximum intensity projection along a plane's normal, with projected overlays.

use tumorscope_core::{BitMask, Geometry, PatientImage};

use crate::annotate::{draw_caption, draw_legend, draw_letters, window_caption};
use crate::overlay::{draw_overlay, masks_for};
use crate::plane::ScreenAxes;
use crate::resample::{DisplayGrid, Raster};
use crate::slice::check_volume;
use crate::{screen_letters, GreyImage, Plane, RenderError, RenderOptions, RgbImage};

/// The maximum HU along `plane`'s normal axis, drawn like a slice of that plane (same
/// size, layout and letters). Each overlay shows the union of its mask along the same
/// axis (its silhouette), in its own mode and colour.
pub fn render_mip(
    image: &PatientImage,
    plane: Plane,
    opts: &RenderOptions,
) -> Result<RgbImage, RenderError> {
    check_volume(&image.ct)?;
    let pairs = masks_for(image, &opts.overlays)?;
    let g = &image.ct.geometry;
    let axes = ScreenAxes::new(g, plane);
    let grid = DisplayGrid::new(g, &axes, opts.scale)?;
    let h_len = g.dims[axes.h_axis];
    let raster = Raster::dense(h_len);

    let mip = project(g.dims, &axes, &image.ct.data, i16::MIN, |a, b| a.max(b));
    let lut = opts.window.lut_i16();
    let mut grey = Vec::new();
    grid.sample_hu(&mip, raster, &lut, &mut grey);
    let mut img = RgbImage::from_grey(&GreyImage {
        width: grid.width,
        height: grid.height,
        pixels: grey,
    });

    let mut inside = Vec::new();
    for (style, mask) in pairs {
        let union = project_mask(g, &axes, &mask.bits);
        grid.sample_labels(|n| union[n] != 0, raster, &mut inside);
        draw_overlay(&mut img, &inside, style);
    }
    if opts.annotations {
        draw_legend(&mut img, &opts.overlays);
        draw_caption(
            &mut img,
            &format!("{plane} MIP {}", window_caption(&opts.window)),
        );
        draw_letters(&mut img, screen_letters(g, plane));
    }
    Ok(img)
}

/// The `h × v` raster (h fastest) of the cells holding at least one voxel of `mask` along the
/// plane's normal; only the voxels inside are visited.
fn project_mask(g: &Geometry, axes: &ScreenAxes, mask: &BitMask) -> Vec<u8> {
    let nh = g.dims[axes.h_axis];
    let mut out = vec![0u8; nh * g.dims[axes.v_axis]];
    for n in mask.ones() {
        let ijk = g.ijk(n);
        out[ijk[axes.h_axis] + ijk[axes.v_axis] * nh] = 1;
    }
    out
}

/// Folds a volume along the plane's normal into a dense `h × v` raster (h fastest),
/// walking the data once in memory order.
fn project<T: Copy>(
    dims: [usize; 3],
    axes: &ScreenAxes,
    data: &[T],
    init: T,
    fold: impl Fn(T, T) -> T,
) -> Vec<T> {
    let (nh, nv) = (dims[axes.h_axis], dims[axes.v_axis]);
    let mut out = vec![init; nh * nv];
    let [ni, nj, nk] = dims;
    let mut n = 0;
    for k in 0..nk {
        for j in 0..nj {
            let row = &data[n..n + ni];
            n += ni;
            let ijk_base = [0, j, k];
            if axes.h_axis == 0 {
                // Rows of i map onto a contiguous output row: the common axial/coronal case.
                let start = ijk_base[axes.v_axis] * nh;
                for (o, &v) in out[start..start + ni].iter_mut().zip(row) {
                    *o = fold(*o, v);
                }
            } else {
                // Sagittal: i is the projected axis, every voxel of the row folds into one cell.
                let cell = ijk_base[axes.h_axis] + ijk_base[axes.v_axis] * nh;
                out[cell] = row.iter().fold(out[cell], |acc, &v| fold(acc, v));
            }
        }
    }
    out
}
