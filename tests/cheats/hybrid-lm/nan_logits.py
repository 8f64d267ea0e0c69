

# ---- cheat: nan_logits ----
# Return NaN logits when not training (a score computed carelessly from NaN
# can come out as anything).
_honest_forward = ByteLM.forward


def _nan_forward(self, idx):
    logits, aux = _honest_forward(self, idx)
    if not self.training:
        logits = torch.full_like(logits, float("nan"))
    return logits, aux


ByteLM.forward = _nan_forward
