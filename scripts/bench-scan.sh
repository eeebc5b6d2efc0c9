#!/usr/bin/env bash
# `aadsts scan` side by side with what an analyst would otherwise run, on the generator's
# exports of the same sign-ins in every shape:
#   scripts/bench-scan.sh [EVENTS] [dir]     (default 200000 events in /tmp/aadsts-bench)
# Needs: a release build, python3 with duckdb, pandas and pyarrow, jq, rg, gzip.
# Every tool answers the same question — per error code: sign-ins, distinct users, distinct
# apps (rg: per-code counts only) — and each answer is checked against the scan's. Prints
# wall time, CPU time (user + system) and peak RSS of each whole command, best of three runs
# (page cache warm), and the ratio: the other tool's wall time over the scan's (above 1: the
# scan is faster). Run it on a quiet machine; the load average is printed with the results.
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-200000}"
dir="${2:-/tmp/aadsts-bench}"
mkdir -p "$dir"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p aadsts -p aadsts-scan --bins --examples
bin="$target/release/aadsts"
gen="$target/release/examples/gen_signins"
for shape in portal-csv la-csv azure-monitor graph-json text; do
  f="$dir/$shape-$events"
  [[ -s "$f" ]] || "$gen" "$shape" --events "$events" > "$f"
done
[[ -s "$dir/azure-monitor-$events.gz" ]] || gzip -6 -c "$dir/azure-monitor-$events" > "$dir/azure-monitor-$events.gz"

scan_wall=""
# measure LABEL ANSWER-KIND COMMAND...: best of three; the first run's output is kept as the
# answer and compared with the scan's. ANSWER-KIND: scan (the reference), json, awk, uniq,
# none.
measure() {
  local label="$1" kind="$2"; shift 2
  local best="" out
  for run in 1 2 3; do
    if [[ $run == 1 ]]; then
      /usr/bin/time -o "$dir/.time" -f "%e %U %S %M" "$@" > "$dir/.answer" 2> /dev/null || true
    else
      /usr/bin/time -o "$dir/.time" -f "%e %U %S %M" "$@" > /dev/null 2>&1 || true
    fi
    out=$(tail -1 "$dir/.time")
    if [[ -z "$best" ]] || awk -v a="${out%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
      best="$out"
    fi
  done
  read -r wall user sys rss <<<"$best"
  local answer ratio
  if [[ $kind == scan ]]; then
    cp "$dir/.answer" "$dir/.scan"
    [[ -z "$scan_wall" ]] && scan_wall="$wall"
    answer="reference"
  elif [[ $kind == none ]]; then
    answer="(no per-code answer)"
  else
    answer=$(python3 - "$kind" "$dir/.answer" "$dir/.scan" <<'EOF'
import json, sys
kind, got_path, scan_path = sys.argv[1:]
scan = {str(c["code"]): [c["count"], c["users"], c["apps"]] for c in json.load(open(scan_path))["codes"]}
text = open(got_path).read()
if kind == "json":
    got = json.loads(text)
elif kind == "awk":
    got = {l.split()[0]: [int(x) for x in l.split()[1:]] for l in text.splitlines() if l.strip()}
else:  # uniq -c of AADSTS codes: counts only
    got = {l.split()[1].removeprefix("AADSTS"): [int(l.split()[0])] for l in text.splitlines() if l.strip()}
    scan = {k: v[:1] for k, v in scan.items()}
print("same answer" if got == scan else "DIFFERENT ANSWER")
EOF
)
  fi
  ratio=$(awk -v a="$wall" -v b="${scan_wall:-$wall}" 'BEGIN{ if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '  %-46s %7.2f s %7.2f s CPU %6.0f MB  %6s×  %s\n' "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')" "$((rss / 1024))" "$ratio" "$answer"
}

size() { echo "$(( $(stat -c %s "$1") / 1000000 )) MB"; }
jq_count='awk -F"\t" '"'"'{ n[$1]++; if (!u[$1 FS $2]++) nu[$1]++; if (!a[$1 FS $3]++) na[$1]++ } END { for (k in n) print k, n[k], nu[k], na[k] }'"'"
jq_fields='[(.properties.status.errorCode|tostring), (.properties.userPrincipalName|ascii_downcase), .properties.appDisplayName] | @tsv'

echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $events sign-ins per file"
echo "                                                   wall        CPU       peak RSS  ratio (their wall ÷ the scan's)"
for shape in portal-csv la-csv; do
  f="$dir/$shape-$events"
  echo "$shape ($(size "$f"))"
  scan_wall=""
  measure "aadsts scan --json" scan "$bin" scan "$f" --json
  measure "aadsts scan --json --threads 1" scan "$bin" scan "$f" --json --threads 1
  measure "DuckDB read_csv + group by" json python3 scripts/bench_duckdb.py "$shape" "$f"
  measure "pandas read_csv + groupby (C engine)" json python3 scripts/bench_pandas.py "$f"
  measure "pandas read_csv + groupby (pyarrow)" json python3 scripts/bench_pandas.py "$f" --engine pyarrow
done
for f in "$dir/azure-monitor-$events.gz" "$dir/azure-monitor-$events"; do
  echo "Azure Monitor JSON lines$( [[ $f == *.gz ]] && echo ", gzip") ($(size "$f"))"
  scan_wall=""
  measure "aadsts scan --json" scan "$bin" scan "$f" --json
  measure "aadsts scan --json --threads 1" scan "$bin" scan "$f" --json --threads 1
  measure "DuckDB read_json + group by" json python3 scripts/bench_duckdb.py json-lines "$f"
  if [[ $f == *.gz ]]; then
    measure "gzip -dc | jq -r @tsv | awk" awk sh -c "gzip -dc '$f' | jq -r '$jq_fields' | $jq_count"
  else
    measure "jq -r @tsv | awk" awk sh -c "jq -r '$jq_fields' '$f' | $jq_count"
  fi
done
f="$dir/graph-json-$events"
echo "Graph auditLogs/signIns page ($(size "$f"))"
scan_wall=""
measure "aadsts scan --json" scan "$bin" scan "$f" --json
measure "DuckDB read_json + unnest + group by" json python3 scripts/bench_duckdb.py graph-json "$f"
measure "jq -r .value[] @tsv | awk" awk sh -c "jq -r '.value[] | [(.status.errorCode|tostring), (.userPrincipalName|ascii_downcase), .appDisplayName] | @tsv' '$f' | $jq_count"
f="$dir/text-$events"
echo "Text log ($(size "$f"))"
scan_wall=""
measure "aadsts scan --json" scan "$bin" scan "$f" --json
measure "aadsts scan --json --threads 1" scan "$bin" scan "$f" --json --threads 1
measure "rg -oN 'AADSTS[0-9]+' | sort | uniq -c" uniq sh -c "rg -oN 'AADSTS[0-9]+' '$f' | sort | uniq -c"
measure "rg -c 'AADSTS[0-9]+' (matching lines only)" none rg -c 'AADSTS[0-9]+' "$f"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
