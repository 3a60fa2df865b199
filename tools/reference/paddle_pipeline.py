#!/usr/bin/env python3
"""PaddleOCR's page pipeline (det + cls + rec) with ONNX Runtime as the engine.

  paddle_pipeline.py --det det.onnx --cls cls.onnx --rec rec.onnx --dict keys.txt [--threads N]
                     [--no-cls] [--warmup K] [--timings] IMAGE...

Prints one JSON object per image, in the order given:
  {"image": path, "success": true, "results": [{"text", "confidence", "box": [[x,y] x4]}], "elapsed_ms"}
Boxes are in original-image pixels, in reading order. elapsed_ms covers decoding the image through the
last result (model loading excluded). --timings adds a per-stage breakdown ("timings", milliseconds;
"*_run" is time inside ONNX Runtime's session.run as the worker measures it). --warmup K runs the first
image K extra times, unreported, before the others.

Semantics follow PaddleOCR 2.x tools/infer/predict_system.py with its default arguments (the 2.6+
forms of filter_tag_det_res's point ordering and sorted_boxes' insertion loop):
  det  DetResizeForTest(limit_side_len 960, limit_type 'max'), NormalizeImage, CHW; DBPostProcess
       (thresh 0.3, box_thresh 0.6, max_candidates 1000, unclip_ratio 1.5, no dilation, score_mode
       'fast', quad); filter_tag_det_res; sorted_boxes
  crop get_rotate_crop_image (perspective warp, INTER_CUBIC, BORDER_REPLICATE; rot90 if h/w >= 1.5)
  cls  batches of 6 over crops sorted by w/h; 3x48x192, (x/255-0.5)/0.5, zero right padding;
       '180' with score > 0.9 rotates the crop by 180 degrees
  rec  batches of 6 over crops sorted by w/h; height 32, batch width int(32*max(10, max w/h)),
       (x/255-0.5)/0.5, zero right padding; greedy CTC; results with confidence < 0.5 dropped
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import cv2
import numpy as np
import pyclipper
from shapely.geometry import Polygon

HERE = os.path.dirname(os.path.abspath(__file__))

DET_LIMIT_SIDE = 960
DET_MEAN = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 1, 3)
DET_STD = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 1, 3)
DB_THRESH, DB_BOX_THRESH, DB_MAX_CANDIDATES, DB_UNCLIP_RATIO, DB_MIN_SIZE = 0.3, 0.6, 1000, 1.5, 3
CLS_SHAPE, CLS_BATCH, CLS_THRESH = (3, 48, 192), 6, 0.9
REC_H, REC_W, REC_BATCH = 32, 320, 6
DROP_SCORE = 0.5


class OrtWorker:
    """ort_run.js --serve in a child process: one ONNX Runtime session per model, float32 over pipes."""

    def __init__(self, models, threads):
        cmd = ["node", os.path.join(HERE, "ort_run.js"), "--threads", str(threads)]
        for name, path in models.items():
            cmd += ["--serve", f"{name}={path}"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        ready = self.proc.stdout.readline()
        if not ready:
            raise RuntimeError("ort_run.js --serve exited before it was ready")
        self.load_ms = json.loads(ready)["load_ms"]
        self.run_ms = 0.0  # summed over calls; the caller resets it

    def run(self, model, x, reduce=None):
        """The model's output for x; reduce="argmax" gives [..., 2] (first argmax as float, max)."""
        x = np.ascontiguousarray(x, dtype="<f4")
        req = {"model": model, "dims": list(x.shape)}
        if reduce:
            req["reduce"] = reduce
        self.proc.stdin.write((json.dumps(req) + "\n").encode())
        self.proc.stdin.write(memoryview(x).cast("B"))
        self.proc.stdin.flush()
        head = self.proc.stdout.readline()
        if not head:
            raise RuntimeError("ort_run.js --serve exited")
        h = json.loads(head)
        if "error" in h:
            raise RuntimeError(f"{model}: {h['error']}")
        n = int(np.prod(h["dims"]))
        data = self.proc.stdout.read(4 * n)
        if len(data) != 4 * n:
            raise RuntimeError("ort_run.js --serve: short read")
        self.run_ms += h["run_ms"]
        self.classes = h.get("classes")
        return np.frombuffer(data, dtype="<f4").reshape(h["dims"])

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


# ---------------------------------------------------------------- detection

def det_resize(img):
    """DetResizeForTest, limit_type 'max': returns the resized image and (src_h, src_w)."""
    src_h, src_w = img.shape[:2]
    if src_h + src_w < 64:  # tiny images are first zero-padded to at least 32x32 (top-left aligned)
        pad = np.zeros((max(32, src_h), max(32, src_w), 3), np.uint8)
        pad[:src_h, :src_w] = img
        img = pad
    h, w = img.shape[:2]
    ratio = 1.0
    if max(h, w) > DET_LIMIT_SIDE:
        ratio = float(DET_LIMIT_SIDE) / (h if h > w else w)
    rh, rw = int(h * ratio), int(w * ratio)
    # Python's round(): halves go to the even multiple.
    rh = max(int(round(rh / 32) * 32), 32)
    rw = max(int(round(rw / 32) * 32), 32)
    return cv2.resize(img, (rw, rh)), (src_h, src_w)


def det_input(resized):
    """NormalizeImage on the BGR image (mean/std by channel index), HWC -> NCHW."""
    x = (resized.astype(np.float32) * np.float32(1.0 / 255.0) - DET_MEAN) / DET_STD
    return x.transpose((2, 0, 1))[np.newaxis]


def mini_box(contour):
    """get_mini_boxes: minAreaRect corners ordered tl, tr, br, bl-ish, and the short side."""
    rect = cv2.minAreaRect(contour)
    pts = sorted(list(cv2.boxPoints(rect)), key=lambda p: p[0])
    left = (pts[0], pts[1]) if pts[1][1] > pts[0][1] else (pts[1], pts[0])  # (top, bottom)
    right = (pts[2], pts[3]) if pts[3][1] > pts[2][1] else (pts[3], pts[2])
    return [left[0], right[0], right[1], left[1]], min(rect[1])


def box_score_fast(prob, box):
    """Mean probability inside the quad, rasterised within its integer bounding box."""
    h, w = prob.shape
    box = box.copy()
    x0 = int(np.clip(np.floor(box[:, 0].min()), 0, w - 1))
    x1 = int(np.clip(np.ceil(box[:, 0].max()), 0, w - 1))
    y0 = int(np.clip(np.floor(box[:, 1].min()), 0, h - 1))
    y1 = int(np.clip(np.ceil(box[:, 1].max()), 0, h - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
    box[:, 0] -= x0
    box[:, 1] -= y0
    cv2.fillPoly(mask, box.reshape(1, -1, 2).astype(np.int32), 1)
    return cv2.mean(prob[y0:y1 + 1, x0:x1 + 1], mask)[0]


def unclip(box):
    poly = Polygon(box)
    dist = poly.area * DB_UNCLIP_RATIO / poly.length
    off = pyclipper.PyclipperOffset()
    off.AddPath(box, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    return off.Execute(dist)


def db_boxes(prob, src_h, src_w):
    """DBPostProcess (quad) on one [H,W] map: int boxes in source-image pixels."""
    height, width = prob.shape
    # numpy compares float32 with the Python scalar in float32: the threshold is float32(0.3).
    bitmap = (prob > DB_THRESH).astype(np.uint8) * 255
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes = []
    for contour in contours[:DB_MAX_CANDIDATES]:
        pts, sside = mini_box(contour)
        if sside < DB_MIN_SIZE:
            continue
        pts = np.array(pts)
        if box_score_fast(prob, pts.reshape(-1, 2)) < DB_BOX_THRESH:
            continue
        expanded = unclip(pts)
        if len(expanded) != 1:  # the offset split into several polygons (or vanished): skipped
            continue
        box, sside = mini_box(np.array(expanded).reshape(-1, 1, 2))
        if sside < DB_MIN_SIZE + 2:
            continue
        box = np.array(box)
        box[:, 0] = np.clip(np.round(box[:, 0] / width * src_w), 0, src_w)
        box[:, 1] = np.clip(np.round(box[:, 1] / height * src_h), 0, src_h)
        boxes.append(box.astype(np.int32))
    return boxes


def order_clockwise(pts):
    """tl = min x+y, br = max x+y; of the other two, tr has the smaller y-x."""
    rect = np.zeros((4, 2), np.float32)
    s = pts.sum(axis=1)
    rect[0] = pts[np.argmin(s)]
    rect[2] = pts[np.argmax(s)]
    rest = np.delete(pts, (np.argmin(s), np.argmax(s)), axis=0)
    d = np.diff(np.array(rest), axis=1)
    rect[1] = rest[np.argmin(d)]
    rect[3] = rest[np.argmax(d)]
    return rect


def filter_boxes(boxes, img_h, img_w):
    """filter_tag_det_res: order, clip to the image, drop boxes with a side <= 3 pixels."""
    out = []
    for box in boxes:
        box = order_clockwise(box)
        for p in box:
            p[0] = int(min(max(p[0], 0), img_w - 1))
            p[1] = int(min(max(p[1], 0), img_h - 1))
        if int(np.linalg.norm(box[0] - box[1])) <= 3 or int(np.linalg.norm(box[0] - box[3])) <= 3:
            continue
        out.append(box)
    return out


def sort_boxes(boxes):
    """Top to bottom by the first point, then boxes whose tops differ by < 10 px go left to right."""
    b = sorted(boxes, key=lambda x: (x[0][1], x[0][0]))
    for i in range(len(b) - 1):
        for j in range(i, -1, -1):
            if abs(b[j + 1][0][1] - b[j][0][1]) < 10 and b[j + 1][0][0] < b[j][0][0]:
                b[j], b[j + 1] = b[j + 1], b[j]
            else:
                break
    return b


def rotate_crop(img, pts):
    """get_rotate_crop_image."""
    w = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    h = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    dst = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(pts, dst)
    crop = cv2.warpPerspective(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    if crop.shape[0] * 1.0 / crop.shape[1] >= 1.5:
        crop = np.rot90(crop)
    return crop


# ---------------------------------------------------------------- classification and recognition

def resize_norm(img, img_h, img_w):
    """Aspect-kept resize to height img_h (width ceil, capped at img_w), (x/255-0.5)/0.5, zero pad."""
    h, w = img.shape[:2]
    ratio = w / float(h)
    rw = img_w if math.ceil(img_h * ratio) > img_w else int(math.ceil(img_h * ratio))
    r = cv2.resize(img, (rw, img_h)).astype("float32")
    r = r.transpose((2, 0, 1)) / 255
    r -= 0.5
    r /= 0.5
    out = np.zeros((3, img_h, img_w), np.float32)
    out[:, :, 0:rw] = r
    return out


def wh_order(crops):
    return np.argsort(np.array([c.shape[1] / float(c.shape[0]) for c in crops]))


def classify(worker, crops):
    """Rotates (in the list) crops classified '180' with score > 0.9. Returns [(label, score)]."""
    order = wh_order(crops)
    res = [None] * len(crops)
    for b in range(0, len(crops), CLS_BATCH):
        idx = order[b:b + CLS_BATCH]
        x = np.stack([resize_norm(crops[i], CLS_SHAPE[1], CLS_SHAPE[2]) for i in idx])
        prob = worker.run("cls", x)
        for k, i in enumerate(idx):
            label = int(prob[k].argmax())
            score = float(prob[k][label])
            res[i] = (label, score)
            if label == 1 and score > CLS_THRESH:
                crops[i] = cv2.rotate(crops[i], cv2.ROTATE_180)
    return res


def load_charset(path):
    with open(path, "rb") as f:
        chars = [l.decode("utf-8").strip("\n").strip("\r\n") for l in f]
    return [""] + chars + [" "]  # blank, dictionary, use_space_char


def ctc_greedy(top, charset):
    """CTCLabelDecode on [T, 2] (argmax, max) rows: merge repeats, drop blanks; confidence = mean
    of the kept maxima."""
    idx = top[:, 0].astype(np.int64)
    best = top[:, 1]
    keep = np.ones(len(idx), bool)
    keep[1:] = idx[1:] != idx[:-1]
    keep &= idx != 0
    text = "".join(charset[i] for i in idx[keep])
    conf = best[keep] if keep.any() else np.zeros(1, np.float32)
    return text, float(np.mean(conf))


def recognize(worker, crops, charset):
    order = wh_order(crops)
    res = [None] * len(crops)
    for b in range(0, len(crops), REC_BATCH):
        idx = order[b:b + REC_BATCH]
        max_ratio = REC_W / REC_H
        for i in idx:
            h, w = crops[i].shape[:2]
            max_ratio = max(max_ratio, w * 1.0 / h)
        img_w = int(REC_H * max_ratio)
        x = np.stack([resize_norm(crops[i], REC_H, img_w) for i in idx])
        top = worker.run("rec", x, reduce="argmax")
        if worker.classes != len(charset):
            raise RuntimeError(f"rec model has {worker.classes} classes, dictionary gives {len(charset)}")
        for k, i in enumerate(idx):
            res[i] = ctc_greedy(top[k], charset)
    return res


# ---------------------------------------------------------------- page

def ocr_page(worker, img, charset, use_cls):
    t = {}
    w0 = worker.run_ms
    t0 = time.perf_counter()
    resized, (src_h, src_w) = det_resize(img)
    prob = worker.run("det", det_input(resized))[0, 0]
    t1 = time.perf_counter()
    t["det"], t["det_run"] = (t1 - t0) * 1e3, worker.run_ms - w0
    boxes = sort_boxes(filter_boxes(db_boxes(prob, src_h, src_w), img.shape[0], img.shape[1]))
    crops = [rotate_crop(img, b.copy()) for b in boxes]
    t2 = time.perf_counter()
    t["det_post_crop"] = (t2 - t1) * 1e3
    w1 = worker.run_ms
    if use_cls and crops:
        classify(worker, crops)
    t3 = time.perf_counter()
    t["cls"], t["cls_run"] = (t3 - t2) * 1e3, worker.run_ms - w1
    w2 = worker.run_ms
    rec = recognize(worker, crops, charset) if crops else []
    t["rec"], t["rec_run"] = (time.perf_counter() - t3) * 1e3, worker.run_ms - w2
    results = [{"text": text, "confidence": conf, "box": b.astype(np.int32).tolist()}
               for b, (text, conf) in zip(boxes, rec) if conf >= DROP_SCORE]
    return results, t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--det", required=True)
    ap.add_argument("--cls", required=True)
    ap.add_argument("--rec", required=True)
    ap.add_argument("--dict", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-cls", action="store_true")
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--timings", action="store_true")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    # OpenCV's own thread pool gets the same budget as ONNX Runtime.
    cv2.setNumThreads(a.threads)
    charset = load_charset(a.dict)
    models = {"det": a.det, "rec": a.rec}
    if not a.no_cls:
        models["cls"] = a.cls
    worker = OrtWorker(models, a.threads)
    out = sys.stdout
    first = True
    for path in a.images:
        t0 = time.perf_counter()
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        td = (time.perf_counter() - t0) * 1e3
        if img is None or img.size == 0:
            out.write(json.dumps({"image": path, "success": False, "error": "cannot read image",
                                  "results": []}, ensure_ascii=False) + "\n")
            out.flush()
            continue
        if first:
            for _ in range(a.warmup):
                ocr_page(worker, img, charset, not a.no_cls)
            first = False
            t0 = time.perf_counter() - td / 1e3
        results, t = ocr_page(worker, img, charset, not a.no_cls)
        rec = {"image": path, "success": True, "results": results,
               "elapsed_ms": round((time.perf_counter() - t0) * 1e3, 3)}
        if a.timings:
            t["decode"] = td
            rec["timings"] = {k: round(v, 3) for k, v in t.items()}
            rec["size"] = [img.shape[1], img.shape[0]]
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        out.flush()
    worker.close()


if __name__ == "__main__":
    main()
