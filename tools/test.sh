#!/usr/bin/env bash
# Builds crnn-ocr and runs every test: the GoogleTest suite under ctest (kernels, ops, models
# against ONNX Runtime fixtures, image pipeline, CLI, HTTP server over loopback), the WebUI in
# headless Chromium, and the GoogleTest suite again built with AddressSanitizer and
# UndefinedBehaviorSanitizer. `--quick` skips the last two. Needs ../shared beside the
# repository (models, samples, evaluation images).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0
[ "${1:-}" = "--quick" ] && quick=1
jobs="$(nproc)"

run_suite() {  # build-dir extra-cmake-args...
  local build=$1; shift
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$build" -j"$jobs" --target crnn_tests crnn-ocr crnn-convert
  (cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 600)
}

echo "== optimised build"
run_suite "${CRNN_BUILD_DIR:-$root/build}"
if [ "$quick" -eq 0 ]; then
  echo "== WebUI in headless Chromium"
  CRNN_BUILD_DIR="${CRNN_BUILD_DIR:-$root/build}" "$root/tools/browser_test.sh"
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite "$root/build-sanitize" -DCRNN_SANITIZE=ON -DCRNN_BUILD_BENCH=OFF
fi
