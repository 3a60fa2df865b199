#!/usr/bin/env bash
# Cross-builds crnn-ocr for another architecture and runs the GoogleTest suite under qemu-user.
#   tools/cross_test.sh aarch64      build-aarch64/: g++-aarch64-linux-gnu, static, NEON kernels
# ctest runs the test binary through CMAKE_CROSSCOMPILING_EMULATOR (the toolchain file sets it
# to qemu-aarch64), and the tests start crnn-ocr through it too.
#
# Under qemu's TCG every instruction is translated and floating-point vector instructions are
# emulated in software: the suite runs 10 to 200 times slower than natively. By default this
# runs every test except the few that take over ten seconds each there (they run natively in
# tools/test.sh): HTTP server tests that push 12-megapixel photos through a server started under
# qemu, the long-image tiling and chunking tests, the other recognizers' reference and
# best-path tests, and the int8 convolution sweep. Those are the same code on every
# architecture except for kernels that the default model's tests already cover on NEON.
# CRNN_CROSS_TESTS=all runs the whole suite (418 tests passed in 31 minutes on two busy cores). Needs ../shared
# beside the repository, like tools/test.sh.
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
slow='^(ServerHttp\.(ReadsImagesSentAsMultipartRawBodyOrJsonBase64|BeyondTheInflightAndQueueLimits|AQueuedRequestWaits'
slow+='|SigtermStops|StalledAndTricklingUploads|RecognitionsAtOnceDefault|ThePythonRequestsClient|EightConcurrent)'
slow+='|DetectionTiling\.(TallStack|Banner)|RecognizerChunking\.|QuantizedOpsInt8\.ConvWithin'
slow+='|Models/RecognizerBestPath\..*/(ch_PP_OCRv2|en_number)|Models/RecognizerReference\..*/ch_PP_OCRv2)'
[ "${CRNN_CROSS_TESTS:-}" = all ] && slow='^$'
(cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 1800 -E "$slow")
echo "-- $arch: built in $((built - start)) s, tests under $emulator in $((SECONDS - built)) s"
