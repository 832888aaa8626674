#!/usr/bin/python3
"""Writes the bundle templates and seeds of the bundle fuzzers (run it with /usr/bin/python3).

    /usr/bin/python3 fuzz/make_seed_bundles.py FUZZ_DIR
    PYTHONPATH=/path/to/executorch-tree python3 fuzz/make_seed_bundles.py FUZZ_DIR --runtime executorch

The stand-in bundle (shim/export/make_standin_bundle.py) is 450 KB and takes a second to load and warm up
even at its smallest size, so the fuzzers start from a stub instead: a bundle that meets the whole
contract of shim/BUNDLE.md at S = 32 with tiny dimensions, whose methods are a few lines of
arithmetic (outputs of the documented shapes that depend on their inputs). It is a few KB and
loads in milliseconds.

FUZZ_DIR/templates/ receives stub.edgetam, the broken variants of tests/make_bad_bundles.py made
from it, and stub_lite.edgetam, the stub saved for the lite interpreter (the library picks the
interpreter by content, not by name), every member stored uncompressed and without the optional source-range records
(code/*.debug_pkl). FUZZ_DIR/corpus/fuzz_bundle/ receives seeds in fuzz_bundle's input format
(fuzz_bundle.c): each template intact, one with non-finite weights, one cut short.

--runtime executorch writes the same stub as an ExecuTorch program instead (shim/export/
bundle_pte.py; torch 2.6 and ExecuTorch's exporter: Debian 13): templates/stub.pte and the .pte
variants of make_bad_bundles.py (stub_*.pte), and corpus/fuzz_bundle_pte/ (the same seeds; the cut
one ends inside the last delegate's data). A .pte loads only on the ExecuTorch release that wrote
it: write them again when the library moves to another.
"""
import argparse
import io
import math
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from typing import Final, Tuple

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "shim", "export"))
import bundle_meta  # noqa: E402
import bundle_save  # noqa: E402

S, C, CM, C0, C1, T = 32, 8, 4, 2, 2, 4
LR = S // 4


def mean_of(x: torch.Tensor) -> torch.Tensor:
    """The mean of all elements, as a mean over one dimension: ExecuTorch's portable kernels have
    no mean over everything (the .pte stub's operators outside XNNPACK must have kernels)."""
    return x.reshape(-1).mean(0)


class Stub(torch.nn.Module):
    # TorchScript reads module constants, not Python globals
    S: Final[int] = S
    C: Final[int] = C
    CM: Final[int] = CM
    C0: Final[int] = C0
    C1: Final[int] = C1
    T: Final[int] = T
    LR: Final[int] = LR

    def __init__(self):
        super().__init__()
        # one parameter and one buffer, so that the archive has tensor data for the fuzzer too
        self.feat_scale = torch.nn.Parameter(torch.linspace(0.5, 1.5, C).view(1, C, 1, 1))
        self.register_buffer("feat_bias", torch.linspace(-1, 1, C).view(1, C, 1, 1))

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        grey = image.mean(1, keepdim=True)
        side0, side1, side2 = self.LR, self.S // 8, self.S // 16
        hr0 = F.avg_pool2d(grey, self.S // side0, self.S // side0).expand(1, self.C0, side0, side0)
        hr1 = F.avg_pool2d(grey, self.S // side1, self.S // side1).expand(1, self.C1, side1, side1)
        feat = F.avg_pool2d(grey, self.S // side2, self.S // side2) * self.feat_scale + self.feat_bias
        return hr0.contiguous(), hr1.contiguous(), feat

    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, memory_tpos: torch.Tensor,
                      obj_ptrs: torch.Tensor) -> torch.Tensor:
        return feat + 0.01 * (memory.sum() + memory_tpos.sum() + obj_ptrs.sum())

    @torch.jit.export
    def decode(self, pix: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
               point_coords: torch.Tensor, point_labels: torch.Tensor, mask_input: torch.Tensor,
               multimask: bool) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor,
                                         torch.Tensor]:
        m, lr = (3 if multimask else 1), self.LR
        level = mean_of(pix) + mean_of(hr0) + mean_of(hr1) + 0.01 * point_coords.sum()
        level = level + point_labels.sum() + 0.001 * mask_input.sum()
        # a ramp with both signs, so that masks have an inside and an outside
        ramp = torch.arange(lr * lr, dtype=torch.float32).view(1, 1, lr, lr) - lr * lr / 2 + level
        masks = ramp.expand(1, m, lr, lr).contiguous()
        obj_ptr = torch.full([1, self.C], 0.1) + level
        return masks, torch.full([1, m], 0.5), masks[:, :1].contiguous(), obj_ptr, torch.ones(1, 1)

    @torch.jit.export
    def decode_mask(self, feat: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
                    mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        best = F.avg_pool2d(mask, self.S // self.LR, self.S // self.LR) * 20 - 10
        obj_ptr = torch.zeros(1, self.C) + mean_of(feat) + mean_of(hr0) + mean_of(hr1)
        # +-10 without Python control flow, which torch.export (the .pte stub) cannot follow
        return best, obj_ptr, mask.any().float().view(1, 1) * 20.0 - 10.0

    @torch.jit.export
    def encode_memory(self, feat: torch.Tensor, best: torch.Tensor, object_score: torch.Tensor,
                      binarize: bool) -> torch.Tensor:
        b = (best > 0).float() if binarize else torch.sigmoid(best)
        return torch.zeros(1, self.T, self.CM) + mean_of(feat) + mean_of(b) + object_score.sum()

    # Not scripted (no TorchScript method calls it): the .pte stub's attend_memory (bundle_pte.py).
    def attend_memory_padded(self, feat, memory, memory_tpos, obj_ptrs, key_bias):
        """attend_memory over padded rows: they are zeros, which its sums leave out anyway."""
        return self.attend_memory(feat, memory, memory_tpos, obj_ptrs)


META = {
    "format": bundle_meta.FORMAT,
    "format_version": bundle_meta.FORMAT_VERSION,
    "model": "fuzz-stub",
    "image_size": S,
    "hidden_dim": C,
    "memory_dim": CM,
    "high_res_dim0": C0,
    "high_res_dim1": C1,
    "memory_tokens": T,
    "num_maskmem": 3,
    "max_obj_ptrs": 4,
    "multimask_output_in_sam": 1,
    "multimask_output_for_tracking": 1,
    "multimask_min_pt_num": 0,
    "multimask_max_pt_num": 1,
    "sigmoid_scale_for_mem_enc": 20.0,
    "sigmoid_bias_for_mem_enc": -10.0,
    "pixel_mean": (0.485, 0.456, 0.406),
    "pixel_std": (0.229, 0.224, 0.225),
}


def restore(path):
    """Rewrites a torch archive with every member stored and no .debug_pkl records."""
    with zipfile.ZipFile(path) as src:
        members = [(i.filename, src.read(i)) for i in src.infolist()
                   if not i.filename.endswith(".debug_pkl")]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # reproducible
            dst.writestr(info, data)
    with open(path, "wb") as f:
        f.write(out.getvalue())


def write_seeds(corpus, count, cut):
    """Inputs of fuzz_bundle: template index, length to cut the file to, tensor bytes; `cut`: the
    length of the cut_short seed."""
    os.makedirs(corpus, exist_ok=True)
    intact = struct.pack("<I", 0xFFFFFFFF)
    seeds = {"template_%d" % i: bytes([i]) + intact for i in range(count)}
    seeds["non_finite_weights"] = bytes([0]) + intact + struct.pack(
        "<8f", math.nan, math.inf, -math.inf, 3e38, -3e38, 1e-45, 0.0, -0.0)
    seeds["cut_short"] = bytes([0]) + struct.pack("<I", cut)
    for name, data in seeds.items():
        with open(os.path.join(corpus, name), "wb") as f:
            f.write(data)


def write_torchscript(fuzz_dir):
    out = os.path.join(fuzz_dir, "templates")
    os.makedirs(out, exist_ok=True)
    stub = os.path.join(out, "stub.edgetam")
    lite = os.path.join(out, "stub_lite.edgetam")
    for path, is_lite in ((stub, False), (lite, True)):
        with open(path, "wb") as f:
            f.write(bundle_save.bundle_bytes(torch.jit.script(Stub()), META, lite=is_lite))
        restore(path)
    with tempfile.TemporaryDirectory() as bad:
        subprocess.run([sys.executable, os.path.join(HERE, "..", "tests", "make_bad_bundles.py"),
                        stub, bad], check=True)
        for name in sorted(os.listdir(bad)):
            # the harnesses take *.edgetam; the library picks the interpreter by content
            path = os.path.join(out, "stub_" + name.replace(".ptl", "_lite.edgetam"))
            os.replace(os.path.join(bad, name), path)
            restore(path)
    write_seeds(os.path.join(fuzz_dir, "corpus", "fuzz_bundle"),
                len([n for n in os.listdir(out) if n.endswith(".edgetam")]), 2000)


def write_executorch(fuzz_dir):
    """stub.pte and its variants of tests/make_bad_bundles.py, and fuzz_bundle_pte's seeds."""
    import bundle_pte
    sys.path.insert(0, os.path.join(HERE, "..", "tests"))
    import make_bad_bundles
    out = os.path.join(fuzz_dir, "templates")
    os.makedirs(out, exist_ok=True)
    stub = os.path.join(out, "stub.pte")
    bundle_pte.write_bundle(stub, Stub().eval(), META, bundle_pte.pte_limits(META), out=None)
    with tempfile.TemporaryDirectory() as bad:
        make_bad_bundles.write_pte_variants(stub, bad, model=Stub().eval())
        for name in sorted(os.listdir(bad)):
            os.replace(os.path.join(bad, name), os.path.join(out, "stub_" + name))
    # cut inside the last delegate's data: the program reads, a method's segment is missing
    write_seeds(os.path.join(fuzz_dir, "corpus", "fuzz_bundle_pte"),
                len([n for n in os.listdir(out) if n.endswith(".pte")]),
                os.path.getsize(stub) - 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("fuzz_dir", metavar="FUZZ_DIR")
    ap.add_argument("--runtime", choices=("torchscript", "executorch"), default="torchscript",
                    help="torchscript: the TorchScript templates and fuzz_bundle's seeds "
                         "(default); executorch: the .pte ones and fuzz_bundle_pte's (torch 2.6 "
                         "and ExecuTorch's exporter on PYTHONPATH)")
    args = ap.parse_args()
    # TorchScript writes module constants in set order, which follows the string hash seed
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    if args.runtime == "executorch":
        write_executorch(args.fuzz_dir)
    else:
        write_torchscript(args.fuzz_dir)


if __name__ == "__main__":
    main()
