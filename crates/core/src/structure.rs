//! Roles of named structures: which masks are the liver, which are tumors, which are cysts.
//!
//! Datasets name masks freely (3D-IRCADb alone uses `livertumor1`, `livertumor01`,
//! `livertumors`, `liverkyst`, `leftlung`, `portalvein1` …). The rules below are the documented
//! defaults; callers may override the role of any mask.

use serde::{Deserialize, Serialize};

/// What a structure mask represents for tumor analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StructureRole {
    /// The liver parenchyma (the reference organ for tumor burden).
    Liver,
    /// A tumor (lesion counted and measured).
    Tumor,
    /// A cyst: a lesion that is explicitly not a tumor.
    Cyst,
    /// A blood vessel (artery, aorta, portal vein, hepatic or venous system, vena cava):
    /// tumours are measured against it (distance, contact).
    Vessel,
    /// Any other organ or structure (vessels, bone, skin, lungs …).
    Other,
}

/// Role of a structure by its name, case-insensitive, ignoring trailing digits and separators.
///
/// - `liver` → liver;
/// - names containing `kyst` or `cyst` → cyst (checked before tumors: `liverkyst` is a cyst);
/// - names containing `tumor`/`tumour`, and `lesion*`, `metastas*s` other than
///   `metastasectomie` (a resection zone) → tumor;
/// - names of vessels: containing `arter`, `aorta`, `vein`, `venous`, `vena`, `cava`, `vessel`
///   or `vascul` (3D-IRCADb's `artery`, `portalvein1`, `venoussystem`, `venacava`;
///   TotalSegmentator's `aorta`, `inferior_vena_cava`, `portal_vein_and_splenic_vein`,
///   `liver_vessels`) → vessel;
/// - anything else → other.
pub fn classify_structure(name: &str) -> StructureRole {
    let lower = name.to_ascii_lowercase();
    let stem =
        lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_' || c == '-' || c == ' ');
    if stem == "liver" {
        StructureRole::Liver
    } else if stem.contains("kyst") || stem.contains("cyst") {
        StructureRole::Cyst
    } else if stem.contains("tumor")
        || stem.contains("tumour")
        || stem.starts_with("lesion")
        || (stem.starts_with("metastas") && !stem.starts_with("metastasect"))
    {
        StructureRole::Tumor
    } else if [
        "arter", "aorta", "vein", "venous", "vena", "cava", "vessel", "vascul",
    ]
    .iter()
    .any(|v| stem.contains(v))
    {
        StructureRole::Vessel
    } else {
        StructureRole::Other
    }
}

/// Role of a structure by its coded type (SNOMED CT, as DICOM SEG's Segmented Property Type
/// and 3D Slicer's terminology carry it); `None` for other schemes and codes, which leave the
/// role to the name.
pub fn role_of_code(scheme: &str, code: &str) -> Option<StructureRole> {
    // `SRT` is the retired DICOM designator of SNOMED; old files still use it.
    if !(scheme.eq_ignore_ascii_case("SCT") || scheme.eq_ignore_ascii_case("SRT")) {
        return None;
    }
    match code {
        // Liver.
        "10200004" => Some(StructureRole::Liver),
        // Neoplasm, mass, lesion, metastasis, malignant neoplasm of liver, tumour.
        "108369006" | "4147007" | "52988006" | "14799000" | "128462008" | "93870000"
        | "94381002" | "86049000" | "363346000" => Some(StructureRole::Tumor),
        // Cyst, cyst of liver.
        "441457006" | "85198004" => Some(StructureRole::Cyst),
        // Blood vessel, artery, vein, aorta, portal vein, hepatic vein, hepatic artery,
        // inferior vena cava, splenic vein, hepatic portal system.
        "59820001" | "51114001" | "29092000" | "15825003" | "32764006" | "8993003" | "76015000"
        | "64131007" | "35819009" | "278954003" => Some(StructureRole::Vessel),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ircad_names() {
        use StructureRole::*;
        let cases = [
            ("liver", Liver),
            ("Liver", Liver),
            ("livertumor1", Tumor),
            ("livertumor01", Tumor),
            ("livertumors", Tumor),
            ("tumor", Tumor),
            ("liverkyst", Cyst),
            ("livercyst", Cyst),
            ("portalvein1", Vessel),
            ("leftlung", Other),
            ("venoussystem", Vessel),
            ("artery", Vessel),
            ("venacava", Vessel),
            ("inferior_vena_cava", Vessel),
            ("portal_vein_and_splenic_vein", Vessel),
            ("liver_vessels", Vessel),
            ("aorta", Vessel),
            ("bone", Other),
            ("skin", Other),
            ("metastasectomie", Other),
            ("liverkyst2", Cyst),
        ];
        for (name, role) in cases {
            assert_eq!(classify_structure(name), role, "{name}");
        }
    }
}
