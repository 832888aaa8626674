#!/usr/bin/python3
"""Checks the ExecuTorch bundle's methods (shim/BUNDLE.md, "ExecuTorch bundles") against the
TorchScript bundle of the same model and weights, in one torch 2.6 process:

    PYTHONPATH=/opt/et /usr/bin/python3 tests/pte_parity.py [--profile standin|edgetam]
        [--image-size S] [--sensitive] [--tolerance 1e-5]

(in the Debian 13 root that has ExecuTorch v0.5.0's exporter: /work/shared/deps/README.md). It
builds the model as make_standin_bundle.py does, saves and reloads its TorchScript bundle
(torch.jit.load), and exports every .pte method as bundle_pte.py lowers it (torch.export, the
XNNPACK rewrites of pte_rewrites.py, folded constants), then runs the ExportedPrograms'
modules (before lowering: the XNNPACK kernels themselves need the runtime) on random inputs of
the contract: several point counts including 1 and max_points, no points as the (0, 0) -1 point
against TorchScript's P = 0, n = 1..num_maskmem memories and p = 0..max_obj_ptrs pointers padded
with zeros or with garbage (which the validity vectors must hide exactly), mask inputs, both
multimask settings, both binarise settings. It prints, per method and output, the largest
difference, the largest reference magnitude and the difference relative to max(1, magnitude),
and fails when that exceeds --tolerance.
"""
import argparse
import io
import os
import sys
import time

import runtime_policy  # noqa: F401  (before torch: the shim's runtime settings)
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shim",
                                "export"))
import bundle_pte  # noqa: E402
import bundle_save  # noqa: E402
import make_standin_bundle  # noqa: E402
import pte_rewrites  # noqa: E402


class Table:
    """Largest differences per (method, output)."""

    def __init__(self):
        self.rows = {}

    def add(self, method, names, ref, got):
        for name, r, g in zip(names, ref, got):
            if r.shape != g.shape:
                raise AssertionError("%s %s: shape %s, TorchScript %s" % (
                    method, name, tuple(g.shape), tuple(r.shape)))
            diff = (r.double() - g.double()).abs().max().item() if r.numel() else 0.0
            mag = r.double().abs().max().item() if r.numel() else 0.0
            row = self.rows.setdefault((method, name), [0, 0.0, 0.0, 0.0])
            row[0] += 1
            row[1] = max(row[1], diff)
            row[2] = max(row[2], mag)
            row[3] = max(row[3], diff / max(1.0, mag))

    def print(self, tolerance, out=sys.stdout):
        print("%-22s %-13s %5s %12s %12s %12s" % ("method", "output", "calls", "max |diff|",
                                                  "max |ref|", "scaled"), file=out)
        failed = []
        for (method, name), (n, diff, mag, scaled) in self.rows.items():
            bad = scaled > tolerance
            print("%-22s %-13s %5d %12.3g %12.3g %12.3g%s" % (
                method, name, n, diff, mag, scaled, "  FAIL" if bad else ""), file=out)
            if bad:
                failed.append("%s %s" % (method, name))
        return failed


DECODE_OUT = ("masks", "ious", "best", "obj_ptr", "object_score")


def bf16(x):
    return x.to(torch.bfloat16).float()


def random_points(g, n, S):
    """n points: a box (labels 2, 3) first when n >= 2 and a coin says so, else clicks 0 / 1."""
    coords = torch.rand(1, n, 2, generator=g) * S
    labels = torch.randint(0, 2, (1, n), generator=g, dtype=torch.int32)
    if n >= 2 and torch.rand(1, generator=g).item() < 0.5:
        labels[0, :2] = torch.tensor([2, 3], dtype=torch.int32)
    return coords, labels


def check_gelu(table):
    """The gelu rewrite on a dense grid against torch's own float32 gelu."""
    x = torch.linspace(-12.0, 12.0, 2000001)
    got = pte_rewrites._gelu(x)
    table.add("(gelu rewrite)", ("x in +-12",), (F.gelu(x),), (got,))


def run(ts, programs, meta, table, limits, g):
    S, C, Cm = meta["image_size"], meta["hidden_dim"], meta["memory_dim"]
    T, NM, NP = meta["memory_tokens"], limits["max_memories"], limits["max_pointers"]
    max_points = limits["max_points"]
    LR = S // 4
    mod = {name: ep.module() for name, ep in programs.items()}

    # frames: features of random images, as the library gets them
    frames = []
    for _ in range(2):
        image = torch.randn(1, 3, S, S, generator=g)
        ref = ts.encode_image(image)
        table.add("encode_image", ("hr0", "hr1", "feat"), ref, mod["encode_image"](image))
        frames.append(ref)

    for hr0, hr1, feat in frames:
        pix0 = ts.attend_memory(feat, torch.zeros(0, T, Cm), torch.zeros(0, dtype=torch.long),
                                torch.zeros(0, C))
        table.add("attend_no_memory", ("pix",), (pix0,), (mod["attend_no_memory"](feat),))

    # memory encodings of decoded masks (and of random logits), both binarise settings
    memories = []
    hr0, hr1, feat = frames[0]
    for k in range(4):
        best = torch.randn(1, 1, LR, LR, generator=g) * 10.0
        if k % 2:
            best[..., : LR // 2, :] = -1024.0  # what decode returns for an absent object
        score = torch.tensor([[2.0 if k < 2 else -3.0]])
        for binarize, name in ((False, "encode_memory_soft"), (True, "encode_memory_binary")):
            ref = ts.encode_memory(feat, best, score, binarize)
            table.add(name, ("memory",), (ref,), (mod[name](feat, best, score),))
            memories.append(bf16(ref[0]))

    # attend_memory: n = 1..NM memories, p = 0..NP pointers, padded with zeros or garbage
    cases = [(n, p) for n in range(1, NM + 1) for p in sorted({0, NP, (5 * n) % (NP + 1)})]
    cases += [(NM, p) for p in range(1, NP)]
    for i, (n, p) in enumerate(cases):
        feat = frames[i % 2][2]
        mem = torch.stack([memories[(i + j) % len(memories)] for j in range(n)])
        conditioning = 1 + i % 2 if n > 1 else 1
        recent = torch.randperm(meta["num_maskmem"] - 1, generator=g)[: n - conditioning] + 1
        tpos = torch.cat([torch.zeros(conditioning, dtype=torch.long), recent.sort()[0]])
        ptrs = torch.randn(p, C, generator=g)
        ref = ts.attend_memory(feat, mem, tpos, ptrs)
        garbage = i % 2 == 1
        pad_mem = torch.randn(NM - n, T, Cm, generator=g) * 3 if garbage else torch.zeros(
            NM - n, T, Cm)
        pad_ptr = torch.randn(NP - p, C, generator=g) * 3 if garbage else torch.zeros(NP - p, C)
        got = mod["attend_memory"](
            feat, torch.cat([mem, pad_mem]),
            torch.cat([tpos, torch.zeros(NM - n, dtype=torch.long)]),
            torch.cat([torch.ones(n), torch.zeros(NM - n)]), torch.cat([ptrs, pad_ptr]),
            torch.cat([torch.ones(p), torch.zeros(NP - p)]))
        table.add("attend_memory", ("pix",), (ref,), (got,))

    # decode: points 1, 2, 5, max_points and none, with and without mask input, both multimask
    hr0, hr1, feat = frames[1]
    pix = ts.attend_memory(feat, torch.stack(memories[:3]), torch.tensor([0, 5, 6]),
                           torch.randn(4, C, generator=g))
    mask_input = (torch.randn(1, 1, LR, LR, generator=g) * 16.0).clamp(-32.0, 32.0)
    for n in (0, 1, 2, 5, max_points):
        if n:
            coords, labels = random_points(g, n, S)
            ts_coords, ts_labels = coords, labels
        else:  # the contract's "no points" against TorchScript's P = 0
            coords, labels = torch.zeros(1, 1, 2), torch.full((1, 1), -1, dtype=torch.int32)
            ts_coords, ts_labels = torch.zeros(1, 0, 2), torch.zeros(1, 0, dtype=torch.int32)
        for multimask in (False, True):
            kind = "multi" if multimask else "single"
            ref = ts.decode(pix, hr0, hr1, ts_coords, ts_labels, torch.zeros(0), multimask)
            table.add("decode_" + kind, DECODE_OUT, ref,
                      mod["decode_" + kind](pix, hr0, hr1, coords, labels))
            ref = ts.decode(pix, hr0, hr1, ts_coords, ts_labels, mask_input, multimask)
            table.add("decode_%s_mask" % kind, DECODE_OUT, ref,
                      mod["decode_%s_mask" % kind](pix, hr0, hr1, coords, labels, mask_input))

    # decode_mask: a rectangle, nothing, random pixels
    rect = torch.zeros(1, 1, S, S)
    rect[..., S // 5: S // 2, S // 3: S - S // 7] = 1.0
    for mask in (rect, torch.zeros(1, 1, S, S),
                 (torch.rand(1, 1, S, S, generator=g) > 0.7).float()):
        table.add("decode_mask", ("best", "obj_ptr", "object_score"),
                  ts.decode_mask(feat, hr0, hr1, mask), mod["decode_mask"](feat, hr0, hr1, mask))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", choices=("standin", "edgetam"), default="standin")
    ap.add_argument("--image-size", type=int, default=0,
                    help="S (default: 256 for the stand-in, 512 for the profile)")
    ap.add_argument("--sensitive", action="store_true", help="the profile's --sensitive weights")
    ap.add_argument("--max-points", type=int, default=bundle_pte.MAX_POINTS)
    ap.add_argument("--tolerance", type=float, default=1e-5,
                    help="largest difference relative to max(1, |reference|) (default 1e-5)")
    args = ap.parse_args(argv)
    args.image_size = args.image_size or (512 if args.profile == "edgetam" else 256)
    args.precision = "fp32"
    args.attention = "blocked"  # what ExecuTorch bundles compute
    torch.set_num_threads(2)

    model, meta, what = make_standin_bundle.build_model(args)
    print("%s, S = %d, torch %s" % (what, args.image_size, torch.__version__))
    data = bundle_save.bundle_bytes(torch.jit.script(model), meta)
    ts = torch.jit.load(io.BytesIO(data), map_location="cpu")
    start = time.monotonic()
    limits = bundle_pte.pte_limits(meta, args.max_points)
    programs = {name: bundle_pte.export_method(module, inputs, dynamic)
                for name, (module, inputs, dynamic)
                in bundle_pte.contract_methods(model, meta, limits).items()}
    print("exported %d methods in %.0f s" % (len(programs), time.monotonic() - start))

    table = Table()
    check_gelu(table)
    with torch.no_grad():
        run(ts, programs, meta, table, limits, torch.Generator().manual_seed(7))
    failed = table.print(args.tolerance)
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print("all within %g" % args.tolerance)
    return 0


if __name__ == "__main__":
    sys.exit(main())
