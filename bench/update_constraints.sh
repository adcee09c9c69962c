#!/usr/bin/env bash
# Benchmark: `breeze release-management update-constraints` against the git-CLI sequence Airflow's
# Python tool runs, on the same generated repositories in the same run.
# 40 versions x 3 constraints files of ~800 lines, pushing to a local bare remote.
# Usage: bench/update_constraints.sh [path/to/breeze]   (default: build/release/src/breeze)
set -euo pipefail
cd "$(dirname "$0")/.."
BREEZE="$(realpath "${1:-build/release/src/breeze}")"
VERSIONS=${VERSIONS:-40}
LINES=${LINES:-800}
WORK=$(mktemp -d /tmp/breeze-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@localhost
export GIT_CONFIG_NOSYSTEM=1 HOME="$WORK"

# One repository with VERSIONS tagged commits, each holding 3 constraints files with pymssql==2.2.7.
make_source() {
  local src="$WORK/source"
  git init -q -b constraints-main "$src"
  for ((v = 0; v < VERSIONS; v++)); do
    for py in 3.8 3.9 3.10; do
      awk -v n="$LINES" -v v="$v" -v py="$py" 'BEGIN {
        print "#"; print "# This constraints file was automatically generated on 2023-07-07T14:44:02Z"; print "#";
        for (i = 0; i < n; i++) { if (i == n / 2) print "pymssql==2.2.7"; else printf "package-%04d==%d.%d.%d\n", i, v, i % 7, i % 3 }
      }' > "$src/constraints-$py.txt"
    done
    git -C "$src" add -A && git -C "$src" commit -q -m "Constraints for 2.0.$v"
    git -C "$src" tag -a "constraints-2.0.$v" -m "Constraints for 2.0.$v"
  done
}

# A bare "apache" remote and a clone of it.
make_pair() {
  local dir="$WORK/$1"
  git clone -q --bare "$WORK/source" "$dir/apache.git"
  git clone -q -o apache "$dir/apache.git" "$dir/clone"
}

versions_csv() { local out=(); for ((v = 0; v < VERSIONS; v++)); do out+=("2.0.$v"); done; (IFS=,; echo "${out[*]}"); }

now() { date +%s.%N; }

echo "generating $VERSIONS versions x 3 files x $LINES lines..." >&2
make_source
make_pair ours
make_pair cli

# breeze
t0=$(now)
"$BREEZE" release-management update-constraints --constraints-repo "$WORK/ours/clone" \
  --airflow-versions "$(versions_csv)" --updated-constraint pymssql==2.2.8 \
  --commit-message "Update pymssql constraint to 2.2.8" --answer yes > /dev/null 2>&1
t1=$(now)

# the git-CLI sequence of Airflow's update-constraints, per version
cd "$WORK/cli/clone"
t2=$(now)
git fetch -q apache --tags --force
for ((v = 0; v < VERSIONS; v++)); do
  version="2.0.$v"
  git checkout -q "constraints-$version"
  git checkout -q -B "constraints-$version-fix"
  git log -1 --format=%H > /dev/null
  for f in constraints-*.txt; do sed -i 's/^pymssql==.*$/pymssql==2.2.8/' "$f"; done
  PAGER= git diff > /dev/null
  git commit -q -a --no-verify -m "Update pymssql constraint to 2.2.8"
  git tag -f -m "Update pymssql constraint to 2.2.8" "constraints-$version" HEAD > /dev/null
  git push -q apache "constraints-$version-fix" 2> /dev/null
  git push -q apache "constraints-$version" --force 2> /dev/null
done
t3=$(now)
cd - > /dev/null

# Both must have produced the same trees on the remotes.
for ((v = 0; v < VERSIONS; v++)); do
  a=$(git -C "$WORK/ours/apache.git" rev-parse "constraints-2.0.$v^{tree}")
  b=$(git -C "$WORK/cli/apache.git" rev-parse "constraints-2.0.$v^{tree}")
  [[ "$a" == "$b" ]] || { echo "tree mismatch for 2.0.$v" >&2; exit 1; }
done

awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$VERSIONS" -v lines="$LINES" 'BEGIN {
  ours = b - a; cli = d - c;
  printf "versions: %d (3 files x ~%d lines each), local bare remote\n", n, lines;
  printf "breeze update-constraints: %.2f s\n", ours;
  printf "git CLI sequence:          %.2f s\n", cli;
  printf "ratio (git CLI / breeze):  %.1fx\n", cli / ours;
}'
