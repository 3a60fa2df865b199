#!/usr/bin/env bash
# The static build's tests (tools/test.sh runs this): builds the `static` preset (crnn-ocr
# fully static with the default models embedded, and the static test suite) into build-static/,
# then runs
#   tests/deploy/empty_root_test.sh   - the binary alone in an empty root serves POST /ocr and /
#   tests/deploy/qemu_cpus.sh         - tests and a real OCR natively, under qemu64 (sse2) and
#                                       Haswell (avx2), printing the kernel path chosen
#   tests/deploy/nginx_balance_test.sh - nginx in front of two instances reaches both
#   tests/deploy/container_test.sh    - the FROM scratch image (podman) serves POST /ocr and /
# Needs ../shared beside the repository and tools/install_deps.sh's packages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
static="$root/build-static"
normal="${CRNN_BUILD_DIR:-$root/build}"
jobs="$(nproc)"

(cd "$root" && cmake --preset static >/dev/null)
cmake --build "$static" -j"$jobs" --target crnn-ocr crnn_tests
[ -x "$normal/crnn-ocr" ] || { echo "FAIL: $normal/crnn-ocr is missing (the normal build, for comparison; tools/test.sh builds it)"; exit 1; }

timed() {  # name command...
  local name=$1 start; shift
  start=$(date +%s)
  echo "-- $name"
  "$@"
  echo "-- $name: $(( $(date +%s) - start )) s"
}
timed "empty root" "$root/tests/deploy/empty_root_test.sh" "$static" "$normal"
timed "x86-64 CPUs" "$root/tests/deploy/qemu_cpus.sh" "$static"
timed "nginx" "$root/tests/deploy/nginx_balance_test.sh" "$static" 40
timed "container" "$root/tests/deploy/container_test.sh" "$static" "$normal"
