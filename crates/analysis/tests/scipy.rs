//! Cross-check against `scipy.ndimage.label` (needs `python3` with numpy and scipy: skipped with a
//! message when they are missing, a failure when `TUMORSCOPE_REQUIRE_TOOLS` is set, as in CI).

use std::process::Command;

use tumorscope_analysis::{label_components, Connectivity};

/// Deterministic pseudo-random bytes (a 64-bit LCG), so failures reproduce.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn scipy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy, scipy.ndimage"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
fn scipy_agrees() {
    if !scipy_available() {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "numpy and scipy required but missing"
        );
        eprintln!("skipped: python3 with numpy and scipy not found (pip install numpy scipy)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Lcg(17);
    let mut cases = Vec::new();
    let shapes = [
        [7, 5, 3],
        [32, 24, 10],
        [64, 48, 20],
        [100, 3, 40],
        [1, 50, 50],
        [512, 512, 12],
    ];
    for (n, dims) in shapes.iter().cycle().take(24).enumerate() {
        let conn = [
            Connectivity::Six,
            Connectivity::Eighteen,
            Connectivity::TwentySix,
        ][n % 3];
        let density = [0.05, 0.2, 0.35, 0.5][n % 4];
        let len = dims[0] * dims[1] * dims[2];
        let mask: Vec<u8> = (0..len).map(|_| u8::from(rng.next() < density)).collect();
        let name = format!(
            "mask_{n}_{}_{}_{}_{}.u8",
            u8::from(conn),
            dims[0],
            dims[1],
            dims[2]
        );
        std::fs::write(dir.path().join(name), &mask).unwrap();
        cases.push((n, *dims, conn, mask));
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scipy_check.py");
    let status = Command::new("python3")
        .arg(script)
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success(), "scipy_check.py failed");
    for (n, dims, conn, mask) in cases {
        let bytes = std::fs::read(dir.path().join(format!("labels_{n}.u32"))).unwrap();
        let want: Vec<u32> = bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let got = label_components(&mask, dims, conn).unwrap();
        assert_eq!(
            got.count,
            want.iter().copied().max().unwrap_or(0),
            "case {n}"
        );
        assert!(
            got.labels == want,
            "case {n} ({dims:?}, {conn:?}): labels differ"
        );
    }
}
