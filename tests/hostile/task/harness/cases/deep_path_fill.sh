# A chain of directories whose path is longer than PATH_MAX, then 1 MiB
# files at its bottom until something stops it (path-based walks cannot
# stat them). The host checks afterwards that nothing of it is left.
python3 - <<'PY'
import os, time
name = "hostile-fill-" + "d" * 200
for _ in range(30):  # about 6400 characters
    os.mkdir(name)
    os.chdir(name)
i = 0
try:
    while True:
        with open("fill.%d" % i, "wb") as f:
            f.write(b"\0" * 1048576)
        i += 1
except OSError:
    pass
time.sleep(1000)
PY
