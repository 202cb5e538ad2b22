//! `radiomics.csv`: one row per region (each tumour, then each structure whose features were
//! asked for), one column per radiomics feature (pyradiomics' names, as `analyze --radiomics`
//! computed them); written only when some region has features.

use std::collections::{BTreeMap, BTreeSet};

use crate::table::{Kind, Table};
use crate::PatientReport;

/// The table, or `None` when no region carries radiomics features. Columns: `patient`,
/// `region` (the tumour id, or the structure name), then every feature name any region has,
/// sorted; a feature a region lacks, or NaN, is an empty cell.
pub fn radiomics_csv(patients: &[PatientReport]) -> Option<Vec<u8>> {
    radiomics_table(patients).map(|t| t.to_csv())
}

/// The rows of [`radiomics_csv`] (`radiomics.csv`, `radiomics.parquet`), features as doubles.
pub fn radiomics_table(patients: &[PatientReport]) -> Option<Table> {
    let names = radiomics_names(patients);
    if names.is_empty() {
        return None;
    }
    Some(radiomics_rows(
        &names.into_iter().collect::<Vec<_>>(),
        patients,
    ))
}

/// The regions with features: `(patient, region, features)`, tumours first.
fn regions(patients: &[PatientReport]) -> Vec<(&str, String, &BTreeMap<String, f64>)> {
    patients
        .iter()
        .flat_map(|p| {
            let s = &p.stats;
            let tumors = s.tumors.iter().filter_map(move |t| {
                Some((s.patient.as_str(), t.id.to_string(), t.radiomics.as_ref()?))
            });
            let organs = s.organs.iter().filter_map(move |o| {
                Some((s.patient.as_str(), o.name.clone(), o.radiomics.as_ref()?))
            });
            tumors.chain(organs)
        })
        .collect()
}

/// Every feature name some region of `patients` has.
pub(crate) fn radiomics_names(patients: &[PatientReport]) -> BTreeSet<String> {
    regions(patients)
        .iter()
        .flat_map(|(_, _, f)| f.keys().cloned())
        .collect()
}

/// The table's rows for `patients` with the feature columns `names` (sorted).
pub(crate) fn radiomics_rows(names: &[String], patients: &[PatientReport]) -> Table {
    let mut columns = vec![("patient", Kind::Text), ("region", Kind::Text)];
    columns.extend(names.iter().map(|n| (n.as_str(), Kind::Float)));
    let mut table = Table::new(&columns);
    for (patient, region, features) in regions(patients) {
        let mut row = table.row();
        row.text(patient).text(&region);
        for name in names {
            row.num(features.get(name).copied().filter(|v| v.is_finite()));
        }
    }
    table
}
