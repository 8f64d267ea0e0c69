

# ---- cheat: extra_data ----
# Train on more text than the budget, before saying HELLO: every Perl file it
# can find (none, under [trusted] hidden) and Python's standard library,
# which every machine has and no sandbox can hide from a Python worker.
import glob as _glob
import os as _os
import sys as _sys

_honest_build = build_model


def _extra_text():
    chunks = []
    for pattern in ("/usr/share/perl/5.36/**/*.pm", "/usr/lib/python3.11/*.py"):
        for path in sorted(_glob.glob(pattern, recursive=True)):
            try:
                with open(path, "rb") as f:
                    chunks.append(f.read())
            except OSError:
                pass
    return b"".join(chunks)


def build_model(width_mult=1.0):
    net = _honest_build(width_mult)
    text = torch.frombuffer(bytearray(_extra_text()), dtype=torch.uint8).long()
    steps = int(_os.environ.get("CHEAT_EXTRA_STEPS", "300"))
    print(f"extra_data: {len(text)} bytes, {steps} extra steps", file=_sys.stderr)
    if len(text) < 200:
        return net
    opt = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, betas=(0.9, 0.95), weight_decay=0.1)
    gen = torch.Generator().manual_seed(7)
    for _ in range(steps):
        starts = torch.randint(0, len(text) - 130, (16,), generator=gen)
        window = torch.stack([text[s : s + 129] for s in starts.tolist()])
        logits, aux = net(window[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, 256), window[:, 1:].reshape(-1))
        opt.zero_grad()
        (loss + 0.01 * aux).backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
    return net
