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
# update-constraints: the seed's pymssql fix against a generated constraints repository (Airflow's
# real tagged constraints from before the August 2023 fix) with a bare local "apache" remote.
DEMO_DIR=$(mktemp -d /tmp/breeze-demo-XXXXXX)
trap 'rm -rf "$DEMO_DIR"; kill "$PYPI_SERVER_PID" 2>/dev/null || true' EXIT
export GIT_AUTHOR_NAME="breeze demo" GIT_AUTHOR_EMAIL=demo@localhost
export GIT_COMMITTER_NAME="breeze demo" GIT_COMMITTER_EMAIL=demo@localhost
git init -q --bare "$DEMO_DIR/apache.git"
git -C "$DEMO_DIR/apache.git" fetch -q "$PWD/tests/fixtures/real-constraints/pymssql-2023.bundle" 'refs/*:refs/*'
# The seed's example names 2.5.0 as well; the recorded tags start at 2.5.1.
git -C "$DEMO_DIR/apache.git" tag -a constraints-2.5.0 -m "Constraints for Apache Airflow 2.5.0" constraints-2.5.1^{commit}
git clone -q -o apache "$DEMO_DIR/apache.git" "$DEMO_DIR/airflow-constraints"

step "breeze release-management update-constraints --dry-run (the seed's example; nothing changes)"
"$BREEZE" release-management update-constraints --constraints-repo "$DEMO_DIR/airflow-constraints" \
    --airflow-versions 2.5.0,2.5.1,2.5.2,2.5.3,2.6.0,2.6.1,2.6.2,2.6.3 \
    --updated-constraint pymssql==2.2.8 \
    --commit-message "Update pymssql constraint to 2.2.8" --dry-run | grep -v '^[ @+-]\|^diff\|^index' || true

step "breeze release-management update-constraints (for real, --answer yes)"
"$BREEZE" release-management update-constraints --constraints-repo "$DEMO_DIR/airflow-constraints" \
    --airflow-versions 2.5.0,2.5.1,2.5.2,2.5.3,2.6.0,2.6.1,2.6.2,2.6.3 \
    --updated-constraint pymssql==2.2.8 \
    --commit-message "Update pymssql constraint to 2.2.8" --answer yes | grep -v '^[ @+-]\|^diff\|^index'

step "the remote's tags and fix branches now"
git -C "$DEMO_DIR/apache.git" for-each-ref --format='%(refname:short) %(objectname:short) %(contents:subject)' \
    refs/tags refs/heads

step "one diff: constraints-2.6.3 against its old commit (constraints-3.8.txt)"
git -C "$DEMO_DIR/apache.git" diff constraints-2.6.3^ constraints-2.6.3 -- constraints-3.8.txt

step "running it again is safe: every version is already up to date"
"$BREEZE" release-management update-constraints --constraints-repo "$DEMO_DIR/airflow-constraints" \
    --airflow-versions 2.5.0..2.6.3 --updated-constraint pymssql==2.2.8 \
    --commit-message "Update pymssql constraint to 2.2.8" --answer yes | tail -n 10
