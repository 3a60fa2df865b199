#!/usr/bin/env bash
# crnn-ocr vs ONNX Runtime on one recognizer, same model, shape and thread count, in one run.
#   bench/compare_rec.sh [--threads N] [--model NAME] [--width W] [--build DIR] [--iterations K]
# Defaults: 1 thread, ch_ppocr_mobile_v2.0, 32x320, build/, 200 ORT iterations.
# crnn-ocr's time is real_time of the first benchmark matching
#   BM_Recognizer/NAME/32xW/threads:N   in DIR/crnn_bench (Google Benchmark JSON);
# ONNX Runtime's is the median of bench/ort_rec_bench.js. Ratio = ORT / crnn (> 1: crnn-ocr faster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=1 model=ch_ppocr_mobile_v2.0 width=320 build="$root/build" iters=200
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --width) width="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --iterations) iters="$2"; shift 2 ;;
    *) echo "compare_rec: unknown argument $1" >&2; exit 2 ;;
  esac
done
models="${CRNN_MODELS_DIR:-$root/../shared/models}"
onnx="$models/rec/$model/rec.onnx"
[ -f "$onnx" ] || { echo "compare_rec: no model $onnx" >&2; exit 1; }
bench="$build/crnn_bench"
[ -x "$bench" ] || { echo "compare_rec: $bench not found; build the crnn_bench target first" >&2; exit 1; }
"$root/tools/reference/ensure_ort.sh"

filter="BM_Recognizer/$model/32x$width/threads:$threads(/|\$)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# crnn_bench resolves its own model paths; run it from the repository root like the other tools.
if ! (cd "$root" && "$bench" --benchmark_filter="$filter" --benchmark_format=json) >"$tmp/crnn.json" 2>"$tmp/crnn.err"; then
  echo "compare_rec: crnn_bench failed:" >&2; tail -n 20 "$tmp/crnn.err" >&2; exit 1
fi
crnn_ms=$(/usr/bin/python3 - "$tmp/crnn.json" "$filter" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit(f"compare_rec: crnn_bench printed no valid JSON ({e})")
b = d.get("benchmarks") or []
if not b:
    sys.exit(f"compare_rec: crnn_bench has no benchmark matching {sys.argv[2]}")
scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b[0].get("time_unit", "ns")]
print("%.4f %s" % (b[0]["real_time"] * scale, b[0]["name"]))
PY
)
crnn_name=${crnn_ms#* }; crnn_ms=${crnn_ms%% *}
ort_json=$(node "$root/bench/ort_rec_bench.js" --model "$onnx" --width "$width" --threads "$threads" --iterations "$iters")
/usr/bin/python3 - "$crnn_ms" "$crnn_name" "$ort_json" <<'PY'
import json, sys
crnn, name, ort = float(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
print(f"{'engine':24} {'time_ms':>9}  detail")
print(f"{'crnn-ocr':24} {crnn:9.3f}  {name} (real_time)")
print(f"{'onnxruntime ' + ort['version']:24} {ort['median_ms']:9.3f}  median of {ort['iterations']}, p90 {ort['p90_ms']:.3f}, "
      f"shape {ort['shape']}, threads {ort['threads']}")
print(f"ratio ORT/crnn = {ort['median_ms'] / crnn:.3f}  (> 1 means crnn-ocr is faster)")
PY
