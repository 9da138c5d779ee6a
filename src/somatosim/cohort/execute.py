"""Running cohort chunks: the per-chunk computation and the executors (in-process or Dask).

:func:`compute_chunk` is the unit of work: it turns one :class:`ChunkTask` (an arm and a
range of subjects) into finished Parquet files (as bytes). It depends only on the task, so a
chunk gives the same bytes on any worker, in any order, after any number of retries; it runs
one compiled engine batch (:func:`~somatosim.engine.simulate.run_schedules`) in which the
numba engine runs the subjects in parallel.

Executors map :func:`compute_chunk` over tasks and yield results as they complete, keeping
only a bounded number of chunks in flight:

- :class:`InlineExecutor` runs in this process (``workers=0``; tests, debugging);
- :class:`DaskExecutor` runs on Dask distributed: a ``LocalCluster`` of worker processes
  with one thread each (the default), or an existing scheduler given its address, or a
  ``distributed.Client`` the caller already has. Results travel back to the client, which
  alone writes the output directory, so workers need no shared file system. A worker that
  dies mid-task is replaced by the nanny and the scheduler reruns its tasks elsewhere.

Dask is imported only here, and only when a Dask executor is used.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from somatosim.scenario.schema import Scenario

__all__ = [
    "ChunkTask",
    "DaskExecutor",
    "InlineExecutor",
    "compute_chunk",
    "default_workers",
    "subject_summaries",
]

FloatArray = np.ndarray[Any, np.dtype[np.float64]]

#: per-subject summaries stored in the subjects table (same definitions as
#: :func:`somatosim.engine.build.summarize`)
SUMMARY_COLUMNS = (
    "igf1_final_ng_ml",
    "igf1_final_sds",
    "igf1_free_final_ng_ml",
    "igf1_baseline_ng_ml",
    "igf1_change_percent",
    "gh_secretion_mg_per_day",
    "gh_mean_ng_ml",
    "gh_pulses_per_day",
    "gh_sleep_fraction",
)


@dataclass(frozen=True, slots=True)
class ChunkTask:
    """One arm × one range of subjects.

    Attributes
    ----------
    arm : str
        Arm name.
    chunk : int
        Chunk number (subjects ``chunk * chunk_size ...``).
    first : int
        Position of the first subject in the population.
    count : int
        Number of subjects.
    cohort_seed : int
        Seed of the cohort; subject seeds and the sampled population derive from it.
    scenario : Scenario
        The arm's base scenario.
    overrides : mapping
        The arm's overrides (including ``days``).
    meta : mapping
        Footer metadata per kind (fingerprint, arm, chunk, rows).
    sampler : mapping, optional
        ``{"age_range": ..., "sexes": ...}`` to sample subjects ``first .. first+count-1``.
    rows : pandas.DataFrame, optional
        The subjects themselves (table populations).
    every_minutes : int, optional
        Trajectory sampling interval; ``None`` for no trajectories.
    variables : tuple of str
        Trajectory variables.
    """

    arm: str
    chunk: int
    first: int
    count: int
    cohort_seed: int
    scenario: Scenario
    overrides: Mapping[str, Any]
    meta: Mapping[str, Mapping[str, Any]]
    sampler: Mapping[str, Any] | None = None
    rows: Any = None
    every_minutes: int | None = None
    variables: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """A Dask key unique to this cohort and chunk."""
        fp = str(self.meta["subjects"]["fingerprint"])[:12]
        return f"somatosim-cohort-{fp}-{self.arm}-{self.chunk}"


def _population(task: ChunkTask) -> Any:
    from somatosim.cohort.population import sample_population

    if task.rows is not None:
        return task.rows.reset_index(drop=True)
    assert task.sampler is not None
    lo, hi = task.sampler["age_range"]
    return sample_population(
        task.count,
        task.cohort_seed,
        first_id=task.first,
        age_range=(float(lo), float(hi)),
        sexes=tuple(task.sampler["sexes"]),
    )


def _mean_last(x: FloatArray, k: int) -> FloatArray:
    """Mean of the last ``k`` columns ignoring NaN (NaN when all are NaN), like pandas."""
    w = x[:, -k:]
    ok = np.isfinite(w)
    cnt = ok.sum(axis=1)
    tot = np.where(ok, w, 0.0).sum(axis=1)
    out = np.full(x.shape[0], np.nan)
    np.divide(tot, cnt, out=out, where=cnt > 0)
    return out


def subject_summaries(cols: Mapping[str, FloatArray]) -> dict[str, FloatArray]:
    """Per-subject summaries from ``(subjects, days)`` arrays of daily columns.

    The definitions are those of :func:`somatosim.engine.build.summarize`: IGF-1 of the last
    day, GH means over the last 7 days (or all days if fewer).
    """
    igf = cols["igf1_mean_ng_ml"]
    return {
        "igf1_final_ng_ml": igf[:, -1],
        "igf1_final_sds": cols["igf1_sds"][:, -1],
        "igf1_free_final_ng_ml": cols["igf1_free_mean_ng_ml"][:, -1],
        "igf1_baseline_ng_ml": igf[:, 0],
        "igf1_change_percent": 100.0 * (igf[:, -1] / igf[:, 0] - 1.0),
        "gh_secretion_mg_per_day": _mean_last(cols["gh_secretion_mg"], 7),
        "gh_mean_ng_ml": _mean_last(cols["gh_mean_ng_ml"], 7),
        "gh_pulses_per_day": _mean_last(cols["gh_pulses"].astype(np.float64), 7),
        "gh_sleep_fraction": _mean_last(cols["gh_sleep_fraction"], 7),
    }


def _daily_columns(runs: list[Any], days: int) -> dict[str, Any]:
    """Daily summaries of a batch as ``(subjects, days)`` arrays, in ``daily_table`` order.

    One call of :func:`~somatosim.engine.simulate.daily_table` on all subjects' days stacked
    (so the formulas are the engine's own), with the secretory bursts counted per subject and
    day here; a per-subject ``daily_table`` builds one DataFrame per subject and costs more
    than a third of the integration itself.
    """
    from dataclasses import replace

    from somatosim.engine.simulate import daily_table
    from somatosim.scenario.drivers import MIN_PER_DAY

    n = len(runs)
    empty_i = np.zeros(0, dtype=np.int64)
    empty_f = np.zeros(0, dtype=np.float64)
    stacked = replace(
        runs[0],
        daily=np.concatenate([r.daily for r in runs]),
        volley_minute=empty_i,
        volley_amplitude=empty_f,
        volley_mass=empty_f,
    )
    table = daily_table(stacked)
    pulses = np.zeros((n, days), dtype=np.int64)
    for i, r in enumerate(runs):
        counted = r.volley_mass >= r.schedule.burst_min_mass
        day_of = r.volley_minute[counted] // MIN_PER_DAY
        pulses[i] = np.bincount(day_of[day_of < days], minlength=days)[:days]
    out: dict[str, Any] = {}
    for name in table.columns:
        out[name] = pulses if name == "gh_pulses" else table[name].to_numpy().reshape(n, days)
    return out


def compute_chunk(task: ChunkTask) -> dict[str, bytes]:
    """Simulate one chunk and return its Parquet files (``subjects``, ``daily``, ...) as bytes.

    Parameters
    ----------
    task : ChunkTask

    Returns
    -------
    dict of str to bytes
        One complete Parquet file per kind.

    Raises
    ------
    SimulationError, InputError
        The message names the arm and the subject.
    """
    import pyarrow as pa

    from somatosim.clinical import default_reference
    from somatosim.cohort.population import subject_parameters, subject_scenario, subject_seed
    from somatosim.cohort.spec import apply_overrides
    from somatosim.cohort.store import encode_parquet
    from somatosim.engine.fast import OUTPUT_FIELDS
    from somatosim.engine.simulate import run_schedules
    from somatosim.errors import InputError, SimulationError
    from somatosim.model.parameters import default_parameters
    from somatosim.scenario.drivers import MIN_PER_DAY, build_schedule

    pop = _population(task)
    if "subject_id" not in pop.columns:
        pop.insert(0, "subject_id", np.arange(task.first, task.first + len(pop), dtype=np.int64))
    records = pop.to_dict("records")
    p_base = default_parameters()
    schedules = []
    seeds = np.empty(len(records), dtype=np.int64)
    ages = np.empty(len(records))
    sexes = np.empty(len(records), dtype=object)
    for i, row in enumerate(records):
        sid = int(row["subject_id"])
        try:
            sc = apply_overrides(subject_scenario(row, task.scenario), task.overrides)
        except InputError as exc:
            raise InputError(f"arm {task.arm!r}: {exc}") from None
        except ValueError as exc:  # pydantic ValidationError of the overrides
            raise InputError(f"arm {task.arm!r}, subject {sid}: {exc}") from None
        seeds[i] = subject_seed(task.cohort_seed, sid)
        ages[i] = sc.subject.age_years
        sexes[i] = sc.subject.sex
        schedules.append(build_schedule(sc, subject_parameters(row, p_base), int(seeds[i])))
    days = schedules[0].days
    # One saved sample per subject when no trajectories are wanted: the engine writes sample 0
    # even with record_timeseries=False, so a one-sample buffer is the safe minimum.
    every = task.every_minutes if task.every_minutes is not None else days * MIN_PER_DAY
    try:
        runs = run_schedules(schedules, p_base, save_every_min=every, record_timeseries=True)
    except SimulationError as exc:
        first = int(pop["subject_id"].iloc[0])
        raise SimulationError(
            f"arm {task.arm!r}, chunk {task.chunk} (subjects from id {first}): {exc}"
        ) from None

    n = len(runs)
    cols = _daily_columns(runs, days)
    names = [c for c in cols if c != "igf1_sds"]
    ref = default_reference()
    igf = cols["igf1_mean_ng_ml"]
    cols["igf1_sds"] = np.asarray(
        ref.sds(np.maximum(igf, 1e-6), ages[:, None], sexes.astype(str)[:, None]), dtype=float
    )
    ids = pop["subject_id"].to_numpy(dtype=np.int64)

    daily: dict[str, Any] = {
        "subject_id": np.repeat(ids, days),
        "arm": pa.array([task.arm] * (n * days), type=pa.string()),
        "day": np.tile(np.arange(days, dtype=np.int32), n),
    }
    for name in [*names, "igf1_sds"]:
        daily[name] = cols[name].reshape(-1)
    files = {"daily": encode_parquet(pa.table(daily), task.meta["daily"])}

    subjects = pa.Table.from_pandas(pop, preserve_index=False)
    subjects = subjects.add_column(1, "arm", pa.array([task.arm] * n, type=pa.string()))
    subjects = subjects.append_column("seed", pa.array(seeds, type=pa.int64()))
    subjects = subjects.append_column("days", pa.array(np.full(n, days, dtype=np.int32)))
    for name, values in subject_summaries(cols).items():
        subjects = subjects.append_column(name, pa.array(values, type=pa.float64()))
    files["subjects"] = encode_parquet(subjects, task.meta["subjects"])

    if task.every_minutes is not None:
        n_save = runs[0].timeseries.shape[0]
        traj: dict[str, Any] = {
            "subject_id": np.repeat(ids, n_save),
            "arm": pa.array([task.arm] * (n * n_save), type=pa.string()),
            "hours": np.tile(runs[0].hours.astype(np.float32), n),
        }
        for var in task.variables:
            k = OUTPUT_FIELDS.index(var)
            traj[var] = np.concatenate([r.timeseries[:, k] for r in runs]).astype(np.float32)
        files["trajectories"] = encode_parquet(pa.table(traj), task.meta["trajectories"])
    return files


# --- executors --------------------------------------------------------------------------------
def default_workers() -> int:
    """Number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


Done = tuple[ChunkTask, dict[str, bytes]]


class InlineExecutor:
    """Run chunks one after another in this process (no Dask)."""

    description = "in-process"

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map_unordered(
        self, fn: Callable[[ChunkTask], dict[str, bytes]], tasks: Iterable[ChunkTask]
    ) -> Iterator[Done]:
        """Yield ``(task, fn(task))`` for each task."""
        for task in tasks:
            yield task, fn(task)


class DaskExecutor:
    """Run chunks on Dask distributed.

    Parameters
    ----------
    workers : int, optional
        Worker processes of the local cluster (default: the number of CPUs). Ignored with
        ``scheduler`` or ``client``.
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://10.0.0.5:8786``.
    client : distributed.Client, optional
        An existing client (not closed on exit).
    numba_threads : int, optional
        ``NUMBA_NUM_THREADS`` of local worker processes (default: CPUs / workers, at least 1).
    in_flight : int, optional
        Chunks submitted but not yet collected (default: 2 × worker threads + 1).
    """

    def __init__(
        self,
        workers: int | None = None,
        scheduler: str | None = None,
        client: Any = None,
        numba_threads: int | None = None,
        in_flight: int | None = None,
    ) -> None:
        self._workers = workers
        self._scheduler = scheduler
        self._client = client
        self._own_client = client is None
        self._cluster: Any = None
        self._numba_threads = numba_threads
        self._in_flight = in_flight
        self.description = ""

    def __enter__(self) -> DaskExecutor:
        try:
            import distributed
        except ImportError as exc:  # pragma: no cover - a declared dependency
            from somatosim.errors import InputError

            raise InputError(
                f"Dask distributed is needed for cohorts ({exc}); pip install 'dask[distributed]'"
            ) from None
        dd: Any = distributed  # untyped library: keep strict mypy quiet at the edge
        if self._client is not None:
            self.description = f"Dask client {self._client.scheduler.address}"
        elif self._scheduler is not None:
            try:
                self._client = dd.Client(self._scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                from somatosim.errors import InputError

                raise InputError(
                    f"cannot reach the Dask scheduler at {self._scheduler} ({exc}); start it with "
                    "`dask scheduler` and check the address and firewall"
                ) from None
            self.description = f"Dask scheduler {self._scheduler}"
        else:
            n = self._workers if self._workers is not None else default_workers()
            threads = self._numba_threads or max(1, default_workers() // n)
            self._cluster = dd.LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
                env={
                    "NUMBA_NUM_THREADS": str(threads),
                    "OMP_NUM_THREADS": "1",
                    "MKL_NUM_THREADS": "1",
                    "OPENBLAS_NUM_THREADS": "1",
                },
            )
            self._client = dd.Client(self._cluster)
            self.description = f"local Dask cluster, {n} worker process{'es' if n > 1 else ''}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._own_client and self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` while the executor is open (else ``None``)."""
        return self._client

    def worker_threads(self) -> int:
        """Threads over all connected workers (at least 1)."""
        info = self._client.scheduler_info() if self._client is not None else {}
        return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))

    def map_unordered(
        self, fn: Callable[[ChunkTask], dict[str, bytes]], tasks: Iterable[ChunkTask]
    ) -> Iterator[Done]:
        """Yield ``(task, fn(task))`` as chunks complete, with a bounded number in flight."""
        import distributed

        dd: Any = distributed
        client = self._client
        assert client is not None
        window = self._in_flight or 2 * self.worker_threads() + 1
        todo = iter(tasks)
        pending: dict[Any, ChunkTask] = {}
        ac = dd.as_completed()

        def submit() -> bool:
            task = next(todo, None)
            if task is None:
                return False
            fut = client.submit(fn, task, key=task.key, pure=False)
            pending[fut] = task
            ac.add(fut)
            return True

        for _ in range(window):
            if not submit():
                break
        try:
            for fut in ac:
                task = pending.pop(fut)
                files = fut.result()
                fut.release()
                submit()
                yield task, files
        finally:
            for fut in pending:
                fut.cancel()
