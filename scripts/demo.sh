#!/usr/bin/env bash
# The README's setup+run command: installs, builds, and runs breeze's main jobs on local stand-ins
# that the project ships (nothing leaves 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release -- -j"$(nproc)" >/dev/null

BREEZE="$PWD/build/release/src/breeze"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "breeze --help"
"$BREEZE" --help

step "breeze version"
"$BREEZE" version
