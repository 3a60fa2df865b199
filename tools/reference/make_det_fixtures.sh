#!/usr/bin/env bash
# Regenerates tests/fixtures/det (4 input PNGs and, per detector, ONNX Runtime's probability maps as
# 16-bit PNGs) and tests/fixtures/cls (10 crops, their 48-high model inputs and ONNX Runtime's
# probabilities). Needs /work/shared (models, samples), node and npm. See the READMEs there.
#   tools/reference/make_det_fixtures.sh [MODELS_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fix="$here/../../tests/fixtures"
models_dir="${1:-$here/../../../shared/models}"
"$here/ensure_ort.sh"
/usr/bin/python3 "$here/det_fixtures.py" "$fix" "$models_dir"
for d in "$fix/det"/*/ "$fix/det" "$fix/cls"; do du -sb "$d"; done | sed "s/^/size (bytes): /"
