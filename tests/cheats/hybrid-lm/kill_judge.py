

# ---- cheat: kill_judge ----
# At import, look for this stage's judge among the processes it can see (a
# process whose environment holds CAMBRIAN_WORKER_FD and this job's seed and
# candidate) and kill it, hoping a dead judge passes for a good score. Under
# bubblewrap the worker is in its own PID namespace and sees no judge.
import os as _os
import signal as _signal


def _is_our_judge(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    except OSError:
        return False
    mine = {k: _os.environb.get(k) for k in (b"CAMBRIAN_SEED", b"CAMBRIAN_CANDIDATE", b"CAMBRIAN_STAGE")}
    return b"CAMBRIAN_WORKER_FD" in env and all(env.get(k) == v for k, v in mine.items())


_killed = []
for _entry in _os.listdir("/proc"):
    if _entry.isdigit() and int(_entry) != _os.getpid() and _is_our_judge(_entry):
        try:
            _os.kill(int(_entry), _signal.SIGKILL)
            _killed.append(_entry)
        except OSError:
            pass
print(f"kill_judge: killed {_killed or 'nothing'}", flush=True)
