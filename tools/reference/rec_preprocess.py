#!/usr/bin/env python3
"""PaddleOCR's recognition preprocessing, one image per batch, to raw float32 files.

  rec_preprocess.py OUTDIR IMAGE...   writes OUTDIR/NNNNNN.f32 and OUTDIR/manifest.jsonl for ort_run.js

Per image (PaddleOCR tools/infer/predict_rec.py, resize_norm_img with rec_image_shape 3,32,320 and a
batch of one): read as BGR; max_wh_ratio = max(320/32, w/h); imgW = int(32 * max_wh_ratio);
resized_w = imgW if ceil(32*w/h) > imgW else ceil(32*w/h); cv2.resize to (resized_w, 32), INTER_LINEAR;
(x/255 - 0.5)/0.5 in float32; CHW; zeros on the right up to imgW.
"""
import json
import math
import os
import sys

import cv2
import numpy as np

IMG_C, IMG_H, IMG_W = 3, 32, 320


def preprocess(img):
    h, w = img.shape[:2]
    max_wh_ratio = max(IMG_W / IMG_H, w / float(h))
    img_w = int(IMG_H * max_wh_ratio)
    ratio = w / float(h)
    resized_w = img_w if math.ceil(IMG_H * ratio) > img_w else int(math.ceil(IMG_H * ratio))
    resized = cv2.resize(img, (resized_w, IMG_H)).astype("float32")
    resized = resized.transpose((2, 0, 1)) / 255
    resized -= 0.5
    resized /= 0.5
    out = np.zeros((IMG_C, IMG_H, img_w), dtype=np.float32)
    out[:, :, 0:resized_w] = resized
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir, images = sys.argv[1], sys.argv[2:]
    with open(os.path.join(outdir, "manifest.jsonl"), "w", encoding="utf-8") as man:
        for i, path in enumerate(images):
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None or img.shape[0] == 0 or img.shape[1] == 0:
                man.write(json.dumps({"image": path, "error": "cannot read image"}, ensure_ascii=False) + "\n")
                continue
            x = preprocess(img)
            f = os.path.join(outdir, "%06d.f32" % i)
            x.tofile(f)
            man.write(json.dumps({"image": path, "input": f, "dims": [1, *x.shape]}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
