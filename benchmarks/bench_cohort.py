"""Cohort throughput: subject-days per second of ``somatosim.cohort.run`` (daily summaries only).

The target (issue 6) is a 100,000-subject × 28-day cohort in under 10 minutes on 2 cores,
that is at least 4,700 subject-days/s end to end. This script times a 2,000 × 28 cohort
(by default) on a local Dask cluster and extrapolates; with ``SOMATOSIM_BENCH_FULL=1`` it
also runs the full 100,000 × 28 cohort.

Usage::

    python benchmarks/bench_cohort.py                      # 2,000 × 28, local cluster
    python benchmarks/bench_cohort.py --compare            # processes vs threads vs in-process
    SOMATOSIM_BENCH_FULL=1 python benchmarks/bench_cohort.py

Every configuration prints one JSON line: configuration, wall time of the cohort run
(population, simulation, Parquet, summaries; cluster start and engine warm-up reported
apart), subject-days/s and the extrapolated time for 100,000 × 28, plus the CPU time used
by all processes and what two dedicated cores would take at that CPU efficiency (a number
that does not depend on other load on the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SUBJECT_DAYS = 100_000 * 28
TARGET_SECONDS = 600.0


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux: ru_maxrss is in KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench(
    n: int,
    days: int,
    chunk_size: int,
    workers: int | None,
    numba_threads: int | None,
    label: str,
    figures: bool = False,
) -> dict[str, Any]:
    """Run one cohort and return its timings."""
    import somatosim.cohort as cohort
    from somatosim.cohort.execute import DaskExecutor

    spec = {
        "name": f"bench-{label}",
        "seed": 1,
        "days": days,
        "chunk_size": chunk_size,
        "population": {"sampler": {"n": n}},
        "arms": [{"name": "control"}],
    }
    with tempfile.TemporaryDirectory(prefix="somatosim-bench-") as tmp:
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        t_up = 0.0
        if workers == 0:
            c0 = time.process_time()
            res = cohort.run(spec, out, workers=0, figures=figures)
            cpu = time.process_time() - c0
            worker_rss = 0.0
        else:
            with DaskExecutor(workers=workers, numba_threads=numba_threads) as ex:
                client = ex.client
                # load (or compile) the engine in every worker before timing
                warm = {**spec, "days": 1, "chunk_size": 1, "population": {"sampler": {"n": 8}}}
                cohort.run(warm, Path(tmp) / "warm", client=client, figures=False)
                t_up = time.perf_counter() - t0
                c0 = sum(client.run(time.process_time).values()) + time.process_time()
                res = cohort.run(spec, out, client=client, figures=figures)
                cpu = sum(client.run(time.process_time).values()) + time.process_time() - c0
                worker_rss = max(client.run(_peak_rss_mb).values())
        wall = time.perf_counter() - t0 - t_up
    sd = n * days
    rate_sim = sd / res.seconds
    rate_wall = sd / wall
    row = {
        "config": label,
        "n": n,
        "days": days,
        "chunk_size": chunk_size,
        "workers": workers,
        "numba_threads": numba_threads,
        "wall_s": round(wall, 2),
        "cluster_start_and_warm_s": round(t_up, 2),
        "simulate_s": round(res.seconds, 2),
        "subject_days_per_s": round(rate_sim),
        "subject_days_per_s_wall": round(rate_wall),
        "extrapolated_100k_x_28_s": round(TARGET_SUBJECT_DAYS / rate_sim + (wall - res.seconds)),
        "cpu_s": round(cpu, 1),
        "subject_days_per_cpu_s": round(sd / cpu),
        # what 2 dedicated cores would do at this CPU efficiency (robust to other load)
        "projected_100k_x_28_on_2_cores_s": round(TARGET_SUBJECT_DAYS / (2 * sd / cpu)),
        "client_peak_rss_mb": round(_peak_rss_mb()),
        "worker_peak_rss_mb": round(worker_rss),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "cpus": len(os.sched_getaffinity(0)),
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--chunk-size", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=None, help="default: CPUs")
    ap.add_argument(
        "--compare", action="store_true", help="also 1 worker × all numba threads, and in-process"
    )
    args = ap.parse_args()
    cpus = len(os.sched_getaffinity(0))
    workers = args.workers if args.workers is not None else cpus

    # warm the numba cache once so that no configuration pays for compilation
    bench(8, 1, 8, 0, None, "warm-up")
    bench(args.n, args.days, args.chunk_size, workers, 1, f"{workers} processes x 1 thread")
    if args.compare:
        bench(args.n, args.days, args.chunk_size, 1, cpus, f"1 process x {cpus} threads")
        bench(args.n, args.days, args.chunk_size, 0, None, "in-process, no Dask")
    if os.environ.get("SOMATOSIM_BENCH_FULL") == "1":
        row = bench(
            100_000, 28, max(args.chunk_size, 1000), workers, 1, "full 100k x 28", figures=True
        )
        verdict = "PASS" if row["wall_s"] < TARGET_SECONDS else "FAIL"
        print(
            f"100,000 x 28 days: {row['wall_s']:.0f} s wall ({verdict}: target "
            f"{TARGET_SECONDS:.0f} s)"
        )


if __name__ == "__main__":
    main()
