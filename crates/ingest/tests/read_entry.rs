//! `read_entry` reads back what a walk found, through every archive level.

mod util;

use tumorscope_ingest::{read_entry, IngestError, Limits, Origin, WalkOptions};
use util::{walk_all, write, zip_bytes, Method};

#[test]
fn every_walked_origin_reads_back_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let level3 = zip_bytes(&[("deep/img", b"level three", Method::Deflated)]);
    let level2 = zip_bytes(&[
        ("l3.zip", &level3, Method::Deflated),
        ("mid", b"level two", Method::Stored),
    ]);
    let stored_inner = zip_bytes(&[("s", b"stored inner", Method::Deflated)]);
    let outer = zip_bytes(&[
        ("l2.zip", &level2, Method::Stored),
        ("stored.zip", &stored_inner, Method::Stored),
        ("top", b"level one", Method::Deflated),
    ]);
    write(dir.path(), "cohort/outer.zip", &outer);
    write(dir.path(), "cohort/plain.txt", b"plain");
    let options = WalkOptions::default();

    let result = walk_all(&[dir.path().to_path_buf()], &options);

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.items.len(), 5);
    for (origin, bytes) in &result.items {
        let reparsed = Origin::from(origin.to_string());
        assert_eq!(&read_entry(&reparsed, &options).unwrap(), bytes, "{origin}");
    }
    let deep = Origin::from(format!(
        "{}/cohort/outer.zip!/l2.zip!/l3.zip!/deep/img",
        dir.path().display()
    ));
    assert_eq!(read_entry(&deep, &options).unwrap(), b"level three");
}

#[test]
fn an_inner_archive_itself_reads_as_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let inner = zip_bytes(&[("x", b"x", Method::Stored)]);
    let path = write(
        dir.path(),
        "outer.zip",
        &zip_bytes(&[("inner.zip", &inner, Method::Deflated)]),
    );
    let origin = Origin::from_path(&path).join_entry("inner.zip");

    assert_eq!(read_entry(&origin, &WalkOptions::default()).unwrap(), inner);
}

#[test]
fn missing_entries_files_and_limits_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let inner = zip_bytes(&[("x", &[0u8; 5000], Method::Deflated)]);
    let path = write(
        dir.path(),
        "outer.zip",
        &zip_bytes(&[
            ("inner.zip", &inner, Method::Stored),
            ("folder/", b"", Method::Stored),
        ]),
    );
    let options = WalkOptions::default();
    let outer = Origin::from_path(&path);

    match read_entry(&outer.join_entry("nope"), &options) {
        Err(IngestError::EntryNotFound { origin }) => {
            assert_eq!(origin, outer.join_entry("nope"))
        }
        other => panic!("unexpected {other:?}"),
    }
    match read_entry(&outer.join_entry("inner.zip").join_entry("y"), &options) {
        Err(IngestError::EntryNotFound { origin }) => {
            assert_eq!(origin.entry_name(), Some("y"));
            assert_eq!(origin.archive_depth(), 2);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(
        read_entry(&outer.join_entry("folder/"), &options),
        Err(IngestError::EntryNotFound { .. })
    ));
    let missing = Origin::from_path(&dir.path().join("gone.zip")).join_entry("x");
    assert!(matches!(
        read_entry(&missing, &options),
        Err(IngestError::NotFound { .. })
    ));
    let small = WalkOptions {
        limits: Limits {
            max_entry_bytes: 4096,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };
    match read_entry(&outer.join_entry("inner.zip").join_entry("x"), &small) {
        Err(IngestError::EntryTooLarge { size, limit, .. }) => {
            assert_eq!((size, limit), (5000, 4096))
        }
        other => panic!("unexpected {other:?}"),
    }
    let shallow = WalkOptions {
        limits: Limits {
            max_depth: 1,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };
    assert!(matches!(
        read_entry(&outer.join_entry("inner.zip").join_entry("x"), &shallow),
        Err(IngestError::TooDeep {
            depth: 2,
            limit: 1,
            ..
        })
    ));
}

#[test]
fn plain_files_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "a.dcm", b"bytes");
    assert_eq!(
        read_entry(&Origin::from_path(&path), &WalkOptions::default()).unwrap(),
        b"bytes"
    );
}
