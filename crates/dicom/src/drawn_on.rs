//! Finding the image series a derived object (a DICOM SEG, an RT Structure Set) was drawn on:
//! the series its references name, else one of its Frame of Reference. Each reader keeps its
//! own rule for which series it accepts (a SEG's frames must fit the grid; an RTSTRUCT takes
//! any image series) and its own messages.

use tumorscope_dataset::{Patient, Series, Structure};

/// `(patient, series)` of the accepted series whose UID is in `referenced`, preferring one
/// found under the same input path (`root`) as the object.
pub(crate) fn referenced_series(
    patients: &[Patient],
    root: usize,
    referenced: &[String],
    accept: impl Fn(&Series) -> bool,
) -> Option<(usize, usize)> {
    let found: Vec<(usize, usize, usize)> = indexed(patients)
        .filter(|(_, _, _, series)| referenced.contains(&series.series_uid) && accept(series))
        .map(|(p, s, patient, _)| (p, s, patient.root))
        .collect();
    found
        .iter()
        .find(|(_, _, r)| *r == root)
        .or(found.first())
        .map(|&(p, s, _)| (p, s))
}

/// `(patient, series)` of the accepted image series (never a localizer) of
/// `frame_of_reference`: one of `study_uid` first, then the one with the most slices.
pub(crate) fn series_of_frame(
    patients: &[Patient],
    frame_of_reference: &str,
    study_uid: &str,
    accept: impl Fn(&Series) -> bool,
) -> Option<(usize, usize)> {
    indexed(patients)
        .filter(|(_, _, _, series)| {
            series.info.frame_of_reference_uid == frame_of_reference
                && !series.localizer
                && accept(series)
        })
        .min_by_key(|(_, _, _, series)| {
            (
                series.study_uid != study_uid,
                std::cmp::Reverse(series.slices.len()),
            )
        })
        .map(|(p, s, _, _)| (p, s))
}

fn indexed(patients: &[Patient]) -> impl Iterator<Item = (usize, usize, &Patient, &Series)> + '_ {
    patients.iter().enumerate().flat_map(|(p, patient)| {
        patient
            .series
            .iter()
            .enumerate()
            .map(move |(s, series)| (p, s, patient, series))
    })
}

/// Attaches each derived object of `found` to the series `target` finds for it, adding the
/// structures `place` makes (the series' structures stay sorted by name); returns the objects
/// attached nowhere, with the reason.
pub(crate) fn attach_all<T>(
    patients: &mut [Patient],
    found: Vec<T>,
    target: impl Fn(&[Patient], &T) -> Result<(usize, usize), String>,
    place: impl Fn(&Series, &T) -> Vec<Structure>,
) -> Vec<(T, String)> {
    let mut left = Vec::new();
    for object in found {
        match target(patients, &object) {
            Ok((p, s)) => {
                let series = &mut patients[p].series[s];
                let structures = place(series, &object);
                series.structures.extend(structures);
                series.structures.sort_by(|a, b| a.name.cmp(&b.name));
            }
            Err(reason) => left.push((object, reason)),
        }
    }
    left
}
