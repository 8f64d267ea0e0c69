# Empty files until something stops it: no bytes, only inodes.
python3 - <<'PY'
import os, time
os.mkdir("flood")
i = 0
try:
    while True:
        open("flood/%d" % i, "w").close()
        i += 1
except OSError:
    pass
time.sleep(1000)
PY
