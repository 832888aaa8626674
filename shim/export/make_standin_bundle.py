#!/usr/bin/python3
"""Writes a small, deterministic stand-in edgetam bundle (shim/BUNDLE.md, format version 1).

    /usr/bin/python3 shim/export/make_standin_bundle.py --out PATH [--image-size 256] [--lite]
                          [--profile standin|edgetam|demo] [--runtime torchscript|executorch]
                          [--attention blocked|sdpa]

--lite: for the lite interpreter (.ptl, LibTorch-Lite); --runtime executorch: the same model as an
ExecuTorch program (.pte, bundle_pte.py; torch 2.6); --attention sdpa: torch's fused
scaled_dot_product_attention instead of matmul + softmax (torch 2.x; for libtorch >= 2.0 only);
--profile edgetam: EdgeTAM's real layer shapes (random weights, S = 512, 768 or 1024:
edgetam_profile.py); --profile demo: the quick start's weight-free demo tracker (demo_tracker.py);
the default is the small stand-in below.

The stand-in is EdgeTAM's structure in miniature, with fixed pseudo-random weights (seeded; the
same command writes the same file): an image encoder with three feature levels, a memory attention
layer, SAM's prompt encoder and two-way mask decoder with IoU, object-score and object-pointer
heads, a memory encoder and a spatial perceiver (1D + 2D latents). It segments nothing in
particular, but every output depends on every input the contract says it should depend on, so the
library's tests can check what it passes and how it routes the results. It needs Debian's torch
(1.13): always run it with /usr/bin/python3.

Architecture (S = image size, H = S/16, LR = S/4; C = 32, Cm = 8, C0 = 8, C1 = 16, T = 32):
- encode_image: RepViT's stem (conv 3x3/2 -> 24ch, GELU, conv 3x3/2 -> 48ch: S/4; the 24 -> 48
  convolution is one that libtorch 2.6's oneDNN computes wrongly on AVX-512 CPUs, shim/BUNDLE.md
  "Runtimes", so the tests see a wrong runtime), conv 2x2/2 -> 32ch (S/8), conv 2x2/2 -> 64ch
  (S/16), each LayerNorm2d + GELU (+ a depthwise 3x3 residual at S/16); 1x1 laterals to C; hr0/hr1 through
  conv_s0/conv_s1 (1x1, C -> C0/C1); feat is the S/16 lateral plus the lateral of the mean colour.
- attend_memory: n == 0 -> feat + no_mem_embed. Else one pre-norm transformer layer over the H*W
  feature tokens (queries get a fixed 2D sine position encoding): self-attention, cross-attention
  to the memory tokens (key position = the entry's constant per-token position encoding + the
  learned maskmem_tpos_enc[num_maskmem - t_pos - 1]) and the pointer tokens (each pointer split
  into C/Cm tokens, zero position), keys/values projected Cm -> C; MLP; final LayerNorm.
- decode: SAM prompt encoder (random Fourier features of (coords + 0.5)/S, learned embeddings for
  labels -1..3, one padding point always appended, a lone not-a-point when there are no points);
  dense prompt = conv stack on mask_input or a learned no-mask embedding; one two-way attention
  block + final token-to-image attention over [object-score token, IoU token, 4 mask tokens,
  sparse tokens]; upscaling by two transposed convs adding hr1 then hr0; a hypernetwork MLP per
  mask token; sigmoid IoU head; object-score MLP head plus a fixed read-out of the colour in the
  features, averaged under the first mask and (much more heavily) around the positive points; the
  pointer MLP on the chosen mask token, mixed with no_obj_ptr when the score is <= 0.
- decode_mask: antialiased downsample of mask*20-10; the pointer from the same heads on raw feat
  with a learned 4x4/4 conv of the mask as mask prompt (mixed with no_obj_ptr by those heads' own
  score, then again by whether any pixel is set, as SAM 2 does); score +-10 from whether any pixel
  is set.
- encode_memory: bilinear upsample to S, binarise or sigmoid, *20-10; mask downsampler (four
  2x2/2 convs) + 1x1 projection of feat; a ConvNeXt-style fuser block; 1x1 to Cm; no_obj embedding
  added when the score is <= 0; perceiver: 16 1D latents attend over all H*W tokens, 16 2D latents
  each over its (H/4 x W/4) window; LayerNorm; [1, 16 + 16, Cm], 1D first then 2D row-major.

Behaviour, for writing tests: the object score is mostly the brightness of the normalised image
(0.9 R + 1.8 G + 0.3 B of (x/255 - mean)/std) around the positive points, or under the first mask
when there are none: a click on something bright (brighter than ImageNet's mean) gives an object,
a click on something dark, or a dark frame while tracking, gives none (masks all -1024 and the
no-object pointer). Masks are not meant to outline anything; they have both signs.
"""

import argparse
import math
import os
import sys
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    import bundle_meta
    import bundle_save
except ImportError:  # imported from elsewhere: these live next to this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bundle_meta
    import bundle_save
from layers import (ATTENTIONS, MLP, Attention, LayerNorm2d, check_attention,
                    key_biased_attention, sine_pos_2d, use_sdpa)

SEED = 20240613
PIXEL_MEAN = (0.485, 0.456, 0.406)
PIXEL_STD = (0.229, 0.224, 0.225)


# ---------------------------------------------------------------------------------------------
# The stand-in's own building block (the shared ones are in layers.py)

class HyperMLP(nn.Module):
    """K independent 3-layer MLPs (one per mask token), batched: x [1,K,D] -> [1,K,Dout]."""

    def __init__(self, k: int, dim: int, dim_out: int):
        super().__init__()
        self.w1 = nn.Parameter(torch.zeros(k, dim, dim))
        self.b1 = nn.Parameter(torch.zeros(k, 1, dim))
        self.w2 = nn.Parameter(torch.zeros(k, dim, dim))
        self.b2 = nn.Parameter(torch.zeros(k, 1, dim))
        self.w3 = nn.Parameter(torch.zeros(k, dim, dim_out))
        self.b3 = nn.Parameter(torch.zeros(k, 1, dim_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.transpose(0, 1)  # [K,1,D]
        h = F.relu(torch.baddbmm(self.b1, h, self.w1))
        h = F.relu(torch.baddbmm(self.b2, h, self.w2))
        h = torch.baddbmm(self.b3, h, self.w3)
        return h.transpose(0, 1)


# ---------------------------------------------------------------------------------------------
# The stand-in model

class StandinEdgeTAM(nn.Module):
    def __init__(self, image_size: int = 256, hidden_dim: int = 32, memory_dim: int = 8,
                 high_res_dim0: int = 8, high_res_dim1: int = 16, num_maskmem: int = 7,
                 latents_1d: int = 16, windows: int = 4):
        super().__init__()
        S, C, Cm, C0, C1 = image_size, hidden_dim, memory_dim, high_res_dim0, high_res_dim1
        H = S // 16
        assert S % 16 == 0 and H % windows == 0, "image_size must be a multiple of 64"
        assert C % Cm == 0 and C % 2 == 0 and Cm % 4 == 0 and C % 4 == 0
        self.image_size = S
        self.hidden_dim = C
        self.memory_dim = Cm
        self.feat_size = H
        self.low_res = S // 4
        self.num_maskmem = num_maskmem
        self.ptr_split = C // Cm
        self.latents_1d = latents_1d
        self.windows = windows
        self.win = H // windows
        self.memory_tokens = latents_1d + windows * windows

        # --- image encoder (backbone + FPN neck + conv_s0/conv_s1)
        self.stem0a = nn.Conv2d(3, 24, 3, 2, 1)
        self.stem0 = nn.Conv2d(24, 48, 3, 2, 1)
        self.norm0 = LayerNorm2d(48)
        self.stem1 = nn.Conv2d(48, 32, 2, 2)
        self.norm1 = LayerNorm2d(32)
        self.stem2 = nn.Conv2d(32, 64, 2, 2)
        self.norm2 = LayerNorm2d(64)
        self.dw2 = nn.Conv2d(64, 64, 3, 1, 1, groups=64)
        self.lat0 = nn.Conv2d(48, C, 1)
        self.lat1 = nn.Conv2d(32, C, 1)
        self.lat2 = nn.Conv2d(64, C, 1)
        self.colour = nn.Conv2d(3, C, 1)  # lateral of the mean colour per 16x16 cell
        self.register_buffer("colour_readout", torch.zeros(3, C))  # its least-squares inverse
        self.conv_s0 = nn.Conv2d(C, C0, 1)
        self.conv_s1 = nn.Conv2d(C, C1, 1)

        # --- memory attention
        self.no_mem_embed = nn.Parameter(torch.zeros(C))
        self.maskmem_tpos_enc = nn.Parameter(torch.zeros(num_maskmem, Cm))
        self.register_buffer("feat_pos", sine_pos_2d(H, H, C).unsqueeze(0))  # [1,HW,C]
        win_pos = sine_pos_2d(windows, windows, Cm)
        self.register_buffer("mem_pos", torch.cat([torch.zeros(latents_1d, Cm), win_pos], 0))
        self.ma_norm1 = nn.LayerNorm(C)
        self.ma_self = Attention(C, C, C, 2)
        self.ma_norm2 = nn.LayerNorm(C)
        self.ma_cross = Attention(C, Cm, C, 2)
        self.ma_norm3 = nn.LayerNorm(C)
        self.ma_mlp = MLP(C, 2 * C, C, 2)
        self.ma_norm_out = nn.LayerNorm(C)

        # --- prompt encoder
        self.register_buffer("pe_gaussian", torch.zeros(2, C // 2))
        self.point_embed = nn.Parameter(torch.zeros(5, C))  # labels -1 (not a point), 0, 1, 2, 3
        self.no_mask_embed = nn.Parameter(torch.zeros(C))
        self.mask_conv1 = nn.Conv2d(1, 4, 2, 2)
        self.mask_norm1 = LayerNorm2d(4)
        self.mask_conv2 = nn.Conv2d(4, 16, 2, 2)
        self.mask_norm2 = LayerNorm2d(16)
        self.mask_conv3 = nn.Conv2d(16, C, 1)
        self.register_buffer("image_pe", torch.zeros(1, H * H, C))  # set after init
        cy, cx = torch.meshgrid(torch.arange(H, dtype=torch.float32),
                                torch.arange(H, dtype=torch.float32), indexing="ij")
        centres = torch.stack([cx, cy], -1).view(H * H, 2) * 16.0 + 8.0  # input pixels (x, y)
        self.register_buffer("cell_centres", centres)

        # --- mask decoder
        self.output_tokens = nn.Parameter(torch.zeros(6, C))  # obj score, iou, 4 mask tokens
        self.md_self = Attention(C, C, C, 2)
        self.md_norm1 = nn.LayerNorm(C)
        self.md_t2i = Attention(C, C, C // 2, 2)
        self.md_norm2 = nn.LayerNorm(C)
        self.md_mlp = MLP(C, 2 * C, C, 2)
        self.md_norm3 = nn.LayerNorm(C)
        self.md_i2t = Attention(C, C, C // 2, 2)
        self.md_norm4 = nn.LayerNorm(C)
        self.md_final = Attention(C, C, C // 2, 2)
        self.md_norm_final = nn.LayerNorm(C)
        self.up1 = nn.ConvTranspose2d(C, C1, 2, 2)
        self.up_norm = LayerNorm2d(C1)
        self.up2 = nn.ConvTranspose2d(C1, C0, 2, 2)
        self.hyper = HyperMLP(4, C, C0)
        self.iou_head = MLP(C, C, 4, 3)
        self.score_head = MLP(C, C, 1, 3)
        self.score_colour = nn.Parameter(torch.zeros(3))  # fixed read-out of the colour map
        self.obj_ptr_proj = MLP(C, C, C, 3)
        self.no_obj_ptr = nn.Parameter(torch.zeros(C))
        self.mask_downsample = nn.Conv2d(1, 1, 4, 4)

        # --- memory encoder + spatial perceiver
        self.md0 = nn.Conv2d(1, 2, 2, 2)
        self.mdn0 = LayerNorm2d(2)
        self.md1 = nn.Conv2d(2, 4, 2, 2)
        self.mdn1 = LayerNorm2d(4)
        self.md2 = nn.Conv2d(4, 8, 2, 2)
        self.mdn2 = LayerNorm2d(8)
        self.md3 = nn.Conv2d(8, 16, 2, 2)
        self.mdn3 = LayerNorm2d(16)
        self.md_out = nn.Conv2d(16, C, 1)
        self.pix_feat_proj = nn.Conv2d(C, C, 1)
        self.fuser_dw = nn.Conv2d(C, C, 3, 1, 1, groups=C)
        self.fuser_norm = LayerNorm2d(C)
        self.fuser_pw1 = nn.Conv2d(C, 2 * C, 1)
        self.fuser_pw2 = nn.Conv2d(2 * C, C, 1)
        self.mem_out_proj = nn.Conv2d(C, Cm, 1)
        self.no_obj_embed_spatial = nn.Parameter(torch.zeros(Cm))
        self.register_buffer("mem_map_pos", sine_pos_2d(H, H, Cm).unsqueeze(0))  # [1,HW,Cm]
        self.register_buffer("win_pos", win_pos.unsqueeze(1))  # [windows^2,1,Cm]
        self.latents1d = nn.Parameter(torch.zeros(latents_1d, Cm))
        self.latent2d = nn.Parameter(torch.zeros(Cm))
        self.pc_norm_lat = nn.LayerNorm(Cm)
        self.pc_norm_x = nn.LayerNorm(Cm)
        self.pc_attn = Attention(Cm, Cm, 2 * Cm, 2)
        self.pc_norm_mlp = nn.LayerNorm(Cm)
        self.pc_mlp = MLP(Cm, 4 * Cm, Cm, 2)
        self.pc_norm_out = nn.LayerNorm(Cm)

    # ----------------------------------------------------------------------------- helpers

    def _fourier(self, coords: torch.Tensor) -> torch.Tensor:
        """coords in [0,1], [..., 2] -> [..., C] (SAM's random Fourier features)."""
        c = 2.0 * coords - 1.0
        c = torch.matmul(c, self.pe_gaussian) * (2.0 * math.pi)
        return torch.cat([torch.sin(c), torch.cos(c)], -1)

    def _heads(self, pix: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
               point_coords: torch.Tensor, point_labels: torch.Tensor, mask_input: torch.Tensor,
               multimask: bool, colour: torch.Tensor
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        C = self.hidden_dim
        H = self.feat_size
        LR = self.low_res
        # sparse prompt: points, always one padding point (two not-a-points without points)
        if point_coords.size(1) == 0:
            coords = torch.zeros(1, 1, 2, dtype=pix.dtype, device=pix.device)
            labels = torch.full((1, 1), -1, dtype=torch.long, device=pix.device)
        else:
            coords = point_coords.to(pix.dtype)
            labels = point_labels.to(torch.long)
        coords = torch.cat([coords, torch.zeros(1, 1, 2, dtype=pix.dtype, device=pix.device)], 1)
        labels = torch.cat([labels, torch.full((1, 1), -1, dtype=torch.long,
                                               device=pix.device)], 1)
        n = labels.size(1)
        pe = self._fourier((coords + 0.5) / float(self.image_size))
        real = (labels != -1).to(pix.dtype).unsqueeze(-1)
        emb = self.point_embed.index_select(0, (labels + 1).clamp(0, 4).view(-1)).view(1, n, C)
        sparse = pe * real + emb

        # dense prompt
        if mask_input.numel() > 0:
            d = F.gelu(self.mask_norm1(self.mask_conv1(mask_input.view(1, 1, LR, LR))))
            d = F.gelu(self.mask_norm2(self.mask_conv2(d)))
            dense = self.mask_conv3(d)
        else:
            dense = self.no_mask_embed.view(1, C, 1, 1).expand(1, C, H, H)

        # two-way transformer (one block) + final token-to-image attention
        tokens = torch.cat([self.output_tokens.unsqueeze(0), sparse], 1)
        keys = (pix + dense).flatten(2).transpose(1, 2)
        kpe = self.image_pe
        queries = tokens
        q = queries + tokens
        queries = self.md_norm1(queries + self.md_self(q, q, queries))
        q = queries + tokens
        k = keys + kpe
        queries = self.md_norm2(queries + self.md_t2i(q, k, keys))
        queries = self.md_norm3(queries + self.md_mlp(queries))
        q = queries + tokens
        k = keys + kpe
        keys = self.md_norm4(keys + self.md_i2t(k, q, queries))
        q = queries + tokens
        k = keys + kpe
        queries = self.md_norm_final(queries + self.md_final(q, k, keys))

        score_tok = queries[:, 0, :]
        iou_tok = queries[:, 1, :]
        mask_toks = queries[:, 2:6, :]

        # upscaling with the high-res features, hypernetwork masks
        src = keys.transpose(1, 2).reshape(1, C, H, H)
        up = F.gelu(self.up_norm(self.up1(src) + hr1))
        up = F.gelu(self.up2(up) + hr0)
        c0 = up.size(1)
        hyper = self.hyper(mask_toks)  # [1,4,C0]
        masks = torch.matmul(hyper, up.view(1, c0, LR * LR)).view(1, 4, LR, LR)
        ious = torch.sigmoid(self.iou_head(iou_tok))  # [1,4]

        # object score: MLP on its token + the mean colour under the first mask and, much more,
        # around the positive points (a Gaussian of sigma S/16 on each label-1 point)
        w = torch.sigmoid(F.avg_pool2d(masks[:, 0:1], 4, 4)).view(1, H * H)  # [1,HW]
        pos = (labels == 1).to(pix.dtype)  # [1,N]
        d2 = (self.cell_centres.unsqueeze(1) - coords.view(1, n, 2)).pow(2).sum(-1)  # [HW,N]
        sigma = self.image_size / 16.0
        w = w + 64.0 * torch.matmul(torch.exp(d2 * (-0.5 / (sigma * sigma))), pos.t()).view(1, -1)
        under = torch.matmul(w, colour.view(3, H * H).t()) / (w.sum() + 1e-3)  # [1,3]
        score = self.score_head(score_tok) + (under * self.score_colour).sum(1, keepdim=True)

        if multimask:
            masks = masks[:, 1:4]
            ious = ious[:, 1:4]
            out_toks = mask_toks[:, 1:4]
        else:
            masks = masks[:, 0:1]
            ious = ious[:, 0:1]
            out_toks = mask_toks[:, 0:1]
        appear = score > 0  # [1,1]
        masks = torch.where(appear.view(1, 1, 1, 1), masks, torch.full_like(masks, -1024.0))
        best_i = torch.argmax(ious, dim=1)  # [1]
        best = masks.index_select(1, best_i)
        ptr = self.obj_ptr_proj(out_toks.index_select(1, best_i).view(1, C))
        p = appear.to(ptr.dtype)
        ptr = p * ptr + (1.0 - p) * self.no_obj_ptr.view(1, C)
        return masks, ious, best, ptr, score

    def _attend(self, q: torch.Tensor, qpos: torch.Tensor, kv: torch.Tensor, kpos: torch.Tensor
                ) -> torch.Tensor:
        x = q
        y = self.ma_norm1(x)
        x = x + self.ma_self(y + qpos, y + qpos, y)
        y = self.ma_norm2(x)
        x = x + self.ma_cross(y + qpos, kv + kpos, kv)
        x = x + self.ma_mlp(self.ma_norm3(x))
        return self.ma_norm_out(x)

    def _perceive(self, lat: torch.Tensor, x: torch.Tensor, xpos: torch.Tensor) -> torch.Tensor:
        y = self.pc_norm_x(x)
        lat = lat + self.pc_attn(self.pc_norm_lat(lat), y + xpos, y)
        return lat + self.pc_mlp(self.pc_norm_mlp(lat))

    # ----------------------------------------------------------------------------- methods

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x0 = F.gelu(self.norm0(self.stem0(F.gelu(self.stem0a(image)))))
        x1 = F.gelu(self.norm1(self.stem1(x0)))
        x2 = F.gelu(self.norm2(self.stem2(x1)))
        x2 = x2 + F.gelu(self.dw2(x2))
        hr0 = self.conv_s0(self.lat0(x0))
        hr1 = self.conv_s1(self.lat1(x1))
        feat = self.lat2(x2) + self.colour(F.avg_pool2d(image, 16, 16))
        return hr0.contiguous(), hr1.contiguous(), feat.contiguous()

    @torch.jit.export
    def attend_memory(self, feat: torch.Tensor, memory: torch.Tensor, memory_tpos: torch.Tensor,
                      obj_ptrs: torch.Tensor) -> torch.Tensor:
        C = self.hidden_dim
        Cm = self.memory_dim
        H = self.feat_size
        n = memory.size(0)
        if n == 0:
            return (feat + self.no_mem_embed.view(1, C, 1, 1)).contiguous()
        T = memory.size(1)
        tidx = (self.num_maskmem - 1) - memory_tpos.to(torch.long)
        tenc = self.maskmem_tpos_enc.index_select(0, tidx)  # errors when t_pos is out of range
        mem = memory.reshape(n * T, Cm)
        mpos = (self.mem_pos.unsqueeze(0) + tenc.unsqueeze(1)).reshape(n * T, Cm)
        p = obj_ptrs.size(0)
        ptr = obj_ptrs.reshape(p * self.ptr_split, Cm)
        kv = torch.cat([mem, ptr], 0).unsqueeze(0)
        kpos = torch.cat([mpos, torch.zeros_like(ptr)], 0).unsqueeze(0)
        x = feat.flatten(2).transpose(1, 2)  # [1,HW,C]
        x = self._attend(x, self.feat_pos, kv, kpos)
        return x.transpose(1, 2).reshape(1, C, H, H).contiguous()

    @torch.jit.export
    def decode(self, pix: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
               point_coords: torch.Tensor, point_labels: torch.Tensor, mask_input: torch.Tensor,
               multimask: bool
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        # the colour read-out of the score uses the (memory-conditioned) features' colour lateral
        colour = self._colour_of(pix)
        masks, ious, best, ptr, score = self._heads(pix, hr0, hr1, point_coords, point_labels,
                                                    mask_input, multimask, colour)
        return (masks.contiguous(), ious.contiguous(), best.contiguous(), ptr.contiguous(),
                score.contiguous())

    @torch.jit.export
    def decode_mask(self, feat: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
                    mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        LR = self.low_res
        C = self.hidden_dim
        high = mask * 20.0 - 10.0
        best = F.interpolate(high, size=(LR, LR), mode="bilinear", align_corners=False,
                             antialias=True)
        mask_prompt = self.mask_downsample(mask)
        no_coords = torch.zeros(1, 0, 2, dtype=feat.dtype, device=feat.device)
        no_labels = torch.zeros(1, 0, dtype=torch.int32, device=feat.device)
        _m, _i, _b, ptr, _s = self._heads(feat, hr0, hr1, no_coords, no_labels, mask_prompt,
                                          False, self._colour_of(feat))
        appear = (mask > 0).any().to(feat.dtype).view(1, 1)
        score = appear * 20.0 - 10.0
        ptr = appear * ptr + (1.0 - appear) * self.no_obj_ptr.view(1, C)
        return best.contiguous(), ptr.contiguous(), score.contiguous()

    @torch.jit.export
    def encode_memory(self, feat: torch.Tensor, best: torch.Tensor, object_score: torch.Tensor,
                      binarize: bool) -> torch.Tensor:
        S = self.image_size
        Cm = self.memory_dim
        H = self.feat_size
        high = F.interpolate(best, size=(S, S), mode="bilinear", align_corners=False)
        if binarize:
            x = (high > 0).to(feat.dtype)
        else:
            x = torch.sigmoid(high)
        x = x * 20.0 - 10.0
        x = F.gelu(self.mdn0(self.md0(x)))
        x = F.gelu(self.mdn1(self.md1(x)))
        x = F.gelu(self.mdn2(self.md2(x)))
        x = F.gelu(self.mdn3(self.md3(x)))
        x = self.md_out(x) + self.pix_feat_proj(feat)
        y = self.fuser_norm(self.fuser_dw(x))
        x = x + self.fuser_pw2(F.gelu(self.fuser_pw1(y)))
        m = self.mem_out_proj(x)  # [1,Cm,H,W]
        absent = (object_score.view(1) <= 0).to(m.dtype).view(1, 1, 1, 1)
        m = m + absent * self.no_obj_embed_spatial.view(1, Cm, 1, 1)

        # spatial perceiver: 1D latents over everything, 2D latents over their windows
        tok = m.flatten(2).transpose(1, 2)  # [1,HW,Cm]
        l1 = self._perceive(self.latents1d.unsqueeze(0), tok, self.mem_map_pos)  # [1,L1,Cm]
        nw = self.windows
        w = self.win
        win = m.view(1, Cm, nw, w, nw, w).permute(0, 2, 4, 3, 5, 1).reshape(nw * nw, w * w, Cm)
        wpos = self.mem_map_pos.view(1, nw, w, nw, w, Cm).permute(0, 1, 3, 2, 4, 5)
        wpos = wpos.reshape(nw * nw, w * w, Cm)
        l2 = self._perceive(self.latent2d.view(1, 1, Cm) + self.win_pos, win, wpos)  # [nw*nw,1,Cm]
        out = torch.cat([l1, l2.view(1, nw * nw, Cm)], 1)
        return self.pc_norm_out(out).contiguous()

    def _colour_of(self, x: torch.Tensor) -> torch.Tensor:
        """A fixed 3-channel read-out of a [1,C,H,W] feature map (the inverse of the colour
        lateral, in the least-squares sense), [1,3,H,W]."""
        C = self.hidden_dim
        w = self.colour_readout  # [3,C]
        return torch.matmul(w, x.view(C, -1)).view(1, 3, x.size(2), x.size(3))

    # Below the TorchScript methods (and not called by them): the stand-in's archive, which stores
    # their source lines, stays byte-identical.
    def attend_memory_padded(self, feat: torch.Tensor, memory: torch.Tensor,
                             memory_tpos: torch.Tensor, obj_ptrs: torch.Tensor,
                             key_bias: torch.Tensor) -> torch.Tensor:
        """attend_memory over every row of padded memories / pointers, key_bias added to the
        cross-attention scores: the ExecuTorch bundle's attend_memory (bundle_pte.py)."""
        # imported here: one more line above the class would move the recorded source lines
        from export_edgetam import memory_bank_tokens
        C, H = self.hidden_dim, self.feat_size
        kv, kpos = memory_bank_tokens(memory, memory_tpos, obj_ptrs, self.maskmem_tpos_enc,
                                      self.mem_pos, C)
        kv, kpos = kv.unsqueeze(0), kpos.unsqueeze(0)
        qpos = self.feat_pos
        x = feat.flatten(2).transpose(1, 2)
        y = self.ma_norm1(x)  # _attend, with the key bias in the cross-attention
        x = x + self.ma_self(y + qpos, y + qpos, y)
        y = self.ma_norm2(x)
        x = x + key_biased_attention(self.ma_cross, y + qpos, kv + kpos, kv, key_bias)
        x = x + self.ma_mlp(self.ma_norm3(x))
        x = self.ma_norm_out(x)
        return x.transpose(1, 2).reshape(1, C, H, H).contiguous()


# ---------------------------------------------------------------------------------------------
# Deterministic initialisation

def _init_weights(model: StandinEdgeTAM, seed: int) -> None:
    """Fills every parameter from one seeded generator, in a fixed order, scaled so that
    activations stay O(1); a few are set by hand (see comments)."""
    g = torch.Generator()
    g.manual_seed(seed)

    def normal(shape, std):
        return torch.randn(shape, generator=g, dtype=torch.float64).mul_(std).float()

    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            owner = model.get_submodule(name.rsplit(".", 1)[0]) if "." in name else model
            if isinstance(owner, (nn.LayerNorm, LayerNorm2d)):
                continue  # identity affine
            if isinstance(owner, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                if leaf == "weight":
                    if isinstance(owner, nn.ConvTranspose2d):
                        fan_in = p.shape[0]
                    else:
                        fan_in = p[0].numel()
                    p.copy_(normal(p.shape, 1.0 / math.sqrt(fan_in)))
                else:
                    p.copy_(normal(p.shape, 0.1))
            elif isinstance(owner, HyperMLP):
                if leaf.startswith("w"):
                    p.copy_(normal(p.shape, 1.0 / math.sqrt(p.shape[1])))
                else:
                    p.copy_(normal(p.shape, 0.1))
            else:  # embeddings, tokens, latents, tables: unit scale so that they matter
                p.copy_(normal(p.shape, 1.0))

        # SAM's random Fourier feature matrix (a buffer, drawn from the same generator)
        model.pe_gaussian.copy_(normal(model.pe_gaussian.shape, 1.0))
        H = model.feat_size
        ys, xs = torch.meshgrid(torch.arange(H, dtype=torch.float32),
                                torch.arange(H, dtype=torch.float32), indexing="ij")
        grid = torch.stack([(xs + 0.5) / H, (ys + 0.5) / H], -1).view(1, H * H, 2)
        model.image_pe.copy_(model._fourier(grid))

        # the colour lateral is strong enough to survive in feat; its read-out is its inverse
        model.colour.weight.mul_(3.0)
        model.colour.bias.zero_()
        wc = model.colour.weight.view(model.hidden_dim, 3).double()
        model.colour_readout.copy_(torch.linalg.pinv(wc).float())
        # memory attention: memories should matter as much as the frame
        model.ma_cross.out_proj.weight.mul_(8.0)
        # presence = mostly "how bright is the image around the positive points / under the first
        # mask" (normalised luma)
        model.score_colour.copy_(torch.tensor([0.9, 1.8, 0.3]))
        last = model.score_head.layers[-1]
        last.weight.mul_(0.3)
        last.bias.zero_()

        # decode_mask's mask prompt: roughly the mask as +-10 logits, slightly perturbed
        model.mask_downsample.weight.copy_(
            torch.full((1, 1, 4, 4), 20.0 / 16.0) + normal((1, 1, 4, 4), 0.1))
        model.mask_downsample.bias.fill_(-10.0)


def build(image_size: int = 256, seed: int = SEED) -> StandinEdgeTAM:
    torch.manual_seed(seed)  # module constructors draw defaults; all are overwritten below
    model = StandinEdgeTAM(image_size=image_size)
    _init_weights(model, seed)
    return model.eval()


def metadata(model: StandinEdgeTAM) -> dict:
    return dict(common_metadata(), **{
        "model": "standin",
        "image_size": model.image_size,
        "hidden_dim": model.hidden_dim,
        "memory_dim": model.memory_dim,
        "high_res_dim0": model.conv_s0.out_channels,
        "high_res_dim1": model.conv_s1.out_channels,
        "memory_tokens": model.memory_tokens,
        "num_maskmem": model.num_maskmem,
    })


def common_metadata() -> dict:
    """The metadata every bundle of this script shares (the others' sizes override some)."""
    return {
        "format": bundle_meta.FORMAT,
        "format_version": bundle_meta.FORMAT_VERSION,
        "max_obj_ptrs": 16,
        "multimask_output_in_sam": 1,
        "multimask_output_for_tracking": 1,
        "multimask_min_pt_num": 0,
        "multimask_max_pt_num": 1,
        "sigmoid_scale_for_mem_enc": 20.0,
        "sigmoid_bias_for_mem_enc": -10.0,
        "pixel_mean": PIXEL_MEAN,
        "pixel_std": PIXEL_STD,
    }


_STABLE_NAME = "make_standin_bundle.py"
_STABLE_MODULES = ("layers", "demo_tracker")  # this folder's modules whose classes it scripts


def _reexec_reproducibly() -> None:
    """Runs this script again so that the saved file is byte-for-byte reproducible: with a fixed
    string hash seed (TorchScript writes some class constants in set order, which follows it), and
    with this file and the modules of _STABLE_MODULES compiled under their bare file names
    (TorchScript stores source ranges, with the file name, in the archive's code/*.debug_pkl; the
    absolute path of the checkout would end up there)."""
    if os.environ.get("PYTHONHASHSEED") == "0" and __file__ == _STABLE_NAME:
        return
    here = os.path.abspath(__file__)
    boot = ("import linecache, os, sys, types\n"
            "path = sys.argv[1]\n"
            "folder = os.path.dirname(path)\n"
            "sys.path.insert(0, folder)\n"
            "def compiled(file, name):\n"
            "    src = open(file, encoding='utf-8').read()\n"
            "    linecache.cache[name] = (len(src), None, src.splitlines(True), name)\n"
            "    return compile(src, name, 'exec')\n"
            "for module in {m!r}:\n"
            "    mod = types.ModuleType(module)\n"
            "    mod.__file__ = module + '.py'\n"
            "    sys.modules[module] = mod\n"
            "    exec(compiled(os.path.join(folder, mod.__file__), mod.__file__), mod.__dict__)\n"
            "sys.argv = [path] + sys.argv[2:]\n"
            "__file__ = {n!r}\n"
            "exec(compiled(path, {n!r}))\n").format(n=_STABLE_NAME, m=_STABLE_MODULES)
    env = dict(os.environ, PYTHONHASHSEED="0")
    os.execve(sys.executable, [sys.executable, "-c", boot, here] + sys.argv[1:], env)


def main(argv=None) -> int:
    import bundle_pte  # its command-line options (the .pte writer itself runs on torch 2.6 only)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="bundle file to write")
    ap.add_argument("--image-size", type=int, default=256,
                    help="S, a multiple of 64 (default 256)")
    ap.add_argument("--lite", action="store_true",
                    help="save for the lite interpreter (.ptl, LibTorch-Lite)")
    ap.add_argument("--precision", choices=("fp32", "bf16", "int8", "fp16"), default="fp32",
                    help="bf16, int8: --profile edgetam only, the memory attention's arithmetic, "
                         "as the exporter's --precision; fp16: --runtime executorch only, the "
                         "whole program in float16")
    ap.add_argument("--profile", choices=("standin", "edgetam", "demo"), default="standin",
                    help="standin: the small test model (default); edgetam: EdgeTAM's real "
                         "layer shapes with random weights, for benchmarks; demo: the quick "
                         "start's hand-written, weight-free tracker (demo_tracker.py, S = 512 "
                         "recommended)")
    ap.add_argument("--sensitive", action="store_true",
                    help="--profile edgetam only: weights with objects present and masks that "
                         "depend on the memory bank, for comparisons (cross-runtime tests)")
    ap.add_argument("--attention", choices=ATTENTIONS, default="blocked",
                    help="blocked (default): matmul + softmax, every runtime; sdpa: "
                         "scaled_dot_product_attention, full-JIT bundles for libtorch >= 2.0 "
                         "(export with torch 2.x)")
    bundle_pte.add_arguments(ap)
    args = ap.parse_args(argv)
    if (args.precision in ("bf16", "int8") or args.sensitive) and args.profile != "edgetam":
        ap.error("--precision bf16 / int8 and --sensitive apply to --profile edgetam")
    multiple = {"edgetam": 256, "standin": 64, "demo": 16}[args.profile]
    if args.image_size <= 0 or args.image_size % multiple:
        ap.error("--image-size must be a positive multiple of %d" % multiple)
    bundle_pte.check_arguments(ap, args)
    try:
        check_attention(args.attention, args.lite, args.runtime)
    except ValueError as e:
        ap.error(str(e))

    model, meta, what = build_model(args)
    comment = "edgetam bundle: %s (shim/export/make_standin_bundle.py, seed %d)" % (what, SEED)
    if args.runtime == "executorch":
        limits = bundle_pte.pte_limits(meta, args.max_points or bundle_pte.MAX_POINTS,
                                       args.max_conditioning)
        bundle_pte.write_bundle(args.out, model, meta, limits, comment,
                                precision=args.precision)
        return 0
    scripted = torch.jit.script(model)
    bundle_save.write_file(args.out, bundle_save.bundle_bytes(scripted, meta, lite=args.lite,
                                                              comment=comment))
    return 0


def build_model(args):
    """The model of the command line `args` (profile, image size, precision, sensitive), its
    metadata without the exporting runtime's keys, and a description: (model, meta, what). The
    same for either runtime, so that a .pte and a TorchScript bundle hold the same weights."""
    torch.set_num_threads(1)  # the weights do not depend on it; keeps generation reproducible
    if args.profile == "edgetam":
        import edgetam_profile
        torch.manual_seed(SEED)
        model = edgetam_profile.EdgeTAMProfile(args.image_size).eval()
        edgetam_profile.init_weights(model, SEED, sensitive=args.sensitive)
        attention = "fp32" if args.precision == "fp16" else args.precision  # fp16: bundle_pte
        model.memory_attention = edgetam_profile.export_edgetam.with_precision(
            model.memory_attention, attention)
        meta = dict(metadata(model), **edgetam_profile.metadata_sizes(model))
        what = "EdgeTAM-shaped benchmark profile, %srandom weights, %s memory attention" % (
            "sensitive " if args.sensitive else "", attention)
    elif args.profile == "demo":
        import demo_tracker
        model = demo_tracker.DemoTracker(args.image_size, PIXEL_MEAN, PIXEL_STD).eval()
        meta = dict(common_metadata(), **demo_tracker.metadata_sizes(model))
        what = "weight-free demo tracker (colour and texture, not EdgeTAM)"
    else:
        model = build(args.image_size)
        meta = metadata(model)
        what = "deterministic stand-in"
    if args.precision == "fp16":
        what += ", float16 program"
    if args.attention == "sdpa":
        use_sdpa(model)
        what += ", scaled_dot_product_attention"
    return model, meta, what


if __name__ == "__main__":
    _reexec_reproducibly()
    sys.exit(main())
