"""What the hybrid-lm worker loads before it locks itself out of the
filesystem, and what the lockdown leaves open (README.md, "The lockdown").

worker.py is trusted until it runs model.py. Before that it imports every
module listed here, runs one training step and one evaluation of a small
model of its own on the profile's device (so that what torch loads on first
use, lazily imported Python modules and, on CUDA, the libraries the driver,
cuBLAS, cuDNN and cuFFT open, is loaded), reads model.py into memory and
applies a Landlock ruleset (cambrian_kernels.lockdown). From then on the
process can open, list, write or execute nothing on the filesystem but what
`allowed` returns: nothing at all on CPU. A model can import what is listed
here and whatever these modules imported themselves; anything else fails
with PermissionError.
"""
import importlib
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from cambrian_kernels import lockdown

STDLIB = ("__future__", "abc", "array", "bisect", "cmath", "collections", "collections.abc",
          "contextlib", "copy", "dataclasses", "decimal", "enum", "fractions", "functools", "heapq",
          "inspect", "io", "itertools", "math", "numbers", "operator", "random", "re",
          "statistics", "string", "struct", "textwrap", "time", "types", "typing", "warnings",
          "weakref")
NUMPY = ("numpy", "numpy.fft", "numpy.linalg", "numpy.random")
TORCH = ("torch", "torch.autograd", "torch.autograd.function", "torch.backends.cuda",
         "torch.backends.cudnn", "torch.cuda", "torch.cuda.amp", "torch.distributions", "torch.fft",
         "torch.linalg", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.nn.parameter",
         "torch.nn.utils", "torch.nn.utils.parametrizations", "torch.nn.utils.parametrize",
         "torch.nn.utils.rnn", "torch.optim", "torch.optim.lr_scheduler", "torch.special",
         "torch.utils.checkpoint")
# In newer versions of torch only: imported where they exist.
TORCH_NEWER = ("torch.amp", "torch.func", "torch.nn.attention")


def import_all():
    """Imports every module a model may use (ImportError: the worker's
    Python lacks one it must have)."""
    for name in STDLIB + NUMPY + TORCH:
        importlib.import_module(name)
    for name in TORCH_NEWER:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            pass


def warm_up(device, make_optimizer):
    """One training step and one evaluation of a small model that uses the
    operations the seed's blocks and the worker's recipe use, on `device`.
    Its results are thrown away; the caller seeds torch afterwards."""
    net = WarmUp().to(device)
    optimizer = make_optimizer(net, 1e-3)
    idx = torch.randint(0, 256, (2, 9), device=device)
    logits = net(idx[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, 256), idx[:, 1:].reshape(-1))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    optimizer.step()
    net.eval()
    with torch.no_grad():
        net(idx).float().cpu().numpy()
    if device.type == "cuda":
        # Mixed precision takes other cuBLAS paths (cuBLASLt). Older GPUs
        # lack bfloat16, and older torch refuses it there.
        half = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        with torch.autocast("cuda", dtype=half):
            net(idx).float().sum().item()
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


class WarmUp(nn.Module):
    """Embedding, norm, a grouped causal convolution, attention (by hand and
    fused where torch has it), a triangular solve, FFT convolution, complex
    exponentials, einsum, activations, top-k routing with index_add_: the
    operations of the seed's block library, on a toy scale."""

    def __init__(self, d=16):
        super().__init__()
        self.embed = nn.Embedding(256, d)
        self.linear = nn.Linear(d, d)
        self.conv = nn.Conv1d(d, d, 4, groups=d, padding=3)
        self.norm = nn.LayerNorm(d)

    def forward(self, idx):
        x = self.norm(self.embed(idx))
        b, t, d = x.shape
        x = x + self.conv(x.transpose(1, 2))[..., :t].transpose(1, 2)
        q = k = v = x.view(b, t, 2, d // 2).transpose(1, 2)
        mask = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        scores = (q @ k.transpose(-1, -2)).masked_fill(mask, float("-inf")).softmax(-1)
        y = scores @ v
        if hasattr(F, "scaled_dot_product_attention"):
            y = y + F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + y.transpose(1, 2).reshape(b, t, d)
        tri = torch.eye(t, device=x.device) + 0.01 * torch.ones(t, t, device=x.device).tril(-1)
        x = x + torch.linalg.solve_triangular(tri, x, upper=False)
        size = 2 * t
        spectrum = torch.fft.rfft(x.transpose(1, 2), n=size) * torch.fft.rfft(x.transpose(1, 2), n=size)
        x = x + torch.fft.irfft(spectrum, n=size)[..., :t].transpose(1, 2)
        x = x + torch.complex(x, x.flip(-1)).exp().real.clamp(-1, 1)
        x = x + torch.einsum("btd,de->bte", x, self.linear.weight).cumsum(1).tanh()
        x = F.silu(x) + F.gelu(x) + F.elu(x) + F.softplus(x) + torch.sigmoid(x)
        x = F.normalize(x, dim=-1) * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)
        flat = x.reshape(-1, d)
        weights, chosen = flat.softmax(-1).topk(2, dim=-1)
        counts = F.one_hot(chosen, d).sum(1).float().mean(0)
        rows, slot = (chosen == 0).nonzero(as_tuple=True)
        out = torch.zeros_like(flat).index_add_(0, rows, flat[rows] * weights[rows, slot, None])
        x = x + out.view_as(x) + counts.sum()
        return self.linear(F.pad(x, (0, 0, 0, 1))[:, :t]) @ self.embed.weight.t()


def allowed(device):
    """(read, devices) for lockdown.restrict: nothing on CPU. On CUDA, what
    the driver and the CUDA libraries open after their first use (not
    measured here: written for a GPU without one to try it on):
      - the NVIDIA device files: the driver opens them again after
        initialisation (new contexts, streams, memory mappings); device
        nodes, no text;
      - the shared-object files (only those) in the directories of the
        libraries already mapped and of pip's nvidia/*/lib packages: cuDNN
        opens its engine libraries, torch NVRTC and its builtins on first
        use of a kernel that needs them; binary code, no text;
      - /etc/ld.so.cache, the loader's index for finding those by name;
      - /proc/self: the driver reads this process's maps and status (its
        links lead to files that their own rules decide);
      - /proc/driver/nvidia, /sys/bus/pci and /sys/devices: the driver's
        parameters and the PCI topology, a few numbers per device."""
    if device.type != "cuda":
        return [], []
    read = ["/etc/ld.so.cache", "/proc/self", "/proc/driver/nvidia", "/sys/bus/pci", "/sys/devices"]
    dirs = set(lockdown.mapped_library_dirs())
    for entry in sys.path:
        nvidia = os.path.join(entry, "nvidia")
        if os.path.isdir(nvidia):
            dirs.update(os.path.join(nvidia, name, "lib") for name in os.listdir(nvidia))
    read += lockdown.shared_objects(sorted(dirs))
    devices = sorted(os.path.join("/dev", name) for name in os.listdir("/dev")
                     if name.startswith("nvidia"))
    return read, devices


def lock(device):
    """Applies the lockdown: 1 where it holds, 0 where this kernel has no
    Landlock (nothing restricted). OSError if it fails otherwise."""
    read, devices = allowed(device)
    try:
        lockdown.restrict(read=read, devices=devices)
    except lockdown.Unavailable:
        return 0
    return 1
