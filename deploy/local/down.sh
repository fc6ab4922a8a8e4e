#!/usr/bin/env bash
# Stops what deploy/local/up.sh started, and nothing else: the processes whose pids up.sh recorded
# under the state dir, after checking that each pid is still that process. A Kafka or PostgreSQL
# that up.sh found already running (e.g. the machine's own PostgreSQL) is never touched.
# Idempotent. Data and logs stay in the state dir (delete it to start from scratch).
#
# Environment: LOCAL_STATE_DIR (default <repo>/.local), LOCAL_STOP_TIMEOUT (seconds, default 60).
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE_DIR=${LOCAL_STATE_DIR:-$REPO_ROOT/.local}
STOP_TIMEOUT=${LOCAL_STOP_TIMEOUT:-60}

log() { printf '[local-down] %s\n' "$*"; }

if [[ ! -d $STATE_DIR ]]; then
  log "nothing to stop: no state dir $STATE_DIR"
  exit 0
fi
STATE_DIR=$(cd "$STATE_DIR" && pwd)

exec 9>"$STATE_DIR/.lock"
flock -w 600 9 || { log "ERROR: another up.sh or down.sh holds $STATE_DIR/.lock" >&2; exit 1; }

alive() {
  local pid=$1 state
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]]
}

# cmdline_has PID WORD...: the process's command line contains every WORD.
cmdline_has() {
  local pid=$1 cmdline word
  shift
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  for word in "$@"; do [[ $cmdline == *"$word"* ]] || return 1; done
}

# stop NAME PIDFILE SIGNAL WORD...: send SIGNAL (the process's graceful shutdown), wait up to
# STOP_TIMEOUT seconds, then SIGKILL. Only if the pid is alive and is still the process up.sh started.
stop() {
  local name=$1 pidfile=$2 signal=$3 pid deadline
  shift 3
  if [[ ! -s $pidfile ]]; then
    log "$name: not started by up.sh (no $pidfile), nothing to stop"
    return 0
  fi
  pid=$(head -n1 "$pidfile")
  if ! alive "$pid" || ! cmdline_has "$pid" "$@"; then
    log "$name: pid $pid from $pidfile is not running any more (or is another process now); removing the stale pid file"
    rm -f "$pidfile"
    return 0
  fi
  log "$name: stopping pid $pid (SIG$signal, up to ${STOP_TIMEOUT}s)"
  kill "-$signal" "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.5; done
  if alive "$pid"; then
    log "$name: pid $pid still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.2; done
  fi
  rm -f "$pidfile"
  log "$name: stopped"
}

# Kafka: SIGTERM is the broker's controlled shutdown.
stop Kafka "$STATE_DIR/kafka/pid" TERM kafka.Kafka "$STATE_DIR/kafka/config/server.properties"

# PostgreSQL: SIGINT is its "fast" shutdown (SIGTERM, "smart", would wait for every client to
# disconnect). The pid file exists only when up.sh started the cluster itself.
PG_DATA=$STATE_DIR/postgres/data
[[ -L $PG_DATA ]] && PG_DATA=$(readlink -f "$PG_DATA")
stop PostgreSQL "$STATE_DIR/postgres/pid" INT postgres "$PG_DATA"

