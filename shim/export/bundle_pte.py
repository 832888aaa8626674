#!/usr/bin/python3
"""Writes an edgetam bundle for ExecuTorch: one program (a .pte file) holding the methods of
shim/BUNDLE.md, "ExecuTorch bundles", lowered to XNNPACK, with the metadata as the constant method
edgetam_bundle_txt. Shared by every writer (make_standin_bundle.py and export_edgetam.py,
--runtime executorch).

    PYTHONPATH=/opt/et python3 shim/export/bundle_pte.py FILE.pte ...

checks written bundles as the library will before loading them (identifier, metadata, methods)
and prints their metadata and partition reports (what stays outside XNNPACK, memory-planned
buffers, delegate sizes).

A writer passes the same model object it scripts for TorchScript: an nn.Module with the five
TorchScript methods (encode_image, attend_memory, decode, decode_mask, encode_memory) and
attend_memory_padded(feat, memory, memory_tpos, obj_ptrs, key_bias), attend_memory over every row
of the padded inputs with key_bias added to the memory cross-attention's scores. One small
wrapper per contract method calls those methods with the TorchScript branches fixed (no memories,
mask input or not, multimask or not, binarise or not), so that the .pte and the TorchScript
bundle of one model hold the same weights and compute the same way. Each method is exported with
torch.export, rewritten where XNNPACK would leave heavy work to the portable kernels
(pte_rewrites.py), and all are lowered into one program.

Needs ExecuTorch v0.5.0 and torch 2.6 (shim/BUNDLE.md; /work/shared/deps/README.md has how its
exporter runs from a source tree on Debian 13's torch).
"""

import contextlib
import os
import re
import sys
import time
from collections import Counter, OrderedDict

import torch
import torch.nn as nn

try:
    import bundle_meta
    import bundle_save
    import pte_rewrites
except ImportError:  # imported from elsewhere: these live next to this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bundle_meta
    import bundle_save
    import pte_rewrites

MAX_POINTS = 32
METADATA_METHOD = "edgetam_bundle_txt"
METHODS = ("encode_image", "attend_no_memory", "attend_memory", "decode_single", "decode_multi",
           "decode_single_mask", "decode_multi_mask", "decode_mask", "encode_memory_soft",
           "encode_memory_binary")

# Score bias of a padded key: softmax gives it weight exp(-3e4 - max) = 0 exactly (float32
# underflows below -104, float16 below -17), and a valid key's score gets + 0.0, unchanged.
# Finite in float16 too (largest 65504), so that (valid - 1) * bias has no inf * 0 there either.
PADDED_KEY_SCORE = 3e4

# What a .pte computes in (the contract's tensors are float32 either way): fp32, or fp16 (every
# weight and activation in float16, which ARM CPUs compute natively; _HalfProgram).
PRECISIONS = ("fp32", "fp16")


def padding_key_bias(memory_valid, tokens_per_memory, obj_ptr_valid, tokens_per_ptr):
    """The key bias of attend_memory_padded: 0 for the tokens of valid memories / pointers,
    -PADDED_KEY_SCORE for those of padded ones (valid 1.0 / 0.0, BUNDLE.md), memory tokens first,
    [NM*T + NP*C/Cm]."""
    nm, npt = memory_valid.size(0), obj_ptr_valid.size(0)
    valid = torch.cat([memory_valid.view(nm, 1).expand(nm, tokens_per_memory).reshape(-1),
                       obj_ptr_valid.view(npt, 1).expand(npt, tokens_per_ptr).reshape(-1)])
    return (valid - 1.0) * PADDED_KEY_SCORE


# ---------------------------------------------------------------------------------------------
# One wrapper per contract method: the TorchScript method with its branch fixed

class _Method(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model


class _EncodeImage(_Method):
    def forward(self, image):
        return self.model.encode_image(image)


class _AttendNoMemory(_Method):
    def __init__(self, model, tokens, memory_dim):
        super().__init__(model)
        self.tokens = tokens
        self.memory_dim = memory_dim

    def forward(self, feat):
        c = feat.size(1)
        return self.model.attend_memory(feat, feat.new_zeros(0, self.tokens, self.memory_dim),
                                        torch.zeros(0, dtype=torch.long), feat.new_zeros(0, c))


class _AttendMemory(_Method):
    def forward(self, feat, memory, memory_tpos, memory_valid, obj_ptrs, obj_ptr_valid):
        key_bias = padding_key_bias(memory_valid, memory.size(1), obj_ptr_valid,
                                    obj_ptrs.size(1) // memory.size(2))
        return self.model.attend_memory_padded(feat, memory, memory_tpos, obj_ptrs, key_bias)


class _Decode(_Method):
    def __init__(self, model, multimask, mask_input):
        super().__init__(model)
        self.multimask = multimask
        self.mask_input = mask_input

    def forward(self, pix, hr0, hr1, point_coords, point_labels, mask_input=None):
        if not self.mask_input:
            mask_input = pix.new_zeros(0)
        return self.model.decode(pix, hr0, hr1, point_coords, point_labels, mask_input,
                                 self.multimask)


class _DecodeMask(_Method):
    def forward(self, feat, hr0, hr1, mask):
        return self.model.decode_mask(feat, hr0, hr1, mask)


class _EncodeMemory(_Method):
    def __init__(self, model, binarize):
        super().__init__(model)
        self.binarize = binarize

    def forward(self, feat, best, object_score):
        return self.model.encode_memory(feat, best, object_score, self.binarize)


def pte_limits(meta, max_points=MAX_POINTS, max_conditioning=1):
    """The bounds of a .pte's padded and dynamic inputs (BUNDLE.md, "ExecuTorch bundles"): points
    per decode, and the memories and pointers one attend_memory takes when an object keeps up to
    `max_conditioning` conditioning frames (1: the tracker's defaults; more only for
    corrections_as_conditioning), each padding row costing attention work on every frame."""
    return {"max_points": max_points,
            "max_memories": meta["num_maskmem"] + max_conditioning - 1,
            "max_pointers": meta["max_obj_ptrs"] + max_conditioning - 1}


def add_arguments(ap):
    """The options of a bundle writer's command line (make_standin_bundle.py, export_edgetam.py)
    that choose the runtime and the .pte's limits; check_arguments checks them."""
    ap.add_argument("--runtime", choices=("torchscript", "executorch"), default="torchscript",
                    help="torchscript: a TorchScript bundle (default); executorch: an ExecuTorch "
                         "program (.pte) of the same model and weights, lowered to XNNPACK "
                         "(torch 2.6 and ExecuTorch v0.5.0's exporter on PYTHONPATH)")
    ap.add_argument("--max-points", type=int,
                    help="--runtime executorch only: the most points a decode takes (default: "
                         "bundle_pte.MAX_POINTS, %d)" % MAX_POINTS)
    ap.add_argument("--max-conditioning", type=int, default=1,
                    help="--runtime executorch only: conditioning frames per object the bundle "
                         "attends (default 1, the tracker's defaults; more for "
                         "corrections_as_conditioning)")


def check_arguments(ap, args):
    """ap.error() for add_arguments' options that do not fit the writer's --lite / --precision
    (fp16: a .pte computing in float16, PRECISIONS) or each other."""
    if args.runtime == "executorch" and (args.lite or args.precision not in PRECISIONS):
        ap.error("--runtime executorch: no --lite, --precision fp32 or fp16")
    if args.runtime != "executorch" and args.precision == "fp16":
        ap.error("--precision fp16: with --runtime executorch")
    if args.max_points is not None and (args.runtime != "executorch" or args.max_points < 1):
        ap.error("--max-points: a positive number, with --runtime executorch")
    if args.max_conditioning < 1 or (args.max_conditioning != 1 and args.runtime != "executorch"):
        ap.error("--max-conditioning: a positive number, with --runtime executorch")


def _example_inputs(meta, limits, points):
    """Random inputs of every contract method (BUNDLE.md shapes from the metadata dict `meta`),
    with `points` points: name -> tuple. Memories and pointers are all valid."""
    g = torch.Generator().manual_seed(0)
    S, C, Cm = meta["image_size"], meta["hidden_dim"], meta["memory_dim"]
    H, LR, T = S // 16, S // 4, meta["memory_tokens"]
    NM, NP = limits["max_memories"], limits["max_pointers"]
    feat = torch.randn(1, C, H, H, generator=g)
    hr0 = torch.randn(1, meta["high_res_dim0"], LR, LR, generator=g)
    hr1 = torch.randn(1, meta["high_res_dim1"], S // 8, S // 8, generator=g)
    coords = torch.rand(1, points, 2, generator=g) * S
    labels = torch.randint(0, 4, (1, points), generator=g, dtype=torch.int32)
    mask_lr = torch.randn(1, 1, LR, LR, generator=g) * 8.0
    score = torch.ones(1, 1)
    memory = (feat, torch.randn(NM, T, Cm, generator=g),
              torch.arange(NM, dtype=torch.long), torch.ones(NM),
              torch.randn(NP, C, generator=g), torch.ones(NP))
    points_in = (feat, hr0, hr1, coords, labels)
    return {
        "encode_image": (torch.randn(1, 3, S, S, generator=g),),
        "attend_no_memory": (feat,),
        "attend_memory": memory,
        "decode_single": points_in,
        "decode_multi": points_in,
        "decode_single_mask": points_in + (mask_lr,),
        "decode_multi_mask": points_in + (mask_lr,),
        "decode_mask": (feat, hr0, hr1, (torch.rand(1, 1, S, S, generator=g) > 0.5).float()),
        "encode_memory_soft": (feat, mask_lr, score),
        "encode_memory_binary": (feat, mask_lr, score),
    }


def contract_methods(model, meta, limits):
    """name -> (wrapper module, example inputs, dynamic shapes or None) for every method of
    METHODS; `meta` is the bundle's metadata dict (sizes), `limits` pte_limits'."""
    from torch.export import Dim
    # 3 example points: torch.export specialises a dimension whose example is 0 or 1
    ex = _example_inputs(meta, limits, points=3)
    p = Dim("points", min=1, max=limits["max_points"])
    pts = (None, None, None, {1: p}, {1: p})  # pix, hr0, hr1, point_coords, point_labels
    wrappers = {
        "encode_image": (_EncodeImage(model), None),
        "attend_no_memory": (_AttendNoMemory(model, meta["memory_tokens"], meta["memory_dim"]),
                             None),
        "attend_memory": (_AttendMemory(model), None),
        "decode_single": (_Decode(model, False, False), pts),
        "decode_multi": (_Decode(model, True, False), pts),
        "decode_single_mask": (_Decode(model, False, True), pts + (None,)),
        "decode_multi_mask": (_Decode(model, True, True), pts + (None,)),
        "decode_mask": (_DecodeMask(model), None),
        "encode_memory_soft": (_EncodeMemory(model, False), None),
        "encode_memory_binary": (_EncodeMemory(model, True), None),
    }
    return OrderedDict((name, (wrappers[name][0].eval(), ex[name], wrappers[name][1]))
                       for name in METHODS)


# ---------------------------------------------------------------------------------------------
# Export and lowering

@contextlib.contextmanager
def _unblocked_attention(module):
    """The memory attention in one block of query rows while exporting (MemoryAttention.block:
    the blocks keep libtorch's score matrices in cache). XNNPACK runs the whole product faster
    and keeps each block's intermediates apart: measured on the profile's attend_memory at
    S = 1024 (one run each, 2 threads): blocks of 256 rows 454-601 ms and 400 MB of XNNPACK
    buffers at the first call, 1024 rows 365 ms and 180 MB, unblocked 367 ms and 128 MB. The same
    arithmetic row by row."""
    blocked = [m for m in module.modules() if hasattr(m, "block")]
    old = [m.block for m in blocked]
    for m in blocked:
        m.block = 1 << 30
    try:
        yield
    finally:
        for m, b in zip(blocked, old):
            m.block = b


def export_method(module, inputs, dynamic_shapes=None, strict=True, precision="fp32"):
    """The ExportedProgram that bundle programs lower: torch.export (strict: through TorchDynamo;
    else Python runs the model's code as it is, export_edgetam.py's official model), pte_rewrites
    applied, in float16 for precision "fp16" (_HalfProgram), and the constants those create
    folded (so that XNNPACK takes them as weights)."""
    from executorch.exir.passes.constant_prop_pass import constant_prop_pass
    if precision not in PRECISIONS:
        raise ValueError("export: a .pte's precision is one of %s" % ", ".join(PRECISIONS))
    with torch.no_grad(), _unblocked_attention(module):
        ep = torch.export.export(module, inputs, dynamic_shapes=dynamic_shapes, strict=strict)
        ep = ep.run_decompositions(pte_rewrites.TABLE)
        if precision == "fp16":
            # the captured graph again, in float16 (no model code runs: only ATen operators)
            ep = torch.export.export(
                _HalfProgram(ep.module()), inputs, strict=False,
                dynamic_shapes=None if dynamic_shapes is None else (tuple(dynamic_shapes),))
        ep = constant_prop_pass(ep)
        # a constant folded from a view (expand, permute) keeps its strides, and even a
        # "contiguous" one may order its size-1 dimensions oddly; XNNPACK takes only weights
        # with the default dimension order
        for name, value in list(ep.constants.items()):
            if isinstance(value, torch.Tensor) and value.stride() != _strides(value.shape):
                ep.constants[name] = torch.empty(value.shape, dtype=value.dtype).copy_(value)
    return ep


class _HalfProgram(nn.Module):
    """A captured float32 method (the module of an ExportedProgram) computing in float16: its
    float32 weights and constants converted, the operators that create float32 tensors made to
    create float16 ones, float32 inputs converted at the start and float16 outputs back to float32
    at the end (the contract's tensors stay float32). XNNPACK delegates float16 operators as it
    does float32 ones (its float16 kernels: ARMv8.2 and later natively)."""

    def __init__(self, program):
        super().__init__()
        graph = program.graph
        born = {node for node in graph.nodes if _born_float32(node)}  # before any change
        for node in list(graph.nodes):
            if node.op == "get_attr":
                owner, _, name = node.target.rpartition(".")
                owner = program.get_submodule(owner)
                value = getattr(owner, name)
                if isinstance(value, torch.Tensor) and value.dtype == torch.float32:
                    half = value.detach().to(torch.float16)
                    if name in owner._parameters:
                        owner._parameters[name] = nn.Parameter(half, requires_grad=False)
                    elif name in owner._buffers:
                        owner._buffers[name] = half
                    else:
                        setattr(owner, name, half)
            elif node.op == "call_function":
                _add_instead_of_sub(graph, node)
                # float32 asked for (a dtype argument), or made from no float32 tensor (integers
                # promoted to the default dtype): float16 instead
                if node.kwargs.get("dtype") == torch.float32:
                    node.kwargs = dict(node.kwargs, dtype=torch.float16)
                elif node in born:
                    with graph.inserting_after(node):
                        half = graph.call_function(torch.ops.aten._to_copy.default, (node,),
                                                   {"dtype": torch.float16})
                    node.replace_all_uses_with(half, delete_user_cb=lambda user: user is not half)
        program.recompile()
        self.program = program

    def forward(self, *args):
        args = [a.to(torch.float16) if a.dtype == torch.float32 else a for a in args]
        outputs = self.program(*args)
        single = isinstance(outputs, torch.Tensor)
        outputs = [o.to(torch.float32) if o.dtype == torch.float16 else o
                   for o in ((outputs,) if single else outputs)]
        return outputs[0] if single else tuple(outputs)


def _add_instead_of_sub(graph, node):
    """x - c as x + (-c), c - x as (-x) + c (c a number; the same values): exir turns the number
    of a subtraction into a float32 tensor, which its dtype check then refuses beside a float16
    one (additions and products keep their numbers)."""
    aten = torch.ops.aten
    if (node.target == aten.sub.Tensor and len(node.args) == 2 and not node.kwargs
            and isinstance(node.args[1], (int, float))):
        node.target, node.args = aten.add.Tensor, (node.args[0], -node.args[1])
    elif (node.target == aten.rsub.Scalar and len(node.args) == 2 and not node.kwargs
            and isinstance(node.args[1], (int, float))):
        with graph.inserting_before(node):
            negated = graph.call_function(aten.neg.default, (node.args[0],))
        node.target, node.args = aten.add.Tensor, (negated, node.args[1])


def _born_float32(node):
    """Whether a graph node (an operator) makes a float32 tensor from no float32 tensor."""
    def float32(value):
        return isinstance(value, torch.Tensor) and value.dtype == torch.float32
    if node.op != "call_function" or not float32(node.meta.get("val")):
        return False
    return not any(float32(a.meta.get("val")) for a in node.all_input_nodes)


def _strides(shape):
    """The strides of a contiguous tensor of `shape`, in the default dimension order."""
    strides, n = [], 1
    for d in reversed(shape):
        strides.append(n)
        n *= d
    return tuple(reversed(strides))


def _executorch_folder():
    """The executorch package's folder. A source tree on PYTHONPATH is a namespace package, which
    gathers every folder named executorch on sys.path: also a build folder's shim/executorch when
    Python runs in the build's shim/ (the stand-in's custom command), so the one with exir/."""
    import executorch
    for folder in executorch.__path__:
        if os.path.isdir(os.path.join(folder, "exir")):
            return folder
    raise RuntimeError("no ExecuTorch tree among %s" % list(executorch.__path__))


def executorch_version():
    """MAJOR.MINOR.PATCH of the ExecuTorch that lowers (a source tree has only version.txt)."""
    try:
        from executorch.version import __version__ as version
    except ImportError:
        with open(os.path.join(_executorch_folder(), "version.txt")) as f:
            version = f.read()
    match = re.match(r"\d+\.\d+\.\d+", version.strip())
    if not match:
        raise RuntimeError("cannot tell the ExecuTorch version from %r" % version)
    return match.group(0)


def metadata_text(meta, limits, comment=None, precision="fp32"):
    """The metadata text of an ExecuTorch bundle: `meta` (the keys of a TorchScript bundle but
    the operator ones) plus the exporting torch and ExecuTorch, the `limits` (pte_limits) and
    the precision the program computes in."""
    pte = dict(meta, torch_version=torch.__version__, runtime="executorch",
               executorch_version=executorch_version(), precision=precision, **limits)
    return bundle_meta.format_bundle_meta(pte, comment)


def lower(programs, text):
    """One ExecutorchProgramManager of the exported `programs` (name -> ExportedProgram),
    XNNPACK-delegated, with the constant method METADATA_METHOD returning `text`."""
    from executorch.exir import EdgeCompileConfig, to_edge_transform_and_lower
    partitioner = pte_rewrites.partitioner()
    # the operators XNNPACK takes undecomposed (linear, ...) are no core ATen operators: the
    # check after drop_copies must accept them, as the partitioner does
    kept = set()
    for ep in programs.values():
        kept.update(partitioner.ops_to_not_decompose(ep)[0])
    config = EdgeCompileConfig(_core_aten_ops_exception_list=sorted(kept, key=str))
    edge = to_edge_transform_and_lower(dict(programs), partitioner=[partitioner],
                                       transform_passes=[pte_rewrites.drop_copies],
                                       constant_methods={METADATA_METHOD: text},
                                       compile_config=config)
    return edge.transform([pte_rewrites.float32_outside_delegates]).to_executorch()


# ---------------------------------------------------------------------------------------------
# What the program holds

def _runtime_kernels():
    """The operators an ExecuTorch runtime with the portable kernel library has, as
    ns::name.overload: the library's (kernels/portable/*.yaml) and the built-in prim ops
    (kernels/prim_ops/)."""
    names = set()
    folder = os.path.join(_executorch_folder(), "kernels")
    for yaml in ("functions.yaml", "custom_ops.yaml"):
        with open(os.path.join(folder, "portable", yaml)) as f:
            for line in f:
                m = re.match(r"- (op|func): ([\w:]+\.\w+)", line)
                if m:
                    names.add(m.group(2) if "::" in m.group(2) else "aten::" + m.group(2))
    prim = os.path.join(folder, "prim_ops")
    for source in os.listdir(prim):
        if source.endswith(".cpp"):
            with open(os.path.join(prim, source)) as f:
                names.update(re.findall(r'"(\w+::\w+(?:\.\w+)?)"', f.read()))
    return names


def partition_report(program):
    """Per method of an ExecuTorch program (exir.schema.Program: a manager's executorch_program,
    or a file's deserialize_pte_binary): the delegate calls, the operators left outside the
    XNNPACK delegates (kernel calls: count and the largest tensor each touches, in elements), the
    memory-planned buffers and each delegate's size (bytes of its XNNPACK graph and packed
    weights). name -> dict."""
    report = OrderedDict()
    plans = {plan.name: plan for plan in program.execution_plan}
    for plan in (plans[name] for name in METHODS if name in plans):
        calls, outside, elements = 0, Counter(), Counter()
        for instr in plan.chains[0].instructions:
            kind = type(instr.instr_args).__name__
            if kind == "DelegateCall":
                calls += 1
            elif kind == "KernelCall":
                op = plan.operators[instr.instr_args.op_index]
                name = "%s.%s" % (op.name, op.overload) if op.overload else op.name
                outside[name] += 1
                sizes = [_numel(plan.values[i].val) for i in instr.instr_args.args]
                elements[name] = max([elements[name]] + sizes)
        report[plan.name] = {
            "delegate_calls": calls,
            "outside": OrderedDict((op, (n, elements[op])) for op, n in sorted(outside.items())),
            "planned_bytes": list(plan.non_const_buffer_sizes[1:]),
            "delegate_bytes": [len(program.backend_delegate_data[d.processed.index].data)
                               for d in plan.delegates],
        }
    return report


def _numel(value):
    sizes = getattr(value, "sizes", None)
    if sizes is None:
        return 0
    n = 1
    for s in sizes:
        n *= s
    return n


def missing_kernels(report):
    """Operators outside the delegates that neither the portable kernels nor ExecuTorch's
    built-in prim ops have: a runtime linking them could not load the program."""
    kernels = _runtime_kernels()
    return sorted({op for r in report.values() for op in r["outside"] if op not in kernels})


def format_report(report):
    lines = []
    for name, r in report.items():
        lines.append("%s: %d delegate call(s); delegates %s bytes; memory-planned buffers %s "
                     "bytes" % (name, r["delegate_calls"], r["delegate_bytes"],
                                r["planned_bytes"]))
        for op, (n, elements) in r["outside"].items():
            lines.append("    outside XNNPACK: %-44s x%-3d largest tensor %d elements" % (
                op, n, elements))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Writing and reading

def bundle_bytes(model, meta, limits, comment=None, out=sys.stdout, strict=True,
                 capture=contextlib.nullcontext, precision="fp32"):
    """The bytes of the .pte bundle of `model` (see the module comment) with metadata `meta` (the
    TorchScript keys but those of the exporting runtime: torch_version, min_torch_version, ops),
    its methods captured with export_method(strict=strict, precision=precision) inside the
    context capture() (what a model's code needs patched while it is captured:
    export_edgetam.py), the lowering outside it. Prints the partition report on `out`; returns
    (bytes, report)."""
    text = metadata_text(meta, limits, comment, precision)
    programs = OrderedDict()
    start = time.monotonic()
    with capture():
        for name, (module, inputs, dynamic) in contract_methods(model, meta, limits).items():
            programs[name] = export_method(module, inputs, dynamic, strict, precision)
    exported = time.monotonic()
    manager = lower(programs, text)
    data = manager.buffer
    report = partition_report(manager.executorch_program)
    if out is not None:
        print(format_report(report), file=out)
        print("export %.0f s, lowering %.0f s, %d bytes" % (
            exported - start, time.monotonic() - exported, len(data)), file=out)
    missing = missing_kernels(report)
    if missing:
        raise RuntimeError("export: operators outside XNNPACK that the portable kernels lack: "
                           + ", ".join(missing))
    return data, report


def write_bundle(path, model, meta, limits, comment=None, out=sys.stdout, strict=True,
                 capture=contextlib.nullcontext, precision="fp32"):
    """Writes the .pte bundle (bundle_bytes) to `path` atomically, after checking it reads back
    (check_bundle). Returns the partition report."""
    data, report = bundle_bytes(model, meta, limits, comment, out, strict, capture, precision)
    check_bundle(data)
    bundle_save.write_file(path, data)
    return report


def read_program(data):
    """The exir.schema.Program of .pte bytes (delegate data inline again)."""
    if data[4:8] != b"ET12":
        raise ValueError("not an ExecuTorch program (no ET12 identifier at bytes 4..7)")
    from executorch.exir._serialize._program import deserialize_pte_binary
    return deserialize_pte_binary(data)


def read_metadata(program):
    """The metadata text of a bundle's program (read_program): what METADATA_METHOD returns."""
    for plan in program.execution_plan:
        if plan.name == METADATA_METHOD:
            return plan.values[plan.outputs[0]].val.string_val
    raise ValueError("not an edgetam ExecuTorch bundle: no method %s" % METADATA_METHOD)


def check_bundle(data):
    """Checks .pte bundle bytes as the library will before loading the program: ExecuTorch's
    identifier, the metadata (BUNDLE.md rules) and every method of METHODS present. Returns
    (metadata as key -> str, the program)."""
    program = read_program(data)
    names = {plan.name for plan in program.execution_plan}
    missing = [m for m in METHODS if m not in names]
    if missing:
        raise ValueError("ExecuTorch bundle lacks method(s) %s" % ", ".join(missing))
    meta = bundle_meta.parse_bundle_meta(read_metadata(program))
    bundle_meta.check_bundle_meta(bundle_meta.typed_meta(meta))
    return meta, program


def main(argv=None):
    """Checks .pte bundles and prints their metadata and partition reports."""
    import argparse
    ap = argparse.ArgumentParser(description="Checks edgetam ExecuTorch bundles (.pte) and "
                                             "prints their metadata and partition reports.")
    ap.add_argument("bundles", nargs="+", metavar="FILE")
    ap.add_argument("--operators", action="store_true",
                    help="print only the operators the bundles call outside their delegates, "
                         "one a line: the kernels a runtime needs for them (cmake/executorch/"
                         "build.sh --ops)")
    args = ap.parse_args(argv)
    if args.operators:
        needed = set()
        for path in args.bundles:
            with open(path, "rb") as f:
                for method in partition_report(read_program(f.read())).values():
                    needed.update(method["outside"])
        print("".join(op + "\n" for op in sorted(needed)), end="")
        return 0
    for path in args.bundles:
        with open(path, "rb") as f:
            meta, program = check_bundle(f.read())
        print("%s: %d bytes, metadata checked" % (path, os.path.getsize(path)))
        print("".join("    %s=%s\n" % kv for kv in meta.items()), end="")
        print(format_report(partition_report(program)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
