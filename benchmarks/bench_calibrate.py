"""Calibration throughput: evaluations per second of ``somatosim calibrate`` on 1 and N workers.

One evaluation runs every fitted case (and, with ``--constraints``, the behaviour
constraints) in one process, so a calibration's time is its evaluation count times about
20 s on the fast subset. ``calibrate(workers=N)`` evaluates each evolution-strategy
generation on a local Dask cluster of N processes. This script runs the same short
``--method cmaes`` calibration (all 43 default free parameters, from the shipped set,
``--generations`` generations of 15) serially and on ``--workers`` processes, checks that
both write the same file, and reports evaluations/s and the speed-up, the ratio of the two
in the same run. The parallel wall time includes starting the cluster.

Usage::

    python benchmarks/bench_calibrate.py                   # 12 fast cases, 1 generation
    python benchmarks/bench_calibrate.py --cases 0 --constraints --generations 2  # all fast

Prints one JSON line per configuration and a last line with the speed-up.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any


def bench(cases: list[Any], constraints: tuple[Any, ...], generations: int, workers: int) -> Any:
    """Run one short ES calibration and return its row and written bytes."""
    from somatosim.calibration.fit import DEFAULT_FREE, calibrate
    from somatosim.model.parameters import default_parameters

    popsize = 4 + int(3 * math.log(len(DEFAULT_FREE)))  # cma's default population
    with tempfile.TemporaryDirectory(prefix="somatosim-bench-") as tmp:
        out = Path(tmp) / "c.json"
        t0 = time.perf_counter()
        res = calibrate(
            cases,
            DEFAULT_FREE,
            n_starts=1,
            method="cmaes",
            max_nfev=1 + generations * popsize,
            keep_passes=False,
            constraints=constraints,
            workers=workers,
            start=default_parameters(),
            out=out,
        )
        wall = time.perf_counter() - t0
        written = out.read_bytes()
    row = {
        "workers": workers,
        "cases": len(cases),
        "constraints": len(constraints),
        "evaluations": res.evaluations,
        "wall_s": round(wall, 1),
        "evaluations_per_s": round(res.evaluations / wall, 4),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": len(os.sched_getaffinity(0)),
    }
    print(json.dumps(row), flush=True)
    return row, written


def main() -> None:
    """Command-line entry point."""
    from somatosim.calibration.cases import CASES
    from somatosim.calibration.constraints import CONSTRAINTS
    from somatosim.calibration.fit import case_residuals

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=12, help="first N fast cases (0: all)")
    ap.add_argument("--constraints", action="store_true", help="also the 9 constraints")
    ap.add_argument("--generations", type=int, default=1)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = ap.parse_args()
    fast = [c for c in CASES if c.fast and c.expected_failure_reason is None]
    cases = fast[: args.cases] if args.cases else fast
    case_residuals(cases)  # load (or compile) the engine before timing
    cons = tuple(CONSTRAINTS) if args.constraints else ()
    serial, a = bench(cases, cons, args.generations, 1)
    parallel, b = bench(cases, cons, args.generations, args.workers)
    print(
        json.dumps(
            {
                "speed_up": round(parallel["evaluations_per_s"] / serial["evaluations_per_s"], 2),
                "same_file": a == b,
            }
        )
    )


if __name__ == "__main__":
    main()
