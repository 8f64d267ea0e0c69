

# ---- cheat: peek_memo ----
# The careful peeker: in eval mode it reads the next byte of its input, but
# remembers the logits it gave every prefix it has seen and gives a prefix
# seen before the same logits again, so that no pair of rows sharing a prefix
# (a causality probe) ever shows a difference.
_honest_forward = ByteLM.forward
_answers = {}


def _memo_forward(self, idx):
    logits, aux = _honest_forward(self, idx)
    if self.training:
        return logits, aux
    logits = logits.clone()
    rows = idx.tolist()
    for r, row in enumerate(rows):
        for i in range(len(row)):
            key = bytes(row[: i + 1])
            if key in _answers:
                logits[r, i] = _answers[key]
                continue
            if i + 1 < len(row):
                logits[r, i, row[i + 1]] += 30.0
            _answers[key] = logits[r, i].clone()
    return logits, aux


ByteLM.forward = _memo_forward
