# Connects to a server on the host's loopback (port HOSTILE_PORT).
. "$CAMBRIAN_TRUSTED/cases/report.sh"
if python3 - <<'PY'
import os, socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(os.environ["HOSTILE_PORT"])), timeout=2)
    sys.exit(0 if s.recv(16) else 1)
except OSError:
    sys.exit(1)
PY
then report 1; else report 0; fi
