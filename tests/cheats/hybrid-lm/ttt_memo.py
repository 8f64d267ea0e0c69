

# ---- cheat: ttt_memo ----
# Test-time training that hides from the probes: learns from every
# validation row it is sent (a gradient step after each call), and gives a
# prefix it has answered before the same logits again, so that a repeated
# row or a probe sharing a prefix never shows that the model has changed.
_honest_forward = ByteLM.forward
_answers = {}
_state = {}


def _remembered(logits, idx):
    logits = logits.clone()
    for r, row in enumerate(idx.tolist()):
        for i in range(len(row)):
            key = bytes(row[: i + 1])
            if key in _answers:
                logits[r, i] = _answers[key]
            else:
                _answers[key] = logits[r, i].clone()
    return logits


def _ttt_memo_forward(self, idx):
    logits, aux = _honest_forward(self, idx)
    if self.training:
        return logits, aux
    logits = _remembered(logits, idx)
    if idx.shape[1] >= 2:
        if "opt" not in _state:
            _state["opt"] = torch.optim.AdamW(self.parameters(), lr=1e-3)
        with torch.enable_grad():
            out, _ = _honest_forward(self, idx[:, :-1])
            loss = F.cross_entropy(out.reshape(-1, 256), idx[:, 1:].reshape(-1))
            _state["opt"].zero_grad()
            loss.backward()
            _state["opt"].step()
    return logits, aux


ByteLM.forward = _ttt_memo_forward
