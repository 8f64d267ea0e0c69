#!/usr/bin/env bash
# A real Slurm cluster on loopback for the Slurm executor's tests (issue 16):
# its own munged, one slurmctld and NODES slurmd daemons on this machine
# (Debian's slurm-wlm is built for several slurmd per host, `slurmd -N`).
# Nothing outside DIR is touched: config, keys, sockets, state and logs live
# there, on free ports, so it runs beside a system Slurm and other tests.
#
#   cluster.sh start DIR [NODES [CPUS_PER_NODE]]   prints `export SLURM_CONF=DIR/slurm.conf`
#   cluster.sh stop DIR                            stops every daemon it started
#
# Needs root (slurmd runs jobs as their user) and slurm-wlm, munge.
set -euo pipefail

die() {
  echo "cluster.sh: $*" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_conf() {  # DIR NODES CPUS
  local dir=$1 nodes=$2 cpus=$3 memory
  memory=$(awk '/MemTotal/ { print int($2 / 1024 / 4) }' /proc/meminfo)
  cat >"$dir/slurm.conf" <<CONF
# Written by tests/slurm/cluster.sh for a throwaway cluster on loopback.
ClusterName=cambrian-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=600
KillWait=5
Waittime=0
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
CONF
  local i
  for i in $(seq 1 "$nodes"); do
    echo "NodeName=n$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=$(free_port) CPUs=$cpus RealMemory=$memory State=UNKNOWN" >>"$dir/slurm.conf"
  done
  echo "PartitionName=debug Nodes=n[1-$nodes] Default=YES MaxTime=INFINITE State=UP" >>"$dir/slurm.conf"
}

start() {  # DIR [NODES] [CPUS]
  local dir nodes=${2:-2} cpus=${3:-1}
  [ "$(id -u)" = 0 ] || die "needs root (slurmd runs jobs as their owner)"
  command -v slurmctld >/dev/null && command -v munged >/dev/null ||
    die "needs slurm-wlm and munge (scripts/install-deps.sh)"
  mkdir -p "$1" && dir=$(cd "$1" && pwd)
  mkdir -p "$dir/munge" "$dir/ctld" "$dir/log" "$dir/spool"
  chmod 700 "$dir/munge"
  [ -s "$dir/munge/munge.key" ] || dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed" --force || die "munged did not start; see $dir/log/munged.log"
  write_conf "$dir" "$nodes" "$cpus"
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF" || die "slurmctld did not start; see $dir/log/slurmctld.log"
  local i
  for i in $(seq 1 "$nodes"); do
    mkdir -p "$dir/spool/n$i"
    slurmd -f "$SLURM_CONF" -N "n$i" || die "slurmd n$i did not start; see $dir/log/slurmd-n$i.log"
  done
  for _ in $(seq 150); do
    [ "$(sinfo -h -o '%t' -N 2>/dev/null | grep -c '^idle')" = "$nodes" ] && {
      echo "export SLURM_CONF=$SLURM_CONF"
      return 0
    }
    sleep 0.2
  done
  sinfo -N >&2 || true
  die "the nodes did not come up in 30 s; see $dir/log"
}

stop() {  # DIR
  local dir=$1 pid file
  for file in "$dir"/slurmd-*.pid "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -s "$file" ] || continue
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$file"
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: cluster.sh start DIR [NODES [CPUS]] | stop DIR" ;;
esac
