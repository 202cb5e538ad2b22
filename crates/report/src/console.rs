//! The one-line patient summary the CLI prints as each patient finishes.

use tumorscope_analysis::PatientStats;

use crate::format::{two, two_or_na};

/// `3Dircadb1.17: 2 tumors, 164.28 mL, burden 8.83 %` (`1 tumor`, `no tumors`, `burden n/a`
/// without a liver mask).
///
/// Control characters in the patient label (it comes from files) are replaced by `?` so that a
/// label cannot drive the terminal.
pub fn console_line(stats: &PatientStats) -> String {
    let patient: String = stats
        .patient
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let tumors = match stats.tumor_count {
        0 => "no tumors".to_owned(),
        1 => "1 tumor".to_owned(),
        n => format!("{n} tumors"),
    };
    format!(
        "{patient}: {tumors}, {} mL, burden {}",
        two(stats.tumor_volume_ml),
        match stats.tumor_burden_pct {
            Some(pct) => format!("{} %", two(pct)),
            None => two_or_na(None),
        }
    )
}
