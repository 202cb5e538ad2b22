//! PNG encoding of rendered pictures (fast compression: ~1 ms for 512×512 instead of ~27 ms).

use crate::{RenderError, RgbImage};

/// The picture as PNG bytes (8-bit RGB, `png::Compression::Fast`).
pub fn encode_png(img: &RgbImage) -> Result<Vec<u8>, RenderError> {
    let (width, height) = (img.width, img.height);
    let expected = width * height * 3;
    if img.pixels.len() != expected || width == 0 || height == 0 {
        return Err(RenderError::ImageSize {
            width,
            height,
            expected,
            found: img.pixels.len(),
        });
    }
    let too_large = || RenderError::ImageSize {
        width,
        height,
        expected,
        found: img.pixels.len(),
    };
    let w32 = u32::try_from(width).map_err(|_| too_large())?;
    let h32 = u32::try_from(height).map_err(|_| too_large())?;
    let png_err = |source| RenderError::Png {
        width,
        height,
        source,
    };
    let mut out = Vec::with_capacity(expected / 4 + 1024);
    let mut encoder = png::Encoder::new(&mut out, w32, h32);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&img.pixels).map_err(png_err)?;
    writer.finish().map_err(png_err)?;
    Ok(out)
}
