//! The tumorscope catalog: an SQLite index of what a scan found, so later commands and the
//! viewer need not read the files again.
//!
//! One file (default `tumorscope.db`), schema versioned with `PRAGMA user_version` and migrated
//! forward on open. A scan replaces the rows of the roots it scanned and leaves other roots
//! alone, so one catalog can index several datasets. Analysis results are stored per patient
//! as JSON documents.

mod analyses;
mod scan_memo;
mod schema;

pub use analyses::StoredAnalysis;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use tumorscope_dataset::{natural_cmp, Dataset, Patient, Skipped};

pub use schema::SCHEMA_VERSION;

/// Errors of the catalog; each says which database file.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("catalog `{path}`: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("catalog `{path}` has schema version {found}, newer than this tumorscope ({supported})\nhint: use a newer tumorscope or another `--db`")]
    TooNew {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error("catalog `{path}`: cannot encode `{what}`: {source}")]
    Json {
        path: String,
        what: String,
        source: serde_json::Error,
    },
}

/// A patient row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PatientRow {
    pub id: i64,
    pub label: String,
    pub layout: String,
    pub root: String,
    pub series: i64,
    pub masks: i64,
}

/// An open catalog.
#[derive(Debug)]
pub struct Catalog {
    conn: Connection,
    path: String,
}

impl Catalog {
    /// Opens (creating and migrating as needed) the catalog at `path`.
    pub fn open(path: &Path) -> Result<Self, CatalogError> {
        let p = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| CatalogError::Sqlite {
            path: p.clone(),
            source,
        })?;
        let mut catalog = Self { conn, path: p };
        catalog.migrate()?;
        Ok(catalog)
    }

    /// An in-memory catalog (tests, one-shot runs).
    pub fn in_memory() -> Result<Self, CatalogError> {
        let conn = Connection::open_in_memory().map_err(|source| CatalogError::Sqlite {
            path: ":memory:".into(),
            source,
        })?;
        let mut catalog = Self {
            conn,
            path: ":memory:".into(),
        };
        catalog.migrate()?;
        Ok(catalog)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> CatalogError + '_ {
        move |source| CatalogError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&mut self) -> Result<(), CatalogError> {
        let path = self.path.clone();
        let e = |source| CatalogError::Sqlite {
            path: path.clone(),
            source,
        };
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(&e)?;
        self.conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(&e)?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(&e)?;
        if version > SCHEMA_VERSION {
            return Err(CatalogError::TooNew {
                path,
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        let tx = self.conn.transaction().map_err(&e)?;
        for (n, sql) in schema::MIGRATIONS.iter().enumerate() {
            let target = n as i64 + 1;
            if version < target {
                tx.execute_batch(sql).map_err(&e)?;
                tx.pragma_update(None, "user_version", target).map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)?;
        Ok(())
    }

    /// Records a scan: replaces everything previously recorded under the same roots.
    ///
    /// Roots and origins are stored absolute and canonical, so the catalog works from any
    /// working directory.
    pub fn record_scan(&mut self, dataset: &Dataset) -> Result<(), CatalogError> {
        let canonical: Vec<PathBuf> = dataset.roots.iter().map(|r| canonical(r)).collect();
        let dataset = &dataset.with_roots(&canonical);
        let path = self.path.clone();
        let e = |source| CatalogError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&e)?;
        scan_memo::forget_trees_of(&tx, &dataset.roots).map_err(&e)?;
        for root in &dataset.roots {
            let root = root.display().to_string();
            tx.execute("DELETE FROM patients WHERE root = ?1", params![root])
                .map_err(&e)?;
            tx.execute("DELETE FROM skipped WHERE root = ?1", params![root])
                .map_err(&e)?;
            tx.execute("DELETE FROM roots WHERE root = ?1", params![root])
                .map_err(&e)?;
        }
        // Per-root counts are only known for the whole scan: the first root carries them.
        for (n, root) in dataset.roots.iter().enumerate() {
            let (ignored, instances) = if n == 0 {
                (dataset.ignored, dataset.instances)
            } else {
                (0, 0)
            };
            tx.execute(
                "INSERT INTO roots (root, ignored, instances) VALUES (?1, ?2, ?3)",
                params![root.display().to_string(), ignored as i64, instances as i64],
            )
            .map_err(&e)?;
        }
        for patient in &dataset.patients {
            let root = dataset
                .roots
                .get(patient.root)
                .map(|r| r.display().to_string())
                .unwrap_or_default();
            let layout = serde_json::to_value(patient.layout)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let document = to_json(&path, "patient", patient)?;
            tx.execute(
                "INSERT INTO patients (label, layout, root, patient_json) VALUES (?1, ?2, ?3, ?4)",
                params![patient.label, layout, root, document],
            )
            .map_err(&e)?;
            let patient_id = tx.last_insert_rowid();
            for series in &patient.series {
                let g = &series.geometry;
                tx.execute(
                    "INSERT INTO series (patient_id, series_uid, study_uid, modality, description, columns, rows, slices,
                       spacing_x_mm, spacing_y_mm, spacing_z_mm, localizer, geometry_json, info_json, warnings_json)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    params![
                        patient_id,
                        series.series_uid,
                        series.study_uid,
                        series.modality,
                        series.description,
                        g.dims[0] as i64,
                        g.dims[1] as i64,
                        g.dims[2] as i64,
                        g.spacing_mm[0],
                        g.spacing_mm[1],
                        g.spacing_mm[2],
                        series.localizer,
                        to_json(&path, "geometry", &g)?,
                        to_json(&path, "info", &series.info)?,
                        to_json(&path, "warnings", &series.warnings)?,
                    ],
                )
                .map_err(&e)?;
                let series_id = tx.last_insert_rowid();
                let mut insert_instance = tx
                    .prepare_cached("INSERT INTO instances (series_id, mask_id, origin, k, instance_number) VALUES (?1, ?2, ?3, ?4, ?5)")
                    .map_err(&e)?;
                for s in &series.slices {
                    insert_instance
                        .execute(params![
                            series_id,
                            Option::<i64>::None,
                            s.origin,
                            s.k as i64,
                            s.instance_number
                        ])
                        .map_err(&e)?;
                }
                for mask in &series.structures {
                    let role = serde_json::to_value(mask.role)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned));
                    tx.execute(
                        "INSERT INTO masks (series_id, name, role, series_uid, slices) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![series_id, mask.name, role, mask.series_uid, mask.slices.len() as i64],
                    )
                    .map_err(&e)?;
                    let mask_id = tx.last_insert_rowid();
                    for s in &mask.slices {
                        insert_instance
                            .execute(params![
                                series_id,
                                mask_id,
                                s.origin,
                                s.k as i64,
                                s.instance_number
                            ])
                            .map_err(&e)?;
                    }
                }
            }
        }
        for s in &dataset.skipped {
            let root = dataset
                .roots
                .iter()
                .map(|r| r.display().to_string())
                .find(|r| s.origin.starts_with(r.as_str()))
                .unwrap_or_default();
            tx.execute(
                "INSERT INTO skipped (root, origin, reason) VALUES (?1, ?2, ?3)",
                params![root, s.origin, s.reason],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(())
    }

    /// Every patient, in label order.
    pub fn patients(&self) -> Result<Vec<PatientRow>, CatalogError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT p.id, p.label, p.layout, p.root,
                        (SELECT COUNT(*) FROM series s WHERE s.patient_id = p.id),
                        (SELECT COUNT(*) FROM masks m JOIN series s ON m.series_id = s.id WHERE s.patient_id = p.id)
                 FROM patients p ORDER BY p.label",
            )
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(PatientRow {
                    id: r.get(0)?,
                    label: r.get(1)?,
                    layout: r.get(2)?,
                    root: r.get(3)?,
                    series: r.get(4)?,
                    masks: r.get(5)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err())
    }

    /// The dataset as last scanned, rebuilt without reading any file: every root in the
    /// catalog, or only `roots` when given. Patient `root` indices refer to the returned roots.
    pub fn dataset(&self, roots: Option<&[std::path::PathBuf]>) -> Result<Dataset, CatalogError> {
        let mut stmt = self
            .conn
            .prepare("SELECT root, ignored, instances FROM roots ORDER BY root")
            .map_err(self.err())?;
        let all: Vec<(String, i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(self.err())?
            .collect::<Result<_, _>>()
            .map_err(self.err())?;
        let wanted: Vec<(String, i64, i64)> = match roots {
            Some(rs) => {
                let names: Vec<String> = rs
                    .iter()
                    .map(|r| canonical(r).display().to_string())
                    .collect();
                all.into_iter()
                    .filter(|(r, _, _)| names.contains(r))
                    .collect()
            }
            None => all,
        };
        let mut dataset = Dataset {
            roots: wanted
                .iter()
                .map(|(r, _, _)| std::path::PathBuf::from(r))
                .collect(),
            patients: Vec::new(),
            ignored: wanted.iter().map(|w| w.1 as usize).sum(),
            instances: wanted.iter().map(|w| w.2 as usize).sum(),
            ..Dataset::default()
        };
        for (index, (root, _, _)) in wanted.iter().enumerate() {
            let mut stmt = self
                .conn
                .prepare("SELECT patient_json FROM patients WHERE root = ?1 AND patient_json IS NOT NULL ORDER BY id")
                .map_err(self.err())?;
            let docs: Vec<String> = stmt
                .query_map(params![root], |r| r.get(0))
                .map_err(self.err())?
                .collect::<Result<_, _>>()
                .map_err(self.err())?;
            for doc in docs {
                let mut patient: Patient =
                    serde_json::from_str(&doc).map_err(|source| CatalogError::Json {
                        path: self.path.clone(),
                        what: "patient".into(),
                        source,
                    })?;
                patient.root = index;
                dataset.patients.push(patient);
            }
            let mut stmt = self
                .conn
                .prepare("SELECT origin, reason FROM skipped WHERE root = ?1 ORDER BY origin")
                .map_err(self.err())?;
            let skipped: Vec<Skipped> = stmt
                .query_map(params![root], |r| {
                    Ok(Skipped {
                        origin: r.get(0)?,
                        reason: r.get(1)?,
                    })
                })
                .map_err(self.err())?
                .collect::<Result<_, _>>()
                .map_err(self.err())?;
            dataset.skipped.extend(skipped);
        }
        dataset
            .patients
            .sort_by(|a, b| natural_cmp(&a.label, &b.label));
        Ok(dataset)
    }

    /// Number of instances indexed.
    pub fn instance_count(&self) -> Result<i64, CatalogError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM instances", [], |r| r.get(0))
            .map_err(self.err())
    }

    /// Stores a JSON result document (`kind` = "stats" …) for a patient label under `root`.
    pub fn put_result(
        &mut self,
        root: &str,
        label: &str,
        kind: &str,
        json: &str,
    ) -> Result<(), CatalogError> {
        let id: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM patients WHERE root = ?1 AND label = ?2",
                params![root, label],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        if let Some(id) = id {
            self.conn
                .execute(
                    "INSERT INTO results (patient_id, kind, json) VALUES (?1, ?2, ?3)
                     ON CONFLICT (patient_id, kind) DO UPDATE SET json = excluded.json",
                    params![id, kind, json],
                )
                .map_err(self.err())?;
        }
        Ok(())
    }

    /// The stored result document of a patient.
    pub fn result(&self, patient_id: i64, kind: &str) -> Result<Option<String>, CatalogError> {
        self.conn
            .query_row(
                "SELECT json FROM results WHERE patient_id = ?1 AND kind = ?2",
                params![patient_id, kind],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())
    }
}

/// The absolute, canonical form of an input path (as given when it cannot be resolved).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

fn to_json<T: serde::Serialize>(path: &str, what: &str, value: &T) -> Result<String, CatalogError> {
    serde_json::to_string(value).map_err(|source| CatalogError::Json {
        path: path.to_owned(),
        what: what.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_and_refuses_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let c = Catalog::open(&path).unwrap();
        let v: i64 = c
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        drop(c);
        // Re-opening is idempotent.
        let c = Catalog::open(&path).unwrap();
        c.conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(c);
        assert!(matches!(
            Catalog::open(&path),
            Err(CatalogError::TooNew { .. })
        ));
    }

    #[test]
    fn empty_dataset_records_nothing() {
        let mut c = Catalog::in_memory().unwrap();
        let d = Dataset {
            roots: vec!["x".into()],
            patients: vec![],
            ignored: 3,
            ..Dataset::default()
        };
        c.record_scan(&d).unwrap();
        assert!(c.patients().unwrap().is_empty());
        assert_eq!(c.instance_count().unwrap(), 0);
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;
    use tumorscope_phantom::{write_cohort, PhantomOptions};
    use tumorscope_sources::{scan, ScanOptions};

    #[test]
    fn records_a_scan_and_replaces_it_on_rescan() {
        let dir = tempfile::tempdir().unwrap();
        let options = PhantomOptions {
            patients: 3,
            ..PhantomOptions::default()
        };
        let written = write_cohort(&dir.path().join("c"), &options, true).unwrap();
        let dataset = scan(
            std::slice::from_ref(&written.root),
            &ScanOptions::default(),
            &|| {},
        );
        let files: usize = written
            .patients
            .iter()
            .map(|t| t.slices * (1 + t.structures.len()))
            .sum();

        let path = dir.path().join("cat.db");
        let mut c = Catalog::open(&path).unwrap();
        c.record_scan(&dataset).unwrap();
        c.record_scan(&dataset).unwrap();
        let patients = c.patients().unwrap();
        let labels: Vec<&str> = patients.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["3Dircadb1.1", "3Dircadb1.2", "3Dircadb1.3"]);
        assert_eq!(c.instance_count().unwrap() as usize, files);
        for (p, t) in patients.iter().zip(&written.patients) {
            assert_eq!(p.series, 1);
            assert_eq!(p.masks as usize, t.structures.len());
        }
        // The dataset comes back as scanned (masks attached, slices ordered), without rescanning.
        let back = c.dataset(None).unwrap();
        assert_eq!(back.patients, dataset.patients);
        assert_eq!(back.roots, dataset.roots);
        assert_eq!(
            (back.ignored, back.instances),
            (dataset.ignored, dataset.instances)
        );
        let only = c
            .dataset(Some(std::slice::from_ref(&written.root)))
            .unwrap();
        assert_eq!(only.patients.len(), 3);
        assert!(c
            .dataset(Some(&[std::path::PathBuf::from("elsewhere")]))
            .unwrap()
            .patients
            .is_empty());
        c.put_result(
            &written.root.display().to_string(),
            "3Dircadb1.2",
            "stats",
            r#"{"tumor_count":2}"#,
        )
        .unwrap();
        assert_eq!(
            c.result(patients[1].id, "stats").unwrap().as_deref(),
            Some(r#"{"tumor_count":2}"#)
        );
    }
}
