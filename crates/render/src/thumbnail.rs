//! Tumor thumbnails for reports: the tumor's axial slice in the liver window, tumors filled and
//! the liver outlined, cropped to a square around the tumor.

use tumorscope_core::{preset_named, PatientImage, StructureRole, Window};

use crate::{
    render_slice, resolve_overlays, Plane, RenderError, RenderOptions, RgbImage, SliceRequest,
};

/// Margin around a tumor's bounding box in its thumbnail, in pixels.
pub const THUMBNAIL_MARGIN_PX: usize = 24;

/// The thumbnail of a tumor whose voxels span `bbox_ijk_min ..= bbox_ijk_max`, drawn on axial
/// slice `axial_k` (usually the slice of its RECIST diameter).
pub fn render_tumor_thumbnail(
    image: &PatientImage,
    axial_k: usize,
    bbox_ijk_min: [usize; 3],
    bbox_ijk_max: [usize; 3],
) -> Result<RgbImage, RenderError> {
    let mut spec = String::from("tumors:fill:0.45");
    if image.masks.iter().any(|m| m.role == StructureRole::Liver) {
        spec.push_str(",liver:outline");
    }
    // The liver preset always exists; the literal is the same window, never reached.
    let window = preset_named("liver").map_or(
        Window {
            width: 150.0,
            center: 30.0,
        },
        |p| p.window,
    );
    let opts = RenderOptions {
        window,
        overlays: resolve_overlays(image, &spec)?,
        annotations: false,
        scale: 1.0,
    };
    let full = render_slice(
        image,
        SliceRequest {
            plane: Plane::Axial,
            index: axial_k,
        },
        &opts,
    )?;
    // Axial display is one pixel per voxel when in-plane spacing is square; map otherwise.
    let g = &image.ct.geometry;
    let sx = full.width as f64 / g.dims[0] as f64;
    let sy = full.height as f64 / g.dims[1] as f64;
    let x0 = (bbox_ijk_min[0] as f64 * sx) as usize;
    let x1 = ((bbox_ijk_max[0] + 1) as f64 * sx).ceil() as usize;
    let y0 = (bbox_ijk_min[1] as f64 * sy) as usize;
    let y1 = ((bbox_ijk_max[1] + 1) as f64 * sy).ceil() as usize;
    let side = (x1 - x0).max(y1 - y0) + 2 * THUMBNAIL_MARGIN_PX;
    let cx = (x0 + x1) / 2;
    let cy = (y0 + y1) / 2;
    Ok(full.crop(
        cx.saturating_sub(side / 2),
        cy.saturating_sub(side / 2),
        side,
        side,
    ))
}
