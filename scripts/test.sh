#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: unit tests (GoogleTest) and the
# end-to-end suite that drives a real server with the AWS CLI, boto3 and openssl. Then a small
# second build in build-asan/ runs the CSR reader's fuzz tests and the certificate builders'
# differential test under AddressSanitizer and UBSan (OPENPCA_SANITIZE in CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j "${OPENPCA_JOBS:-2}" "$@")
scripts/sanitize.sh
