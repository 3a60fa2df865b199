#!/usr/bin/env bash
# crnn-ocr vs ONNX Runtime on one text detector, same model, shape and thread count, in one run.
#   bench/compare_det.sh [--threads N] [--model NAME] [--height H] [--width W] [--build DIR] [--iterations K]
# Defaults: 1 thread, ch_PP-OCRv3, 960x608 (the shapes bench/detector_bench.cpp registers), build/,
# 50 ORT iterations. crnn-ocr's time is real_time of the first benchmark matching
#   BM_Detector/NAME/HxW/threads:N   in DIR/crnn_bench (Google Benchmark JSON; Session::run only);
# ONNX Runtime's is the median of bench/ort_det_bench.js (session.run only). Ratio = ORT / crnn
# (> 1: crnn-ocr faster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=1 model=ch_PP-OCRv3 height=960 width=608 build="$root/build" iters=50
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --height) height="$2"; shift 2 ;;
    --width) width="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --iterations) iters="$2"; shift 2 ;;
    *) echo "compare_det: unknown argument $1" >&2; exit 2 ;;
  esac
done
models="${CRNN_MODELS_DIR:-$root/../shared/models}"
onnx="$models/det/$model/det.onnx"
[ -f "$onnx" ] || { echo "compare_det: no model $onnx" >&2; exit 1; }
bench="$build/crnn_bench"
[ -x "$bench" ] || { echo "compare_det: $bench not found; build the crnn_bench target first" >&2; exit 1; }
"$root/tools/reference/ensure_ort.sh"

filter="BM_Detector/$model/${height}x$width/threads:$threads(/|\$)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# crnn_bench resolves its own model paths; run it from the repository root like the other tools.
if ! (cd "$root" && "$bench" --benchmark_filter="$filter" --benchmark_format=json) >"$tmp/crnn.json" 2>"$tmp/crnn.err"; then
  echo "compare_det: crnn_bench failed:" >&2; tail -n 20 "$tmp/crnn.err" >&2; exit 1
fi
crnn_load=$(cut -d' ' -f1 /proc/loadavg)
crnn_ms=$(/usr/bin/python3 - "$tmp/crnn.json" "$filter" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit(f"compare_det: crnn_bench printed no valid JSON ({e})")
b = d.get("benchmarks") or []
if not b:
    sys.exit(f"compare_det: crnn_bench has no benchmark matching {sys.argv[2]}")
scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b[0].get("time_unit", "ns")]
print("%.4f %s" % (b[0]["real_time"] * scale, b[0]["name"]))
PY
)
crnn_name=${crnn_ms#* }; crnn_ms=${crnn_ms%% *}
ort_json=$(node "$root/bench/ort_det_bench.js" --model "$onnx" --height "$height" --width "$width" --threads "$threads" \
  --iterations "$iters")
/usr/bin/python3 - "$crnn_ms" "$crnn_name" "$ort_json" "$crnn_load" <<'PY'
import json, sys
crnn, name, ort, load = float(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4])
print(f"{'engine':24} {'time_ms':>9} {'load':>5}  detail")
print(f"{'crnn-ocr':24} {crnn:9.3f} {load:5.2f}  {name} (real_time)")
print(f"{'onnxruntime ' + ort['version']:24} {ort['median_ms']:9.3f} {ort['loadavg_1min']:5.2f}  median of {ort['iterations']}, "
      f"p90 {ort['p90_ms']:.3f}, shape {ort['shape']}, threads {ort['threads']}")
print(f"ratio ORT/crnn = {ort['median_ms'] / crnn:.3f}  (> 1 means crnn-ocr is faster)")
PY
