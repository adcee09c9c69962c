#!/usr/bin/env bash
# The README's test command: installs what is missing (Debian packages), builds, runs every test.
# Exits non-zero on any failure. `.ci/run` calls exactly this.
#   scripts/test.sh                 # everything
#   scripts/test.sh -L unit         # extra arguments go to ctest (e.g. a label)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh

PRESET=${BREEZE_PRESET:-release}
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET" -- -j"$(nproc)"
ctest --preset "$PRESET" -j"$(nproc)" "$@"
# Sealed from the caller's shell: the unit and integration layers again with Breeze's variables
# exported (issue 12). In-process tests see only their injected environment, so nothing changes.
if [ "$#" -eq 0 ]; then
  ANSWER=yes DRY_RUN=true VERBOSE=true PYTHON_MAJOR_MINOR_VERSION=3.11 \
    ctest --preset "$PRESET" -j"$(nproc)" -L 'unit|integration'
fi
