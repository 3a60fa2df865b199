#!/usr/bin/env bash
# The static crnn-ocr alone in an empty root: copies the binary into an empty directory, runs
# `crnn-ocr serve` chrooted there (no shared libraries, no model files, no /proc, /etc or /dev),
# and sends it a real multipart POST /ocr and GET / over loopback. Passes when /health says the
# three default models are the embedded ones, the WebUI is served, and the recognised lines
# equal those of the normal (dynamic) build on the same image with the same converted models.
#
#   tests/deploy/empty_root_test.sh STATIC_BUILD_DIR NORMAL_BUILD_DIR [IMAGE]
#
# Without root it runs in a new user and mount namespace (unshare --user --map-root-user
# --mount), where chroot is allowed; as root where unshare is refused, plain chroot.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
static_build=$1
normal_build=$2
image=${3:-$root/../shared/samples/Light-STR-Competition-No.5_doc_imgs_00018069.jpg}
binary="$static_build/crnn-ocr"
models="$static_build/embedded_models"

file "$binary" | grep -q "statically linked" || { echo "FAIL: $binary is not statically linked: $(file -b "$binary")"; exit 1; }

work="$(mktemp -d)"
jail="$work/root"
mkdir "$jail"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid" 2>/dev/null || true; wait 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cp "$binary" "$jail/crnn-ocr"
echo "empty root: $(cd "$jail" && find . | sort | tr '\n' ' ')"

jailed=(chroot "$jail" /crnn-ocr)
if unshare --user --map-root-user --mount true 2>/dev/null; then
  jailed=(unshare --user --map-root-user --mount "${jailed[@]}")
elif [ "$(id -u)" -ne 0 ]; then
  echo "FAIL: neither user namespaces (unshare --user) nor root are available for chroot"; exit 1
fi
echo "running: ${jailed[*]} serve --host 127.0.0.1 --port 0"
"${jailed[@]}" serve --host 127.0.0.1 --port 0 --threads 2 2>"$work/log" &
server_pid=$!

port=""
for _ in $(seq 1 600); do
  port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$work/log" | head -1)
  [ -n "$port" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "FAIL: the server exited:"; cat "$work/log"; exit 1; }
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >"$work/health.json" || { echo "FAIL: not ready:"; cat "$work/log"; exit 1; }
curl -sf "http://127.0.0.1:$port/" >"$work/index.html"
curl -sf -F "image=@$image" "http://127.0.0.1:$port/ocr" >"$work/static.json"

# The normal build on the same image, with the same converted models given as files.
"$normal_build/crnn-ocr" ocr --json --threads 2 --rec-model "$models/rec_ch_ppocr_mobile_v2.0.crnn" \
  --det-model "$models/det_ch_PP-OCRv3.crnn" --cls-model "$models/cls_ch_ppocr_mobile_v2.0.crnn" "$image" >"$work/normal.json"

/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
health = json.load(open(f"{work}/health.json"))
static = json.load(open(f"{work}/static.json"))
normal = json.load(open(f"{work}/normal.json"))
page = open(f"{work}/index.html", encoding="utf-8").read()
failures = []
for kind in ("rec", "det", "cls"):
    if (health.get("models") or {}).get(kind, {}).get("source") != "embedded":
        failures.append(f"/health: {kind} model is not the embedded one: {health.get('models')}")
if "开始高精度识别" not in page:
    failures.append("GET / is not the WebUI page")
if not static.get("success"):
    failures.append(f"POST /ocr failed: {static}")
a = [r["text"] for r in static.get("results", [])]
b = [r["text"] for r in normal.get("results", [])]
if not b:
    failures.append("the normal build read no text")
if a != b:
    failures.append(f"texts differ:\n  static: {a}\n  normal: {b}")
print(f"isa {health['isa']} ({health['isa_note']}); {len(a)} lines; first: {a[:3]}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
echo "PASS: the static binary alone in an empty root serves POST /ocr and the WebUI, same text as the normal build"
