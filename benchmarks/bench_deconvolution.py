"""Pulse deconvolution runtime (issue 5.5: a 24-h series at 10-min sampling in under 1 s).

Times :func:`somatosim.analysis.deconvolve` on synthetic-truth series (24 h, 144 samples
at 10 min, 5 % CV) and, optionally, on simulator series sampled the same way; reports the
median, 90th percentile and maximum wall time per series, with and without the
profile-likelihood half-life interval, plus 5- and 20-min sampling. Times are wall-clock
in this process: BLAS threads and other load on the machine show up in them.

Run::

    python benchmarks/bench_deconvolution.py [--subjects 50] [--simulator] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from typing import Any

import numpy as np

from somatosim.analysis.deconvolution import GH_KINETICS, deconvolve
from somatosim.analysis.validation import Setting, simulator_truths, synthetic_truth


def _time(pairs: list[Any], **options: Any) -> dict[str, float]:
    seconds = []
    for series, truth in pairs:
        kinetics = truth.kinetics or GH_KINETICS
        start = time.perf_counter()
        deconvolve(
            series.times_min, series.concentration, lod=series.lod, kinetics=kinetics, **options
        )
        seconds.append(time.perf_counter() - start)
    s = np.array(seconds)
    return {
        "series": float(s.size),
        "samples": float(pairs[0][0].times_min.size),
        "median_s": float(np.median(s)),
        "p90_s": float(np.percentile(s, 90)),
        "max_s": float(s.max()),
        "share_under_1s": float(np.mean(s < 1.0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=50)
    parser.add_argument("--simulator", action="store_true", help="also time simulator series")
    parser.add_argument("--json", type=str, default=None, help="write the results here")
    args = parser.parse_args()

    # warm-up (imports, first calls)
    s0, _ = synthetic_truth(seed=0)
    deconvolve(s0.times_min, s0.concentration)

    rows: dict[str, dict[str, float]] = {}
    for interval in (10.0, 5.0, 20.0):
        pairs = [
            synthetic_truth(interval_min=interval, seed=np.random.default_rng([99, i]))
            for i in range(args.subjects)
        ]
        key = f"synthetic {interval:g} min"
        rows[key] = _time(pairs, profile_halflife=False)
        if interval == 10.0:
            rows[key + " + profile CI"] = _time(pairs, profile_halflife=True)
    if args.simulator:
        pairs = simulator_truths(args.subjects, Setting(interval_min=10.0))
        rows["simulator 10 min"] = _time(pairs, profile_halflife=False)
        rows["simulator 10 min + profile CI"] = _time(pairs, profile_halflife=True)

    print(
        f"{'series':34s} {'n':>4s} {'samples':>7s} {'median':>8s} {'p90':>8s} {'max':>8s}"
        f" {'<1 s':>6s}"
    )
    for key, r in rows.items():
        print(
            f"{key:34s} {r['series']:4.0f} {r['samples']:7.0f} {r['median_s']:8.3f} "
            f"{r['p90_s']:8.3f} {r['max_s']:8.3f} {100 * r['share_under_1s']:5.0f}%"
        )
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    print(json.dumps(meta))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"meta": meta, "results": rows}, fh, indent=2)


if __name__ == "__main__":
    main()
