//! Pixel buffers returned by the renderer: 8-bit grey and RGB, row-major, top row first.

/// An 8-bit RGB picture, `pixels.len() == width * height * 3`, row-major, top row first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// An 8-bit grey picture, `pixels.len() == width * height`, row-major, top row first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GreyImage {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl RgbImage {
    /// A black picture.
    pub fn black(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            pixels: vec![0; width * height * 3],
        }
    }

    /// Grey levels copied to the three channels.
    pub fn from_grey(grey: &GreyImage) -> Self {
        let mut pixels = vec![0; grey.pixels.len() * 3];
        for (rgb, &g) in pixels.chunks_exact_mut(3).zip(&grey.pixels) {
            rgb.copy_from_slice(&[g, g, g]);
        }
        Self {
            width: grey.width,
            height: grey.height,
            pixels,
        }
    }

    /// The colour at `(x, y)`, `None` outside the picture.
    pub fn get(&self, x: usize, y: usize) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let n = (y * self.width + x) * 3;
        Some([self.pixels[n], self.pixels[n + 1], self.pixels[n + 2]])
    }

    /// Sets `(x, y)` to `rgb`; points outside the picture are ignored (drawing clips).
    #[inline]
    pub fn put(&mut self, x: usize, y: usize, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            let n = (y * self.width + x) * 3;
            self.pixels[n..n + 3].copy_from_slice(&rgb);
        }
    }

    /// Blends `rgb` over `(x, y)` with weight `alpha` in 1/256 (see [`blend`]); clips.
    #[inline]
    pub fn blend_at(&mut self, x: usize, y: usize, rgb: [u8; 3], alpha: u32) {
        if x < self.width && y < self.height {
            let n = (y * self.width + x) * 3;
            for (dst, &over) in self.pixels[n..n + 3].iter_mut().zip(&rgb) {
                *dst = blend(*dst, over, alpha);
            }
        }
    }

    /// Blends `rgb` over a rectangle (clipped to the picture).
    pub fn blend_rect(
        &mut self,
        x0: usize,
        y0: usize,
        w: usize,
        h: usize,
        rgb: [u8; 3],
        alpha: u32,
    ) {
        for y in y0..(y0 + h).min(self.height) {
            for x in x0..(x0 + w).min(self.width) {
                self.blend_at(x, y, rgb, alpha);
            }
        }
    }

    /// Copies `tile` with its top-left corner at `(x0, y0)` (clipped).
    /// The `width × height` region at `(x0, y0)`, clipped to the image.
    pub fn crop(&self, x0: usize, y0: usize, width: usize, height: usize) -> RgbImage {
        let x0 = x0.min(self.width);
        let y0 = y0.min(self.height);
        let w = width.min(self.width - x0);
        let h = height.min(self.height - y0);
        let mut pixels = Vec::with_capacity(w * h * 3);
        for y in y0..y0 + h {
            let start = (y * self.width + x0) * 3;
            pixels.extend_from_slice(&self.pixels[start..start + w * 3]);
        }
        RgbImage {
            width: w,
            height: h,
            pixels,
        }
    }

    pub fn paste(&mut self, tile: &RgbImage, x0: usize, y0: usize) {
        if x0 >= self.width {
            return;
        }
        let w = tile.width.min(self.width - x0);
        for y in 0..tile.height {
            let yy = y0 + y;
            if yy >= self.height {
                break;
            }
            let src = &tile.pixels[y * tile.width * 3..(y * tile.width + w) * 3];
            let dst = (yy * self.width + x0) * 3;
            self.pixels[dst..dst + w * 3].copy_from_slice(src);
        }
    }
}

/// An opacity in `0.0..=1.0` as a weight in 1/256 (`1.0` → 256, `0.5` → 128).
pub(crate) fn alpha_256(opacity: f32) -> u32 {
    let a = if opacity.is_finite() {
        opacity.clamp(0.0, 1.0)
    } else {
        1.0
    };
    (a * 256.0).round() as u32
}

/// `base + (over − base) × alpha/256`, rounded half up; alpha 256 gives `over` exactly and
/// 128 the rounded mean. Integer arithmetic keeps it exact and fast.
#[inline]
pub(crate) fn blend(base: u8, over: u8, alpha: u32) -> u8 {
    let a = alpha.min(256);
    ((base as u32 * (256 - a) + over as u32 * a + 128) >> 8) as u8
}

#[cfg(test)]
mod crop_tests {
    use super::*;

    #[test]
    fn crop_copies_the_region_and_clips() {
        let mut img = RgbImage::black(4, 3);
        img.put(2, 1, [9, 8, 7]);
        let c = img.crop(1, 1, 2, 2);
        assert_eq!((c.width, c.height), (2, 2));
        assert_eq!(c.get(1, 0), Some([9, 8, 7]));
        let c = img.crop(3, 2, 5, 5);
        assert_eq!((c.width, c.height), (1, 1));
    }
}
