//! Analysis results stored per patient: `analyze --db` keeps each patient's result here with
//! what it was made from (the inputs' hash, the options' hash, the tool), reuses it while all
//! three still match, and `view --db` shows the newest current one instead of measuring again.
//! The document is opaque here (the batch crate's per-patient result, as JSON).

use std::path::{Path, PathBuf};

use rusqlite::params;

use crate::{canonical, Catalog, CatalogError};

/// One patient's stored result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnalysis {
    /// The input path the patient was scanned under (stored canonical).
    pub root: PathBuf,
    /// The patient's label.
    pub patient: String,
    pub options_hash: String,
    pub inputs_hash: String,
    pub tool: String,
    pub document: String,
}

impl Catalog {
    /// The results stored for the patients of `root` under `options_hash`.
    pub fn stored_analyses(
        &self,
        root: &Path,
        options_hash: &str,
    ) -> Result<Vec<StoredAnalysis>, CatalogError> {
        self.query_analyses(
            "SELECT root, patient, options_hash, inputs_hash, tool, document FROM analyses
             WHERE root = ?1 AND options_hash = ?2",
            params![canonical(root).to_string_lossy(), options_hash],
        )
    }

    /// The newest stored result of each patient of `root`, whatever its options.
    pub fn latest_analyses(&self, root: &Path) -> Result<Vec<StoredAnalysis>, CatalogError> {
        self.query_analyses(
            "SELECT root, patient, options_hash, inputs_hash, tool, document FROM analyses a
             WHERE root = ?1 AND rowid = (
                SELECT max(rowid) FROM analyses b WHERE b.root = a.root AND b.patient = a.patient)",
            params![canonical(root).to_string_lossy()],
        )
    }

    fn query_analyses(
        &self,
        sql: &str,
        values: impl rusqlite::Params,
    ) -> Result<Vec<StoredAnalysis>, CatalogError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(self.err())?;
        let rows = statement
            .query_map(values, |r| {
                Ok(StoredAnalysis {
                    root: PathBuf::from(r.get::<_, String>(0)?),
                    patient: r.get(1)?,
                    options_hash: r.get(2)?,
                    inputs_hash: r.get(3)?,
                    tool: r.get(4)?,
                    document: r.get(5)?,
                })
            })
            .map_err(self.err())?;
        rows.collect::<Result<_, _>>().map_err(self.err())
    }

    /// Stores results, each replacing the one of its patient, root and options (and becoming
    /// that patient's newest).
    pub fn store_analyses(&mut self, results: &[StoredAnalysis]) -> Result<(), CatalogError> {
        let path = self.path.clone();
        let e = |source| CatalogError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(&e)?;
        {
            let mut insert = tx
                .prepare(
                    "INSERT OR REPLACE INTO analyses
                        (root, patient, options_hash, inputs_hash, tool, document)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(&e)?;
            for r in results {
                insert
                    .execute(params![
                        canonical(&r.root).to_string_lossy(),
                        r.patient,
                        r.options_hash,
                        r.inputs_hash,
                        r.tool,
                        r.document
                    ])
                    .map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(root: &Path, patient: &str, options: &str, document: &str) -> StoredAnalysis {
        StoredAnalysis {
            root: root.to_path_buf(),
            patient: patient.into(),
            options_hash: options.into(),
            inputs_hash: "stamps:1".into(),
            tool: "tumorscope 0".into(),
            document: document.into(),
        }
    }

    /// The documents of each patient's newest result, sorted.
    fn newest(catalog: &Catalog, root: &Path) -> Vec<String> {
        let mut latest: Vec<String> = catalog
            .latest_analyses(root)
            .unwrap()
            .into_iter()
            .map(|r| r.document)
            .collect();
        latest.sort();
        latest
    }

    #[test]
    fn results_are_kept_per_options_and_the_newest_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let root = canonical(dir.path());
        let mut catalog = Catalog::in_memory().unwrap();
        catalog
            .store_analyses(&[
                stored(&root, "p1", "a", "p1 under a"),
                stored(&root, "p2", "a", "p2 under a"),
            ])
            .unwrap();
        catalog
            .store_analyses(&[stored(&root, "p1", "b", "p1 under b")])
            .unwrap();
        let under_a = catalog.stored_analyses(&root, "a").unwrap();
        assert_eq!(under_a.len(), 2);
        assert_eq!(newest(&catalog, &root), ["p1 under b", "p2 under a"]);
        // Storing under `a` again makes it p1's newest, replacing the old row.
        catalog
            .store_analyses(&[stored(&root, "p1", "a", "p1 under a, again")])
            .unwrap();
        assert_eq!(newest(&catalog, &root), ["p1 under a, again", "p2 under a"]);
        assert_eq!(catalog.stored_analyses(&root, "a").unwrap().len(), 2);
        assert!(catalog
            .stored_analyses(&root.join("elsewhere"), "a")
            .unwrap()
            .is_empty());
    }
}
