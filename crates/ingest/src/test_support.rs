//! Helpers shared by the unit tests of the inflate paths.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::Visit;

/// A zip in memory holding `members`, each deflated.
pub(crate) fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in members {
        writer.start_file(*name, options).expect("start file");
        writer.write_all(bytes).expect("write member");
    }
    writer.finish().expect("finish zip").into_inner()
}

/// A selector that enters everything.
pub(crate) fn enter(_: &crate::Origin) -> Visit {
    Visit::Enter
}
