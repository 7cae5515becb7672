#!/usr/bin/env bash
# Installs every Debian 12 package openpca needs to build, run and test. Idempotent: installs
# only what is missing. Runs as root (or through sudo when available).
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries
  libssl-dev libboost-dev libboost-system-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
  libp11-kit-dev libcli11-dev libspdlog-dev libfmt-dev libre2-dev zlib1g-dev
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  openssl awscli python3 python3-cryptography python3-boto3 softhsm2 wrk sqlite3 curl
  # the PostgreSQL store's tests start a private server (tests/store/postgres_server.h)
  postgresql-15 postgresql-client-15
  # the high-availability layout (deploy/ha) and its failover test (tests/ha): etcd, Patroni,
  # haproxy in front of PostgreSQL; the test's clients use psycopg2
  patroni etcd-server etcd-client haproxy postgresql-15 postgresql-client-15 python3-psycopg2 iproute2
  # metrics: promtool and the Prometheus server for tests/integration/test_metrics.py
  prometheus
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "openpca: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
