//! End-to-end walks over folders and (nested) zips built in a temp dir with known contents.

mod util;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tumorscope_ingest::{walk, IngestError, Limits, Origin, Visit, WalkOptions};
use util::{enter_all, listing, origin_of, pairs, read_all, walk_all, write, zip_bytes, Method};

#[test]
fn plain_folder_lists_files_with_their_paths() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "b/two.txt", b"2");
    write(dir.path(), "one.txt", b"1");
    write(dir.path(), "b/c/three", b"3");

    let result = walk_all(&[dir.path().to_path_buf()], &WalkOptions::default());

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.archives, 0);
    assert_eq!(
        listing(&result),
        pairs(&[
            (origin_of(dir.path(), "/b/c/three"), "3"),
            (origin_of(dir.path(), "/b/two.txt"), "2"),
            (origin_of(dir.path(), "/one.txt"), "1"),
        ])
    );
}

#[test]
fn zip_members_get_archive_origins_and_folders_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_bytes(&[
        ("scan/", b"", Method::Stored),
        ("scan/image_1", b"first", Method::Deflated),
        ("scan/image_2", b"second", Method::Stored),
        ("notes.txt", b"n", Method::Deflated),
    ]);
    let path = write(dir.path(), "case.zip", &zip);

    let result = walk_all(std::slice::from_ref(&path), &WalkOptions::default());

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.archives, 1);
    assert_eq!(
        listing(&result),
        pairs(&[
            (origin_of(&path, "!/notes.txt"), "n"),
            (origin_of(&path, "!/scan/image_1"), "first"),
            (origin_of(&path, "!/scan/image_2"), "second"),
        ])
    );
    let (origin, _) = &result.items[1];
    assert_eq!(
        origin.segments().last().copied(),
        Some("image_1"),
        "logical path reads through the archive"
    );
    assert_eq!(origin.components().len(), 2);
}

/// A zip holding a stored and a deflated inner zip, each with one member.
fn nested_pair() -> Vec<u8> {
    let inner_stored = zip_bytes(&[("img/1", b"stored-inner", Method::Deflated)]);
    let inner_deflated = zip_bytes(&[("img/1", b"deflated-inner", Method::Stored)]);
    zip_bytes(&[
        ("a/inner_stored.zip", &inner_stored, Method::Stored),
        ("a/inner_deflated.zip", &inner_deflated, Method::Deflated),
    ])
}

#[test]
fn zips_inside_zips_stored_and_deflated() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.zip", &nested_pair());

    let result = walk_all(std::slice::from_ref(&path), &WalkOptions::default());

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.archives, 3);
    assert_eq!(
        listing(&result),
        pairs(&[
            (
                origin_of(&path, "!/a/inner_deflated.zip!/img/1"),
                "deflated-inner"
            ),
            (
                origin_of(&path, "!/a/inner_stored.zip!/img/1"),
                "stored-inner"
            ),
        ])
    );
}

#[test]
fn stored_inner_zips_are_read_in_place_deflated_ones_buffered() {
    // With no buffering allowed, only the stored inner zip can be walked.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "cohort.zip", &nested_pair());
    let options = WalkOptions {
        limits: Limits {
            max_buffered_archive_bytes: 0,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };

    let result = walk_all(std::slice::from_ref(&path), &options);

    assert_eq!(
        listing(&result),
        pairs(&[(
            origin_of(&path, "!/a/inner_stored.zip!/img/1"),
            "stored-inner"
        )])
    );
    assert_eq!(result.errors.len(), 1);
    match &result.errors[0] {
        IngestError::ArchiveTooLargeToBuffer {
            origin,
            size,
            limit,
        } => {
            assert_eq!(
                origin.to_string(),
                origin_of(&path, "!/a/inner_deflated.zip")
            );
            assert!(*size > 0);
            assert_eq!(*limit, 0);
        }
        other => panic!("unexpected error {other:?}"),
    }
}

/// `level1.zip!/level2.zip!/level3.zip!/deep.txt`, plus `shallow.txt` in level 2.
fn three_levels() -> Vec<u8> {
    let level3 = zip_bytes(&[("deep.txt", b"deep", Method::Deflated)]);
    let level2 = zip_bytes(&[
        ("level3.zip", &level3, Method::Deflated),
        ("shallow.txt", b"shallow", Method::Deflated),
    ]);
    zip_bytes(&[("level2.zip", &level2, Method::Stored)])
}

#[test]
fn zip_in_zip_in_zip() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "level1.zip", &three_levels());

    let result = walk_all(std::slice::from_ref(&path), &WalkOptions::default());

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.archives, 3);
    assert_eq!(
        listing(&result),
        pairs(&[
            (
                origin_of(&path, "!/level2.zip!/level3.zip!/deep.txt"),
                "deep"
            ),
            (origin_of(&path, "!/level2.zip!/shallow.txt"), "shallow"),
        ])
    );
    assert_eq!(result.items[0].0.archive_depth(), 3);
}

#[test]
fn depth_limit_stops_descending_but_not_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "level1.zip", &three_levels());
    let options = WalkOptions {
        limits: Limits {
            max_depth: 2,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };

    let result = walk_all(std::slice::from_ref(&path), &options);

    assert_eq!(
        listing(&result),
        pairs(&[(origin_of(&path, "!/level2.zip!/shallow.txt"), "shallow")])
    );
    assert_eq!(result.archives, 2);
    assert_eq!(result.errors.len(), 1);
    let error = &result.errors[0];
    match error {
        IngestError::TooDeep {
            origin,
            depth,
            limit,
        } => {
            assert_eq!(
                origin.to_string(),
                origin_of(&path, "!/level2.zip!/level3.zip")
            );
            assert_eq!((*depth, *limit), (3, 2));
        }
        other => panic!("unexpected error {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("level3.zip`"), "{message}");
    assert!(
        message.contains("raise the limit (`--max-depth`)"),
        "{message}"
    );
}

#[test]
fn zip_bomb_entry_is_refused_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 20 << 20];
    let zip = zip_bytes(&[
        ("bomb", &zeros, Method::Deflated),
        ("fine", b"ok", Method::Deflated),
    ]);
    let path = write(dir.path(), "bomb.zip", &zip);
    let options = WalkOptions {
        limits: Limits {
            max_entry_bytes: 1 << 20,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };
    let visits = AtomicUsize::new(0);

    let result = walk(
        std::slice::from_ref(&path),
        &options,
        &enter_all,
        &|entry| {
            visits.fetch_add(1, Ordering::Relaxed);
            read_all(entry)
        },
    );

    assert_eq!(
        listing(&result),
        pairs(&[(origin_of(&path, "!/fine"), "ok")])
    );
    assert_eq!(
        visits.load(Ordering::Relaxed),
        1,
        "the bomb is never opened"
    );
    assert_eq!(result.errors.len(), 1);
    match &result.errors[0] {
        IngestError::EntryTooLarge {
            origin,
            size,
            limit,
        } => {
            assert_eq!(origin.to_string(), origin_of(&path, "!/bomb"));
            assert_eq!((*size, *limit), (20 << 20, 1 << 20));
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(result.errors[0]
        .to_string()
        .contains("raise the limit (`--max-entry-mib`)"));
}

#[test]
fn compression_ratio_limit_spares_small_entries() {
    let dir = tempfile::tempdir().unwrap();
    let big_zeros = vec![0u8; 4 << 20];
    let small_zeros = vec![0u8; 512 << 10];
    let zip = zip_bytes(&[
        ("big", &big_zeros, Method::Deflated),
        ("small", &small_zeros, Method::Deflated),
    ]);
    let path = write(dir.path(), "zeros.zip", &zip);
    let options = WalkOptions {
        limits: Limits {
            max_ratio: 100,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };

    let result = walk(
        std::slice::from_ref(&path),
        &options,
        &enter_all,
        &|entry| read_all(entry).len(),
    );

    assert_eq!(result.items.len(), 1);
    assert_eq!(result.items[0].0.to_string(), origin_of(&path, "!/small"));
    assert_eq!(result.items[0].1, 512 << 10);
    match &result.errors[..] {
        [IngestError::SuspiciousRatio {
            origin,
            ratio,
            limit,
        }] => {
            assert_eq!(origin.to_string(), origin_of(&path, "!/big"));
            assert!(*ratio > 100, "zeros deflate far beyond 100:1, got {ratio}");
            assert_eq!(*limit, 100);
        }
        other => panic!("unexpected errors {other:?}"),
    }
}

/// Rewrites the uncompressed size of every member, in local and central headers, to `size`.
fn lie_about_sizes(zip: &mut [u8], size: u32) {
    let mut at = 0;
    while at + 4 <= zip.len() {
        let field = match &zip[at..at + 4] {
            b"PK\x03\x04" => Some(at + 22),
            b"PK\x01\x02" => Some(at + 24),
            _ => None,
        };
        if let Some(field) = field {
            zip[field..field + 4].copy_from_slice(&size.to_le_bytes());
        }
        at += 1;
    }
}

#[test]
fn lying_header_cannot_read_past_the_declared_size() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 2 << 20];
    let mut zip = zip_bytes(&[("liar", &zeros, Method::Deflated)]);
    lie_about_sizes(&mut zip, 1000);
    let path = write(dir.path(), "liar.zip", &zip);
    let largest_read = AtomicUsize::new(0);

    let result = walk(
        std::slice::from_ref(&path),
        &WalkOptions::default(),
        &enter_all,
        &|mut entry| {
            let mut total = 0;
            let mut buffer = vec![0u8; 1 << 16];
            while let Ok(n) = entry.reader().read(&mut buffer) {
                if n == 0 {
                    break;
                }
                total += n;
            }
            largest_read.fetch_max(total, Ordering::Relaxed);
        },
    );

    assert!(result.items.is_empty(), "the lying entry yields no item");
    assert!(largest_read.load(Ordering::Relaxed) <= 1000);
    match &result.errors[..] {
        [IngestError::LargerThanDeclared { origin, declared }] => {
            assert_eq!(origin.to_string(), origin_of(&path, "!/liar"));
            assert_eq!(*declared, 1000);
        }
        other => panic!("unexpected errors {other:?}"),
    }
}

#[test]
fn entry_count_limit_refuses_the_whole_archive() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..5).map(|i| format!("f{i}")).collect();
    let members: Vec<(&str, &[u8], Method)> = names
        .iter()
        .map(|name| (name.as_str(), &b"x"[..], Method::Stored))
        .collect();
    let many = write(dir.path(), "many.zip", &zip_bytes(&members));
    let few = write(dir.path(), "few.zip", &zip_bytes(&members[..3]));
    let options = WalkOptions {
        limits: Limits {
            max_entries: 4,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };

    let result = walk_all(&[dir.path().to_path_buf()], &options);

    assert_eq!(result.items.len(), 3);
    assert!(result
        .items
        .iter()
        .all(|(origin, _)| origin.to_string().starts_with(&origin_of(&few, "!/"))));
    match &result.errors[..] {
        [IngestError::TooManyEntries {
            origin,
            entries,
            limit,
        }] => {
            assert_eq!(origin.to_string(), origin_of(&many, ""));
            assert_eq!((*entries, *limit), (5, 4));
        }
        other => panic!("unexpected errors {other:?}"),
    }
}

#[test]
fn total_bytes_limit_applies_across_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let kilobyte = vec![7u8; 1000];
    let zip = zip_bytes(&[
        ("a", &kilobyte, Method::Deflated),
        ("b", &kilobyte, Method::Deflated),
        ("c", &kilobyte, Method::Deflated),
    ]);
    let path = write(dir.path(), "three.zip", &zip);
    let options = WalkOptions {
        limits: Limits {
            max_total_bytes: 2500,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };
    // One worker makes the order, and so which entry trips the limit, deterministic.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();

    let result = pool.install(|| walk_all(std::slice::from_ref(&path), &options));

    assert_eq!(
        listing(&result)
            .into_iter()
            .map(|(origin, _)| origin)
            .collect::<Vec<_>>(),
        [origin_of(&path, "!/a"), origin_of(&path, "!/b")]
    );
    match &result.errors[..] {
        [IngestError::TotalTooLarge { origin, limit }] => {
            assert_eq!(origin.to_string(), origin_of(&path, "!/c"));
            assert_eq!(*limit, 2500);
        }
        other => panic!("unexpected errors {other:?}"),
    }
}

#[test]
fn reading_a_prefix_does_not_inflate_the_rest() {
    // 10 MiB per entry but only 1 MiB of total budget: passes only if the walker inflates no
    // more than the 64 KiB each visitor asks for.
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..10u32 << 20).map(|i| (i % 251) as u8).collect();
    let zip = zip_bytes(&[
        ("one", &big, Method::Deflated),
        ("two", &big, Method::Deflated),
        ("three", &big, Method::Stored),
    ]);
    let path = write(dir.path(), "big.zip", &zip);
    let options = WalkOptions {
        limits: Limits {
            max_total_bytes: 1 << 20,
            ..Limits::default()
        },
        ..WalkOptions::default()
    };

    let result = walk(
        std::slice::from_ref(&path),
        &options,
        &enter_all,
        &|mut entry| {
            let size = entry.size;
            entry
                .read_prefix(64 << 10)
                .map(|p| (p.len(), p[1000], size))
                .ok()
        },
    );

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.items.len(), 3);
    for (_, prefix) in &result.items {
        assert_eq!(
            *prefix,
            Some((64 << 10, (1000 % 251) as u8, Some(10 << 20)))
        );
    }
}

#[test]
fn non_zip_named_zip_is_reported_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let fake = write(dir.path(), "fake.zip", b"this is not a zip");
    let zip = zip_bytes(&[
        ("inner/fake.zip", b"not a zip either", Method::Deflated),
        ("inner/real", b"real", Method::Deflated),
    ]);
    let outer = write(dir.path(), "outer.zip", &zip);

    let result = walk_all(&[dir.path().to_path_buf()], &WalkOptions::default());

    assert_eq!(
        listing(&result),
        pairs(&[(origin_of(&outer, "!/inner/real"), "real")])
    );
    let origins: Vec<String> = result
        .errors
        .iter()
        .map(|error| match error {
            IngestError::BadArchive { origin, .. } => origin.to_string(),
            other => panic!("unexpected error {other:?}"),
        })
        .collect();
    assert_eq!(
        origins,
        [origin_of(&fake, ""), origin_of(&outer, "!/inner/fake.zip")]
    );
    assert!(result.errors[0]
        .to_string()
        .contains("fake.zip` is not a readable zip"));
}

#[test]
fn macos_companions_are_passed_through_as_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X";
    let zip = zip_bytes(&[
        ("PATIENT/image_1", b"dicom", Method::Deflated),
        ("__MACOSX/PATIENT/._image_1", apple_double, Method::Deflated),
        ("__MACOSX/._MASKS.zip", apple_double, Method::Deflated),
    ]);
    let path = write(dir.path(), "mac.zip", &zip);

    let result = walk_all(std::slice::from_ref(&path), &WalkOptions::default());

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let origins: Vec<String> = listing(&result).into_iter().map(|(o, _)| o).collect();
    assert_eq!(
        origins,
        [
            origin_of(&path, "!/PATIENT/image_1"),
            origin_of(&path, "!/__MACOSX/._MASKS.zip"),
            origin_of(&path, "!/__MACOSX/PATIENT/._image_1"),
        ]
    );
}

#[test]
fn skip_prevents_opening_folders_archives_and_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "keep/a", b"a");
    write(dir.path(), "skipdir/b", b"b");
    write(dir.path(), "keep/skip.me", b"c");
    let inner = zip_bytes(&[("x", b"x", Method::Stored)]);
    let outer = zip_bytes(&[
        ("skipped.zip", &inner, Method::Stored),
        ("entered.zip", &inner, Method::Deflated),
    ]);
    let outer_path = write(dir.path(), "keep/outer.zip", &outer);
    let asked = Mutex::new(Vec::new());

    let result = walk(
        &[dir.path().to_path_buf()],
        &WalkOptions::default(),
        &|origin| {
            asked.lock().unwrap().push(origin.to_string());
            let name = origin.file_name();
            if name == "skipdir" || name == "skipped.zip" || name == "skip.me" {
                Visit::Skip
            } else {
                Visit::Enter
            }
        },
        &read_all,
    );

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.archives, 2, "outer.zip and entered.zip");
    assert_eq!(
        listing(&result),
        pairs(&[
            (origin_of(dir.path(), "/keep/a"), "a"),
            (origin_of(&outer_path, "!/entered.zip!/x"), "x"),
        ])
    );
    let asked = asked.into_inner().unwrap();
    assert!(asked.contains(&origin_of(dir.path(), "/skipdir")));
    assert!(asked.contains(&origin_of(&outer_path, "!/skipped.zip")));
    assert!(!asked.contains(&origin_of(dir.path(), "/skipdir/b")));
    assert!(!asked.contains(&origin_of(&outer_path, "!/skipped.zip!/x")));
}

#[test]
fn missing_paths_are_reported_and_others_walked() {
    let dir = tempfile::tempdir().unwrap();
    let present = write(dir.path(), "present", b"p");
    let missing = dir.path().join("missing");

    let result = walk_all(&[missing.clone(), present.clone()], &WalkOptions::default());

    assert_eq!(listing(&result), pairs(&[(origin_of(&present, ""), "p")]));
    match &result.errors[..] {
        [IngestError::NotFound { path }] => assert_eq!(path, &missing),
        other => panic!("unexpected errors {other:?}"),
    }
    assert!(result.errors[0]
        .to_string()
        .contains("missing` does not exist"));
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_the_walk_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/file", b"f");
    let link = dir.path().join("a/back");
    std::os::unix::fs::symlink(dir.path(), &link).unwrap();

    let result = walk_all(&[dir.path().to_path_buf()], &WalkOptions::default());

    assert_eq!(
        listing(&result),
        pairs(&[(origin_of(dir.path(), "/a/file"), "f")])
    );
    match &result.errors[..] {
        [IngestError::SymlinkLoop { path, ancestor }] => {
            assert_eq!(path, &link);
            assert_eq!(ancestor, &dir.path().to_path_buf());
        }
        other => panic!("unexpected errors {other:?}"),
    }

    // Not following links: the link is skipped silently, no loop to report.
    let options = WalkOptions {
        follow_symlinks: false,
        ..WalkOptions::default()
    };
    let result = walk_all(&[dir.path().to_path_buf()], &options);
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.items.len(), 1);
}

#[cfg(target_os = "linux")]
#[test]
fn unreadable_files_are_reported_by_path() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "fine", b"fine");
    let locked = write(dir.path(), "locked", b"secret");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads through file modes; `/proc/self/mem` fails to read at offset 0 for everyone.
    let broken = dir.path().join("unreadable");
    std::os::unix::fs::symlink("/proc/self/mem", &broken).unwrap();
    let root_bypasses_modes = std::fs::read(&locked).is_ok();

    let result = walk_all(&[dir.path().to_path_buf()], &WalkOptions::default());

    let mut expected_errors = vec![origin_of(&broken, "")];
    let mut expected_items = vec![origin_of(dir.path(), "/fine")];
    if root_bypasses_modes {
        expected_items.push(origin_of(&locked, ""));
    } else {
        expected_errors.insert(0, origin_of(&locked, ""));
    }
    let items: Vec<String> = listing(&result).into_iter().map(|(o, _)| o).collect();
    assert_eq!(items, expected_items);
    let errors: Vec<String> = result
        .errors
        .iter()
        .map(|error| match error {
            IngestError::Io { origin, .. } => origin.to_string(),
            other => panic!("unexpected error {other:?}"),
        })
        .collect();
    assert_eq!(errors, expected_errors);
    assert!(result
        .errors
        .last()
        .unwrap()
        .to_string()
        .starts_with("cannot read `"));
}

#[test]
fn file_roots_keep_the_path_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_bytes(&[("m", b"m", Method::Stored)]);
    write(dir.path(), "sub/x.zip", &zip);
    // A relative-looking root with `..` and `.` is kept verbatim in origins.
    let root: PathBuf = dir.path().join("sub/../sub/./x.zip");

    let result = walk_all(std::slice::from_ref(&root), &WalkOptions::default());

    assert_eq!(
        listing(&result),
        pairs(&[(format!("{}!/m", root.display()), "m")])
    );
    let origin = &result.items[0].0;
    assert_eq!(origin.filesystem_path(), root.as_path());
    assert_eq!(
        Origin::from(origin.to_string()).components(),
        [root.to_str().unwrap(), "m"]
    );
}
