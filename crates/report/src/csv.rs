//! RFC 4180 CSV cells and rows, with text cells guarded against spreadsheet formula injection.

/// A CSV table being written: CRLF line ends, header first. Every CSV tumorscope writes
/// (`patients.csv`, `tumors.csv`, `metadata --format csv`) goes through it.
pub struct CsvWriter {
    out: Vec<u8>,
    first_in_row: bool,
}

impl CsvWriter {
    /// A table whose first row is `header`.
    pub fn with_header(header: &[&str]) -> Self {
        let mut w = Self {
            out: Vec::new(),
            first_in_row: true,
        };
        for h in header {
            w.text(h);
        }
        w.end_row();
        w
    }

    /// Rows only, no header: the continuation of a table written in pieces.
    pub fn rows_only() -> Self {
        Self {
            out: Vec::new(),
            first_in_row: true,
        }
    }

    fn separator(&mut self) {
        if !self.first_in_row {
            self.out.push(b',');
        }
        self.first_in_row = false;
    }

    /// A cell written as is, quoted when needed (numbers, booleans: our own text).
    fn raw(&mut self, cell: &str) {
        self.separator();
        if cell.contains([',', '"', '\r', '\n']) {
            self.out.push(b'"');
            self.out
                .extend_from_slice(cell.replace('"', "\"\"").as_bytes());
            self.out.push(b'"');
        } else {
            self.out.extend_from_slice(cell.as_bytes());
        }
    }

    /// A text cell from data: guarded against formulas, then quoted when needed.
    pub fn text(&mut self, cell: &str) {
        if needs_formula_guard(cell) {
            self.raw(&format!("'{cell}"));
        } else {
            self.raw(cell);
        }
    }

    /// An empty cell (a missing value).
    pub fn empty(&mut self) {
        self.raw("");
    }

    /// A number with full precision (Rust's shortest round-trip `{}`).
    pub fn num<T: std::fmt::Display>(&mut self, value: T) {
        self.raw(&value.to_string());
    }

    /// A number, or an empty cell for `None`.
    pub fn opt<T: std::fmt::Display>(&mut self, value: Option<T>) {
        match value {
            Some(v) => self.num(v),
            None => self.empty(),
        }
    }

    pub fn end_row(&mut self) {
        self.out.extend_from_slice(b"\r\n");
        self.first_in_row = true;
    }

    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// True when a spreadsheet could read `cell` as a formula: it starts with `=`, `+`, `@`, a tab
/// or a carriage return (OWASP's list), or with `-` without being a number.
fn needs_formula_guard(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => cell.parse::<f64>().is_err(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_row(cells: &[&str]) -> String {
        let mut w = CsvWriter::with_header(&["h"]);
        for c in cells {
            w.text(c);
        }
        w.end_row();
        String::from_utf8(w.finish()).unwrap()
    }

    #[test]
    fn quotes_per_rfc4180() {
        assert_eq!(
            one_row(&["plain", "a,b", "say \"hi\"", "two\nlines", ""]),
            "h\r\nplain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }

    #[test]
    fn guards_formulas_but_not_negative_numbers() {
        assert_eq!(
            one_row(&["=1+1", "+cmd", "@SUM(A1)", "-2.5", "-x", "\tx", "a=b"]),
            "h\r\n'=1+1,'+cmd,'@SUM(A1),-2.5,'-x,'\tx,a=b\r\n"
        );
        // The guard comes before quoting, so the quote wraps the guarded text.
        assert_eq!(one_row(&["=a,b"]), "h\r\n\"'=a,b\"\r\n");
    }

    #[test]
    fn numbers_keep_full_precision() {
        let mut w = CsvWriter::with_header(&["a", "b", "c"]);
        w.num(0.1 + 0.2);
        w.opt(None::<f64>);
        w.opt(Some(3u32));
        w.end_row();
        assert_eq!(
            String::from_utf8(w.finish()).unwrap(),
            "a,b,c\r\n0.30000000000000004,,3\r\n"
        );
    }
}
