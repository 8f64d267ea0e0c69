#!/usr/bin/env python3
"""Print the bench/peers table from the runs peers.sh left in --work."""
import argparse
import glob
import json
import os
import re
import sqlite3


def recorded(system, run_dir):
    """Evaluations the system's persistent store holds after the kill -9."""
    if system.startswith("cambrian"):  # every finished evaluation is a row of RUN_DIR/cambrian.db
        db = os.path.join(run_dir, "run", "cambrian.db")
        if not os.path.exists(db):
            return 0
        return sqlite3.connect(db).execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]
    if system == "openevolve":  # the database lives in memory; only checkpoints are on disk
        checkpoints = glob.glob(os.path.join(run_dir, "out", "checkpoints", "checkpoint_*"))
        if not checkpoints:
            return 0
        latest = max(checkpoints, key=lambda p: int(re.sub(r"\D", "", os.path.basename(p)) or 0))
        return len(glob.glob(os.path.join(latest, "programs", "*.json")))
    if system == "shinka":  # programs.sqlite; generation 0 is stored once per island
        db = os.path.join(run_dir, "out", "programs.sqlite")
        if not os.path.exists(db):
            return 0
        return sqlite3.connect(db).execute(
            "SELECT COUNT(DISTINCT generation) FROM programs").fetchone()[0]
    raise ValueError(system)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--systems", required=True)
    parser.add_argument("--slots", required=True)
    parser.add_argument("--sleep", type=float, default=0.5)
    args = parser.parse_args()
    header = ("system", "slots", "evals", "wall_s", "cand_per_s", "cpu_ms_main", "cpu_ms_tree",
              "rss_mb_main", "rss_mb_tree", "util_%gs" % args.sleep, "kill9_lost")
    rows = [header]
    for system in args.systems.split():
        for slots in args.slots.split():
            base = os.path.join(args.work, "%s-%s" % (system, slots))
            fast, slow, kill = (load("%s-%s/measure.json" % (base, m)) for m in ("fast", "slow", "kill"))
            row = [system, slots]
            if fast and fast["rc"] == 0 and fast["evals_logged"]:
                n = fast["evals_logged"]
                row += [str(n), "%.2f" % fast["wall_s"], "%.1f" % (n / fast["wall_s"]),
                        "%.1f" % (1000 * fast["main_cpu_s"] / n), "%.1f" % (1000 * fast["tree_cpu_s"] / n),
                        "%.0f" % (fast["main_rss_peak_kb"] / 1024), "%.0f" % (fast["tree_rss_peak_kb"] / 1024)]
            else:
                row += ["FAIL(rc=%s)" % (fast and fast["rc"])] + ["-"] * 6
            if slow and slow["rc"] == 0 and slow["evals_logged"]:
                row.append("%.0f%%" % (100 * slow["evals_logged"] * args.sleep / (int(slots) * slow["wall_s"])))
            else:
                row.append("FAIL")
            if kill and kill["killed_at_evals"] is not None:
                done = kill["killed_at_evals"]
                kept = recorded(system, base + "-kill")
                row.append("%d/%d" % (max(0, done - kept), done))
            elif kill:
                row.append("not killed (rc=%s, %s evals)" % (kill["rc"], kill["evals_logged"]))
            else:
                row.append("FAIL")
            rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(c.rjust(w) if i > 0 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
    print("kill9_lost = evaluations finished before the SIGKILL that the store does not hold / "
          "evaluations finished before it")


if __name__ == "__main__":
    main()
