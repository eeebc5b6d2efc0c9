#!/usr/bin/env bash
# `aadsts trace` on a large capture, beside jq extracting the same error codes.
#   scripts/bench-trace.sh [MB] [dir]     (default 500 MB in /tmp/aadsts-bench-trace)
# The capture: the sign-in journey of tests/fixtures/firefox-spa.har (silent sign-in refused
# with AADSTS50058 in a redirect, AADSTS9002326 in a JSON token response) between page
# assets (3 MiB script bodies, a 12 MiB video as base64) up to the size asked for.
# Needs: cargo, python3, jq, /usr/bin/time. Prints wall time and peak RSS (best of 3).
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-500}"
dir="${2:-/tmp/aadsts-bench-trace}"
mkdir -p "$dir"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p aadsts
bin="$CARGO_TARGET_DIR/release/aadsts"
har="$dir/big-${mb}mb.har"
if [[ ! -f "$har" ]]; then
  python3 - "$mb" "$har" crates/aadsts-trace/tests/fixtures/firefox-spa.har <<'EOF'
import json, sys, base64, random
mb, out, journey = int(sys.argv[1]), sys.argv[2], sys.argv[3]
src = json.load(open(journey))["log"]
random.seed(20)
def asset(i, n, mime="application/javascript", b64=False):
    body = ("/*%06d*/" % i + "var a%d=function(){return %d};" % (i, i) * (n // 30))[:n]
    c = {"size": len(body), "mimeType": mime, "text": body}
    if b64:
        c["text"] = base64.b64encode(body.encode()).decode(); c["encoding"] = "base64"
    return {"startedDateTime": "2024-11-03T09:15:00.000Z", "time": 12,
            "request": {"method": "GET", "url": "https://cdn.contoso.com/assets/chunk-%d.js" % i, "httpVersion": "HTTP/2",
                        "headers": [{"name": "Accept", "value": "*/*"}], "cookies": [], "queryString": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/2", "headers": [{"name": "Content-Type", "value": mime}],
                         "cookies": [], "content": c, "redirectURL": "", "headersSize": -1, "bodySize": len(body)},
            "cache": {}, "timings": {"send": 0, "wait": 10, "receive": 2}}
target = mb * 1000 * 1000
with open(out, "w") as f:
    f.write('{"log":{"version":"1.2","creator":' + json.dumps(src["creator"]) + ',"pages":[],"entries":[')
    written, i, first = 0, 0, True
    half = False
    while written < target:
        if not half and written > target // 2:
            # The sign-in in the middle of the page traffic.
            for e in src["entries"]:
                s = json.dumps(e); f.write(("" if first else ",") + s); first = False; written += len(s)
            half = True
        e = asset(i, 12 * 1024 * 1024, "video/mp4", True) if i == 7 else asset(i, 3 * 1024 * 1024)
        s = json.dumps(e); f.write(("" if first else ",") + s); first = False; written += len(s); i += 1
    f.write("]}}")
EOF
fi
size=$(stat -c %s "$har")
echo "capture: $har, $((size / 1000000)) MB"

measure() { # key, label, command...
  local key="$1" label="$2"; shift 2
  local best=""
  for _ in 1 2 3; do
    /usr/bin/time -o "$dir/.time" -f "%e %M" "$@" > "$dir/.out" 2>/dev/null
    local out; out=$(tail -1 "$dir/.time")
    if [[ -z "$best" ]] || awk -v a="${out%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best="$out"; fi
  done
  read -r wall rss <<<"$best"
  printf '%-34s %8.2f s %8.0f MB peak RSS\n' "$label" "$wall" "$((rss / 1024))"
  echo "$wall" > "$dir/.wall-$key"
}

# jq reads the whole document into memory; the error codes it finds in redirects, bodies and
# form posts are the ones `aadsts trace` reports.
jq_filter='[.log.entries[] | (.response.headers[]?.value, .response.redirectURL?, .response.content.text?, .request.url, .request.postData.text?) | strings | scan("AADSTS([0-9]+)") | .[0] | tonumber] | unique | .[]'
measure trace "aadsts trace (text report)" "$bin" trace "$har"
measure json "aadsts trace --format json" "$bin" trace "$har" --format json
measure jq "jq (error codes only)" jq -r "$jq_filter" "$har"
# Writes the copy, then reads it back to check it: three reads and a write of the capture.
measure san "aadsts trace --sanitize -o" "$bin" trace --sanitize "$har" -o "$dir/safe.har"
rm -f "$dir/safe.har"

ours=$("$bin" trace "$har" --format json 2>/dev/null | jq -r '[.errors[].code] | sort | .[]' | tr '\n' ' ')
theirs=$(jq -r "$jq_filter" "$har" | tr '\n' ' ')
echo "aadsts codes: $ours"
echo "jq codes:     $theirs"
[[ "$ours" == "$theirs" ]] || { echo "the two disagree" >&2; exit 1; }
awk -v a="$(cat "$dir/.wall-trace")" -v b="$(cat "$dir/.wall-jq")" 'BEGIN{printf "aadsts trace / jq wall time: %.2f\n", a/b}'
