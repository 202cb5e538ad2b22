//! Test helpers: zips built in memory with exactly known contents, and walk shortcuts.
#![allow(dead_code)]

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use tumorscope_ingest::{walk, Entry, Origin, Visit, WalkOptions, WalkResult};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// How a member is written.
#[derive(Clone, Copy)]
pub enum Method {
    Stored,
    Deflated,
}

/// A zip with the given members (a name ending in `/` is written as a folder entry).
pub fn zip_bytes(members: &[(&str, &[u8], Method)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, method) in members {
        let compression = match method {
            Method::Stored => CompressionMethod::Stored,
            Method::Deflated => CompressionMethod::Deflated,
        };
        let options = SimpleFileOptions::default()
            .compression_method(compression)
            .large_file(bytes.len() >= u32::MAX as usize);
        if name.ends_with('/') {
            writer.add_directory(*name, options).expect("add folder");
        } else {
            writer.start_file(*name, options).expect("start file");
            writer.write_all(bytes).expect("write member");
        }
    }
    writer.finish().expect("finish zip").into_inner()
}

/// Writes `bytes` to `dir/name`, creating parent folders, and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folders");
    }
    std::fs::write(&path, bytes).expect("write file");
    path
}

pub fn enter_all(_: &Origin) -> Visit {
    Visit::Enter
}

pub fn read_all(entry: Entry<'_>) -> Vec<u8> {
    entry
        .read_all()
        .unwrap_or_else(|_| b"<read error>".to_vec())
}

/// Walks everything, reading every leaf whole.
pub fn walk_all(paths: &[PathBuf], options: &WalkOptions) -> WalkResult<Vec<u8>> {
    walk(paths, options, &enter_all, &read_all)
}

/// `(origin, contents as text)` of every item.
pub fn listing(result: &WalkResult<Vec<u8>>) -> Vec<(String, String)> {
    result
        .items
        .iter()
        .map(|(origin, bytes)| {
            (
                origin.to_string(),
                String::from_utf8_lossy(bytes).into_owned(),
            )
        })
        .collect()
}

/// Origin text of `path` joined with a suffix such as `!/a/b`.
pub fn origin_of(path: &Path, suffix: &str) -> String {
    format!("{}{suffix}", path.display())
}

pub fn pairs(expected: &[(String, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(origin, text)| (origin.clone(), (*text).to_owned()))
        .collect()
}
