#!/usr/bin/env bash
# Configures and builds openpca into ./build (Release with debug info). Two parallel jobs by
# default; set OPENPCA_JOBS to change it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "${OPENPCA_JOBS:-2}"
