#!/usr/bin/env bash
# Installs the Debian 12 packages ding-cpp needs, only those that are missing.
# Usage: tools/install-deps.sh [extra-package ...]   (runs apt-get as root, or through sudo)
set -euo pipefail

# curl: test/tool/drive_sandbox.sh drives the installed ding-sandbox with it. doxygen: the docs check.
packages=(g++ cmake make pkg-config libboost1.81-dev libboost-json1.81-dev libssl-dev openssl curl catch2 doxygen "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
