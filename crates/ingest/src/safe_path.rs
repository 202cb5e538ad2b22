//! Validation of archive entry names before they become paths on disk (extraction, `organize`).
//!
//! Walking never needs this: entries are read in memory whatever their names. Only code that
//! turns a name into a path under an output folder must call [`safe_relative_path`].

use std::path::PathBuf;

/// Why an entry name cannot be used as a relative path.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("name `{name}` is unsafe as a path: {reason}")]
pub struct UnsafePath {
    /// The name as given.
    pub name: String,
    /// Why it was rejected.
    pub reason: &'static str,
}

/// Turns an archive entry name into a relative path that stays inside the folder it is joined
/// to, or says why it cannot.
///
/// Both `/` and `\` count as separators (a `..\..\x` name is as dangerous on Windows as
/// `../../x`). Rejected: empty names, absolute names (`/x`, `\x`, `\\server\share`), Windows
/// drive prefixes (`C:x`, `C:\x`), any `..` component, NUL bytes, and names with nothing left
/// after dropping `.` and empty components. `.` and repeated separators are dropped.
pub fn safe_relative_path(name: &str) -> Result<PathBuf, UnsafePath> {
    let reject = |reason| {
        Err(UnsafePath {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return reject("it is empty");
    }
    if name.contains('\0') {
        return reject("it contains a NUL byte");
    }
    if name.starts_with(['/', '\\']) {
        return reject("it is absolute");
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return reject("it starts with a drive letter");
    }
    let mut path = PathBuf::new();
    for component in name.split(['/', '\\']) {
        match component {
            "" | "." => {}
            ".." => return reject("it climbs out of its folder with `..`"),
            // A colon inside a component names an alternate data stream on NTFS, or a drive
            // once joined on Windows.
            _ if component.contains(':') => return reject("a component contains `:`"),
            _ => path.push(component),
        }
    }
    if path.as_os_str().is_empty() {
        return reject("it names no file");
    }
    Ok(path)
}
