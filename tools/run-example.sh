#!/usr/bin/env bash
# Builds the library and runs the Prelude v2 quickstart, then the Ding v1 quickstart, each against
# an embedded sandbox (offline: no account, no network).
# With PRELUDE_API_KEY set, the v2 quickstart talks to the real Prelude API instead (it sends codes
# to PRELUDE_PHONE_NUMBER and reads the code from stdin); with DING_API_KEY and DING_CUSTOMER_UUID
# set, the v1 quickstart talks to the real Ding API.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target quickstart_v2 quickstart
echo "== Prelude v2 (ding::v2::client): example/quickstart_v2.cpp"
./build/example/quickstart_v2
echo "== Ding v1 (ding::client, retired by the vendor): example/quickstart.cpp"
./build/example/quickstart
