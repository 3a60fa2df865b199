#!/usr/bin/env bash
# Builds crnn-ocr and runs the whole test suite (GoogleTest under ctest).
# Needs ../shared beside the repository (real models and fixtures' sources).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CRNN_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release ${CRNN_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)" --target crnn_tests crnn-ocr crnn-convert
cd "$build" && ctest --output-on-failure -j"$(nproc)" --timeout 300
