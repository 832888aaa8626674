"""EdgeTAM's real layer shapes with random weights: the `--profile edgetam` of
make_standin_bundle.py, a benchmark bundle the repository can generate at S = 512, 768 or 1024
without the official package or a checkpoint.

It segments nothing; it exists so that the speed of the library and of every bundle-side
optimisation can be measured on the work a real frame costs. The shapes follow the official
config (sam2/configs/edgetam.yaml of facebookresearch/EdgeTAM):
- encode_image: RepViT-M1 (stem 3 -> 24 -> 48, stages 48/96/192/384 with depths 2/2/14/2,
  re-parameterisable depthwise 3x3 token mixers, squeeze-excite on every other block, 2x MLP
  channel mixers, batch norms as trained) + FPN neck to 256 channels (top-down at strides 16 and
  32, the stride-32 level dropped) + the mask decoder's conv_s0 / conv_s1 (256 -> 32 / 64).
- attend_memory: two memory-attention layers (d = 256, one head, RoPE self-attention over the
  (S/16)^2 frame tokens, RoPE cross-attention to 64-dim memory tokens, 2048-wide ReLU MLP), built
  by the exporter's own memory-attention module (export_edgetam.MemoryAttention), so that both
  kinds of bundle run the same attention code.
- decode / decode_mask: SAM's prompt encoder and two-way mask decoder (2 blocks, 8 heads, MLP 2048,
  cross-attention at half width), upscaling with the high-resolution features, 4 hypernetwork
  MLPs, IoU / object-score / object-pointer heads.
- encode_memory: mask downsampler (4 convs 3x3 / 2 to 256 channels), 2 ConvNeXt fuser blocks
  (7x7 depthwise, 1024 wide), projection to 64, and the spatial perceiver (2 layers, 256 1D and
  256 2D latents, cross- then self-attention with 4x feed-forwards).
Timing against the official architecture exported with random weights: shim/BUNDLE.md.
"""

import math
from types import SimpleNamespace
from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from layers import MLP, Attention, LayerNorm2d, sine_pos_2d
import export_edgetam

HIDDEN = 256
MEMORY_DIM = 64
HIGH_RES = (32, 64)
REPVIT_DIMS = (48, 96, 192, 384)
REPVIT_DEPTHS = (2, 2, 14, 2)


# ---------------------------------------------------------------------------------------------
# RepViT-M1 (as trained: convolutions followed by batch norms, not yet re-parameterised)

class ConvNorm(nn.Sequential):
    def __init__(self, cin: int, cout: int, k: int = 1, stride: int = 1, groups: int = 1):
        super().__init__(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout))


class SqueezeExcite(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        hidden = max(8, (c // 4 + 4) // 8 * 8)
        self.reduce = nn.Conv2d(c, hidden, 1)
        self.expand = nn.Conv2d(hidden, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = F.relu(self.reduce(x.mean((2, 3), keepdim=True)))
        return x * torch.sigmoid(self.expand(s))


class RepViTBlock(nn.Module):
    """Token mixer (3x3 and 1x1 depthwise branches + identity), optional SE, 2x MLP mixer."""

    def __init__(self, c: int, se: bool):
        super().__init__()
        self.dw3 = ConvNorm(c, c, 3, groups=c)
        self.dw1 = ConvNorm(c, c, 1, groups=c)
        self.se = SqueezeExcite(c) if se else nn.Identity()
        self.mlp1 = ConvNorm(c, 2 * c)
        self.mlp2 = ConvNorm(2 * c, c)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.se(self.dw3(x) + self.dw1(x) + x)
        return x + self.mlp2(F.gelu(self.mlp1(x)))


class RepViTDownsample(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.pre = RepViTBlock(cin, se=False)
        self.spatial = ConvNorm(cin, cin, 3, stride=2, groups=cin)
        self.channel = ConvNorm(cin, cout)
        self.ffn1 = ConvNorm(cout, 2 * cout)
        self.ffn2 = ConvNorm(2 * cout, cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.channel(self.spatial(self.pre(x)))
        return x + self.ffn2(F.gelu(self.ffn1(x)))


class RepViTM1(nn.Module):
    """Returns the four stage outputs (strides 4, 8, 16, 32)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(ConvNorm(3, 24, 3, 2), nn.GELU(), ConvNorm(24, 48, 3, 2))
        stages = []
        cin = REPVIT_DIMS[0]
        for i, (c, depth) in enumerate(zip(REPVIT_DIMS, REPVIT_DEPTHS)):
            blocks: List[nn.Module] = [RepViTDownsample(cin, c)] if i else []
            blocks += [RepViTBlock(c, se=(j % 2 == 0)) for j in range(depth)]
            stages.append(nn.Sequential(*blocks))
            cin = c
        self.stages = nn.ModuleList(stages)

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        x = self.stem(x)
        out: List[torch.Tensor] = []
        for stage in self.stages:
            x = stage(x)
            out.append(x)
        return out


# ---------------------------------------------------------------------------------------------
# Memory attention: the exporter's module over layers with the official attribute names

def axial_rope(dim: int, side_x: int, side_y: int, theta: float = 10000.0) -> torch.Tensor:
    """A complex axial RoPE table [side_x*side_y, dim/2]: x frequencies then y frequencies."""
    freqs = 1.0 / theta ** (torch.arange(0, dim, 4)[: dim // 4].float() / dim)
    t = torch.arange(side_x * side_y, dtype=torch.float32)
    fx = torch.outer(t % side_x, freqs)
    fy = torch.outer(torch.div(t, side_x, rounding_mode="floor"), freqs)
    return torch.cat([torch.polar(torch.ones_like(fx), fx), torch.polar(torch.ones_like(fy), fy)],
                     -1)


class _RoPEProjections(nn.Module):
    """What export_edgetam.MemoryAttention reads of an official (v2) RoPE attention."""

    def __init__(self, kv_dim: int, q_side: int, k_side: int):
        super().__init__()
        self.q_proj = nn.Linear(HIDDEN, HIDDEN)
        self.k_proj = nn.Linear(kv_dim, HIDDEN)
        self.v_proj = nn.Linear(kv_dim, HIDDEN)
        self.out_proj = nn.Linear(HIDDEN, HIDDEN)
        self.num_heads = 1
        self.internal_dim = HIDDEN
        self.freqs_cis = axial_rope(HIDDEN, q_side, q_side)
        self.freqs_cis_q = self.freqs_cis
        self.freqs_cis_k = axial_rope(HIDDEN, k_side, k_side)


class _MemoryAttentionLayer(nn.Module):
    def __init__(self, side: int, windows: int):
        super().__init__()
        self.self_attn = _RoPEProjections(HIDDEN, side, side)
        self.cross_attn_image = _RoPEProjections(MEMORY_DIM, side, windows)
        self.norm1 = nn.LayerNorm(HIDDEN)
        self.norm2 = nn.LayerNorm(HIDDEN)
        self.norm3 = nn.LayerNorm(HIDDEN)
        self.linear1 = nn.Linear(HIDDEN, 2048)
        self.linear2 = nn.Linear(2048, HIDDEN)
        self.activation_str = "relu"
        self.pos_enc_at_attn = False
        self.pos_enc_at_cross_attn_queries = False
        self.pos_enc_at_cross_attn_keys = True


class _MemoryAttentionHolder(nn.Module):
    def __init__(self, side: int, windows: int):
        super().__init__()
        self.layers = nn.ModuleList([_MemoryAttentionLayer(side, windows) for _ in range(2)])
        self.norm = nn.LayerNorm(HIDDEN)
        self.pos_enc_at_input = True


# ---------------------------------------------------------------------------------------------
# Memory encoder + spatial perceiver

class CXBlock(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.dw = nn.Conv2d(c, c, 7, padding=3, groups=c)
        self.norm = LayerNorm2d(c)
        self.pw1 = nn.Linear(c, 4 * c)
        self.pw2 = nn.Linear(4 * c, c)
        self.gamma = nn.Parameter(torch.ones(c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(self.dw(x)).permute(0, 2, 3, 1)
        y = self.gamma * self.pw2(F.gelu(self.pw1(y)))
        return x + y.permute(0, 3, 1, 2)


class FeedForward(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.norm = nn.LayerNorm(c)
        self.fc1 = nn.Linear(c, 4 * c, bias=False)
        self.fc2 = nn.Linear(4 * c, c, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(self.norm(x))))


class PerceiverLayer(nn.Module):
    """Latents cross-attend to the tokens (positions added to keys and values), then attend to
    themselves; each followed by a feed-forward."""

    def __init__(self, c: int):
        super().__init__()
        self.norm_lat = nn.LayerNorm(c)
        self.norm_x = nn.LayerNorm(c)
        self.cross = Attention(c, c, c, 1)
        self.ff = FeedForward(c)
        self.norm_self = nn.LayerNorm(c)
        self.self_attn = Attention(c, c, c, 1)
        self.self_ff = FeedForward(c)

    def forward(self, lat: torch.Tensor, x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        y = self.norm_x(x)
        lat = lat + self.cross(self.norm_lat(lat), y + pos, y + pos)
        lat = lat + self.ff(lat)
        z = self.norm_self(lat)
        lat = lat + self.self_attn(z, z, z)
        return lat + self.self_ff(lat)


# ---------------------------------------------------------------------------------------------
# SAM heads

class TwoWayBlock(nn.Module):
    def __init__(self, c: int, skip_first_pe: bool):
        super().__init__()
        self.self_attn = Attention(c, c, c, 8)
        self.norm1 = nn.LayerNorm(c)
        self.t2i = Attention(c, c, c // 2, 8)
        self.norm2 = nn.LayerNorm(c)
        self.mlp = MLP(c, 2048, c, 2)
        self.norm3 = nn.LayerNorm(c)
        self.i2t = Attention(c, c, c // 2, 8)
        self.norm4 = nn.LayerNorm(c)
        self.skip_first_pe = skip_first_pe

    def forward(self, q: torch.Tensor, k: torch.Tensor, q_pe: torch.Tensor, k_pe: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        if self.skip_first_pe:
            q = self.norm1(self.self_attn(q, q, q))
        else:
            qq = q + q_pe
            q = self.norm1(q + self.self_attn(qq, qq, q))
        q = self.norm2(q + self.t2i(q + q_pe, k + k_pe, k))
        q = self.norm3(q + self.mlp(q))
        k = self.norm4(k + self.i2t(k + k_pe, q + q_pe, q))
        return q, k


class EdgeTAMProfile(export_edgetam.AttendMemory):
    """The five contract methods (shim/BUNDLE.md) at EdgeTAM's sizes, image size S."""

    def __init__(self, image_size: int):
        super().__init__()
        S, C, Cm = image_size, HIDDEN, MEMORY_DIM
        H = S // 16
        windows = 16  # 256 2D latents
        assert S % 256 == 0, "image_size must be a multiple of 256"
        self.image_size = S
        self.hidden_dim = C
        self.memory_dim = Cm
        self.feat_size = H
        self.low_res = S // 4
        self.num_maskmem = 7
        self.windows = windows
        self.win = H // windows
        self.memory_tokens = 2 * windows * windows

        # image encoder
        self.trunk = RepViTM1()
        self.lateral = nn.ModuleList([nn.Conv2d(c, C, 1) for c in REPVIT_DIMS])
        self.conv_s0 = nn.Conv2d(C, HIGH_RES[0], 1)
        self.conv_s1 = nn.Conv2d(C, HIGH_RES[1], 1)

        # memory attention (the exporter's module) and its inputs' constants
        feat_pos = sine_pos_2d(H, H, C).t().reshape(1, C, H, H)
        official_like = SimpleNamespace(memory_attention=_MemoryAttentionHolder(H, windows))
        self.memory_attention = export_edgetam.MemoryAttention(official_like, feat_pos)
        self.no_mem_embed = nn.Parameter(torch.zeros(C))
        self.maskmem_tpos_enc = nn.Parameter(torch.zeros(self.num_maskmem, Cm))
        self.register_buffer("memory_pos", torch.cat(
            [torch.zeros(windows * windows, Cm), sine_pos_2d(windows, windows, Cm)], 0))

        # prompt encoder
        self.register_buffer("pe_gaussian", torch.zeros(2, C // 2))
        self.point_embed = nn.Parameter(torch.zeros(5, C))  # labels -1, 0, 1, 2, 3
        self.no_mask_embed = nn.Parameter(torch.zeros(C))
        self.mask_embed = nn.Sequential(nn.Conv2d(1, 4, 2, 2), LayerNorm2d(4), nn.GELU(),
                                        nn.Conv2d(4, 16, 2, 2), LayerNorm2d(16), nn.GELU(),
                                        nn.Conv2d(16, C, 1))
        self.register_buffer("image_pe", torch.zeros(1, H * H, C))

        # mask decoder
        self.output_tokens = nn.Parameter(torch.zeros(6, C))  # obj score, iou, 4 mask tokens
        self.blocks = nn.ModuleList([TwoWayBlock(C, True), TwoWayBlock(C, False)])
        self.final_attn = Attention(C, C, C // 2, 8)
        self.norm_final = nn.LayerNorm(C)
        self.up1 = nn.ConvTranspose2d(C, C // 4, 2, 2)
        self.up_norm = LayerNorm2d(C // 4)
        self.up2 = nn.ConvTranspose2d(C // 4, C // 8, 2, 2)
        self.hyper = nn.ModuleList([MLP(C, C, C // 8, 3) for _ in range(4)])
        self.iou_head = MLP(C, C, 4, 3)
        self.score_head = MLP(C, C, 1, 3)
        self.obj_ptr_proj = MLP(C, C, C, 3)
        self.no_obj_ptr = nn.Parameter(torch.zeros(C))
        self.mask_downsample = nn.Conv2d(1, 1, 4, 4)

        # memory encoder + perceiver
        chans = [1, 4, 16, 64, 256]
        down: List[nn.Module] = []
        for i in range(4):
            down += [nn.Conv2d(chans[i], chans[i + 1], 3, 2, 1), LayerNorm2d(chans[i + 1]),
                     nn.GELU()]
        down.append(nn.Conv2d(C, C, 1))
        self.mask_downsampler = nn.Sequential(*down)
        self.pix_feat_proj = nn.Conv2d(C, C, 1)
        self.fuser = nn.Sequential(CXBlock(C), CXBlock(C))
        self.mem_out_proj = nn.Conv2d(C, Cm, 1)
        self.no_obj_embed_spatial = nn.Parameter(torch.zeros(Cm))
        self.register_buffer("mem_map_pos", sine_pos_2d(H, H, Cm).unsqueeze(0))
        self.latents_1d = nn.Parameter(torch.zeros(windows * windows, Cm))
        self.latents_2d = nn.Parameter(torch.zeros(windows * windows, Cm))
        self.perceiver = nn.ModuleList([PerceiverLayer(Cm), PerceiverLayer(Cm)])
        self.perceiver_norm = nn.LayerNorm(Cm)

    # ----------------------------------------------------------------------------- helpers

    def _fourier(self, coords: torch.Tensor) -> torch.Tensor:
        c = torch.matmul(2.0 * coords - 1.0, self.pe_gaussian) * (2.0 * math.pi)
        return torch.cat([torch.sin(c), torch.cos(c)], -1)

    def _heads(self, feat: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
               coords: torch.Tensor, labels: torch.Tensor, dense: torch.Tensor, multimask: bool
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        C, H, LR = self.hidden_dim, self.feat_size, self.low_res
        n = coords.size(1)
        sparse = self._fourier((coords.view(n, 2) + 0.5) / self.image_size)
        sparse = sparse + self.point_embed.index_select(0, labels.view(n).to(torch.long) + 1)
        tokens = torch.cat([self.output_tokens, sparse], 0).unsqueeze(0)
        keys = (feat + dense).flatten(2).transpose(1, 2)
        queries = tokens
        for block in self.blocks:
            queries, keys = block(queries, keys, tokens, self.image_pe)
        queries = self.norm_final(
            queries + self.final_attn(queries + tokens, keys + self.image_pe, keys))
        src = keys.transpose(1, 2).reshape(1, C, H, H)
        up = F.gelu(self.up_norm(self.up1(src) + hr1))
        up = F.gelu(self.up2(up) + hr0)
        hyper = torch.stack([mlp(queries[:, 2 + i]) for i, mlp in enumerate(self.hyper)], 1)
        masks = torch.matmul(hyper, up.view(1, C // 8, LR * LR)).view(1, 4, LR, LR)
        ious = torch.sigmoid(self.iou_head(queries[:, 1]))
        score = self.score_head(queries[:, 0])
        if multimask:
            masks, ious, toks = masks[:, 1:4], ious[:, 1:4], queries[:, 3:6]
        else:
            masks, ious, toks = masks[:, 0:1], ious[:, 0:1], queries[:, 2:3]
        appear = score > 0
        masks = torch.where(appear.view(1, 1, 1, 1), masks, torch.full_like(masks, -1024.0))
        best_i = torch.argmax(ious, dim=1)
        best = masks.index_select(1, best_i)
        ptr = self.obj_ptr_proj(toks.index_select(1, best_i).view(1, C))
        p = appear.to(ptr.dtype)
        ptr = p * ptr + (1.0 - p) * self.no_obj_ptr.view(1, C)
        return masks, ious, best, ptr, score

    def _perceive(self, lat: torch.Tensor, x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        for layer in self.perceiver:
            lat = layer(lat, x, pos)
        return self.perceiver_norm(lat)

    # ----------------------------------------------------------------------------- methods

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        xs = self.trunk(image)
        lat: List[torch.Tensor] = []
        for i, conv in enumerate(self.lateral):
            lat.append(conv(xs[i]))
        top = F.interpolate(lat[3], scale_factor=2.0, mode="nearest")
        feat = lat[2] + top
        hr0 = self.conv_s0(lat[0])
        hr1 = self.conv_s1(lat[1])
        return hr0.contiguous(), hr1.contiguous(), feat.contiguous()

    @torch.jit.export
    def decode(self, pix: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
               point_coords: torch.Tensor, point_labels: torch.Tensor, mask_input: torch.Tensor,
               multimask: bool
               ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        C = self.hidden_dim
        if point_coords.size(1) == 0:
            # no points: one not-a-point at (0, 0), as the official model passes (and the
            # ExecuTorch bundles take, shim/BUNDLE.md), so that both compute the same
            point_coords = torch.zeros(1, 1, 2, dtype=pix.dtype, device=pix.device)
            point_labels = torch.full((1, 1), -1, dtype=torch.int32, device=pix.device)
        # one padding point, as SAM's prompt encoder adds without a box
        coords = torch.cat([point_coords.to(pix.dtype),
                            torch.zeros(1, 1, 2, dtype=pix.dtype, device=pix.device)], 1)
        labels = torch.cat([point_labels.to(torch.int32),
                            torch.full((1, 1), -1, dtype=torch.int32, device=pix.device)], 1)
        if mask_input.numel() > 0:
            dense = self.mask_embed(mask_input)
        else:
            dense = self.no_mask_embed.view(1, C, 1, 1)
        masks, ious, best, ptr, score = self._heads(pix, hr0, hr1, coords, labels, dense,
                                                    multimask)
        return (masks.contiguous(), ious.contiguous(), best.contiguous(), ptr.contiguous(),
                score.contiguous())

    @torch.jit.export
    def decode_mask(self, feat: torch.Tensor, hr0: torch.Tensor, hr1: torch.Tensor,
                    mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        LR, C = self.low_res, self.hidden_dim
        best = F.interpolate(mask * 20.0 - 10.0, size=(LR, LR), mode="bilinear",
                             align_corners=False, antialias=True)
        coords = torch.zeros(1, 1, 2, dtype=feat.dtype, device=feat.device)
        labels = torch.full((1, 1), -1, dtype=torch.int32, device=feat.device)
        dense = self.mask_embed(self.mask_downsample(mask))
        _m, _i, _b, ptr, _s = self._heads(feat, hr0, hr1, coords, labels, dense, False)
        appear = (mask > 0).any().to(feat.dtype).view(1, 1)
        ptr = appear * ptr + (1.0 - appear) * self.no_obj_ptr.view(1, C)
        return best.contiguous(), ptr.contiguous(), (appear * 20.0 - 10.0).contiguous()

    @torch.jit.export
    def encode_memory(self, feat: torch.Tensor, best: torch.Tensor, object_score: torch.Tensor,
                      binarize: bool) -> torch.Tensor:
        S, Cm = self.image_size, self.memory_dim
        high = F.interpolate(best, size=(S, S), mode="bilinear", align_corners=False)
        x = (high > 0).to(feat.dtype) if binarize else torch.sigmoid(high)
        x = self.mask_downsampler(x * 20.0 - 10.0) + self.pix_feat_proj(feat)
        m = self.mem_out_proj(self.fuser(x))
        absent = (object_score.view(1) <= 0).to(m.dtype).view(1, 1, 1, 1)
        m = m + absent * self.no_obj_embed_spatial.view(1, Cm, 1, 1)
        tok = m.flatten(2).transpose(1, 2)
        l1 = self._perceive(self.latents_1d.unsqueeze(0), tok, self.mem_map_pos)
        nw, w = self.windows, self.win
        win = m.view(1, Cm, nw, w, nw, w).permute(0, 2, 4, 3, 5, 1).reshape(nw * nw, w * w, Cm)
        wpos = self.mem_map_pos.view(1, nw, w, nw, w, Cm).permute(0, 1, 3, 2, 4, 5)
        l2 = self._perceive(self.latents_2d.unsqueeze(1), win, wpos.reshape(nw * nw, w * w, Cm))
        return torch.cat([l1, l2.view(1, nw * nw, Cm)], 1).contiguous()


def init_weights(model: EdgeTAMProfile, seed: int, sensitive: bool = False) -> None:
    """Seeded random weights scaled so that activations stay O(1) (batch norms with random
    statistics, as a trained network has). `sensitive`: also make what the tracker keeps matter,
    for comparisons (objects present: object-score bias +2; memories and pointers move the
    attended features: memory cross-attention output x8), so that masks are non-empty and depend
    on the memory bank; plain random weights lose every object at once."""
    g = torch.Generator()
    g.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() >= 2:
                fan_in = p[0].numel() if not name.startswith("up") else p.shape[0]
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
            elif "norm" in name or name.endswith("gamma"):
                continue
            else:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(1.0 + torch.rand(m.running_var.shape, generator=g))
        model.pe_gaussian.copy_(torch.randn(model.pe_gaussian.shape, generator=g))
        H = model.feat_size
        ys, xs = torch.meshgrid(torch.arange(H, dtype=torch.float32),
                                torch.arange(H, dtype=torch.float32), indexing="ij")
        grid = torch.stack([(xs + 0.5) / H, (ys + 0.5) / H], -1).view(1, H * H, 2)
        model.image_pe.copy_(model._fourier(grid))
        if sensitive:
            model.score_head.layers[-1].bias.add_(2.0)
            for layer in model.memory_attention.layers:
                layer.cross_attn.out_proj.weight.mul_(8.0)


def metadata_sizes(model: EdgeTAMProfile) -> dict:
    return {"model": "edgetam-profile", "image_size": model.image_size,
            "hidden_dim": model.hidden_dim, "memory_dim": model.memory_dim,
            "high_res_dim0": HIGH_RES[0], "high_res_dim1": HIGH_RES[1],
            "memory_tokens": model.memory_tokens, "num_maskmem": model.num_maskmem}
