#!/usr/bin/env bash
# IssueCertificate over HTTP with the CloudTrail event history on versus off, same run.
#
# Two servers on loopback, each with its own data directory: one records every call (the
# default), the other runs with OPENPCA_AUDIT_RECORD_EVENTS=0. Rounds alternate on / off so that
# drift of the (shared) machine hits both alike. The load average is printed with the figures.
#
# Usage: bench/audit/record_on_off.sh [BUILD_DIR]     (default: <repo>/build)
# Environment: OPENPCA_BENCH_SECONDS (per run, default 8, at most 60), OPENPCA_BENCH_ROUNDS
# (default 3), OPENPCA_BENCH_CONCURRENCY (default 32). Loopback only; bounded by `timeout`; the
# servers and the temporary directory are removed on every exit path. Prints figures, judges
# nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build}"
seconds="${OPENPCA_BENCH_SECONDS:-8}"
rounds="${OPENPCA_BENCH_ROUNDS:-3}"
concurrency="${OPENPCA_BENCH_CONCURRENCY:-32}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 1 || seconds > 60 )); then
  echo "record_on_off.sh: OPENPCA_BENCH_SECONDS must be 1..60" >&2
  exit 2
fi
server_bin="$build/src/server/openpca"
loadgen="$build/bench/issuance/openpca_loadgen"
for b in "$server_bin" "$loadgen"; do
  [[ -x "$b" ]] || { echo "record_on_off.sh: $b not built (ninja -C $build)" >&2; exit 2; }
done

tmp="$(mktemp -d)"
cleanup() {
  # start() runs in a command substitution (a subshell): it leaves each server's pid in a file.
  for f in "$tmp"/*.pid; do
    [[ -f "$f" ]] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

start() {  # start NAME RECORD(1|0): prints the endpoint
  local data="$tmp/$1"
  OPENPCA_AUDIT_RECORD_EVENTS="$2" "$server_bin" serve --listen 127.0.0.1:0 --data-dir "$data" \
    >"$tmp/$1.log" 2>&1 &
  echo $! >"$tmp/$1.pid"
  for _ in $(seq 1 200); do [[ -s "$data/endpoint" ]] && break; sleep 0.05; done
  head -n1 "$data/endpoint"
}
on_endpoint="$(start on 1)"
off_endpoint="$(start off 0)"
ca() {  # ca ENDPOINT NAME
  timeout 120 "$loadgen" --endpoint "$1" --credentials "$tmp/$2/credentials" --create-ca \
    --requests 1 --concurrency 1 --verify-sample 0 | sed -n 's/^created and activated CA: //p'
}
on_ca="$(ca "$on_endpoint" on)"
off_ca="$(ca "$off_endpoint" off)"

echo "=== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
run() {  # run LABEL ENDPOINT NAME CA
  echo "--- $1 (load $(cut -d' ' -f1 /proc/loadavg))"
  timeout $((seconds + 120)) "$loadgen" --endpoint "$2" --ca-arn "$4" \
    --credentials "$tmp/$3/credentials" --concurrency "$concurrency" --duration "$seconds" \
    --verify-sample 20 | grep -E "^(ok|errors|throughput|issued|verify):|latency_ms" || true
}
for r in $(seq 1 "$rounds"); do
  echo "=== round $r"
  run "history on" "$on_endpoint" on "$on_ca"
  run "history off" "$off_endpoint" off "$off_ca"
done
echo "=== records in the history of the 'on' server: $(sqlite3 "$tmp/on/openpca.db" \
  'SELECT COUNT(*) FROM event_history' 2>/dev/null || echo '?') (final; pending:" \
  "$(sqlite3 "$tmp/on/openpca.db" 'SELECT COUNT(*) FROM event_pending' 2>/dev/null || echo '?'))"
