#!/usr/bin/env bash
# Builds and runs the sanitizer tests (ASan + UBSan) in ./build-asan: only common, ossl, keys,
# x509 and the certificate-building part of authority, with the CSR fuzz tests and the
# differential test of the two certificate builders. Two parallel jobs by default (OPENPCA_JOBS).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOPENPCA_SANITIZE=ON \
  ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
ninja -C build-asan -j "${OPENPCA_JOBS:-2}" sanitize_test
cd build-asan
ctest --output-on-failure -j "${OPENPCA_JOBS:-2}" -L sanitize
