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

# The seed's session (13 August 2023): the shipped, crafted PyPI data served on 127.0.0.1 stands in
# for pypi.org, and a constraints file dated 2023-08-09T21:48:23Z for constraints-main.
step "breeze ci find-backtracking-candidates (PyPI stand-in on 127.0.0.1)"
coproc PYPI { exec python3 tests/scripts/pypi_server.py --root tests/fixtures/pypi/index; }
PYPI_SERVER_PID=$PYPI_PID
trap 'kill "$PYPI_SERVER_PID" 2>/dev/null || true' EXIT
read -r PYPI_PORT <&"${PYPI[0]}"
"$BREEZE" ci find-backtracking-candidates \
  --pypi-url "http://127.0.0.1:$PYPI_PORT" \
  --constraints-file tests/fixtures/pypi/constraints-source-providers-3.11.txt
kill "$PYPI_SERVER_PID" 2>/dev/null || true
