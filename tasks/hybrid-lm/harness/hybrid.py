"""The trusted driver of the hybrid-lm task: builds the candidate's model,
trains it for the profile's fixed number of tokens and scores validation bits
per byte. Everything that decides the score lives here, outside the
candidate's reach: the corpus and its split, the token budget (steps x batch x
context), the data order, the optimizer and schedule, the loss, the
validation bytes and the causality probe. The candidate's model.py supplies
the architecture and the learning rate.

  hybrid.py check   build the model, count parameters, probe causality
  hybrid.py train   train, evaluate, probe causality again, report

The profile comes from --profile or $HYBRID_PROFILE (default "demo"). Seeds
come from $CAMBRIAN_SEED: it fixes the initialisation and the order of the
training windows, so re-running on other seeds measures the noise floor; the
validation bytes never change. Metrics go to $CAMBRIAN_OUT/metrics.json.
"""
import os

# One thread per job, set before torch loads its BLAS: two jobs on two cores
# must not slow each other down. (The stage command sets them too.)
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

# Budgets. tokens = steps * batch * context; val_windows * context bytes are
# scored. max_params bounds what a candidate may build (time is bounded by the
# stage timeouts as well).
PROFILES = {
    "smoke": dict(width_mult=0.5, context=64, batch=4, steps=24, val_windows=16,
                  device="cpu", max_params=2_000_000),
    "demo": dict(width_mult=1.0, context=128, batch=16, steps=220, val_windows=256,
                 device="cpu", max_params=4_000_000),
    "gpu": dict(width_mult=6.0, context=1024, batch=16, steps=1200, val_windows=128,
                device="cuda", max_params=200_000_000),
}
WARMUP_FRACTION = 0.1
FINAL_LR_FRACTION = 0.1
WEIGHT_DECAY = 0.1
AUX_LOSS_WEIGHT = 0.01
LR_BOUNDS = (1e-5, 0.1)
MIXERS = ("attn", "linattn", "delta", "ssm", "conv")


# What the score depends on, captured before the candidate's code runs in this
# process; train() refuses to report if any was replaced (a model.py that
# patched F.cross_entropy could otherwise report any loss it liked).
GUARDED = {
    "torch.nn.functional.cross_entropy": (F, "cross_entropy", F.cross_entropy),
    "torch.Tensor.log_softmax": (torch.Tensor, "log_softmax", torch.Tensor.log_softmax),
    "torch.Tensor.item": (torch.Tensor, "item", torch.Tensor.item),
    "torch.no_grad": (torch, "no_grad", torch.no_grad),
    "json.dump": (json, "dump", json.dump),
    "math.log": (math, "log", math.log),
    "time.perf_counter": (time, "perf_counter", time.perf_counter),
    "os._exit": (os, "_exit", os._exit),
}


def tampered():
    return [name for name, (owner, attr, value) in GUARDED.items() if getattr(owner, attr, None) is not value]


cross_entropy = F.cross_entropy  # the captured original, used for every loss


def load_candidate():
    spec = importlib.util.spec_from_file_location("model", os.path.join(os.getcwd(), "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def seed_from_env():
    return int(os.environ.get("CAMBRIAN_SEED", "1")) % (2**63)


def device_for(profile):
    if profile["device"] == "cuda":
        if not torch.cuda.is_available():
            sys.exit("hybrid-lm: this profile needs a CUDA GPU and torch reports none")
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


def causal_violation(net, context, device, generator):
    """Largest change of the logits before position t when bytes from t on
    change, or when the other rows of the batch change (0 for a causal,
    batch-independent model, up to rounding)."""
    x = torch.randint(0, 256, (3, context), generator=generator).to(device)
    t = context // 2
    y = x.clone()
    y[:, t:] = torch.randint(0, 256, (3, context - t), generator=generator).to(device)
    with torch.no_grad():
        a, b, alone = net(x)[0], net(y)[0], net(x[:1])[0]
    scale = max(1.0, a.abs().max().item())
    worst = max((a[:, :t] - b[:, :t]).abs().max().item(), (a[:1] - alone).abs().max().item())
    return worst / scale


def describe(net, profile):
    pattern = list(getattr(net, "pattern", []))
    mixers = [k for k in pattern if k in MIXERS]
    params, active = count_params(net)
    return {
        "params": params,
        "active_params": active,
        "layers": len(pattern),
        "attn_fraction": (mixers.count("attn") / len(mixers)) if mixers else 0.0,
        "within_limits": int(params <= profile["max_params"]),
    }, pattern


def write_metrics(metrics, feedback=""):
    """Writes the report and ends the process at once, so no handler the
    candidate registered (atexit, a finalizer) runs after the write."""
    changed = tampered()
    if changed:
        print(f"hybrid-lm: the candidate replaced {', '.join(changed)}; no score", flush=True)
        os._exit(3)
    out = os.environ.get("CAMBRIAN_OUT", ".")
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump({"metrics": metrics, "feedback": feedback}, f)
    print(json.dumps(metrics, sort_keys=True), flush=True)
    sys.stderr.flush()
    os._exit(0)


def check(profile, candidate, seed):
    torch.manual_seed(seed)
    device = device_for(profile)
    net = candidate.build_model(profile["width_mult"]).to(device).eval()
    metrics, pattern = describe(net, profile)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        logits, aux = net(torch.randint(0, 256, (2, profile["context"]), generator=gen).to(device))
    shape_ok = tuple(logits.shape) == (2, profile["context"], 256) and aux.dim() == 0
    violation = causal_violation(net, profile["context"], device, gen) if shape_ok else math.inf
    metrics["causal"] = int(shape_ok and violation < 1e-3)
    note = f"pattern {' '.join(pattern)}; {metrics['params']} parameters"
    if not shape_ok:
        note += f"; forward returned logits {tuple(logits.shape)}, expected (2, T, 256) and a scalar"
    elif not metrics["causal"]:
        note += f"; NOT CAUSAL: earlier logits moved by {violation:.3g} (relative)"
    if not metrics["within_limits"]:
        note += f"; over the profile's limit of {profile['max_params']} parameters"
    write_metrics(metrics, note)


def learning_rate(step, steps, peak):
    warmup = max(1, int(steps * WARMUP_FRACTION))
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (FINAL_LR_FRACTION + (1 - FINAL_LR_FRACTION) * 0.5 * (1 + math.cos(math.pi * progress)))


def make_optimizer(net, lr):
    decay = [p for p in net.parameters() if p.dim() >= 2]
    other = [p for p in net.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": other, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), eps=1e-8)


def train_steps(net, data, profile, lr, seed, device):
    """Trains on steps x batch random windows; returns (last losses, seconds)."""
    gen = torch.Generator().manual_seed(seed ^ 0x5EED)
    opt = make_optimizer(net, lr)
    ctx, batch, steps = profile["context"], profile["batch"], profile["steps"]
    losses = []
    start = time.perf_counter()
    for step in range(steps):
        starts = torch.randint(0, len(data) - ctx - 1, (batch,), generator=gen)
        window = torch.stack([data[s : s + ctx + 1] for s in starts.tolist()]).to(device)
        logits, aux = net(window[:, :-1])
        loss = cross_entropy(logits.reshape(-1, 256).float(), window[:, 1:].reshape(-1))
        if not torch.isfinite(loss):
            sys.exit(f"hybrid-lm: training diverged: loss {loss.item()} at step {step}")
        for group in opt.param_groups:
            group["lr"] = learning_rate(step, steps, lr)
        opt.zero_grad(set_to_none=True)
        (loss + AUX_LOSS_WEIGHT * aux).backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    if device.type == "cuda":
        torch.cuda.synchronize()
    return losses, time.perf_counter() - start


def validation_bpb(net, val, profile, device):
    """Mean bits per byte over the fixed validation windows, evenly spaced over
    the validation files (each of context+1 bytes: every byte after the first
    is predicted from those before it)."""
    ctx, n = profile["context"], profile["val_windows"]
    if len(val) < n * (ctx + 1):
        sys.exit(f"hybrid-lm: validation set has {len(val)} bytes, the profile needs {n * ctx + 1}")
    stride = (len(val) - ctx - 1) // max(1, n - 1)  # spread over every validation file
    windows = torch.stack([val[i * stride : i * stride + ctx + 1] for i in range(n)])
    total, count = 0.0, 0
    net.eval()
    with torch.no_grad():
        for chunk in windows.split(32):
            chunk = chunk.to(device)
            logits = net(chunk[:, :-1])[0].float()
            total += cross_entropy(logits.reshape(-1, 256), chunk[:, 1:].reshape(-1), reduction="sum").item()
            count += chunk[:, 1:].numel()
    return total / count / math.log(2)


def peak_memory_mb(device):
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(profile, candidate, seed):
    torch.manual_seed(seed)
    device = device_for(profile)
    train_bytes, val_bytes, sha, root = corpus.build()
    data = torch.frombuffer(bytearray(train_bytes), dtype=torch.uint8).long()
    val = torch.frombuffer(bytearray(val_bytes), dtype=torch.uint8).long()
    net = candidate.build_model(profile["width_mult"]).to(device).train()
    metrics, pattern = describe(net, profile)
    lr = min(max(float(candidate.LEARNING_RATE), LR_BOUNDS[0]), LR_BOUNDS[1])
    losses, seconds = train_steps(net, data, profile, lr, seed, device)
    tokens = profile["steps"] * profile["batch"] * profile["context"]
    if tampered():
        write_metrics({})  # reports the tampering and exits
    bpb = validation_bpb(net, val, profile, device)
    violation = causal_violation(net, profile["context"], device, torch.Generator().manual_seed(seed))
    tail = losses[-max(1, len(losses) // 10):]
    metrics.update({
        "val_bpb": bpb,
        "train_bpb": sum(tail) / len(tail) / math.log(2),
        "train_tokens": tokens,
        "tokens_per_s": tokens / seconds,
        "train_seconds": seconds,
        "peak_mem_mb": peak_memory_mb(device),
        "causal": int(violation < 1e-3),
        "learning_rate": lr,
        "corpus_match": int(sha == corpus.EXPECTED_SHA256),
        "corpus_sha256_48": int(sha[:12], 16),
    })
    note = (f"val_bpb {bpb:.4f} after {tokens} tokens; pattern {' '.join(pattern)}; "
            f"{metrics['params']} parameters ({metrics['active_params']} active); "
            f"{metrics['tokens_per_s']:.0f} tokens/s")
    if not metrics["corpus_match"]:
        note += (f"; CORPUS DIFFERS: sha256 {sha} from {root}, expected {corpus.EXPECTED_SHA256}:"
                 " scores are not comparable with runs on the reference corpus")
        print(note, file=sys.stderr)
    if not metrics["causal"]:
        note += f"; NOT CAUSAL after training (relative change {violation:.3g})"
    write_metrics(metrics, note)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["check", "train"])
    parser.add_argument("--profile", default=os.environ.get("HYBRID_PROFILE") or "demo")
    args = parser.parse_args()
    if args.profile not in PROFILES:
        sys.exit(f"hybrid-lm: unknown profile {args.profile!r} (expected one of {', '.join(PROFILES)})")
    torch.set_num_threads(1)
    profile = PROFILES[args.profile]
    seed = seed_from_env()
    print(f"hybrid-lm: profile {args.profile}, seed {seed}, torch {torch.__version__}", flush=True)
    (check if args.command == "check" else train)(profile, load_candidate(), seed)


if __name__ == "__main__":
    main()
