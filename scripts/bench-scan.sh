#!/usr/bin/env bash
# Scan benchmarks, side by side with what a user would otherwise run, on generated exports.
#   scripts/bench-scan.sh [MiB] [dir]     (default 1024 MiB in /tmp/aadsts-bench)
# Needs: a release build, python3 with pandas (and pyarrow for its second engine), jq, rg.
# Prints wall time, user CPU and peak RSS of each command (best of three runs).
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-1024}"
dir="${2:-/tmp/aadsts-bench}"
mkdir -p "$dir"
cargo build --release -q -p aadsts -p aadsts-scan --examples
bin=target/release/aadsts
gen=target/release/examples/gen_signins
[[ -f "$dir/la.csv" ]] || "$gen" la-csv "$mib" > "$dir/la.csv"
[[ -f "$dir/am.json" ]] || "$gen" azure-monitor "$mib" > "$dir/am.json"

measure() { # label, command...
  local label="$1"; shift
  local best=""
  for _ in 1 2 3; do
    local out
    /usr/bin/time -o "$dir/.time" -f "%e %U %M" "$@" > /dev/null 2>&1
    out=$(tail -1 "$dir/.time")
    if [[ -z "$best" ]] || awk -v a="${out%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
      best="$out"
    fi
  done
  read -r wall user rss <<<"$best"
  printf '%-44s %8.2f s %8.2f s CPU %8.0f MB\n' "$label" "$wall" "$user" "$((rss / 1024))"
}

echo "Log Analytics CSV, $(du -m "$dir/la.csv" | cut -f1) MB, $(($(wc -l < "$dir/la.csv") - 1)) rows"
measure "aadsts scan (all cores)" "$bin" scan "$dir/la.csv" --json
measure "aadsts scan --threads 1" "$bin" scan "$dir/la.csv" --json --threads 1
measure "pandas read_csv + groupby (C engine)" python3 scripts/bench_pandas.py "$dir/la.csv"
measure "pandas read_csv + groupby (pyarrow)" python3 scripts/bench_pandas.py "$dir/la.csv" --engine pyarrow
measure "rg -c SigninLogs" rg -c SigninLogs "$dir/la.csv"
echo
echo "Azure Monitor JSON lines, $(du -m "$dir/am.json" | cut -f1) MB, $(wc -l < "$dir/am.json") records"
measure "aadsts scan (all cores)" "$bin" scan "$dir/am.json" --json
measure "aadsts scan --threads 1" "$bin" scan "$dir/am.json" --json --threads 1
measure "jq -r .resultType | sort | uniq -c" sh -c "jq -r .resultType '$dir/am.json' | sort | uniq -c"
measure "rg -c '\"resultType\"'" rg -c '"resultType"' "$dir/am.json"
