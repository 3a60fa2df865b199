#!/usr/bin/env python3
"""Builds the detector and direction-classifier test fixtures (driven by make_det_fixtures.sh).

  det_fixtures.py FIXDIR MODELS_DIR     writes FIXDIR/det/** and FIXDIR/cls/**

Sources are the Apache-2.0 sample images in /work/shared/samples (PaddleOCR's doc/imgs via the
Light-STR-Competition-No.5 snapshot, and PaddleOCR-ONNX-Sample's sample.jpg); the evaluation sets and
the GPL chineseocr_lite images are not used. Every crop, resize and quad below is fixed, so only the
ONNX Runtime outputs depend on the engine (onnxruntime-node from package.json, 1 thread).
"""
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import paddle_pipeline as pp  # noqa: E402

SAMPLES = "/work/shared/samples"
DOC11 = "Light-STR-Competition-No.5_doc_imgs_11.jpg"        # 500x500 product sheet
DOC12 = "Light-STR-Competition-No.5_doc_imgs_12.jpg"        # 720x1150 street sign photo
TABLE = "Light-STR-Competition-No.5_doc_imgs_00018069.jpg"  # 430x267 lab table
SIGN = "PaddleOCR-ONNX-Sample_sample.jpg"                   # 800x533 sign photo
DET_MODELS = ["ch_PP-OCRv3", "ch_ppocr_mobile_v2.0"]

# (name, source, (y0, y1, x0, x1) crop, (h, w) model input size); INTER_AREA when the size changes.
DET_INPUTS = [
    ("00_h64_w64", DOC11, (20, 84, 20, 84), (64, 64)),
    ("01_h96_w160", TABLE, (0, 96, 0, 160), (96, 160)),
    ("02_h320_w224", DOC12, (300, 940, 0, 448), (320, 224)),
    ("03_h480_w640", SIGN, (20, 500, 120, 760), (480, 640)),
]

# (source, quad tl,tr,br,bl in source pixels, turned upside down): crops as get_rotate_crop_image
# makes them from PP-OCRv3 boxes on these images; 00, 07 and 09 give the model a hard time
# (probabilities between 0.3 and 0.7), which makes them the most sensitive checks.
CLS_CROPS = [
    (DOC11, [[26, 179], [299, 179], [299, 195], [26, 195]], False),
    (DOC11, [[26, 81], [172, 83], [172, 104], [25, 101]], True),
    (DOC11, [[413, 236], [430, 236], [430, 303], [413, 303]], False),  # vertical: rot90 in the crop
    (DOC11, [[369, 370], [477, 370], [477, 387], [369, 387]], True),
    (TABLE, [[18, 0], [54, 0], [54, 23], [18, 23]], False),
    (TABLE, [[100, 18], [185, 20], [185, 42], [99, 39]], True),
    (TABLE, [[239, 173], [260, 173], [260, 191], [239, 191]], True),
    (TABLE, [[379, 22], [407, 22], [407, 39], [379, 39]], False),
    (DOC12, [[42, 414], [483, 391], [485, 428], [44, 451]], True),
    (TABLE, [[304, 60], [339, 60], [339, 76], [304, 76]], True),
]


def read(name):
    img = cv2.imread(os.path.join(SAMPLES, name), cv2.IMREAD_COLOR)
    if img is None:
        sys.exit(f"cannot read {SAMPLES}/{name}")
    return img


def write_png(path, img):
    if not cv2.imwrite(path, img, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        sys.exit(f"cannot write {path}")


def det_fixtures(fix, models_dir):
    os.makedirs(os.path.join(fix, "det", "inputs"), exist_ok=True)
    inputs = []
    for name, src, (y0, y1, x0, x1), (h, w) in DET_INPUTS:
        img = np.ascontiguousarray(read(src)[y0:y1, x0:x1])
        if img.shape[:2] != (h, w):
            img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        png = os.path.join(fix, "det", "inputs", name + ".png")
        write_png(png, img)
        back = cv2.imread(png, cv2.IMREAD_COLOR)  # the input as a reader sees it (BGR)
        assert back.shape == (h, w, 3) and np.array_equal(back, img)
        inputs.append((name, pp.det_input(back)))
    for m in DET_MODELS:
        worker = pp.OrtWorker({"det": os.path.join(models_dir, "det", m, "det.onnx")}, 1)
        os.makedirs(os.path.join(fix, "det", m), exist_ok=True)
        for name, x in inputs:
            p = worker.run("det", x)
            assert p.shape == (1, 1) + x.shape[2:], p.shape
            q = np.round(np.clip(p[0, 0].astype(np.float64), 0, 1) * 65535).astype(np.uint16)
            write_png(os.path.join(fix, "det", m, name + ".png"), q)
            print(f"det {m} {name}: max {p.max():.4f}, {int((p > 0.3).sum())} pixels > 0.3")
        worker.close()


def cls_fixtures(fix, models_dir):
    c, h, w = pp.CLS_SHAPE
    for d in ("crops", "inputs"):
        os.makedirs(os.path.join(fix, "cls", d), exist_ok=True)
    worker = pp.OrtWorker({"cls": os.path.join(models_dir, "cls", "ch_ppocr_mobile_v2.0", "cls.onnx")}, 1)
    lines = []
    for k, (src, quad, flip) in enumerate(CLS_CROPS):
        crop = pp.rotate_crop(read(src), np.array(quad, np.float32))
        if flip:
            crop = cv2.rotate(crop, cv2.ROTATE_180)
        crop = np.ascontiguousarray(crop)
        name = "%02d" % k
        write_png(os.path.join(fix, "cls", "crops", name + ".png"), crop)
        ch, cw = crop.shape[:2]
        rw = w if np.ceil(h * cw / float(ch)) > w else int(np.ceil(h * cw / float(ch)))
        resized = cv2.resize(crop, (rw, h))
        write_png(os.path.join(fix, "cls", "inputs", name + ".png"), resized)
        x = pp.resize_norm(crop, h, w)[np.newaxis]
        # The stored resized PNG plus zero padding is exactly the model input.
        y = (resized.astype(np.float32).transpose((2, 0, 1)) / 255 - 0.5) / 0.5
        assert np.array_equal(x[0, :, :, :rw], y) and not x[0, :, :, rw:].any()
        prob = worker.run("cls", x)[0]
        lines.append("%s %d %d %d %d %.9g %.9g" % (name, cw, ch, rw, int(flip), prob[0], prob[1]))
        print("cls", lines[-1])
    worker.close()
    with open(os.path.join(fix, "cls", "expected.txt"), "w") as f:
        f.write("# name crop_w crop_h resized_w upside_down p0 p1\n" + "\n".join(lines) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    fix, models_dir = sys.argv[1], sys.argv[2]
    det_fixtures(fix, models_dir)
    cls_fixtures(fix, models_dir)


if __name__ == "__main__":
    main()
