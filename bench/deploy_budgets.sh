#!/usr/bin/env bash
# Deployment budgets of the static crnn-ocr with its embedded default models: binary size
# (as built and stripped), time from exec to ready (exec until GET /health first answers 200:
# models loaded from the binary and warmed up), and resident memory once idle. Each start is a
# fresh process on a free loopback port; the median of N starts is reported.
#
#   bench/deploy_budgets.sh [STATIC_BUILD_DIR] [N]      (default build-static, 15 starts)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build-static}"
runs="${2:-15}"
binary="$build/crnn-ocr"
file "$binary" | grep -q "statically linked" || { echo "$binary is not a static build (cmake --preset static)"; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$binary" "$work/crnn-ocr"  # alone: no models/ beside it, so the embedded models are used
strip -o "$work/crnn-ocr.stripped" "$binary"

/usr/bin/python3 - "$work/crnn-ocr" "$runs" "$binary" "$work/crnn-ocr.stripped" <<'PY'
import http.client, json, os, statistics, subprocess, sys, time

binary, runs, built, stripped = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def health(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/health")
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, body
    except OSError:
        return None, b""

def cpu_ms(pid):  # user + system CPU time the process has used so far
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def events(log_path):
    with open(log_path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]

def wait_event(log_path, name, p):
    while True:
        for e in events(log_path):
            if e.get("event") == name:
                return e
        if p.poll() is not None:
            sys.exit(f"crnn-ocr exited before '{name}'")
        time.sleep(0.0005)

# The log goes to a file, never a pipe: a pipe nobody reads while /health is polled fills up
# and blocks the server's logging.
log_path = binary + ".log"
ready_ms, ready_cpu_ms, idle_rss, load_ms, sources, isa = [], [], [], [], None, None
for _ in range(runs):
    with open(log_path, "w") as log:
        start = time.perf_counter()
        p = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", "0"],
                             stderr=log, stdout=subprocess.DEVNULL)
    listening = wait_event(log_path, "listening", p)  # the port opens at once, before loading
    port, isa = listening["port"], listening.get("isa")
    while True:
        status, body = health(port)
        if status == 200:
            break
        time.sleep(0.001)
    ready_ms.append((time.perf_counter() - start) * 1000)
    ready_cpu_ms.append(cpu_ms(p.pid))
    info = json.loads(body)
    sources = {k: v["source"] for k, v in info["models"].items() if v}
    load_ms.append(wait_event(log_path, "ready", p)["load_ms"])
    time.sleep(1.0)
    idle_rss.append(rss_kb(p.pid))
    p.terminate()
    p.wait(timeout=10)

med = statistics.median
print(f"static crnn-ocr, {runs} starts, isa {isa}, models {sources}, load average {os.getloadavg()[0]:.2f}")
print()
print("| budget | target | measured |")
print("|---|---|---|")
print(f"| binary size with the embedded default models | < 20 MB | {os.path.getsize(built) / 1e6:.1f} MB as built, {os.path.getsize(stripped) / 1e6:.1f} MB stripped |")
print(f"| exec to ready (GET /health 200), median | < 150 ms | {med(ready_ms):.0f} ms (min {min(ready_ms):.0f}, max {max(ready_ms):.0f}; loading + warm-up alone {med(load_ms):.0f} ms) |")
print(f"| CPU time from exec to ready (all threads), median | - | {med(ready_cpu_ms):.0f} ms |")
print(f"| idle RSS 1 s after ready, median | - | {med(idle_rss) / 1024:.1f} MiB |")
PY
