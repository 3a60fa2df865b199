#!/usr/bin/env bash
# The WebUI test in a real browser: Debian's chromium (installed here if missing, with nodejs
# and npm) driven by npm playwright-core (tests/browser, pinned to a release that still runs on
# Debian 12's Node 18, installed with `npm ci`) against `crnn-ocr serve` started on a
# free loopback port with a fresh API token. Needs build/crnn-ocr and build/crnn-convert
# (tools/test.sh builds them) and ../shared beside the repository.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CRNN_BUILD_DIR:-$root/build}"
shared="${CRNN_SHARED:-$root/../shared}"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
(cd "$root/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Models converted from ../shared/models, so the test does not depend on tools/setup.sh.
models="$shared/models"
"$build/crnn-convert" "$models/rec/ch_ppocr_mobile_v2.0/rec.onnx" --name ch_ppocr_mobile_v2.0 \
  --dict "$models/rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt" -o "$work/rec.crnn" >/dev/null
"$build/crnn-convert" "$models/det/ch_PP-OCRv3/det.onnx" --name ch_PP-OCRv3 -o "$work/det.crnn" >/dev/null
"$build/crnn-convert" "$models/cls/ch_ppocr_mobile_v2.0/cls.onnx" --name ch_ppocr_mobile_v2.0 -o "$work/cls.crnn" >/dev/null

token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$token" > "$work/tokens"
"$build/crnn-ocr" serve --host 127.0.0.1 --port 0 --token-file "$work/tokens" \
  --rec-model "$work/rec.crnn" --det-model "$work/det.crnn" --cls-model "$work/cls.crnn" \
  >/dev/null 2>"$work/server.log" &
server_pid=$!

port=""
for _ in $(seq 1 600); do  # up to 60 s
  if grep -q '"event":"ready"' "$work/server.log"; then
    port="$(grep -o '"port":[0-9]*' "$work/server.log" | head -1 | cut -d: -f2)"
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "browser_test: the server did not get ready; its log:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

status=0
CRNN_OCR_URL="http://127.0.0.1:$port/" CRNN_OCR_TOKEN="$token" CRNN_SAMPLES="$shared/samples" \
  CRNN_ARTIFACTS="${CRNN_ARTIFACTS:-}" node "$root/tests/browser/webui_test.js" || status=$?

kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
if [ "$server_status" -ne 0 ]; then
  echo "browser_test: the server exited with status $server_status after SIGTERM" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "browser_test: server log:" >&2
  tail -n 40 "$work/server.log" >&2
fi
exit "$status"
