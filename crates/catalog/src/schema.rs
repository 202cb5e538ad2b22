//! Catalog schema as an ordered list of migrations; `user_version` counts the ones applied.

/// Number of migrations this build knows.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Each entry moves the schema one version forward. Never edit a released entry: add one.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: patients, series, masks, instances, skipped files, results.
    "CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        layout TEXT NOT NULL,
        root TEXT NOT NULL,
        UNIQUE (root, label)
     );
     CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
        series_uid TEXT NOT NULL,
        study_uid TEXT NOT NULL,
        modality TEXT NOT NULL,
        description TEXT NOT NULL,
        columns INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        slices INTEGER NOT NULL,
        spacing_x_mm REAL NOT NULL,
        spacing_y_mm REAL NOT NULL,
        spacing_z_mm REAL NOT NULL,
        localizer INTEGER NOT NULL,
        geometry_json TEXT NOT NULL,
        header_json TEXT NOT NULL,
        warnings_json TEXT NOT NULL
     );
     CREATE INDEX series_patient ON series(patient_id);
     CREATE TABLE masks (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        role TEXT,
        series_uid TEXT NOT NULL,
        slices INTEGER NOT NULL
     );
     CREATE INDEX masks_series ON masks(series_id);
     CREATE TABLE instances (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
        mask_id INTEGER REFERENCES masks(id) ON DELETE CASCADE,
        origin TEXT NOT NULL,
        k INTEGER NOT NULL,
        instance_number INTEGER
     );
     CREATE INDEX instances_series ON instances(series_id);
     CREATE TABLE skipped (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        origin TEXT NOT NULL,
        reason TEXT NOT NULL
     );
     CREATE TABLE results (
        patient_id INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (patient_id, kind)
     );",
    // 2: the full patient document (series, slices, masks) to rebuild a Dataset without
    // rescanning, and per-root scan facts.
    "ALTER TABLE patients ADD COLUMN patient_json TEXT;
     CREATE TABLE roots (
        root TEXT PRIMARY KEY,
        ignored INTEGER NOT NULL,
        instances INTEGER NOT NULL,
        scanned_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
     );",
    // 3: the dataset model left the DICOM reader: a series carries format-neutral `info`
    // instead of a DICOM header, structures replace masks in the patient document. Documents
    // of the old shape cannot be read back: they are dropped (the rows stay; a rescan of the
    // root writes them anew).
    "ALTER TABLE series RENAME COLUMN header_json TO info_json;
     UPDATE patients SET patient_json = NULL;",
    // 4: the scan memo: what the last scan read from each file on disk, under its size and
    // modification time, so a rescan reads only changed files; and the last whole scan of a
    // list of roots under the digest of their files' stamps (records are opaque here).
    "CREATE TABLE scan_files (
        path TEXT PRIMARY KEY,
        size_bytes INTEGER NOT NULL,
        modified_ns INTEGER NOT NULL,
        record BLOB NOT NULL
     );
     CREATE TABLE scan_trees (
        roots_json TEXT PRIMARY KEY,
        digest TEXT NOT NULL,
        record BLOB NOT NULL
     );",
    // 5: analysis results per patient of a root, one per set of options, with the hash of the
    // inputs and the tool they were made from (documents are opaque here); the newest row of a
    // patient has the highest rowid (rows are replaced, never updated in place).
    "CREATE TABLE analyses (
        root TEXT NOT NULL,
        patient TEXT NOT NULL,
        options_hash TEXT NOT NULL,
        inputs_hash TEXT NOT NULL,
        tool TEXT NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (root, patient, options_hash)
     );",
];
