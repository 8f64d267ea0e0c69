"""A warm judge (docs/tasks.md, "Warm judges"): started once and kept, it
judges one candidate per request, so that what it loads (imports, reference
data) is loaded once per process instead of once per evaluation.

    from cambrian_kernels import warm

    def judge(request):          # {"job_dir", "candidate", "seed", "stage"}
        ...                      # read the candidate's files under request["job_dir"]
        return {"metrics": {...}, "feedback": "..."}   # what metrics.json would hold

    warm.serve(judge)

The harness sends each request on descriptor $CAMBRIAN_WARM_FD (a
SOCK_SEQPACKET socket) and takes the answer as the stage's report. An
exception ends the process: the harness starts a fresh one and asks it once
more, then records the stage as the judge's failure, with this process's
output.
"""
import json
import os
import socket

MAX_REQUEST = 1 << 16


def serve(judge):
    """Answers requests until the harness closes the socket."""
    sock = socket.socket(fileno=int(os.environ["CAMBRIAN_WARM_FD"]))
    while True:
        data = sock.recv(MAX_REQUEST)
        if not data:
            return
        report = judge(json.loads(data))
        sock.send(json.dumps(report).encode())
