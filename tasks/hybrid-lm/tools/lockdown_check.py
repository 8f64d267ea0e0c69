#!/usr/bin/env python3
"""Checks the worker's filesystem lockdown on this machine and device, without
a judge: prepares the worker exactly as a stage does (worker.seal: imports,
warm-up, model.py read, Landlock), then builds, trains for a few steps and
evaluates a model of every block kind from the seed's library, and tries to
read a file of Python's library (it must fail). Exits 1 if any of that fails.
Run it under strace to see what the lockdown denied:

  python3 -I -B tasks/hybrid-lm/tools/lockdown_check.py [--profile gpu]
  strace -f -e trace=open,openat -o trace.txt python3 -I -B ... ; grep EACCES trace.txt

--profile gpu runs on CUDA: the check to make on a GPU machine, since the
CUDA allow-list (harness/preload.py, `allowed`) was written without one.
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TASK = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TASK, "harness"))
sys.path.insert(0, os.path.join(TASK, "..", "..", "kernels", "python"))
import worker  # noqa: E402  (the real worker module: same imports, same seal)

KINDS = ((["attn", "linattn"], "mlp"), (["delta", "ssm"], "moe4"), (["conv", "attn"], "moe2"))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="smoke")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    _, profile = worker.profiles.selected(args.profile)
    os.chdir(os.path.join(TASK, "program"))
    started = time.monotonic()
    device, candidate, locked = worker.seal(profile)
    print(f"sealed in {time.monotonic() - started:.2f} s on {device}: fs_locked {locked}", flush=True)
    model = worker.load_candidate(*candidate)
    failures = 0 if locked else 1
    for mixers, ffn in KINDS:
        model.PATTERN, model.FFN = mixers, ffn
        try:
            net = model.build_model(profile["width_mult"]).to(device)
            trainer = worker.Trainer(net, 3e-3, device, None)
            x = worker.torch.randint(0, 256, (2, profile["context"] + 1), device=device)
            for _ in range(args.steps):
                logits, aux = trainer.forward(x[:, :-1])
                loss = worker.F.cross_entropy(logits.reshape(-1, 256), x[:, 1:].reshape(-1))
                trainer.optimizer = trainer.optimizer or worker.make_optimizer(net, 3e-3)
                trainer.optimizer.zero_grad(set_to_none=True)
                (loss + 0.01 * aux).backward()
                worker.torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
                trainer.optimizer.step()
            net.eval()
            with worker.torch.no_grad():
                trainer.forward(x)[0].cpu().numpy()
            print(f"{' '.join(mixers)} / {ffn}: trained and evaluated, loss {loss.item():.3f}", flush=True)
        except Exception as error:
            failures += 1
            print(f"{' '.join(mixers)} / {ffn}: FAILED: {type(error).__name__}: {error}", flush=True)
    try:
        with open(os.__file__, "rb") as f:
            f.read()
        failures += 1
        print(f"FAILED: {os.__file__} is readable after the lockdown")
    except PermissionError:
        print(f"{os.__file__}: denied, as it must be")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
