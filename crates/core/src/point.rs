//! A point in patient space (LPS millimetres), as users type it: `x,y,z`.

use std::str::FromStr;

/// A patient-space point, `[x, y, z]` in LPS mm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointMm(pub [f64; 3]);

/// Text that is not three comma-separated numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not `x,y,z` in mm")]
pub struct BadPoint(pub String);

impl FromStr for PointMm {
    type Err = BadPoint;
    fn from_str(s: &str) -> Result<Self, BadPoint> {
        let bad = || BadPoint(s.to_owned());
        let v: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        match v.as_slice() {
            [x, y, z] if v.iter().all(|c| c.is_finite()) => Ok(Self([*x, *y, *z])),
            _ => Err(bad()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_three_finite_numbers() {
        assert_eq!(
            "101.8, -138.4,157".parse::<PointMm>(),
            Ok(PointMm([101.8, -138.4, 157.0]))
        );
        for bad in ["1,2", "1,2,3,4", "a,b,c", "1,2,inf", ""] {
            assert_eq!(
                bad.parse::<PointMm>(),
                Err(BadPoint(bad.to_owned())),
                "{bad}"
            );
        }
    }
}
