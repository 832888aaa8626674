"""Rewrites of exported bundle methods (torch.export graphs) that keep their work inside
ExecuTorch's XNNPACK delegate, for bundle_pte.py (shim/BUNDLE.md, "ExecuTorch bundles").

ExecuTorch v0.5.0's XNNPACK partitioner (backends/xnnpack/partition/config/) delegates
convolutions, linear layers, matrix products, softmax over the last dimension, the elementwise
arithmetic (add, sub, mul, div, sqrt, square, clamp, sigmoid, ...), mean over the two innermost
dimensions of a 4D tensor, permutes, slices, 2-4 way concatenations and bilinear resizing. What it
does not take runs in the portable kernels: one thread of reference code each. Our graphs have
five such operators where the work is large, each rewritten here from delegated operators with
the same result up to float32 rounding (tests/pte_parity.py compares every method with the
TorchScript bundle):

- gelu (exact, erf form; RepViT, the mask decoder, the memory encoder, the perceiver): the
  portable kernel evaluates a double-precision erf per element. x * Phi(x) is written as
  x * sigmoid(g(x)) with g = logit(Phi), a polynomial fitted here (see _LOGIT_PHI).
- layer_norm over the last dimension (every attention block): the portable kernel computes the
  variance as E[x^2] - E[x]^2 in float32, which loses digits when the mean is large against the
  spread; here two passes, the means as a product with a 1/C vector (XNNPACK has no mean over one
  dimension).
- mean over the channels of a 4D tensor (LayerNorm2d): a 1x1 convolution with 1/C weights; mean
  over dimensions (2, 3) is renamed (-2, -1), the only spelling the partitioner accepts.
- conv_transpose2d with kernel == stride (the mask decoder's upscaling): the partitioner takes no
  transposed convolution; without overlap it is a 1x1 convolution to Cout*k*k channels followed
  by a depth-to-space permute (same products, same sums).
- _upsample_bilinear2d_aa (decode_mask's antialiased downsample): neither XNNPACK nor the
  portable kernels have it, so a program holding it does not load. For an integer factor its
  weights are a fixed kernel scaled per border row: one strided convolution and a scale map.
- upsample_nearest2d by an integer factor (the FPN top-down path) becomes concatenations of
  views (copies inside XNNPACK) instead of the index gathers torch decomposes it into.
- select and unsqueeze (RoPE's pairs, torch.stack) are portable copies; a slice plus a view and
  a view are not: XNNPACK takes the slice, and ExecuTorch runs static views without copying.
- cat without its empty inputs (the memory attention's keys without RoPE-free tokens) and with
  at most 4 (blocked attention's row blocks, nested): XNNPACK concatenates 2 to 4 tensors.

Constants the rewrites need (1/C vectors, kernels) are created while tracing and folded into
the program by exir's constant_prop_pass (bundle_pte.export_method).

float32_outside_delegates, a pass over a lowered float16 program, runs what stays outside the
delegates in float32 (the portable kernels of v0.5.0 mostly lack float16).

drop_copies, a pass over the edge program before partitioning, removes the copies that are
no-ops there: clone (every tensor of an ExecuTorch program is contiguous) and expand to the same
shape (what torch's matmul decomposition puts before each bmm). Each ran in the portable kernels
and split the delegates around it."""

import torch
import torch.nn.functional as F

aten = torch.ops.aten

# g(x) = logit(Phi(x)) = x * sum_k _LOGIT_PHI[k] * x^(2k) on |x| <= _LOGIT_PHI_RANGE, clamped
# beyond (where x * Phi(x) is x, or 0, to within 1e-9 |x|). Fitted in float64 (iteratively
# reweighted least squares towards minimax, 20001 points on (0, 6]) minimising
# |Phi(x) (1 - Phi(x)) * error of g| + 1e-7 |error of g|: the first term is the error it causes in
# Phi, the second keeps g right where Phi is saturated. Evaluated in float32 over [-12, 12]
# (2M points) against a float64 x * Phi(x): largest error 1.67e-7 |x|; torch's own float32 gelu
# is off by up to 2.49e-7 |x| there.
_LOGIT_PHI = (1.5957699988531286, 0.0726654987447016, -6.4204854885686e-05,
              -0.00011118024187655583, 8.08054445040597e-06, -2.840345486056689e-07,
              4.683363890765223e-09, -2.5804831734443314e-11)
_LOGIT_PHI_RANGE = 6.0


def _gelu(x, approximate="none"):
    if approximate != "none":
        return NotImplemented
    xc = x.clamp(-_LOGIT_PHI_RANGE, _LOGIT_PHI_RANGE)
    t = xc * xc
    g = t * _LOGIT_PHI[-1]
    for c in reversed(_LOGIT_PHI[1:-1]):
        g = (g + c) * t
    return x * torch.sigmoid((g + _LOGIT_PHI[0]) * xc)


def _layer_norm(x, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    if len(normalized_shape) != 1:
        return NotImplemented
    c = normalized_shape[0]
    mean_of = torch.full((1, c), 1.0 / c, dtype=x.dtype)
    d = x - F.linear(x, mean_of)
    y = d / torch.sqrt(F.linear(d * d, mean_of) + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def _mean_dim(x, dim, keepdim=False, dtype=None):
    if dtype is not None or x.dim() != 4 or not keepdim:
        return NotImplemented
    dims = sorted(d % 4 for d in dim)
    if dims == [2, 3] and sorted(dim) != [-2, -1]:
        return aten.mean.dim(x, [-2, -1], True)
    if dims == [1]:
        c = x.size(1)
        return F.conv2d(x, torch.full((1, c, 1, 1), 1.0 / c, dtype=x.dtype))
    return NotImplemented


def _conv_transpose2d(x, weight, bias=None, stride=(1, 1), padding=(0, 0),
                      output_padding=(0, 0), groups=1, dilation=(1, 1)):
    cin, cout, kh, kw = weight.shape
    if (list(stride) != [kh, kw] or any(padding) or any(output_padding) or groups != 1
            or list(dilation) != [1, 1]):
        return NotImplemented
    # output (o, h*kh + a, w*kw + b) = bias[o] + sum_c x[c, h, w] * weight[c, o, a, b]
    w = weight.permute(1, 2, 3, 0).reshape(cout * kh * kw, cin, 1, 1)
    b = None if bias is None else bias.repeat_interleave(kh * kw)
    n, _, h, wd = x.shape
    y = F.conv2d(x, w, b).view(n, cout, kh, kw, h, wd)
    return y.permute(0, 1, 4, 2, 5, 3).reshape(n, cout, h * kh, wd * kw)


def _upsample_nearest2d(x, output_size, scale_factors):
    n, c, h, w = x.shape
    if output_size is not None:
        oh, ow = output_size
    else:
        oh, ow = int(h * scale_factors[0]), int(w * scale_factors[1])
    if oh % h or ow % w:
        return NotImplemented
    sh, sw = oh // h, ow // w
    # one view per copy: the partitioner counts a cat's distinct inputs (2 to 4)
    y = aten.cat.default([x.view(n, c, h, 1, w, 1) for _ in range(sw)], 5)
    y = aten.cat.default([y.view(n, c, h, 1, w, sw) for _ in range(sh)], 3)
    return y.view(n, c, oh, ow)


def _aa_factors(n_in, n_out):
    """torch's antialiased bilinear weights from n_in to n_out samples, [n_out, n_in], as
    (kernel, padding, per-row scale) when every row is scale * the interior kernel at stride
    n_in / n_out (zero padded), else None. Python floats: computed by torch's own kernel outside
    the trace that calls this."""
    from torch.utils._python_dispatch import _disable_current_modes
    if n_in % n_out:
        return None
    with _disable_current_modes():
        factors = _aa_rows(n_in, n_out, n_in // n_out)
    if factors is None:
        return None
    kernel, pad, scale = factors
    return kernel.tolist(), pad, scale.tolist()


def _aa_rows(n_in, n_out, s):
    # the weights by the op itself: row k of the identity resampled is column k of the matrix
    eye = torch.eye(n_in, dtype=torch.float64).view(n_in, 1, 1, n_in)
    m = F.interpolate(eye, size=(1, n_out), mode="bilinear", align_corners=False,
                      antialias=True).view(n_in, n_out).t()
    mid = n_out // 2
    support = m[mid].nonzero().view(-1)
    lo, taps = int(support[0]), int(support[-1]) + 1 - int(support[0])
    pad = s * mid - lo
    kernel = m[mid, lo:lo + taps]
    if pad < 0 or (n_in + 2 * pad - taps) // s + 1 != n_out:
        return None
    scale = torch.zeros(n_out, dtype=torch.float64)
    for j in range(n_out):
        first = s * j - pad
        full = torch.zeros(n_in + 2 * taps, dtype=torch.float64)
        full[first + taps:first + 2 * taps] = kernel
        row = full[taps:taps + n_in]
        scale[j] = m[j].sum() / row.sum()
        if not torch.allclose(m[j], scale[j] * row, rtol=1e-12, atol=1e-15):
            return None
    return kernel, pad, scale


def _upsample_bilinear2d_aa(x, output_size, align_corners, scale_factors):
    n, c, h, w = x.shape
    if align_corners or scale_factors is not None:
        return NotImplemented
    oh, ow = output_size
    fy, fx = _aa_factors(h, oh), _aa_factors(w, ow)
    if fy is None or fx is None:
        return NotImplemented
    ky, kx = _vector(fy[0], x.dtype), _vector(fx[0], x.dtype)
    kernel = (ky.view(-1, 1) * kx.view(1, -1)).expand(c, 1, ky.size(0), kx.size(0))
    rows = _vector(fy[2], x.dtype).view(-1, 1) * _vector(fx[2], x.dtype).view(1, -1)
    y = F.conv2d(x, kernel, stride=(h // oh, w // ow), padding=(fy[1], fx[1]), groups=c)
    return y * rows


def _vector(values, dtype):
    """A constant vector of Python floats built from torch.full runs: a rewrite cannot add a
    tensor constant to the graph (run_decompositions rejects it), but constant_prop_pass folds
    this into one."""
    runs = []
    for v in values:
        if runs and runs[-1][0] == v:
            runs[-1][1] += 1
        else:
            runs.append([v, 1])
    return torch.cat([torch.full((n,), v, dtype=dtype) for v, n in runs])


def _upsample_bilinear2d_aa_default(x, output_size, align_corners, scales_h=None,
                                    scales_w=None):
    if scales_h is not None or scales_w is not None:
        return NotImplemented
    return _upsample_bilinear2d_aa(x, output_size, align_corners, None)


def _avg_pool2d(x, kernel_size, stride=(), padding=(0, 0), ceil_mode=False,
                count_include_pad=True, divisor_override=None):
    # without padding, count_include_pad changes nothing; XNNPACK takes only False
    if any(padding) or not count_include_pad or ceil_mode or divisor_override is not None:
        return NotImplemented
    return aten.avg_pool2d.default(x, kernel_size, stride, padding, False, False, None)


def _static(x):
    return all(isinstance(d, int) for d in x.shape)


def _select(x, dim, index):
    if not _static(x):
        return NotImplemented  # XNNPACK slices only static shapes
    dim %= x.dim()
    index %= x.size(dim)
    shape = [d for i, d in enumerate(x.shape) if i != dim]
    return aten.slice.Tensor(x, dim, index, index + 1).view(shape)


def _unsqueeze(x, dim):
    dim %= x.dim() + 1
    return x.view(list(x.shape[:dim]) + [1] + list(x.shape[dim:]))


def _stack(tensors, dim=0):
    dim %= tensors[0].dim() + 1
    return aten.cat.default([_unsqueeze(t, dim) for t in tensors], dim)


def _cat(tensors, dim=0):
    kept = [t for t in tensors if t.numel() != 0]
    if not kept or (len(kept) == len(tensors) and len(kept) <= 4):
        return NotImplemented
    if len(kept) == 1:
        return kept[0].clone()  # drop_copies removes it
    while len(kept) > 4:
        kept = [aten.cat.default(kept[i:i + 4], dim) if len(kept[i:i + 4]) > 1 else kept[i]
                for i in range(0, len(kept), 4)]
    return aten.cat.default(kept, dim)


TABLE = {
    aten.gelu.default: _gelu,
    aten.layer_norm.default: _layer_norm,
    aten.mean.dim: _mean_dim,
    aten.conv_transpose2d.input: _conv_transpose2d,
    aten.upsample_nearest2d.vec: _upsample_nearest2d,
    aten._upsample_bilinear2d_aa.vec: _upsample_bilinear2d_aa,
    aten._upsample_bilinear2d_aa.default: _upsample_bilinear2d_aa_default,
    aten.avg_pool2d.default: _avg_pool2d,
    aten.select.int: _select,
    aten.unsqueeze.default: _unsqueeze,
    aten.stack.default: _stack,
    aten.cat.default: _cat,
}


def drop_copies(graph_module):
    """The edge program's clones and same-shape expands replaced by their inputs (the module
    comment says why). A pass for to_edge_transform_and_lower's transform_passes."""
    from executorch.exir.dialects._ops import ops as exir_ops
    from executorch.exir.pass_base import PassResult
    clone = exir_ops.edge.aten.clone.default
    expand = exir_ops.edge.aten.expand_copy.default
    changed = False
    for node in list(graph_module.graph.nodes):
        if node.op != "call_function" or node.target not in (clone, expand):
            continue
        source = node.args[0]
        if node.target == clone and node.kwargs.get("memory_format") not in (
                None, torch.contiguous_format):
            continue
        if tuple(source.meta["val"].shape) != tuple(node.meta["val"].shape):
            continue
        if source.op == "placeholder" and any(u.op == "output" for u in node.users):
            continue  # an output must not be an input
        node.replace_all_uses_with(source)
        graph_module.graph.erase_node(node)
        changed = True
    graph_module.recompile()
    return PassResult(graph_module, changed)


# Operators that only move data, which the portable kernels run in any dtype (float16 too).
_MOVES = {"view_copy", "expand_copy", "slice_copy", "select_copy", "unsqueeze_copy",
          "squeeze_copy", "permute_copy", "clone", "cat", "index", "slice_scatter", "copy",
          "_to_dim_order_copy"}


def float32_outside_delegates(graph_module):
    """A pass for a lowered float16 program (bundle_pte._HalfProgram): the operators left outside
    the XNNPACK delegates that compute (not _MOVES) run in float32, their float16 inputs converted
    before and their float16 outputs made float32 and converted back after, because many portable
    kernels of ExecuTorch v0.5.0 have no float16 (argmax, arange, add, sub, neg, sum, where,
    split_with_sizes_copy, ...; argmax aborts the process on one). They are the small operators
    between delegates; a value converted to float16 and straight back is taken as it was. A
    float32 program is left as it is."""
    import operator
    from executorch.exir.dialects._ops import ops as exir_ops
    from executorch.exir.pass_base import PassResult
    cast = exir_ops.edge.dim_order_ops._to_dim_order_copy.default
    graph = graph_module.graph
    made16 = set()  # this pass's conversions to float16

    def half(value):
        return isinstance(value, torch.Tensor) and value.dtype == torch.float16

    def convert(value, dtype, before=None):
        with graph.inserting_before(before) if before is not None else graph.inserting_after(
                value):
            node = graph.call_function(cast, (value,), {
                "dtype": dtype, "dim_order": list(range(value.meta["val"].dim()))})
        node.meta = dict(value.meta, val=value.meta["val"].to(dtype))
        return node

    def back_to_half(value):
        users = list(value.users)
        node = convert(value, torch.float16)
        made16.add(node)
        for user in users:
            user.replace_input_with(value, node)

    changed = False
    for node in list(graph.nodes):
        if (node.op != "call_function" or node.target is operator.getitem
                or "call_delegate" in str(node.target)
                or _op_name(node.target) in _MOVES):
            continue
        val = node.meta.get("val")
        many = isinstance(val, (list, tuple))
        inputs = [a for a in node.all_input_nodes if half(a.meta.get("val"))]
        if not inputs and not any(half(v) for v in (val if many else [val])):
            continue
        changed = True
        for a in inputs:
            node.replace_input_with(a, a.args[0] if a in made16
                                    else convert(a, torch.float32, before=node))
        if node.kwargs.get("dtype") == torch.float16:
            node.kwargs = dict(node.kwargs, dtype=torch.float32)
        if many:
            node.meta["val"] = [v.to(torch.float32) if half(v) else v for v in val]
            for user in list(node.users):  # getitem
                if half(user.meta.get("val")):
                    user.meta["val"] = user.meta["val"].to(torch.float32)
                    back_to_half(user)
        elif half(val):
            node.meta["val"] = val.to(torch.float32)
            back_to_half(node)
    graph.eliminate_dead_code()
    graph_module.recompile()
    return PassResult(graph_module, changed)


def _op_name(target):
    """The operator's name without namespace and overload (view_copy for aten.view_copy.default,
    edge dialect or not)."""
    name = target.name() if callable(getattr(target, "name", None)) else str(target)
    return name.split("::")[-1].split(".")[0]


_PARTITIONER_CONFIGS = []


def partitioner():
    """XNNPACK's partitioner of ExecuTorch v0.5.0 that also takes static views: v0.5.0 leaves
    every view_copy outside, so each reshape (attention heads, RoPE pairs, pixel shuffle) split
    the delegates, and every tensor crossing a split became memory-planned. A view is XNNPACK's
    static reshape, which v0.5.0's runtime already reads (XNNStaticReshape; its exporter writes it
    for squeeze/unsqueeze only): this adds the partitioner config and node visitor for
    view_copy with a static output shape of at most 6 dimensions (XNNPACK's limit), and has the
    delegate's layout pass give a view its input in NCHW, as it does for squeeze / unsqueeze (a
    convolution's output is NHWC inside the delegate, and a reshape of that would mix it up)."""
    from executorch.backends.xnnpack._passes.channels_last_tagged_reshape_pass import (
        ChannelsLastTaggedReshapePass)
    from executorch.backends.xnnpack.operators.node_visitor import (NodeVisitor,
                                                                     register_node_visitor)
    from executorch.backends.xnnpack.partition.config import ALL_PARTITIONER_CONFIGS
    from executorch.backends.xnnpack.partition.config.generic_node_configs import (
        GenericNodePartitionerConfig)
    from executorch.backends.xnnpack.partition.config.xnnpack_config import ConfigPrecisionType
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.backends.xnnpack.serialization.xnnpack_graph_schema import (
        XNNStaticReshape, XNode)
    from executorch.exir.dialects._ops import ops as exir_ops
    if not _PARTITIONER_CONFIGS:
        ChannelsLastTaggedReshapePass.memory_sensitive_ops_nchw.add(
            exir_ops.edge.aten.view_copy.default)
        class ViewCopyConfig(GenericNodePartitionerConfig):
            target_name = "view_copy.default"

            def check_constraints(self, node, ep):
                shapes = (node.meta["val"].shape, node.args[0].meta["val"].shape)
                return (self.check_common_constraints(node, ep)
                        and all(isinstance(d, int) for shape in shapes for d in shape)
                        and max(len(shape) for shape in shapes) <= 6)

            def supported_precision_types(self):
                return [ConfigPrecisionType.FP32]

        @register_node_visitor
        class ViewCopyVisitor(NodeVisitor):
            target = "aten.view_copy.default"

            def define_node(self, node, xnn_graph, vals_to_ids, debug_handle):
                self.define_nodes_tensor_inputs_outputs(node, xnn_graph, vals_to_ids)
                shape = list(node.meta["val"].shape)
                xnn_graph.xnodes.append(XNode(
                    xnode_union=XNNStaticReshape(
                        num_dims=len(shape), new_shape=shape,
                        input_id=vals_to_ids[node.args[0]], output_id=vals_to_ids[node],
                        flags=0),
                    debug_handle=debug_handle))

        _PARTITIONER_CONFIGS.extend(list(ALL_PARTITIONER_CONFIGS) + [ViewCopyConfig])
    return XnnpackPartitioner(configs=_PARTITIONER_CONFIGS)
