#!/usr/bin/env bash
# Issuance benchmark, one command: build (or reuse) the benchmark build, print the machine,
# `openssl speed` references (the crypto ceiling), the in-process bench per CA key type (direct
# and reference builders, where each microsecond goes), then the HTTP load generator against a
# throw-away `openpca serve` on 127.0.0.1:0: IssueCertificate from an EC P-256, an RSA-2048 and an
# EC P-384 root (each with fdatasync count and latency from `perf trace` when perf is installed,
# i.e. the group commit's batch size), then GetCertificate.
#
# Usage: bench/issuance/run.sh [BUILD_DIR]           (default: <repo>/build-bench)
# Environment:
#   OPENPCA_BENCH_NO_BUILD=1   use BUILD_DIR as it is (no cmake/ninja)
#   OPENPCA_BENCH_JOBS=N       ninja -j (default 2)
#   OPENPCA_BENCH_SECONDS=S    load duration per operation (default 10, at most 60)
#   OPENPCA_BENCH_CONCURRENCY  connections (default 32)
#   OPENPCA_BENCH_PROFILE=1    also `perf record` the server during one more IssueCertificate
#                              run and print the top of `perf report` (needs linux-perf)
#   OPENPCA_BENCH_CA_KEYS      CA key algorithms for the HTTP issuance runs (default
#                              "EC_prime256v1 RSA_2048 EC_secp384r1")
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

# --- References: the cryptography every certificate needs (1 CSR verify + 1 sign). ---
speed_out="$(mktemp)"
section "openssl speed -seconds 3 ecdsap256 ecdsap384 rsa2048 (one core)"
echo "uptime:  $(uptime)"
timeout 120 openssl speed -seconds 3 ecdsap256 ecdsap384 rsa2048 2>/dev/null | tee "$speed_out" \
  | grep -E '^ *(rsa|[0-9]+ bits ecdsa)' || true
section "openssl speed -multi $(nproc) -seconds 3 ecdsap256 rsa2048 (all cores)"
timeout 120 openssl speed -multi "$(nproc)" -seconds 3 ecdsap256 rsa2048 2>/dev/null \
  | tee -a "$speed_out.multi" | grep -E '^ *(rsa|[0-9]+ bits ecdsa)' || true
# sign/s and verify/s of a row: "rsa 2048 bits 0.000850s 0.000024s 1176.5 42943.1" and
# "256 bits ecdsa (nistp256) 0.0000s 0.0001s 32849.0 11361.5".
speed_of() { awk -v pat="$1" -v col="$2" '$0 ~ pat {print $(NF - 2 + col); exit}' "$3"; }
p256_sign="$(speed_of '256 bits ecdsa' 1 "$speed_out")"
p256_verify="$(speed_of '256 bits ecdsa' 2 "$speed_out")"
p384_sign="$(speed_of '384 bits ecdsa' 1 "$speed_out")"
rsa_sign="$(speed_of '^rsa 2048' 1 "$speed_out")"
rsa_sign_multi="$(speed_of '^rsa 2048' 1 "$speed_out.multi")"
ceiling() {  # requests/s with one verify (P-256 CSR) + one sign of $1 per request, on all cores
  awk -v s="$1" -v v="$p256_verify" -v n="$(nproc)" 'BEGIN{ if (s > 0 && v > 0) printf "%.0f", n / (1/s + 1/v); else print "?" }'
}
echo "ceiling (1 P-256 CSR verify + 1 CA signature per certificate, $(nproc) cores, from one-core"
echo "  speeds): P-256 CA $(ceiling "$p256_sign")/s, P-384 CA $(ceiling "$p384_sign")/s, RSA-2048 CA $(ceiling "$rsa_sign")/s"
echo "rsa2048 sign/s: one core $rsa_sign, all cores (-multi) ${rsa_sign_multi:-?}"
rm -f "$speed_out" "$speed_out.multi"

# --- In-process. ---
ca_keys="${OPENPCA_BENCH_CA_KEYS:-EC_prime256v1 RSA_2048 EC_secp384r1}"
for key in $ca_keys; do
  section "in-process, CA $key (openpca_issue_inprocess --seconds 3 --ca-key $key)"
  echo "uptime:  $(uptime)"
  only="sign,direct,reference,ceiling,breakdown,issue"
  [[ "$key" == EC_prime256v1 ]] && only="$only,csr,get"
  timeout 600 "$inproc" --seconds 3 --ca-key "$key" --only "$only" --issue-threads 1,2,32
done

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

issue_load() {  # $1 = CA key algorithm; leaves the CA ARN in $ca_arn
  local key="$1"
  section "load: IssueCertificate, CA $key, $concurrency connections, ${seconds} s"
  echo "uptime:  $(uptime)"
  cpu_before="$(server_cpu)"
  local trace_pid=""
  if command -v perf >/dev/null; then
    # The group commit: every commit ends in one fdatasync of the WAL (checkpoints add a few).
    timeout $(( seconds + 120 )) perf trace -s -e fdatasync,fsync -p "$server_pid" \
      -o "$tmp/trace-$key.txt" -- sleep $(( seconds + 60 )) >/dev/null 2>&1 &
    trace_pid=$!
    sleep 0.5
  fi
  set +e
  # The CA is created and activated through the API by the load generator, before its clock starts.
  time {
    timeout "$lg_timeout" "$loadgen" "${common[@]}" --verify-sample 100 --create-ca \
      --ca-key-algorithm "$key" --operation IssueCertificate | tee "$tmp/issue-$key.txt"
    rc=${PIPESTATUS[0]}
  }
  set -e
  [[ $rc == 0 ]] || echo "run.sh: load generator exited with $rc"
  echo "server CPU during this run (incl. creating the CA): $(cpu_delta) s"
  if [[ -n "$trace_pid" ]]; then
    kill -INT "$trace_pid" 2>/dev/null || true
    wait "$trace_pid" 2>/dev/null || true
    local issued syncs
    issued="$(sed -n 's/^ok: *//p' "$tmp/issue-$key.txt" | head -n1)"
    syncs="$(awk '$1 == "fdatasync" {n += $2} END {print n + 0}' "$tmp/trace-$key.txt")"
    echo "group commit (perf trace, whole run incl. CA set-up): fdatasync calls $syncs for $issued certificates"
    awk -v n="${issued:-0}" '$1 == "fdatasync" {c += $2; t += $4; if ($6 > m) m = $6}
      END {if (c > 0) printf "  certificates per commit %.1f, fdatasync avg %.2f ms, max %.2f ms\n", n / c, t / c, m}' \
      "$tmp/trace-$key.txt"
  fi
  local rate
  rate="$(sed -n 's/^issued: *\([0-9.]*\).*/\1/p' "$tmp/issue-$key.txt" | head -n1)"
  case "$key" in
    RSA_2048) awk -v r="$rate" -v s="$rsa_sign" -v m="${rsa_sign_multi:-0}" 'BEGIN{
      if (s > 0) printf "RSA-2048: %.0f issued/s = %.0f%% of openssl speed rsa2048 sign/s on one core", r, 100*r/s;
      if (m > 0) printf ", %.0f%% of all cores (-multi)", 100*r/m; print ""}' ;;
    EC_prime256v1) echo "P-256: ${rate} issued/s against a ceiling of $(ceiling "$p256_sign")/s" ;;
    EC_secp384r1) echo "P-384: ${rate} issued/s against a ceiling of $(ceiling "$p384_sign")/s" ;;
  esac
  ca_arn="$(sed -n 's/^ca-arn: //p' "$tmp/issue-$key.txt" | head -n1)"
}

p256_ca=""
for key in $ca_keys; do
  issue_load "$key"
  [[ "$key" == EC_prime256v1 ]] && p256_ca="$ca_arn"
done
ca_arn="${p256_ca:-$ca_arn}"
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
