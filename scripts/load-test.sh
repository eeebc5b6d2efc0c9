#!/usr/bin/env bash
# Mixed load on `aadsts serve` over loopback, bounded in time: code lookups (API), code
# pages, pasted-error explains and log uploads, all at once. Reports per route: requests,
# requests/s, p99, errors (non-2xx answers and socket errors); the server's RSS before,
# at its peak and after; and the temporary files left behind (there must be none).
#   scripts/load-test.sh [seconds] [rounds]     (default 120 seconds, 2 rounds: RSS after
#   each round shows whether memory stays flat under repeated load)
# Needs wrk (Debian package `wrk`) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-120}"
rounds="${2:-2}"
cargo build --release -q -p aadsts -p aadsts-scan --examples
bin=target/release/aadsts
tmp=$(mktemp -d)
mkdir -p "$tmp/spool"
port=18080
TMPDIR="$tmp/spool" "$bin" serve --bind "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
rss() { awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status"; }

# Bodies: an MSAL.NET exception as a developer pastes it, and a 1 MiB Log Analytics export.
cat > "$tmp/explain.txt" <<'TXT'
Microsoft.Identity.Client.MsalServiceException: AADSTS7000222: The provided client secret keys for app '2d5f8e1a-6c3b-4a7d-9e0f-1b2c3d4e5f60' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds. Trace ID: 5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d Correlation ID: 1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9 Timestamp: 2025-03-04 08:19:41Z
   ErrorCode: invalid_client
   StatusCode: 401
TXT
target/release/examples/gen_signins la-csv 1 > "$tmp/upload.csv"
for name in explain upload; do
  cat > "$tmp/$name.lua" <<LUA
wrk.method = "POST"
local f = io.open("$tmp/$name.$([[ $name == explain ]] && echo txt || echo csv)", "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "$([[ $name == explain ]] && echo text/plain || echo text/csv)"
LUA
done

before=$(rss)
peak=$before
for round in $(seq "$rounds"); do
  echo "round $round: ${secs}s"
  url="http://127.0.0.1:$port"
  loads=()
  wrk -t1 -c16 -d"${secs}s" --latency "$url/api/v1/codes/50126" > "$tmp/lookup.out" &
  loads+=($!)
  wrk -t1 -c8 -d"${secs}s" --latency "$url/codes/50126" > "$tmp/page.out" &
  loads+=($!)
  wrk -t1 -c4 -d"${secs}s" --latency -s "$tmp/explain.lua" "$url/api/v1/explain" > "$tmp/explain.out" &
  loads+=($!)
  wrk -t1 -c2 -d"${secs}s" --timeout 30s --latency -s "$tmp/upload.lua" "$url/api/v1/scan" > "$tmp/upload.out" &
  loads+=($!)
  running() { for p in "${loads[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
  while running; do
    r=$(rss); (( r > peak )) && peak=$r
    sleep 1
  done
  sleep 1
  after=$(rss)

  printf '%-34s %10s %10s %10s %8s\n' route requests "req/s" p99 errors
  for route in lookup:"GET /api/v1/codes/50126" page:"GET /codes/50126" explain:"POST /api/v1/explain" upload:"POST /api/v1/scan (1 MiB CSV)"; do
    f="$tmp/${route%%:*}.out"
    reqs=$(awk '/requests in/{print $1}' "$f")
    rps=$(awk '/Requests\/sec/{print $2}' "$f")
    p99=$(awk '$1=="99%"{print $2}' "$f")
    non2xx=$(awk '/Non-2xx/{print $NF}' "$f")
    sock=$(awk '/Socket errors/{gsub(",","");print $4+$6+$8+$10}' "$f")
    printf '%-34s %10s %10s %10s %8s\n' "${route#*:}" "$reqs" "$rps" "$p99" "$(( ${non2xx:-0} + ${sock:-0} ))"
  done
  echo "server RSS: ${before} MB before, ${peak} MB at peak, ${after} MB after round $round"
done
echo "temporary files left: $(find "$tmp/spool" -type f | wc -l)"
kill -TERM "$pid"; wait "$pid" && echo "server exited cleanly after SIGTERM"
