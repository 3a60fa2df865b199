"""Checks what a deployed crnn-ocr served against the normal build (tests/deploy/*_test.sh).

    check_served_ocr.py WORK_DIR

WORK_DIR holds health.json (GET /health), index.html (GET /), served.json (POST /ocr) and
normal.json (the normal build's `crnn-ocr ocr --json` on the same image with the same
models). Passes when the three default models are the embedded ones, GET / is the WebUI and
the served lines equal the normal build's.
"""
import json
import sys

work = sys.argv[1]
health = json.load(open(f"{work}/health.json"))
served = json.load(open(f"{work}/served.json"))
normal = json.load(open(f"{work}/normal.json"))
page = open(f"{work}/index.html", encoding="utf-8").read()
failures = []
for kind in ("rec", "det", "cls"):
    if (health.get("models") or {}).get(kind, {}).get("source") != "embedded":
        failures.append(f"/health: {kind} model is not the embedded one: {health.get('models')}")
if "开始高精度识别" not in page:
    failures.append("GET / is not the WebUI page")
if not served.get("success"):
    failures.append(f"POST /ocr failed: {served}")
a = [r["text"] for r in served.get("results", [])]
b = [r["text"] for r in normal.get("results", [])]
if not b:
    failures.append("the normal build read no text")
if a != b:
    failures.append(f"texts differ:\n  served: {a}\n  normal: {b}")
print(f"isa {health.get('isa')} ({health.get('isa_note')}); {len(a)} lines; first: {a[:3]}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
