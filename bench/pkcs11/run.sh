#!/usr/bin/env bash
# Signing rate of CA keys: through Pkcs11KeyStore on a SoftHSM2 token (made here in a temp
# directory), through SoftwareKeyStore, and `openssl speed` as the reference, in one run.
#
# Usage: bench/pkcs11/run.sh [BUILD_DIR] [SECONDS] [THREADS]
#   BUILD_DIR  default build (needs the target openpca_sign_bench)
#   SECONDS    per measurement, default 3
#   THREADS    threads of the second measurement, default 2
# Prints the load average first and last (`uptime`): the machine may be shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
seconds=${2:-3}
threads=${3:-2}
module=${OPENPCA_TEST_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$tmp/tokens" >"$tmp/softhsm2.conf"
export SOFTHSM2_CONF=$tmp/softhsm2.conf
softhsm2-util --init-token --free --label openpca-bench --so-pin 1234 --pin 5678 >/dev/null
(umask 077 && echo 5678 >"$tmp/pin")

echo "== $(uptime)"
echo "== openpca key stores (1 KiB message, $seconds s each)"
"$build/bench/pkcs11/openpca_sign_bench" --module "$module" --token openpca-bench \
  --pin-file "$tmp/pin" --seconds "$seconds" --threads "$threads"
echo "== openssl speed (reference; sign column, 1 process)"
openssl speed -seconds "$seconds" ecdsap256 2>/dev/null | grep -E '^ *256 bits ecdsa'
openssl speed -seconds "$seconds" rsa2048 2>/dev/null | grep -E '^rsa 2048'
echo "== openssl speed -multi $threads"
openssl speed -multi "$threads" -seconds "$seconds" ecdsap256 2>/dev/null | grep -E '^ *256 bits ecdsa|ecdsa.*256'  | tail -1
openssl speed -multi "$threads" -seconds "$seconds" rsa2048 2>/dev/null | grep -E 'rsa.*2048' | tail -1
echo "== $(uptime)"
