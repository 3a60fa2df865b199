#!/usr/bin/env bash
# The static binary as a container image (tools/deploy/Dockerfile.binary: FROM scratch, the
# binary and nothing else), built and run with podman (Debian's podman and runc). Passes when
# the image holds one file, the container runs as an unprivileged user, and over a published
# port it serves /health (the embedded models), the WebUI and POST /ocr with the same lines as
# the normal build on the same image.
#
#   tests/deploy/container_test.sh STATIC_BUILD_DIR NORMAL_BUILD_DIR [IMAGE]
#
# podman runs with a private configuration: runc, which also runs on hosts with hybrid
# cgroups (crun refuses them), and no default ulimits, because raising limits inside a
# sandboxed machine may be refused (the container keeps the host's).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
static_build=$1
normal_build=$2
image=${3:-$root/../shared/samples/Light-STR-Competition-No.5_doc_imgs_00018069.jpg}
models="$static_build/embedded_models"
tag="localhost/crnn-ocr-test:$$"
name="crnn-ocr-test-$$"

work="$(mktemp -d)"
export CONTAINERS_CONF="$work/containers.conf"
printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' >"$CONTAINERS_CONF"
cleanup() {
  podman rm -f "$name" >/dev/null 2>&1 || true
  podman rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/context"
cp "$static_build/crnn-ocr" "$work/context/"
podman build -q -f "$root/tools/deploy/Dockerfile.binary" -t "$tag" "$work/context" >/dev/null
files=$(podman image inspect "$tag" --format '{{len .RootFS.Layers}} layer(s), user {{.Config.User}}')
echo "image: $files, $(podman image inspect "$tag" --format '{{.Size}}') bytes"
podman create --name "$name" "$tag" >/dev/null
podman export "$name" | tar -t >"$work/files"
podman rm "$name" >/dev/null
[ "$(grep -v '/$' "$work/files")" = "crnn-ocr" ] || { echo "FAIL: the image holds more than the binary:"; cat "$work/files"; exit 1; }
[ "$(podman image inspect "$tag" --format '{{.Config.User}}')" = "65534:65534" ] || { echo "FAIL: $files"; exit 1; }

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
podman run -d --name "$name" -p "127.0.0.1:$port:5000" "$tag" >/dev/null
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ] && break
  [ "$(podman inspect "$name" --format '{{.State.Running}}')" = true ] || { echo "FAIL: the container exited:"; podman logs "$name"; exit 1; }
  sleep 0.1
done
/usr/bin/python3 "$root/tests/deploy/check_served_ocr.py" "http://127.0.0.1:$port" "$image" "$normal_build" "$models"
echo "PASS: the FROM scratch image (one file, user 65534) serves POST /ocr and the WebUI, same text as the normal build"
