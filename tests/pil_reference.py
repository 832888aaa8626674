#!/usr/bin/python3
"""Writes what the official EdgeTAM / SAM 2 preprocessing makes of real photos, for test_pil_parity.

The official video predictor loads frames with PIL and resizes them with Image.resize((S, S)) (default
filter: BICUBIC, antialiased). For each photo this writes, into OUT_DIR:
  NAME.src.rgb      the photo as 8-bit RGB        (header line "W H", then W*H*3 bytes)
  NAME.pil.rgb      PIL's resize of it to S x S   (header line "S S", then S*S*3 bytes)
  NAME.i420         the photo as full-range BT.601 I420 (JPEG's YCbCr, 2x2-averaged chroma)
  NAME.i420pil.rgb  the official path for that I420 frame: decode to RGB at full size (nearest
                    chroma), then PIL's resize to S x S
Usage: pil_reference.py OUT_DIR PHOTO:S [PHOTO:S ...]
"""
import os
import sys

import numpy as np
from PIL import Image


def write_rgb(path, array):
    h, w = array.shape[:2]
    with open(path, "wb") as f:
        f.write(b"%d %d\n" % (w, h))
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def to_i420(rgb_image):
    ycc = np.asarray(rgb_image.convert("YCbCr"), dtype=np.float64)  # JFIF: BT.601 full range
    h, w = ycc.shape[:2]
    h2, w2 = (h + 1) // 2, (w + 1) // 2
    padded = np.pad(ycc, ((0, 2 * h2 - h), (0, 2 * w2 - w), (0, 0)), mode="edge")
    chroma = padded.reshape(h2, 2, w2, 2, 3).mean(axis=(1, 3))
    y = ycc[:, :, 0]
    u, v = chroma[:, :, 1], chroma[:, :, 2]
    return [np.clip(np.rint(p), 0, 255).astype(np.uint8) for p in (y, u, v)]


def decode_i420(y, u, v):
    h, w = y.shape
    uu = np.repeat(np.repeat(u, 2, axis=0), 2, axis=1)[:h, :w].astype(np.float64) - 128
    vv = np.repeat(np.repeat(v, 2, axis=0), 2, axis=1)[:h, :w].astype(np.float64) - 128
    yy = y.astype(np.float64)
    kr, kb = 0.299, 0.114
    kg = 1 - kr - kb
    r = yy + 2 * (1 - kr) * vv
    g = yy - 2 * kb * (1 - kb) / kg * uu - 2 * kr * (1 - kr) / kg * vv
    b = yy + 2 * (1 - kb) * uu
    return np.clip(np.rint(np.stack([r, g, b], axis=2)), 0, 255).astype(np.uint8)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for arg in sys.argv[2:]:
        path, size = arg.rsplit(":", 1)
        size = int(size)
        name = os.path.splitext(os.path.basename(path))[0] + "_%d" % size
        image = Image.open(path).convert("RGB")
        write_rgb(os.path.join(out_dir, name + ".src.rgb"), np.asarray(image))
        write_rgb(os.path.join(out_dir, name + ".pil.rgb"), np.asarray(image.resize((size, size))))
        y, u, v = to_i420(image)
        with open(os.path.join(out_dir, name + ".i420"), "wb") as f:
            f.write(b"%d %d\n" % (image.width, image.height))
            for plane in (y, u, v):
                f.write(plane.tobytes())
        official = Image.fromarray(decode_i420(y, u, v)).resize((size, size))
        write_rgb(os.path.join(out_dir, name + ".i420pil.rgb"), np.asarray(official))
        print("wrote", name)


if __name__ == "__main__":
    main()
