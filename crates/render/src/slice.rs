//! One multi-planar slice: windowed grey, structure overlays and annotations.

use tumorscope_core::{Geometry, PatientImage, Volume, Window};

use crate::annotate::{draw_caption, draw_legend, draw_letters, window_caption};
use crate::overlay::{draw_overlay, masks_for};
use crate::plane::ScreenAxes;
use crate::resample::{DisplayGrid, Raster};
use crate::{screen_letters, GreyImage, OverlayStyle, Plane, RenderError, RgbImage};

/// Which slice to draw: `index` counts along the plane's normal voxel axis of the loaded
/// volume (axial `k`, coronal `j`, sagittal `i`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceRequest {
    pub plane: Plane,
    pub index: usize,
}

/// How to draw: window, overlays, annotations and magnification.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    pub window: Window,
    /// Drawn in order, later ones on top.
    pub overlays: Vec<OverlayStyle>,
    /// Orientation letters, legend and caption drawn over the picture.
    pub annotations: bool,
    /// Output pixel size = smallest in-plane spacing / `scale`.
    pub scale: f64,
}

impl Default for RenderOptions {
    /// Abdomen window (W 400, L 50), no overlays, annotations on, scale 1.
    fn default() -> Self {
        Self {
            window: Window {
                width: 400.0,
                center: 50.0,
            },
            overlays: Vec::new(),
            annotations: true,
            scale: 1.0,
        }
    }
}

/// Renders one slice of `image` with physical aspect ratio (see the crate documentation for
/// the screen conventions).
pub fn render_slice(
    image: &PatientImage,
    req: SliceRequest,
    opts: &RenderOptions,
) -> Result<RgbImage, RenderError> {
    let lut = opts.window.lut_i16();
    let mut img = render_plane(image, req, opts, &lut)?;
    if opts.annotations {
        draw_legend(&mut img, &opts.overlays);
        let count = req.plane.slice_count(&image.ct.geometry);
        let caption = format!(
            "{} {}={}/{} {}",
            req.plane,
            req.plane.index_name(),
            req.index,
            count,
            window_caption(&opts.window)
        );
        draw_caption(&mut img, &caption);
        // Letters last: on a small picture they are what must stay readable.
        draw_letters(&mut img, screen_letters(&image.ct.geometry, req.plane));
    }
    Ok(img)
}

/// Grey and overlays of one slice, without annotations (shared with the montage).
pub(crate) fn render_plane(
    image: &PatientImage,
    req: SliceRequest,
    opts: &RenderOptions,
    lut: &[u8],
) -> Result<RgbImage, RenderError> {
    let pairs = masks_for(image, &opts.overlays)?;
    let (grey, grid, raster) = grey_plane(&image.ct, req.plane, req.index, lut, opts.scale)?;
    let mut img = RgbImage::from_grey(&grey);
    let mut inside = Vec::new();
    for (style, mask) in pairs {
        grid.sample_labels(|n| mask.bits.get(n), raster, &mut inside);
        draw_overlay(&mut img, &inside, style);
    }
    Ok(img)
}

/// The windowed grey picture of one slice of `ct` on the display grid (physical aspect,
/// radiological layout, `scale` as in [`RenderOptions`]); `lut` is [`Window::lut_i16`].
///
/// This is the low-level building block (no overlays, no text), meant for callers that
/// composite themselves, such as thumbnails in the server.
pub fn window_slice_u8(
    ct: &Volume<i16>,
    plane: Plane,
    index: usize,
    lut: &[u8],
    scale: f64,
) -> Result<GreyImage, RenderError> {
    grey_plane(ct, plane, index, lut, scale).map(|(grey, _, _)| grey)
}

/// [`window_slice_u8`] plus the grid and raster it used, for drawing overlays on top.
fn grey_plane(
    ct: &Volume<i16>,
    plane: Plane,
    index: usize,
    lut: &[u8],
    scale: f64,
) -> Result<(GreyImage, DisplayGrid, Raster), RenderError> {
    check_volume(ct)?;
    if lut.len() != 1 << 16 {
        return Err(RenderError::LutLength(lut.len()));
    }
    let g = &ct.geometry;
    let count = plane.slice_count(g);
    if index >= count {
        return Err(RenderError::IndexOutOfRange {
            plane,
            index,
            count,
        });
    }
    let axes = ScreenAxes::new(g, plane);
    let grid = DisplayGrid::new(g, &axes, scale)?;
    let raster = Raster::of_slice(g, &axes, index);
    let mut pixels = Vec::new();
    grid.sample_hu(&ct.data, raster, lut, &mut pixels);
    let grey = GreyImage {
        width: grid.width,
        height: grid.height,
        pixels,
    };
    Ok((grey, grid, raster))
}

/// The index of the slice of `plane` through the LPS point `xyz_mm` (nearest voxel).
///
/// The point must lie inside the volume (within half a voxel of its outer voxel centres on
/// every axis), otherwise [`RenderError::OutsideVolume`].
pub fn slice_at_mm(
    geometry: &Geometry,
    plane: Plane,
    xyz_mm: [f64; 3],
) -> Result<usize, RenderError> {
    let ijk = geometry.patient_to_voxel(xyz_mm);
    let outside = RenderError::OutsideVolume {
        xyz_mm,
        ijk,
        dims: geometry.dims,
    };
    let mut nearest = [0usize; 3];
    for axis in 0..3 {
        let c = ijk[axis];
        let n = geometry.dims[axis] as f64;
        // Tolerance for round-off on a point given exactly at an outer face.
        if !c.is_finite() || c < -0.5 - 1e-9 || c > n - 0.5 + 1e-9 || n == 0.0 {
            return Err(outside);
        }
        nearest[axis] = (c.round().max(0.0) as usize).min(geometry.dims[axis] - 1);
    }
    Ok(nearest[plane.normal_axis()])
}

/// Size of a rendered plane and the physical size of its (square) pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisplaySize {
    pub width: usize,
    pub height: usize,
    pub pixel_mm: f64,
}

/// The size [`render_slice`] and [`crate::render_mip`] give `plane` of `geometry` at `scale`,
/// without touching any voxel.
pub fn display_size(
    geometry: &Geometry,
    plane: Plane,
    scale: f64,
) -> Result<DisplaySize, RenderError> {
    let grid = DisplayGrid::new(geometry, &ScreenAxes::new(geometry, plane), scale)?;
    Ok(DisplaySize {
        width: grid.width,
        height: grid.height,
        pixel_mm: grid.pixel_mm,
    })
}

/// Refuses volumes whose data cannot be indexed by their geometry.
pub(crate) fn check_volume(ct: &Volume<i16>) -> Result<(), RenderError> {
    let g = &ct.geometry;
    if g.is_empty() {
        return Err(RenderError::EmptyVolume(g.dims));
    }
    if ct.data.len() != g.len() {
        return Err(RenderError::VolumeSize {
            dims: g.dims,
            expected: g.len(),
            found: ct.data.len(),
        });
    }
    Ok(())
}
