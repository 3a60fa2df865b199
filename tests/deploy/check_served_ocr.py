"""Checks a deployed crnn-ocr against the normal build (tests/deploy/*_test.sh).

    check_served_ocr.py BASE_URL IMAGE NORMAL_BUILD_DIR MODELS_DIR

Sends GET /health, GET / and a multipart POST /ocr of IMAGE to BASE_URL, and runs the normal
build's `crnn-ocr ocr --json` on the same image with the converted default models in
MODELS_DIR (the ones the static build embeds). Passes when /health reports the three default
models as embedded, GET / is the WebUI and the served lines equal the normal build's.
"""
import json
import subprocess
import sys

import requests

base, image, normal_build, models = sys.argv[1:5]
health = requests.get(f"{base}/health", timeout=60).json()
page = requests.get(f"{base}/", timeout=60).content.decode("utf-8")
with open(image, "rb") as f:
    served = requests.post(f"{base}/ocr", files={"image": f}, timeout=300).json()
normal = json.loads(subprocess.run(
    [f"{normal_build}/crnn-ocr", "ocr", "--json", "--threads", "2",
     "--rec-model", f"{models}/rec_ch_ppocr_mobile_v2.0.crnn", "--det-model", f"{models}/det_ch_PP-OCRv3.crnn",
     "--cls-model", f"{models}/cls_ch_ppocr_mobile_v2.0.crnn", image],
    check=True, capture_output=True, text=True).stdout)

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
