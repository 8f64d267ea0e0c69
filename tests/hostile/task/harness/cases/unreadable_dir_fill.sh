# Opens files in a directory, makes the directory unreadable (mode 000) and
# only then writes through the open files: more than the disk cap held
# where a walk that skips what it cannot read sees nothing. The host checks
# afterwards that nothing of it is left.
python3 - <<'PY'
import os, time
os.mkdir("hostile-fill-locked")
files = [open("hostile-fill-locked/f%d" % i, "wb") for i in range(12)]
os.chmod("hostile-fill-locked", 0)
for f in files:
    f.write(b"\0" * 4000000)  # under the file size cap, 48 MB in all
    f.flush()
time.sleep(1000)
PY
