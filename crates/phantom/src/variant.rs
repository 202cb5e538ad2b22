//! How each patient of a cohort is encoded: CT pixel encoding, transfer syntax, slice order and
//! entry naming, spread deterministically over patient indices.

use dicom_dictionary_std::uids;
use serde::{Deserialize, Serialize};

use crate::encode::{SliceEncoding, EXPLICIT_VR_BIG_ENDIAN};

/// How CT Hounsfield units are stored in the pixel data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CtEncoding {
    /// Signed 16-bit, slope 1, intercept 0 (the real 3D-IRCADb encoding).
    SignedInt16,
    /// Unsigned 16-bit holding `HU + 1024`, intercept −1024.
    UnsignedWithIntercept,
    /// Unsigned, Bits Stored 12 (High Bit 11), holding `HU + 1024`, intercept −1024.
    Unsigned12Bit,
    /// Unsigned 16-bit holding `(HU + 1024) / 2`, slope 2, intercept −1024 (phantom HU are even).
    SlopeTwo,
}

impl CtEncoding {
    /// Every encoding, in the order patients cycle through them.
    pub const ALL: [CtEncoding; 4] = [
        Self::SignedInt16,
        Self::UnsignedWithIntercept,
        Self::Unsigned12Bit,
        Self::SlopeTwo,
    ];

    /// The stored value of `hu` (exact for the HU range phantoms use).
    pub fn stored_from_hu(self, hu: i16) -> i32 {
        let hu = i32::from(hu);
        match self {
            Self::SignedInt16 => hu,
            Self::UnsignedWithIntercept | Self::Unsigned12Bit => hu + 1024,
            Self::SlopeTwo => (hu + 1024).div_euclid(2),
        }
    }

    /// The HU of a stored value, as a reader applying the rescale gets it.
    pub fn hu_from_stored(self, stored: i32) -> i32 {
        match self {
            Self::SignedInt16 => stored,
            Self::UnsignedWithIntercept | Self::Unsigned12Bit => stored - 1024,
            Self::SlopeTwo => stored * 2 - 1024,
        }
    }

    /// True when this encoding can only represent even HU (phantom HU are made even for it).
    pub fn needs_even_hu(self) -> bool {
        self == Self::SlopeTwo
    }

    /// The pixel module of this encoding under `transfer_syntax`.
    pub fn slice_encoding(
        self,
        transfer_syntax: &'static str,
        photometric: &'static str,
    ) -> SliceEncoding {
        let base = SliceEncoding {
            transfer_syntax,
            photometric,
            ..SliceEncoding::ct_int16()
        };
        match self {
            Self::SignedInt16 => base,
            Self::UnsignedWithIntercept => SliceEncoding {
                pixel_representation: 0,
                intercept: -1024.0,
                ..base
            },
            Self::Unsigned12Bit => SliceEncoding {
                pixel_representation: 0,
                bits_stored: 12,
                intercept: -1024.0,
                ..base
            },
            Self::SlopeTwo => SliceEncoding {
                pixel_representation: 0,
                slope: 2.0,
                intercept: -1024.0,
                ..base
            },
        }
    }
}

/// The encoding choices of one patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Variant {
    pub encoding: CtEncoding,
    pub transfer_syntax: &'static str,
    pub descending: bool,
    pub scrambled_names: bool,
    pub monochrome1: bool,
}

/// Transfer syntaxes by `index % 5`: mostly explicit VR little endian like the real data, one
/// implicit VR little endian and one explicit VR big endian in every five patients.
const SYNTAX_CYCLE: [&str; 5] = [
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    uids::IMPLICIT_VR_LITTLE_ENDIAN,
    EXPLICIT_VR_BIG_ENDIAN,
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
];

/// The choices for patient `index` (0-based). The first patient always looks like the real data.
pub(crate) fn variant_for(index: usize, variations: bool, monochrome1: bool) -> Variant {
    if !variations {
        return Variant {
            encoding: CtEncoding::SignedInt16,
            transfer_syntax: uids::EXPLICIT_VR_LITTLE_ENDIAN,
            descending: false,
            scrambled_names: false,
            monochrome1: false,
        };
    }
    Variant {
        encoding: CtEncoding::ALL[index % CtEncoding::ALL.len()],
        transfer_syntax: SYNTAX_CYCLE[index % SYNTAX_CYCLE.len()],
        descending: index % 2 == 1,
        scrambled_names: index % 3 == 2,
        monochrome1: monochrome1 && index % 2 == 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_values_round_trip() {
        for enc in CtEncoding::ALL {
            for hu in [-1024i16, -1000, -100, 0, 40, 60, 700, 1022] {
                assert_eq!(
                    enc.hu_from_stored(enc.stored_from_hu(hu)),
                    i32::from(hu),
                    "{enc:?} {hu}"
                );
                let (lo, hi) = enc
                    .slice_encoding(uids::EXPLICIT_VR_LITTLE_ENDIAN, "MONOCHROME2")
                    .stored_range();
                let s = i64::from(enc.stored_from_hu(hu));
                assert!(lo <= s && s <= hi, "{enc:?} {hu}");
            }
        }
    }

    #[test]
    fn first_three_patients_cover_the_main_quirks() {
        let v: Vec<Variant> = (0..3).map(|n| variant_for(n, true, false)).collect();
        assert_eq!(v[0].encoding, CtEncoding::SignedInt16);
        assert!(!v[0].descending && !v[0].scrambled_names);
        assert!(v[1].descending);
        assert_eq!(v[1].transfer_syntax, uids::IMPLICIT_VR_LITTLE_ENDIAN);
        assert!(v[2].scrambled_names);
        assert_eq!(v[2].encoding, CtEncoding::Unsigned12Bit);
        assert_eq!(
            variant_for(7, false, true).encoding,
            CtEncoding::SignedInt16
        );
    }
}
