#!/usr/bin/env bash
# A throwaway one-node Slurm cluster on 127.0.0.1 for the cloud tests (ENVIRONMENT.md, "Schedulers
# for tests"): Debian's slurm-wlm + munge started by hand, no systemd, everything under DIR.
#   slurm.sh start DIR  → installs slurm-wlm + munge if missing, writes a munge key and a short
#                         slurm.conf (cons_tres, proctrack/linuxproc, task/none, one node = this
#                         host with 4 CPUs), starts munged, slurmctld and slurmd, waits for the node
#                         to be idle and prints one JSON line: {"conf","partition","node","dir"}
#                         (exit 3: the packages cannot be installed here — callers skip)
#   slurm.sh stop DIR   → kills the three daemons and any job processes they left (a crash, not a
#                         drain); DIR is kept (state files) until the caller removes it.
# Users submit with SLURM_CONF=<DIR>/slurm.conf in their environment (a real cluster has
# /etc/slurm/slurm.conf). No accounting storage (slurmdbd needs MySQL): `sacct` reports it disabled;
# job state comes from squeue / scontrol. Must run as root (slurmd starts jobs as the submitting user).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}

descendants() { # pid → every descendant pid
  local p=$1 c
  for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do echo "$c"; descendants "$c"; done
}
kill_pidfile() { # pidfile → kill it and its descendants (slurmstepd and jobs hang under slurmd)
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  # shellcheck disable=SC2046
  kill -9 "$pid" $(descendants "$pid") 2>/dev/null || true
  rm -f "$1"
}

if [ "$cmd" = stop ]; then
  # slurmstepd processes are reparented to init when slurmd dies: find them by the spool folder.
  for p in $(pgrep -f "slurmstepd" 2>/dev/null || true); do
    grep -qs "$dir" "/proc/$p/environ" "/proc/$p/cmdline" 2>/dev/null && kill -9 "$p" $(descendants "$p") 2>/dev/null || true
  done
  kill_pidfile "$dir/slurmd.pid"; kill_pidfile "$dir/slurmctld.pid"; kill_pidfile "$dir/munge/munged.pid"
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "slurm.sh: must run as root (slurmd starts jobs as other users)" >&2; exit 1; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm.sh: installing slurm-wlm munge" >&2
  (DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends slurm-wlm munge ||
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends slurm-wlm munge)) >&2 ||
    { echo "slurm.sh: cannot install slurm-wlm munge (apt-get failed)" >&2; exit 3; }
fi
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
node=$(hostname -s)
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/jobs"
chmod 755 "$dir" "$dir/munge"; chmod 1777 "$dir/jobs"
[ -f "$dir/munge/munge.key" ] || { head -c 1024 /dev/urandom > "$dir/munge/munge.key"; chmod 600 "$dir/munge/munge.key"; }
[ -f "$dir/ports" ] || echo "$(free_port) $(free_port)" > "$dir/ports"
read -r ctld_port slurmd_port < "$dir/ports"
cat > "$dir/slurm.conf" <<CONF
ClusterName=mtltest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
KillWait=20
MinJobAge=600
SlurmdParameters=config_overrides
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=4 RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
chmod 644 "$dir/slurm.conf"
export SLURM_CONF=$dir/slurm.conf
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
alive "$dir/munge/munged.pid" || munged --force -S "$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
  --log-file="$dir/munge/munged.log" --pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/seed"
# -D in the background (not a daemon fork) so the pid file is ours at once; setsid keeps them off
# the caller's process group. slurmctld keeps its state across restarts in DIR/state.
if ! alive "$dir/slurmctld.pid"; then
  setsid slurmctld -D -f "$dir/slurm.conf" >>"$dir/slurmctld.out" 2>&1 < /dev/null &
  echo $! > "$dir/slurmctld.pid"
fi
if ! alive "$dir/slurmd.pid"; then
  setsid slurmd -D -f "$dir/slurm.conf" -N "$node" >>"$dir/slurmd.out" 2>&1 < /dev/null &
  echo $! > "$dir/slurmd.pid"
fi
for _ in $(seq 1 150); do
  state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
  case "$state" in idle*|mix*|alloc*) break ;; esac
  sleep 0.1
done
case "$state" in idle*|mix*|alloc*) ;; *)
  echo "slurm.sh: node $node is '$state', not idle; logs:" >&2
  tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/slurmctld.out" "$dir/slurmd.out" >&2 2>/dev/null || true
  exit 1 ;;
esac
printf '{"conf":"%s","partition":"debug","node":"%s","dir":"%s"}\n' "$dir/slurm.conf" "$node" "$dir"
