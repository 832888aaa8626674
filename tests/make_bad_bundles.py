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

A GOOD_BUNDLE named *.pte (an ExecuTorch bundle; tests/bad_bundles.c tells the kinds apart the same
way) gets the .pte variants of bad_bundles.c's executorch[] table instead, edited in the good
program itself (ExecuTorch's Program dataclass: metadata, plans, operator and delegate names,
tensor sizes), plus throws_on_white.pte and nan_on_white.pte, whose encode_image is exported again
from the stand-in's model (write_pte_variants). Needs ExecuTorch's exporter on PYTHONPATH and
torch 2.6 (shim/export/bundle_pte.py).
"""
import copy
import os
import sys
from typing import Tuple

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shim",
                                "export"))
import bundle_meta  # noqa: E402
import bundle_save  # noqa: E402
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


def edited(lines, key, value):
    """Metadata `lines` without `key`, then with key=value unless value is None."""
    return [l for l in lines if not l.startswith(key + "=")] + (
        [] if value is None else ["%s=%s" % (key, value)])


def write_torchscript_variants(good_path, out):
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

    def with_own_ops(module):
        """The good bundle's metadata with the operator keys of `module`."""
        meta_lines = lines
        for key, value in runtime_ops.op_metadata(module).items():
            meta_lines = edited(meta_lines, key,
                                value if isinstance(value, str) else ",".join(value))
        return meta_lines

    save("missing_key.edgetam", good, edited(lines, "memory_tokens", None))
    # of the three operator keys, all or none (a bundle exported before they existed)
    save("missing_ops_key.edgetam", good, edited(lines, "ops", None))
    save("no_operator_keys.edgetam", good, [l for l in lines if not l.startswith(
        ("torch_version=", "min_torch_version=", "ops="))])
    save("bad_version.edgetam", good, edited(lines, "format_version", 2))
    save("other_normalisation.edgetam", good, edited(lines, "pixel_mean", "0.5,0.5,0.5"))
    # every size within its own range, but the stride-4 features alone would take 64 GB
    save("huge_features.edgetam", good, edited(lines, "high_res_dim0", 65536))
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


# ---- ExecuTorch bundles (.pte) ------------------------------------------------------------------

class WhiteFault(torch.nn.Module):
    """encode_image of `model` failing on a white frame (image mean > 2, as ThrowsOnWhite) inside
    ExecuTorch: with `nan`, feat becomes NaN (the log of a negative number); without, a portable
    kernel's argument check fails (index_select at index 1 of a one-row table), so execute()
    returns InvalidArgument. On other frames, zeros included (the warm-up's), the outputs are the
    model's plus an exact 0."""

    def __init__(self, model, nan):
        super().__init__()
        self.model = model
        self.nan = nan
        self.register_buffer("zero", torch.zeros(1))

    def encode_image(self, image):
        hr0, hr1, feat = self.model.encode_image(image)
        mean = image.mean((1, 2, 3))  # [1]: the portable kernels have mean.out, not a full mean
        if self.nan:
            fault = torch.log(2.0 - mean) * 0.0
        else:
            fault = self.zero.index_select(0, (mean > 2.0).long())
        return hr0, hr1, feat + fault


def _plan(program, name):
    return next(plan for plan in program.execution_plan if plan.name == name)


def _program_of(base, plans):
    """A program like `base` holding `plans`, pairs (plan, the program its constant and delegate
    indices refer to): their constant buffers and delegate data are copied and renumbered, and
    what no plan refers to is left out (serialize_pte_binary refuses unused delegate data)."""
    from executorch.exir.schema import Tensor
    program = copy.copy(base)
    program.execution_plan, program.backend_delegate_data = [], []
    program.constant_buffer = base.constant_buffer[:1]  # buffer 0: "no constant data"
    renumbered = {}

    def index_of(source, kind, index, table):
        key = (id(source), kind, index)  # methods share constants and delegate data
        if key not in renumbered:
            table.append(getattr(source, kind)[index])
            renumbered[key] = len(table) - 1
        return renumbered[key]

    for plan, source in plans:
        plan = copy.deepcopy(plan)
        for value in plan.values:
            if isinstance(value.val, Tensor) and value.val.data_buffer_idx:
                value.val.data_buffer_idx = index_of(source, "constant_buffer",
                                                     value.val.data_buffer_idx,
                                                     program.constant_buffer)
        for delegate in plan.delegates:
            delegate.processed.index = index_of(source, "backend_delegate_data",
                                                delegate.processed.index,
                                                program.backend_delegate_data)
        program.execution_plan.append(plan)
    return program


def write_pte_variants(good_path, out, model=None):
    """Writes the .pte variants of the ExecuTorch bundle `good_path` into `out`. throws_on_white
    and nan_on_white need the model the bundle was written from: `model`, by default the stand-in
    (make_standin_bundle.py) at the bundle's image size. Only their encode_image is exported (as
    bundle_pte.py exports every method, seconds instead of the minutes of a whole bundle) and put
    in place of the good one."""
    import bundle_pte
    from executorch.exir._serialize._program import serialize_pte_binary
    with open(good_path, "rb") as f:
        good = bundle_pte.read_program(f.read())
    text = bundle_pte.read_metadata(good)
    lines = text.splitlines()
    meta = bundle_meta.typed_meta(bundle_meta.parse_bundle_meta(text))

    def save(name, program):
        bundle_save.write_file(os.path.join(out, name), bytes(
            serialize_pte_binary(program, extract_delegate_segments=True)))

    def changed(edit):
        """The good program with `edit` applied to a copy of it."""
        program = copy.deepcopy(good)
        edit(program)
        return program

    def with_metadata(meta_lines):
        def edit(program):
            plan = _plan(program, bundle_pte.METADATA_METHOD)
            plan.values[plan.outputs[0]].val.string_val = "\n".join(meta_lines) + "\n"
        return changed(edit)

    def without(method):
        return _program_of(good, [(p, good) for p in good.execution_plan if p.name != method])

    def rename_operator(program):
        op = next(op for p in program.execution_plan for op in p.operators)
        op.name = "edgetam_test::missing"

    def rename_delegate(program):
        next(d for p in program.execution_plan for d in p.delegates).id = "EdgetamTestMissing"

    def narrow_attend_output(program):
        plan = _plan(program, "attend_memory")
        plan.values[plan.outputs[0]].val.sizes[-2] -= 1

    def white_fault(nan):
        limits = {key: meta[key] for key in ("max_points", "max_memories", "max_pointers")}
        module, inputs, _ = bundle_pte.contract_methods(WhiteFault(model, nan), meta, limits)[
            "encode_image"]
        manager = bundle_pte.lower({"encode_image": bundle_pte.export_method(module, inputs)},
                                   text)
        missing = bundle_pte.missing_kernels(bundle_pte.partition_report(
            manager.executorch_program))
        if missing:
            raise RuntimeError("encode_image needs kernels the runtime lacks: %s" % missing)
        donor = bundle_pte.read_program(manager.buffer)
        return _program_of(good, [(_plan(donor, p.name), donor) if p.name == "encode_image"
                                  else (p, good) for p in good.execution_plan])

    save("missing_key.pte", with_metadata(edited(lines, "memory_tokens", None)))
    save("missing_version_key.pte", with_metadata(edited(lines, "executorch_version", None)))
    save("bad_version.pte", with_metadata(edited(lines, "format_version", 2)))
    save("other_normalisation.pte", with_metadata(edited(lines, "pixel_mean", "0.5,0.5,0.5")))
    save("huge_features.pte", with_metadata(edited(lines, "high_res_dim0", 65536)))
    save("no_metadata.pte", without(bundle_pte.METADATA_METHOD))
    save("missing_method.pte", without("attend_memory"))
    save("wrong_shape.pte", changed(narrow_attend_output))
    save("missing_op.pte", changed(rename_operator))
    save("missing_backend.pte", changed(rename_delegate))
    save("other_executorch_version.pte",
         with_metadata(edited(lines, "executorch_version", "0.4.0")))
    if model is None:
        if meta["model"] != "standin":
            raise ValueError("%s: throws_on_white.pte and nan_on_white.pte are made from the "
                             "stand-in's model, not %r" % (good_path, meta["model"]))
        import make_standin_bundle
        model = make_standin_bundle.build(meta["image_size"])
    save("throws_on_white.pte", white_fault(nan=False))
    save("nan_on_white.pte", white_fault(nan=True))


def main():
    good_path, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    if good_path.endswith(".pte"):
        write_pte_variants(good_path, out)
    else:
        write_torchscript_variants(good_path, out)


if __name__ == "__main__":
    main()
