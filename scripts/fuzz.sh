#!/usr/bin/env bash
# Runs every fuzz target and reports executions and crashes per target.
#   scripts/fuzz.sh [seconds-per-target]   explore: random seeds, bounded time (default 60)
#   FUZZ_TARGETS="extract trace" scripts/fuzz.sh 600   only these targets
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
seed trace crates/aadsts-trace/tests/fixtures/*.har crates/aadsts-trace/tests/fixtures/*.saz
seed events crates/aadsts-events/tests/fixtures/*
# Requests: a selector byte (method and content type), the target, a newline, the body.
mkdir -p fuzz/corpus/http_requests fuzz/regressions/http_requests
printf '\x00/AADSTS50126\n' > fuzz/corpus/http_requests/page
printf '\x00/api/v1/search?q=secret+expired&limit=3\n' > fuzz/corpus/http_requests/search
printf '\x01/api/v1/explain\nAADSTS50011: The redirect URI https://localhost/x does not match.' > fuzz/corpus/http_requests/explain
printf '\x08/explain\ntext=AADSTS700016%%3A+app+not+found' > fuzz/corpus/http_requests/paste
printf '\x1d/api/v1/scan\nTimeGenerated [UTC],ResultType,UserPrincipalName\n"3/4/2025, 8:10:00.000 AM",50126,a@contoso.com\n' > fuzz/corpus/http_requests/upload
printf '\x0f/scan\n--X\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nDate (UTC),Sign-in error code\n2025-03-04T08:00:00Z,50126\n\r\n--X--\r\n' > fuzz/corpus/http_requests/multipart

status=0
for t in ${FUZZ_TARGETS:-extract scan_readers page_parser lookup http_requests trace events}; do
  log="fuzz/$t.log"
  if [[ "$mode" == "smoke" ]]; then
    args=(-seed=1 -runs="$runs")
    what="smoke, seed 1"
  else
    args=(-max_total_time="$secs")
    what="${secs}s"
  fi
  extra=()
  # The router runs CPU work on tokio's blocking pool, whose threads outlive an input; at
  # exit LeakSanitizer can catch one mid-spawn and report its closure as leaked (an empty
  # "crash" input). Leaks of a long-lived server harness mean nothing; panics and 500s do.
  [[ "$t" == http_requests ]] && extra=(-detect_leaks=0)
  if cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/regressions/$t" -- \
    "${args[@]}" "${extra[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    result="ok"
  else
    result="CRASH (see fuzz/artifacts/$t/ and $log)"
    status=1
    grep -a -m1 -E "panicked at|ERROR: libFuzzer" "$log" || true
  fi
  execs=$(grep -aoE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" | tail -1 || true)
  echo "fuzz $t: ${execs:-?} executions ($what): $result"
done
exit $status
