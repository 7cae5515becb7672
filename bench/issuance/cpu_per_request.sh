#!/usr/bin/env bash
# One openpca server, one loadgen run, and what the server spent per request: CPU time per thread
# (from /proc/<pid>/task/*/stat), bytes and write syscalls (from /proc/<pid>/io), resident memory
# before and after, and its peak. The figures to
# compare two builds or settings by cost rather than by throughput on a shared machine.
#
# Usage: bench/issuance/cpu_per_request.sh RECORD(1|0) REQUESTS [IssueCertificate|GetCertificate]
#        (BUILD_DIR from OPENPCA_BUILD_DIR, default <repo>/build; RECORD=0 switches the CloudTrail
#        event history off). Loopback only; REQUESTS at most 1,000,000, 32 connections; the server
#        and its temporary directory are removed on every exit path. Prints figures, judges nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${OPENPCA_BUILD_DIR:-$here/../../build}"
rec="${1:?RECORD 1|0}"; n="${2:?REQUESTS}"; op="${3:-IssueCertificate}"
if ! [[ "$n" =~ ^[0-9]+$ ]] || (( n < 1 || n > 1000000 )); then echo "REQUESTS: 1..1000000" >&2; exit 2; fi
lg="$build/bench/issuance/openpca_loadgen"
d="$(mktemp -d)"
spid=""
cleanup() { [[ -n "$spid" ]] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null; rm -rf "$d"; }
trap cleanup EXIT
OPENPCA_AUDIT_RECORD_EVENTS="$rec" "$build/src/server/openpca" serve --listen 127.0.0.1:0 \
  --data-dir "$d/d" >"$d/log" 2>&1 &
spid=$!
for _ in $(seq 1 200); do [[ -s "$d/d/endpoint" ]] && break; sleep 0.05; done
ep="$(head -n1 "$d/d/endpoint")"
ca="$(timeout 120 "$lg" --endpoint "$ep" --credentials "$d/d/credentials" --create-ca \
      --requests 1 --concurrency 1 --verify-sample 0 | sed -n 's/^created and activated CA: //p')"
# "<tid> <utime+stime ticks> <thread name>" per thread; names from common/thread_name.h.
snap() {
  for t in /proc/$spid/task/*; do
    echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat") $(tr ' ' '_' <"$t/comm")"
  done | sort
}
io() { awk -v k="$1" '$1==k":"{print $2}' "/proc/$spid/io"; }
echo "server memory before the load: $(awk '/^VmRSS/{print $2, $3}' "/proc/$spid/status") resident"
snap >"$d/a"; w0="$(io wchar)"; s0="$(io syscw)"
timeout 600 "$lg" --endpoint "$ep" --credentials "$d/d/credentials" --ca-arn "$ca" \
  --requests "$n" --duration 300 --concurrency 32 --verify-sample 0 --operation "$op" |
  grep -E "throughput|latency"
snap >"$d/b"; w1="$(io wchar)"; s1="$(io syscw)"
echo "server memory after: $(awk '/^VmRSS/{print $2, $3}' "/proc/$spid/status") resident, peak $(awk '/^VmHWM/{print $2, $3}' "/proc/$spid/status")"
echo "written bytes/request: $(( (w1 - w0) / n ))  write syscalls/request: $(( (s1 - s0) * 100 / n ))/100"
# CPU per thread role (the threads of one name summed: handler, http-io-N, sqlite-writer, ...).
join "$d/a" "$d/b" | awk -v n="$n" -v hz="$(getconf CLK_TCK)" '
  { d = ($4 - $2) * 1000 / hz; tot += d; by[$5] += d }
  END {
    for (name in by) {
      if (by[name] > 0) printf "  %-16s %6d ms = %6.1f us/request\n", name, by[name], by[name] * 1000 / n
    }
    printf "server cpu %.0f ms = %.1f us/request\n", tot, tot * 1000 / n
  }'
