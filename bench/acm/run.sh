#!/bin/sh
# AWS Certificate Manager benchmark (docs/benchmarks.md "ACM"): RequestCertificate per second for
# EC P-256 and RSA-2048 beside key generation alone (in process, and `openssl genpkey` as the
# command-line reference), then the renewal scheduler's scan over 1M certificates.
# Usage: bench/acm/run.sh [build-dir]
set -eu
B=${1:-build}
echo "== load before"; uptime
echo "== openssl speed (sign/verify, for scale)"
openssl speed -seconds 3 ecdsap256 rsa2048 2>/dev/null | tail -5
echo "== openssl genpkey: 50 x EC P-256, 10 x RSA-2048 (one process each)"
s=$(date +%s.%N); for i in $(seq 50); do openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out /dev/null; done; e=$(date +%s.%N)
echo "openssl_genpkey_ec_p256_per_s: $(echo "50 / ($e - $s)" | bc -l)"
s=$(date +%s.%N); for i in $(seq 10); do openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out /dev/null 2>/dev/null; done; e=$(date +%s.%N)
echo "openssl_genpkey_rsa_2048_per_s: $(echo "10 / ($e - $s)" | bc -l)"
echo "== acm_bench"
"$B/bench/acm/acm_bench" --ec-requests 200 --rsa-requests 30 --certs 1000000 --due-percent 1
echo "== load after"; uptime
