#!/usr/bin/env bash
# The README's test command; `.ci/run` calls exactly this. Installs what is missing (Debian
# packages), then, failing on the first problem:
#   1. format:  clang-format --dry-run --Werror over every tracked *.cpp/*.hpp (scripts/format.sh);
#   2. ci:      Release build with warnings as errors (preset `ci`, build/ci), then every test;
#   3. asan:    Debug build with AddressSanitizer + UBSan (preset `asan`, build/asan), then the
#               unit and integration tests (e2e tests are not built there).
#   scripts/test.sh                       # everything
#   scripts/test.sh -L unit               # extra arguments go to ctest in steps 2 and 3
#   BREEZE_SKIP_FORMAT=1 scripts/test.sh  # skip step 1
#   BREEZE_SKIP_ASAN=1 scripts/test.sh    # skip step 3
#   BREEZE_PRESET=release scripts/test.sh # another preset for step 2
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh

jobs=$(nproc)
step() { echo "test.sh: $1 ($SECONDS s so far)" >&2; }

if [[ "${BREEZE_SKIP_FORMAT:-}" != 1 ]]; then
  step "format check"
  scripts/format.sh --check
fi

PRESET=${BREEZE_PRESET:-ci}
step "build and test, preset $PRESET"
cmake --preset "$PRESET" >/dev/null
cmake --build --preset "$PRESET" -- -j"$jobs"
ctest --preset "$PRESET" -j"$jobs" "$@"
# Sealed from the caller's shell: the unit and integration layers again with Breeze's variables
# exported (issue 12). In-process tests see only their injected environment, so nothing changes.
if [ "$#" -eq 0 ]; then
  step "unit and integration tests again with ANSWER/DRY_RUN/VERBOSE/PYTHON_MAJOR_MINOR_VERSION exported"
  ANSWER=yes DRY_RUN=true VERBOSE=true PYTHON_MAJOR_MINOR_VERSION=3.11 \
    ctest --preset "$PRESET" -j"$jobs" -L 'unit|integration'
fi

if [[ "${BREEZE_SKIP_ASAN:-}" != 1 ]]; then
  step "build and test under AddressSanitizer + UBSan, unit and integration tests"
  cmake --preset asan >/dev/null
  cmake --build --preset asan --target breeze breeze_unit_tests breeze_integration_tests -- -j"$jobs"
  # Several -L options must all match: the caller's filter narrows the unit|integration set.
  ctest --preset asan -j"$jobs" --no-tests=ignore -L 'unit|integration' "$@"
fi
step "done"
