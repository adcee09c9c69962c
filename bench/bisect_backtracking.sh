#!/usr/bin/env bash
# Re-plays the seed's backtracking session of 13 August 2023 with a stand-in probe: 20 candidates,
# culprit aiobotocore, a good probe takes 8 units ("minutes", scaled to UNIT seconds each) and a
# backtracking probe never ends. Prints the tool's wall time and probe count next to the manual
# session's (7 builds: 6 good ones of 8 units and the bad one stopped after 10 units = 58 units),
# and the ratio, without parallelism and with --parallelism 4. Not part of ctest.
#   bench/bisect_backtracking.sh [BREEZE_BINARY] [UNIT_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
BREEZE=${1:-build/release/src/breeze}
[ -x "$BREEZE" ] || BREEZE=build/default/src/breeze
UNIT=${2:-0.2}
GOOD=$(awk -v u="$UNIT" 'BEGIN { printf "%.3f", 8 * u }')
MANUAL=$(awk -v u="$UNIT" 'BEGIN { printf "%.3f", (6 * 8 + 10) * u }')
SEED="aiobotocore<=2.5.4 asana<=3.2.1 async-timeout<=4.0.2 aws-sam-translator<=1.72.0 azure-core<=1.29.0 \
azure-cosmos<=4.4.0 boto3<=1.28.17 botocore<=1.31.17 cfgv<=3.3.1 coverage<=7.2.7 databricks-sql-connector<=2.8.0 \
google-ads<=21.2.0 google-cloud-aiplatform<=1.29.0 grpcio-status<=1.56.2 grpcio<=1.56.2 mypy<=1.2.0 pyzmq<=25.1.0 \
tornado<=6.3.2 tqdm<=4.66.0 virtualenv<=20.24.1"
WORK=$(mktemp -d /tmp/breeze-bisect-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The candidates as find-backtracking-candidates --output json gives them (latest versions known).
python3 - "$WORK/candidates.json" <<'PY'
import json, sys
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
json.dump({"candidates": [{"name": n, "pinned": pinned[n], "latest": latest[n]} for n in pinned]}, open(sys.argv[1], "w"))
PY
: "$SEED"
printf 'unit = %ss ("minute"); good probe = 8 units = %ss; manual session = 7 builds, 58 units = %ss\n' "$UNIT" "$GOOD" "$MANUAL"
printf '%-16s %8s %8s %10s %8s\n' run probes builds "time(s)" ratio
for P in 1 4; do
  START=$(date +%s.%N)
  "$BREEZE" ci bisect-backtracking --candidates-file "$WORK/candidates.json" --parallelism "$P" --output json \
    --probe-command "$PWD/tests/scripts/fake-probe seed $GOOD {requirements}" >"$WORK/out-$P.json" 2>"$WORK/err-$P.txt"
  END=$(date +%s.%N)
  python3 - "$WORK/out-$P.json" "$START" "$END" "$MANUAL" "$P" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
assert doc["culprits"] == ["aiobotocore<=2.5.4"], doc["culprits"]
started = sum(1 for p in doc["probes"] if p["result"] != "cancelled" or p["seconds"] > 0)
print(f"{'parallelism ' + sys.argv[5]:<16} {doc['probe_count']:>8} {len(doc['probes']):>8} {wall:>10.2f} "
      f"{wall / float(sys.argv[4]):>8.2f}")
PY
done
printf '%-16s %8s %8s %10s %8s\n' "manual (seed)" 6 7 "$MANUAL" 1.00
echo "probes: the search's probes (full list included, ==latest check not); builds: every probe run, check included"
