#!/usr/bin/env bash
# Whole-page throughput of `crnn-ocr serve` for 1, 2 and 4 concurrent clients on loopback.
#   bench/page_throughput.sh [--clients "1 2 4"] [--seconds S] [--build DIR] [--json] [-- SERVE-ARGS...]
# The server runs with its default thread budget (or SERVE-ARGS) on the default models (det
# ch_PP-OCRv3, cls and rec ch_ppocr_mobile_v2.0), converted here with DIR/crnn-convert. Each client posts the 30 evaluation pages and 11 sample photos
# (multipart field `image`, as users do), one after another, starting at a different page, for S
# seconds (default 20); a request counts when its answer has arrived. Prints pages/s, per-request
# p50/p95 latency and the server's peak resident memory (VmHWM) after all runs; --json prints
# one JSON line per client count and a last line with the memory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build" clients="1 2 4" seconds=20 json=0
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --json) json=1; shift ;;
    --) shift; break ;;
    *) echo "page_throughput: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$build/crnn-ocr" ] || { echo "page_throughput: $build/crnn-ocr not found; build it first" >&2; exit 1; }
shared="$root/../shared"
work=$(mktemp -d)
server=""
trap '[ -z "$server" ] || { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }; rm -rf "$work"' EXIT
models="$shared/models"
"$build/crnn-convert" "$models/rec/ch_ppocr_mobile_v2.0/rec.onnx" --name ch_ppocr_mobile_v2.0 \
  --dict "$models/rec/ch_ppocr_mobile_v2.0/ppocr_keys_v1.txt" -o "$work/rec.crnn" >/dev/null
"$build/crnn-convert" "$models/det/ch_PP-OCRv3/det.onnx" --name ch_PP-OCRv3 -o "$work/det.crnn" >/dev/null
"$build/crnn-convert" "$models/cls/ch_ppocr_mobile_v2.0/cls.onnx" --name ch_ppocr_mobile_v2.0 -o "$work/cls.crnn" >/dev/null
port=$((20000 + RANDOM % 20000))
log="$work/server.log"
"$build/crnn-ocr" serve --host 127.0.0.1 --port "$port" --rec-model "$work/rec.crnn" --det-model "$work/det.crnn" \
  --cls-model "$work/cls.crnn" "$@" >"$log" 2>&1 &
server=$!
/usr/bin/python3 - "$port" "$server" "$shared" "$seconds" "$json" "$log" $clients <<'PY'
import glob, http.client, json, math, os, sys, threading, time, uuid

port, server_pid, shared, seconds, as_json, log = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5] == "1", sys.argv[6]
counts = [int(x) for x in sys.argv[7:]]
pages = sorted(glob.glob(os.path.join(shared, "eval", "pages", "*", "images", "*")) + glob.glob(os.path.join(shared, "samples", "*.jpg")))
if not pages:
    sys.exit("page_throughput: no pages under " + shared)
bodies = []
for p in pages:
    boundary = uuid.uuid4().hex
    data = open(p, "rb").read()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{os.path.basename(p)}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    bodies.append((boundary, body))

deadline = time.time() + 30
while True:  # the server loads its models first; /health answers 200 when it is ready
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/health")
        if c.getresponse().status == 200:
            break
    except OSError:
        pass
    if time.time() > deadline:
        sys.exit("page_throughput: the server did not become ready:\n" + open(log).read()[-2000:])
    time.sleep(0.05)

def post(conn, i):
    boundary, body = bodies[i % len(bodies)]
    conn.request("POST", "/ocr", body=body, headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    r = conn.getresponse()
    payload = r.read()
    if r.status != 200 or not json.loads(payload).get("success"):
        raise RuntimeError(f"page {i % len(bodies)}: HTTP {r.status} {payload[:200]!r}")

def run(n):
    stop, lat, errors = time.time() + seconds, [], []
    def client(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        i = k * len(bodies) // n
        post(conn, i)  # warm the connection and the server's sessions, untimed
        while time.time() < stop:
            t0 = time.perf_counter()
            try:
                post(conn, i)
            except Exception as e:
                errors.append(str(e)); return
            lat.append((time.perf_counter() - t0) * 1e3)
            i += 1
    threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
    t0 = time.time()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.time() - t0
    if errors:
        sys.exit("page_throughput: " + errors[0])
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, max(0, math.ceil(p * len(lat) - 1e-9) - 1))]
    return {"clients": n, "pages": len(lat), "seconds": round(elapsed, 2), "pages_per_s": round(len(lat) / elapsed, 2),
            "p50_ms": round(q(0.5), 1), "p95_ms": round(q(0.95), 1), "load": float(open("/proc/loadavg").read().split()[0])}

results = [run(n) for n in counts]
status = open(f"/proc/{server_pid}/status").read()
hwm_mb = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]) / 1024
ready = next((json.loads(l) for l in open(log) if '"ready"' in l), {})
if as_json:
    for r in results: print(json.dumps(r))
    print(json.dumps({"server_peak_rss_mb": round(hwm_mb, 1), "server_threads": ready.get("threads")}))
else:
    print(f"{'clients':>7} {'pages/s':>8} {'p50_ms':>8} {'p95_ms':>8} {'pages':>6} {'load':>5}")
    for r in results:
        print(f"{r['clients']:7d} {r['pages_per_s']:8.2f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['pages']:6d} {r['load']:5.2f}")
    print(f"server peak RSS (VmHWM): {hwm_mb:.0f} MB; server log: threads {ready.get('threads')}")
PY
