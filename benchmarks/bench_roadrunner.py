"""somatosim's engine against libRoadRunner on the SBML export (DESIGN.md §5; issue 6 point 6).

One run, one machine, the same mixed cohort and horizon for both:

- the fast engine integrates a batch (default 256 subjects × 28 days, plus the 3 warm-up
  days every subject is simulated with) in parallel, with the 5-minute time series and with
  daily summaries only;
- libRoadRunner simulates the SBML export (:func:`somatosim.interop.sbml.schedule_to_sbml`)
  of the same subjects, one after the other, for the same horizon (warm-up days included,
  as ordinary days of the export) on the same 5-minute output grid, for about
  ``--rr-seconds`` seconds. CVODE at roadrunner's default relative tolerance (1e-6), with
  a vector absolute tolerance of 1e-8 (see :func:`somatosim.interop.sbml.load_roadrunner`).
  Exporting and loading (LLVM compilation of each subject's model) are timed apart from
  simulating.

A subject-day is one person, one simulated day at 1-minute resolution, full model. The
ratio compares the same work: simulated days (warm-up included) with the same output grid.
JIT compilation is excluded (the engine is warmed up first). The machine may be shared, so
the load average is printed before and after.

The 100,000-subject × 28-day cohort (daily summaries only) is estimated from the measured
schedule-building and engine throughput; with ``SOMATOSIM_BENCH_FULL=1`` it is also run
(schedules built and simulated in chunks, in this process).

Run::

    python benchmarks/bench_roadrunner.py [--subjects 256] [--days 28] [--rr-seconds 20]
    SOMATOSIM_BENCH_FULL=1 python benchmarks/bench_roadrunner.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from somatosim.engine.reference import fast_drive, verification_schedule
from somatosim.engine.simulate import run_schedules
from somatosim.interop.sbml import load_roadrunner, roadrunner_timecourse, schedule_to_sbml
from somatosim.model.parameters import ParameterSet, default_parameters
from somatosim.scenario.drivers import Schedule, build_schedule
from somatosim.scenario.schema import Scenario
from somatosim.testing.examples import benchmark_cohort

TARGET_RATE_2_CORES = 5000.0
TARGET_RATIO = 25.0
TARGET_COHORT_S = 600.0
COHORT_SUBJECTS = 100_000
COHORT_DAYS = 28


cohort = benchmark_cohort


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    """Best wall time of ``repeat`` calls, seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def bench_engine(
    scen: list[Scenario], p: ParameterSet, save_every_min: int, repeat: int
) -> dict[str, Any]:
    """Engine throughput with and without the time series."""
    t0 = time.perf_counter()
    sched = [build_schedule(s, p, s.seed) for s in scen]
    t_build = time.perf_counter() - t0
    run_schedules(sched[:2], p, record_timeseries=False)  # JIT warm-up (compile or cache load)
    run_schedules(sched[:2], p, save_every_min=save_every_min, record_timeseries=True)
    t_nots = best_of(repeat, lambda: run_schedules(sched, p, record_timeseries=False))
    t_ts = best_of(
        repeat,
        lambda: run_schedules(sched, p, save_every_min=save_every_min, record_timeseries=True),
    )
    n = len(sched)
    days = sched[0].days
    sim_days = sched[0].days + sched[0].warmup_days
    return {
        "subjects": n,
        "days": days,
        "warmup_days": sched[0].warmup_days,
        "schedule_build_s_per_subject": t_build / n,
        "no_timeseries_s": t_nots,
        "timeseries_s": t_ts,
        "subject_days_per_s": n * days / t_nots,
        "simulated_days_per_s": n * sim_days / t_nots,
        "simulated_days_per_s_timeseries": n * sim_days / t_ts,
    }


def bench_roadrunner(
    scen: list[Scenario],
    p: ParameterSet,
    save_every_min: int,
    budget_s: float,
    rtol: float,
    atol: float,
) -> dict[str, Any]:
    """Simulate the exports of the cohort's subjects one by one for about ``budget_s``."""
    t_export = t_load = t_sim = 0.0
    days_done = 0
    subjects = 0
    events = 0
    finite = True
    start = time.perf_counter()
    for sc in scen:
        sched: Schedule = verification_schedule(build_schedule(sc, p, sc.seed))
        _run, drive = fast_drive(sched, p, record_timeseries=False)  # not timed
        t0 = time.perf_counter()
        sbml = schedule_to_sbml(sched, drive, p, name=sc.name)
        t1 = time.perf_counter()
        rr = load_roadrunner(sbml, rtol, atol)
        t2 = time.perf_counter()
        out = roadrunner_timecourse(rr, sched.days, save_every_min=save_every_min)
        t3 = time.perf_counter()
        finite &= bool(np.all(np.isfinite(out)))
        t_export += t1 - t0
        t_load += t2 - t1
        t_sim += t3 - t2
        days_done += sched.days
        subjects += 1
        events += sbml.count("<event ")
        if time.perf_counter() - start > budget_s:
            break
    return {
        "subjects": subjects,
        "simulated_days": days_done,
        "events_per_subject": events / subjects,
        "export_s": t_export,
        "load_s": t_load,
        "simulate_s": t_sim,
        "simulated_days_per_s": days_done / t_sim,
        "simulated_days_per_s_incl_load": days_done / (t_sim + t_load),
        "all_finite": finite,
        "rtol": rtol,
        "atol": atol,
    }


def run_full_cohort(p: ParameterSet, chunk: int = 4096) -> float:
    """Build and simulate 100,000 × 28 days (daily summaries only); wall seconds."""
    t0 = time.perf_counter()
    for lo in range(0, COHORT_SUBJECTS, chunk):
        scen = cohort(min(chunk, COHORT_SUBJECTS - lo), COHORT_DAYS, seed=lo + 1)
        sched = [build_schedule(s, p, s.seed) for s in scen]
        run_schedules(sched, p, record_timeseries=False)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--subjects", type=int, default=256, help="engine batch size")
    ap.add_argument("--days", type=int, default=28, help="scenario days (both backends)")
    ap.add_argument(
        "--rr-seconds",
        type=float,
        default=20.0,
        help="time budget for roadrunner subjects (at least one is run)",
    )
    ap.add_argument("--save-every-min", type=int, default=5, help="output grid, minutes")
    ap.add_argument("--rr-rtol", type=float, default=1e-6)
    ap.add_argument("--rr-atol", type=float, default=1e-8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = ap.parse_args(argv)

    import numba
    import roadrunner

    p = default_parameters()
    load_before = _load()
    scen = cohort(args.subjects, args.days)
    eng = bench_engine(scen, p, args.save_every_min, args.repeat)
    rr = bench_roadrunner(scen, p, args.save_every_min, args.rr_seconds, args.rr_rtol, args.rr_atol)
    threads = int(numba.get_num_threads())
    ratio = eng["simulated_days_per_s_timeseries"] / rr["simulated_days_per_s"]
    est_cohort = COHORT_SUBJECTS * (
        eng["schedule_build_s_per_subject"] + COHORT_DAYS / eng["subject_days_per_s"]
    )
    report: dict[str, Any] = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "numba_threads": threads,
        "roadrunner": roadrunner.__version__,
        "load_average_before": load_before,
        "engine_batch": f"{eng['subjects']} subjects x {eng['days']} days "
        f"(+{eng['warmup_days']} warm-up days)",
        "schedule_build_ms_per_subject": round(1000 * eng["schedule_build_s_per_subject"], 2),
        "engine_subject_days_per_s": round(eng["subject_days_per_s"]),
        "engine_simulated_days_per_s": round(eng["simulated_days_per_s"]),
        f"engine_simulated_days_per_s_{args.save_every_min}min_grid": round(
            eng["simulated_days_per_s_timeseries"]
        ),
        "roadrunner_batch": f"{rr['subjects']} subjects x {rr['simulated_days'] // rr['subjects']}"
        f" days, one after the other, {args.save_every_min}-min grid, "
        f"{rr['events_per_subject']:.0f} events per subject",
        "roadrunner_simulated_days_per_s": round(rr["simulated_days_per_s"], 2),
        "roadrunner_simulated_days_per_s_incl_load": round(rr["simulated_days_per_s_incl_load"], 2),
        "roadrunner_export_s_per_subject": round(rr["export_s"] / rr["subjects"], 3),
        "roadrunner_load_s_per_subject": round(rr["load_s"] / rr["subjects"], 3),
        "roadrunner_simulate_s_per_subject": round(rr["simulate_s"] / rr["subjects"], 3),
        "ratio_engine_to_roadrunner": round(ratio, 1),
        "ratio_engine_to_roadrunner_incl_load": round(
            eng["simulated_days_per_s_timeseries"] / rr["simulated_days_per_s_incl_load"], 1
        ),
        "ratio_per_core": round(ratio / max(threads, 1), 1),
        "cohort_100k_x_28d_estimate_s": round(est_cohort),
        "targets": f">= {TARGET_RATE_2_CORES:.0f} subject-days/s on 2 cores, >= "
        f"{TARGET_RATIO:.0f}x roadrunner, 100k x 28 d < {TARGET_COHORT_S:.0f} s",
    }
    if os.environ.get("SOMATOSIM_BENCH_FULL") == "1":
        report["cohort_100k_x_28d_measured_s"] = round(run_full_cohort(p))
    report["load_average_after"] = _load()
    if args.json:
        print(json.dumps(report))
    else:
        width = max(len(k) for k in report)
        for key, value in report.items():
            print(f"{key:<{width}}  {value}")
    return report


if __name__ == "__main__":
    main()
