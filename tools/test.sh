#!/usr/bin/env bash
# Builds crnn-ocr and runs every test: the GoogleTest suite under ctest (kernels, ops, models
# against ONNX Runtime fixtures, image pipeline, CLI, HTTP server over loopback), the WebUI in
# headless Chromium, the model and op tests again on every other SIMD path this CPU can run
# (CRNN_ISA), the static build's tests (tools/static_test.sh: empty root, qemu64 and Haswell
# CPUs, nginx), the aarch64 cross build's tests under qemu-aarch64 (tools/cross_test.sh), and
# the GoogleTest suite again built with AddressSanitizer and
# UndefinedBehaviorSanitizer. `--quick` skips all but the first. Needs ../shared beside the
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

# The optimised suite ran on the best path; the kernel tests already cover every path by
# themselves. These are the tests that run whole ops and models (against their references and
# the ONNX Runtime fixtures) on whatever path is active, so they run once more per other path.
every_isa() {  # build-dir
  local build=$1 isa note
  local best; best=$("$build/crnn-ocr" --version | sed -n 's/.*kernels: \([a-z0-9]*\),.*/\1/p')
  for isa in scalar sse2 avx2 avx512 neon; do
    note=$(CRNN_ISA=$isa "$build/crnn-ocr" --version)
    case "$note" in
      *"kernels: $isa, forced"*) ;;
      *) echo "-- CRNN_ISA=$isa: not run ($note)"; continue ;;
    esac
    [ "$isa" != "$best" ] || continue
    echo "-- CRNN_ISA=$isa"
    (cd "$build" && CRNN_ISA=$isa ctest -j"$jobs" --timeout 600 --output-on-failure \
       -R 'Reference|RuntimeOps|Session|Classifier|^Cli\.')
  done
}

build_dir="${CRNN_BUILD_DIR:-$root/build}"
echo "== optimised build"
run_suite "$build_dir"
if [ "$quick" -eq 0 ]; then
  echo "== model and op tests on every other SIMD path ($("$build_dir/crnn-ocr" --version))"
  every_isa "$build_dir"
  echo "== WebUI in headless Chromium"
  CRNN_BUILD_DIR="$build_dir" "$root/tools/browser_test.sh"
  echo "== static build: alone in an empty root, on emulated x86-64 CPUs, behind nginx"
  CRNN_BUILD_DIR="$build_dir" "$root/tools/static_test.sh"
  echo "== aarch64 cross build, tests under qemu-aarch64"
  "$root/tools/cross_test.sh" aarch64
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite "$root/build-sanitize" -DCRNN_SANITIZE=ON -DCRNN_BUILD_BENCH=OFF
fi
