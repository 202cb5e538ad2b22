//! Resource limits for untrusted archives, and the options of a walk.

/// One mebibyte, in bytes.
pub const MIB: u64 = 1 << 20;
/// One gibibyte, in bytes.
pub const GIB: u64 = 1 << 30;

/// Limits that keep a hostile or broken archive (zip bomb, endless nesting) from exhausting
/// memory, disk or time. They apply to archive members only: plain files on disk are the
/// user's own and are streamed without limits.
///
/// Sizes are checked twice: against the sizes the central directory declares before an entry
/// is opened, and again while it is read, so a lying header cannot push a reader past them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of archives: a zip on disk is level 1, a zip inside it level 2.
    /// Default 4.
    pub max_depth: usize,
    /// Most entries (files and folders) one archive may list. Default 1 000 000.
    pub max_entries: usize,
    /// Largest uncompressed size of one entry, in bytes. Default 4 GiB.
    pub max_entry_bytes: u64,
    /// Largest number of uncompressed bytes read out of archives during one walk (or one
    /// `read_entry`), in bytes. Default 256 GiB.
    pub max_total_bytes: u64,
    /// Highest uncompressed:compressed ratio of one entry. Default 1000. Entries smaller than
    /// [`Limits::ratio_exempt_bytes`] are exempt: masks of zeros legitimately compress 200:1 and
    /// more, and a small entry cannot hurt.
    pub max_ratio: u64,
    /// Entries with fewer uncompressed bytes than this skip the ratio check. Default 1 MiB.
    pub ratio_exempt_bytes: u64,
    /// Largest compressed inner archive that may be buffered in memory, in bytes (a deflated
    /// zip inside a zip cannot be read in place). Stored inner archives are read in place and
    /// never buffered. Default 4 GiB.
    pub max_buffered_archive_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 4,
            max_entries: 1_000_000,
            max_entry_bytes: 4 * GIB,
            max_total_bytes: 256 * GIB,
            max_ratio: 1000,
            ratio_exempt_bytes: MIB,
            max_buffered_archive_bytes: 4 * GIB,
        }
    }
}

/// Options of [`walk`](crate::walk) and [`read_entry`](crate::read_entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkOptions {
    /// Resource limits for archives.
    pub limits: Limits,
    /// Follow symbolic links inside walked folders (default `true`); loops are detected and
    /// reported as [`IngestError::SymlinkLoop`](crate::IngestError::SymlinkLoop). When `false`,
    /// symbolic links found inside folders are skipped; paths given by the caller are always
    /// followed.
    pub follow_symlinks: bool,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            limits: Limits::default(),
            follow_symlinks: true,
        }
    }
}
