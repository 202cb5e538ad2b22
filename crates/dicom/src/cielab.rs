//! DICOM's CIELab colours (Recommended Display CIELab Value, PS3.3 C.10.7.1.1) as sRGB, and
//! back.
//!
//! DICOM scales L* 0–100 and a*, b* −128–127 to 0–65535. The white point follows what SEG
//! writers do (highdicom converts with sRGB's own white, D65, and its colours round-trip
//! exactly here): Lab → XYZ (D65) → linear sRGB → the sRGB transfer curve.

/// sRGB of a DICOM-scaled CIELab triple.
pub fn dicom_lab_to_srgb(lab: [u32; 3]) -> [u8; 3] {
    let scale = |v: u32| f64::from(v.min(65535)) / 65535.0;
    let l = scale(lab[0]) * 100.0;
    let a = scale(lab[1]) * 255.0 - 128.0;
    let b = scale(lab[2]) * 255.0 - 128.0;
    let fy = (l + 16.0) / 116.0;
    let fx = fy + a / 500.0;
    let fz = fy - b / 200.0;
    let delta: f64 = 6.0 / 29.0;
    let inverse = |t: f64| {
        if t > delta {
            t * t * t
        } else {
            3.0 * delta * delta * (t - 4.0 / 29.0)
        }
    };
    // D65 white.
    let [x, y, z] = [0.950_47 * inverse(fx), inverse(fy), 1.088_83 * inverse(fz)];
    let linear = [
        3.240_454_2 * x - 1.537_138_5 * y - 0.498_531_4 * z,
        -0.969_266_0 * x + 1.876_010_8 * y + 0.041_556_0 * z,
        0.055_643_4 * x - 0.204_025_9 * y + 1.057_225_2 * z,
    ];
    linear.map(|c| {
        let c = c.clamp(0.0, 1.0);
        let v = if c <= 0.003_130_8 {
            12.92 * c
        } else {
            1.055 * c.powf(1.0 / 2.4) - 0.055
        };
        (v * 255.0).round() as u8
    })
}

/// The DICOM-scaled CIELab triple of an sRGB colour (the inverse of [`dicom_lab_to_srgb`]).
pub fn srgb_to_dicom_lab(rgb: [u8; 3]) -> [u16; 3] {
    let [r, g, b] = rgb.map(|c| {
        let v = f64::from(c) / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    });
    let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / 0.950_47;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175_0 * b;
    let z = (0.019_333_9 * r + 0.119_192_0 * g + 0.950_304_1 * b) / 1.088_83;
    let delta: f64 = 6.0 / 29.0;
    let f = |t: f64| {
        if t > delta * delta * delta {
            t.cbrt()
        } else {
            t / (3.0 * delta * delta) + 4.0 / 29.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    let l = 116.0 * fy - 16.0;
    let a = 500.0 * (fx - fy);
    let b = 200.0 * (fy - fz);
    let scale = |v: f64| (v.clamp(0.0, 1.0) * 65535.0).round() as u16;
    [
        scale(l / 100.0),
        scale((a + 128.0) / 255.0),
        scale((b + 128.0) / 255.0),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_colours_highdicom_writes() {
        // `highdicom.color.CIELabColor.from_rgb(r, g, b).value` (highdicom 0.28).
        for (lab, rgb) in [
            ([34886, 53484, 50172], [255, 0, 0]),
            ([57498, 10747, 54274], [0, 255, 0]),
            ([21170, 53250, 5175], [0, 0, 255]),
            ([37914, 39319, 47735], [200, 120, 30]),
            ([48427, 24262, 27352], [10, 200, 220]),
            ([35117, 32897, 32894], [128, 128, 128]),
        ] {
            assert_eq!(dicom_lab_to_srgb(lab), rgb, "{lab:?}");
        }
        assert_eq!(dicom_lab_to_srgb([65535, 32896, 32896]), [255, 255, 255]);
        // Back to Lab: within 0.01 % of highdicom's values, and every colour round-trips.
        for (lab, rgb) in [
            ([34886u32, 53484, 50172], [255u8, 0, 0]),
            ([57498, 10747, 54274], [0, 255, 0]),
            ([21170, 53250, 5175], [0, 0, 255]),
            ([37914, 39319, 47735], [200, 120, 30]),
        ] {
            let ours = srgb_to_dicom_lab(rgb);
            for (a, b) in ours.iter().zip(lab) {
                assert!(
                    (i64::from(*a) - i64::from(b)).abs() <= 6,
                    "{rgb:?}: {ours:?} vs {lab:?}"
                );
            }
        }
        for r in (0..=255u8).step_by(17) {
            for g in (0..=255u8).step_by(51) {
                for b in (0..=255u8).step_by(85) {
                    let lab = srgb_to_dicom_lab([r, g, b]).map(u32::from);
                    assert_eq!(dicom_lab_to_srgb(lab), [r, g, b]);
                }
            }
        }
        assert_eq!(dicom_lab_to_srgb([0, 32896, 32896]), [0, 0, 0]);
    }
}
