//! Summary of many patients: distributions of tumor count, volume and burden.

use serde::{Deserialize, Serialize};

use crate::stats::percentile_sorted;
use crate::PatientStats;

/// Descriptive statistics of one variable over patients.
///
/// `sd` is the sample standard deviation (divide by `n − 1`, as R's `sd` and pandas' `std`),
/// `None` for a single value; quartiles use numpy's linear percentiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub sd: Option<f64>,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    pub iqr: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    /// Statistics of `values` (NaN ignored); `None` when nothing is left.
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let first = *v.first()?;
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = (n > 1)
            .then(|| (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
        let q = |p| percentile_sorted(&v, p).unwrap_or(first);
        let (q1, q3) = (q(25.0), q(75.0));
        Some(Self {
            n,
            mean,
            sd,
            median: q(50.0),
            q1,
            q3,
            iqr: q3 - q1,
            min: first,
            max: v[n - 1],
        })
    }
}

/// One bin of the lesion volume histogram: `min_ml <= volume < max_ml` (`max_ml` `None` = no
/// upper edge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeBin {
    pub label: String,
    pub min_ml: f64,
    pub max_ml: Option<f64>,
    pub count: usize,
}

/// Inner edges of the lesion volume histogram, mL: bins are `[0, 0.1)`, `[0.1, 1)`, `[1, 5)`,
/// `[5, 10)`, `[10, 50)`, `[50, 100)`, `[100, ∞)`.
pub const VOLUME_BIN_EDGES_ML: [f64; 6] = [0.1, 1.0, 5.0, 10.0, 50.0, 100.0];

/// The cohort summary. Field names are the public JSON schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortStats {
    pub patients: usize,
    pub patients_with_tumors: usize,
    /// Total number of tumors over all patients.
    pub lesions: usize,
    pub tumor_count: Option<Summary>,
    pub tumor_volume_ml: Option<Summary>,
    /// Over the patients that have a burden (a liver mask).
    pub tumor_burden_pct: Option<Summary>,
    pub lesion_volumes_ml: Vec<VolumeBin>,
}

/// Summarises analysed patients.
pub fn summarize_cohort(patients: &[PatientStats]) -> CohortStats {
    let mut cohort = CohortAccumulator::default();
    for p in patients {
        cohort.add(p);
    }
    cohort.finish()
}

/// [`summarize_cohort`] one patient at a time, keeping three numbers per patient and the
/// histogram's counts: a cohort's summary without holding its patients.
#[derive(Debug, Clone, Default)]
pub struct CohortAccumulator {
    counts: Vec<f64>,
    volumes: Vec<f64>,
    burdens: Vec<f64>,
    with_tumors: usize,
    lesions: usize,
    bins: [usize; VOLUME_BIN_EDGES_ML.len() + 1],
}

impl CohortAccumulator {
    /// Counts one patient in.
    pub fn add(&mut self, p: &PatientStats) {
        self.counts.push(p.tumor_count as f64);
        self.volumes.push(p.tumor_volume_ml);
        self.burdens.extend(p.tumor_burden_pct);
        self.with_tumors += usize::from(p.tumor_count > 0);
        for t in &p.tumors {
            self.lesions += 1;
            let bin = VOLUME_BIN_EDGES_ML
                .iter()
                .take_while(|&&e| t.volume_ml >= e)
                .count();
            self.bins[bin] += 1;
        }
    }

    /// The summary of the patients counted in.
    pub fn finish(&self) -> CohortStats {
        let mut bins: Vec<VolumeBin> = Vec::with_capacity(VOLUME_BIN_EDGES_ML.len() + 1);
        let mut lower = 0.0;
        for (n, &edge) in VOLUME_BIN_EDGES_ML.iter().enumerate() {
            let label = if lower == 0.0 {
                format!("<{edge}")
            } else {
                format!("{lower}-{edge}")
            };
            bins.push(VolumeBin {
                label,
                min_ml: lower,
                max_ml: Some(edge),
                count: self.bins[n],
            });
            lower = edge;
        }
        bins.push(VolumeBin {
            label: format!(">={lower}"),
            min_ml: lower,
            max_ml: None,
            count: self.bins[VOLUME_BIN_EDGES_ML.len()],
        });
        CohortStats {
            patients: self.counts.len(),
            patients_with_tumors: self.with_tumors,
            lesions: self.lesions,
            tumor_count: Summary::of(&self.counts),
            tumor_volume_ml: Summary::of(&self.volumes),
            tumor_burden_pct: Summary::of(&self.burdens),
            lesion_volumes_ml: bins,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_matches_numpy_and_sample_sd() {
        // numpy: mean 2.5, std(ddof=1) 1.2909944, median 2.5, q1 1.75, q3 3.25
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(
            (s.n, s.mean, s.median, s.q1, s.q3, s.iqr, s.min, s.max),
            (4, 2.5, 2.5, 1.75, 3.25, 1.5, 1.0, 4.0)
        );
        assert!((s.sd.unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(Summary::of(&[2.0]).unwrap().sd, None);
        assert_eq!(Summary::of(&[]), None);
    }

    #[test]
    fn empty_cohort() {
        let c = summarize_cohort(&[]);
        assert_eq!((c.patients, c.patients_with_tumors, c.lesions), (0, 0, 0));
        assert_eq!(c.tumor_count, None);
        assert_eq!(c.lesion_volumes_ml.len(), 7);
        assert_eq!(c.lesion_volumes_ml[0].label, "<0.1");
        assert_eq!(c.lesion_volumes_ml[1].label, "0.1-1");
        assert_eq!(c.lesion_volumes_ml[6].label, ">=100");
    }
}
