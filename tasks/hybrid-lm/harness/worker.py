"""The hybrid-lm worker: the candidate's side of a judged stage
(kernels/PROTOCOL.md). It runs in the candidate's process and sandbox:
imports torch and the candidate's model.py, builds the model, declares what
it built (HELLO), then trains on the windows the judge sends (TRAIN calls)
and returns logits for the rows the judge sends (EVAL calls).

Until model.py runs, this process is trusted: the stage starts it with
`python3 -I` (no user site, no PYTHON* variables, no path from the job
directory: nothing a candidate wrote during an earlier stage runs first),
and before it loads model.py it imports everything a model may use
(preload.py), reads model.py into memory and locks itself out of the
filesystem (cambrian_kernels.lockdown, Landlock): the candidate's code can
then read no file, list no directory, write and execute nothing. HELLO says
whether the lock holds (`fs_locked`).

From model.py on, nothing here is trusted: model.py runs in this process and
can change anything in it, the training recipe included (optimizer,
schedule, clipping), but not undo the lockdown. The guarantees come from the
judge (judge.py): which bytes and how many tokens training sees, which
validation bytes are scored and how, the loss, the causality probes. The
recipe below is the task's standard, the one every honest candidate gets:
AdamW (0.9, 0.95), weight decay 0.1 on matrices, 10% linear warmup, cosine
to 10% of LEARNING_RATE, gradient clipping at 1, MoE balance loss x 0.01.
"""
import os

# One thread per job, set before torch loads its BLAS (the stage sets them too).
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import importlib.util  # noqa: E402
import linecache  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
import types  # noqa: E402

# Under -I neither PYTHONPATH nor this script's directory is on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.environ.get("CAMBRIAN_KERNELS", ""), "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import preload  # noqa: E402
import profiles  # noqa: E402
from cambrian_kernels.worker import Worker  # noqa: E402


def read_candidate():
    """model.py's path and text, read while the filesystem is still open."""
    path = os.path.join(os.getcwd(), "model.py")
    with open(path, "rb") as f:
        return path, importlib.util.decode_source(f.read())


def load_candidate(path, source):
    """Runs model.py from memory as the module `model`. Its lines go into
    linecache, so tracebacks and inspect.getsource still show them."""
    module = types.ModuleType("model")
    module.__file__ = path
    linecache.cache[path] = (len(source), None, source.splitlines(True), path)
    sys.modules["model"] = module
    exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    return module


def device_for(profile):
    if profile["device"] == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("this profile needs a CUDA GPU and torch reports none")
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        return torch.device("cuda")
    return torch.device("cpu")


def count_params(net):
    """(all parameters, parameters one token uses: unchosen experts excluded)."""
    total = sum(p.numel() for p in net.parameters())
    idle = 0
    for m in net.modules():
        experts = getattr(m, "experts", None)
        if isinstance(experts, torch.nn.ModuleList) and hasattr(m, "top_k"):
            per = sum(p.numel() for p in experts.parameters()) / len(experts)
            idle += per * (len(experts) - min(m.top_k, len(experts)))
    return total, int(total - idle)


def declarations(net, lr):
    """What this worker says it built (HELLO): claims, which the judge reports
    as such and never scores."""
    pattern = [str(k) for k in getattr(net, "pattern", [])]
    mixers = [k for k in pattern if k in profiles.MIXERS]
    params, active = count_params(net)
    return {"params": params, "active_params": active, "layers": len(pattern),
            "attn_fraction": float(mixers.count("attn") / len(mixers)) if mixers else 0.0,
            "learning_rate": float(lr), "pattern": " ".join(pattern)[:256]}


def learning_rate(step, steps, peak):
    warmup = max(1, int(steps * profiles.WARMUP_FRACTION))
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    final = profiles.FINAL_LR_FRACTION
    return peak * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress)))


def make_optimizer(net, lr):
    decay = [p for p in net.parameters() if p.dim() >= 2]
    other = [p for p in net.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": profiles.WEIGHT_DECAY},
              {"params": other, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8)


class Trainer:
    """Answers the judge's calls with the candidate's model."""

    def __init__(self, net, lr, device, worker):
        self.net, self.lr, self.device, self.worker = net, lr, device, worker
        self.optimizer = None

    def rows(self, count, width):
        data = np.frombuffer(self.worker.input, dtype=np.uint8, count=count * width)
        return torch.from_numpy(data.astype(np.int64).reshape(count, width)).to(self.device)

    def forward(self, x):
        logits, aux = self.net(x)
        want = (x.shape[0], x.shape[1], 256)
        if not torch.is_tensor(logits) or tuple(logits.shape) != want:
            shape = tuple(logits.shape) if torch.is_tensor(logits) else type(logits).__name__
            raise ValueError(f"forward returned logits of shape {shape}, expected {want}")
        if not torch.is_tensor(aux) or aux.dim() != 0:
            raise ValueError("forward's second result (the auxiliary loss) is not a scalar tensor")
        return logits.float(), aux

    def train(self, rows, context, step, steps):
        self.net.train()
        if self.optimizer is None:
            self.optimizer = make_optimizer(self.net, self.lr)
        window = self.rows(rows, context + 1)
        logits, aux = self.forward(window[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 256), window[:, 1:].reshape(-1))
        if not torch.isfinite(loss):
            raise FloatingPointError(f"training diverged: loss {loss.item()} at step {step}")
        for group in self.optimizer.param_groups:
            group["lr"] = learning_rate(step, steps, self.lr)
        self.optimizer.zero_grad(set_to_none=True)
        (loss + profiles.AUX_LOSS_WEIGHT * aux).backward()
        torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
        self.optimizer.step()
        return {"loss": loss.item()}

    def evaluate(self, rows, length):
        self.net.eval()
        with torch.no_grad():
            logits, _ = self.forward(self.rows(rows, length))
        out = np.frombuffer(self.worker.output, dtype=np.float32, count=rows * length * 256)
        out[:] = logits.reshape(-1).cpu().numpy()
        return {"peak_mem_mb": peak_memory_mb(self.device)}

    def handle(self, call):
        if call.op == profiles.TRAIN:
            return self.train(*call.args[:4])
        if call.op == profiles.EVAL:
            return self.evaluate(*call.args[:2])
        raise ValueError(f"unknown operation {call.op}")


def peak_memory_mb(device):
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seal(profile):
    """Everything before the candidate's code runs: the device, every module
    a model may import, a warm-up step, model.py read, the lockdown. Returns
    (device, model.py's path and text, 1 if the filesystem is locked, 0 where
    the kernel has no Landlock)."""
    torch.set_num_threads(1)
    device = device_for(profile)
    preload.import_all()
    preload.warm_up(device, make_optimizer)
    candidate = read_candidate()
    linecache.clearcache()  # source lines a warning may have cached: text to train on
    return device, candidate, preload.lock(device)


def build(profile, device, candidate):
    torch.manual_seed(int(os.environ.get("CAMBRIAN_SEED", "1")) % (2**63))
    module = load_candidate(*candidate)
    net = module.build_model(profile["width_mult"]).to(device)
    lr = min(max(float(module.LEARNING_RATE), profiles.LR_BOUNDS[0]), profiles.LR_BOUNDS[1])
    return net, lr


def main():
    _, profile = profiles.selected()
    worker = Worker.from_env()
    try:
        device, candidate, fs_locked = seal(profile)
    except Exception as error:  # no candidate code has run: the machine or the harness
        traceback.print_exc()
        worker.fail(f"preparing the worker failed: {type(error).__name__}: {error}")
        worker.exit(1)
    try:
        net, lr = build(profile, device, candidate)
    except Exception as error:  # the candidate's code failed: say why, then go
        traceback.print_exc()
        worker.fail(f"building the model failed: {type(error).__name__}: {error}")
        worker.exit(1)
    try:
        worker.start({**declarations(net, lr), "fs_locked": fs_locked}, timeout=profile["hello_s"])
        worker.serve(Trainer(net, lr, device, worker).handle)
    except Exception:
        traceback.print_exc()
        worker.exit(1)
    worker.exit(0)


if __name__ == "__main__":
    main()
