//! `safe_relative_path` decides which archive entry names may become paths on disk
//! (table-driven, in the manner of uv-extract's tests).

use std::path::PathBuf;

use tumorscope_ingest::safe_relative_path;

#[test]
fn accepted_names_become_relative_paths() {
    let cases: &[(&str, &[&str])] = &[
        ("image_1", &["image_1"]),
        ("PATIENT_DICOM/image_7", &["PATIENT_DICOM", "image_7"]),
        ("a/./b", &["a", "b"]),
        ("a//b/", &["a", "b"]),
        ("./a", &["a"]),
        ("dir\\file", &["dir", "file"]),
        ("..a/b..", &["..a", "b.."]),
        ("__MACOSX/._x", &["__MACOSX", "._x"]),
        (
            "3Dircadb1.17/MASKS_DICOM/liver",
            &["3Dircadb1.17", "MASKS_DICOM", "liver"],
        ),
    ];
    for (name, parts) in cases {
        let expected: PathBuf = parts.iter().collect();
        assert_eq!(safe_relative_path(name), Ok(expected), "{name}");
    }
}

#[test]
fn dangerous_names_are_rejected() {
    let cases: &[(&str, &str)] = &[
        ("", "it is empty"),
        ("/etc/passwd", "it is absolute"),
        ("\\windows\\system32", "it is absolute"),
        ("\\\\server\\share\\x", "it is absolute"),
        ("../evil", "it climbs out of its folder with `..`"),
        ("a/../../evil", "it climbs out of its folder with `..`"),
        ("a/..", "it climbs out of its folder with `..`"),
        ("..\\..\\evil", "it climbs out of its folder with `..`"),
        ("a\\..\\..\\evil", "it climbs out of its folder with `..`"),
        ("C:\\evil", "it starts with a drive letter"),
        ("c:evil", "it starts with a drive letter"),
        ("a/b:stream", "a component contains `:`"),
        ("a\0b", "it contains a NUL byte"),
        (".", "it names no file"),
        ("./", "it names no file"),
        ("//", "it is absolute"),
    ];
    for (name, reason) in cases {
        let error = safe_relative_path(name).expect_err(name);
        assert_eq!(error.reason, *reason, "{name:?}");
        assert_eq!(error.name, *name);
    }
    let message = safe_relative_path("../x").unwrap_err().to_string();
    assert_eq!(
        message,
        "name `../x` is unsafe as a path: it climbs out of its folder with `..`"
    );
}
