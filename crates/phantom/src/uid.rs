//! Deterministic DICOM UIDs under the `2.25` root (a UUID-sized integer in decimal, PS3.5 B.2).

use crate::rng::mix64;

/// A UID for `(seed, patient, purpose, n)`; different inputs give different UIDs in practice.
pub(crate) fn uid(seed: u64, patient: usize, purpose: &str, n: usize) -> String {
    let mut h = mix64(seed ^ 0x5555_5555_5555_5555);
    h = mix64(h ^ patient as u64);
    for b in purpose.bytes() {
        h = mix64(h ^ u64::from(b));
    }
    h = mix64(h ^ n as u64);
    let low = mix64(h ^ 0xA5A5_A5A5_A5A5_A5A5);
    // Top bit cleared keeps the integer below 2^127 (at most 39 digits, 44 characters with the root).
    let value = ((u128::from(h) << 64) | u128::from(low)) >> 1;
    format!("2.25.{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_valid_and_distinct() {
        let a = uid(1, 0, "ct-series", 0);
        assert_eq!(a, uid(1, 0, "ct-series", 0));
        assert_ne!(a, uid(1, 0, "ct-series", 1));
        assert_ne!(a, uid(1, 1, "ct-series", 0));
        assert_ne!(a, uid(2, 0, "ct-series", 0));
        for u in [a, uid(9, 9, "x", 9)] {
            assert!(u.len() <= 64);
            assert!(u.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
            // No component has a leading zero.
            assert!(u.split('.').all(|c| c == "0" || !c.starts_with('0')));
        }
    }
}
