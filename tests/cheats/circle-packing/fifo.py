import json, os
N = int(os.environ.get("CIRCLES_N", "26"))
CENTRES = [[(c + 0.5) / 5, (r + 0.5) / 6] for r in range(6) for c in range(5)][:N]
RADII = [0.05] * N  # a valid, modest packing (sum 1.3 at N = 26)
os.mkfifo("circles.json")
