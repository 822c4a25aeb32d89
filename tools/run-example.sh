#!/usr/bin/env bash
# Builds the library and runs the quickstart against an embedded Ding sandbox (offline).
# With DING_API_KEY and DING_CUSTOMER_UUID set, the quickstart talks to the real API instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target quickstart
./build/example/quickstart
