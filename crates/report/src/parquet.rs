//! A [`Table`] as a Parquet file (Apache Parquet through the `parquet` crate's column writer,
//! no Arrow): every column optional (nulls are missing values), text as UTF-8 strings, whole
//! numbers as INT64, numbers as DOUBLE, booleans as BOOLEAN; Snappy-compressed; row groups of
//! at most [`ROWS_PER_GROUP`] rows so a large table is written in bounded pieces.

use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::table::{Cell, Kind, Table};
use crate::ReportError;

/// Rows per row group: what a streamed table buffers before writing, so it bounds a merge's
/// memory (a tumour row is about 1.5 kB in memory); readers handle groups of this size well.
pub const ROWS_PER_GROUP: usize = 8_192;

/// The table as the bytes of a Parquet file; `what` names it in errors.
pub fn table_parquet(table: &Table, what: &'static str) -> Result<Vec<u8>, ReportError> {
    let columns: Vec<(&str, Kind)> = table
        .columns
        .iter()
        .map(|(n, k)| (n.as_str(), *k))
        .collect();
    let mut writer = ParquetWriter::new(Vec::new(), &columns, what)?;
    writer.rows(&table.rows)?;
    writer.finish()
}

/// A Parquet file written as rows come: they are buffered up to [`ROWS_PER_GROUP`] and written
/// as one row group, so a table of any length takes the memory of one group. The same rows
/// give the same bytes as [`table_parquet`].
pub struct ParquetWriter<W: std::io::Write + Send> {
    writer: SerializedFileWriter<W>,
    pending: Vec<Vec<Cell>>,
    groups: usize,
    what: &'static str,
}

impl<W: std::io::Write + Send> ParquetWriter<W> {
    /// A file of `columns` written into `sink`; `what` names it in errors.
    pub fn new(sink: W, columns: &[(&str, Kind)], what: &'static str) -> Result<Self, ReportError> {
        let failed = |source: parquet::errors::ParquetError| ReportError::Parquet { what, source };
        let fields = columns
            .iter()
            .map(|(name, kind)| {
                let (physical, logical) = match kind {
                    Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
                    Kind::Int => (Physical::INT64, None),
                    Kind::Float => (Physical::DOUBLE, None),
                    Kind::Bool => (Physical::BOOLEAN, None),
                };
                Type::primitive_type_builder(name, physical)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(logical)
                    .build()
                    .map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)?;
        let schema = Arc::new(
            Type::group_type_builder("schema")
                .with_fields(fields)
                .build()
                .map_err(failed)?,
        );
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(concat!("tumorscope ", env!("CARGO_PKG_VERSION")).to_owned())
                .build(),
        );
        Ok(Self {
            writer: SerializedFileWriter::new(sink, schema, properties).map_err(failed)?,
            pending: Vec::new(),
            groups: 0,
            what,
        })
    }

    /// Adds rows (each as long as the columns).
    pub fn rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), ReportError> {
        for row in rows {
            self.pending.push(row.clone());
            if self.pending.len() == ROWS_PER_GROUP {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes the last rows and the footer; returns the sink.
    pub fn finish(mut self) -> Result<W, ReportError> {
        // An empty table still gets one (empty) row group, so readers see its schema.
        if !self.pending.is_empty() || self.groups == 0 {
            self.flush()?;
        }
        let what = self.what;
        self.writer
            .into_inner()
            .map_err(|source| ReportError::Parquet { what, source })
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<(), ReportError> {
        let what = self.what;
        let failed = |source: parquet::errors::ParquetError| ReportError::Parquet { what, source };
        let rows = std::mem::take(&mut self.pending);
        let mut group = self.writer.next_row_group().map_err(failed)?;
        let mut column = 0;
        while let Some(mut out) = group.next_column().map_err(failed)? {
            let cells = rows.iter().map(|r| r.get(column).unwrap_or(&Cell::Null));
            // Definition level 1 = present, 0 = null (every column is optional).
            let levels: Vec<i16> = cells.clone().map(|c| i16::from(*c != Cell::Null)).collect();
            let result = match out.untyped() {
                ColumnWriter::ByteArrayColumnWriter(w) => {
                    let values: Vec<ByteArray> = cells
                        .filter_map(|c| match c {
                            Cell::Text(s) => Some(ByteArray::from(s.as_str())),
                            _ => None,
                        })
                        .collect();
                    w.write_batch(&values, Some(&levels), None)
                }
                ColumnWriter::Int64ColumnWriter(w) => {
                    let values: Vec<i64> = cells
                        .filter_map(|c| match c {
                            Cell::Int(v) => Some(*v),
                            _ => None,
                        })
                        .collect();
                    w.write_batch(&values, Some(&levels), None)
                }
                ColumnWriter::DoubleColumnWriter(w) => {
                    let values: Vec<f64> = cells
                        .filter_map(|c| match c {
                            Cell::Float(v) => Some(*v),
                            // A whole number in a number column (never produced today).
                            Cell::Int(v) => Some(*v as f64),
                            _ => None,
                        })
                        .collect();
                    w.write_batch(&values, Some(&levels), None)
                }
                ColumnWriter::BoolColumnWriter(w) => {
                    let values: Vec<bool> = cells
                        .filter_map(|c| match c {
                            Cell::Bool(v) => Some(*v),
                            _ => None,
                        })
                        .collect();
                    w.write_batch(&values, Some(&levels), None)
                }
                _ => unreachable!("the schema has only these four physical types"),
            };
            result.map_err(failed)?;
            out.close().map_err(failed)?;
            column += 1;
        }
        group.close().map_err(failed)?;
        self.groups += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn a_table_reads_back() {
        let mut t = Table::new(&[
            ("name", Kind::Text),
            ("n", Kind::Int),
            ("x", Kind::Float),
            ("ok", Kind::Bool),
        ]);
        t.row().text("a").num(3u32).num(0.1f64).num(true);
        t.row()
            .opt_text(None)
            .num(None::<u8>)
            .num(2.5f64)
            .num(None::<bool>);
        let bytes = table_parquet(&t, "test").unwrap();
        let file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut &file, &bytes).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let meta = reader.metadata().file_metadata();
        assert_eq!(meta.num_rows(), 2);
        let rows: Vec<String> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap().to_string())
            .collect();
        assert_eq!(
            rows,
            [
                "{name: \"a\", n: 3, x: 0.1, ok: true}",
                "{name: null, n: null, x: 2.5, ok: null}"
            ]
        );
    }
}
