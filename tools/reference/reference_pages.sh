#!/usr/bin/env bash
# Reference page OCR: PaddleOCR 2.x's predict_system pipeline (det + angle cls + rec, default
# arguments) with ONNX Runtime as the engine. Python does the image work (paddle_pipeline.py); one
# long-lived node worker (ort_run.js --serve) holds the three sessions for all images.
#   tools/reference/reference_pages.sh [--det DIR] [--rec DIR] [--cls DIR] [--no-cls] [--threads N]
#                                      [--warmup K] [--timings] IMAGE...
# Defaults: det ch_PP-OCRv3, cls ch_ppocr_mobile_v2.0, rec ch_ppocr_mobile_v2.0 (../shared/models).
# Prints one JSON object per image, in the order given:
#   {"image": "<path as given>", "success": true, "results": [{"text": "...", "confidence": 0.97,
#    "box": [[x,y],[x,y],[x,y],[x,y]]}, ...], "elapsed_ms": 123.4}
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models="$here/../../../shared/models"
det="$models/det/ch_PP-OCRv3"
cls="$models/cls/ch_ppocr_mobile_v2.0"
rec="$models/rec/ch_ppocr_mobile_v2.0"
threads=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --det) det="$2"; shift 2 ;;
    --cls) cls="$2"; shift 2 ;;
    --rec) rec="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --warmup) extra+=(--warmup "$2"); shift 2 ;;
    --no-cls|--timings) extra+=("$1"); shift ;;
    --) shift; break ;;
    -*) echo "reference_pages: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--det DIR] [--rec DIR] [--cls DIR] [--no-cls] [--threads N] IMAGE..." >&2; exit 2; }
for f in "$det/det.onnx" "$cls/cls.onnx" "$rec/rec.onnx"; do
  [ -f "$f" ] || { echo "reference_pages: no $f" >&2; exit 1; }
done
dict=$(ls "$rec"/*.txt | grep -v '/SOURCE.txt$' | head -n 1)
[ -n "$dict" ] || { echo "reference_pages: no dictionary in $rec" >&2; exit 1; }
"$here/ensure_ort.sh"
exec /usr/bin/python3 "$here/paddle_pipeline.py" --det "$det/det.onnx" --cls "$cls/cls.onnx" \
  --rec "$rec/rec.onnx" --dict "$dict" --threads "$threads" ${extra[@]+"${extra[@]}"} -- "$@"
