//! The binary payloads of the API: CT voxels as little-endian `Int16Array` bytes and structure
//! masks packed one bit per structure, both for a slab of slices and an optional coarse level.

use tumorscope_core::{Geometry, LabelMask};

/// Most structures the mask payload can carry (bits of a `Uint32Array` word).
pub const MAX_MASK_BITS: usize = 32;

/// Which voxels a payload holds: slices `k0..k1`, every `step`-th column and row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// `2^level`; 1 is full resolution.
    pub step: usize,
    pub k0: usize,
    /// Exclusive.
    pub k1: usize,
}

/// Why a selection was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("`level` must be between 0 and 4, found `{0}`")]
    Level(u32),
    #[error("slab `k0={k0}`..`k1={k1}` is not inside `0..{slices}`")]
    Slab { k0: usize, k1: usize, slices: usize },
}

impl Selection {
    /// Checks `level` and the slab `k0..k1` (defaults: everything) against `g`.
    pub fn new(
        g: &Geometry,
        level: Option<u32>,
        k0: Option<usize>,
        k1: Option<usize>,
    ) -> Result<Self, SelectionError> {
        let level = level.unwrap_or(0);
        if level > 4 {
            return Err(SelectionError::Level(level));
        }
        let slices = g.dims[2];
        let k0v = k0.unwrap_or(0);
        let k1v = k1.unwrap_or(slices);
        if k0v >= k1v || k1v > slices {
            return Err(SelectionError::Slab {
                k0: k0v,
                k1: k1v,
                slices,
            });
        }
        Ok(Self {
            step: 1 << level,
            k0: k0v,
            k1: k1v,
        })
    }

    /// `[columns, rows, slices]` of the payload.
    pub fn dims(&self, g: &Geometry) -> [usize; 3] {
        [
            g.dims[0].div_ceil(self.step),
            g.dims[1].div_ceil(self.step),
            self.k1 - self.k0,
        ]
    }

    /// Linear indices (in the full volume) of the selected voxels, in payload order.
    fn indices<'a>(&'a self, g: &'a Geometry) -> impl Iterator<Item = usize> + 'a {
        let [cols, rows, _] = g.dims;
        (self.k0..self.k1).flat_map(move |k| {
            (0..rows).step_by(self.step).flat_map(move |j| {
                (0..cols)
                    .step_by(self.step)
                    .map(move |i| (k * rows + j) * cols + i)
            })
        })
    }
}

/// CT voxels of `sel` as little-endian `i16` bytes (`i` fastest, then `j`, then `k`).
pub fn ct_bytes(g: &Geometry, ct: &[i16], sel: &Selection) -> Vec<u8> {
    if sel.step == 1 {
        let n = g.slice_len();
        let part = ct.get(sel.k0 * n..sel.k1 * n).unwrap_or(&[]);
        return part.iter().flat_map(|v| v.to_le_bytes()).collect();
    }
    sel.indices(g)
        .flat_map(|n| ct.get(n).copied().unwrap_or(0).to_le_bytes())
        .collect()
}

/// Bytes per voxel of the mask payload for `structures` masks: 1, 2 or 4.
pub fn mask_bytes_per_voxel(structures: usize) -> usize {
    match structures {
        0..=8 => 1,
        9..=16 => 2,
        _ => 4,
    }
}

/// Masks of `sel` packed as little-endian words of [`mask_bytes_per_voxel`] bytes: bit `n` is
/// set when the voxel is inside `masks[n]`. Masks past [`MAX_MASK_BITS`] are left out.
///
/// On a coarse level a cell is inside when any voxel of its `step × step` block is (where the
/// CT takes the block's first voxel), so small tumors show in the preview too. Only the voxels
/// inside are visited, so the cost follows the structures' size, not the volume's.
pub fn mask_bytes(g: &Geometry, masks: &[LabelMask], sel: &Selection) -> Vec<u8> {
    let masks = &masks[..masks.len().min(MAX_MASK_BITS)];
    let width = mask_bytes_per_voxel(masks.len());
    let [c, r, s] = sel.dims(g);
    let [cols, rows, _] = g.dims;
    let slab = sel.k0 * cols * rows..sel.k1 * cols * rows;
    let mut words = vec![0u32; c * r * s];
    for (bit, mask) in masks.iter().enumerate() {
        for n in mask.bits.ones_in(slab.clone()) {
            let [i, j, k] = g.ijk(n);
            words[((k - sel.k0) * r + j / sel.step) * c + i / sel.step] |= 1 << bit;
        }
    }
    let mut out = Vec::with_capacity(words.len() * width);
    for w in words {
        out.extend_from_slice(&w.to_le_bytes()[..width]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Geometry {
        Geometry::axial([5, 3, 4], [1.0; 3], [0.0; 3])
    }

    #[test]
    fn full_ct_is_little_endian_in_index_order() {
        let g = grid();
        let ct: Vec<i16> = (0..g.len() as i16).map(|v| v * 7 - 100).collect();
        let sel = Selection::new(&g, None, None, None).unwrap();
        let bytes = ct_bytes(&g, &ct, &sel);
        assert_eq!(bytes.len(), 2 * g.len());
        assert_eq!(i16::from_le_bytes([bytes[0], bytes[1]]), -100);
        assert_eq!(i16::from_le_bytes([bytes[118], bytes[119]]), 59 * 7 - 100);
    }

    #[test]
    fn slab_and_level_pick_the_right_voxels() {
        let g = grid();
        let ct: Vec<i16> = (0..g.len() as i16).collect();
        let sel = Selection::new(&g, Some(1), Some(1), Some(3)).unwrap();
        assert_eq!(sel.dims(&g), [3, 2, 2]);
        let bytes = ct_bytes(&g, &ct, &sel);
        let values: Vec<i16> = bytes
            .chunks(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        // k = 1: rows 0 and 2, columns 0, 2, 4.
        assert_eq!(&values[..6], &[15, 17, 19, 25, 27, 29]);
        assert_eq!(values[6], 30);
        assert_eq!(values.len(), 12);
    }

    #[test]
    fn refuses_bad_selections() {
        let g = grid();
        assert_eq!(
            Selection::new(&g, Some(5), None, None),
            Err(SelectionError::Level(5))
        );
        assert!(matches!(
            Selection::new(&g, None, Some(3), Some(3)),
            Err(SelectionError::Slab { .. })
        ));
        assert!(matches!(
            Selection::new(&g, None, None, Some(5)),
            Err(SelectionError::Slab { .. })
        ));
    }

    #[test]
    fn coarse_masks_keep_small_structures() {
        let g = grid();
        let mut small = vec![0u8; g.len()];
        small[g.index([3, 1, 2])] = 1;
        let masks = vec![LabelMask::new("tumor", small)];
        let sel = Selection::new(&g, Some(1), Some(1), Some(3)).unwrap();
        let bytes = mask_bytes(&g, &masks, &sel);
        assert_eq!(bytes.len(), 3 * 2 * 2);
        // The voxel (3, 1) of slice 2 falls in the block of cell (1, 0) of the second slab slice,
        // though subsampling (columns 0, 2, 4; rows 0, 2) would miss it.
        let inside: Vec<usize> = (0..bytes.len()).filter(|&n| bytes[n] == 1).collect();
        assert_eq!(inside, [6 + 1]);
    }

    #[test]
    fn masks_pack_one_bit_per_structure() {
        let g = grid();
        let mut a = vec![0u8; g.len()];
        let mut b = vec![0u8; g.len()];
        a[3] = 1;
        b[3] = 255;
        b[4] = 1;
        let masks = vec![LabelMask::new("liver", a), LabelMask::new("tumor", b)];
        let sel = Selection::new(&g, None, None, None).unwrap();
        let bytes = mask_bytes(&g, &masks, &sel);
        assert_eq!(bytes.len(), g.len());
        assert_eq!(&bytes[2..6], &[0, 3, 2, 0]);
        // Nine structures need two bytes per voxel.
        let many: Vec<LabelMask> = (0..9)
            .map(|n| LabelMask::new(format!("s{n}"), vec![u8::from(n == 8); g.len()]))
            .collect();
        let bytes = mask_bytes(&g, &many, &sel);
        assert_eq!(bytes.len(), 2 * g.len());
        assert_eq!(&bytes[..2], &[0, 1]);
    }
}
