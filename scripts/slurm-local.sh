#!/bin/sh
# A one-node Slurm cluster on this machine, for trying `tumorscope plan` / submit-slurm.sh on a
# laptop and for the batch test. Needs Debian's slurmctld, slurmd, slurm-client and munge
# (apt-get install slurmctld slurmd slurm-client munge) and root (slurmd runs jobs as their
# user).
#
#   scripts/slurm-local.sh start DIR   # config, state and logs in DIR; prints the env to use
#   . DIR/env                          # SLURM_CONF for sbatch, squeue, scancel …
#   scripts/slurm-local.sh stop DIR
set -eu
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
host=$(hostname -s)

case "$cmd" in
start)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
  chmod 700 "$dir/munge"
  # munge: a fresh random key, its own socket.
  head -c 1024 /dev/urandom > "$dir/munge/key"
  chmod 400 "$dir/munge/key"
  munged --key-file "$dir/munge/key" --socket "$dir/munge/socket" \
    --pid-file "$dir/munge/pid" --log-file "$dir/log/munged.log" \
    --seed-file "$dir/munge/seed" -f
  cpus=$(nproc)
  mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
  cat > "$dir/slurm.conf" <<CONF
ClusterName=tumorscope-local
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmctldPort=$((6817 + $$ % 1000))
SlurmdPort=$((7818 + $$ % 1000))
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MaxArraySize=100001
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  echo "export SLURM_CONF=$dir/slurm.conf" > "$dir/env"
  SLURM_CONF="$dir/slurm.conf"; export SLURM_CONF
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF" -N "$host"
  # Wait for the node to be idle.
  i=0
  until sinfo -h -N -o '%t' 2>/dev/null | grep -q idle; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "slurm did not come up; see $dir/log" >&2; exit 1; }
    sleep 0.2
  done
  echo "slurm is up: . $dir/env"
  ;;
stop)
  if [ -f "$dir/slurm.conf" ]; then
    SLURM_CONF="$dir/slurm.conf" scontrol shutdown >/dev/null 2>&1 || true
  fi
  for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/pid"; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
