

# ---- cheat: garbage_logits ----
# Return random finite logits when not training.
_honest_forward = ByteLM.forward


def _garbage_forward(self, idx):
    logits, aux = _honest_forward(self, idx)
    if not self.training:
        logits = torch.randn_like(logits) * 10
    return logits, aux


ByteLM.forward = _garbage_forward
