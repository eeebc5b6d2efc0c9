#!/usr/bin/env bash
# Peak memory of `aadsts scan` as the file grows: the README's memory table.
#   scripts/bench-memory.sh [dir]     (default /tmp/aadsts-memory; needs ~7 GB free there)
# Azure Monitor JSON lines from the generator (5,000 users, 40 apps, 20,000 addresses) at
# 256 MiB, 1 GiB and 4 GiB, and 1 GiB with every user–address pair drawn at random (the
# worst case for the attack signals' memory). Prints wall time and peak RSS (/usr/bin/time)
# of `aadsts scan --json` on each; memory should follow distinct keys, not file size.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp/aadsts-memory}"
mkdir -p "$dir"
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p aadsts --bin aadsts
cargo build --release -q -p aadsts-scan --example gen_signins
bin="$target/release/aadsts"
gen="$target/release/examples/gen_signins"
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %8s %10s\n' "file" "wall" "peak RSS"
for spec in "256" "1024" "4096" "1024 random-pairs"; do
  set -- $spec
  f="$dir/azure-monitor-$1${2:+-$2}.json"
  [[ -s "$f" ]] || "$gen" azure-monitor "$@" > "$f"
  /usr/bin/time -o "$dir/.time" -f "%e %M" "$bin" scan "$f" --json > /dev/null
  read -r wall rss < "$dir/.time"
  printf '%-44s %7.2fs %7d MB\n' "$(basename "$f") ($(( $(stat -c %s "$f") >> 20 )) MiB)" "$wall" "$((rss / 1024))"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
