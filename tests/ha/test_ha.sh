#!/usr/bin/env bash
# The high-availability layout's failover test: deploy/ha/ha.sh failover-test (3 etcd members,
# 3 PostgreSQL nodes under Patroni, haproxy, openpca servers on one database), bounded by 600 s,
# in a work directory of its own. Everything it started is stopped on every exit path; the work
# directory (logs) is removed on success and kept on failure.
# Exits 77 (skipped) only when Patroni, etcd or haproxy is not installed.
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HA="$REPO/deploy/ha/ha.sh"

missing=()
for tool in patroni etcd etcdctl haproxy; do
  command -v "$tool" > /dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  {
    echo "************************************************************************"
    echo "SKIPPED: the HA failover test needs ${missing[*]} (not installed)."
    echo "         scripts/install-deps.sh installs patroni, etcd-server, etcd-client"
    echo "         and haproxy."
    echo "************************************************************************"
  } >&2
  exit 77
fi

export OPENPCA_HA_DIR
OPENPCA_HA_DIR="$(mktemp -d /tmp/openpca-ha-test.XXXXXX)"
rc=1
cleanup() {
  # ha.sh stops its stack itself; this catches what a kill of ha.sh left behind.
  "$HA" stop "$OPENPCA_HA_DIR" > /dev/null 2>&1 || true
  if [ "$rc" -eq 0 ]; then
    rm -rf "$OPENPCA_HA_DIR"
  else
    echo "test_ha: logs kept in $OPENPCA_HA_DIR" >&2
    tail -n 15 "$OPENPCA_HA_DIR"/pg*/patroni.log "$OPENPCA_HA_DIR"/openpca/*.log 2> /dev/null >&2 || true
  fi
}
trap cleanup EXIT

# In the background, so that a signal to this script is handled at once (bash runs traps only
# between foreground commands): it is passed on to timeout, which passes it on to ha.sh, whose
# own cleanup stops the stack; cleanup() above catches anything left.
timeout --kill-after=30 600 "$HA" failover-test &
child=$!
trap 'kill -TERM "$child" 2> /dev/null; wait "$child"; rc=130; exit 130' INT TERM HUP
wait "$child"
rc=$?
[ "$rc" -ne 124 ] || echo "test_ha: failover-test did not finish in 600 s" >&2
exit "$rc"
