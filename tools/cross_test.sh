#!/usr/bin/env bash
# Cross-builds crnn-ocr for another architecture and runs the GoogleTest suite under qemu-user.
#   tools/cross_test.sh aarch64      build-aarch64/: g++-aarch64-linux-gnu, static, NEON kernels
# ctest runs the test binary through CMAKE_CROSSCOMPILING_EMULATOR (the toolchain file sets it
# to qemu-aarch64), and the tests start crnn-ocr through it too.
#
# qemu emulates floating-point vector instructions one lane at a time in software: whole-model
# tests run hundreds of times slower than natively (the detection tiling tests pass natively in
# seconds and take over 15 minutes each here). By default this runs the tests whose results
# depend on the architecture and fit CI's budget: every kernel on NEON and scalar against its
# reference, the bit-exact image, geometry and DB post-processing fixtures, both detectors and
# the default recognizer against the ONNX Runtime fixtures, the model file reader and
# converter, and crnn-ocr's CLI reading real lines (started under qemu).
# CRNN_CROSS_TESTS=all runs the whole suite (hours under qemu). Needs ../shared beside the
# repository, like tools/test.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arch="${1:-}"
case "$arch" in
  aarch64) toolchain="$root/tools/cmake/aarch64-linux-gnu.cmake"; emulator=qemu-aarch64 ;;
  *) echo "usage: $0 aarch64" >&2; exit 2 ;;
esac
build="${CRNN_CROSS_BUILD_DIR:-$root/build-$arch}"
jobs="$(nproc)"
start=$SECONDS

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
  -DCRNN_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target crnn_tests crnn-ocr crnn-convert
built=$SECONDS
file "$build/crnn-ocr" | sed "s|$build/||"
"$emulator" "$build/crnn-ocr" --version
subset='^(AllIsas|Simd|Gemm|Depthwise|VectorMath|ImageOps|ImageResize|ImageDecode|ExifOrientation|Enhancement|'
subset+='MinAreaRect|MiniBox|FindContours|ConvexHull|Polygon|Unclip|BoxScoreFast|DbPostprocess|Fixtures/DbReference|'
subset+='SortReadingOrder|CtcDecoder|ModelFile|Converter|Cli|Models/Detector(Reference|Preprocess))[./]'
subset+='|^Models/RecognizerReference\..*/ch_ppocr_mobile'
[ "${CRNN_CROSS_TESTS:-}" = all ] && subset='.'
(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 900 -R "$subset")
echo "-- $arch: built in $((built - start)) s, tests under $emulator in $((SECONDS - built)) s"
