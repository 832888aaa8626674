"""Building blocks of the bundles this repository writes itself (the stand-in of
make_standin_bundle.py and the benchmark profile of edgetam_profile.py): TorchScript-friendly and
free of scaled_dot_product_attention, so that every runtime the library supports runs them, unless
an exporter asks for it (use_sdpa: bundles for libtorch >= 2.0 only)."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F



class LayerNorm2d(nn.Module):
    def __init__(self, channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight.view(1, -1, 1, 1) * x + self.bias.view(1, -1, 1, 1)


class Attention(nn.Module):
    """Multi-head attention as matmul + softmax (or scaled_dot_product_attention: use_sdpa).
    q [B,Nq,Dq], k/v [B,Nk,Dkv] -> [B,Nq,Dq]."""
    __constants__ = ["sdpa"]

    def __init__(self, dim_q: int, dim_kv: int, inner: int, heads: int):
        super().__init__()
        self.sdpa = False
        assert inner % heads == 0
        self.q_proj = nn.Linear(dim_q, inner)
        self.k_proj = nn.Linear(dim_kv, inner)
        self.v_proj = nn.Linear(dim_kv, inner)
        self.out_proj = nn.Linear(inner, dim_q)
        self.heads = heads
        self.head_dim = inner // heads
        self.scale = 1.0 / math.sqrt(inner // heads)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        b = q.size(0)
        nq = q.size(1)
        nk = k.size(1)
        q = self.q_proj(q).view(b, nq, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(k).view(b, nk, self.heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(v).view(b, nk, self.heads, self.head_dim).transpose(1, 2)
        if self.sdpa:  # a constant: TorchScript compiles only the branch taken
            o = F.scaled_dot_product_attention(q, k, v)
        else:
            o = torch.matmul(torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * self.scale,
                                           dim=-1), v)
        return self.out_proj(o.transpose(1, 2).reshape(b, nq, self.heads * self.head_dim))


# How a TorchScript bundle computes attention: "blocked" (export_edgetam.blocked_attention and
# matmul + softmax: every runtime, libtorch 1.13 and LibTorch-Lite included) or "sdpa" (torch >=
# 2.0's fused scaled_dot_product_attention, in every attention of the model, the official model's
# traced pieces included: full-JIT bundles for libtorch >= 2.0 only, which their
# min_torch_version says).
ATTENTIONS = ("blocked", "sdpa")


def check_attention(attention, lite, runtime):
    """Raises ValueError when a bundle of this kind cannot have `attention` (of ATTENTIONS)."""
    if attention not in ATTENTIONS:
        raise ValueError("export: attention must be one of %s" % ", ".join(ATTENTIONS))
    if attention != "sdpa":
        return
    if lite or runtime != "torchscript":
        raise ValueError("export: --attention sdpa writes full-JIT TorchScript bundles for "
                         "libtorch >= 2.0; lite and ExecuTorch bundles keep the blocked attention")
    if not hasattr(F, "scaled_dot_product_attention"):
        raise ValueError("export: --attention sdpa needs torch >= 2.0 (this is %s)"
                         % torch.__version__)


def use_sdpa(model: nn.Module) -> nn.Module:
    """Switches every attention of `model` that can (those with an `sdpa` flag: Attention and the
    exporter's RoPE attention) to F.scaled_dot_product_attention, libtorch's fused attention
    (flash-style on the CPU from 2.x: no score matrix in memory). Such a bundle needs torch >= 2.0
    (its metadata says so: runtime_ops.op_metadata); libtorch 1.13 and LibTorch-Lite get the
    matmul + softmax form (check_attention). Returns `model`, changed in place."""
    for m in model.modules():
        if hasattr(m, "sdpa"):
            m.sdpa = True
    return model


class MLP(nn.Module):
    def __init__(self, dim_in: int, hidden: int, dim_out: int, layers: int):
        super().__init__()
        dims = [dim_in] + [hidden] * (layers - 1) + [dim_out]
        self.layers = nn.ModuleList([nn.Linear(dims[i], dims[i + 1]) for i in range(layers)])
        self.n = layers

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        i = 0
        for layer in self.layers:
            x = layer(x)
            if i < self.n - 1:
                x = F.relu(x)
            i += 1
        return x


def sine_pos_2d(h: int, w: int, dim: int, temperature: float = 10000.0) -> torch.Tensor:
    """Fixed 2D sine position encoding of an h x w grid, [h*w, dim] row-major (y half, x half)."""
    assert dim % 4 == 0
    nf = dim // 4
    freqs = temperature ** (-torch.arange(nf, dtype=torch.float64) / nf)
    ys = (torch.arange(h, dtype=torch.float64) + 0.5) / h * 2 * math.pi
    xs = (torch.arange(w, dtype=torch.float64) + 0.5) / w * 2 * math.pi
    ey = ys[:, None] * freqs[None, :] * 4  # a few turns across the grid
    ex = xs[:, None] * freqs[None, :] * 4
    py = torch.cat([ey.sin(), ey.cos()], 1)[:, None, :].expand(h, w, 2 * nf)
    px = torch.cat([ex.sin(), ex.cos()], 1)[None, :, :].expand(h, w, 2 * nf)
    return torch.cat([py, px], 2).reshape(h * w, dim).float()


def key_biased_attention(attn: Attention, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                         key_bias: torch.Tensor) -> torch.Tensor:
    """attn(q, k, v) with key_bias [Nk] added to every query's scores: the ExecuTorch bundles'
    padded memories (bundle_pte.padding_key_bias). A function beside Attention rather than an
    argument of its forward, which is part of the stand-in's TorchScript archive: that file stays
    byte-identical."""
    b, nq, nk = q.size(0), q.size(1), k.size(1)
    h, d = attn.heads, attn.head_dim
    q = attn.q_proj(q).view(b, nq, h, d).transpose(1, 2)
    k = attn.k_proj(k).view(b, nk, h, d).transpose(1, 2)
    v = attn.v_proj(v).view(b, nk, h, d).transpose(1, 2)
    a = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * attn.scale + key_bias, dim=-1)
    return attn.out_proj(torch.matmul(a, v).transpose(1, 2).reshape(b, nq, h * d))

