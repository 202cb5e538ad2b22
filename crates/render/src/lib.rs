//! Pictures anyone can check: CT windowing, multi-planar slices with their physical aspect
//! ratio, structure overlays, orientation letters and legend, montages, MIPs, PNG bytes.
//!
//! The crate is pure: it returns pixels and PNG bytes and never writes files (the CLI does).
//!
//! Screen conventions (radiological, as clinical viewers show them):
//! - axial: `i` across (patient Right on the screen's left), `j` down (Anterior at the top);
//! - coronal: `i` across, `k` up (Superior at the top);
//! - sagittal: `j` across (Anterior on the left), `k` up (Superior at the top).
//!
//! Each screen axis is reversed when the volume's axis runs the other way in patient space
//! (see the letters from [`screen_letters`], derived from the direction cosines, which are
//! drawn at the edges). Output pixels are square: their size is the smallest in-plane
//! spacing divided by `scale`; HU are interpolated linearly, masks take the nearest voxel.
//!
//! ```
//! use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume, Window};
//! use tumorscope_render::*;
//!
//! let g = Geometry::axial([8, 8, 4], [1.0, 1.0, 2.0], [0.0; 3]);
//! let mut liver = vec![0u8; g.len()];
//! liver[g.index([3, 3, 1])] = 1;
//! let image = PatientImage {
//!     patient: "demo".into(),
//!     ct: Volume::filled(g, 40i16),
//!     masks: vec![LabelMask::new("liver", liver)],
//! };
//! let opts = RenderOptions {
//!     window: Window::parse("liver").unwrap(),
//!     overlays: resolve_overlays(&image, "liver:fill:1").unwrap(),
//!     annotations: false,
//!     scale: 1.0,
//! };
//! let coronal = render_slice(&image, SliceRequest { plane: Plane::Coronal, index: 3 }, &opts).unwrap();
//! assert_eq!((coronal.width, coronal.height), (8, 8)); // 4 slices × 2 mm on 1 mm pixels
//! let png = encode_png(&coronal).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

mod annotate;
mod encode;
mod error;
pub mod font;
mod mip;
mod montage;
mod orientation;
mod overlay;
mod plane;
mod raster;
mod resample;
mod slice;
pub mod text;
mod thumbnail;

pub use encode::encode_png;
pub use error::RenderError;
pub use mip::render_mip;
pub use montage::{montage_indices, render_montage, MONTAGE_GAP_PX};
pub use orientation::{direction_letter, screen_letters, ScreenLetters};
pub use overlay::{resolve_overlays, OverlayMode, OverlayStyle, DEFAULT_FILL_OPACITY};
pub use plane::Plane;
pub use raster::{GreyImage, RgbImage};
pub use resample::MAX_SIDE_PX;
pub use slice::{
    display_size, render_slice, slice_at_mm, window_slice_u8, DisplaySize, RenderOptions,
    SliceRequest,
};
pub use thumbnail::{render_tumor_thumbnail, THUMBNAIL_MARGIN_PX};
