//! The console line: exact strings for the tumor-count and burden variants.

mod common;

use common::{ircad_like, tumor_free, without_liver};
use tumorscope_report::console_line;

#[test]
fn two_tumors_with_liver() {
    assert_eq!(
        console_line(&ircad_like()),
        "3Dircadb1.17: 2 tumors, 164.28 mL, burden 8.83 %"
    );
}

#[test]
fn one_tumor_without_liver() {
    assert_eq!(
        console_line(&without_liver("volume-3")),
        "volume-3: 1 tumor, 2.50 mL, burden n/a"
    );
}

#[test]
fn no_tumors() {
    assert_eq!(
        console_line(&tumor_free("liver_007")),
        "liver_007: no tumors, 0.00 mL, burden 0.00 %"
    );
}

#[test]
fn control_characters_cannot_reach_the_terminal() {
    assert_eq!(
        console_line(&tumor_free("a\u{1b}[31mb\n")),
        "a?[31mb?: no tumors, 0.00 mL, burden 0.00 %"
    );
}
