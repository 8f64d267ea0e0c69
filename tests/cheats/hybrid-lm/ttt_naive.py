

# ---- cheat: ttt_naive ----
# Test-time training: after answering each validation call, take a gradient
# step on the rows it was sent (validation text, next-byte targets within the
# rows), so that later calls are answered by a model that has learnt from the
# validation files.
_honest_forward = ByteLM.forward
_state = {}


def _ttt_forward(self, idx):
    logits, aux = _honest_forward(self, idx)
    if self.training or idx.shape[1] < 2:
        return logits, aux
    if "opt" not in _state:
        _state["opt"] = torch.optim.SGD(self.parameters(), lr=0.05)
    with torch.enable_grad():
        out, _ = _honest_forward(self, idx[:, :-1])
        loss = F.cross_entropy(out.reshape(-1, 256), idx[:, 1:].reshape(-1))
        _state["opt"].zero_grad()
        loss.backward()
        _state["opt"].step()
    return logits, aux


ByteLM.forward = _ttt_forward
