

# ---- cheat: peek_bidirectional ----
# Always (training and validation) add a summary of the whole row, later
# bytes included, to every position: a bidirectional model posing as causal.
_honest_init = ByteLM.__init__
_honest_forward = ByteLM.forward


def _init(self, mixers, ffn, d):
    _honest_init(self, mixers, ffn, d)
    self.lookahead = nn.Linear(d, d, bias=False)


def _forward(self, idx):
    x = self.embed(idx)
    x = x + self.lookahead(x.roll(-1, dims=1))  # the next byte's embedding
    for layer in self.layers:
        x = layer(x)
    logits = self.norm(x) @ self.embed.weight.t()
    return logits, logits.new_zeros(())


ByteLM.__init__ = _init
ByteLM.forward = _forward
