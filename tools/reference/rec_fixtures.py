#!/usr/bin/env python3
"""Builds the recognizer test fixtures (driven by make_rec_fixtures.sh).

  rec_fixtures.py inputs FIXDIR TMPDIR MODEL...   writes FIXDIR/inputs/NN_wWWW.png, the model inputs
                                                  TMPDIR/NN_wWWW.f32 and TMPDIR/MODEL.jsonl manifests
  rec_fixtures.py format FIXDIR TMPDIR MODEL      turns TMPDIR/MODEL/*.bin (ort_run.js outputs) into
                                                  FIXDIR/MODEL/NN_wWWW.txt

Input images are strips of real text: PaddleOCR's own sample word images (Apache-2.0, see
SAMPLE_WORDS), each resized to height 32 (INTER_LINEAR, aspect kept), laid left to right with a white
gap, Chinese and English alternating, starting at word NN mod 10, until the strip reaches the width,
then cropped to it. The evaluation sets are not used: their README forbids copying them into the
project.
"""
import glob
import json
import os
import sys

import cv2
import numpy as np

WIDTHS = [8, 12, 16, 25, 32, 47, 64, 80, 100, 128, 160, 200, 256, 320, 400, 512, 640, 800, 1000, 1200]
HEIGHT = 32
GAP = 8  # white pixels between words
SAMPLES = "/work/shared/samples"
SAMPLE_WORDS = [f"Light-STR-Competition-No.5_doc_imgs_words_{lang}_word_{i}.{ext}"
                for i in range(1, 6) for lang, ext in (("ch", "jpg"), ("en", "png"))]
THRESH = 5e-4  # classes listed per step: probability >= THRESH


def name(k, w):
    return "%02d_w%d" % (k, w)


def word_strips():
    out = []
    for f in SAMPLE_WORDS:
        img = cv2.imread(os.path.join(SAMPLES, f), cv2.IMREAD_COLOR)
        if img is None:
            sys.exit(f"cannot read {SAMPLES}/{f}")
        h, w = img.shape[:2]
        out.append(cv2.resize(img, (max(1, round(HEIGHT * w / h)), HEIGHT), interpolation=cv2.INTER_LINEAR))
    return out


def make_image(words, k, width):
    parts, total, i = [], 0, k % len(words)
    while total < width:
        if parts:
            parts.append(np.full((HEIGHT, GAP, 3), 255, np.uint8))
            total += GAP
        parts.append(words[i])
        total += words[i].shape[1]
        i = (i + 1) % len(words)
    return np.ascontiguousarray(np.concatenate(parts, axis=1)[:, :width])


def cmd_inputs(fixdir, tmpdir, models):
    words = word_strips()
    os.makedirs(os.path.join(fixdir, "inputs"), exist_ok=True)
    items = []
    for k, w in enumerate(WIDTHS):
        png = os.path.join(fixdir, "inputs", name(k, w) + ".png")
        cv2.imwrite(png, make_image(words, k, w), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        # The model input comes from the PNG as a reader sees it: BGR, (x/255-0.5)/0.5, NCHW, no padding.
        img = cv2.imread(png, cv2.IMREAD_COLOR)
        assert img.shape == (HEIGHT, w, 3), img.shape
        x = img.astype(np.float32).transpose((2, 0, 1)) / 255
        x -= 0.5
        x /= 0.5
        f = os.path.join(tmpdir, name(k, w) + ".f32")
        x.tofile(f)
        items.append((name(k, w), f, [1, 3, HEIGHT, w]))
    for m in models:
        os.makedirs(os.path.join(tmpdir, m), exist_ok=True)
        with open(os.path.join(tmpdir, m + ".jsonl"), "w") as man:
            for n, f, dims in items:
                man.write(json.dumps({"image": n, "input": f, "dims": dims,
                                      "output": os.path.join(tmpdir, m, n + ".bin")}) + "\n")


def read_output(path):
    raw = np.fromfile(path, dtype=np.uint8)
    ndim = int(raw[:4].view(np.int32)[0])
    dims = raw[4:4 + 4 * ndim].view(np.int32).tolist()
    data = raw[4 + 4 * ndim:].view(np.float32)
    return data.reshape(dims)


def cmd_format(fixdir, tmpdir, model):
    outdir = os.path.join(fixdir, model)
    os.makedirs(outdir, exist_ok=True)
    for k, w in enumerate(WIDTHS):
        y = read_output(os.path.join(tmpdir, model, name(k, w) + ".bin"))
        assert y.ndim == 3 and y.shape[0] == 1, y.shape
        _, T, C = y.shape
        lines = [f"{T} {C}"]
        for t in range(T):
            p = y[0, t]
            best = int(np.argmax(p))
            listed = np.nonzero(p >= THRESH)[0]
            lines.append(" ".join([str(best), "%.7g" % float(p[best]), str(len(listed))] +
                                  ["%d:%.7g" % (c, float(p[c])) for c in listed]))
        with open(os.path.join(outdir, name(k, w) + ".txt"), "w") as f:
            f.write("\n".join(lines) + "\n")


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "inputs":
        cmd_inputs(a[1], a[2], a[3:])
    elif len(a) == 4 and a[0] == "format":
        cmd_format(a[1], a[2], a[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
