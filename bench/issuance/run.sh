#!/usr/bin/env bash
# Issuance benchmark, one command: build (or reuse) the benchmark build, print the machine,
# `openssl speed` references, the in-process bench, then the HTTP load generator against a
# throw-away `openpca serve` on 127.0.0.1:0 (IssueCertificate, then GetCertificate).
#
# Usage: bench/issuance/run.sh [BUILD_DIR]           (default: <repo>/build-bench)
# Environment:
#   OPENPCA_BENCH_NO_BUILD=1   use BUILD_DIR as it is (no cmake/ninja)
#   OPENPCA_BENCH_JOBS=N       ninja -j (default 2)
#   OPENPCA_BENCH_SECONDS=S    load duration per operation (default 10, at most 60)
#   OPENPCA_BENCH_CONCURRENCY  connections (default 32)
#   OPENPCA_BENCH_PROFILE=1    also `perf record` the server during one more IssueCertificate
#                              run and print the top of `perf report` (needs linux-perf)
# Bounded: every step runs under `timeout`; the server and the temporary data directory are removed
# on every exit path. A benchmark: it prints figures and judges nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
build="${1:-$repo/build-bench}"
jobs="${OPENPCA_BENCH_JOBS:-2}"
seconds="${OPENPCA_BENCH_SECONDS:-10}"
concurrency="${OPENPCA_BENCH_CONCURRENCY:-32}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 1 || seconds > 60 )); then
  echo "run.sh: OPENPCA_BENCH_SECONDS must be 1..60" >&2
  exit 2
fi

section() { printf '\n=== %s ===\n' "$*"; }

# --- Build. ---
if [[ "${OPENPCA_BENCH_NO_BUILD:-0}" != 1 ]]; then
  section "build ($build)"
  if [[ ! -f "$build/build.ninja" ]]; then
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  timeout 3600 ninja -C "$build" -j"$jobs" openpca openpca_loadgen openpca_issue_inprocess
fi
server_bin="$build/src/server/openpca"
loadgen="$build/bench/issuance/openpca_loadgen"
inproc="$build/bench/issuance/openpca_issue_inprocess"
for b in "$server_bin" "$loadgen" "$inproc"; do
  [[ -x "$b" ]] || { echo "run.sh: missing $b (build first)" >&2; exit 1; }
done

# --- Machine. ---
section "machine"
echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "commit:  $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "openssl: $(openssl version)"
free -h
echo "uptime:  $(uptime)"

# --- References. ---
section "openssl speed -seconds 3 ecdsap256"
timeout 60 openssl speed -seconds 3 ecdsap256 2>/dev/null | tail -3
section "openssl speed -seconds 3 rsa2048"
timeout 60 openssl speed -seconds 3 rsa2048 2>/dev/null | tail -3

# --- In-process. ---
section "in-process (openpca_issue_inprocess --seconds 3)"
echo "uptime:  $(uptime)"
timeout 300 "$inproc" --seconds 3

# --- Server + load generator. ---
tmp="$(mktemp -d "${TMPDIR:-/tmp}/openpca-issuance-bench.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section "server"
data="$tmp/data"
mkdir -p "$data"
# A fixed, throw-away bootstrap key for this temporary server only.
export OPENPCA_BOOTSTRAP_ACCESS_KEY_ID="AKIABENCH$(openssl rand -hex 6 | tr a-f A-F)"
export OPENPCA_BOOTSTRAP_SECRET_ACCESS_KEY="$(openssl rand -hex 20)"
# The request log (one JSON line per request) goes to a file, as in a deployment.
"$server_bin" serve --listen 127.0.0.1:0 --data-dir "$data" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  [[ -s "$data/endpoint" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
[[ -s "$data/endpoint" ]] || { echo "run.sh: server did not start" >&2; exit 1; }
endpoint="$(head -n1 "$data/endpoint")"
echo "server pid $server_pid at $endpoint, data dir $data ($(df -T "$data" | awk 'NR==2{print $2}'))"

# CPU seconds (user+system) the server has used so far.
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$server_pid/stat"
}
cpu_delta() { awk -v a="$cpu_before" -v b="$(server_cpu)" 'BEGIN{printf "%.2f", b - a}'; }
TIMEFORMAT='load generator CPU: user %U s, system %S s, wall %R s'

common=(--endpoint "$endpoint" --credentials "$data/credentials" --concurrency "$concurrency"
        --duration "$seconds" --requests 1000000 --csr-pool 256)
lg_timeout=$(( seconds + 120 ))

section "load: IssueCertificate, $concurrency connections, ${seconds} s"
echo "uptime:  $(uptime)"
cpu_before="$(server_cpu)"
set +e
# The CA is created and activated through the API by the load generator, before its clock starts.
time {
  timeout "$lg_timeout" "$loadgen" "${common[@]}" --verify-sample 100 --create-ca \
    --operation IssueCertificate | tee "$tmp/issue.txt"
  rc=${PIPESTATUS[0]}
}
set -e
[[ $rc == 0 ]] || echo "run.sh: load generator exited with $rc"
echo "server CPU during this run (incl. creating the CA): $(cpu_delta) s"
ca_arn="$(sed -n 's/^ca-arn: //p' "$tmp/issue.txt" | head -n1)"
[[ -n "$ca_arn" ]] || { echo "run.sh: no CA ARN from the load generator" >&2; exit 1; }

section "load: GetCertificate, $concurrency connections, ${seconds} s"
echo "uptime:  $(uptime)"
set +e
cpu_before="$(server_cpu)"
time timeout "$lg_timeout" "$loadgen" "${common[@]}" --verify-sample 100 --ca-arn "$ca_arn" \
  --operation GetCertificate
rc=$?
set -e
echo "server CPU during this run (incl. pre-issuing 256 certificates): $(cpu_delta) s"
[[ $rc == 0 ]] || echo "run.sh: load generator exited with $rc"

if [[ "${OPENPCA_BENCH_PROFILE:-0}" == 1 ]]; then
  section "profile: perf record --call-graph dwarf -p $server_pid during IssueCertificate"
  if command -v perf >/dev/null; then
    # DWARF unwinding: Debian's libcrypto has no frame pointers.
    timeout $(( seconds + 30 )) perf record -F 499 --call-graph dwarf,16384 -o "$tmp/perf.data" \
      -p "$server_pid" \
      -- sleep $(( seconds + 4 )) >/dev/null 2>&1 &
    perf_pid=$!
    sleep 1
    timeout "$lg_timeout" "$loadgen" "${common[@]}" --verify-sample 0 --ca-arn "$ca_arn" \
      --operation IssueCertificate | grep '^RESULT' || true
    wait "$perf_pid" || true
    echo "--- self time (no children), top 40"
    perf report -i "$tmp/perf.data" --no-children --stdio --percent-limit 0.7 -g none \
      --sort dso,symbol 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-120 | head -40 || true
    echo "--- inclusive time (children) of named functions, top 60"
    perf report -i "$tmp/perf.data" --children --stdio --percent-limit 1 -g none \
      --sort symbol 2>/dev/null | grep -v '^#' | grep -v '^$' | grep -v 'inlined' \
      | grep -v '\] 0x0000' | cut -c1-160 | head -60 || true
  else
    echo "perf not installed (Debian: linux-perf)"
  fi
fi

section "server log summary"
echo "request log lines: $(wc -l <"$tmp/server.log")"
echo "database: $(du -sh "$data"/openpca.db* 2>/dev/null | tr '\n' ' ')"
echo "uptime:  $(uptime)"
