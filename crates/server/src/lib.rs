//! tumorscope-server (work in progress).
