#!/usr/bin/env python3
"""Compare the recognized texts of two JSON-lines outputs, image by image.

  compare_texts.py A.jsonl B.jsonl

Each line: {"image": ..., "results": [{"text": ...}, ...]}. Images are matched by path (realpath);
an image's text is all its results' texts joined. Prints how many images present in both files
have identical text, the percentage, then each differing image with both texts. Exit status 0
when all are identical, 1 otherwise.
"""
import json
import os
import sys


def load(path):
    recs = {}
    order = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: {e}")
            key = os.path.realpath(r.get("image", ""))
            if key not in recs:
                order.append(key)
            recs[key] = (r.get("image", ""), "".join(x.get("text", "") for x in r.get("results", []) or []))
    return recs, order


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, order = load(sys.argv[1])
    b, _ = load(sys.argv[2])
    common = [k for k in order if k in b]
    diff = [k for k in common if a[k][1] != b[k][1]]
    same = len(common) - len(diff)
    pct = 100.0 * same / len(common) if common else 0.0
    print(f"identical text: {same} / {len(common)} images ({pct:.2f}%)")
    only_a, only_b = len(a) - len(common), len(b) - len(common)
    if only_a or only_b:
        print(f"images only in A: {only_a}, only in B: {only_b}")
    for k in diff:
        print(f"{a[k][0]}\n  A: {json.dumps(a[k][1], ensure_ascii=False)}\n  B: {json.dumps(b[k][1], ensure_ascii=False)}")
    sys.exit(0 if not diff and not only_a and not only_b else 1)


if __name__ == "__main__":
    main()
