#!/usr/bin/env bash
# Runs every fuzz target and reports executions and crashes per target.
#   scripts/fuzz.sh [seconds-per-target]   explore: random seeds, bounded time (default 60)
#   scripts/fuzz.sh --smoke [runs]         CI: replay fuzz/regressions/, then a fixed seed
#                                          and a fixed number of executions (default 3000),
#                                          so the same commit always gives the same verdict
# Needs a nightly toolchain and cargo-fuzz (installed here if missing). Seed corpora come
# from the test fixtures; every input that ever crashed a target is kept in
# fuzz/regressions/<target>/ and replayed by both modes. New crashes land in
# fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="explore"
if [[ "${1:-}" == "--smoke" ]]; then
  mode="smoke"
  runs="${2:-3000}"
else
  secs="${1:-60}"
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal

seed() { # target, files...
  local dir="fuzz/corpus/$1"; shift
  mkdir -p "$dir" "fuzz/regressions/${dir##*/}"
  for f in "$@"; do cp -f "$f" "$dir/" 2>/dev/null || true; done
}
seed extract crates/aadsts-extract/tests/fixtures/*
seed scan_readers crates/aadsts-extract/tests/fixtures/*
seed page_parser kb/codes/50126.md kb/codes/0.md kb/codes/7000222.md
seed lookup kb/reference/documented-codes.tsv

status=0
for t in extract scan_readers page_parser lookup; do
  log="fuzz/$t.log"
  if [[ "$mode" == "smoke" ]]; then
    args=(-seed=1 -runs="$runs")
    what="smoke, seed 1"
  else
    args=(-max_total_time="$secs")
    what="${secs}s"
  fi
  if cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/regressions/$t" -- \
    "${args[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    result="ok"
  else
    result="CRASH (see fuzz/artifacts/$t/ and $log)"
    status=1
    grep -m1 -E "panicked at|ERROR: libFuzzer" "$log" || true
  fi
  execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" | tail -1 || true)
  echo "fuzz $t: ${execs:-?} executions ($what): $result"
done
exit $status
