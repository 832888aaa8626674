#!/usr/bin/python3
"""The same model exported with both attentions (make_standin_bundle.py / export_edgetam.py
--attention blocked|sdpa) computes the same: every method of both bundle files on the same inputs,
each optional branch taken, the largest absolute difference of every output printed and held to
--tol. Also checks what the metadata says: the sdpa bundle calls aten::scaled_dot_product_attention
and needs libtorch >= 2.0, the blocked one neither. Needs torch >= 2.0 (Debian 13):

    /usr/bin/python3 tests/sdpa_parity.py BLOCKED SDPA [--tol 1e-4]

The inputs of each method are the blocked bundle's outputs of a short session (an image, a click,
its memory, three memories and pointers), so that they look like what the library passes.
"""
import argparse
import os
import sys

import runtime_policy  # noqa: F401  (before torch: the shim's runtime settings)
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shim",
                                "export"))
import bundle_meta  # noqa: E402
import runtime_ops  # noqa: E402

SDPA_OP = "aten::scaled_dot_product_attention"


def load(path):
    extra = {bundle_meta.FILE_NAME: ""}
    module = torch.jit.load(path, map_location="cpu", _extra_files=extra)
    return module.eval(), bundle_meta.parse_bundle_meta(extra[bundle_meta.FILE_NAME])


def calls(meta):
    """[(label, method, args)]: every method, each optional input both ways."""
    S, C, Cm = int(meta["image_size"]), int(meta["hidden_dim"]), int(meta["memory_dim"])
    T, LR = int(meta["memory_tokens"]), S // 4
    g = torch.Generator().manual_seed(7)
    image = torch.randn(1, 3, S, S, generator=g)
    points = torch.tensor([[[0.3 * S, 0.4 * S], [0.6 * S, 0.5 * S]]])
    labels = torch.tensor([[1, 0]], dtype=torch.int32)
    mask_lr = torch.randn(1, 1, LR, LR, generator=g) * 8.0
    full = (torch.rand(1, 1, S, S, generator=g) > 0.5).float()
    return [
        ("encode_image", "encode_image", lambda o: (image,)),
        ("attend_memory n=0", "attend_memory",
         lambda o: (o["feat"], torch.zeros(0, T, Cm), torch.zeros(0, dtype=torch.long),
                    torch.zeros(0, C))),
        ("decode multimask", "decode",
         lambda o: (o["feat"], o["hr0"], o["hr1"], points, labels, torch.zeros(0), True)),
        ("decode single, mask input", "decode",
         lambda o: (o["feat"], o["hr0"], o["hr1"], points, labels, mask_lr, False)),
        ("decode no points, mask input", "decode",
         lambda o: (o["feat"], o["hr0"], o["hr1"], torch.zeros(1, 0, 2),
                    torch.zeros(1, 0, dtype=torch.int32), mask_lr, False)),
        ("decode_mask", "decode_mask", lambda o: (o["feat"], o["hr0"], o["hr1"], full)),
        ("encode_memory binarize", "encode_memory",
         lambda o: (o["feat"], o["best"], o["score"], True)),
        ("encode_memory soft", "encode_memory",
         lambda o: (o["feat"], o["best"], o["score"], False)),
        ("attend_memory n=3, 4 pointers", "attend_memory",
         lambda o: (o["feat"], torch.cat([o["memory"]] * 3) + torch.randn(3, T, Cm, generator=g),
                    torch.tensor([1, 2, 6]), torch.randn(4, C, generator=g))),
    ]


def outputs_of(method, result):
    """Names the results the later calls take as inputs (the blocked bundle's)."""
    if method == "encode_image":
        return dict(zip(("hr0", "hr1", "feat"), result))
    if method == "decode":
        return dict(zip(("masks", "ious", "best", "ptr", "score"), result))
    if method == "encode_memory":
        return {"memory": result}
    return {}


def check_meta(path, meta, sdpa):
    ops = meta["ops"].split(",")
    needs = runtime_ops.torch_version(meta["min_torch_version"])
    if sdpa != (SDPA_OP in ops) or sdpa != (needs >= (2, 0, 0)):
        raise SystemExit("%s: ops %s %s, min_torch_version %s" % (
            path, "has" if SDPA_OP in ops else "lacks", SDPA_OP, meta["min_torch_version"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("blocked")
    ap.add_argument("sdpa")
    ap.add_argument("--tol", type=float, default=1e-4,
                    help="largest absolute difference allowed in any output (default 1e-4)")
    args = ap.parse_args()
    torch.set_num_threads(2)
    blocked, meta = load(args.blocked)
    sdpa, sdpa_meta = load(args.sdpa)
    check_meta(args.blocked, meta, False)
    check_meta(args.sdpa, sdpa_meta, True)
    known = {}
    worst = 0.0
    with torch.no_grad():
        for label, method, make_args in calls(meta):
            inputs = make_args(known)
            a = getattr(blocked, method)(*inputs)
            b = getattr(sdpa, method)(*inputs)
            pairs = list(zip(a, b)) if isinstance(a, tuple) else [(a, b)]
            diffs = [(x - y).abs().max().item() if x.numel() else 0.0 for x, y in pairs]
            scale = max(x.abs().max().item() if x.numel() else 0.0 for x, _ in pairs)
            print("%-32s max abs diff %.3g (outputs up to %.3g)" % (label, max(diffs), scale))
            worst = max(worst, max(diffs))
            known.update(outputs_of(method, a))
    print("sdpa_max_abs_diff=%.3g" % worst)
    if not worst <= args.tol:
        print("FAILED: larger than --tol %g" % args.tol)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
