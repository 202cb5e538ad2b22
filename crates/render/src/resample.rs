//! The display grid: uniform square pixels over a plane, and sampling voxels onto it.
//!
//! Every output pixel has the same physical size, `min(in-plane spacings) / scale`, so
//! anatomy keeps its true proportions. Each screen axis spans exactly the extent of its
//! voxel axis: with `n` voxels of `s` mm shown on `m = round(n·s/pixel)` pixels, pixel `x`
//! samples the voxel coordinate `u = (x + 0.5)·n/m − 0.5` (so `m == n` gives `u = x`: one
//! pixel per voxel, no interpolation). HU are interpolated linearly (bilinear, then rounded
//! to the nearest HU before the window LUT); labels use the nearest voxel so masks stay crisp
//! and never invent partial values.

use tumorscope_core::Geometry;

use crate::plane::ScreenAxes;
use crate::RenderError;

/// Largest side of a rendered picture: larger requests are refused instead of allocating
/// gigabytes for a typo in `scale`.
pub const MAX_SIDE_PX: usize = 16_384;

/// Where one screen column (or row) samples its voxel axis.
#[derive(Debug, Clone, Copy)]
struct AxisTap {
    lo: usize,
    hi: usize,
    /// Weight of `hi` in 1/65536.
    frac: u32,
    nearest: usize,
}

/// Output size of a plane and the sampling positions of every output column and row.
#[derive(Debug, Clone)]
pub(crate) struct DisplayGrid {
    pub width: usize,
    pub height: usize,
    /// Physical size of one output pixel.
    pub pixel_mm: f64,
    h: Vec<AxisTap>,
    v: Vec<AxisTap>,
    /// True when every pixel falls on a voxel centre (no interpolation needed).
    exact: bool,
    /// True when screen column `x` is voxel `x` (same count, not reversed): rows can be read
    /// as contiguous runs when the horizontal stride is 1 (the common axial case).
    h_identity: bool,
}

impl DisplayGrid {
    pub fn new(geometry: &Geometry, axes: &ScreenAxes, scale: f64) -> Result<Self, RenderError> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(RenderError::BadScale(scale));
        }
        let (nh, nv) = (geometry.dims[axes.h_axis], geometry.dims[axes.v_axis]);
        let (sh, sv) = (
            geometry.spacing_mm[axes.h_axis],
            geometry.spacing_mm[axes.v_axis],
        );
        let pixel_mm = sh.min(sv) / scale;
        let width = side_px(nh, sh, pixel_mm);
        let height = side_px(nv, sv, pixel_mm);
        if width > MAX_SIDE_PX || height > MAX_SIDE_PX {
            return Err(RenderError::TooLarge {
                width,
                height,
                limit: MAX_SIDE_PX,
            });
        }
        let h = taps(nh, width, axes.h_flip);
        let v = taps(nv, height, axes.v_flip);
        let exact = h.iter().chain(&v).all(|t| t.frac == 0);
        let h_identity = h
            .iter()
            .enumerate()
            .all(|(x, t)| t.frac == 0 && t.lo == x && t.nearest == x);
        Ok(Self {
            width,
            height,
            pixel_mm,
            h,
            v,
            exact,
            h_identity,
        })
    }

    /// Windowed grey levels of a 2-D raster of HU: voxel `(a, b)` of the plane (`a` along the
    /// screen's horizontal voxel axis, `b` along the vertical one) is at
    /// `data[base + a·h_stride + b·v_stride]`. `lut` maps `hu − i16::MIN` to grey.
    pub fn sample_hu(&self, data: &[i16], raster: Raster, lut: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(self.width * self.height);
        let look = |hu: i16| lut[(hu as i32 - i16::MIN as i32) as usize];
        if self.exact && self.h_identity && raster.h_stride == 1 {
            for tv in &self.v {
                let row = raster.base + tv.lo * raster.v_stride;
                out.extend(data[row..row + self.width].iter().map(|&hu| look(hu)));
            }
            return;
        }
        if self.exact {
            for tv in &self.v {
                let row = raster.base + tv.lo * raster.v_stride;
                out.extend(
                    self.h
                        .iter()
                        .map(|th| look(data[row + th.lo * raster.h_stride])),
                );
            }
            return;
        }
        for tv in &self.v {
            let r0 = raster.base + tv.lo * raster.v_stride;
            let r1 = raster.base + tv.hi * raster.v_stride;
            let fv = tv.frac as i64;
            for th in &self.h {
                let (c0, c1) = (th.lo * raster.h_stride, th.hi * raster.h_stride);
                let fh = th.frac as i64;
                let lerp = |a: i16, b: i16, f: i64| (a as i64) * (65_536 - f) + (b as i64) * f;
                // Fixed point (16 + 16 bits): exact for on-centre taps, no float per pixel.
                let top = lerp(data[r0 + c0], data[r0 + c1], fh);
                let bottom = lerp(data[r1 + c0], data[r1 + c1], fh);
                let sum = top * (65_536 - fv) + bottom * fv;
                let hu = (sum + (1 << 31)).div_euclid(1 << 32);
                out.push(look(hu.clamp(i16::MIN as i64, i16::MAX as i64) as i16));
            }
        }
    }

    /// Nearest-voxel samples of a 2-D raster of labels (see [`Self::sample_hu`]).
    pub fn sample_labels(&self, inside: impl Fn(usize) -> bool, raster: Raster, out: &mut Vec<u8>) {
        out.clear();
        out.reserve(self.width * self.height);
        for tv in &self.v {
            let row = raster.base + tv.nearest * raster.v_stride;
            out.extend(
                self.h
                    .iter()
                    .map(|th| u8::from(inside(row + th.nearest * raster.h_stride))),
            );
        }
    }
}

/// Placement of a plane's voxels in a flat buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Raster {
    pub base: usize,
    pub h_stride: usize,
    pub v_stride: usize,
}

impl Raster {
    /// Slice `index` of a volume laid out as [`Geometry::index`] says.
    pub fn of_slice(geometry: &Geometry, axes: &ScreenAxes, index: usize) -> Self {
        let [c, r, _] = geometry.dims;
        let strides = [1, c, c * r];
        Self {
            base: index * strides[axes.normal_axis],
            h_stride: strides[axes.h_axis],
            v_stride: strides[axes.v_axis],
        }
    }

    /// A dense projection image with the horizontal voxel axis fastest.
    pub fn dense(h_len: usize) -> Self {
        Self {
            base: 0,
            h_stride: 1,
            v_stride: h_len,
        }
    }
}

fn side_px(n: usize, spacing_mm: f64, pixel_mm: f64) -> usize {
    ((n as f64 * spacing_mm / pixel_mm).round() as usize).max(1)
}

fn taps(n: usize, m: usize, flip: bool) -> Vec<AxisTap> {
    let last = n.saturating_sub(1);
    (0..m)
        .map(|x| {
            let u = ((x as f64 + 0.5) * n as f64 / m as f64 - 0.5).clamp(0.0, last as f64);
            let c = if flip { last as f64 - u } else { u };
            let mut lo = (c.floor() as usize).min(last);
            let mut frac = ((c - lo as f64) * 65_536.0).round() as u32;
            if frac >= 65_536 {
                // Rounding carried into the next voxel: sample it exactly.
                lo = (lo + 1).min(last);
                frac = 0;
            }
            let hi = (lo + 1).min(last);
            let nearest = (c.round() as usize).min(last);
            AxisTap {
                lo,
                hi,
                frac,
                nearest,
            }
        })
        .collect()
}
