"""Engine throughput in subject-days per second (DESIGN.md §5; issue 2 point 10).

A subject-day is one person, one simulated day at the 1-minute step, full model. The fast
engine runs a batch (default 256 subjects x 28 days) with and without recording the time
series; the scipy reference backend runs a much smaller batch in the same process. JIT
compilation is excluded (each path is warmed up first). Warm-up days are simulated by the
engine but not counted (the count is the days a user asked for); the numbers including them
are printed too.

Run::

    python benchmarks/bench_engine.py [--subjects 256] [--days 28] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

from somatosim.engine.reference import fast_drive, run_reference, verification_schedule
from somatosim.engine.simulate import run_schedules
from somatosim.model.parameters import ParameterSet, default_parameters
from somatosim.scenario.drivers import Schedule, build_schedule
from somatosim.scenario.schema import Scenario
from somatosim.testing.examples import benchmark_cohort

cohort = benchmark_cohort


def schedules_for(scenarios: list[Scenario], p: ParameterSet) -> list[Schedule]:
    return [build_schedule(s, p, s.seed) for s in scenarios]


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, float]:
    """Best wall time and best process CPU time (all threads) of ``repeat`` calls, seconds.

    On a machine shared with other work the wall time includes waiting; the CPU time does
    not, so ``subject-days / CPU-second x cores`` estimates the rate on an idle machine.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=256)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--ref-subjects", type=int, default=2)
    ap.add_argument("--ref-days", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = ap.parse_args(argv)

    import numba

    p = default_parameters()
    cores = os.cpu_count() or 1
    threads = int(numba.get_num_threads())

    # ---- fast engine ------------------------------------------------------------------------
    scen = cohort(args.subjects, args.days)
    t0 = time.perf_counter()
    sched = schedules_for(scen, p)
    t_build = time.perf_counter() - t0
    warm_days = sched[0].warmup_days
    run_schedules(sched[:2], p, record_timeseries=False)  # JIT warm-up (compile or cache load)
    run_schedules(sched[:2], p, record_timeseries=True)
    t_nots, cpu_nots = best_of(
        args.repeat, lambda: run_schedules(sched, p, record_timeseries=False)
    )
    t_ts, cpu_ts = best_of(args.repeat, lambda: run_schedules(sched, p, record_timeseries=True))
    sd = args.subjects * args.days
    sd_all = args.subjects * (args.days + warm_days)

    # ---- reference backend (small batch, same process) -------------------------------------
    ref_scen = cohort(args.ref_subjects, args.ref_days, seed=7)
    ref_sched = [verification_schedule(s) for s in schedules_for(ref_scen, p)]
    drives = [fast_drive(s, p, record_timeseries=False)[1] for s in ref_sched]
    run_reference(ref_sched[0], p, drive=drives[0], record_timeseries=False)  # JIT warm-up

    def _reference() -> None:
        for s, d in zip(ref_sched, drives, strict=True):
            run_reference(s, p, drive=d, record_timeseries=False)

    t_ref, cpu_ref = best_of(1, _reference)
    ref_sd = args.ref_subjects * (args.ref_days + warm_days)  # all days are recorded days here

    rate_nots = sd / t_nots
    rate_ts = sd / t_ts
    rate_ref = ref_sd / t_ref
    report: dict[str, Any] = {
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cores": cores,
        "numba_threads": threads,
        "batch": f"{args.subjects} subjects x {args.days} days (+{warm_days} warm-up days)",
        "schedule_build_s": round(t_build, 3),
        "fast_no_timeseries_s": round(t_nots, 3),
        "fast_no_timeseries_subject_days_per_s": round(rate_nots),
        "fast_no_timeseries_incl_warmup_per_s": round(sd_all / t_nots),
        "fast_timeseries_s": round(t_ts, 3),
        "fast_timeseries_subject_days_per_s": round(rate_ts),
        "fast_no_timeseries_subject_days_per_cpu_s": round(sd / cpu_nots),
        "fast_timeseries_subject_days_per_cpu_s": round(sd / cpu_ts),
        "fast_idle_estimate_subject_days_per_s": round(sd / cpu_nots * threads),
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "reference_batch": f"{args.ref_subjects} subjects x {args.ref_days + warm_days} days",
        "reference_s": round(t_ref, 3),
        "reference_subject_days_per_s": round(rate_ref, 3),
        "reference_subject_days_per_cpu_s": round(ref_sd / cpu_ref, 3),
        "ratio_fast_to_reference": round(rate_nots / rate_ref),
        "target_subject_days_per_s_on_2_cores": 5000,
    }
    if args.json:
        print(json.dumps(report))
    else:
        width = max(len(k) for k in report)
        for key, value in report.items():
            print(f"{key:<{width}}  {value}")
    return report


if __name__ == "__main__":
    main()
