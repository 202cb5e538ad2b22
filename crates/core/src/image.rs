//! One patient's loaded images: a CT volume in Hounsfield units and its structure masks.

use crate::{classify_structure, StructureRole, Volume};

/// A binary mask of one named structure on the CT grid of its patient.
///
/// `data[n]` is 1 inside and 0 outside; loaders map any non-zero source value to 1, so 0/255
/// and 0/1 masks read alike.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelMask {
    /// Structure name as the dataset spells it (`livertumor01`, `liver`, `tumor` …).
    pub name: String,
    /// What the structure is, from [`classify_structure`] unless a caller overrode it.
    pub role: StructureRole,
    /// One byte per CT voxel, same layout as the CT volume.
    pub data: Vec<u8>,
}

impl LabelMask {
    /// A mask whose role follows from its name.
    pub fn new(name: impl Into<String>, data: Vec<u8>) -> Self {
        let name = name.into();
        let role = classify_structure(&name);
        Self { name, role, data }
    }

    /// Number of voxels inside.
    pub fn voxel_count(&self) -> usize {
        self.data.iter().filter(|&&v| v != 0).count()
    }
}

/// A patient's CT volume (HU) with every structure mask that lies on its grid.
#[derive(Debug, Clone)]
pub struct PatientImage {
    /// The patient label (`3Dircadb1.17`, `volume-3`, `liver_007` …).
    pub patient: String,
    /// Hounsfield units, exact when the rescale maps stored values to integers.
    pub ct: Volume<i16>,
    /// Structure masks, all with `data.len() == ct.data.len()`.
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
