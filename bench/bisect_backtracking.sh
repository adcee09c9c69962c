#!/usr/bin/env bash
# Re-plays the seed's backtracking session of 13 August 2023 with a stand-in probe: 20 candidates,
# culprit aiobotocore, a good probe takes 8 units ("minutes", scaled to UNIT seconds each) and a
# backtracking probe prints pip's backtracking line after 1 unit (as a build reaches its pip step)
# and then never ends. Prints the tool's wall time and probe count next to the manual session's
# (7 builds: 6 good ones of 8 units and the bad one stopped after 10 units = 58 units), and the
# ratio, for --parallelism 1 and 4:
#   - with metadata: the candidates file carries the conflict analysis' suspects (aiobotocore
#     first, as find-backtracking-candidates ranks the seed's packages);
#   - without metadata: no suspects, plain bisection, in the seed's order (aiobotocore first,
#     every probe passes) and with aiobotocore last (bisection meets backtracking probes), where
#     each backtracking probe must end within 1.5 units instead of the probe timeout.
# Not part of ctest.
#   bench/bisect_backtracking.sh [BREEZE_BINARY] [UNIT_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
BREEZE=${1:-build/release/src/breeze}
[ -x "$BREEZE" ] || BREEZE=build/default/src/breeze
UNIT=${2:-0.2}
GOOD=$(awk -v u="$UNIT" 'BEGIN { printf "%.3f", 8 * u }')
MANUAL=$(awk -v u="$UNIT" 'BEGIN { printf "%.3f", (6 * 8 + 10) * u }')
WORK=$(mktemp -d /tmp/breeze-bisect-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The candidates as find-backtracking-candidates --output json gives them (latest versions known),
# with and without the suspects its conflict analysis adds, culprit first (the seed's order) or last.
python3 - "$WORK" <<'PY'
import json, os, sys
latest = {"aiobotocore": "2.6.0", "asana": "4.0.5", "async-timeout": "4.0.3", "aws-sam-translator": "1.73.0",
          "azure-core": "1.29.1", "azure-cosmos": "4.5.0", "boto3": "1.28.25", "botocore": "1.31.25", "cfgv": "3.4.0",
          "coverage": "7.3.0", "databricks-sql-connector": "2.9.1", "google-ads": "21.3.0",
          "google-cloud-aiplatform": "1.30.1", "grpcio-status": "1.57.0", "grpcio": "1.57.0", "mypy": "1.5.0",
          "pyzmq": "25.1.1", "tornado": "6.3.3", "tqdm": "4.66.1", "virtualenv": "20.24.3"}
pinned = {"aiobotocore": "2.5.4", "asana": "3.2.1", "async-timeout": "4.0.2", "aws-sam-translator": "1.72.0",
          "azure-core": "1.29.0", "azure-cosmos": "4.4.0", "boto3": "1.28.17", "botocore": "1.31.17", "cfgv": "3.3.1",
          "coverage": "7.2.7", "databricks-sql-connector": "2.8.0", "google-ads": "21.2.0",
          "google-cloud-aiplatform": "1.29.0", "grpcio-status": "1.56.2", "grpcio": "1.56.2", "mypy": "1.2.0",
          "pyzmq": "25.1.0", "tornado": "6.3.2", "tqdm": "4.66.0", "virtualenv": "20.24.1"}
names = list(pinned)
for label, order, suspects in [("metadata", names, ["aiobotocore"]), ("plain", names, None),
                               ("plain-last", names[1:] + names[:1], None)]:
    doc = {"candidates": [{"name": n, "pinned": pinned[n], "latest": latest[n]} for n in order]}
    if suspects is not None:
        doc["suspects"] = suspects
    json.dump(doc, open(os.path.join(sys.argv[1], label + ".json"), "w"))
PY
printf 'unit = %ss ("minute"); good probe = 8 units = %ss; backtracking shows after 1 unit; manual session = 7 builds, 58 units = %ss\n' \
  "$UNIT" "$GOOD" "$MANUAL"
printf '%-34s %7s %7s %9s %7s %8s  %s\n' run probes builds "time(s)" ratio "cut max" target
run() { # LABEL CANDIDATES PARALLELISM TARGET_RATIO (- for none)
  local label=$1 candidates=$2 p=$3 target=$4 start end
  start=$(date +%s.%N)
  FAKE_PROBE_BACKTRACK_AFTER=$UNIT "$BREEZE" ci bisect-backtracking --candidates-file "$WORK/$candidates.json" \
    --parallelism "$p" --output json --probe-command "$PWD/tests/scripts/fake-probe seed $GOOD {requirements}" \
    >"$WORK/out.json" 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 - "$WORK/out.json" "$start" "$end" "$MANUAL" "$UNIT" "$label" "$target" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
manual, unit, label, target = float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
assert doc["culprits"] == ["aiobotocore<=2.5.4"], doc["culprits"]
cut = [p["seconds"] / unit for p in doc["probes"] if p["result"] == "backtracking"]
assert not any(p["result"] == "timeout" for p in doc["probes"]), "a probe ran into the timeout"
ratio = wall / manual
verdicts = []
if target != "-":
    verdicts.append(f"<= {target}x: {'ok' if ratio <= float(target) else 'MISSED'}")
if cut:
    verdicts.append(f"cut <= 1.5 units: {'ok' if max(cut) <= 1.5 else 'MISSED'}")
print(f"{label:<34} {doc['probe_count']:>7} {len(doc['probes']):>7} {wall:>9.2f} {ratio:>7.2f} "
      f"{(f'{max(cut):.2f}u' if cut else '-'):>8}  {'; '.join(verdicts)}")
PY
}
run "metadata, --parallelism 1" metadata 1 0.45
run "metadata, --parallelism 4" metadata 4 0.3
run "no metadata, --parallelism 1" plain 1 -
run "no metadata, --parallelism 4" plain 4 -
run "no metadata, culprit last, -p 1" plain-last 1 -
run "no metadata, culprit last, -p 4" plain-last 4 -
printf '%-34s %7s %7s %9s %7s %8s\n' "manual (seed)" 6 7 "$MANUAL" 1.00 -
echo "probes: the search's probes (full list included, ==latest check not); builds: every probe run, check included;"
echo "cut max: the longest backtracking probe, in units, from its start to its cut (the timeout would be 12 units)"
