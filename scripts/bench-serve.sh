#!/usr/bin/env bash
# `aadsts serve` beside nginx (a worker per core) serving the same content as static files,
# on loopback: the API document of a code and the HTML page of a code. wrk, 32 connections,
# one thread.
#   scripts/bench-serve.sh [seconds]     (default 20 per run)
# Needs wrk, nginx and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-20}"
cargo build --release -q -p aadsts
bin=$PWD/target/release/aadsts
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; nginx -c "$tmp/nginx.conf" -p "$tmp" -s stop 2>/dev/null || true; rm -rf "$tmp"' EXIT

# The same content as files: the static site, and the API document the server would send.
"$bin" site "$tmp/site" >/dev/null
mkdir -p "$tmp/site/api/v1/codes"
"$bin" serve --bind 127.0.0.1:18081 >/dev/null 2>&1 &
for _ in $(seq 100); do curl -fs http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
curl -fs http://127.0.0.1:18081/api/v1/codes/50126 > "$tmp/site/api/v1/codes/50126.json"
cat > "$tmp/nginx.conf" <<CONF
worker_processes auto;
error_log $tmp/error.log;
pid $tmp/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  types { text/html html; application/json json; }
  server {
    listen 127.0.0.1:18082;
    root $tmp/site;
    location = /api/v1/codes/50126 { default_type application/json; try_files /api/v1/codes/50126.json =404; }
  }
}
CONF
# nginx workers run as an unprivileged user: let them read the files.
chmod -R a+rX "$tmp"
nginx -c "$tmp/nginx.conf" -p "$tmp"
curl -fs -o /dev/null http://127.0.0.1:18082/api/v1/codes/50126 || { echo "nginx does not serve the files" >&2; exit 1; }
sleep 0.5

run() { # label, url
  local out
  out=$(wrk -t1 -c32 -d"${secs}s" --latency "$2")
  printf '%-44s %10s req/s   p99 %8s   errors %s\n' "$1" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$out")" \
    "$(awk '$1=="99%"{print $2}' <<<"$out")" \
    "$(awk '/Non-2xx/{n=$NF} /Socket errors/{gsub(",","");s=$4+$6+$8+$10} END{print n+s+0}' <<<"$out")"
}
run "aadsts serve  GET /api/v1/codes/50126" http://127.0.0.1:18081/api/v1/codes/50126
run "nginx         GET /api/v1/codes/50126 (file)" http://127.0.0.1:18082/api/v1/codes/50126
run "aadsts serve  GET /codes/50126" http://127.0.0.1:18081/codes/50126
run "nginx         GET /codes/50126/ (aadsts site)" http://127.0.0.1:18082/codes/50126/
