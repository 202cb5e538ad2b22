//! Text shaping shared by the writers: numbers for people, HTML escaping.

/// `value` with `decimals` digits after the point; non-finite values as `n/a`.
pub(crate) fn fixed(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        // `-0.00` reads as a sign error to people.
        let s = format!("{value:.decimals$}");
        if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
            s[1..].to_owned()
        } else {
            s
        }
    } else {
        "n/a".to_owned()
    }
}

/// Millilitres, millimetres and percentages: two decimals.
pub(crate) fn two(value: f64) -> String {
    fixed(value, 2)
}

/// Hounsfield units: one decimal.
pub(crate) fn hu(value: f64) -> String {
    fixed(value, 1)
}

/// An optional value with two decimals, `n/a` when absent.
pub(crate) fn two_or_na(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".to_owned(), two)
}

/// Appends `text` to `out` with `& < > " '` escaped, safe in element content and in quoted
/// attribute values alike.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than whitespace are not allowed in HTML text.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// `text` HTML-escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rounds_and_drops_negative_zero() {
        assert_eq!(two(164.2849), "164.28");
        assert_eq!(two(8.8251), "8.83");
        assert_eq!(two(-0.001), "0.00");
        assert_eq!(two(-1.5), "-1.50");
        assert_eq!(hu(57.25), "57.2");
        assert_eq!(hu(-100.06), "-100.1");
        assert_eq!(two(f64::NAN), "n/a");
        assert_eq!(two_or_na(None), "n/a");
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>x</script> & "a" 'b'"#),
            "&lt;script&gt;x&lt;/script&gt; &amp; &quot;a&quot; &#39;b&#39;"
        );
        assert_eq!(escape("a\u{0}b\nc"), "a\u{FFFD}b\nc");
    }
}
