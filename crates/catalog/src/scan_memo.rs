//! The scan memo's storage: one row per file on disk a scan read (its absolute path, size,
//! modification time and the reader's record, opaque bytes here), so the next scan of the same
//! roots reads only what changed; and the last whole scan of a list of roots, under the digest
//! of their files' stamps, so a rescan of unchanged roots reads nothing. `tumorscope-sources`
//! makes and reads the records.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension};
use tumorscope_ingest::{FileStamp, MemoRow, TreeRecord};

use crate::{canonical, Catalog, CatalogError};

impl Catalog {
    /// The stored rows of every file under `roots` (folders or files, as given).
    pub fn scan_memo(&self, roots: &[PathBuf]) -> Result<Vec<MemoRow>, CatalogError> {
        let mut rows = Vec::new();
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT path, size_bytes, modified_ns, record FROM scan_files
                 WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
            )
            .map_err(self.err())?;
        for root in roots {
            let (exact, from, to) = under(&canonical(root));
            let found = statement
                .query_map(params![exact, from, to], |r| {
                    Ok(MemoRow {
                        path: PathBuf::from(r.get::<_, String>(0)?),
                        stamp: FileStamp {
                            size_bytes: r.get::<_, i64>(1)? as u64,
                            modified_ns: r.get(2)?,
                        },
                        record: r.get(3)?,
                    })
                })
                .map_err(self.err())?;
            for row in found {
                rows.push(row.map_err(self.err())?);
            }
        }
        Ok(rows)
    }

    /// Stores what a scan of `roots` read (`fresh`) and drops the rows of files under them the
    /// scan met in neither list (`unchanged`: files it did not need to read): files that are gone.
    pub fn record_scan_memo(
        &mut self,
        roots: &[PathBuf],
        fresh: &[MemoRow],
        unchanged: &[PathBuf],
    ) -> Result<(), CatalogError> {
        let path = self.path.clone();
        let e = |source| CatalogError::Sqlite {
            path: path.clone(),
            source,
        };
        let met: HashSet<&Path> = fresh
            .iter()
            .map(|r| r.path.as_path())
            .chain(unchanged.iter().map(PathBuf::as_path))
            .collect();
        let tx = self.conn.transaction().map_err(&e)?;
        {
            let mut stored = tx
                .prepare(
                    "SELECT path FROM scan_files WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
                )
                .map_err(&e)?;
            let mut gone = Vec::new();
            for root in roots {
                let (exact, from, to) = under(&canonical(root));
                let paths = stored
                    .query_map(params![exact, from, to], |r| r.get::<_, String>(0))
                    .map_err(&e)?;
                for p in paths {
                    let p = p.map_err(&e)?;
                    if !met.contains(Path::new(&p)) {
                        gone.push(p);
                    }
                }
            }
            let mut delete = tx
                .prepare("DELETE FROM scan_files WHERE path = ?1")
                .map_err(&e)?;
            for p in &gone {
                delete.execute(params![p]).map_err(&e)?;
            }
            let mut insert = tx
                .prepare(
                    "INSERT INTO scan_files (path, size_bytes, modified_ns, record)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (path) DO UPDATE SET size_bytes = excluded.size_bytes,
                        modified_ns = excluded.modified_ns, record = excluded.record",
                )
                .map_err(&e)?;
            for row in fresh {
                insert
                    .execute(params![
                        row.path.to_string_lossy(),
                        row.stamp.size_bytes as i64,
                        row.stamp.modified_ns,
                        row.record
                    ])
                    .map_err(&e)?;
            }
        }
        tx.commit().map_err(&e)
    }
}

impl Catalog {
    /// The record of the last whole scan of exactly these roots, if it is still the latest
    /// scan of each of them.
    pub fn scan_tree(&self, roots: &[PathBuf]) -> Result<Option<TreeRecord>, CatalogError> {
        self.conn
            .query_row(
                "SELECT digest, record FROM scan_trees WHERE roots_json = ?1",
                params![roots_key(roots)],
                |r| {
                    Ok(TreeRecord {
                        digest: r.get(0)?,
                        record: r.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    /// Stores the record of a whole scan of `roots`.
    pub fn record_scan_tree(
        &mut self,
        roots: &[PathBuf],
        tree: &TreeRecord,
    ) -> Result<(), CatalogError> {
        forget_trees_of(&self.conn, roots).map_err(self.err())?;
        self.conn
            .execute(
                "INSERT INTO scan_trees (roots_json, digest, record) VALUES (?1, ?2, ?3)",
                params![roots_key(roots), tree.digest, tree.record],
            )
            .map(drop)
            .map_err(self.err())
    }
}

/// Drops the whole-scan records that share a root with `roots`: a newer scan of that root
/// (alone or with others) has replaced its rows, so an older record no longer describes them.
pub(crate) fn forget_trees_of(
    conn: &rusqlite::Connection,
    roots: &[PathBuf],
) -> rusqlite::Result<()> {
    let wanted: HashSet<String> = roots
        .iter()
        .map(|r| canonical(r).to_string_lossy().into_owned())
        .collect();
    let keys: Vec<String> = conn
        .prepare("SELECT roots_json FROM scan_trees")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for key in keys {
        let listed: Vec<String> = serde_json::from_str(&key).unwrap_or_default();
        if listed.is_empty() || listed.iter().any(|r| wanted.contains(r)) {
            conn.execute("DELETE FROM scan_trees WHERE roots_json = ?1", params![key])?;
        }
    }
    Ok(())
}

/// A list of roots as a key: their canonical paths, in the order given, as JSON.
fn roots_key(roots: &[PathBuf]) -> String {
    let list: Vec<String> = roots
        .iter()
        .map(|r| canonical(r).to_string_lossy().into_owned())
        .collect();
    serde_json::to_string(&list).unwrap_or_default()
}

/// The keys of `root` and of everything under it, as an exact match and a half-open range of
/// strings (`root/` up to `root0`, '0' being the character after '/'), so SQLite walks the
/// primary key's index instead of every row.
fn under(root: &Path) -> (String, String, String) {
    let exact = root.to_string_lossy().into_owned();
    let base = exact.trim_end_matches('/');
    (exact.clone(), format!("{base}/"), format!("{base}0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &Path, n: u8) -> MemoRow {
        MemoRow {
            path: path.to_path_buf(),
            stamp: FileStamp {
                size_bytes: u64::from(n),
                modified_ns: -i64::from(n),
            },
            record: vec![n; 3],
        }
    }

    #[test]
    fn rows_under_a_root_are_kept_replaced_and_dropped_when_gone() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("data");
        let other = dir.path().join("data0"); // sorts right after `data/`: not under it
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        let root = canonical(&root);
        let other = canonical(&other);
        let mut catalog = Catalog::in_memory().unwrap();
        let (a, b, c) = (
            root.join("a.zip"),
            root.join("x/b.dcm"),
            other.join("c.dcm"),
        );
        catalog
            .record_scan_memo(std::slice::from_ref(&root), &[row(&a, 1), row(&b, 2)], &[])
            .unwrap();
        catalog
            .record_scan_memo(std::slice::from_ref(&other), &[row(&c, 3)], &[])
            .unwrap();
        let mut under = catalog.scan_memo(std::slice::from_ref(&root)).unwrap();
        under.sort_by(|x, y| x.path.cmp(&y.path));
        assert_eq!(under, [row(&a, 1), row(&b, 2)]);
        // `a` unchanged, `b` gone, `d` new: `b`'s row is dropped, the other root's row stays.
        let d = root.join("d.dcm");
        catalog
            .record_scan_memo(
                std::slice::from_ref(&root),
                &[row(&d, 4)],
                std::slice::from_ref(&a),
            )
            .unwrap();
        let mut under = catalog.scan_memo(std::slice::from_ref(&root)).unwrap();
        under.sort_by(|x, y| x.path.cmp(&y.path));
        assert_eq!(under, [row(&a, 1), row(&d, 4)]);
        assert_eq!(catalog.scan_memo(&[other]).unwrap(), [row(&c, 3)]);
    }

    #[test]
    fn a_whole_scan_record_is_forgotten_when_one_of_its_roots_is_scanned_again() {
        let dir = tempfile::tempdir().unwrap();
        let (r1, r2) = (dir.path().join("one"), dir.path().join("two"));
        std::fs::create_dir_all(&r1).unwrap();
        std::fs::create_dir_all(&r2).unwrap();
        let mut catalog = Catalog::in_memory().unwrap();
        let tree = TreeRecord {
            digest: "d".into(),
            record: b"r".to_vec(),
        };
        let both = [r1.clone(), r2.clone()];
        catalog.record_scan_tree(&both, &tree).unwrap();
        assert_eq!(catalog.scan_tree(&both).unwrap(), Some(tree.clone()));
        assert_eq!(catalog.scan_tree(std::slice::from_ref(&r1)).unwrap(), None);
        // A scan of `two` alone replaces its rows: the record of both no longer describes them.
        catalog
            .record_scan(&tumorscope_dataset::Dataset {
                roots: vec![r2],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(catalog.scan_tree(&both).unwrap(), None);
    }
}
