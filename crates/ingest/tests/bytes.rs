//! `walk_bytes` over in-memory data: the same rules as a walk on disk, and random bytes never
//! panic (the property the fuzz target checks at scale).

mod util;

use proptest::prelude::*;
use tumorscope_ingest::{walk_bytes, IngestError, WalkOptions};
use util::{enter_all, read_all, zip_bytes, Method};

#[test]
fn walk_bytes_walks_nested_archives_from_memory() {
    let inner = zip_bytes(&[("b", b"inner", Method::Deflated)]);
    let outer = zip_bytes(&[
        ("a.zip", &inner, Method::Stored),
        ("c", b"c", Method::Stored),
    ]);

    let result = walk_bytes(
        "mem.zip",
        outer,
        &WalkOptions::default(),
        &enter_all,
        &read_all,
    );

    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let listing: Vec<(String, Vec<u8>)> = result
        .items
        .into_iter()
        .map(|(origin, bytes)| (origin.to_string(), bytes))
        .collect();
    assert_eq!(
        listing,
        [
            ("mem.zip!/a.zip!/b".to_owned(), b"inner".to_vec()),
            ("mem.zip!/c".to_owned(), b"c".to_vec()),
        ]
    );
    assert_eq!(result.archives, 2);
}

#[test]
fn non_archive_bytes_are_one_leaf() {
    let result = walk_bytes(
        "x.dcm",
        b"DICM".to_vec(),
        &WalkOptions::default(),
        &enter_all,
        &read_all,
    );
    assert_eq!(result.items.len(), 1);
    assert_eq!(result.items[0].0.as_str(), "x.dcm");
    assert_eq!(result.items[0].1, b"DICM");
}

#[test]
fn corrupt_member_data_is_an_error_not_an_item() {
    let mut zip = zip_bytes(&[("a", b"hello world", Method::Deflated)]);
    // Break the CRC in the local and central headers.
    for at in 0..zip.len().saturating_sub(4) {
        let field = match &zip[at..at + 4] {
            b"PK\x03\x04" => at + 14,
            b"PK\x01\x02" => at + 16,
            _ => continue,
        };
        zip[field] ^= 0xff;
    }

    let result = walk_bytes(
        "bad.zip",
        zip,
        &WalkOptions::default(),
        &enter_all,
        &read_all,
    );

    assert!(result.items.is_empty());
    match &result.errors[..] {
        [IngestError::Io { origin, source }] => {
            assert_eq!(origin.as_str(), "bad.zip!/a");
            assert!(source.to_string().contains("checksum"), "{source}");
        }
        other => panic!("unexpected errors {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let result = walk_bytes("random.zip", bytes, &WalkOptions::default(), &enter_all, &read_all);
        prop_assert!(result.items.iter().all(|(origin, _)| origin.as_str().starts_with("random.zip")));
    }

    #[test]
    fn mutated_zips_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let inner = zip_bytes(&[("b", b"inner data", Method::Deflated)]);
        let mut zip = zip_bytes(&[
            ("a.zip", &inner, Method::Stored),
            ("c", b"some text here", Method::Deflated),
        ]);
        for (index, value) in flips {
            let at = index.index(zip.len());
            zip[at] = value;
        }
        let result = walk_bytes("m.zip", zip, &WalkOptions::default(), &enter_all, &read_all);
        prop_assert!(result.items.len() <= 2);
    }
}
