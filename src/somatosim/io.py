"""Write the files of a run: ``summary.json``, ``daily.csv``, ``timeseries.parquet``,
``report.html`` and ``scenario.yaml`` (DESIGN.md §3, §6).

All files are first written to a temporary directory beside the output directory and then
renamed into place, so a failure (a full disk, an interrupted run, a bug in a figure) never
leaves a partial set of files behind: either all files of the run are there, or the output
directory is as it was.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from somatosim.errors import InputError
from somatosim.scenario.io import scenario_to_yaml

if TYPE_CHECKING:
    from somatosim.engine.result import Result

__all__ = [
    "COMPARE_FILES",
    "RUN_FILES",
    "summary_document",
    "write_compare_outputs",
    "write_run_outputs",
]

#: Files written by :func:`write_run_outputs`, in the order they are written.
RUN_FILES = ("summary.json", "daily.csv", "timeseries.parquet", "scenario.yaml", "report.html")
#: Files written by :func:`write_compare_outputs`.
COMPARE_FILES = ("summary.json", "daily.csv", "scenario_a.yaml", "scenario_b.yaml", "report.html")


def _jsonable(value: Any) -> Any:
    """Plain JSON types; NaN and infinities become ``null`` (JSON has no NaN)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy scalars and arrays
        return _jsonable(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def summary_document(result: Result) -> dict[str, Any]:
    """The content of ``summary.json``: ``Result.summary`` plus where the result came from.

    Parameters
    ----------
    result : Result
        A simulation result.

    Returns
    -------
    dict
        Every key of ``result.summary`` (NaN as ``null``), then ``scenario``, ``seed``,
        ``somatosim_version`` and ``parameter_set_id`` unless the summary already has them.
    """
    from somatosim.report.html import provenance

    doc = dict(_jsonable(result.summary))
    doc.setdefault("warnings", list(result.warnings))
    meta = {"scenario": result.scenario.name, "seed": result.scenario.seed, **provenance(result)}
    for key, value in meta.items():
        doc.setdefault(key, value)
    return doc


def _dump_json(data: Any, path: Path) -> None:
    path.write_text(json.dumps(_jsonable(data), indent=2, allow_nan=False) + "\n", "utf-8")


def _write_parquet(result: Result, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ds = result.timeseries
    frame = ds.to_dataframe().reset_index()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    for f in table.schema:
        attrs = ds[f.name].attrs if f.name in ds.variables else {}
        meta = {k: str(attrs[k]) for k in ("units", "long_name") if k in attrs}
        fields.append(f.with_metadata(meta) if meta else f)
    schema = pa.schema(fields, metadata=table.schema.metadata)
    extra = {b"somatosim": json.dumps(_jsonable(dict(ds.attrs))).encode()}
    schema = schema.with_metadata({**(schema.metadata or {}), **extra})
    pq.write_table(table.cast(schema), path)


def _write_all(
    out_dir: str | os.PathLike[str],
    writers: Mapping[str, Callable[[Path], object]],
    known: tuple[str, ...],
) -> dict[str, Path]:
    """Write files into a fresh temporary directory, then move them into ``out_dir``.

    Files named in ``known`` but not written this time are removed from ``out_dir`` so that
    no file of an earlier run is mistaken for part of this one.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"output directory {str(out)!r} exists and is not a directory")
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
    except OSError as exc:
        raise InputError(
            f"cannot create the output directory {str(out)!r} ({exc.strerror or exc})"
        ) from None
    try:
        for name, write in writers.items():
            try:
                write(tmp / name)
            except OSError as exc:
                raise OSError(
                    exc.errno,
                    f"cannot write {name} ({exc.strerror}); nothing was written",
                    str(out),
                ) from exc
        if not out.exists():
            try:
                os.rename(tmp, out)  # the whole set appears at once
                return {name: out / name for name in writers}
            except OSError:
                out.mkdir(exist_ok=True)  # created meanwhile: move file by file below
        for name in writers:
            os.replace(tmp / name, out / name)
        for name in known:
            if name not in writers:
                (out / name).unlink(missing_ok=True)
        tmp.rmdir()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {name: out / name for name in writers}


def write_run_outputs(
    result: Result, out_dir: str | os.PathLike[str], *, report: bool = True
) -> dict[str, Path]:
    """Write the files of one run into ``out_dir`` (created if needed), atomically.

    Parameters
    ----------
    result : Result
        A simulation result.
    out_dir : str or path
        Output directory; files of an earlier run there are replaced.
    report : bool
        Also write ``report.html`` (the slowest file: it draws the figures).

    Returns
    -------
    dict of str to Path
        File name -> path written: ``summary.json`` (:func:`summary_document`), ``daily.csv``
        (one row per day), ``timeseries.parquet`` (one row per saved time point; column units
        in the Parquet field metadata), ``scenario.yaml`` (rerun it to reproduce the result)
        and ``report.html``.

    Raises
    ------
    InputError
        If ``out_dir`` exists and is not a directory.
    OSError
        If a file cannot be written; nothing is left behind.
    """

    def html(path: Path) -> None:
        from somatosim.report.html import write_report

        write_report(result, path)

    writers: dict[str, Callable[[Path], object]] = {
        "summary.json": lambda p: _dump_json(summary_document(result), p),
        "daily.csv": lambda p: result.daily.to_csv(p, float_format="%.6g"),
        "timeseries.parquet": lambda p: _write_parquet(result, p),
        "scenario.yaml": lambda p: p.write_text(scenario_to_yaml(result.scenario), "utf-8"),
    }
    if report:
        writers["report.html"] = html
    return _write_all(out_dir, writers, RUN_FILES)


def write_compare_outputs(
    a: Result,
    b: Result,
    out_dir: str | os.PathLike[str],
    labels: tuple[str, str] | None = None,
) -> dict[str, Path]:
    """Write the files comparing two runs into ``out_dir``, atomically.

    Parameters
    ----------
    a, b : Result
        The two results (differences are B minus A).
    out_dir : str or path
        Output directory.
    labels : tuple of str, optional
        Names of A and B in the report.

    Returns
    -------
    dict of str to Path
        ``summary.json`` (``a``, ``b`` and ``difference`` = B - A of every numeric summary
        value), ``daily.csv`` (both runs' daily tables, column ``run`` = A or B),
        ``scenario_a.yaml``, ``scenario_b.yaml`` and ``report.html``.
    """
    import pandas as pd

    sa, sb = summary_document(a), summary_document(b)
    difference = {
        k: sb[k] - sa[k]
        for k in sa
        if k in sb and _is_number(sa[k]) and _is_number(sb[k]) and k != "seed"
    }

    def daily(path: Path) -> None:
        both = pd.concat([a.daily.assign(run="A"), b.daily.assign(run="B")])
        cols = ["run", *(c for c in both.columns if c != "run")]
        both[cols].to_csv(path, float_format="%.6g")

    def html(path: Path) -> None:
        from somatosim.report.html import write_compare_report

        write_compare_report(a, b, path, labels)

    writers: dict[str, Callable[[Path], object]] = {
        "summary.json": lambda p: _dump_json({"a": sa, "b": sb, "difference": difference}, p),
        "daily.csv": daily,
        "scenario_a.yaml": lambda p: p.write_text(scenario_to_yaml(a.scenario), "utf-8"),
        "scenario_b.yaml": lambda p: p.write_text(scenario_to_yaml(b.scenario), "utf-8"),
        "report.html": html,
    }
    return _write_all(out_dir, writers, COMPARE_FILES)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)
