#!/usr/bin/env bash
# Throughput of `crnn-ocr serve` on loopback, measured with wrk (Debian package `wrk`, installed
# here if missing): requests per second and p50/p99 latency for 1 and 8 concurrent clients, on
#   line   a 362x78 text line, detect=false (raw JPEG body)
#   photo  an 800x533 photo of a sign, detection + classification + recognition
#   12mp   the same photo scaled to 4000x3000 (made here with python3-opencv, not kept)
# and the server's peak resident memory (VmHWM) after each scenario. Prints a Markdown table.
#
#   bench/server_load.sh                 # 15 s per run
#   CRNN_BENCH_SECONDS=30 CRNN_SERVE_ARGS="--max-inflight 1" bench/server_load.sh
#
# Client and server share the machine: on a small box wrk's own CPU use lowers the numbers.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${CRNN_BUILD_DIR:-$root/build}"
shared="${CRNN_SHARED:-$root/../shared}"
seconds="${CRNN_BENCH_SECONDS:-15}"
serve_args="${CRNN_SERVE_ARGS:-}"

if ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

models="$shared/models"
"$build/crnn-convert" "$models/rec/ch_ppocr_mobile_v2.0/rec.onnx" --name ch_ppocr_mobile_v2.0 \
  --dict "$models/rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt" -o "$work/rec.crnn" >/dev/null
"$build/crnn-convert" "$models/det/ch_PP-OCRv3/det.onnx" --name ch_PP-OCRv3 -o "$work/det.crnn" >/dev/null
"$build/crnn-convert" "$models/cls/ch_ppocr_mobile_v2.0/cls.onnx" --name ch_ppocr_mobile_v2.0 -o "$work/cls.crnn" >/dev/null

cp "$shared/samples/Light-STR-Competition-No.5_doc_imgs_words_ch_word_1.jpg" "$work/line.jpg"
cp "$shared/samples/PaddleOCR-ONNX-Sample_sample.jpg" "$work/photo.jpg"
/usr/bin/python3 - "$work/photo.jpg" "$work/12mp.jpg" <<'EOF'
import sys, cv2
image = cv2.imread(sys.argv[1])
cv2.imwrite(sys.argv[2], cv2.resize(image, (4000, 3000), interpolation=cv2.INTER_CUBIC), [cv2.IMWRITE_JPEG_QUALITY, 90])
EOF

# wrk posts the file named by $CRNN_BENCH_IMAGE as a raw body.
cat > "$work/post_image.lua" <<'EOF'
local file = assert(io.open(os.getenv("CRNN_BENCH_IMAGE"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/octet-stream"
EOF

# shellcheck disable=SC2086
"$build/crnn-ocr" serve --port 0 --rec-model "$work/rec.crnn" --det-model "$work/det.crnn" \
  --cls-model "$work/cls.crnn" $serve_args >/dev/null 2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 1 600); do
  if grep -q '"event":"ready"' "$work/server.log"; then
    port="$(grep -o '"port":[0-9]*' "$work/server.log" | head -1 | cut -d: -f2)"
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log" >&2; exit 1; }
health="$(curl -s "http://127.0.0.1:$port/health")"

peak_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status"; }

# wrk's latency lines look like "     50%   12.34ms"; convert to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; unit = v; sub(/^[0-9.]+/, "", unit)
    if (unit == "us") n /= 1000; else if (unit == "s") n *= 1000; else if (unit == "m") n *= 60000
    printf "%.1f", n }'
}

echo "crnn-ocr serve on 127.0.0.1:$port, $(nproc) cores, ${seconds}s per run, args: ${serve_args:-(defaults)}"
echo "health: $health"
echo
echo "| image | query | clients | requests/s | p50 ms | p99 ms | non-200 | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
for scenario in "line:?detect=false" "photo:" "12mp:"; do
  name="${scenario%%:*}"
  query="${scenario#*:}"
  for clients in 1 8; do
    threads=$([ "$clients" -gt 1 ] && echo 2 || echo 1)
    out="$(CRNN_BENCH_IMAGE="$work/$name.jpg" wrk -t"$threads" -c"$clients" -d"${seconds}s" --timeout 60s --latency \
      -s "$work/post_image.lua" "http://127.0.0.1:$port/ocr$query")"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
    bad="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")"
    errors="$(awk '/Socket errors:/ { print $0 }' <<<"$out")"
    echo "| $name | ${query:-(default)} | $clients | $rps | $p50 | $p99 | ${bad:-0}${errors:+ ($errors)} | $(peak_mb) |"
  done
done

kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
