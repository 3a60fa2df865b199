#!/usr/bin/env bash
# Regenerates tests/fixtures/rec: 20 input PNGs (height 32, widths 8..1200) and, for each
# recognizer, ONNX Runtime's output on each of them. Needs /work/shared (models, samples), node, npm.
#   tools/reference/make_rec_fixtures.sh [MODELS_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fix="$here/../../tests/fixtures/rec"
models_dir="${1:-$here/../../../shared/models/rec}"
models=(ch_ppocr_mobile_v2.0 ch_PP-OCRv2 en_number_mobile_v2.0)
"$here/ensure_ort.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$fix"
/usr/bin/python3 "$here/rec_fixtures.py" inputs "$fix" "$tmp" "${models[@]}"
for m in "${models[@]}"; do
  node "$here/ort_run.js" --model "$models_dir/$m/rec.onnx" --manifest "$tmp/$m.jsonl" --threads 1
  /usr/bin/python3 "$here/rec_fixtures.py" format "$fix" "$tmp" "$m"
done
for d in "$fix"/*/ "$fix"; do du -sb "$d"; done | sed "s/^/size (bytes): /"
