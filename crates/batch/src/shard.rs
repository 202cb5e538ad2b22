//! Which units one array task runs: flags first, else the index the batch system gives.

use std::ops::Range;

use crate::BatchError;

/// Task `index` of `count`; it runs a contiguous, balanced slice of the plan's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The shard from `--shard-index`/`--shard-count`, else from the environment: Slurm
    /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`), Kubernetes
    /// (`JOB_COMPLETION_INDEX`), AWS Batch (`AWS_BATCH_JOB_ARRAY_INDEX`). The count defaults to
    /// the plan's task count.
    pub fn resolve(
        index: Option<usize>,
        count: Option<usize>,
        plan_tasks: usize,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard, BatchError> {
        let number = |name: &str| -> Result<Option<usize>, BatchError> {
            env(name)
                .map(|v| {
                    v.trim()
                        .parse::<usize>()
                        .map_err(|_| BatchError::BadVariable {
                            name: name.to_owned(),
                            value: v.clone(),
                        })
                })
                .transpose()
        };
        let (index, env_count) = match index {
            Some(i) => (i, None),
            None => {
                if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
                    let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
                    (id.saturating_sub(min), number("SLURM_ARRAY_TASK_COUNT")?)
                } else if let Some(i) = number("JOB_COMPLETION_INDEX")? {
                    (i, None)
                } else if let Some(i) = number("AWS_BATCH_JOB_ARRAY_INDEX")? {
                    (i, None)
                } else {
                    return Err(BatchError::NoShard);
                }
            }
        };
        let count = count.or(env_count).unwrap_or(plan_tasks).max(1);
        if index >= count {
            return Err(BatchError::ShardOutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The units of this shard among `units`: `[index·n/count, (index+1)·n/count)`.
    pub fn units(&self, units: usize) -> Range<usize> {
        // In u128: index · units cannot overflow whatever count the environment gave.
        let at = |i: usize| (i as u128 * units as u128 / self.count as u128) as usize;
        at(self.index)..at(self.index + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_unit_once() {
        for units in [0, 1, 7, 10, 10_000] {
            for count in [1, 3, 4, 10] {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard { index, count }.units(units);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, units);
            }
        }
        let huge = Shard {
            index: usize::MAX - 1,
            count: usize::MAX,
        };
        assert_eq!(huge.units(10), 9..10);
    }

    #[test]
    fn the_environment_names_the_shard() {
        let slurm = |n: &str| match n {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_owned()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_owned()),
            "SLURM_ARRAY_TASK_COUNT" => Some("5".to_owned()),
            _ => None,
        };
        assert_eq!(
            Shard::resolve(None, None, 9, slurm).unwrap(),
            Shard { index: 2, count: 5 }
        );
        let k8s = |n: &str| (n == "JOB_COMPLETION_INDEX").then(|| "4".to_owned());
        assert_eq!(
            Shard::resolve(None, None, 6, k8s).unwrap(),
            Shard { index: 4, count: 6 }
        );
        // Flags win over the environment.
        assert_eq!(
            Shard::resolve(Some(0), Some(2), 6, k8s).unwrap(),
            Shard { index: 0, count: 2 }
        );
        assert!(matches!(
            Shard::resolve(None, None, 6, |_| None),
            Err(BatchError::NoShard)
        ));
        assert!(matches!(
            Shard::resolve(Some(6), None, 6, |_| None),
            Err(BatchError::ShardOutOfRange { .. })
        ));
        let bad = |n: &str| (n == "JOB_COMPLETION_INDEX").then(|| "x".to_owned());
        assert!(matches!(
            Shard::resolve(None, None, 6, bad),
            Err(BatchError::BadVariable { .. })
        ));
    }
}
