"""Virtual cohorts: populations × arms, run in chunks on Dask, stored as a resumable Parquet set.

>>> import somatosim.cohort as cohort
>>> spec = {"days": 2, "chunk_size": 2, "population": {"sampler": {"n": 3}},
...         "arms": [{"name": "a"}]}
>>> import tempfile
>>> res = cohort.run(spec, tempfile.mkdtemp() + "/out", workers=0, figures=False)
>>> (res.n_subjects, res.chunks_computed, len(res.daily()))
(3, 2, 6)

See ``docs/cohorts.md`` for the spec, the output layout and running on a Dask cluster.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from somatosim.cohort.execute import ChunkTask, DaskExecutor, InlineExecutor, compute_chunk
from somatosim.cohort.population import sample_population, subject_scenario, subject_seed
from somatosim.cohort.spec import CohortSpec, ResolvedArm, load_spec, resolve_arms
from somatosim.cohort.store import ChunkStore
from somatosim.errors import InputError

__all__ = [
    "CohortProgress",
    "CohortResult",
    "CohortSpec",
    "load_spec",
    "open_result",
    "run",
    "sample_population",
    "subject_scenario",
    "subject_seed",
]


@dataclass(frozen=True, slots=True)
class CohortProgress:
    """Progress of a cohort run, in subject-arms (one subject simulated under one arm).

    Attributes
    ----------
    done : int
        Subject-arms finished, including those reused from an earlier run.
    total : int
        Subject-arms of the whole cohort.
    reused : int
        Subject-arms found complete on disk at the start.
    """

    done: int
    total: int
    reused: int


@dataclass(frozen=True)
class CohortResult:
    """A cohort on disk and how the last run went.

    Attributes
    ----------
    out : Path
        Output directory.
    name : str
        Cohort name.
    arms : tuple of (str, int)
        Arm names and simulated days.
    n_subjects : int
        Subjects per arm.
    chunks_total, chunks_computed, chunks_reused : int
        Chunks (arm × subject range) of the cohort, computed by this run, found done.
    seconds : float
        Wall time of this run.
    subject_days : int
        Subject-days simulated by this run.
    executor : str
        Where the chunks ran.
    summary : pandas.DataFrame
        The arm summary table (``summary/arms.csv``).
    figures : tuple of Path
        Figure files.
    """

    out: Path
    name: str
    arms: tuple[tuple[str, int], ...]
    n_subjects: int
    chunks_total: int
    chunks_computed: int
    chunks_reused: int
    seconds: float
    subject_days: int
    executor: str
    summary: pd.DataFrame = field(repr=False)
    figures: tuple[Path, ...] = ()

    def _read(
        self, kind: str, arms: Sequence[str] | None, columns: Sequence[str] | None
    ) -> pd.DataFrame:
        import pyarrow.parquet as pq

        names = [a for a, _ in self.arms] if arms is None else list(arms)
        files = [p for a in names for p in sorted((self.out / kind / a).glob("chunk-*.parquet"))]
        if not files:
            return pd.DataFrame()
        cols = list(columns) if columns is not None else None
        tables = [pq.read_table(p, columns=cols) for p in files]
        import pyarrow as pa

        frame: pd.DataFrame = pa.concat_tables(tables).to_pandas()
        return frame

    def daily(
        self, arms: Sequence[str] | None = None, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Load daily rows (all of them unless ``arms`` / ``columns`` restrict it).

        For large cohorts read the Parquet dataset ``<out>/daily`` lazily instead (for
        example with ``dask.dataframe.read_parquet`` or ``pyarrow.dataset``).
        """
        return self._read("daily", arms, columns)

    def subjects(
        self, arms: Sequence[str] | None = None, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Load per-subject rows (covariates and summaries), one per subject and arm."""
        return self._read("subjects", arms, columns)

    def trajectories(
        self, arms: Sequence[str] | None = None, columns: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Load the coarse time series (empty if the spec asked for none)."""
        return self._read("trajectories", arms, columns)

    @property
    def rate(self) -> float:
        """Subject-days per second of this run (0 when nothing was computed)."""
        return self.subject_days / self.seconds if self.seconds > 0 else 0.0

    def summary_line(self) -> str:
        """One line: what ran, how fast, where the results are, IGF-1 by arm."""
        arms = (
            ", ".join(
                f"{r.arm} {r.igf1_final_median_ng_ml:.0f} ng/mL (SDS {r.igf1_final_sds_median:+.2f})"
                for r in self.summary.itertuples()
            )
            if len(self.summary)
            else "no arms"
        )
        reused = f", {self.chunks_reused} reused" if self.chunks_reused else ""
        return (
            f"cohort {self.name!r}: {len(self.arms)} arm(s) × {self.n_subjects:,} subjects; "
            f"{self.chunks_computed} of {self.chunks_total} chunks computed{reused} in "
            f"{_fmt_seconds(self.seconds)} ({self.rate:,.0f} subject-days/s, {self.executor}); "
            f"median final IGF-1: {arms}; results in {self.out}"
        )


def _fmt_seconds(s: float) -> str:
    if s < 60:
        return f"{s:.1f} s"
    m, sec = divmod(round(s), 60)
    return f"{m} min {sec:02d} s" if m < 60 else f"{m // 60} h {m % 60:02d} min"


# --- population --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Population:
    n: int
    digest: str
    sampler: Mapping[str, Any] | None
    table: pd.DataFrame | None

    def rows(self, first: int, count: int) -> pd.DataFrame | None:
        if self.table is None:
            return None
        return self.table.iloc[first : first + count].reset_index(drop=True)


def _population(spec: CohortSpec) -> _Population:
    pop = spec.population
    if pop.sampler is not None:
        s = pop.sampler
        info = {"age_range": list(s.age_range), "sexes": list(s.sexes)}
        digest = f"sampler:{s.n}:{info}"
        return _Population(n=s.n, digest=digest, sampler=info, table=None)
    assert pop.table is not None
    path = Path(spec.base_dir) / pop.table
    if not path.is_file():
        raise InputError(
            f"population table {str(path)!r} not found (paths are relative to the spec file)"
        )
    raw = path.read_bytes()
    try:
        import io

        table = pd.read_csv(io.BytesIO(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None
    if pop.max_rows is not None:
        table = table.iloc[: pop.max_rows]
    if len(table) == 0:
        raise InputError(f"{path}: the population table has no rows")
    if "subject_id" not in table.columns:
        table.insert(0, "subject_id", range(len(table)))
    ids = table["subject_id"]
    if not pd.api.types.is_integer_dtype(ids) or (ids < 0).any():
        raise InputError(f"{path}: subject_id must be whole numbers >= 0")
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise InputError(f"{path}: subject_id {dup} appears more than once")
    if "sex" in table.columns:
        table["sex"] = table["sex"].astype(str).str.strip().str.lower()
    digest = f"table:{len(table)}:{hashlib.sha256(raw).hexdigest()}"
    return _Population(n=len(table), digest=digest, sampler=None, table=table)


# --- run ----------------------------------------------------------------------------------------
def _tasks(
    spec: CohortSpec, arms: Sequence[ResolvedArm], pop: _Population, store: ChunkStore
) -> tuple[list[ChunkTask], int]:
    """All chunk tasks of the cohort, and the subject-arms already done."""
    cs = spec.chunk_size
    n_chunks = (pop.n + cs - 1) // cs
    traj = spec.trajectories
    todo: list[ChunkTask] = []
    reused = 0
    for arm in arms:
        days = arm.days
        for c in range(n_chunks):
            first = c * cs
            count = min(cs, pop.n - first)
            rows = {"subjects": count, "daily": count * days}
            if traj is not None:
                rows["trajectories"] = count * days * (1440 // traj.every_minutes)
            if store.is_done(arm.name, c, rows):
                reused += count
                continue
            meta = {k: store.chunk_meta(arm.name, c, r) for k, r in rows.items()}
            todo.append(
                ChunkTask(
                    arm=arm.name,
                    chunk=c,
                    first=first,
                    count=count,
                    cohort_seed=spec.seed,
                    scenario=arm.scenario,
                    overrides=dict(arm.overrides),
                    meta=meta,
                    sampler=pop.sampler,
                    rows=pop.rows(first, count),
                    every_minutes=None if traj is None else traj.every_minutes,
                    variables=() if traj is None else traj.variables,
                )
            )
    return todo, reused


def run(
    spec: CohortSpec | Mapping[str, Any] | str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    n: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    figures: bool = True,
    progress: Callable[[CohortProgress], None] | None = None,
    status: Callable[[str], None] | None = None,
) -> CohortResult:
    """Run (or complete) a cohort and write its Parquet dataset, summaries and figures.

    Parameters
    ----------
    spec : CohortSpec, mapping or path of a YAML file
        What to simulate (see :mod:`somatosim.cohort.spec`).
    out : path
        Output directory. If it already holds this cohort, only missing chunks are computed;
        if it holds another cohort, an :class:`~somatosim.errors.InputError` is raised.
    n : int, optional
        Number of subjects (overrides the sampler's ``n``; caps a table's rows).
    workers : int, optional
        Worker processes of the local Dask cluster (default: the number of CPUs).
        ``0`` runs every chunk in this process, without Dask.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); ``workers`` is then
        ignored.
    client : distributed.Client, optional
        Use this Dask client (not closed afterwards).
    figures : bool
        Draw the figures (matplotlib).
    progress : callable, optional
        Called with a :class:`CohortProgress` at the start and after every chunk.
    status : callable, optional
        Called with short status messages (cluster start, summaries).

    Returns
    -------
    CohortResult

    Notes
    -----
    Subject ``i`` is simulated with seed ``subject_seed(spec.seed, i)`` (the same in every
    arm) and, for the sampler, covariates that depend only on ``(spec.seed, i)``; results are
    therefore identical whatever the chunk execution order, number of workers or scheduler.
    With the local cluster, call ``run`` under ``if __name__ == "__main__":`` in scripts
    (worker processes are spawned).
    """
    say = status or (lambda _msg: None)
    if workers is not None and workers < 0:
        raise InputError(f"--workers = {workers} must be >= 0 (0 runs without Dask)")
    cspec = spec if isinstance(spec, CohortSpec) else load_spec(spec)
    cspec = cspec.with_n(n)
    arms = resolve_arms(cspec)
    pop = _population(cspec)
    from somatosim.cohort.spec import spec_fingerprint

    fingerprint = spec_fingerprint(cspec, pop.digest)
    kinds = ("subjects", "daily") + (("trajectories",) if cspec.trajectories else ())
    store = ChunkStore(out, fingerprint, kinds)
    arm_days = tuple((a.name, a.days) for a in arms)
    n_chunks = (pop.n + cspec.chunk_size - 1) // cspec.chunk_size
    from somatosim._version import __version__

    info = {
        "name": cspec.name,
        "somatosim_version": __version__,
        "n_subjects": pop.n,
        "chunk_size": cspec.chunk_size,
        "n_chunks_per_arm": n_chunks,
        "arms": [{"name": a, "days": d} for a, d in arm_days],
        "kinds": list(kinds),
        "seed": cspec.seed,
        "population": pop.digest
        if pop.sampler is not None
        else {"table": cspec.population.table, "rows": pop.n},
        "spec": cspec.model_dump(mode="json", exclude={"base_dir"}),
    }
    store.open(info)
    store.remove_stale_temporaries()
    todo, reused = _tasks(cspec, arms, pop, store)
    total = pop.n * len(arms)
    done = reused
    if progress is not None:
        progress(CohortProgress(done=done, total=total, reused=reused))

    subject_days = 0
    executor_desc = "nothing to compute"
    t_run = time.perf_counter()
    if todo:
        if workers == 0 and scheduler is None and client is None:
            executor: InlineExecutor | DaskExecutor = InlineExecutor()
        else:
            executor = DaskExecutor(workers=workers, scheduler=scheduler, client=client)
        say("starting workers" if isinstance(executor, DaskExecutor) else "running in-process")
        with executor:
            executor_desc = executor.description
            say(f"running {len(todo)} chunk(s) on {executor_desc}")
            t_run = time.perf_counter()
            for task, files in executor.map_unordered(compute_chunk, todo):
                store.write_chunk(task.arm, task.chunk, files)
                done += task.count
                subject_days += task.count * dict(arm_days)[task.arm]
                if progress is not None:
                    progress(CohortProgress(done=done, total=total, reused=reused))
    t_sim = time.perf_counter() - t_run

    say("writing summaries")
    from somatosim.cohort.summary import write_figures, write_summaries

    table, hists = write_summaries(store, arm_days)
    figs = write_figures(store.root, hists) if figures else []
    store.update_manifest(complete=True, chunks_per_kind=n_chunks * len(arms))
    return CohortResult(
        out=store.root,
        name=cspec.name,
        arms=arm_days,
        n_subjects=pop.n,
        chunks_total=n_chunks * len(arms),
        chunks_computed=len(todo),
        chunks_reused=n_chunks * len(arms) - len(todo),
        seconds=t_sim,
        subject_days=subject_days,
        executor=executor_desc,
        summary=table,
        figures=tuple(figs),
    )


def open_result(out: str | os.PathLike[str]) -> CohortResult:
    """Open a finished cohort directory (no computation) for reading.

    Parameters
    ----------
    out : path
        A directory written by :func:`run`.

    Returns
    -------
    CohortResult
        With the stored arm summary; timing fields are zero.
    """
    root = Path(out)
    import json

    try:
        man = json.loads((root / "cohort.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{root} holds no cohort (cohort.json missing or unreadable)") from None
    arms = tuple((a["name"], int(a["days"])) for a in man.get("arms", []))
    summary_path = root / "summary" / "arms.csv"
    summary = pd.read_csv(summary_path) if summary_path.is_file() else pd.DataFrame()
    figs = tuple(sorted((root / "figures").glob("*.png")))
    n_chunks = int(man.get("n_chunks_per_arm", 0)) * len(arms)
    return CohortResult(
        out=root,
        name=str(man.get("name", "cohort")),
        arms=arms,
        n_subjects=int(man.get("n_subjects", 0)),
        chunks_total=n_chunks,
        chunks_computed=0,
        chunks_reused=n_chunks,
        seconds=0.0,
        subject_days=0,
        executor="",
        summary=summary,
        figures=figs,
    )
