//! The scripts `plan` writes beside the manifest: `submit-slurm.sh` (a Slurm array of `run`
//! tasks and a `merge` job that waits for all of them) and `k8s-job.yaml` (a Kubernetes Indexed
//! Job of the same tasks).

use std::path::Path;

use crate::Plan;

/// What each Slurm array task asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlurmOptions {
    pub cpus_per_task: usize,
    /// `--mem` (`4G`).
    pub mem: String,
    /// `--time` (`01:00:00`).
    pub time: String,
    pub partition: Option<String>,
    /// At most this many tasks at once (`--array=0-N%MAX`).
    pub max_parallel: usize,
}

/// Single-quotes `text` for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `submit-slurm.sh`: submits the array and the merge, prints both job ids. `tumorscope` is
/// the binary the tasks run (overridable with `TUMORSCOPE=… submit-slurm.sh`); the plan
/// folder is where the script lies, so the folder can be moved as a whole.
pub fn slurm_script(plan: &Plan, options: &SlurmOptions, tumorscope: &Path) -> String {
    let partition = options
        .partition
        .as_deref()
        .map(|p| format!(" --partition={}", quote(p)))
        .unwrap_or_default();
    format!(
        r#"#!/bin/sh
# Written by `tumorscope plan`: runs the plan in this folder as a Slurm array of {tasks} task(s)
# ({per_task} patient(s) each, at most {max} at once), then merges the results into
# ./merged once every task has ended (afterany: a failed task does not block the merge, which
# lists what is missing). Rerun this script to resume: finished patients are not redone.
set -eu
PLAN=$(cd "$(dirname "$0")" && pwd)
TUMORSCOPE=${{TUMORSCOPE:-{exe}}}
mkdir -p "$PLAN/logs"
ARRAY=$(sbatch --parsable --job-name=tumorscope-run --array=0-{last}%{max} \
  --cpus-per-task={cpus} --mem={mem} --time={time}{partition} \
  --output="$PLAN/logs/run-%A_%a.out" \
  --wrap="exec '$TUMORSCOPE' run '$PLAN'")
ARRAY=${{ARRAY%%;*}}
MERGE=$(sbatch --parsable --job-name=tumorscope-merge --dependency=afterany:$ARRAY \
  --cpus-per-task=1 --mem={mem} --time={time}{partition} \
  --output="$PLAN/logs/merge-%j.out" \
  --wrap="exec '$TUMORSCOPE' merge '$PLAN'")
MERGE=${{MERGE%%;*}}
echo "array job $ARRAY ({tasks} task(s)), merge job $MERGE"
"#,
        tasks = plan.tasks,
        per_task = plan.per_task,
        last = plan.tasks.saturating_sub(1),
        max = options.max_parallel.max(1),
        cpus = options.cpus_per_task.max(1),
        mem = quote(&options.mem),
        time = quote(&options.time),
        exe = quote(&tumorscope.to_string_lossy()),
    )
}

/// `k8s-job.yaml`: an Indexed Job of the same tasks (`JOB_COMPLETION_INDEX` picks the shard).
/// The image and the volume holding the plan and the inputs are the user's to fill in.
pub fn k8s_job_yaml(plan: &Plan, options: &SlurmOptions) -> String {
    format!(
        r#"# Written by `tumorscope plan`: the plan as a Kubernetes Indexed Job of {tasks} task(s).
# Fill in the image (one with the tumorscope binary) and a volume that holds this plan folder
# and the inputs at the same paths as here ({inputs}); then
#   kubectl apply -f k8s-job.yaml
# and, when it has completed, `tumorscope merge PLAN` (or a second Job running it).
apiVersion: batch/v1
kind: Job
metadata:
  name: tumorscope-run
spec:
  completionMode: Indexed
  completions: {tasks}
  parallelism: {max}
  backoffLimitPerIndex: 2
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: run
          image: REPLACE-WITH-AN-IMAGE-WITH-TUMORSCOPE
          command: ["tumorscope", "run", "/plan"]
          resources:
            requests:
              cpu: "{cpus}"
              memory: "{mem}"
            limits:
              cpu: "{cpus}"
              memory: "{mem}"
          volumeMounts:
            - name: data
              mountPath: /plan
      volumes:
        - name: data
          persistentVolumeClaim:
            claimName: REPLACE-WITH-A-CLAIM
"#,
        tasks = plan.tasks,
        max = options.max_parallel.min(plan.tasks).max(1),
        cpus = options.cpus_per_task.max(1),
        mem = options
            .mem
            .trim_end_matches(['B', 'b'])
            .replace('G', "Gi")
            .replace('M', "Mi"),
        inputs = plan
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote("a'b"), r"'a'\''b'");
    }
}
