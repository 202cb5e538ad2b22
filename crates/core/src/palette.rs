//! The one default palette of structure colours, keyed by structure name and role: the PNGs of
//! `tumorscope-render` and the viewer (served by `tumorscope-server`) colour a structure alike.

use crate::{classify_structure, StructureRole};

/// Tumors: a red/orange/magenta family, distinct from one another on a grey CT.
const TUMOR_COLORS: [[u8; 3]; 6] = [
    [255, 40, 40],
    [255, 140, 0],
    [230, 0, 120],
    [255, 100, 70],
    [190, 0, 0],
    [255, 190, 60],
];

/// Anything the rules below do not name: hues away from red and from the vessel blues.
const OTHER_COLORS: [[u8; 3]; 6] = [
    [0, 200, 200],
    [200, 200, 0],
    [255, 120, 200],
    [120, 255, 120],
    [255, 160, 120],
    [160, 160, 255],
];

/// The default colour of a structure.
///
/// Roles first (classified from the name, as [`classify_structure`] does): liver green,
/// tumors from a red/orange family chosen by `index`, cysts yellow. Other structures by name:
/// veins blue, the portal vein purple, arteries/aorta violet, bone ivory, lungs light blue,
/// kidneys, spleen, gallbladder, skin … each its own colour; unknown names take the
/// `index`-th colour of a fallback palette. `index` should be the structure's rank among the
/// patient's tumors (for tumors) or among all its masks (otherwise), so colours are stable
/// for a patient whatever overlays are asked for.
pub fn default_color(name: &str, index: usize) -> [u8; 3] {
    match classify_structure(name) {
        StructureRole::Liver => return [60, 200, 90],
        StructureRole::Tumor => return TUMOR_COLORS[index % TUMOR_COLORS.len()],
        StructureRole::Cyst => return [240, 230, 60],
        StructureRole::Vessel | StructureRole::Other => {}
    }
    let n = name.to_ascii_lowercase();
    let named: &[(&str, [u8; 3])] = &[
        ("portal", [150, 80, 255]),
        ("arter", [200, 60, 220]),
        ("aorta", [200, 60, 220]),
        ("vein", [60, 130, 255]),
        ("vena", [60, 130, 255]),
        ("venous", [60, 130, 255]),
        ("vessel", [90, 110, 255]),
        ("bone", [240, 235, 210]),
        ("lung", [130, 200, 255]),
        ("kidney", [200, 120, 60]),
        ("spleen", [170, 60, 90]),
        ("gallbladder", [40, 150, 40]),
        ("skin", [255, 210, 180]),
        ("heart", [220, 80, 80]),
        ("stomach", [230, 170, 120]),
        ("pancrea", [255, 220, 140]),
    ];
    named
        .iter()
        .find(|(key, _)| n.contains(key))
        .map(|(_, c)| *c)
        .unwrap_or(OTHER_COLORS[index % OTHER_COLORS.len()])
}

/// The default colours of a patient's structures, in their order: a tumor's index is its rank
/// among the tumors, any other structure's its rank among all structures (so colours are
/// stable for a patient whatever overlays are shown).
pub fn structure_colors<'a>(
    structures: impl IntoIterator<Item = (&'a str, StructureRole)>,
) -> Vec<[u8; 3]> {
    let mut tumors = 0;
    structures
        .into_iter()
        .enumerate()
        .map(|(n, (name, role))| {
            let index = if role == StructureRole::Tumor {
                tumors += 1;
                tumors - 1
            } else {
                n
            };
            default_color(name, index)
        })
        .collect()
}

/// `#rrggbb` of a colour, for the web page.
pub fn color_hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tumors_count_among_tumors_and_others_among_all() {
        let colors = structure_colors([
            ("liver", StructureRole::Liver),
            ("livertumor01", StructureRole::Tumor),
            ("mystery", StructureRole::Other),
            ("livertumor02", StructureRole::Tumor),
        ]);
        assert_eq!(colors[0], default_color("liver", 0));
        assert_eq!(colors[1], default_color("livertumor01", 0));
        assert_eq!(colors[2], default_color("mystery", 2));
        assert_eq!(colors[3], default_color("livertumor02", 1));
        assert_ne!(colors[1], colors[3]);
        assert_eq!(color_hex([60, 200, 90]), "#3cc85a");
    }
}
