#!/usr/bin/env bash
# One command for bench/RESULTS.md and bench/results_latency.svg: builds the Release tree, runs every
# side-by-side comparison with ONNX Runtime, the server throughput, memory and kernel benchmarks (and,
# when available, the OpenCV image-op comparison and the static build's deployment budgets), then
# renders the results file and the per-stage latency chart (bench/results_report.py).
#   bench/regenerate_results.sh [--build DIR] [--quick]
# --quick: fewer iterations and shorter throughput runs (for checking the script, not for the record).
# Takes about 15 minutes on 2 cores. Run it on an otherwise idle machine: every figure carries the
# load average it was taken at.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build" quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "regenerate_results: unknown argument $1" >&2; exit 2 ;;
  esac
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
step() { echo "== $*" >&2; }

step "build ($build)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target crnn_bench crnn-ocr crnn-convert >/dev/null
"$root/tools/reference/ensure_ort.sh" >&2

/usr/bin/python3 - "$build" "$root" >"$out/machine.json" <<'PY'
import json, os, platform, subprocess, sys, datetime
build, root = sys.argv[1:3]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
osr = dict(l.rstrip().split("=", 1) for l in open("/etc/os-release") if "=" in l)
run = lambda *a: subprocess.run(a, capture_output=True, text=True, cwd=root).stdout.strip()
ort = json.load(open(os.path.join(root, "tools/reference/node_modules/onnxruntime-node/package.json")))["version"]
print(json.dumps({"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 2**20), "os": osr.get("PRETTY_NAME", "").strip('"'),
                  "compiler": run("c++", "--version").splitlines()[0], "isa": run(os.path.join(build, "crnn-ocr"), "--version"),
                  "commit": run("git", "rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if run("git", "status", "--porcelain", "--untracked-files=no") else ""),
                  "date": datetime.date.today().isoformat(), "ort_version": ort}))
PY

iters=()
[ "$quick" -eq 1 ] && iters=(--iterations 10)
for kind in rec det; do
  for t in 1 2; do
    step "model $kind, $t thread(s)"
    "$root/bench/compare_model.sh" --kind "$kind" --threads "$t" --build "$build" --json ${iters[@]+"${iters[@]}"} >>"$out/models.jsonl"
  done
done
if "$build/crnn_bench" --benchmark_list_tests | grep -q '^BM_Int8Model/'; then
  for kind in rec det; do
    for t in 1 2; do
      step "model $kind in int8, $t thread(s)"
      "$root/bench/compare_model.sh" --kind "$kind" --threads "$t" --int8 --build "$build" --json ${iters[@]+"${iters[@]}"} >>"$out/int8.jsonl"
    done
  done
fi
for t in 1 2; do
  step "pages, $t thread(s)"
  "$root/bench/compare_pages.sh" --threads "$t" --build "$build" --json >>"$out/pages.jsonl"
done
step "server throughput, 1 2 4 concurrent requests"
secs=30; [ "$quick" -eq 1 ] && secs=5
"$root/bench/page_throughput.sh" --build "$build" --seconds "$secs" --json >"$out/throughput.jsonl"

step "peak memory of one page"
OUT="$out" /usr/bin/python3 - "$build" "$root/../shared/samples" >"$out/one_page_rss.json" <<'PY'
import glob, json, os, resource, struct, subprocess, sys
build, samples = sys.argv[1:3]
def pixels(path):  # the largest sample photo by pixel count (JPEG SOF marker)
    d = open(path, "rb").read(); i = 2
    while i < len(d):
        seg, ln = d[i + 1], struct.unpack(">H", d[i + 2:i + 4])[0]
        if seg in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", d[i + 5:i + 9]); return w * h, f"{w}x{h}"
        i += 2 + ln
    return 0, "?"
photo = max(glob.glob(os.path.join(samples, "*.jpg")), key=lambda p: pixels(p)[0])
models = os.path.join(os.path.dirname(samples), "models")
tmp = os.environ["OUT"]
for kind, name, extra in (("rec", "ch_ppocr_mobile_v2.0", ["--dict", os.path.join(models, "rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt")]),
                          ("det", "ch_PP-OCRv3", []), ("cls", "ch_ppocr_mobile_v2.0", [])):
    subprocess.run([os.path.join(build, "crnn-convert"), os.path.join(models, kind, name, kind + ".onnx"), "--name", name, *extra,
                    "-o", os.path.join(tmp, kind + ".crnn")], check=True, stdout=subprocess.DEVNULL)
# A fresh Python measures its only child, so the converter runs above do not count.
measure = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); " \
          "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
peak_kb = int(subprocess.run([sys.executable, "-c", measure, os.path.join(build, "crnn-ocr"), "ocr",
                              "--rec-model", os.path.join(tmp, "rec.crnn"), "--det-model", os.path.join(tmp, "det.crnn"),
                              "--cls-model", os.path.join(tmp, "cls.crnn"), photo], check=True, capture_output=True, text=True).stdout)
print(json.dumps({"image": os.path.basename(photo), "pixels": pixels(photo)[1], "peak_rss_mb": round(peak_kb / 1024, 1)}))
PY

step "kernels"
(cd "$root" && "$build/crnn_bench" --benchmark_format=json \
  --benchmark_filter='BM_PeakFlops|BM_Gemm/[a-z0-9]+/(80x96x6625|320x96x288|36480x96x24)$|BM_DepthwiseConv|BM_PlanarConv|BM_ArgmaxSoftmaxRows' \
  ${iters:+--benchmark_min_time=0.05}) | /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["benchmarks"]))' >"$out/kernels.json"

if dpkg-query -W -f='${Status}' libopencv-dev 2>/dev/null | grep -q "install ok installed"; then
  step "image operations against OpenCV"
  cmake -S "$root" -B "$root/build-cv" -DCMAKE_BUILD_TYPE=Release -DCRNN_BENCH_OPENCV=ON >/dev/null
  cmake --build "$root/build-cv" -j"$(nproc)" --target crnn_bench_opencv >/dev/null
  (cd "$root" && "$root/build-cv/crnn_bench_opencv" --benchmark_format=json) \
    | /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["benchmarks"]))' >"$out/opencv.json"
else
  echo "libopencv-dev is not installed: the OpenCV comparison is left out" >&2
fi
if [ -x "$root/bench/deploy_budgets.sh" ] && [ -x "$root/build-static/crnn-ocr" ]; then
  step "deployment budgets (build-static)"
  "$root/bench/deploy_budgets.sh" "$root/build-static" >"$out/deploy.md"
fi

/usr/bin/python3 "$root/bench/results_report.py" "$out" "$root/bench/RESULTS.md" "$root/bench/results_latency.svg"
echo "wrote bench/RESULTS.md and bench/results_latency.svg" >&2
