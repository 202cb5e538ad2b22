//! A typed table (named, typed columns; rows of cells), written once and serialized as CSV or
//! Parquet: `patients`, `tumors`, `organs`, `radiomics` and `failures` are defined as tables so
//! both formats carry the same columns and values.

use crate::csv::CsvWriter;

/// The type of a column (Parquet's physical type; CSV writes them all as text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UTF-8 text.
    Text,
    /// A whole number (64-bit).
    Int,
    /// A double.
    Float,
    Bool,
}

/// One value; `Null` is a missing value (an empty CSV cell, a Parquet null).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
}

/// Conversion of the numbers the tables hold into cells.
pub trait IntoCell {
    fn into_cell(self) -> Cell;
}

macro_rules! int_cells {
    ($($t:ty),*) => {$(
        impl IntoCell for $t {
            fn into_cell(self) -> Cell {
                Cell::Int(i64::try_from(self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_cells!(u8, u16, u32, u64, usize, i16, i32, i64);

impl IntoCell for f64 {
    fn into_cell(self) -> Cell {
        Cell::Float(self)
    }
}

impl IntoCell for bool {
    fn into_cell(self) -> Cell {
        Cell::Bool(self)
    }
}

impl<T: IntoCell> IntoCell for Option<T> {
    fn into_cell(self) -> Cell {
        self.map_or(Cell::Null, IntoCell::into_cell)
    }
}

/// A table: its columns and its rows (each as long as the columns).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<(String, Kind)>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(columns: &[(&str, Kind)]) -> Self {
        Table {
            columns: columns
                .iter()
                .map(|(name, kind)| ((*name).to_owned(), *kind))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Starts a row; cells are pushed with [`Row::text`] and [`Row::num`].
    pub fn row(&mut self) -> Row<'_> {
        self.rows.push(Vec::with_capacity(self.columns.len()));
        Row {
            cells: self.rows.last_mut().unwrap_or_else(|| unreachable!()),
        }
    }

    /// The table as CSV (RFC 4180, CRLF, text cells guarded against formulas; numbers in
    /// Rust's shortest round-trip form, booleans `true`/`false`, missing values empty).
    pub fn to_csv(&self) -> Vec<u8> {
        let header: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        self.write_rows(CsvWriter::with_header(&header))
    }

    /// The rows as CSV without the header line: what a table written in pieces appends.
    pub fn csv_rows(&self) -> Vec<u8> {
        self.write_rows(CsvWriter::rows_only())
    }

    /// The header line alone (`to_csv` of the table without rows).
    pub fn csv_header(&self) -> Vec<u8> {
        let header: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        CsvWriter::with_header(&header).finish()
    }

    fn write_rows(&self, mut w: CsvWriter) -> Vec<u8> {
        for row in &self.rows {
            for cell in row {
                match cell {
                    Cell::Text(s) => w.text(s),
                    Cell::Int(v) => w.num(v),
                    Cell::Float(v) => w.num(v),
                    Cell::Bool(v) => w.num(v),
                    Cell::Null => w.empty(),
                }
            }
            w.end_row();
        }
        w.finish()
    }
}

/// The row being filled.
pub struct Row<'a> {
    cells: &'a mut Vec<Cell>,
}

impl Row<'_> {
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.cells.push(Cell::Text(value.to_owned()));
        self
    }

    /// Text, or a missing value.
    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        self.cells
            .push(value.map_or(Cell::Null, |v| Cell::Text(v.to_owned())));
        self
    }

    /// A number or boolean (`None` is a missing value).
    pub fn num(&mut self, value: impl IntoCell) -> &mut Self {
        self.cells.push(value.into_cell());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_keep_their_spelling() {
        let mut t = Table::new(&[
            ("name", Kind::Text),
            ("n", Kind::Int),
            ("x", Kind::Float),
            ("ok", Kind::Bool),
        ]);
        t.row().text("=a,b").num(3u32).num(0.1f64).num(Some(true));
        t.row()
            .opt_text(None)
            .num(None::<u8>)
            .num(None::<f64>)
            .num(None::<bool>);
        let csv = String::from_utf8(t.to_csv()).unwrap();
        assert_eq!(csv, "name,n,x,ok\r\n\"'=a,b\",3,0.1,true\r\n,,,\r\n");
    }
}
