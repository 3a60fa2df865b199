#!/usr/bin/env bash
# Installs onnxruntime-node (pinned in package-lock.json) into tools/reference/node_modules if it is
# missing. --ignore-scripts: the package ships libonnxruntime for linux x64 and needs no install step.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -f "$here/node_modules/onnxruntime-node/package.json" ]; then
  command -v npm >/dev/null || { echo "ensure_ort: npm not found (needs node >= 16 and npm)" >&2; exit 1; }
  # flock: two tools started at once must not run npm ci into the same folder together.
  ( flock 9
    if [ ! -f "$here/node_modules/onnxruntime-node/package.json" ]; then
      echo "ensure_ort: installing onnxruntime-node into $here/node_modules" >&2
      (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund >&2)
    fi
  ) 9>"${TMPDIR:-/tmp}/crnn-ocr-ensure-ort.$(id -u).lock"
fi
