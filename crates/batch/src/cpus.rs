//! How many CPUs this task was given: a batch task must use its allocation, not the node.

/// The smallest of: Slurm's `SLURM_CPUS_PER_TASK`, the cgroup v2 CPU quota
/// (`/sys/fs/cgroup/cpu.max`, rounded up), and the CPUs this process may run on; at least 1.
pub fn allocated_cpus(env: impl Fn(&str) -> Option<String>) -> usize {
    let visible = std::thread::available_parallelism().map_or(1, |n| n.get());
    let slurm = env("SLURM_CPUS_PER_TASK").and_then(|v| v.trim().parse::<usize>().ok());
    let quota = std::fs::read_to_string("/sys/fs/cgroup/cpu.max")
        .ok()
        .and_then(|text| cgroup_quota(&text));
    [Some(visible), slurm, quota]
        .into_iter()
        .flatten()
        .filter(|&n| n > 0)
        .min()
        .unwrap_or(1)
}

/// `cpu.max` holds `QUOTA PERIOD` (microseconds) or `max PERIOD` (no limit).
fn cgroup_quota(text: &str) -> Option<usize> {
    let mut parts = text.split_whitespace();
    let quota: u64 = parts.next()?.parse().ok()?;
    let period: u64 = parts.next()?.parse().ok()?;
    (period > 0).then(|| quota.div_ceil(period) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_rounds_up_and_max_means_none() {
        assert_eq!(cgroup_quota("150000 100000\n"), Some(2));
        assert_eq!(cgroup_quota("200000 100000"), Some(2));
        assert_eq!(cgroup_quota("max 100000"), None);
    }

    #[test]
    fn slurm_allocation_caps_the_count() {
        let one = allocated_cpus(|n| (n == "SLURM_CPUS_PER_TASK").then(|| "1".to_owned()));
        assert_eq!(one, 1);
        let none = allocated_cpus(|_| None);
        assert!(none >= 1);
    }
}
