#!/usr/bin/env bash
# Peak memory of a large upload: serve the app on a throwaway data directory, log in, then sample
# the server's resident set every 50 ms while curl uploads a file of SIZE_MB (default 300) MB.
# Usage: bench/upload_rss.sh [SIZE_MB] [PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-300}
PORT=${2:-5899}
PYTHON=${PYTHON:-.venv/bin/python}
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

head -c "${SIZE_MB}M" /dev/urandom > "$WORK/plate.mov"
PRODSIGHT_DATA_DIR="$WORK/data" PRODSIGHT_UPLOAD_DIR="$WORK/uploads" PRODSIGHT_MAX_UPLOAD_MB=$((SIZE_MB + 1)) \
  PORT=$PORT "$PYTHON" app.py >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "localhost:$PORT/api/health" >/dev/null && break; sleep 0.2; done
TOKEN=$(curl -s "localhost:$PORT/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"vfx","password":"prodsight-demo"}' | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')

rss() { awk "/$1/{print \$2}" "/proc/$SERVER/status"; }
echo "before the upload: VmRSS $(rss VmRSS) kB, high-water mark VmHWM $(rss VmHWM) kB"
curl -s -o "$WORK/upload.json" -H "Authorization: Bearer $TOKEN" -F "file=@$WORK/plate.mov" \
  "localhost:$PORT/api/assets/upload" &
UPLOAD=$!
PEAK=0
while kill -0 "$UPLOAD" 2>/dev/null; do
  NOW=$(rss VmRSS); [ "$NOW" -gt "$PEAK" ] && PEAK=$NOW; sleep 0.05
done
echo "during the ${SIZE_MB} MB upload: peak VmRSS ${PEAK} kB"
echo "after the upload: VmRSS $(rss VmRSS) kB, VmHWM $(rss VmHWM) kB"
"$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print("stored", d["size"], "bytes, sha256", d["sha256"])' "$WORK/upload.json"
echo "sha256 of the file sent: $(sha256sum "$WORK/plate.mov" | cut -d' ' -f1)"
