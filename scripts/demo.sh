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
# bisect-backtracking: the seed's 20 limits (aiobotocore moved last, so bisection meets builds that
# backtrack) against a stand-in probe that resolves in 0.2 s only when aiobotocore is limited and
# otherwise prints pip's backtracking line and hangs (cut at that line); latest versions from the
# PyPI stand-in; --apply edits a scratch Dockerfile.ci.
step "breeze ci bisect-backtracking (stand-in probe, PyPI stand-in on 127.0.0.1)"
BISECT_DIR=$(mktemp -d /tmp/breeze-bisect-demo-XXXXXX)
printf 'FROM python:3.11-slim-bookworm\nARG EAGER_UPGRADE_ADDITIONAL_REQUIREMENTS=""\n' >"$BISECT_DIR/Dockerfile.ci"
TMPDIR="$BISECT_DIR" "$BREEZE" ci bisect-backtracking \
  --pypi-url "http://127.0.0.1:$PYPI_PORT" --probe-timeout 1 --apply --dockerfile "$BISECT_DIR/Dockerfile.ci" \
  --probe-command "$PWD/tests/scripts/fake-probe seed 0.2 {requirements}" \
  --eager-upgrade-additional-requirements "asana<=3.2.1 async-timeout<=4.0.2 aws-sam-translator<=1.72.0 \
azure-core<=1.29.0 azure-cosmos<=4.4.0 boto3<=1.28.17 botocore<=1.31.17 cfgv<=3.3.1 coverage<=7.2.7 \
databricks-sql-connector<=2.8.0 google-ads<=21.2.0 google-cloud-aiplatform<=1.29.0 grpcio-status<=1.56.2 \
grpcio<=1.56.2 mypy<=1.2.0 pyzmq<=25.1.0 tornado<=6.3.2 tqdm<=4.66.0 virtualenv<=20.24.1 aiobotocore<=2.5.4"
cat "$BISECT_DIR/Dockerfile.ci"
# The same with the candidates and their likely culprits computed in-process: the top suspect,
# aiobotocore, ends the search after the full list.
step "breeze ci bisect-backtracking (suspects from the conflict analysis)"
TMPDIR="$BISECT_DIR" "$BREEZE" ci bisect-backtracking \
  --pypi-url "http://127.0.0.1:$PYPI_PORT" --constraints-file tests/fixtures/pypi/constraints-source-providers-3.11.txt \
  --probe-timeout 1 --probe-command "$PWD/tests/scripts/fake-probe seed 0.2 {requirements}"
rm -rf "$BISECT_DIR"
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
step "breeze ci-image build --dry-run (every docker command, nothing runs)"
DEMO_SRC=$(mktemp -d /tmp/bdemo.XXXXXX)
demo_cleanup() {
  rm -rf "$DEMO_DIR"
  kill "$PYPI_SERVER_PID" 2>/dev/null || true
  [ -n "${DEMO_REGISTRY_PID:-}" ] && kill "$DEMO_REGISTRY_PID" 2>/dev/null || true
  if [ -f "$DEMO_SRC/pid" ]; then
    DPID=$(cat "$DEMO_SRC/pid"); kill "$DPID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
  fi
  grep -o "$DEMO_SRC[^ ]*" /proc/mounts 2>/dev/null | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$DEMO_SRC"
}
trap demo_cleanup EXIT
mkdir -p "$DEMO_SRC/airflow/airflow"
printf '__version__ = "2.10.0.dev0"\n' > "$DEMO_SRC/airflow/airflow/__init__.py"
cat > "$DEMO_SRC/airflow/Dockerfile.ci" <<'DOCKERFILE'
FROM scratch AS main
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin"]
ARG AIRFLOW_VERSION
ARG PYTHON_BASE_IMAGE
ARG AIRFLOW_IMAGE_DATE_CREATED
RUN echo "airflow ${AIRFLOW_VERSION} on ${PYTHON_BASE_IMAGE}" > /version
ENV PATH=/usr/local/bin:/bin
COPY pip /usr/local/bin/pip
COPY freeze /freeze
CMD ["/bin/cat", "/version"]
DOCKERFILE
# The sample image's `pip`: `freeze` prints a known list per constraints mode (for generate-constraints).
cat > "$DEMO_SRC/airflow/pip" <<'PIP'
#!/bin/sh
case "$1" in
  freeze) cat "/freeze/$AIRFLOW_CONSTRAINTS_MODE.txt" ;;
  *) echo "pip $*: nothing to install in the sample image" >&2 ;;
esac
PIP
chmod +x "$DEMO_SRC/airflow/pip"
mkdir -p "$DEMO_SRC/airflow/freeze"
printf 'apache-airflow==2.10.0.dev0\n-e /opt/airflow\nboto3==1.34.0\npymssql==2.3.0\nFlask==2.2.5\napache-airflow-providers-amazon==8.16.0\n' \
  > "$DEMO_SRC/airflow/freeze/constraints-source-providers.txt"
printf 'boto3==1.34.0\npymssql==2.3.0\nFlask==2.2.5\napache-airflow-providers-amazon==8.15.0\nlocal @ file:///dist/local.whl\n' \
  > "$DEMO_SRC/airflow/freeze/constraints.txt"
printf 'boto3==1.34.0\npymssql==2.3.0\nFlask==2.2.5\n' > "$DEMO_SRC/airflow/freeze/constraints-no-providers.txt"
(cd "$DEMO_SRC/airflow" && "$BREEZE" ci-image build --python 3.12 --platform linux/amd64 --push --dry-run | cut -c1-160)

step "breeze release-management prepare-provider-packages / prepare-airflow-package (the v2-10-test checkout fixture, recording docker stand-in)"
# The package build image starts FROM python:<X.Y>-slim-bookworm (Docker Hub, not reachable here), so
# the recording docker stand-in answers instead: its containers' dist/ hold empty wheels, and the
# docker calls breeze made are listed after the run.
cp -r tests/fixtures/airflow-checkout/v2-10-test "$DEMO_SRC/v2-10-test"
(cd "$DEMO_SRC/v2-10-test" &&
  export BREEZE_DOCKER="$OLDPWD/tests/scripts/fake-docker" FAKE_DOCKER_LOG="$DEMO_SRC/packages.log" &&
  "$BREEZE" release-management prepare-provider-packages \
    --package-list-file ./prod_image_installed_providers.txt --package-format wheel --version-suffix-for-pypi dev0 &&
  "$BREEZE" release-management prepare-airflow-package --package-format wheel --version-suffix-for-pypi dev0)
grep '^argv' "$DEMO_SRC/packages.log" | grep -v '\[version\]' | cut -c1-160

step "breeze ci-image build on a local docker engine, then a rebuild from the registry cache"
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/dockerd ] || [ ! -x /usr/bin/docker-registry ] || [ ! -x /bin/busybox ]; then
  echo "skipped: starting a private docker engine needs root, dockerd, docker-registry and busybox"
else
  cp /bin/busybox "$DEMO_SRC/airflow/busybox"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$DEMO_SRC" "$PORT" > "$DEMO_SRC/registry.yml"
  /usr/sbin/dockerd --storage-driver vfs --iptables=false --bridge=none --data-root "$DEMO_SRC/data" \
    --exec-root "$DEMO_SRC/exec" --pidfile "$DEMO_SRC/pid" -H "unix://$DEMO_SRC/docker.sock" >"$DEMO_SRC/dockerd.log" 2>&1 &
  /usr/bin/docker-registry serve "$DEMO_SRC/registry.yml" >"$DEMO_SRC/registry.log" 2>&1 &
  DEMO_REGISTRY_PID=$!
  export DOCKER_HOST="unix://$DEMO_SRC/docker.sock" DOCKER_CONFIG="$DEMO_SRC/docker-config"
  export BREEZE_DOCKER=/usr/bin/docker BREEZE_REGISTRY="127.0.0.1:$PORT"
  ready=no
  for _ in $(seq 1 300); do /usr/bin/docker info >/dev/null 2>&1 && ready=yes && break; sleep 0.1; done
  if [ "$ready" != yes ]; then
    echo "skipped: the docker engine did not start (see $DEMO_SRC/dockerd.log)"; tail -5 "$DEMO_SRC/dockerd.log"
  else
    BUILD=(ci-image build --python 3.12 --platform linux/amd64 --push --build-network host --build-progress plain)
    (cd "$DEMO_SRC/airflow" && time "$BREEZE" "${BUILD[@]}" 2>&1 | grep -E '^#[0-9]+ (\[|CACHED|DONE|importing)|Pushed|digest' | head -20)
    /usr/bin/docker rmi -f "127.0.0.1:$PORT/apache/airflow/main/ci/python3.12:latest" >/dev/null
    /usr/bin/docker builder prune -af >/dev/null
    echo "-- engine wiped (no images, no build cache); rebuilding:"
    (cd "$DEMO_SRC/airflow" && time "$BREEZE" "${BUILD[@]}" 2>&1 | grep -E 'importing cache|CACHED|^#[0-9]+ \[' | head -20)
    /usr/bin/docker run --rm --network host "127.0.0.1:$PORT/apache/airflow/main/ci/python3.12:latest"

    step "breeze release-management generate-constraints from the sample image (every mode, 2 Pythons, in parallel)"
    echo "-- without --upgrade-to-newer-dependencies the image is refused (its labels say so):"
    (cd "$DEMO_SRC/airflow" && "$BREEZE" release-management generate-constraints --python 3.12 \
        --docker-network host --constraints-repo "$DEMO_DIR/airflow-constraints" --answer yes) || true
    # The clone has no local constraints-main yet (the bare remote's HEAD names no branch).
    git -C "$DEMO_DIR/airflow-constraints" branch -q constraints-main apache/constraints-main 2>/dev/null || true
    echo "-- building 3.11 and 3.12 with --upgrade-to-newer-dependencies (labelled), then generating:"
    (cd "$DEMO_SRC/airflow" && "$BREEZE" ci-image build --run-in-parallel --python-versions "3.11 3.12" \
        --upgrade-to-newer-dependencies --platform linux/amd64 --docker-cache local --build-network host >/dev/null)
    /usr/bin/docker image inspect --format '{{json .Config.Labels}}' "127.0.0.1:$PORT/apache/airflow/main/ci/python3.12:latest"
    (cd "$DEMO_SRC/airflow" && "$BREEZE" release-management generate-constraints --airflow-constraints-mode all \
        --run-in-parallel --python-versions "3.11 3.12" --docker-network host \
        --constraints-repo "$DEMO_DIR/airflow-constraints" --answer yes)
    echo "-- files/constraints-3.12/constraints-3.12.txt:"
    cat "$DEMO_SRC/airflow/files/constraints-3.12/constraints-3.12.txt"
    echo "-- files/constraints-3.11/diff-constraints-no-providers-3.11.md (against constraints-main), the sample's pins:"
    grep -iE '^([-+](boto3|flask|pymssql)==|Dependencies)' \
        "$DEMO_SRC/airflow/files/constraints-3.11/diff-constraints-no-providers-3.11.md"
  fi
fi

step "breeze setup doctor (what this machine can build, and the fix for what is missing)"
# Exit 1 is expected here (this machine has no buildx plugin and no registry login): show the report.
"$BREEZE" setup doctor || echo "(setup doctor exit $?: see the fixes above)"
