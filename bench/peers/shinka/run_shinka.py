"""bench/peers: start ShinkaEvolve's own CLI (shinka_run) with one change.

ShinkaEvolveRunner caps its concurrency by the machine's cores
(_validate_concurrency_settings: evaluation jobs <= cores, proposal jobs <=
cores/2, all threads <= 1.5 x cores); on a 2-core machine it runs ONE evaluation
job whatever --max-evaluation-jobs says. The bench compares systems at the same
number of slots, and its jobs sleep rather than compute, so this wrapper keeps
the requested numbers. Set BENCH_SHINKA_NATIVE_CAP=1 to keep Shinka's cap.
"""
import os
import sys

from shinka.core.async_runner import ShinkaEvolveRunner
from shinka.cli.run import main

if os.environ.get("BENCH_SHINKA_NATIVE_CAP") != "1":
    ShinkaEvolveRunner._validate_concurrency_settings = (
        lambda self, evaluation, proposal, db_workers, cpu_count: (evaluation, proposal, db_workers))

if __name__ == "__main__":
    sys.exit(main())
