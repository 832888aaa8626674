#!/usr/bin/python3
"""Exports Meta's EdgeTAM (the official `sam2` package of facebookresearch/EdgeTAM) to an edgetam
bundle (shim/BUNDLE.md, format version 1).

    python3 shim/export/export_edgetam.py --config configs/edgetam.yaml --checkpoint edgetam.pt \
        --out edgetam.bundle [--lite] [--image-size 512] [--precision fp32|bf16|int8] \
        [--attention blocked|sdpa]

--lite saves the bundle for the lite interpreter (torch's _save_for_lite_interpreter; name it
*.ptl): what an iOS app linking the LibTorch-Lite pod can run. The library loads both kinds.
--attention sdpa (torch 2.x) keeps torch's fused scaled_dot_product_attention in the bundle
(faster; a full-JIT bundle for libtorch >= 2.0, min_torch_version says so); the default, blocked,
runs on every runtime.
--runtime executorch [--precision fp32|fp16] [--max-points N] [--max-conditioning K] writes an
ExecuTorch program instead (name it *.pte; shim/BUNDLE.md, "ExecuTorch bundles"): bundle_pte.py
captures the same bundle module with torch.export and lowers it to XNNPACK, as for the stand-in
(torch 2.6 and ExecuTorch v0.5.0's exporter on PYTHONPATH, e.g. PYTHONPATH=/opt/et
/usr/bin/python3 in Debian 13); fp16: the whole program in float16, for ARM CPUs.

or, from Python, with a model you built yourself (SAM2Base or SAM2VideoPredictor):

    from export_edgetam import export_bundle
    export_bundle(model, "edgetam.bundle")

The CLI builds the model with the official sam2.build_sam.build_sam2_video_predictor(config,
checkpoint, device="cpu") (needs hydra, as the official package does). `--config` is what that
function takes: a config name relative to the sam2 package (configs/edgetam.yaml); a path to a file
inside the installed package is turned into that name.

How the bundle is made. Nothing of the network is re-implemented except the memory attention: the
fixed-shape pieces are torch.jit.trace'd wrappers that CALL the official model's own methods, and a
small scripted glue module exposes the five contract methods and dispatches to them:
  encode_image   trace of SAM2Base.forward_image (FPN levels 0..2, conv_s0/conv_s1 applied)
  decode         4 traces of SAM2Base._forward_sam_heads (multimask on/off x mask input
                 none/given); the number of points P stays dynamic in the traces. P == 0 is fed
                 as one zero point labelled -1, exactly what the official code does for no points.
  decode_mask    trace of SAM2Base._use_mask_as_output
  encode_memory  2 traces (binarize true/false) of the bilinear upsample to S that the video
                 predictor applies + SAM2Base._encode_new_memory (memory encoder + perceiver)
  attend_memory  an own TorchScript implementation of sam2's MemoryAttention forward that uses
                 the official module's parameters and its RoPE tables: a trace would bake the
                 number of memories (the RoPE repeat) and of pointer tokens into the graph.
                 Memory and positions are built as SAM2Base._prepare_memory_conditioned_features
                 builds them.
While tracing, F.scaled_dot_product_attention is replaced by a plain matmul-softmax function so
that the graphs hold no aten::scaled_dot_product_attention (libtorch 1.13 has none; not with
--attention sdpa); the saved graphs are checked for it: the export fails when a runtime the library
supports (from the bundle's min_torch_version on) lacks an operator of the bundle
(shim/export/runtime_ops.py prints each method's operators and each runtime's verdict).

For --runtime executorch the pieces are not traced: each .pte method is a torch.export capture
(non-strict) of the same bundle module with the pieces as they are, under the same environment
plus _export_environment (the prompt encoder's point embedding without boolean-mask indexing);
pte_rewrites.py then rewrites what XNNPACK would not take (transposed convolutions, the
antialiased mask downsample, GELU, layer norm, ...), for this model as for the stand-in.

Run it with Debian's torch (1.13 on Debian 12, 2.6 on Debian 13): /usr/bin/python3.
"""

import argparse
import contextlib
import copy
import io
import math
import os
import sys
import warnings
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    import bundle_meta
    import bundle_save
    import layers
    import runtime_ops
except ImportError:  # imported from elsewhere: these live next to this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bundle_meta
    import bundle_save
    import layers
    import runtime_ops

# The official predictor's frame normalisation (sam2.utils.misc.load_video_frames defaults).
PIXEL_MEAN = (0.485, 0.456, 0.406)
PIXEL_STD = (0.229, 0.224, 0.225)


# ---------------------------------------------------------------------------------------------
# Tracing environment

def plain_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                    scale=None):
    """Stand-in for F.scaled_dot_product_attention while tracing: matmul + softmax, which every
    libtorch has. Only what the official EdgeTAM code uses (no mask, no dropout in eval)."""
    if attn_mask is not None or is_causal or dropout_p > 0.0:
        raise NotImplementedError("export: attention with a mask, causal or dropout")
    s = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    att = torch.softmax(torch.matmul(query, key.transpose(-2, -1)) * s, dim=-1)
    return torch.matmul(att, value)


@contextlib.contextmanager
def _tracing_environment(sdpa=False):
    """Plain attention instead of F.scaled_dot_product_attention (unless `sdpa`:
    layers.ATTENTIONS), and a no-op sdp_kernel (sam2 wraps every attention in
    torch.backends.cuda.sdp_kernel(...), which 1.13 rejects and 2.x deprecates; it only picks CUDA
    kernels). Restored on exit; TracerWarnings silenced (the official code's shape asserts and Python-side checks trigger
    them; the traces are verified against the official model instead)."""
    had_sdpa = hasattr(F, "scaled_dot_product_attention")
    old_sdpa = getattr(F, "scaled_dot_product_attention", None)
    had_kernel = hasattr(torch.backends.cuda, "sdp_kernel")
    old_kernel = getattr(torch.backends.cuda, "sdp_kernel", None)
    if not sdpa:
        F.scaled_dot_product_attention = plain_attention
    torch.backends.cuda.sdp_kernel = lambda *a, **k: contextlib.nullcontext()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            warnings.filterwarnings("ignore", message=".*sigmoid is deprecated.*")
            with torch.no_grad():
                yield
    finally:
        if had_sdpa:
            F.scaled_dot_product_attention = old_sdpa
        else:
            del F.scaled_dot_product_attention
        if had_kernel:
            torch.backends.cuda.sdp_kernel = old_kernel
        else:
            del torch.backends.cuda.sdp_kernel


@contextlib.contextmanager
def _attribute(obj, name, value):
    """Sets obj.name = value for the duration (restores the old value)."""
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _trace(module, inputs):
    # check_trace off: each trace is compared with the official model by the caller's tests
    # (tests/official_reference.py and the exporter's own verification), not by re-running it.
    return torch.jit.trace(module.eval(), inputs, check_trace=False)


# ---------------------------------------------------------------------------------------------
# What the contract supports

def unsupported_settings(model):
    """The settings of `model` that BUNDLE.md / docs/tracking.md cannot express, as messages
    (empty when the model can be exported). Checked:
      - image_size a multiple of 16 and the cross-attention RoPE query grid = (S/16)^2
      - use_high_res_features_in_sam (decode takes hr0/hr1)
      - num_maskmem > 0, memory_temporal_stride_for_eval == 1 (t_pos = num_maskmem - frames back)
      - directly_add_no_mem_embed (attend_memory with n == 0 is feat + no_mem_embed)
      - use_obj_ptrs_in_encoder, add_tpos_enc_to_obj_ptrs false, proj_tpos_enc_in_obj_ptrs false
        (pointers enter with a zero position), only_obj_ptrs_in_the_past_for_eval
      - max_cond_frames_in_attn == -1 (the library chooses the conditioning frames)
      - pred_obj_scores (decode returns an object score)
      - use_mask_input_as_output_without_sam (decode_mask)
      - a spatial perceiver (memory entries are [T, Cm] token sets, 1D latents then 2D latents)
      - the memory attention: RoPEAttention self-attention and RoPEAttentionv2 cross-attention
        whose key RoPE grid has as many cells as the perceiver has 2D latents, batch_first,
        relu/gelu activations
      - a video predictor's non_overlap_masks off (the library does not apply it)
    """
    p = []
    S = int(model.image_size)
    if S % 16:
        p.append("image_size %d is not a multiple of 16" % S)
    if not model.use_high_res_features_in_sam:
        p.append("use_high_res_features_in_sam must be true")
    if model.num_maskmem <= 0:
        p.append("num_maskmem must be positive")
    if model.memory_temporal_stride_for_eval != 1:
        p.append("memory_temporal_stride_for_eval must be 1")
    if not model.directly_add_no_mem_embed:
        p.append("directly_add_no_mem_embed must be true")
    if not model.use_obj_ptrs_in_encoder:
        p.append("use_obj_ptrs_in_encoder must be true")
    if model.add_tpos_enc_to_obj_ptrs or model.proj_tpos_enc_in_obj_ptrs:
        p.append("add_tpos_enc_to_obj_ptrs / proj_tpos_enc_in_obj_ptrs must be false")
    if not model.only_obj_ptrs_in_the_past_for_eval:
        p.append("only_obj_ptrs_in_the_past_for_eval must be true")
    if model.max_cond_frames_in_attn != -1:
        p.append("max_cond_frames_in_attn must be -1")
    if not model.pred_obj_scores:
        p.append("pred_obj_scores must be true")
    if not model.use_mask_input_as_output_without_sam:
        p.append("use_mask_input_as_output_without_sam must be true")
    if getattr(model, "non_overlap_masks", False):
        p.append("non_overlap_masks must be false")
    if model.hidden_dim % model.mem_dim:
        p.append("hidden_dim must be a multiple of the memory dim")
    per = model.spatial_perceiver
    if per is None:
        p.append("a spatial_perceiver is required")
    elif per.num_latents_2d <= 0:
        p.append("the spatial perceiver must have 2D latents")
    ma = model.memory_attention
    if not getattr(ma, "batch_first", True):
        p.append("memory_attention.batch_first must be true")
    H = S // 16
    for i, layer in enumerate(ma.layers):
        sa, ca = layer.self_attn, layer.cross_attn_image
        if type(sa).__name__ != "RoPEAttention" or getattr(sa, "rope_k_repeat", False):
            p.append("memory_attention.layers[%d].self_attn must be RoPEAttention" % i)
        if type(ca).__name__ != "RoPEAttentionv2":
            p.append("memory_attention.layers[%d].cross_attn_image must be RoPEAttentionv2" % i)
        else:
            if ca.freqs_cis_q.shape[0] != H * H:
                p.append("memory_attention.layers[%d]: cross-attention q_sizes must be %dx%d "
                         "(image_size / 16)" % (i, H, H))
            if per is not None and ca.freqs_cis_k.shape[0] != per.num_latents_2d:
                p.append("memory_attention.layers[%d]: cross-attention k_sizes must cover the "
                         "%d 2D perceiver latents" % (i, per.num_latents_2d))
        if layer.activation_str not in ("relu", "gelu"):
            p.append("memory_attention.layers[%d]: activation must be relu or gelu" % i)
    return p


# ---------------------------------------------------------------------------------------------
# Traced wrappers: each CALLS the official model

class _EncodeImage(nn.Module):
    """image [1,3,S,S] -> hr0, hr1 (conv_s0/conv_s1 applied), feat: SAM2Base.forward_image."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image):
        fpn = self.model.forward_image(image)["backbone_fpn"]
        return fpn[0], fpn[1], fpn[2]


class _SamHeads(nn.Module):
    """SAM2Base._forward_sam_heads with points (and optionally a low-res mask prompt) for one
    multimask setting -> (masks, ious, best, obj_ptr, object_score)."""

    def __init__(self, model, multimask):
        super().__init__()
        self.model = model
        self.multimask = bool(multimask)

    def forward(self, pix, hr0, hr1, point_coords, point_labels, mask_input=None):
        points = {"point_coords": point_coords, "point_labels": point_labels}
        (masks, _high_res, ious, best, _high_res_best, obj_ptr,
         score) = self.model._forward_sam_heads(
            backbone_features=pix, point_inputs=points, mask_inputs=mask_input,
            high_res_features=[hr0, hr1], multimask_output=self.multimask)
        return masks, ious, best, obj_ptr, score


class _MaskAsOutput(nn.Module):
    """SAM2Base._use_mask_as_output on the raw feature -> (best, obj_ptr, object_score)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, feat, hr0, hr1, mask):
        best, _, _, _, _, obj_ptr, score = self.model._use_mask_as_output(feat, [hr0, hr1], mask)
        return best, obj_ptr, score


class _EncodeMemory(nn.Module):
    """The video predictor's memory encoding of a low-res mask: bilinear upsample to S (as
    _forward_sam_heads / _consolidate_temp_output_across_obj do), then
    SAM2Base._encode_new_memory (binarise or sigmoid, scale/bias, memory encoder, no-object
    embedding, spatial perceiver) -> memory [1,T,Cm]. The contract's binarize=true is the video
    predictor's encoding of masks from clicks (binarize_mask_from_pts_for_mem_enc=true), whatever
    the flag of the model object: the flag is set while this runs (traced or exported)."""

    def __init__(self, model, binarize):
        super().__init__()
        self.model = model
        self.binarize = bool(binarize)

    def forward(self, feat, best, object_score):
        S = self.model.image_size
        high_res = F.interpolate(best, size=(S, S), mode="bilinear", align_corners=False)
        _, _, H, W = feat.shape
        vision_feats = [feat.flatten(2).permute(2, 0, 1)]  # (HW)BC, as the official code keeps it
        with _attribute(self.model, "binarize_mask_from_pts_for_mem_enc", self.binarize):
            memory, _pos = self.model._encode_new_memory(
                current_vision_feats=vision_feats, feat_sizes=[(H, W)],
                pred_masks_high_res=high_res, object_score_logits=object_score,
                is_mask_from_pts=self.binarize)
        return memory


# ---------------------------------------------------------------------------------------------
# Memory attention (own TorchScript implementation, official parameters)

def _rotate_pairs(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotary encoding with real numbers: the last dim of x holds pairs (x[2i], x[2i+1]) read as
    complex numbers, each multiplied by cos[.., i] + j sin[.., i] (cos/sin broadcast over the
    leading dims, [tokens, D/2])."""
    shape = list(x.size())
    pairs = x.reshape(shape[:-1] + [shape[-1] // 2, 2])
    re = pairs[..., 0]
    im = pairs[..., 1]
    out = torch.stack([re * cos - im * sin, re * sin + im * cos], dim=-1)
    return out.reshape(shape)


# Query rows per block of the memory attention. The frame's 4096 queries (S = 1024) against up to
# ~4k keys make score matrices of 64 MB; softmax and the second product then stream them through
# memory. Blocks of 256 rows keep each score block (4 MB) in cache: measured on one AVX-512 core
# (torch 1.13), 4096 x 4096 x 256 attention 1363 ms whole, 377 ms in blocks of 256 (128: 345,
# 512: 423, 1024: 1609); 4096 x 3648 keys 1354 vs 353 ms.
ATTENTION_BLOCK = 256


def _attention_rows(q: torch.Tensor, kt: torch.Tensor, v: torch.Tensor, scale: float,
                    key_bias: Optional[torch.Tensor]) -> torch.Tensor:
    s = torch.matmul(q, kt)
    if s.dtype == torch.bfloat16:  # bf16_products: scale, bias and softmax in float32
        s = s.float()
    s = s * scale
    if key_bias is not None:
        s = s + key_bias
    p = torch.softmax(s, dim=-1)
    if v.dtype == torch.bfloat16:
        p = p.to(torch.bfloat16)
    return torch.matmul(p, v)


def blocked_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scale: float,
                      block: int, key_bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """softmax(q k^T * scale + key_bias) v over the last two dims, `block` query rows at a time:
    the same arithmetic row by row as the whole product (each row's softmax sees all its keys).
    key_bias [Nk] (optional) is added to every row's scores: the ExecuTorch bundles' padded keys
    (bundle_pte.padding_key_bias); without it the scores are exactly those of before."""
    kt = k.transpose(-2, -1)
    n = q.size(-2)
    if n <= block:
        return _attention_rows(q, kt, v, scale, key_bias)
    parts: List[torch.Tensor] = []
    for start in range(0, n, block):
        parts.append(_attention_rows(q[..., start:start + block, :], kt, v, scale, key_bias))
    return torch.cat(parts, dim=-2)


def _cos_sin(freqs_cis):
    """A complex RoPE table of the official code as two real float32 tables."""
    return freqs_cis.real.float().contiguous(), freqs_cis.imag.float().contiguous()


class _RoPEAttention(nn.Module):
    """The attention of sam2's RoPEAttention / RoPEAttentionv2 in eval: projections of the
    official module, RoPE on queries (all) and on keys (see forward), softmax(q k^T / sqrt(d)) v.
    bf16_products (bfloat16_parts): q k^T and the weighted sum of v in bfloat16, the rest float32.
    sdpa (layers.use_sdpa): scaled_dot_product_attention instead of blocked_attention.
    """
    __constants__ = ["bf16_products", "sdpa"]

    def __init__(self, attn, q_table, k_table):
        super().__init__()
        self.bf16_products = False
        self.sdpa = False
        self.q_proj = attn.q_proj
        self.k_proj = attn.k_proj
        self.v_proj = attn.v_proj
        self.out_proj = attn.out_proj
        self.heads = int(attn.num_heads)
        self.head_dim = int(attn.internal_dim // attn.num_heads)
        self.scale = 1.0 / math.sqrt(self.head_dim)
        self.block = ATTENTION_BLOCK
        self.register_buffer("q_cos", q_table[0])
        self.register_buffer("q_sin", q_table[1])
        self.register_buffer("k_cos", k_table[0])
        self.register_buffer("k_sin", k_table[1])

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        return x.view(x.size(0), x.size(1), self.heads, self.head_dim).transpose(1, 2)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, entries: int,
                rope_tokens: int, key_bias: Optional[torch.Tensor] = None) -> torch.Tensor:
        """q [1,Nq,C], k/v [1,Nk,Ckv]. The first `rope_tokens` keys are `entries` equal blocks;
        in each block the last len(k table) tokens get the key RoPE (repeated per block), the
        others none; keys after rope_tokens (object pointers) get none. Self-attention passes
        entries = 1, rope_tokens = Nk with a full-size key table. key_bias: blocked_attention."""
        q = self._heads(self.q_proj(q))
        k = self._heads(self.k_proj(k))
        v = self._heads(self.v_proj(v))
        q = _rotate_pairs(q, self.q_cos, self.q_sin)
        b = k.size(0)
        per_entry = rope_tokens // entries
        n_rot = self.k_cos.size(0)
        blocks = k[:, :, :rope_tokens].reshape(b, self.heads, entries, per_entry, self.head_dim)
        plain = blocks[:, :, :, :per_entry - n_rot]
        rotated = _rotate_pairs(blocks[:, :, :, per_entry - n_rot:], self.k_cos, self.k_sin)
        k_rope = torch.cat([plain, rotated], dim=3).reshape(b, self.heads, rope_tokens,
                                                            self.head_dim)
        k = torch.cat([k_rope, k[:, :, rope_tokens:]], dim=2)
        if self.bf16_products:
            q, k, v = q.to(torch.bfloat16), k.to(torch.bfloat16), v.to(torch.bfloat16)
        if self.sdpa:  # a constant: TorchScript compiles only the branch taken
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=key_bias)
        else:
            out = blocked_attention(q, k, v, self.scale, self.block, key_bias)
        if self.bf16_products:
            out = out.to(torch.float32)
        out = out.transpose(1, 2)
        out = out.reshape(out.size(0), out.size(1), self.heads * self.head_dim)
        return self.out_proj(out)


class _MemoryAttentionLayer(nn.Module):
    """sam2 MemoryAttentionLayer in eval (pre-norm self-attention, cross-attention, FFN)."""

    def __init__(self, layer, self_tables, cross_q_table, cross_k_table):
        super().__init__()
        self.self_attn = _RoPEAttention(layer.self_attn, self_tables, self_tables)
        self.cross_attn = _RoPEAttention(layer.cross_attn_image, cross_q_table, cross_k_table)
        self.norm1 = layer.norm1
        self.norm2 = layer.norm2
        self.norm3 = layer.norm3
        self.linear1 = layer.linear1
        self.linear2 = layer.linear2
        self.gelu = layer.activation_str == "gelu"
        self.pos_at_self = bool(layer.pos_enc_at_attn)
        self.pos_at_cross_q = bool(layer.pos_enc_at_cross_attn_queries)
        self.pos_at_cross_k = bool(layer.pos_enc_at_cross_attn_keys)

    def forward(self, x: torch.Tensor, x_pos: torch.Tensor, mem: torch.Tensor,
                mem_pos: torch.Tensor, entries: int, rope_tokens: int,
                key_bias: Optional[torch.Tensor] = None) -> torch.Tensor:
        y = self.norm1(x)
        q = y + x_pos if self.pos_at_self else y
        x = x + self.self_attn(q, q, y, 1, q.size(1))
        y = self.norm2(x)
        q = y + x_pos if self.pos_at_cross_q else y
        k = mem + mem_pos if self.pos_at_cross_k else mem
        x = x + self.cross_attn(q, k, mem, entries, rope_tokens, key_bias)
        y = self.linear1(self.norm3(x))
        y = F.gelu(y) if self.gelu else F.relu(y)
        return x + self.linear2(y)


class MemoryAttention(nn.Module):
    """sam2 MemoryAttention.forward for one frame, batch 1, any number of memory entries and
    pointer tokens: feat [1,C,H,W], memory tokens [N,Cm] with positions [N,Cm] -> [1,C,H,W];
    key_bias [N] (optional) is added to the cross-attention scores (blocked_attention)."""

    def __init__(self, model, feat_pos):
        super().__init__()
        ma = model.memory_attention
        hw = feat_pos.shape[-2] * feat_pos.shape[-1]
        layers = []
        tables = {}  # one copy of identical tables in the archive

        def shared(key, table):
            cos, sin = _cos_sin(table)
            for other in tables.values():
                if other[0].shape == cos.shape and torch.equal(other[0], cos) and \
                        torch.equal(other[1], sin):
                    return other
            tables[key] = (cos, sin)
            return tables[key]

        for i, layer in enumerate(ma.layers):
            sa = layer.self_attn
            # RoPEAttention recomputes its table for sqrt(Nq) x sqrt(Nq) queries when its
            # configured feat_sizes do not match (EdgeTAM: 32x32 configured, 64x64 used).
            if sa.freqs_cis.shape[0] == hw:
                sa_table = sa.freqs_cis
            else:
                side = math.sqrt(hw)
                sa_table = sa.compute_cis(end_x=side, end_y=side)
            ca = layer.cross_attn_image
            layers.append(_MemoryAttentionLayer(
                layer, shared(("sa", i), sa_table), shared(("q", i), ca.freqs_cis_q),
                shared(("k", i), ca.freqs_cis_k)))
        self.layers = nn.ModuleList(layers)
        self.norm = ma.norm
        self.input_pos_scale = 0.1 if ma.pos_enc_at_input else 0.0
        # the frame's (constant) sine position encoding, [1,HW,C]
        self.register_buffer("feat_pos", feat_pos.flatten(2).transpose(1, 2).contiguous())

    def forward(self, feat: torch.Tensor, mem: torch.Tensor, mem_pos: torch.Tensor,
                entries: int, rope_tokens: int, key_bias: Optional[torch.Tensor] = None
                ) -> torch.Tensor:
        b, c, h, w = feat.size(0), feat.size(1), feat.size(2), feat.size(3)
        x = feat.flatten(2).transpose(1, 2)
        x = x + self.input_pos_scale * self.feat_pos
        m = mem.unsqueeze(0)
        mp = mem_pos.unsqueeze(0)
        for layer in self.layers:
            x = layer(x, self.feat_pos, m, mp, entries, rope_tokens, key_bias)
        x = self.norm(x)
        return x.transpose(1, 2).reshape(b, c, h, w)


PRECISIONS = ("fp32", "bf16", "int8")


class _Bfloat16Linear(nn.Module):
    """A Linear whose product runs in bfloat16 (weights stored so), float32 in and out."""

    def __init__(self, linear):
        super().__init__()
        self.linear = copy.deepcopy(linear).to(torch.bfloat16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.to(torch.bfloat16)).to(torch.float32)


# What bfloat16_parts can put in bfloat16, the big matrix products of the memory attention:
# projections (q/k/v/out) and attention products (q k^T, weights x v) of the self- and the
# cross-attention, and the MLP. Softmax, layer norms, residual sums and RoPE stay float32.
BF16_PARTS = ("self_proj", "self_products", "cross_proj", "cross_products", "mlp")
# What --precision bf16 puts in bfloat16, from the per-part ablation (README, "Performance"; profile,
# S = 512, one thread, libtorch 1.13): the MLP halves attend_memory at min mask IoU 0.9996 against
# float32; the projections move masks most (0.992) and the attention products gain nothing.
BF16_DEFAULT = ("mlp",)


def bfloat16_parts(memory_attention, parts):
    """A copy of `memory_attention` (MemoryAttention) with `parts` (of BF16_PARTS) in bfloat16."""
    unknown = set(parts) - set(BF16_PARTS)
    if unknown:
        raise ValueError("export: no bfloat16 part %s" % ", ".join(sorted(unknown)))
    ma = copy.deepcopy(memory_attention)
    for layer in ma.layers:
        for name, attn in (("self", layer.self_attn), ("cross", layer.cross_attn)):
            if name + "_proj" in parts:
                for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                    setattr(attn, proj, _Bfloat16Linear(getattr(attn, proj)))
            attn.bf16_products = name + "_products" in parts
        if "mlp" in parts:
            layer.linear1 = _Bfloat16Linear(layer.linear1)
            layer.linear2 = _Bfloat16Linear(layer.linear2)
    return ma


def with_precision(memory_attention, precision):
    """The memory attention as `precision` computes it: fp32 (unchanged), bf16 (the products of
    BF16_DEFAULT in bfloat16, bfloat16_parts) or int8 (every Linear dynamically quantised to int8
    weights, activations quantised per call: fbgemm on x86, qnnpack on ARM; the attention products
    stay float32). A copy: the official model's modules are left as they are."""
    if precision not in PRECISIONS:
        raise ValueError("export: precision must be one of %s" % ", ".join(PRECISIONS))
    if precision == "fp32":
        return memory_attention
    if precision == "bf16":
        return bfloat16_parts(memory_attention, BF16_DEFAULT)
    return torch.ao.quantization.quantize_dynamic(copy.deepcopy(memory_attention), {nn.Linear},
                                                  dtype=torch.qint8)


def memory_bank_tokens(memory: torch.Tensor, memory_tpos: torch.Tensor, obj_ptrs: torch.Tensor,
                       maskmem_tpos_enc: torch.Tensor, memory_pos: torch.Tensor, hidden_dim: int
                       ) -> Tuple[torch.Tensor, torch.Tensor]:
    """attend_memory's keys as SAM2Base._prepare_memory_conditioned_features builds them: the n
    memory entries [n,T,Cm] then the pointers [p,C] split into C/Cm tokens each, and their
    positions: an entry's is the perceiver position memory_pos [T,Cm] plus
    maskmem_tpos_enc[num_maskmem - t_pos - 1] (index_select fails on a t_pos out of range), a
    pointer token's is zero. Returns ([n*T + p*C/Cm, Cm], the same shape)."""
    n, T, Cm = memory.size(0), memory.size(1), memory.size(2)
    t_index = (maskmem_tpos_enc.size(0) - 1) - memory_tpos.to(torch.long)
    t_enc = maskmem_tpos_enc.index_select(0, t_index)  # [n,Cm]
    mem_pos = (memory_pos.unsqueeze(0) + t_enc.unsqueeze(1)).reshape(n * T, Cm)
    ptr = obj_ptrs.reshape(obj_ptrs.size(0) * (hidden_dim // Cm), Cm)
    tokens = torch.cat([memory.reshape(n * T, Cm), ptr], dim=0)
    return tokens, torch.cat([mem_pos, torch.zeros_like(ptr)], dim=0)


class AttendMemory(nn.Module):
    """BUNDLE.md's attend_memory over a subclass's hidden_dim, no_mem_embed [C],
    maskmem_tpos_enc [num_maskmem,Cm], memory_pos [T,Cm] and memory_attention (MemoryAttention):
    the exporter's bundle and the benchmark profile (edgetam_profile.py) both inherit it, so that
    they run the same code."""

    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, memory_tpos: torch.Tensor,
                      obj_ptrs: torch.Tensor) -> torch.Tensor:
        C = self.hidden_dim
        n = memory.size(0)
        if n == 0:  # initial conditioning frame: directly_add_no_mem_embed
            return (feat + self.no_mem_embed.view(1, C, 1, 1)).contiguous()
        tokens, tokens_pos = memory_bank_tokens(memory, memory_tpos, obj_ptrs,
                                                self.maskmem_tpos_enc, self.memory_pos, C)
        return self.memory_attention(feat, tokens, tokens_pos, n, n * memory.size(1)).contiguous()

    def attend_memory_padded(self, feat: torch.Tensor, memory: torch.Tensor,
                             memory_tpos: torch.Tensor, obj_ptrs: torch.Tensor,
                             key_bias: torch.Tensor) -> torch.Tensor:
        """attend_memory over every row of padded memories / pointers, key_bias added to the
        cross-attention scores: the ExecuTorch bundles' attend_memory (bundle_pte.py; Python
        only, not part of the TorchScript bundle)."""
        n = memory.size(0)
        tokens, tokens_pos = memory_bank_tokens(memory, memory_tpos, obj_ptrs,
                                                self.maskmem_tpos_enc, self.memory_pos,
                                                self.hidden_dim)
        return self.memory_attention(feat, tokens, tokens_pos, n, n * memory.size(1),
                                     key_bias).contiguous()


# ---------------------------------------------------------------------------------------------
# The bundle module

class EdgeTAMBundle(AttendMemory):
    """The five methods of BUNDLE.md, dispatching to the traced pieces."""

    def __init__(self, pieces, memory_attention, model, memory_pos):
        super().__init__()
        self.image_encoder = pieces["encode_image"]
        self.heads_single = pieces["heads_single"]
        self.heads_single_mask = pieces["heads_single_mask"]
        self.heads_multi = pieces["heads_multi"]
        self.heads_multi_mask = pieces["heads_multi_mask"]
        self.mask_as_output = pieces["decode_mask"]
        self.memory_soft = pieces["memory_soft"]
        self.memory_binary = pieces["memory_binary"]
        self.memory_attention = memory_attention
        C, Cm = model.hidden_dim, model.mem_dim
        self.hidden_dim = int(C)
        self.memory_dim = int(Cm)
        self.num_maskmem = int(model.num_maskmem)
        self.register_buffer("no_mem_embed", model.no_mem_embed.detach().reshape(C).clone())
        self.register_buffer("maskmem_tpos_enc",
                             model.maskmem_tpos_enc.detach().reshape(-1, Cm).clone())
        # the perceiver's position encoding of a memory entry (zeros for the 1D latents, a sine
        # grid for the 2D latents): the same for every entry, [T,Cm]
        self.register_buffer("memory_pos", memory_pos.reshape(-1, Cm).contiguous())

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hr0, hr1, feat = self.image_encoder(image)
        return hr0.contiguous(), hr1.contiguous(), feat.contiguous()

    @torch.jit.export
    def decode(self, pix: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
               point_coords: torch.Tensor, point_labels: torch.Tensor, mask_input: torch.Tensor,
               multimask: bool
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        coords = point_coords.to(torch.float32)
        labels = point_labels.to(torch.int32)
        if coords.size(1) == 0:  # no points: the official padding point (0, 0) labelled -1
            coords = torch.zeros(1, 1, 2, dtype=torch.float32, device=pix.device)
            labels = torch.full([1, 1], -1, dtype=torch.int32, device=pix.device)
        if mask_input.numel() > 0:
            if multimask:
                out = self.heads_multi_mask(pix, hr0, hr1, coords, labels, mask_input)
            else:
                out = self.heads_single_mask(pix, hr0, hr1, coords, labels, mask_input)
        else:
            if multimask:
                out = self.heads_multi(pix, hr0, hr1, coords, labels)
            else:
                out = self.heads_single(pix, hr0, hr1, coords, labels)
        masks, ious, best, obj_ptr, score = out
        # with one mask, `best` is `masks` itself: hand out separate tensors
        best = best.clone(memory_format=torch.contiguous_format)
        return (masks.contiguous(), ious.contiguous(), best, obj_ptr.contiguous(),
                score.contiguous())

    @torch.jit.export
    def decode_mask(self, feat: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
                    mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        best, obj_ptr, score = self.mask_as_output(feat, hr0, hr1, mask.to(torch.float32))
        return best.contiguous(), obj_ptr.contiguous(), score.contiguous()

    @torch.jit.export
    def encode_memory(self, feat: torch.Tensor, best: torch.Tensor, object_score: torch.Tensor,
                      binarize: bool) -> torch.Tensor:
        if binarize:
            memory = self.memory_binary(feat, best, object_score)
        else:
            memory = self.memory_soft(feat, best, object_score)
        return memory.contiguous()


# ---------------------------------------------------------------------------------------------
# Export

def _core_model(model):
    """The SAM2Base inside `model` (itself for SAM2Base / SAM2VideoPredictor)."""
    for name in ("model", "predictor"):  # e.g. a SAM2ImagePredictor-like holder
        inner = getattr(model, name, None)
        if isinstance(inner, nn.Module) and hasattr(inner, "_forward_sam_heads"):
            return inner
    if not hasattr(model, "_forward_sam_heads"):
        raise TypeError("export: expected an official sam2 SAM2Base / SAM2VideoPredictor")
    return model


def _example_inputs(model):
    S = int(model.image_size)
    C = int(model.hidden_dim)
    H = S // 16
    LR = S // 4
    C0 = model.sam_mask_decoder.conv_s0.out_channels
    C1 = model.sam_mask_decoder.conv_s1.out_channels
    g = torch.Generator().manual_seed(0)
    ex = {
        "image": torch.randn(1, 3, S, S, generator=g),
        "feat": torch.randn(1, C, H, H, generator=g),
        "hr0": torch.randn(1, C0, 4 * H, 4 * H, generator=g),
        "hr1": torch.randn(1, C1, 2 * H, 2 * H, generator=g),
        # P stays symbolic in the trace. Every label value occurs twice (with the padding
        # point, -1 too): the prompt encoder's `emb[labels == k] += w` is traced through
        # Tensor.__setitem__, which bakes a view that drops the leading 1 when exactly one point
        # has label k; with two, nothing about the counts is baked.
        "coords": torch.rand(1, 9, 2, generator=g) * S,
        "labels": torch.tensor([[-1, 0, 0, 1, 1, 2, 2, 3, 3]], dtype=torch.int32),
        "mask_lr": torch.randn(1, 1, LR, LR, generator=g) * 8.0,
        "mask_full": (torch.rand(1, 1, S, S, generator=g) > 0.5).float(),
        "score": torch.ones(1, 1),
    }
    return ex


def bundle_model(model, precision="fp32", trace=True, attention="blocked"):
    """EdgeTAMBundle of `model` (a SAM2Base) and its metadata dict without the exporting runtime's
    keys. trace: its pieces are torch.jit.trace'd, for torch.jit.script (build_bundle_module);
    else they are the wrappers themselves, which bundle_pte.py captures with torch.export (under
    _tracing_environment and _export_environment). `precision`: see with_precision; `attention`:
    see layers.ATTENTIONS (sdpa: traced only)."""
    sdpa = attention == "sdpa"
    problems = unsupported_settings(model)
    if problems:
        raise ValueError("export: this model does not fit the bundle contract:\n  - "
                         + "\n  - ".join(problems))
    ex = _example_inputs(model)
    piece = _trace if trace else (lambda module, inputs: module.eval())
    with _tracing_environment(sdpa):
        # constants, computed once by the official code itself: the frame's sine position
        # encoding (memory attention queries) and the perceiver's position of a memory entry
        # (these calls also fill sam2's position-encoding caches with real tensors, which a
        # torch.export capture then reads as constants)
        backbone_out = model.forward_image(ex["image"])
        feat_pos = backbone_out["vision_pos_enc"][-1][:1].detach().clone()  # [1,C,H,W]
        H = int(model.image_size) // 16
        high = F.interpolate(ex["mask_lr"], size=(model.image_size, model.image_size),
                             mode="bilinear", align_corners=False)
        memory, memory_pos = model._encode_new_memory(
            [ex["feat"].flatten(2).permute(2, 0, 1)], [(H, H)], high, ex["score"], False)
        memory_pos = memory_pos[0][:1].detach().clone()  # [1,T,Cm]
        T = memory.shape[1]

        f, h0, h1 = ex["feat"], ex["hr0"], ex["hr1"]
        pts = (ex["coords"], ex["labels"])
        pieces = {
            "encode_image": piece(_EncodeImage(model), (ex["image"],)),
            "heads_single": piece(_SamHeads(model, False), (f, h0, h1) + pts),
            "heads_single_mask": piece(_SamHeads(model, False), (f, h0, h1) + pts
                                       + (ex["mask_lr"],)),
            "heads_multi": piece(_SamHeads(model, True), (f, h0, h1) + pts),
            "heads_multi_mask": piece(_SamHeads(model, True), (f, h0, h1) + pts
                                      + (ex["mask_lr"],)),
            "decode_mask": piece(_MaskAsOutput(model), (f, h0, h1, ex["mask_full"])),
            "memory_soft": piece(_EncodeMemory(model, False), (f, ex["mask_lr"], ex["score"])),
            "memory_binary": piece(_EncodeMemory(model, True), (f, ex["mask_lr"], ex["score"])),
        }
        memory_attention = with_precision(MemoryAttention(model, feat_pos), precision)
        if sdpa:
            layers.use_sdpa(memory_attention)
        bundle = EdgeTAMBundle(pieces, memory_attention, model, memory_pos)

    meta = {
        "format": bundle_meta.FORMAT,
        "format_version": bundle_meta.FORMAT_VERSION,
        "model": "edgetam",
        "image_size": int(model.image_size),
        "hidden_dim": int(model.hidden_dim),
        "memory_dim": int(model.mem_dim),
        "high_res_dim0": int(model.sam_mask_decoder.conv_s0.out_channels),
        "high_res_dim1": int(model.sam_mask_decoder.conv_s1.out_channels),
        "memory_tokens": int(T),
        "num_maskmem": int(model.num_maskmem),
        "max_obj_ptrs": int(model.max_obj_ptrs_in_encoder),
        "multimask_output_in_sam": int(bool(model.multimask_output_in_sam)),
        "multimask_output_for_tracking": int(bool(model.multimask_output_for_tracking)),
        "multimask_min_pt_num": int(model.multimask_min_pt_num),
        "multimask_max_pt_num": int(model.multimask_max_pt_num),
        "sigmoid_scale_for_mem_enc": float(model.sigmoid_scale_for_mem_enc),
        "sigmoid_bias_for_mem_enc": float(model.sigmoid_bias_for_mem_enc),
        "pixel_mean": PIXEL_MEAN,
        "pixel_std": PIXEL_STD,
    }
    return bundle, meta


def build_bundle_module(model, precision="fp32", attention="blocked"):
    """The scripted bundle module and its metadata dict without the operator keys (which
    bundle_save.bundle_bytes computes from the module); `precision`: see with_precision;
    `attention`: see layers.ATTENTIONS."""
    bundle, meta = bundle_model(_core_model(model), precision, attention=attention)
    with _tracing_environment(attention == "sdpa"):
        scripted = torch.jit.script(bundle)
    return scripted, meta  # bundle_save.bundle_bytes adds the operator keys and checks it all


def check_saved_bundle(data, lite=False, out=sys.stdout):
    """Reloads the archive bytes and checks the metadata, that the lite interpreter loads a lite
    bundle, and that every supported runtime from the bundle's min_torch_version on (all of them
    but for --attention sdpa) has every operator of every method (listed on `out`; a lite bundle
    keeps the full program too). Returns the metadata as saved."""
    if lite:
        bundle_save.load_lite(data)
    extra = {bundle_meta.FILE_NAME: ""}
    loaded = torch.jit.load(io.BytesIO(data), map_location="cpu", _extra_files=extra)
    meta = bundle_meta.typed_meta(bundle_meta.parse_bundle_meta(extra[bundle_meta.FILE_NAME]))
    bundle_meta.check_bundle_meta(meta)
    oldest = runtime_ops.torch_version(meta["min_torch_version"])
    new_enough = {name for name, version, _ in runtime_ops.known_runtimes() if version >= oldest}
    lacking = {rt: ops for rt, ops in runtime_ops.report(loaded, out).items()
               if ops and rt in new_enough}
    if lacking:
        raise RuntimeError("export: runtimes the library supports lack operators of this bundle: "
                           + "; ".join("%s lacks %s" % (rt, ", ".join(ops))
                                       for rt, ops in lacking.items()))
    return meta


RUNTIMES = ("torchscript", "executorch")


def export_bundle(model, out_path, comment=None, lite=False, precision="fp32",
                  runtime="torchscript", max_points=None, max_conditioning=1,
                  attention="blocked"):
    """Writes the bundle of an official EdgeTAM model (SAM2Base or SAM2VideoPredictor, built and
    loaded by the caller) to `out_path`: TorchScript (for the lite interpreter if `lite`), or with
    runtime="executorch" an ExecuTorch program (.pte, shim/BUNDLE.md "ExecuTorch bundles";
    `max_points` / `max_conditioning`: bundle_pte.pte_limits; precision fp32 or fp16, the whole
    program) written by bundle_pte.py from the same EdgeTAMBundle, exactly as
    make_standin_bundle.py writes its .pte (torch 2.6 and ExecuTorch v0.5.0's exporter);
    `attention`: see layers.ATTENTIONS. The model is used in eval mode on the CPU; its mode, flags
    and caches are restored afterwards. Returns the metadata dict, as saved."""
    if runtime not in RUNTIMES:
        raise ValueError("export: runtime must be one of %s" % ", ".join(RUNTIMES))
    layers.check_attention(attention, lite, runtime)
    if runtime == "executorch" and (lite or precision not in ("fp32", "fp16")):
        raise ValueError("export: ExecuTorch bundles are fp32 or fp16 programs (no lite, no %s)"
                         % precision)
    core = _core_model(model)
    was_training = core.training
    device = next(core.parameters()).device
    if device.type != "cpu":
        raise ValueError("export: move the model to the CPU first (model.to('cpu'))")
    comment = comment or ("edgetam bundle: official EdgeTAM exported by "
                          "shim/export/export_edgetam.py (torch %s, %s %s)"
                          % (torch.__version__, precision, "memory attention"
                             if runtime == "torchscript" else "program")
                          + (", scaled_dot_product_attention" if attention == "sdpa" else ""))
    core.eval()
    try:
        if runtime == "executorch":
            return _export_pte(core, out_path, comment, max_points, max_conditioning, precision)
        bundle, meta = build_bundle_module(core, precision, attention)
    finally:
        core.train(was_training)
    data = bundle_save.bundle_bytes(bundle, meta, lite=lite, comment=comment)
    saved = check_saved_bundle(data, lite)  # before anything is written
    bundle_save.write_file(out_path, data)
    return saved


# ---------------------------------------------------------------------------------------------
# ExecuTorch bundles (shim/BUNDLE.md, "ExecuTorch bundles")
#
# bundle_pte.py writes the .pte of the EdgeTAMBundle above with untraced pieces, as it writes the
# stand-in's and the profile's (its wrappers, torch.export, pte_rewrites.py, one XNNPACK program);
# what is here is what only the official code needs around those captures (_export_environment).

def _embed_points_exportable(prompt_encoder, points, labels, pad):
    """sam2 PromptEncoder._embed_points computed with torch.where instead of boolean-mask
    read-modify-writes. The official `emb[labels == k] += w` reads the matching rows (a row count
    only known at run time: torch.export turns it into aten.index with an unbacked size, runtime
    asserts and an index_put, which ExecuTorch cannot plan memory for), adds w and writes them
    back. where(labels == k, emb + w, emb) gives every row exactly what that does, in the same
    order (-1 rows: 0 + not_a_point; then labels 0..3), so the result is bit-identical. Points,
    the padding point (with pad) and the Fourier encoding are the official module's."""
    points = points + 0.5  # pixel centres, as the official method shifts them
    if pad:
        points = torch.cat([points, torch.zeros((points.shape[0], 1, 2), device=points.device)],
                           dim=1)
        # float labels, as the official int32 + float32 concatenation promotes them (written
        # out: ExecuTorch's IR check refuses a cat of mixed dtypes)
        labels = torch.cat([labels.to(torch.float32),
                            -torch.ones((labels.shape[0], 1), device=labels.device)], dim=1)
    emb = prompt_encoder.pe_layer.forward_with_coords(points, prompt_encoder.input_image_size)
    lab = labels.unsqueeze(-1)
    emb = torch.where(lab == -1, torch.zeros_like(emb) + prompt_encoder.not_a_point_embed.weight,
                      emb)
    for k, table in enumerate(prompt_encoder.point_embeddings):
        emb = torch.where(lab == k, emb + table.weight, emb)
    return emb


@contextlib.contextmanager
def _instance_method(obj, name, function):
    """obj.name = function (an instance attribute over the class's method) for the duration;
    the instance is left exactly as before (the attribute is removed again)."""
    had = name in obj.__dict__
    old = obj.__dict__.get(name)
    obj.__dict__[name] = function
    try:
        yield
    finally:
        if had:
            obj.__dict__[name] = old
        else:
            del obj.__dict__[name]


@contextlib.contextmanager
def _export_environment(model):
    """What torch.export / ExecuTorch need of the official code on top of _tracing_environment,
    applied only while exporting, the model left as it was:
    - the prompt encoder's point embedding without boolean-mask indexing
      (_embed_points_exportable);
    - its dense position encoding (get_dense_pe: a sine grid the official code recomputes from
      torch.ones + cumsum on every call) as the constant the official method returns;
    - the position-encoding caches (PositionEmbeddingSine.cache: filled with real tensors by
      bundle_model's first calls, so that the captures read them as constants) as copies made
      here (a session may have left inference-mode tensors there), restored on exit."""
    pe = model.sam_prompt_encoder
    caches = [(m, dict(m.cache)) for m in model.modules() if isinstance(getattr(m, "cache", None),
                                                                         dict)]
    with torch.no_grad():
        for m, content in caches:
            m.cache.update((key, value.clone()) for key, value in content.items())
        dense_pe = pe.get_dense_pe().detach().clone()
    with contextlib.ExitStack() as stack:
        stack.enter_context(_instance_method(
            pe, "_embed_points",
            lambda points, labels, pad: _embed_points_exportable(pe, points, labels, pad)))
        stack.enter_context(_instance_method(pe, "get_dense_pe", lambda: dense_pe))
        try:
            yield
        finally:
            for m, content in caches:  # the official caches as they were (no capture's tensors)
                m.cache.clear()
                m.cache.update(content)


@contextlib.contextmanager
def _capture_environment(model):
    """_tracing_environment and _export_environment: bundle_pte's context for the captures (the
    lowering runs outside: XNNPACK's partitioner captures F.scaled_dot_product_attention
    patterns of its own)."""
    with _tracing_environment(), _export_environment(model):
        yield


def _export_pte(core, out_path, comment, max_points, max_conditioning, precision):
    """export_bundle's runtime="executorch" (the model in eval mode)."""
    import bundle_pte
    bundle, meta = bundle_model(core, trace=False)  # fp16: bundle_pte converts the whole program
    limits = bundle_pte.pte_limits(meta, max_points or bundle_pte.MAX_POINTS, max_conditioning)
    # non-strict capture (Python runs the official code, as tracing does): TorchDynamo would
    # have to trace sam2's hydra-built modules, caches and context managers
    bundle_pte.write_bundle(out_path, bundle, meta, limits, comment, strict=False,
                            capture=lambda: _capture_environment(core), precision=precision)
    with open(out_path, "rb") as f:
        return bundle_meta.typed_meta(bundle_pte.check_bundle(f.read())[0])


# ---------------------------------------------------------------------------------------------
# CLI

def _config_name(config):
    """build_sam2_video_predictor takes a hydra config name relative to the sam2 package; a path
    to a file inside the installed package is turned into that name."""
    if os.path.isfile(config):
        import sam2
        root = os.path.dirname(os.path.abspath(sam2.__file__))
        path = os.path.abspath(config)
        if path.startswith(root + os.sep):
            return os.path.relpath(path, root)
    return config


def image_size_overrides(image_size):
    """Hydra overrides that run an EdgeTAM config at input size S: the model's image_size and the
    RoPE grids that follow from it (self-attention feat_sizes and cross-attention q_sizes are the
    S/16 feature grid; the key grid is the perceiver's 16 x 16 latents, whatever S). The weights
    do not depend on S (RoPE tables and position encodings are computed, not learned)."""
    if not image_size:
        return []
    side = image_size // 16
    return ["++model.image_size=%d" % image_size,
            "++model.memory_attention.layer.self_attention.feat_sizes=[%d,%d]" % (side, side),
            "++model.memory_attention.layer.cross_attention.q_sizes=[%d,%d]" % (side, side)]


def main(argv=None):
    import bundle_pte  # its command-line options
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", required=True,
                    help="EdgeTAM config (name relative to the sam2 package, e.g. "
                         "configs/edgetam.yaml, or a path to it inside the package)")
    ap.add_argument("--checkpoint", required=True, help="EdgeTAM checkpoint (edgetam.pt)")
    ap.add_argument("--out", required=True, help="bundle file to write")
    ap.add_argument("--lite", action="store_true",
                    help="save for the lite interpreter (LibTorch-Lite on iOS); name it *.ptl")
    ap.add_argument("--precision", choices=PRECISIONS + ("fp16",), default="fp32",
                    help="memory attention arithmetic: fp32 (default), bf16 or int8 (dynamic "
                         "quantisation of its linear layers); README has each one's accuracy. "
                         "--runtime executorch: fp32 or fp16 (the whole program in float16)")
    ap.add_argument("--attention", choices=layers.ATTENTIONS, default="blocked",
                    help="blocked (default): matmul + softmax, for every runtime; sdpa: torch's "
                         "fused scaled_dot_product_attention, full-JIT bundles for libtorch >= "
                         "2.0 (export with torch 2.x)")
    ap.add_argument("--image-size", type=int, default=0,
                    help="S: run the model at this input size (a multiple of 256, e.g. 512 or "
                         "768; default: the config's, 1024 for EdgeTAM)")
    bundle_pte.add_arguments(ap)
    args = ap.parse_args(argv)
    if args.image_size < 0 or args.image_size % 256:
        ap.error("--image-size must be a positive multiple of 256")
    bundle_pte.check_arguments(ap, args)
    try:
        layers.check_attention(args.attention, args.lite, args.runtime)
    except ValueError as e:
        ap.error(str(e))

    from sam2.build_sam import build_sam2_video_predictor
    model = build_sam2_video_predictor(_config_name(args.config), args.checkpoint, device="cpu",
                                       hydra_overrides_extra=image_size_overrides(args.image_size))
    meta = export_bundle(model, args.out, comment="edgetam bundle: %s + %s, exported by "
                         "shim/export/export_edgetam.py (torch %s)" % (
                             os.path.basename(args.config), os.path.basename(args.checkpoint),
                             torch.__version__), lite=args.lite, precision=args.precision,
                         runtime=args.runtime, max_points=args.max_points,
                         max_conditioning=args.max_conditioning, attention=args.attention)
    print("wrote %s (%d bytes): S=%d, T=%d" % (args.out, os.path.getsize(args.out),
                                               meta["image_size"], meta["memory_tokens"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
