//! One patient's loaded images: a CT volume in Hounsfield units and its structure masks.

use crate::{classify_structure, BitMask, StructureRole, Volume};

/// A binary mask of one named structure on the CT grid of its patient.
///
/// Voxel `n` (same index as in the CT volume) is inside when `bits.get(n)`; loaders map any
/// non-zero source value to inside, so 0/255 and 0/1 masks read alike.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMask {
    /// Structure name as the dataset spells it (`livertumor01`, `liver`, `tumor` …).
    pub name: String,
    /// What the structure is, from [`classify_structure`] unless a caller overrode it.
    pub role: StructureRole,
    /// One bit per CT voxel, in the CT volume's voxel order.
    pub bits: BitMask,
}

impl LabelMask {
    /// A mask whose role follows from its name; `bits` may be given as bytes (non-zero =
    /// inside).
    pub fn new(name: impl Into<String>, bits: impl Into<BitMask>) -> Self {
        let name = name.into();
        let role = classify_structure(&name);
        Self {
            name,
            role,
            bits: bits.into(),
        }
    }

    /// Number of voxels inside.
    pub fn voxel_count(&self) -> usize {
        self.bits.count_ones()
    }

    /// Whether voxel `n` is inside (`false` past the end).
    #[inline]
    pub fn contains(&self, n: usize) -> bool {
        self.bits.contains(n)
    }
}

/// A patient's CT volume (HU) with every structure mask that lies on its grid.
#[derive(Debug, Clone)]
pub struct PatientImage {
    /// The patient label (`3Dircadb1.17`, `volume-3`, `liver_007` …).
    pub patient: String,
    /// Hounsfield units, exact when the rescale maps stored values to integers.
    pub ct: Volume<i16>,
    /// Structure masks, all with `bits.len() == ct.data.len()`.
    pub masks: Vec<LabelMask>,
}

impl PatientImage {
    /// The masks playing `role`.
    pub fn masks_with_role(&self, role: StructureRole) -> impl Iterator<Item = &LabelMask> {
        self.masks.iter().filter(move |m| m.role == role)
    }

    /// The mask called `name` (ASCII case-insensitive).
    pub fn mask(&self, name: &str) -> Option<&LabelMask> {
        self.masks
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
    }
}
