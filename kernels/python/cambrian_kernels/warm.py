"""A warm judge (docs/tasks.md, "Warm judges"): started once and kept, it
judges one candidate per request, so that what it loads (imports, reference
data) is loaded once per process instead of once per evaluation.

    from cambrian_kernels import warm

    def judge(request):   # {"job_dir", "candidate", "seed", "stage", "worker", "judge"}
        ...               # read the candidate's files under request["job_dir"], or,
                          # in a stage with a worker, talk to it: request["judge"]
                          # is a cambrian_kernels.judge.Judge on this evaluation's
                          # fresh worker (with its CPU meter where the machine has one)
        return {"metrics": {...}, "feedback": "..."}   # what metrics.json would hold

    warm.serve(judge)

The harness sends each request on descriptor $CAMBRIAN_WARM_FD (a
SOCK_SEQPACKET socket; a worker's socket and CPU counter come with it as
SCM_RIGHTS) and takes the answer as the stage's report. An exception ends
the process: the harness starts a fresh one and asks it once more, then
records the stage as the judge's failure, with this process's output.
"""
import json
import os
import socket

from cambrian_kernels import cpu_meter
from cambrian_kernels.judge import Judge

MAX_REQUEST = 1 << 16


def _worker_judge(request, fds):
    """The Judge on this request's worker, or None for a judge-only stage."""
    if not request.get("worker") or not fds:
        for fd in fds:
            os.close(fd)
        return None
    meter = cpu_meter.CpuMeter(fds[1], request["cpu_format"]) if len(fds) > 1 else None
    return Judge(socket.socket(fileno=fds[0]), meter)


def serve(judge):
    """Answers requests until the harness closes the socket."""
    sock = socket.socket(fileno=int(os.environ["CAMBRIAN_WARM_FD"]))
    while True:
        data, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 2)
        if not data:
            return
        request = json.loads(data)
        worker = _worker_judge(request, fds)
        request["judge"] = worker
        try:
            report = judge(request)
        finally:
            if worker is not None:
                worker.channel.sock.close()
                if worker.meter is not None:
                    os.close(worker.meter.fd)
        sock.send(json.dumps(report).encode())
