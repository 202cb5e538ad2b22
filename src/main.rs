//! tumorscope command line (work in progress).
fn main() {}
