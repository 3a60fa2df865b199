#!/usr/bin/env bash
# Times the ONNX Runtime reference page pipeline (tools/reference/reference_pages.sh: PaddleOCR's
# predict_system pre/post-processing in Python, det + cls + rec in one onnxruntime-node worker) per page.
#   bench/ort_page_bench.sh [--threads N] [--repeat K] [--det DIR] IMAGES...
# Each page's time runs from decoding the image to its last result, as the pipeline reports it
# (elapsed_ms); process start-up and model loading are excluded, and the first image is run once
# unreported before timing starts. --repeat K times every image K times (default 1). OpenCV in the
# Python process gets the same thread budget as ONNX Runtime.
# Prints one JSON line: p50/p95/mean per page (nearest rank) and the median of each stage, where
# "*_run" is time inside session.run and the rest of a stage is Python pre/post-processing plus the
# pipe to the worker; and the 1-minute load average at the end (times taken under load are not
# comparable).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
threads=1
repeat=1
opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --det) opts+=(--det "$2"); shift 2 ;;
    --) shift; break ;;
    -*) echo "ort_page_bench: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--threads N] [--repeat K] [--det DIR] IMAGES..." >&2; exit 2; }
imgs=()
for ((r = 0; r < repeat; r++)); do imgs+=("$@"); done
"$here/../tools/reference/reference_pages.sh" ${opts[@]+"${opts[@]}"} --threads "$threads" --warmup 1 --timings \
  -- "${imgs[@]}" | THREADS="$threads" /usr/bin/python3 -c '
import json, math, os, statistics, sys
recs = [json.loads(l) for l in sys.stdin if l.strip()]
ok = [r for r in recs if r.get("success")]
if not ok:
    sys.exit("ort_page_bench: no page succeeded")
t = sorted(r["elapsed_ms"] for r in ok)
q = lambda p: t[min(len(t) - 1, max(0, math.ceil(p * len(t) - 1e-9) - 1))]  # nearest rank
stages = {k: round(statistics.median(r["timings"][k] for r in ok), 3) for k in ok[0]["timings"]}
ver = json.load(open(os.path.join(sys.argv[1], "package.json")))["version"]
print(json.dumps({"engine": "onnxruntime", "version": ver, "pipeline": "paddleocr-predict_system",
                  "threads": int(os.environ["THREADS"]), "pages": len(ok), "failed": len(recs) - len(ok),
                  "p50_ms": round(q(0.5), 3), "p95_ms": round(q(0.95), 3),
                  "mean_ms": round(sum(t) / len(t), 3), "max_ms": round(t[-1], 3),
                  "stage_median_ms": stages,
                  "results_median": statistics.median(len(r["results"]) for r in ok),
                  "loadavg_1min": float(open("/proc/loadavg").read().split()[0])}))
' "$here/../tools/reference/node_modules/onnxruntime-node"
