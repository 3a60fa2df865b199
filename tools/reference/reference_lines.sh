#!/usr/bin/env bash
# Reference text-line recognition: PaddleOCR's preprocessing, ONNX Runtime, greedy CTC decoding.
#   tools/reference/reference_lines.sh [--model DIR] [--threads N] IMAGE...
# DIR holds rec.onnx and one dictionary *.txt (default: ../shared/models/rec/ch_ppocr_mobile_v2.0).
# Prints one JSON object per image, in the order given:
#   {"image": "<path as given>", "success": true, "results": [{"text": "...", "confidence": 0.97}]}
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="$here/../../../shared/models/rec/ch_ppocr_mobile_v2.0"
threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "reference_lines: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--model DIR] [--threads N] IMAGE..." >&2; exit 2; }
[ -f "$model/rec.onnx" ] || { echo "reference_lines: no $model/rec.onnx" >&2; exit 1; }
dict=$(ls "$model"/*.txt | grep -v '/SOURCE.txt$' | head -n 1)
[ -n "$dict" ] || { echo "reference_lines: no dictionary in $model" >&2; exit 1; }
"$here/ensure_ort.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/rec_preprocess.py" "$tmp" "$@"
node "$here/ort_run.js" --model "$model/rec.onnx" --manifest "$tmp/manifest.jsonl" --threads "$threads" --dict "$dict"
