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
    type Row<'a> = (&'a str, String, &'a BTreeMap<String, f64>);
    let rows: Vec<Row<'_>> = patients
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
        .collect();
    let names: BTreeSet<&str> = rows
        .iter()
        .flat_map(|(_, _, f)| f.keys().map(String::as_str))
        .collect();
    if names.is_empty() {
        return None;
    }
    let mut columns = vec![("patient", Kind::Text), ("region", Kind::Text)];
    columns.extend(names.iter().map(|n| (*n, Kind::Float)));
    let mut table = Table::new(&columns);
    for (patient, region, features) in &rows {
        let mut row = table.row();
        row.text(patient).text(region);
        for name in &names {
            row.num(features.get(*name).copied().filter(|v| v.is_finite()));
        }
    }
    Some(table)
}
