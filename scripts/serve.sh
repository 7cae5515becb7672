#!/usr/bin/env bash
# Installs what is missing, builds, and starts openpca on the embedded defaults (SQLite and the
# encrypted software key store under ./data). Extra arguments go to `openpca serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/src/server/openpca serve --data-dir "${OPENPCA_DATA_DIR:-./data}" "$@"
