//! Patient labels users can tell apart: short when unambiguous (`3Dircadb1.1`), qualified by
//! where the patient was found only when two patients would share one (`siteA/3Dircadb1.1`).

use std::collections::BTreeMap;

use crate::Patient;

/// Makes every label unique. Patients sharing a label get the shortest tail of their location
/// (relative to their input path) that tells them apart; if locations cannot (the same folder
/// under two inputs, or one folder holding several anonymous studies), ` #2`, ` #3` … follow
/// in order.
pub fn make_labels_unique(patients: &mut [Patient], roots: &[std::path::PathBuf]) {
    let mut by_label: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, p) in patients.iter().enumerate() {
        by_label.entry(p.label.clone()).or_default().push(n);
    }
    for (label, members) in by_label.into_iter().filter(|(_, m)| m.len() > 1) {
        let paths: Vec<Vec<String>> = members
            .iter()
            .map(|&n| relative_segments(&patients[n], roots))
            .collect();
        let longest = paths.iter().map(Vec::len).max().unwrap_or(0);
        let mut chosen: Option<Vec<String>> = None;
        for tail in 1..=longest {
            let names: Vec<String> = paths.iter().map(|p| qualified(p, tail, &label)).collect();
            let mut unique = names.clone();
            unique.sort();
            unique.dedup();
            if unique.len() == names.len() {
                chosen = Some(names);
                break;
            }
        }
        let names = chosen.unwrap_or_else(|| {
            let base: Vec<String> = paths
                .iter()
                .map(|p| qualified(p, longest, &label))
                .collect();
            base.iter()
                .enumerate()
                .map(|(i, b)| {
                    let earlier = base[..i].iter().filter(|x| *x == b).count();
                    if earlier == 0 {
                        b.clone()
                    } else {
                        format!("{b} #{}", earlier + 1)
                    }
                })
                .collect()
        });
        for (&n, name) in members.iter().zip(names) {
            patients[n].label = name;
        }
    }
}

/// The label qualified by the last `tail` folders of its location (without a folder equal to
/// the label itself at the end, which would only repeat it).
fn qualified(segments: &[String], tail: usize, label: &str) -> String {
    let start = segments.len().saturating_sub(tail);
    let mut parts: Vec<&str> = segments[start..].iter().map(String::as_str).collect();
    parts.push(label);
    parts.join("/")
}

/// The folders of a patient's location below its input path, the patient's own folder left out.
fn relative_segments(p: &Patient, roots: &[std::path::PathBuf]) -> Vec<String> {
    let root = roots
        .get(p.root)
        .map(|r| r.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let root_segments: Vec<&str> = root
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    let mut segments: Vec<String> = p
        .location
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .map(str::to_owned)
        .collect();
    if segments.len() >= root_segments.len()
        && segments.iter().zip(&root_segments).all(|(a, b)| a == b)
    {
        // Keep the input's own last name: `siteA` when the input was `sites/siteA`.
        let keep_from = root_segments.len().saturating_sub(1);
        segments.drain(..keep_from);
    }
    if segments.last().is_some_and(|s| *s == p.label) {
        segments.pop();
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Layout;

    fn patient(label: &str, root: usize, location: &str) -> Patient {
        Patient {
            label: label.to_owned(),
            layout: Layout::Ircad,
            root,
            location: location.to_owned(),
            series: vec![],
            unattached: vec![],
        }
    }

    fn labels(patients: &[Patient]) -> Vec<&str> {
        patients.iter().map(|p| p.label.as_str()).collect()
    }

    #[test]
    fn short_when_unique_qualified_when_not() {
        let roots = ["sites".into()];
        let mut ps = vec![
            patient("3Dircadb1.1", 0, "sites/siteA/3Dircadb1.1"),
            patient("3Dircadb1.1", 0, "sites/siteB/3Dircadb1.1"),
            patient("3Dircadb1.2", 0, "sites/siteA/3Dircadb1.2"),
        ];
        make_labels_unique(&mut ps, &roots);
        assert_eq!(
            labels(&ps),
            ["siteA/3Dircadb1.1", "siteB/3Dircadb1.1", "3Dircadb1.2"]
        );
    }

    #[test]
    fn the_same_folder_under_two_inputs_and_anonymous_studies() {
        let roots = ["a/data".into(), "b/data".into()];
        let mut ps = vec![
            patient("p", 0, "a/data/p"),
            patient("p", 1, "b/data/p"),
            patient("anonymous", 0, "a/data/export"),
            patient("anonymous", 0, "a/data/export"),
        ];
        make_labels_unique(&mut ps, &roots);
        assert_eq!(
            labels(&ps),
            [
                "data/p",
                "data/p #2",
                "data/export/anonymous",
                "data/export/anonymous #2"
            ]
        );
    }
}
