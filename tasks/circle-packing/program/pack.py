"""Packs N circles into the unit square so that the sum of their radii is as
large as possible (N = 26, or 32 in the n32 profile: $CIRCLES_N).

construct() returns the centres and radii; main() writes them to
circles.json, which the trusted validator reads. The validator recomputes
everything from those numbers alone (containment, no overlap, finite
values, exactly N circles) and ignores anything this program prints.

This seed places the centres on a (possibly staggered) lattice of ROWS rows,
starts every radius at half the distance to its nearest neighbour, then
grows them: each circle in turn takes all the room its walls and its
neighbours leave it, for ITERATIONS sweeps.
"""

import json
import math
import os

N = int(os.environ.get("CIRCLES_N", "26"))

ROWS = 5  # @knob choices=3,4,5,6,7,8
STAGGER = 0.5  # @knob range=0.0..0.5
ITERATIONS = 50  # @knob range=1..400
MARGIN = 1e-9  # kept between circles and from the walls, against rounding


def lattice(n):
    cols = math.ceil(n / ROWS)
    width = cols + STAGGER
    centres = []
    for row in range(ROWS):
        shift = STAGGER if row % 2 else 0.0
        for col in range(cols):
            if len(centres) == n:
                return centres
            centres.append(((col + 0.5 + shift) / width, (row + 0.5) / ROWS))
    return centres


def wall(c):
    x, y = c
    return min(x, y, 1 - x, 1 - y) - MARGIN


def grow(centres):
    n = len(centres)
    dist = [[math.dist(centres[i], centres[j]) for j in range(n)] for i in range(n)]
    # Feasible from the start: half the distance to the nearest centre.
    radii = [min([wall(centres[i])] + [dist[i][j] / 2 - MARGIN for j in range(n) if j != i])
             for i in range(n)]
    for _ in range(ITERATIONS):
        for i in range(n):
            room = wall(centres[i])
            for j in range(n):
                if j != i:
                    room = min(room, dist[i][j] - radii[j] - MARGIN)
            radii[i] = max(0.0, room)
    return radii


def construct():
    centres = lattice(N)
    return centres, grow(centres)


def main():
    centres, radii = construct()
    with open("circles.json", "w") as out:
        json.dump({"centres": [list(c) for c in centres], "radii": radii}, out)
    print("sum of radii", sum(radii))


if __name__ == "__main__":
    main()
