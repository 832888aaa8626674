#!/usr/bin/python3
"""Times each method of one or more bundles on the same inputs, interleaved, in one process:
per-method medians (ms) as key=value lines, and each bundle's ratio to the first.

    /usr/bin/python3 shim/export/bench_bundle.py --bundle A [--bundle B ...] [--threads 2] [--reps 5]

The inputs are those of a tracked frame in steady state: encode_image on a random image,
attend_memory over num_maskmem memories and max_obj_ptrs pointers (the most a frame attends),
decode without points (tracking), encode_memory of the decoded mask. Bundles must share S.
Run with Debian's torch (/usr/bin/python3); set --threads explicitly, the machine may be shared.
"""
import argparse
import ctypes
import statistics
import sys
import time

import torch

import bundle_meta

METHODS = ("encode_image", "attend_memory", "decode", "encode_memory")


def meta_of(path):
    extra = {bundle_meta.FILE_NAME: ""}
    module = torch.jit.load(path, map_location="cpu", _extra_files=extra)
    return module, bundle_meta.parse_bundle_meta(extra[bundle_meta.FILE_NAME])


def inputs(meta):
    S, C, Cm, T = (int(meta[k]) for k in ("image_size", "hidden_dim", "memory_dim",
                                          "memory_tokens"))
    n, p = int(meta["num_maskmem"]), int(meta["max_obj_ptrs"])
    g = torch.Generator().manual_seed(0)
    return {
        "image": torch.randn(1, 3, S, S, generator=g),
        "memory": torch.randn(n, T, Cm, generator=g).bfloat16().float(),
        "tpos": torch.tensor([0] + list(range(1, n)), dtype=torch.int64),
        "ptrs": torch.randn(p, C, generator=g),
    }


def run_frame(module, x, times):
    def timed(name, fn):
        t0 = time.perf_counter()
        out = fn()
        times[name].append((time.perf_counter() - t0) * 1e3)
        return out

    hr0, hr1, feat = timed("encode_image", lambda: module.encode_image(x["image"]))
    pix = timed("attend_memory", lambda: module.attend_memory(feat, x["memory"], x["tpos"],
                                                              x["ptrs"]))
    none = torch.zeros(1, 0, 2), torch.zeros(1, 0, dtype=torch.int32), torch.zeros(0)
    out = timed("decode", lambda: module.decode(pix, hr0, hr1, none[0], none[1], none[2], True))
    timed("encode_memory", lambda: module.encode_memory(feat, out[2], out[4], False))


def set_threads(n):
    """torch's intra-op threads and, as the library's shim does, OpenBLAS's (torch does not
    pass its count on: OpenBLAS would use every core and spin between calls)."""
    torch.set_num_threads(n)
    try:
        ctypes.CDLL("libblas.so.3").openblas_set_num_threads(n)
    except (OSError, AttributeError):
        pass  # another BLAS: it keeps its own settings


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", action="append", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)
    set_threads(args.threads)
    loaded = [meta_of(b) for b in args.bundle]
    sizes = {m["image_size"] for _, m in loaded}
    if len(sizes) != 1:
        sys.exit("bundles must share image_size, got %s" % sorted(sizes))
    x = inputs(loaded[0][1])
    times = [{m: [] for m in METHODS} for _ in loaded]
    with torch.inference_mode():
        for rep in range(args.reps + 1):  # the first round warms up, not counted
            for (module, _), t in zip(loaded, times):
                run_frame(module, x, t if rep else {m: [] for m in METHODS})
    print("threads=%d\nreps=%d" % (args.threads, args.reps))
    first = None
    for i, (path, t) in enumerate(zip(args.bundle, times)):
        med = {m: statistics.median(t[m]) for m in METHODS}
        total = sum(med.values())
        print("bundle%d=%s" % (i, path))
        for m in METHODS:
            print("bundle%d_%s_ms_p50=%.1f" % (i, m, med[m]))
        print("bundle%d_frame_ms=%.1f" % (i, total))
        if first is None:
            first = med
        else:
            for m in METHODS:
                print("bundle%d_%s_ratio=%.3f" % (i, m, med[m] / first[m]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
