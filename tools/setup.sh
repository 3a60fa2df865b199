#!/usr/bin/env bash
# Sets up crnn-ocr on a fresh Debian machine: installs the build dependencies, builds
# everything into build/, and converts the pretrained models of ../shared/models into
# build/models/ (where build/crnn-ocr finds its default models).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
models="${CRNN_SHARED_MODELS:-$root/../shared/models}"
"$root/tools/install_deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j"$(nproc)"
mkdir -p "$root/build/models"
convert() {  # kind name extra-args...
  local kind=$1 name=$2; shift 2
  local out="$root/build/models/${kind}_${name}.crnn"
  if [ ! -f "$out" ] || [ "$models/$kind/$name/$kind.onnx" -nt "$out" ] || [ "$root/build/crnn-convert" -nt "$out" ]; then
    "$root/build/crnn-convert" "$models/$kind/$name/$kind.onnx" --name "$name" "$@" -o "$out" >/dev/null
  fi
  echo "  $out"
}
echo "models:"
convert rec ch_ppocr_mobile_v2.0 --dict "$models/rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt"
convert rec ch_PP-OCRv2 --dict "$models/rec/ch_PP-OCRv2/ppocr_keys_v1.txt"
convert rec en_number_mobile_v2.0 --dict "$models/rec/en_number_mobile_v2.0/en_dict.txt"
convert det ch_PP-OCRv3
convert det ch_ppocr_mobile_v2.0
convert cls ch_ppocr_mobile_v2.0
