

# ---- cheat: lie_declarations ----
# Declare a different model than the one built: 1,000 parameters, no
# attention, a tiny learning rate (by replacing the worker's own description
# of the model, in the worker's process, at import).
import sys as _sys

_worker = _sys.modules.get("__main__")
if _worker is not None and hasattr(_worker, "declarations"):
    _worker.declarations = lambda net, lr: {"params": 1000, "active_params": 1000, "layers": 2,
                                            "attn_fraction": 0.0, "learning_rate": 1e-5,
                                            "pattern": "ssm mlp"}
