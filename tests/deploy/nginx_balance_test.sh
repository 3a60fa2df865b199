#!/usr/bin/env bash
# tools/deploy/nginx.conf for real on loopback: Debian's nginx in front of two crnn-ocr
# instances, each on its own free port. Sends N POST /ocr requests (two at a time) through
# nginx and reads each instance's GET /metrics. Fails when any request fails or either
# instance answered none of them.
#
#   tests/deploy/nginx_balance_test.sh BUILD_DIR [N]      (default 40 requests)
#
# BUILD_DIR's crnn-ocr needs its default models: the static build's embedded ones, or
# models/ beside it (tools/setup.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build=$1
requests=${2:-40}
image="$root/../shared/samples/Light-STR-Competition-No.5_doc_imgs_11.jpg"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "FAIL: nginx missing (Debian's nginx; tools/install_deps.sh)"; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() {  # port log
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health")" = 200 ] && return 0
    sleep 0.1
  done
  echo "FAIL: no instance ready on port $1:"; cat "$2"; exit 1
}

ports=()
for i in 1 2; do
  port=$(free_port)
  "$build/crnn-ocr" serve --host 127.0.0.1 --port "$port" --threads 1 2>"$work/instance$i.log" &
  pids+=($!)
  ports+=("$port")
done
front=$(free_port)

# The shipped configuration with this run's ports, inside a minimal main configuration that
# keeps nginx's files in $work (no root needed).
sed -e "s/127.0.0.1:5001/127.0.0.1:${ports[0]}/" -e "s/127.0.0.1:5002/127.0.0.1:${ports[1]}/" \
    -e "s/listen 8080;/listen 127.0.0.1:$front;/" "$root/tools/deploy/nginx.conf" >"$work/crnn-ocr.conf"
grep -q "127.0.0.1:${ports[1]}" "$work/crnn-ocr.conf" || { echo "FAIL: tools/deploy/nginx.conf no longer has the two example upstreams"; exit 1; }
cat >"$work/nginx.conf" <<CONF
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
worker_processes 2;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 256; }
http {
  access_log $work/access.log;
  client_body_temp_path $work/client_body;
  proxy_temp_path $work/proxy;
  fastcgi_temp_path $work/fastcgi;
  uwsgi_temp_path $work/uwsgi;
  scgi_temp_path $work/scgi;
  include $work/crnn-ocr.conf;
}
CONF
"$nginx" -t -q -e "$work/error.log" -p "$work" -c "$work/nginx.conf"
"$nginx" -e "$work/error.log" -p "$work" -c "$work/nginx.conf"

wait_ready "${ports[0]}" "$work/instance1.log"
wait_ready "${ports[1]}" "$work/instance2.log"

/usr/bin/python3 - "$front" "$requests" "$image" "${ports[@]}" <<'PY'
import concurrent.futures, json, re, sys, urllib.request
import requests as http

front, n, image, ports = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
data = open(image, "rb").read()

def one(i):
    r = http.post(f"http://127.0.0.1:{front}/ocr", files={"image": ("page.jpg", data, "image/jpeg")}, timeout=120)
    body = r.json()
    return r.status_code, body.get("success"), len(body.get("results", []))

with concurrent.futures.ThreadPoolExecutor(2) as pool:
    outcomes = list(pool.map(one, range(n)))
failed = [o for o in outcomes if o[0] != 200 or not o[1] or o[2] == 0]

served = []
for port in ports:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    served.append(sum(int(m.group(1)) for m in re.finditer(r'crnn_http_requests_total\{route="/ocr",status="200"\} (\d+)', text)))
print(f"{n} POST /ocr through nginx: {n - len(failed)} ok, {len(failed)} failed; "
      f"instance 1 (:{ports[0]}) served {served[0]}, instance 2 (:{ports[1]}) served {served[1]}")
ok = not failed and all(s > 0 for s in served) and sum(served) == n
if failed:
    print("FAIL: failed requests:", failed[:5])
if not all(s > 0 for s in served):
    print("FAIL: an instance got no requests")
elif sum(served) != n:
    print(f"FAIL: the instances counted {sum(served)} requests, not {n}")
sys.exit(0 if ok else 1)
PY
echo "PASS: nginx balanced POST /ocr over both instances"
