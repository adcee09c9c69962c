#!/usr/bin/env bash
# Benchmark: breeze's own overhead around image builds (issue 5), against baselines measured in the
# same run. Prints ratios; never fails on the numbers.
#  (a) `ci-image build --dry-run` for 4 Pythons x 2 platforms with the registry cache, through the
#      recording docker stand-in, REPS times: mean per run vs. the 50 ms target, vs. `breeze version`
#      (process start + settings) and vs. /bin/true (process start alone).
#  (b) a 4-job parallel build whose stand-in build takes BUILD_SECONDS: tool wall time minus the
#      slowest build, as a percentage of the build time (target < 2 %).
# Usage: bench/image_build_overhead.sh [path/to/breeze]   (default: build/release/src/breeze)
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPTS="$(pwd)/tests/scripts"
BREEZE="$(realpath "${1:-build/release/src/breeze}")"
REPS=${REPS:-50}
BUILD_SECONDS=${BUILD_SECONDS:-10}
WORK=$(mktemp -d /tmp/breeze-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/airflow/airflow"
printf 'FROM scratch\n' > "$WORK/airflow/Dockerfile.ci"
printf '__version__ = "2.10.0.dev0"\n' > "$WORK/airflow/airflow/__init__.py"
export BREEZE_DOCKER="$SCRIPTS/fake-docker" FAKE_DOCKER_LOG=/dev/null GITHUB_ACTIONS= CI=true
unset DOCKER_HOST ANSWER || true
cd "$WORK/airflow"

now_ns() { date +%s%N; }
# mean_ms LABEL COMMAND...: runs COMMAND REPS times (stdout/stderr discarded), prints the mean in ms.
mean_ms() {
  local start end
  start=$(now_ns)
  for ((i = 0; i < REPS; i++)); do "$@" >/dev/null 2>&1; done
  end=$(now_ns)
  echo $(((end - start) / REPS / 1000))   # microseconds
}
fmt_ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

DRY=("$BREEZE" ci-image build --dry-run --run-in-parallel --python-versions "3.10 3.11 3.12 3.13"
     --platform linux/amd64,linux/arm64 --prepare-buildx-cache)
"${DRY[@]}" > "$WORK/dry-run.txt" 2>&1 || { echo "the dry run failed:"; cat "$WORK/dry-run.txt"; exit 1; }
commands=$(grep -c 'buildx build' "$WORK/dry-run.txt" || true)

true_us=$(mean_ms /bin/true)
version_us=$(mean_ms "$BREEZE" version)
dry_us=$(mean_ms "${DRY[@]}")
echo "(a) ci-image build --dry-run, 4 Pythons x 2 platforms, --prepare-buildx-cache ($commands docker commands printed), $REPS runs"
echo "    /bin/true          $(fmt_ms "$true_us")"
echo "    breeze version     $(fmt_ms "$version_us")"
echo "    dry run            $(fmt_ms "$dry_us")   = $(ratio "$dry_us" 50000) of the 50 ms target, $(ratio "$dry_us" "$version_us") of breeze version, $(ratio "$dry_us" "$true_us") of /bin/true"

# (a') the same in a git checkout: the image's source-commit label reads HEAD through libgit2,
# whose start-up (Debian's mbedTLS build parses the CA bundle) a plain tree does not pay.
git init -q . && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm bench
git_us=$(mean_ms "${DRY[@]}")
echo "    in a git checkout  $(fmt_ms "$git_us")   = $(ratio "$git_us" 50000) of the 50 ms target"

# (b) The build stand-in sleeps BUILD_SECONDS and records, from inside, when its build began and
# ended; the slowest build is measured that way, so the stand-in's own shell start-up is not
# charged to breeze. Everything else is the recording stand-in.
cat > "$WORK/slow-docker" <<SH
#!/bin/sh
case "\$1 \$2" in
  "buildx build")
    t0=\$(date +%s%N); sleep $BUILD_SECONDS; echo "#9 DONE"
    echo "\$t0 \$(date +%s%N)" >> "$WORK/builds.txt"; exit 0 ;;
esac
exec "$SCRIPTS/fake-docker" "\$@"
SH
chmod +x "$WORK/slow-docker"
echo "(b) 4 parallel builds of ${BUILD_SECONDS} s each (--parallelism 4), ${PARALLEL_REPS:=3} runs"
for ((r = 1; r <= PARALLEL_REPS; r++)); do
  : > "$WORK/builds.txt"
  start=$(now_ns)
  BREEZE_DOCKER="$WORK/slow-docker" "$BREEZE" ci-image build --run-in-parallel --python-versions "3.10 3.11 3.12 3.13" \
    --parallelism 4 > "$WORK/parallel.txt" 2>&1 || { echo "the parallel run failed:"; cat "$WORK/parallel.txt"; exit 1; }
  end=$(now_ns)
  slowest_ns=$(awk '{ d = $2 - $1; if (d > m) m = d } END { printf "%.0f", m }' "$WORK/builds.txt")
  awk -v w="$(((end - start) / 1000))" -v b="$((slowest_ns / 1000))" -v v="$version_us" -v r="$r" 'BEGIN {
    o = w - b; printf "    run %d: wall %.3f s, slowest build %.3f s, tool overhead %.1f ms = %.2f%% of the build (target < 2%%)\n",
    r, w / 1e6, b / 1e6, o / 1000, 100 * o / b
    printf "           of which process start-up (breeze version) %.1f ms; the rest %.1f ms\n", v / 1000, (o - v) / 1000 }'
done
