#!/usr/bin/python3
"""Writes the benchmark profile (make_standin_bundle.py --profile edgetam --sensitive) at a small
image size once per --precision of the TorchScript exporters, for test_precisions:

    /usr/bin/python3 tests/make_precision_bundles.py OUT_DIR [--image-size 256]

OUT_DIR/profile<S>_<precision>.edgetam, and under torch >= 2.0 profile<S>_fp32_sdpa.edgetam
(--attention sdpa, for tests/sdpa_parity.py). One process for all of them: importing torch and the
exporter is most of the time of one bundle at S = 256."""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shim", "export"))
import export_edgetam  # noqa: E402
import make_standin_bundle  # noqa: E402
import torch  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--image-size", type=int, default=256)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for precision in export_edgetam.PRECISIONS:
        out = os.path.join(args.out_dir, "profile%d_%s.edgetam" % (args.image_size, precision))
        make_standin_bundle.main(["--profile", "edgetam", "--sensitive", "--image-size",
                                  str(args.image_size), "--precision", precision, "--out", out])
    if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
        out = os.path.join(args.out_dir, "profile%d_fp32_sdpa.edgetam" % args.image_size)
        make_standin_bundle.main(["--profile", "edgetam", "--sensitive", "--image-size",
                                  str(args.image_size), "--attention", "sdpa", "--out", out])
    return 0


if __name__ == "__main__":
    sys.exit(main())
