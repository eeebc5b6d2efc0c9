#!/usr/bin/env bash
# Runs every fuzz target for a bounded time and reports executions and crashes per target.
#   scripts/fuzz.sh [seconds-per-target]     (default 60; CI's smoke run uses 10)
# Needs a nightly toolchain and cargo-fuzz (installed here if missing). Seed corpora come
# from the test fixtures; crashes land in fuzz/artifacts/<target>/ and are reported.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal

seed() { # target, files...
  local dir="fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do cp -f "$f" "$dir/" 2>/dev/null || true; done
}
seed extract crates/aadsts-extract/tests/fixtures/*
seed scan_readers crates/aadsts-extract/tests/fixtures/*
seed page_parser kb/codes/50126.md kb/codes/0.md kb/codes/7000222.md
seed lookup kb/reference/documented-codes.tsv

status=0
for t in extract scan_readers page_parser lookup; do
  log="fuzz/$t.log"
  if cargo +nightly fuzz run "$t" -- -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    result="ok"
  else
    result="CRASH (see fuzz/artifacts/$t/ and $log)"
    status=1
  fi
  execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" | tail -1 || true)
  echo "fuzz $t: ${execs:-?} executions in ${secs}s: $result"
done
exit $status
