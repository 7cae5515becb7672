#!/usr/bin/env bash
# A high-availability openpca layout on one machine, all on 127.0.0.1:
#   3 etcd members (v3 API)  <-  3 Patroni nodes, each running one PostgreSQL 15 server
#   haproxy: one port for the PostgreSQL primary (Patroni REST GET /primary), one port balancing
#            the openpca servers (GET /health)
#   openpca servers sharing one database through haproxy's PostgreSQL port
#
# Usage: ha.sh start | stop [DIR] | status [DIR] | failover-test
#   start          starts everything in $OPENPCA_HA_DIR (default: a new /tmp/openpca-ha.XXXXXX) and
#                  prints the directory; the stack keeps running until `ha.sh stop DIR`
#   stop           stops every process the directory's pid files name (the directory is kept)
#   status         Patroni's view of the cluster, etcd health, haproxy's view of its servers
#   failover-test  start, write load through haproxy, SIGKILL the primary's Patroni and postgres
#                  mid-load, measure the time without service, check that every acknowledged write
#                  (and certificate) is there afterwards, restart the killed node, stop.
#                  Exits non-zero on any lost acknowledged write. OPENPCA_HA_KEEP=1 leaves the
#                  stack running and the directory in place.
#
# Environment:
#   OPENPCA_HA_DIR        work directory (created if missing)
#   OPENPCA_HA_PORT_BASE  first port of the block of 100 used (default 27400; the next free block
#                         is taken when a port of it is in use)
#   OPENPCA_HA_SERVERS    number of openpca servers (default 2; 0 = database part only)
#   OPENPCA_BIN           openpca binary (default /work/main/build/src/server/openpca)
#   OPENPCA_HA_TTL, OPENPCA_HA_LOOP_WAIT, OPENPCA_HA_RETRY_TIMEOUT   Patroni timing (10, 2, 3)
#   OPENPCA_HA_SYNC_STRICT    Patroni synchronous_mode_strict (default false; see patroni.yml.in)
#   OPENPCA_HA_LOAD_SECONDS   upper bound of the failover test's load phase (default 90)
#
# As root, PostgreSQL and Patroni run as the `postgres` user (runuser); etcd, haproxy and openpca
# run as the caller.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG_BINDIR="${OPENPCA_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
PYTHON=/usr/bin/python3
NODES=(1 2 3)

log() { printf '[ha %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Work directory, ports
# ---------------------------------------------------------------------------------------------

init_dir() {
  if [ -n "${OPENPCA_HA_DIR:-}" ]; then
    DIR="$OPENPCA_HA_DIR"
    mkdir -p "$DIR"
  else
    DIR="$(mktemp -d /tmp/openpca-ha.XXXXXX)"
  fi
  DIR="$(cd "$DIR" && pwd)"
  chmod 755 "$DIR"
  mkdir -p "$DIR/pids"
  if [ "$(id -u)" -eq 0 ]; then
    RUNAS=(runuser -u postgres --)
    runuser -u postgres -- test -x "$DIR" ||
      die "the postgres user cannot enter $DIR (choose OPENPCA_HA_DIR under /tmp)"
  else
    RUNAS=()
  fi
}

use_dir() {   # an existing work directory: argument, else $OPENPCA_HA_DIR
  DIR="${1:-${OPENPCA_HA_DIR:-}}"
  [ -n "$DIR" ] || die "which directory? ha.sh $CMD DIR (or OPENPCA_HA_DIR=DIR)"
  [ -f "$DIR/ports.env" ] || die "$DIR is not an ha.sh work directory (no ports.env)"
  DIR="$(cd "$DIR" && pwd)"
  # shellcheck disable=SC1091
  . "$DIR/ports.env"
  if [ "$(id -u)" -eq 0 ]; then RUNAS=(runuser -u postgres --); else RUNAS=(); fi
}

port_in_use() { ss -Htln "sport = :$1" | grep -q .; }

block_free() {
  local base=$1 off
  for off in 1 2 3 11 12 13 21 22 23 31 32 33 40 41 42; do
    port_in_use $((base + off)) && return 1
  done
  for ((off = 51; off < 51 + SERVERS; off++)); do
    port_in_use $((base + off)) && return 1
  done
  return 0
}

choose_ports() {
  if [ -f "$DIR/ports.env" ]; then . "$DIR/ports.env"; return 0; fi
  local base=${OPENPCA_HA_PORT_BASE:-27400} tries=0
  until block_free "$base"; do
    tries=$((tries + 1))
    [ $tries -lt 20 ] || die "no free block of ports from ${OPENPCA_HA_PORT_BASE:-27400} on"
    base=$((base + 100))
  done
  cat > "$DIR/ports.env" <<EOF
# ports of this layout (all on 127.0.0.1); written by ha.sh start
PORT_BASE=$base
ETCD_CLIENT_PORTS=($((base + 1)) $((base + 2)) $((base + 3)))
ETCD_PEER_PORTS=($((base + 11)) $((base + 12)) $((base + 13)))
PG_PORTS=($((base + 21)) $((base + 22)) $((base + 23)))
REST_PORTS=($((base + 31)) $((base + 32)) $((base + 33)))
HAPROXY_PG_PORT=$((base + 40))
HAPROXY_OPENPCA_PORT=$((base + 41))
HAPROXY_STATS_PORT=$((base + 42))
OPENPCA_PORT_FIRST=$((base + 51))
SERVERS=$SERVERS
EOF
  . "$DIR/ports.env"
}

# render TEMPLATE OUT KEY=VALUE...: replaces every @KEY@ of TEMPLATE by VALUE.
render() {
  local tmpl=$1 out=$2 kv key text
  shift 2
  text="$(<"$tmpl")"
  for kv in "$@"; do
    key="${kv%%=*}"
    text="${text//@${key}@/${kv#*=}}"
  done
  if [[ "$text" =~ @[A-Z_]+@ ]]; then die "unfilled placeholder ${BASH_REMATCH[0]} in $out"; fi
  printf '%s\n' "$text" > "$out"
  chmod 644 "$out"
}

# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

# Is PID alive and one of ours (its command line names this work directory)?
# (Explicit return statuses throughout: a bare `return` in a function run from the EXIT trap
# returns the status the script was exiting with.)
ours() {
  local pid=$1 cmdline
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  cmdline="$({ tr '\0' ' ' < "/proc/$pid/cmdline"; } 2> /dev/null || true)"
  if [[ "$cmdline" == *"$DIR"* ]]; then return 0; fi
  return 1
}

# alive PID: for a process this shell has just started (it may not have exec'd its command yet).
alive() { [ -n "$1" ] && kill -0 "$1" 2> /dev/null; }

# spawn NAME LOGFILE CMD...: starts CMD in its own session, pid in pids/NAME.pid.
spawn() {
  local name=$1 logfile=$2
  shift 2
  setsid "$@" >> "$logfile" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/$name.pid"
}

# stop_pid NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS (default 20).
stop_pid() {
  local name=$1 secs=${2:-20} pid i
  [ -f "$DIR/pids/$name.pid" ] || return 0
  pid="$(cat "$DIR/pids/$name.pid")"
  if ours "$pid"; then
    kill -TERM "$pid" 2> /dev/null || true
    for ((i = 0; i < secs * 10; i++)); do ours "$pid" || break; sleep 0.1; done
    if ours "$pid"; then
      log "$name (pid $pid) ignored SIGTERM for ${secs}s: SIGKILL"
      kill -KILL "$pid" 2> /dev/null || true
    fi
  fi
  rm -f "$DIR/pids/$name.pid"
}

# The Patroni process of node N (under runuser as root: runuser's child).
patroni_pid() {
  local n=$1 pid child
  pid="$(cat "$DIR/pids/pg$n.pid" 2> /dev/null)" || return 1
  ours "$pid" || return 1
  if [ ${#RUNAS[@]} -gt 0 ]; then
    child="$(cat /proc/"$pid"/task/*/children 2> /dev/null | tr ' ' '\n' | grep -m1 . || true)"
    [ -n "$child" ] && pid=$child
  fi
  echo "$pid"
}

# stop_node N: SIGTERM to Patroni itself (runuser would SIGKILL it 2 s after forwarding a
# SIGTERM), which stops its postgres; SIGKILL after 30 s.
stop_node() {
  local n=$1 pid i
  if pid="$(patroni_pid "$n")"; then
    kill -TERM "$pid" 2> /dev/null || true
    for ((i = 0; i < 300; i++)); do ours "$pid" || break; sleep 0.1; done
  fi
  stop_pid "pg$n" 5
}

postmaster_pid() {
  local pid
  pid="$(head -1 "$DIR/pg$1/data/postmaster.pid" 2> /dev/null)" || return 1
  ours "$pid" || return 1
  echo "$pid"
}

# JSON of GET /cluster from the first Patroni that answers.
cluster_json() {
  local p
  for p in "${REST_PORTS[@]}"; do
    if curl -sf --max-time 2 "http://127.0.0.1:$p/cluster" 2> /dev/null; then return 0; fi
  done
  return 1
}

# cluster_field EXPR: evaluates a Python expression over `members` (list of dicts) of /cluster.
cluster_field() {
  local json
  json="$(cluster_json)" || return 1
  $PYTHON -c "import json,sys; members=json.loads(sys.argv[1]).get('members',[]); print($1)" "$json"
}

# ---------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------

start_etcd() {
  local n cluster="" hosts=""
  for n in "${NODES[@]}"; do
    cluster+="${cluster:+,}etcd$n=http://127.0.0.1:${ETCD_PEER_PORTS[n - 1]}"
  done
  for n in "${NODES[@]}"; do
    mkdir -p "$DIR/etcd$n"
    render "$HERE/etcd.yml.in" "$DIR/etcd$n/etcd.yml" NAME="etcd$n" DATA_DIR="$DIR/etcd$n/data" \
      CLIENT_PORT="${ETCD_CLIENT_PORTS[n - 1]}" PEER_PORT="${ETCD_PEER_PORTS[n - 1]}" \
      INITIAL_CLUSTER="$cluster"
    ours "$(cat "$DIR/pids/etcd$n.pid" 2> /dev/null)" && continue
    spawn "etcd$n" "$DIR/etcd$n/etcd.log" etcd --config-file "$DIR/etcd$n/etcd.yml"
  done
  local endpoints i
  endpoints="$(printf '127.0.0.1:%s,' "${ETCD_CLIENT_PORTS[@]}")"
  for ((i = 0; i < 300; i++)); do
    if ETCDCTL_API=3 etcdctl --endpoints="${endpoints%,}" --dial-timeout=1s endpoint health \
        > /dev/null 2>&1; then
      log "etcd: 3 members healthy on ${ETCD_CLIENT_PORTS[*]}"
      return 0
    fi
    sleep 0.2
  done
  tail -n 5 "$DIR"/etcd*/etcd.log >&2 || true
  die "etcd did not become healthy in 60 s"
}

start_patroni() {
  local n hosts
  hosts="$(printf '127.0.0.1:%s,' "${ETCD_CLIENT_PORTS[@]}")"
  for n in "${NODES[@]}"; do
    start_node "$n" "${hosts%,}"
  done
}

start_node() {
  local n=$1 hosts=${2:-} node="$DIR/pg$1"
  if [ -z "$hosts" ]; then
    hosts="$(printf '127.0.0.1:%s,' "${ETCD_CLIENT_PORTS[@]}")"
    hosts="${hosts%,}"
  fi
  mkdir -p "$node"
  render "$HERE/patroni.yml.in" "$node/patroni.yml" NAME="pg$n" NODE_DIR="$node" \
    DATA_DIR="$node/data" PG_PORT="${PG_PORTS[n - 1]}" REST_PORT="${REST_PORTS[n - 1]}" \
    ETCD_HOSTS="$hosts" PG_BINDIR="$PG_BINDIR" TTL="${OPENPCA_HA_TTL:-10}" \
    LOOP_WAIT="${OPENPCA_HA_LOOP_WAIT:-2}" RETRY_TIMEOUT="${OPENPCA_HA_RETRY_TIMEOUT:-3}" \
    SYNC_STRICT="${OPENPCA_HA_SYNC_STRICT:-false}"
  touch "$node/patroni.log"
  if [ ${#RUNAS[@]} -gt 0 ]; then chown postgres:postgres "$node" "$node/patroni.log"; fi
  ours "$(cat "$DIR/pids/pg$n.pid" 2> /dev/null)" && return 0
  # cwd: the node's directory (the postgres user may not enter the caller's).
  (cd "$node" && spawn "pg$n" "$node/patroni.log" "${RUNAS[@]}" patroni "$node/patroni.yml")
}

# wait_cluster SECONDS: one running leader, a synchronous standby, all 3 members running.
# (Patroni 3.0 shows a streaming replica as "running"; replication_ok checks the streams.)
wait_cluster() {
  local secs=${1:-120} i state=""
  for ((i = 0; i < secs * 2; i++)); do
    state="$(cluster_field "' '.join(sorted(m['name']+':'+m['role']+':'+m['state'] for m in members))" \
      2> /dev/null || true)"
    if [[ "$state" == *":leader:running"* && "$state" == *":sync_standby:running"* ]] &&
        [ "$(grep -oE ':running' <<< "$state" | wc -l)" -eq 3 ]; then
      log "patroni: $state"
      return 0
    fi
    sleep 0.5
  done
  log "patroni state after ${secs}s: ${state:-no answer}"
  return 1
}

# replication_ok [SECONDS]: the primary behind haproxy streams to 2 standbys, one synchronous.
replication_ok() {
  local secs=${1:-60} i got=""
  for ((i = 0; i < secs * 2; i++)); do
    got="$(psql_front postgres -c "SELECT count(*) FILTER (WHERE state = 'streaming') || '/' || count(*) FILTER (WHERE sync_state = 'sync') FROM pg_stat_replication" 2> /dev/null || true)"
    if [ "$got" = "2/1" ]; then
      log "replication: 2 standbys streaming, 1 synchronous"
      return 0
    fi
    sleep 0.5
  done
  log "replication after ${secs}s: streaming/sync = ${got:-no answer}"
  return 1
}

start_haproxy() {
  local pg_servers="" op_servers="" n
  for n in "${NODES[@]}"; do
    pg_servers+="    server pg$n 127.0.0.1:${PG_PORTS[n - 1]} check port ${REST_PORTS[n - 1]}"$'\n'
  done
  for ((n = 1; n <= SERVERS; n++)); do
    op_servers+="    server openpca$n 127.0.0.1:$((OPENPCA_PORT_FIRST + n - 1)) check"$'\n'
  done
  mkdir -p "$DIR/haproxy"
  render "$HERE/haproxy.cfg.in" "$DIR/haproxy/haproxy.cfg" DIR="$DIR" \
    PID_FILE="$DIR/pids/haproxy.pid" PG_FRONT_PORT="$HAPROXY_PG_PORT" \
    OPENPCA_FRONT_PORT="$HAPROXY_OPENPCA_PORT" STATS_PORT="$HAPROXY_STATS_PORT" \
    PG_SERVERS="${pg_servers%$'\n'}" OPENPCA_SERVERS="${op_servers%$'\n'}"
  ours "$(cat "$DIR/pids/haproxy.pid" 2> /dev/null)" && return 0
  haproxy -c -q -f "$DIR/haproxy/haproxy.cfg" || die "haproxy refused $DIR/haproxy/haproxy.cfg"
  haproxy -D -f "$DIR/haproxy/haproxy.cfg" >> "$DIR/haproxy/haproxy.log" 2>&1 < /dev/null
  local i
  for ((i = 0; i < 100; i++)); do
    if pg_ready; then
      log "haproxy: PostgreSQL primary on 127.0.0.1:$HAPROXY_PG_PORT, openpca on 127.0.0.1:$HAPROXY_OPENPCA_PORT, stats http://127.0.0.1:$HAPROXY_STATS_PORT/stats"
      return 0
    fi
    sleep 0.2
  done
  die "no PostgreSQL primary behind haproxy after 20 s"
}

pg_ready() {
  psql_front postgres -c 'SELECT 1' > /dev/null 2>&1
}

# psql_front DB ARGS...: psql through haproxy's primary port.
psql_front() {
  local db=$1
  shift
  PGCONNECT_TIMEOUT=3 psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$HAPROXY_PG_PORT" \
    -U postgres -d "$db" "$@"
}

create_database() {
  if [ "$(psql_front postgres -c "SELECT count(*) FROM pg_database WHERE datname = 'openpca'")" = 0 ]; then
    psql_front postgres -c 'CREATE DATABASE openpca'
    log "database openpca created"
  fi
}

openpca_bin() { echo "${OPENPCA_BIN:-/work/main/build/src/server/openpca}"; }

start_openpca() {
  [ "$SERVERS" -gt 0 ] || { log "openpca: OPENPCA_HA_SERVERS=0, no servers"; return 0; }
  local bin n port data i
  bin="$(openpca_bin)"
  [ -x "$bin" ] || die "no openpca binary at $bin (set OPENPCA_BIN, or OPENPCA_HA_SERVERS=0)"
  mkdir -p "$DIR/openpca"
  for ((n = 1; n <= SERVERS; n++)); do
    port=$((OPENPCA_PORT_FIRST + n - 1))
    data="$DIR/openpca/server$n"
    mkdir -p "$data"
    if ours "$(cat "$DIR/pids/openpca$n.pid" 2> /dev/null)"; then continue; fi
    # The account lives in the database: every server after the first uses its credentials.
    if [ "$n" -gt 1 ] && [ ! -f "$data/credentials" ]; then
      install -m 600 "$DIR/openpca/server1/credentials" "$data/credentials"
    fi
    rm -f "$data/endpoint"
    spawn "openpca$n" "$DIR/openpca/server$n.log" env \
      OPENPCA_POSTGRES_DSN="host=127.0.0.1 port=$HAPROXY_PG_PORT user=postgres dbname=openpca" \
      OPENPCA_MASTER_KEY_FILE="$DIR/openpca/master.key" \
      "$bin" serve --listen "127.0.0.1:$port" --data-dir "$data"
    for ((i = 0; i < 600; i++)); do
      alive "$(cat "$DIR/pids/openpca$n.pid")" ||
        { tail -n 20 "$DIR/openpca/server$n.log" >&2; die "openpca server $n exited during startup"; }
      if [ -s "$data/endpoint" ] && [ -s "$data/credentials" ] &&
          curl -sf --max-time 2 "http://127.0.0.1:$port/health" > /dev/null 2>&1; then
        break
      fi
      sleep 0.1
    done
    [ $i -lt 600 ] || { tail -n 20 "$DIR/openpca/server$n.log" >&2; die "openpca server $n not healthy in 60 s"; }
    if [ "$n" -eq 1 ]; then
      local tables
      tables="$(psql_front openpca -c "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'ha_check')")"
      [ "$tables" -gt 0 ] || die "openpca server 1 created no table in database openpca: $bin does not keep its state in PostgreSQL (OPENPCA_POSTGRES_DSN); use a build that does, or OPENPCA_HA_SERVERS=0"
    fi
    log "openpca: server $n on $(cat "$data/endpoint")"
  done
  for ((i = 0; i < 100; i++)); do
    curl -sf --max-time 2 "http://127.0.0.1:$HAPROXY_OPENPCA_PORT/health" > /dev/null 2>&1 && break
    sleep 0.2
  done
  log "openpca: $SERVERS servers behind http://127.0.0.1:$HAPROXY_OPENPCA_PORT (credentials: $DIR/openpca/server1/credentials)"
}

cmd_start() {
  SERVERS="${OPENPCA_HA_SERVERS:-2}"
  for tool in etcd etcdctl patroni haproxy psql curl ss; do
    command -v "$tool" > /dev/null || die "$tool not found (scripts/install-deps.sh installs it)"
  done
  [ -x "$PG_BINDIR/postgres" ] || die "no PostgreSQL server in $PG_BINDIR (postgresql-15)"
  init_dir
  choose_ports
  log "work directory $DIR, ports $PORT_BASE..$((PORT_BASE + 50 + SERVERS))"
  start_etcd
  start_patroni
  wait_cluster 180 || { tail -n 20 "$DIR"/pg*/patroni.log >&2; die "the PostgreSQL cluster did not come up"; }
  start_haproxy
  replication_ok 60 || die "the standbys do not stream from the primary"
  create_database
  start_openpca
  echo "$DIR"
}

# ---------------------------------------------------------------------------------------------
# stop, status
# ---------------------------------------------------------------------------------------------

cmd_stop() {
  local n f
  for f in "$DIR"/pids/openpca*.pid; do
    [ -e "$f" ] && stop_pid "$(basename "$f" .pid)"
  done
  stop_pid haproxy 5
  # Stop the replicas before the leader, so that none of them takes over meanwhile.
  local leader
  leader="$(cluster_field "next((m['name'] for m in members if m['role'] == 'leader'), '')" 2> /dev/null || true)"
  local waits=()
  for n in "${NODES[@]}"; do
    if [ "pg$n" != "$leader" ]; then stop_node "$n" & waits+=($!); fi
  done
  # Only these: a bare `wait` would also wait for the daemons this shell started.
  [ ${#waits[@]} -eq 0 ] || wait "${waits[@]}"
  [ -z "$leader" ] || stop_node "${leader#pg}"
  for n in "${NODES[@]}"; do   # a postgres left behind by a killed Patroni
    local pm
    if pm="$(postmaster_pid "$n")"; then
      log "pg$n: postgres $pm outlived Patroni: immediate shutdown"
      "${RUNAS[@]}" "$PG_BINDIR/pg_ctl" -D "$DIR/pg$n/data" -m immediate -w -t 20 stop > /dev/null 2>&1 ||
        kill -KILL "$pm" 2> /dev/null || true
    fi
  done
  for n in "${NODES[@]}"; do stop_pid "etcd$n" 10; done
  log "stopped everything under $DIR"
}

cmd_status() {
  echo "== work directory: $DIR"
  sed -n '2,$p' "$DIR/ports.env"
  echo "== patroni"
  patronictl -c "$DIR/pg1/patroni.yml" list 2> /dev/null || echo "(no answer)"
  echo "== etcd"
  local endpoints
  endpoints="$(printf '127.0.0.1:%s,' "${ETCD_CLIENT_PORTS[@]}")"
  ETCDCTL_API=3 etcdctl --endpoints="${endpoints%,}" --dial-timeout=1s endpoint status -w table 2>&1 || true
  echo "== haproxy (server: status)"
  curl -sf --max-time 2 "http://127.0.0.1:$HAPROXY_STATS_PORT/stats;csv" 2> /dev/null |
    awk -F, '$2 != "FRONTEND" && $2 != "BACKEND" && NR > 1 { print $1 "/" $2 ": " $18 }' ||
    echo "(no answer)"
  echo
}

# ---------------------------------------------------------------------------------------------
# failover test
# ---------------------------------------------------------------------------------------------

# kill-primary: SIGKILL the leader's Patroni and postmaster; prints the node's name.
cmd_kill_primary() {
  local leader n ppid pmpid
  leader="$(cluster_field "next((m['name'] for m in members if m['role'] == 'leader'), '')")"
  [ -n "$leader" ] || die "no leader to kill"
  n="${leader#pg}"
  ppid="$(patroni_pid "$n")" || die "no Patroni process for $leader"
  pmpid="$(postmaster_pid "$n")" || die "no postmaster for $leader"
  cluster_field "next((m['name'] for m in members if m['role'] == 'sync_standby'), '')" \
    > "$DIR/sync_standby_at_kill" 2> /dev/null || true
  kill -KILL "$ppid" "$pmpid"
  echo "$leader" > "$DIR/killed"
  log "SIGKILL $leader: patroni $ppid, postgres $pmpid"
  echo "$leader"
}

cmd_failover_test() {
  local rc=0 t0 start_s
  t0=$(date +%s.%N)
  cleanup() {
    local code=$?
    if [ "${OPENPCA_HA_KEEP:-0}" = 1 ]; then
      log "OPENPCA_HA_KEEP=1: still running; ha.sh stop $DIR"
    elif [ -n "${DIR:-}" ] && [ -f "$DIR/ports.env" ]; then
      cmd_stop || true
      if [ $code -eq 0 ] && [ -z "${OPENPCA_HA_DIR:-}" ]; then rm -rf "$DIR"; else log "work directory kept: $DIR"; fi
    fi
    exit $code
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  cmd_start > /dev/null
  start_s=$($PYTHON -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
  log "stack up in ${start_s}s"

  local args=(--dir "$DIR" --pg-port "$HAPROXY_PG_PORT" --kill-cmd "$HERE/ha.sh kill-primary"
              --max-seconds "${OPENPCA_HA_LOAD_SECONDS:-90}")
  if [ "$SERVERS" -gt 0 ]; then
    args+=(--openpca-url "http://127.0.0.1:$HAPROXY_OPENPCA_PORT"
           --credentials "$DIR/openpca/server1/credentials")
  fi
  OPENPCA_HA_DIR="$DIR" $PYTHON "$HERE/failover_load.py" "${args[@]}" || rc=$?

  local promoted
  promoted="$(cluster_field "next((m['name'] for m in members if m['role'] == 'leader'), '')" 2> /dev/null || true)"
  [ ! -f "$DIR/killed" ] ||
    log "RESULT promoted: ${promoted:-none} (synchronous standby when $(cat "$DIR/killed") was killed: $(cat "$DIR/sync_standby_at_kill" 2> /dev/null))"

  # The killed node comes back and must rejoin as a replica (pg_rewind when its timeline diverged).
  if [ -f "$DIR/killed" ]; then
    local killed i t1 state
    killed="$(cat "$DIR/killed")"
    t1=$(date +%s.%N)
    start_node "${killed#pg}"
    for ((i = 0; i < 240; i++)); do
      state="$(cluster_field "next((m['role']+':'+m['state'] for m in members if m['name'] == '$killed'), '')" 2> /dev/null || true)"
      state+=":$(psql_front postgres -c "SELECT state FROM pg_stat_replication WHERE application_name = '$killed'" 2> /dev/null || true)"
      [[ "$state" =~ ^(sync_standby|replica):running:streaming$ ]] && break
      sleep 0.5
    done
    if [[ "$state" =~ ^(sync_standby|replica):running:streaming$ ]]; then
      log "RESULT rejoin: $killed back as $state in $($PYTHON -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t1" "$(date +%s.%N)")s after its restart"
    else
      log "RESULT rejoin: $killed not streaming 120 s after its restart (state: ${state:-unknown})"
      rc=1
    fi
  fi
  cmd_status >&2 || true
  if [ $rc -eq 0 ]; then log "failover test PASSED"; else log "failover test FAILED (exit $rc)"; fi
  return $rc
}

CMD="${1:-}"
case "$CMD" in
  start) cmd_start ;;
  stop) use_dir "${2:-}"; cmd_stop ;;
  status) use_dir "${2:-}"; cmd_status ;;
  failover-test) cmd_failover_test ;;
  kill-primary) use_dir "${2:-}"; cmd_kill_primary ;;
  start-node) use_dir "${3:-}"; start_node "${2:?node number}" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
