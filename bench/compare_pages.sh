#!/usr/bin/env bash
# crnn-ocr vs the ONNX Runtime reference pipeline on whole pages, same images and thread count, in one run.
#   bench/compare_pages.sh [--threads N] [--repeat K] [--build DIR] [--json]
# Defaults: 1 thread, 1 pass over the pages, build/. --json prints one JSON line (both engines'
# p50/p95/mean and per-stage medians) instead of the table.
# Pages: ../shared/eval/pages/*/images/* and ../shared/samples/*.jpg, sorted (the list
# bench/page_bench.cpp reads). crnn-ocr: BM_Pages/threads:N of DIR/crnn_bench (decode + OcrEngine::read
# per page, K passes via CRNN_PAGE_PASSES). ONNX Runtime: bench/ort_page_bench.sh --repeat K (cv2.imread
# + PaddleOCR's predict_system per page). Both exclude start-up and model loading and read the first page
# once untimed. Per-page p50/p95 are nearest-rank over all timed pages;
# ratio = ORT / crnn (> 1: crnn-ocr faster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads=1 repeat=1 build="$root/build" json=0
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --json) json=1; shift ;;
    *) echo "compare_pages: unknown argument $1" >&2; exit 2 ;;
  esac
done
bench="$build/crnn_bench"
[ -x "$bench" ] || { echo "compare_pages: $bench not found; build the crnn_bench target first" >&2; exit 1; }
shared="$root/../shared"
mapfile -t pages < <(/usr/bin/python3 - "$shared" <<'PY'
import glob, os, sys
s = sys.argv[1]
files = [f for f in glob.glob(os.path.join(s, "eval", "pages", "*", "images", "*")) + glob.glob(os.path.join(s, "samples", "*.jpg"))
         if os.path.isfile(f)]
print("\n".join(sorted(files)))
PY
)
[ "${#pages[@]}" -gt 0 ] || { echo "compare_pages: no pages under $shared" >&2; exit 1; }
"$root/tools/reference/ensure_ort.sh" >&2

filter="BM_Pages/threads:$threads/"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$root" && CRNN_PAGE_PASSES="$repeat" "$bench" --benchmark_filter="$filter" --benchmark_format=json) \
    >"$tmp/crnn.json" 2>"$tmp/crnn.err"; then
  echo "compare_pages: crnn_bench failed:" >&2; tail -n 20 "$tmp/crnn.err" >&2; exit 1
fi
crnn_load=$(cut -d' ' -f1 /proc/loadavg)
"$root/bench/ort_page_bench.sh" --threads "$threads" --repeat "$repeat" "${pages[@]}" >"$tmp/ort.json"
/usr/bin/python3 - "$tmp/crnn.json" "$tmp/ort.json" "$filter" "$crnn_load" "${#pages[@]}" "$json" <<'PY'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit(f"compare_pages: crnn_bench printed no valid JSON ({e})")
b = [x for x in d.get("benchmarks") or [] if x.get("error_occurred") is not True]
if not b:
    sys.exit(f"compare_pages: crnn_bench has no successful benchmark matching {sys.argv[3]}")
c = b[0]
ort = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
pages = int(sys.argv[5])
if sys.argv[6] == "1":
    stages = ("decode", "detect", "crop", "classify", "recognize")
    print(json.dumps({
        "threads": int(c["name"].split("threads:")[1].split("/")[0]), "pages": int(c["pages"]),
        "crnn": {k: round(c[k], 3) for k in ("p50_ms", "p95_ms", "mean_ms")} | {"load": float(sys.argv[4]),
                 "stage_median_ms": {k: round(c[k + "_med_ms"], 3) for k in stages}},
        "ort": {k: ort[k] for k in ("p50_ms", "p95_ms", "mean_ms", "version", "pipeline", "stage_median_ms")}
               | {"load": ort["loadavg_1min"], "pages": ort["pages"]}}))
    sys.exit(0)
print(f"{'engine':24} {'p50_ms':>9} {'p95_ms':>9} {'mean_ms':>9} {'pages':>6} {'load':>5}  detail")
print(f"{'crnn-ocr':24} {c['p50_ms']:9.2f} {c['p95_ms']:9.2f} {c['mean_ms']:9.2f} {int(c['pages']):6d} {float(sys.argv[4]):5.2f}  "
      f"{c['name']}; read alone p50 {c['read_p50_ms']:.2f} p95 {c['read_p95_ms']:.2f}; {int(c['lines'])} lines/pass")
print(f"{'onnxruntime ' + ort['version']:24} {ort['p50_ms']:9.2f} {ort['p95_ms']:9.2f} {ort['mean_ms']:9.2f} {ort['pages']:6d} "
      f"{ort['loadavg_1min']:5.2f}  {ort['pipeline']}, threads {ort['threads']}, failed {ort['failed']}, "
      f"decode median {ort['stage_median_ms'].get('decode', float('nan')):.2f}")
if int(c["pages"]) != ort["pages"]:
    print(f"warning: crnn-ocr timed {int(c['pages'])} pages, ONNX Runtime {ort['pages']} (of {pages} files)")
for k in ("p50_ms", "p95_ms", "mean_ms"):
    print(f"ratio ORT/crnn {k[:-3]:4} = {ort[k] / c[k]:.3f}", end="   ")
print(" (> 1 means crnn-ocr is faster)")
PY
