#!/usr/bin/env bash
# The static build on three x86-64 CPUs: natively, and under Debian's qemu-user (TCG) as
#   qemu64   - SSE2 baseline, no AVX: the sse2 kernels must be chosen;
#   Haswell  - AVX2 + FMA + F16C, no AVX-512 (emulated by TCG since QEMU 7.2): avx2 must be chosen.
# On each: prints the kernel path crnn-ocr chooses (and fails if it is not the expected one),
# runs a subset of the static GoogleTest suite (kernels against their scalar references, ops,
# image ops, the models against the ONNX Runtime fixtures) and one real OCR with the static
# crnn-ocr and its embedded models, whose text must equal the native run's. Prints the time of
# each run.
#
#   tests/deploy/qemu_cpus.sh STATIC_BUILD_DIR [IMAGE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build=$1
image=${2:-$root/../shared/samples/Light-STR-Competition-No.5_doc_imgs_words_ch_word_1.jpg}
command -v qemu-x86_64 >/dev/null || { echo "FAIL: qemu-x86_64 missing (Debian's qemu-user; tools/install_deps.sh)"; exit 1; }
file "$build/crnn_tests" | grep -q "statically linked" || { echo "FAIL: $build/crnn_tests is not the static suite"; exit 1; }

# Chosen by measured time under emulation (TCG runs the SIMD code 20-100x slower than the
# CPU): the kernel tests, which compare every path the emulated CPU can run with the scalar
# reference (the scalar variants themselves are left to the native run); the image-op and
# DB post-processing tests; every runtime op against its plain reference; the default
# recognizer and the classifier against the ONNX Runtime fixtures. Left to the native run:
# the other two recognizers and the detector fixtures (same kernels, minutes under TCG), the
# long-image tiling test (11 minutes under TCG), the converter, and the CLI and HTTP tests,
# which start crnn-ocr as a child process that qemu-user would not emulate.
emulated_tests='*Gemm*:*Depthwise*:*VectorMath*:Image*:ExifOrientation*:*DbReference*:DbPostprocess*:RuntimeOps*:Session*'
emulated_tests+=':*RecognizerReference*/ch_ppocr_mobile_v2_0:*ClassifierReference*:ModelFile*:-*/scalar'

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0

run_on() {  # label expected-isa runner...
  local label=$1 expected=$2; shift 2
  local t0 t1 t2 version isa
  version=$("$@" "$build/crnn-ocr" --version 2>&1 | grep -v "TCG doesn't support requested feature")
  isa=$(sed -n 's/.*kernels: \([a-z0-9]*\),.*/\1/p' <<<"$version")
  echo "== $label: $version"
  if [ -n "$expected" ] && [ "$isa" != "$expected" ]; then
    echo "FAIL: $label chose $isa, expected $expected"; status=1; return
  fi
  t0=$(date +%s.%N)
  if ! (cd "$build" && "$@" ./crnn_tests --gtest_filter="$emulated_tests" --gtest_brief=1 \
          2>&1 | grep -v "TCG doesn't support requested feature" >"$work/$label.tests"); then
    tail -30 "$work/$label.tests"; echo "FAIL: $label: tests"; status=1
  fi
  grep -E "^\[  (PASSED|FAILED) " "$work/$label.tests" || true
  t1=$(date +%s.%N)
  if ! "$@" "$build/crnn-ocr" ocr --json --threads 2 "$image" >"$work/$label.json" 2>"$work/$label.err"; then
    grep -v "TCG doesn't support" "$work/$label.err" || true; echo "FAIL: $label: crnn-ocr ocr"; status=1
  fi
  t2=$(date +%s.%N)
  /usr/bin/python3 - "$work/$label.json" "$work/native.json" "$label" <<'PY' || status=1
import json, os, sys
mine = [r["text"] for r in json.load(open(sys.argv[1]))["results"]]
ref_path = sys.argv[2]
if not os.path.exists(ref_path):
    os.link(sys.argv[1], ref_path)
ref = [r["text"] for r in json.load(open(ref_path))["results"]]
print(f"   ocr: {len(mine)} lines, {'same text as native' if mine == ref else 'DIFFERENT text from native'}")
sys.exit(0 if mine == ref and mine else 1)
PY
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "   time: tests %.1f s, ocr %.1f s\n", b - a, c - b }'
}

run_on native "" env
run_on qemu64 sse2 qemu-x86_64 -cpu qemu64
run_on Haswell avx2 qemu-x86_64 -cpu Haswell
[ "$status" -eq 0 ] && echo "PASS: static tests and OCR on native, qemu64 (sse2) and Haswell (avx2)"
exit "$status"
