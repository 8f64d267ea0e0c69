

# ---- cheat: hang ----
# Stop answering at the first training step (sleep for an hour): the judge
# must give up by its deadline rather than wait.
import time as _time

_honest_forward = ByteLM.forward


def _hanging_forward(self, idx):
    if self.training:
        _time.sleep(3600)
    return _honest_forward(self, idx)


ByteLM.forward = _hanging_forward
