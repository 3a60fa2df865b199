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
/usr/bin/python3 "$root/tests/deploy/check_served_ocr.py" "http://127.0.0.1:$port" "$image" "$normal_build" "$models"
echo "PASS: the static binary alone in an empty root serves POST /ocr and the WebUI, same text as the normal build"
