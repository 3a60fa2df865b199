#!/usr/bin/env bash
# crnn-ocr vs ONNX Runtime on one model, same file, input shape and thread count, in one run.
#   bench/compare_model.sh --kind rec|det [--threads N] [--model NAME] [--height H] [--width W]
#                          [--build DIR] [--iterations K] [--json] [--int8]
# Defaults: 1 thread; rec: ch_ppocr_mobile_v2.0 at 32x320; det: ch_PP-OCRv3 at 960x608; build/.
# crnn-ocr's time is real_time of BM_Recognizer/NAME/32xW/threads:N (what the CLI and server run:
# the model up to its classifier layer, fused with each step's argmax and softmax probability) or
# BM_Detector/NAME/HxW/threads:N (Session::run) in DIR/crnn_bench; for the recognizer the time of
# the full softmax over every class (BM_RecognizerProbabilities, what ONNX Runtime computes) is
# printed beside it. ONNX Runtime's is the median of bench/ort_model_bench.js (session.run).
# Ratio = ORT / crnn (> 1: crnn-ocr faster).
# Distance to the physical limit: both engines' GFLOP/s (the model's FLOPs, counted by the
# runtime, over each one's time) against the peak of the kernels' SIMD path, measured by
# BM_PeakFlops (one core) times the thread count. --json prints one JSON line instead of the table.
# --int8: crnn-ocr runs the model built with OpOptions::int8 (BM_Int8Model/KIND/NAME/HxW/threads:N/int8).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
also="" kind="" threads=1 model="" height="" width="" build="$root/build" iters="" json=0 int8=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) kind="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --height) height="$2"; shift 2 ;;
    --width) width="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --iterations) iters="$2"; shift 2 ;;
    --json) json=1; shift ;;
    --int8) int8=1; shift ;;
    *) echo "compare_model: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$kind" in
  rec) model=${model:-ch_ppocr_mobile_v2.0}; height=${height:-32}; width=${width:-320}; iters=${iters:-200}
       filter="BM_Recognizer/$model/${height}x$width/threads:$threads(/|\$)"
       also="BM_RecognizerProbabilities/$model/${height}x$width/threads:$threads(/|\$)" ;;
  det) model=${model:-ch_PP-OCRv3}; height=${height:-960}; width=${width:-608}; iters=${iters:-50}
       filter="BM_Detector/$model/${height}x$width/threads:$threads(/|\$)" ;;
  *) echo "compare_model: need --kind rec|det" >&2; exit 2 ;;
esac
if [ "$int8" = 1 ]; then filter="BM_Int8Model/$kind/$model/${height}x$width/threads:$threads/int8(/|\$)"; fi
models="${CRNN_MODELS_DIR:-$root/../shared/models}"
onnx="$models/$kind/$model/$kind.onnx"
[ -f "$onnx" ] || { echo "compare_model: no model $onnx" >&2; exit 1; }
bench="$build/crnn_bench"
[ -x "$bench" ] || { echo "compare_model: $bench not found; build the crnn_bench target first" >&2; exit 1; }
"$root/tools/reference/ensure_ort.sh" >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# crnn_bench resolves its own model paths; run it from the repository root like the other tools.
if ! (cd "$root" && "$bench" --benchmark_filter="$filter|BM_PeakFlops${also:+|$also}" --benchmark_format=json) \
    >"$tmp/crnn.json" 2>"$tmp/crnn.err"; then
  echo "compare_model: crnn_bench failed:" >&2; tail -n 20 "$tmp/crnn.err" >&2; exit 1
fi
crnn_load=$(cut -d' ' -f1 /proc/loadavg)
node "$root/bench/ort_model_bench.js" --kind "$kind" --model "$onnx" --height "$height" --width "$width" \
  --threads "$threads" --iterations "$iters" >"$tmp/ort.json"
/usr/bin/python3 - "$tmp/crnn.json" "$tmp/ort.json" "$filter" "$crnn_load" "$threads" "$json" "$also" <<'PY'
import json, re, sys
crnn_file, ort_file, filt, load, threads, as_json, also = sys.argv[1:8]
try:
    d = json.load(open(crnn_file))
except ValueError as e:
    sys.exit(f"compare_model: crnn_bench printed no valid JSON ({e})")
marks = d.get("benchmarks") or []
model = [b for b in marks if re.match(filt, b["name"]) and not b.get("error_occurred")]
if not model:
    sys.exit(f"compare_model: crnn_bench has no benchmark matching {filt}")
b = model[0]
scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
crnn_ms = b["real_time"] * scale
isa = b.get("label", "")
gflop = b["GFLOPs"] * crnn_ms / 1e3 / 1e9 if "GFLOPs" in b else None  # the counter is a rate
peak = {x["name"].split("/")[1]: x["GFLOPs"] / 1e9 for x in marks
        if x["name"].startswith("BM_PeakFlops/") and not x.get("error_occurred")}
peak_all = peak.get(isa, 0) * int(threads)
ort = json.loads(open(ort_file).read())
r = {"kind": ort["kind"], "model": b["name"], "isa": isa, "threads": int(threads), "shape": ort["shape"],
     "crnn_ms": round(crnn_ms, 4), "ort_ms": ort["median_ms"], "ort_p90_ms": ort["p90_ms"],
     "ort_version": ort["version"], "ratio": round(ort["median_ms"] / crnn_ms, 3),
     "gflop": round(gflop, 4) if gflop else None, "peak_gflops": round(peak_all, 1),
     "load_crnn": float(load), "load_ort": ort["loadavg_1min"]}
full = [x for x in marks if also and re.match(also, x["name"]) and not x.get("error_occurred")]
if full:
    r["crnn_probabilities_ms"] = round(full[0]["real_time"] * {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[full[0].get("time_unit", "ns")], 4)
    r["ratio_probabilities"] = round(ort["median_ms"] / r["crnn_probabilities_ms"], 3)
if gflop:
    r["crnn_gflops"] = round(gflop / crnn_ms * 1e3, 1)
    r["ort_gflops"] = round(gflop / ort["median_ms"] * 1e3, 1)
if as_json == "1":
    print(json.dumps(r))
    sys.exit(0)
pct = lambda g: f", {100 * g / peak_all:.0f}% of peak" if peak_all else ""
rate = lambda k: f"{r[k]:.1f} GFLOP/s{pct(r[k])}" if k in r else "GFLOP/s n/a"
print(f"{'engine':24} {'time_ms':>9} {'load':>5}  detail")
print(f"{'crnn-ocr':24} {crnn_ms:9.3f} {r['load_crnn']:5.2f}  {b['name']} (real_time), {rate('crnn_gflops')}")
print(f"{'onnxruntime ' + ort['version']:24} {ort['median_ms']:9.3f} {ort['loadavg_1min']:5.2f}  median of {ort['iterations']}, "
      f"p90 {ort['p90_ms']:.3f}, shape {ort['shape']}, {rate('ort_gflops')}")
if full:
    print(f"{'crnn-ocr, all classes':24} {r['crnn_probabilities_ms']:9.3f} {r['load_crnn']:5.2f}  {full[0]['name']}: the full softmax, "
          f"as ONNX Runtime computes it (ratio {r['ratio_probabilities']:.3f})")
if peak_all:
    print(f"peak FP32 ({isa}, {threads} core(s), BM_PeakFlops): {peak_all:.1f} GFLOP/s; model: {r['gflop']:.3f} GFLOP")
print(f"ratio ORT/crnn = {r['ratio']:.3f}  (> 1 means crnn-ocr is faster)")
PY
