"""Writes broken variants of a good bundle, one per load-time check, for tests/test_tracker.c
and tests/test_faults.c.

    /usr/bin/python3 tests/make_bad_bundles.py GOOD_BUNDLE OUT_DIR

Each file breaks exactly one rule of shim/BUNDLE.md: a missing metadata key (memory_tokens; ops
while torch_version and min_torch_version are given), an unknown format version, pixel
normalisation the library does not use, sizes whose feature maps would not fit in memory, a missing
method, a method whose output has the wrong shape, a method that raises, an operator the library's
runtime lacks (missing_op.edgetam and .ptl call edgetam_test::missing, an operator only this script
registers). no_operator_keys.edgetam has none of the operator keys, as bundles exported before they
existed, and loads. Two more load fine and fail only while tracking a white frame
(tests/test_faults.c): throws_on_white.edgetam raises, nan_on_white.edgetam returns NaN features,
as a runtime that computes garbage does. Under a torch that has F.scaled_dot_product_attention
(2.0 and later), newer_op.edgetam calls it: a bundle libtorch 1.13 cannot run
(cmake/check-cross-runtime.sh loads it there).
"""
import os
import sys
from typing import Tuple

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shim",
                                "export"))
import bundle_meta  # noqa: E402
import runtime_ops  # noqa: E402

# An operator the library's runtime never has: registered here, in this process only.
_TEST_OPS = torch.library.Library("edgetam_test", "DEF")
_TEST_OPS.define("missing(Tensor x) -> Tensor")
_TEST_OPS.impl("missing", lambda x: x.clone(), "CPU")


class Delegate(torch.nn.Module):
    """Forwards four methods to the good bundle; subclasses add or break the fifth."""

    def __init__(self, good):
        super().__init__()
        self.good = good

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.good.encode_image(image)

    @torch.jit.export
    def decode(self, pix: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor, coords: torch.Tensor,
               labels: torch.Tensor, mask_input: torch.Tensor, multimask: bool):
        return self.good.decode(pix, hr0, hr1, coords, labels, mask_input, multimask)

    @torch.jit.export
    def decode_mask(self, feat: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
                    mask: torch.Tensor):
        return self.good.decode_mask(feat, hr0, hr1, mask)

    @torch.jit.export
    def encode_memory(self, feat: torch.Tensor, best: torch.Tensor, score: torch.Tensor,
                      binarize: bool) -> torch.Tensor:
        return self.good.encode_memory(feat, best, score, binarize)


class MissingAttend(Delegate):
    pass


class WrongShape(Delegate):
    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, tpos: torch.Tensor,
                      ptrs: torch.Tensor) -> torch.Tensor:
        return self.good.attend_memory(feat, memory, tpos, ptrs)[:, :, 1:]


class Raises(Delegate):
    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, tpos: torch.Tensor,
                      ptrs: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("this bundle refuses to attend")


class ThrowsOnWhite(Delegate):
    """Loads fine (the warm-up feeds zeros) but fails while tracking: encode_image raises on a
    bright image. An all-white frame, normalised with the ImageNet mean/std, has mean 2.44; the
    test frames and the warm-up's zeros stay far below 2."""

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        if bool(image.mean() > 2.0):
            raise RuntimeError("this bundle refuses white frames")
        return self.good.encode_image(image)

    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, tpos: torch.Tensor,
                      ptrs: torch.Tensor) -> torch.Tensor:
        return self.good.attend_memory(feat, memory, tpos, ptrs)


class MissingOp(Delegate):
    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, tpos: torch.Tensor,
                      ptrs: torch.Tensor) -> torch.Tensor:
        return torch.ops.edgetam_test.missing(self.good.attend_memory(feat, memory, tpos, ptrs))


class NewerOp(Delegate):
    """attend_memory through F.scaled_dot_product_attention, an operator of torch >= 2.0."""

    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, tpos: torch.Tensor,
                      ptrs: torch.Tensor) -> torch.Tensor:
        pix = self.good.attend_memory(feat, memory, tpos, ptrs)
        q = pix.flatten(2).transpose(1, 2)
        return F.scaled_dot_product_attention(q, q, q).transpose(1, 2).reshape(pix.shape)


class NanOnWhite(ThrowsOnWhite):
    """Like ThrowsOnWhite, but encode_image returns NaN features instead of raising."""

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hr0, hr1, feat = self.good.encode_image(image)
        if bool(image.mean() > 2.0):
            feat = feat * float("nan")
        return hr0, hr1, feat


def main():
    good_path, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    files = {bundle_meta.FILE_NAME: ""}
    good = torch.jit.load(good_path, _extra_files=files)
    text = files[bundle_meta.FILE_NAME]
    if isinstance(text, bytes):
        text = text.decode()
    lines = text.splitlines()

    def save(name, module, meta_lines, lite=False):
        extra = {bundle_meta.FILE_NAME: "\n".join(meta_lines) + "\n"}
        if lite:
            module._save_for_lite_interpreter(os.path.join(out, name), _extra_files=extra)
        else:
            torch.jit.save(module, os.path.join(out, name), _extra_files=extra)

    def edited(key, value, base=lines):
        return [l for l in base if not l.startswith(key + "=")] + (
            [] if value is None else ["%s=%s" % (key, value)])

    def with_own_ops(module):
        """The good bundle's metadata with the operator keys of `module`."""
        meta_lines = lines
        for key, value in runtime_ops.op_metadata(module).items():
            meta_lines = edited(key, value if isinstance(value, str) else ",".join(value),
                                meta_lines)
        return meta_lines

    save("missing_key.edgetam", good, edited("memory_tokens", None))
    # of the three operator keys, all or none (a bundle exported before they existed)
    save("missing_ops_key.edgetam", good, edited("ops", None))
    save("no_operator_keys.edgetam", good, [l for l in lines if not l.startswith(
        ("torch_version=", "min_torch_version=", "ops="))])
    save("bad_version.edgetam", good, edited("format_version", 2))
    save("other_normalisation.edgetam", good, edited("pixel_mean", "0.5,0.5,0.5"))
    # every size within its own range, but the stride-4 features alone would take 64 GB
    save("huge_features.edgetam", good, edited("high_res_dim0", 65536))
    save("missing_method.edgetam", torch.jit.script(MissingAttend(good)), lines)
    save("wrong_shape.edgetam", torch.jit.script(WrongShape(good)), lines)
    save("raises.edgetam", torch.jit.script(Raises(good)), lines)
    missing_op = torch.jit.script(MissingOp(good))
    save("missing_op.edgetam", missing_op, with_own_ops(missing_op))
    save("missing_op.ptl", missing_op, with_own_ops(missing_op), lite=True)
    if hasattr(F, "scaled_dot_product_attention"):
        newer_op = torch.jit.script(NewerOp(good))
        save("newer_op.edgetam", newer_op, with_own_ops(newer_op))
    # not broken at load time: a bundle whose forward throws while tracking (tests/test_faults.c)
    save("throws_on_white.edgetam", torch.jit.script(ThrowsOnWhite(good)), lines)
    save("nan_on_white.edgetam", torch.jit.script(NanOnWhite(good)), lines)


if __name__ == "__main__":
    main()
