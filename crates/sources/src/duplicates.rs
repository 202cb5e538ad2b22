//! The same instance found twice — a copy of a folder, a zip beside its extracted folder — is
//! kept once. Instances are the same when their SOP Instance UIDs are and their bytes are
//! identical (both files are read whole to compare; only UIDs seen twice cost that). The same
//! UID with other bytes is a conflict: both copies stay, and the user is told.

use std::collections::BTreeMap;

use tumorscope_dataset::Duplicate;
use tumorscope_dicom::ScannedInstance;
use tumorscope_ingest::{read_entry, Origin, WalkOptions};

/// Drops exact duplicates from `instances` (the first origin in order is kept) and says what
/// was dropped or found in conflict.
pub fn drop_duplicates(
    instances: Vec<ScannedInstance>,
    walk: &WalkOptions,
) -> (Vec<ScannedInstance>, Vec<Duplicate>) {
    // Frames of one multi-frame file share its UID: a frame is a duplicate of the same frame.
    let mut by_uid: BTreeMap<(&str, Option<u32>), Vec<usize>> = BTreeMap::new();
    for (n, inst) in instances.iter().enumerate() {
        if !inst.header.sop_instance_uid.is_empty() {
            by_uid
                .entry((inst.header.sop_instance_uid.as_str(), inst.frame))
                .or_default()
                .push(n);
        }
    }
    let mut drop = vec![false; instances.len()];
    let mut found = Vec::new();
    for group in by_uid.values().filter(|g| g.len() > 1) {
        let first = &instances[group[0]];
        let Ok(first_bytes) = read_entry(&Origin::from(first.origin.as_str()), walk) else {
            continue;
        };
        for &n in &group[1..] {
            let other = &instances[n];
            // Inside one patient folder of a folder-keyed layout, two structures may hold
            // identical files (3D-IRCADb's `livertumors` and `livertumor01`): both are data.
            let same_folder = first.root == other.root
                && first.patient_folder.is_some()
                && first.patient_folder == other.patient_folder;
            if same_folder && first.origin != other.origin {
                continue;
            }
            let Ok(bytes) = read_entry(&Origin::from(other.origin.as_str()), walk) else {
                continue;
            };
            let identical = bytes == first_bytes;
            drop[n] = identical;
            found.push(Duplicate {
                origin: other.origin.clone(),
                same_uid_as: first.origin.clone(),
                identical,
            });
        }
    }
    let kept = instances
        .into_iter()
        .zip(drop)
        .filter_map(|(inst, dropped)| (!dropped).then_some(inst))
        .collect();
    (kept, found)
}
