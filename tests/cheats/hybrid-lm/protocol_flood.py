

# ---- cheat: protocol_flood ----
# At the first training step, flood the judge's socket with unasked-for DONE
# messages (claiming every call is done, with declarations) before answering.
import os as _os
import socket as _socket
import struct as _struct

_honest_forward = ByteLM.forward
_flooded = []


def _flooding_forward(self, idx):
    if not _flooded:
        _flooded.append(1)
        sock = _socket.socket(fileno=_os.dup(int(_os.environ["CAMBRIAN_JUDGE_FD"])))
        sock.setblocking(False)
        for seq in range(1, 5000):
            try:
                sock.send(_struct.pack("<IHHQ", 0x314A4343, 4, 0, seq) + b"val_bpb 0.01\n")
            except OSError:
                break
    return _honest_forward(self, idx)


ByteLM.forward = _flooding_forward
