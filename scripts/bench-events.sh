#!/usr/bin/env bash
# Times `aadsts scan` of a large .evtx beside the evtx crate's own dump tool on the same
# file, with peak memory (/usr/bin/time), and prints the ratios.
#   scripts/bench-events.sh [records] [runs]     (default 300000 records, 3 runs: median)
# The file is written by crates/aadsts-events/examples/gen_evtx.rs (a DC's Security log
# with sync server and device events mixed in). evtx_dump is installed with
# `cargo install evtx` into its own root (EVTX_TOOLS, default target/evtx-tools), apart
# from the project's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-300000}"
runs="${2:-3}"
target="${CARGO_TARGET_DIR:-target}"
tools="${EVTX_TOOLS:-$target/evtx-tools}"
[[ -x "$tools/bin/evtx_dump" ]] || cargo install evtx --version 0.15.1 --locked --root "$tools"
# NO_BUILD=1 measures the binaries already built.
if [[ -z "${NO_BUILD:-}" ]]; then
  cargo build --release -q -p aadsts --bin aadsts
  cargo build --release -q -p aadsts-events --example gen_evtx
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
big="$work/big.evtx"
"$target/release/examples/gen_evtx" "$big" "$records"
size=$(stat -c %s "$big")
echo "file: $records records, $((size / 1024 / 1024)) MiB"

# Median wall time (s), with the user CPU time and peak RSS of that run (on a shared
# machine the CPU time says more than the wall time).
measure() {
  local name="$1"; shift
  local lines=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %M" -o "$work/t" "$@" > /dev/null 2>"$work/err" || {
      echo "$name failed: $(cat "$work/err")"; return 1; }
    lines+=("$(tail -1 "$work/t")")
  done
  local med
  med=$(printf '%s\n' "${lines[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  read -r wall user rss <<< "$med"
  printf '%-40s %7s s wall %7s s CPU %6s MiB\n' "$name" "$wall" "$user" "$(( rss / 1024 ))"
  local key
  key=$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')
  eval "T_$key=$wall; U_$key=$user"
}
aadsts="$target/release/aadsts"
dump="$tools/bin/evtx_dump"
measure "aadsts scan (1 thread)" "$aadsts" scan --threads 1 --json "$big"
measure "aadsts scan (default: chunks on every core)" "$aadsts" scan --json "$big"
measure "evtx_dump -o xml -t 1" "$dump" -o xml -t 1 "$big"
measure "evtx_dump -o json -t 1" "$dump" -o json -t 1 "$big"
measure "evtx_dump -o xml (default threads)" "$dump" -o xml "$big"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "ratio aadsts scan / evtx_dump -o xml, one thread each: wall $(ratio "$T_aadsts_scan__1_thread_" "$T_evtx_dump__o_xml__t_1"), CPU $(ratio "$U_aadsts_scan__1_thread_" "$U_evtx_dump__o_xml__t_1")"
echo "ratio aadsts scan / evtx_dump -o json, one thread each: wall $(ratio "$T_aadsts_scan__1_thread_" "$T_evtx_dump__o_json__t_1"), CPU $(ratio "$U_aadsts_scan__1_thread_" "$U_evtx_dump__o_json__t_1")"
