

# ---- cheat: protocol_malformed ----
# At import, send the judge a packet that is not a protocol message (bad
# magic, then an oversized HELLO) before the worker's own HELLO.
import os as _os
import socket as _socket

_sock = _socket.socket(fileno=_os.dup(int(_os.environ["CAMBRIAN_JUDGE_FD"])))
_sock.send(b"GET / HTTP/1.0\r\n\r\n")
try:
    _sock.send(b"CCJ1" + b"\x01\x00\x00\x00" + bytes(8) + b"x" * 100000)
except OSError:
    pass
