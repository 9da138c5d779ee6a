"""Reading measured hormone series and writing pulse-analysis tables and figures (issue 5.5).

Input: a CSV file, one series or many subjects in long format, with ``#`` comment lines
allowed before the header.

============================  ==============================================================
column                        meaning
============================  ==============================================================
``subject`` (or ``id``)       subject label (optional; absent = one series)
``time_min`` / ``time_h``     sample time in minutes / hours; or ``time`` with the unit
                              declared (``time_unit=``, CLI ``--time-unit``)
``gh`` / ``concentration``    measured concentration (also ``value``, ``lh``)
``units``                     concentration unit of each row (optional; else ``units=``,
                              CLI ``--units``, or a ``# units: ng/mL`` comment line)
``below_lod``                 optional true/false: the assay reported "below the limit"
============================  ==============================================================

Known units: ng/mL, µg/L (= ng/mL), pg/mL, mU/L and mIU/L (GH, converted at 3 mIU per µg,
WHO IS 98/574) and, for other hormones such as LH, IU/L and U/L (kept as they are).
Problems are reported as :class:`~somatosim.errors.InputError` naming the file line: a
missing or non-numeric value, a negative concentration, times out of order or repeated
within a subject, an unknown unit.

Output (:func:`write_outputs`): ``bursts.csv``/``.parquet`` (one row per burst),
``subjects.csv``/``.parquet`` (one row per subject) and ``figures/<subject>.png``.
"""

from __future__ import annotations

import io
import math
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from somatosim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from somatosim.analysis.deconvolution import DeconvolutionResult

__all__ = [
    "PULSE_FILES",
    "UNIT_TO_NG_ML",
    "MeasuredSeries",
    "burst_table",
    "read_series",
    "subject_table",
    "write_outputs",
]

#: Concentration units converted to ng/mL (GH: 3 mIU = 1 µg, WHO IS 98/574).
UNIT_TO_NG_ML: dict[str, float] = {
    "ng/ml": 1.0,
    "µg/l": 1.0,
    "ug/l": 1.0,
    "mcg/l": 1.0,
    "pg/ml": 1e-3,
    "mu/l": 1.0 / 3.0,
    "miu/l": 1.0 / 3.0,
}
#: Units accepted as they are (no conversion; masses stay in these units × V).
_KEPT_UNITS = {"iu/l": "IU/L", "u/l": "U/L"}
_TIME_UNITS = {"min": 1.0, "minutes": 1.0, "h": 60.0, "hours": 60.0}
_TIME_COLUMNS = {"time_min": 1.0, "time_minutes": 1.0, "time_h": 60.0, "time_hours": 60.0}
_CONC_COLUMNS = ("gh", "concentration", "conc", "value", "lh", "gh_ng_ml")
_SUBJECT_COLUMNS = ("subject", "id", "subject_id")

#: Files written by :func:`write_outputs` (figures go to ``figures/``).
PULSE_FILES = ("bursts.csv", "bursts.parquet", "subjects.csv", "subjects.parquet")


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasuredSeries:
    """One subject's validated series.

    Attributes
    ----------
    subject : str
        Label.
    times_min : ndarray
        Sample times in minutes, strictly increasing.
    concentration : ndarray
        Concentrations in ``units``.
    below_lod : ndarray of bool
        Censored samples ("below the detection limit").
    units : str
        ``"ng/mL"`` for GH units (converted), else the declared unit.
    lines : ndarray of int
        File line of each sample (for messages).
    """

    subject: str
    times_min: NDArray[np.float64]
    concentration: NDArray[np.float64]
    below_lod: NDArray[np.bool_]
    units: str
    lines: NDArray[np.int64]


def _norm_unit(text: str) -> str:
    return text.strip().replace(" ", "").replace("μ", "µ").lower()


def _unit_factor(unit: str, where: str) -> tuple[float, str]:
    u = _norm_unit(unit)
    if u in UNIT_TO_NG_ML:
        return UNIT_TO_NG_ML[u], "ng/mL"
    if u in _KEPT_UNITS:
        return 1.0, _KEPT_UNITS[u]
    allowed = "ng/mL, µg/L, pg/mL, mU/L, mIU/L, IU/L, U/L"
    raise InputError(f"{where}: unknown concentration unit {unit!r}; use one of {allowed}")


def _declared_units(comments: list[str]) -> str | None:
    """The unit of a comment line that is exactly ``# units: <unit>``."""
    for line in comments:
        m = re.fullmatch(r"#\s*units?\s*[:=]\s*(\S+)\s*", line, flags=re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def read_series(
    path: Path | str,
    *,
    units: str | None = None,
    time_unit: str | None = None,
) -> list[MeasuredSeries]:
    """Read and validate a CSV of one or many hormone series.

    Parameters
    ----------
    path : Path or str
        CSV file (see the module docstring for the columns).
    units : str, optional
        Concentration unit of every row (overrides a ``# units:`` comment; a ``units``
        column takes precedence row by row).
    time_unit : {"min", "h"}, optional
        Unit of a plain ``time`` column.

    Returns
    -------
    list of MeasuredSeries
        One per subject, in order of first appearance.

    Raises
    ------
    InputError
        Naming the file line (and column) of the first problem.
    """
    import pandas as pd

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
    comments: list[str] = []
    body: list[str] = []
    line_no: list[int] = []
    for i, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comments.append(stripped)
            continue
        body.append(line)
        line_no.append(i)
    if len(body) < 2:
        raise InputError(f"{p}: no data rows (need a header line and at least one row)")
    try:
        df = pd.read_csv(io.StringIO("\n".join(body)), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{p}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    lines = np.asarray(line_no[1:], dtype=np.int64)
    cols = {c.strip().lower(): c for c in df.columns}

    def where(i: int, col: str | None = None) -> str:
        return f"{p.name} line {lines[i]}" + (f", column {col!r}" if col else "")

    # time column
    tcol: str | None = None
    tfactor = 1.0
    for name, factor in _TIME_COLUMNS.items():
        if name in cols:
            tcol, tfactor = cols[name], factor
            break
    if tcol is None and "time" in cols:
        if time_unit is None:
            raise InputError(
                f"{p.name}: column 'time' has no unit; name it time_min or time_h, or "
                "declare it (--time-unit min|h)"
            )
        tu = time_unit.strip().lower()
        if tu not in _TIME_UNITS:
            raise InputError(f"time unit {time_unit!r} unknown; use min or h")
        tcol, tfactor = cols["time"], _TIME_UNITS[tu]
    if tcol is None:
        raise InputError(
            f"{p.name}: no time column; expected one of time_min, time_h or time "
            f"(found {', '.join(map(str, df.columns))})"
        )
    ccol = next((cols[c] for c in _CONC_COLUMNS if c in cols), None)
    if ccol is None:
        raise InputError(
            f"{p.name}: no concentration column; expected one of {', '.join(_CONC_COLUMNS)} "
            f"(found {', '.join(map(str, df.columns))})"
        )
    scol = next((cols[c] for c in _SUBJECT_COLUMNS if c in cols), None)
    ucol = cols.get("units") or cols.get("unit")
    lcol = cols.get("below_lod")
    default_unit = units if units is not None else _declared_units(comments)
    if ucol is None and default_unit is None:
        raise InputError(
            f"{p.name}: concentration unit not declared; add a 'units' column, a "
            "'# units: ng/mL' line, or pass --units"
        )

    n = len(df)
    text_of = {str(col): [str(v).strip() for v in df[col].tolist()] for col in df.columns}
    t = np.empty(n)
    c = np.empty(n)
    factors = np.empty(n)
    unit_names: list[str] = []
    below = np.zeros(n, dtype=bool)
    for i in range(n):
        for col, arr, factor in ((tcol, t, tfactor), (ccol, c, 1.0)):
            raw = text_of[str(col)][i]
            if raw == "" or raw.lower() in ("na", "nan", "null", "none"):
                raise InputError(f"{where(i, str(col))}: value is missing")
            try:
                value = float(raw)
            except ValueError:
                raise InputError(f"{where(i, str(col))}: {raw!r} is not a number") from None
            if not math.isfinite(value):
                raise InputError(f"{where(i, str(col))}: {raw!r} is not a finite number")
            arr[i] = value * factor
        if c[i] < 0:
            raise InputError(f"{where(i, str(ccol))}: concentration {c[i]:g} is negative")
        unit = default_unit
        if ucol is not None:
            cell = text_of[str(ucol)][i]
            unit = cell or default_unit
        if unit is None:
            raise InputError(f"{where(i, str(ucol))}: unit is missing")
        factors[i], name = _unit_factor(unit, where(i, str(ucol) if ucol else None))
        unit_names.append(name)
        if lcol is not None:
            cell = text_of[str(lcol)][i].lower()
            if cell in ("true", "1", "yes", "y", "t"):
                below[i] = True
            elif cell not in ("false", "0", "no", "n", "f", ""):
                raise InputError(f"{where(i, str(lcol))}: {cell!r} is not true/false")
    c = c * factors
    subjects = text_of[str(scol)] if scol is not None else ["1"] * n
    out: list[MeasuredSeries] = []
    order: dict[str, list[int]] = {}
    for i, s in enumerate(subjects):
        if s == "":
            raise InputError(f"{where(i, str(scol))}: subject is missing")
        order.setdefault(s, []).append(i)
    for s, idx in order.items():
        ix = np.asarray(idx)
        names = {unit_names[i] for i in idx}
        if len(names) > 1:
            raise InputError(
                f"subject {s}: rows mix units that cannot be converted to one another "
                f"({', '.join(sorted(names))})"
            )
        ts = t[ix]
        for k in range(1, ix.size):
            if ts[k] == ts[k - 1]:
                raise InputError(
                    f"{where(int(ix[k]))}: time {ts[k] / tfactor:g} of subject {s} repeats "
                    f"line {lines[ix[k - 1]]}; remove the duplicate"
                )
            if ts[k] < ts[k - 1]:
                raise InputError(
                    f"{where(int(ix[k]))}: time {ts[k] / tfactor:g} of subject {s} comes "
                    f"before {ts[k - 1] / tfactor:g} on line {lines[ix[k - 1]]}; sort by time"
                )
        out.append(
            MeasuredSeries(
                subject=s,
                times_min=ts,
                concentration=c[ix],
                below_lod=below[ix],
                units=names.pop(),
                lines=lines[ix],
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Tables and figures
# --------------------------------------------------------------------------------------------


def burst_table(results: Mapping[str, DeconvolutionResult]) -> pd.DataFrame:
    """One row per burst of every subject (``subject`` first, then the burst columns)."""
    import pandas as pd

    frames = []
    for subject, res in results.items():
        b = res.bursts.copy()
        b.insert(0, "burst", np.arange(1, len(b) + 1))
        b.insert(0, "subject", subject)
        b["units"] = f"{res.units}·V"
        frames.append(b)
    if not frames:
        return pd.DataFrame(columns=["subject", "burst", "time_min", "mass"])
    return pd.concat(frames, ignore_index=True)


def subject_table(results: Mapping[str, DeconvolutionResult]) -> pd.DataFrame:
    """One row per subject: every estimate with ``_se``, ``_lo`` and ``_hi`` columns."""
    import pandas as pd

    rows = []
    for subject, res in results.items():
        row: dict[str, object] = {
            "subject": subject,
            "n_samples": int(res.times_min.size),
            "sampling_interval_min": float(np.median(np.diff(res.times_min))),
            "span_h": float((res.times_min[-1] - res.times_min[0]) / 60.0),
            "units": res.units,
            "shape": res.shape,
            "kinetics": res.kinetics.name,
            "uncertainty": res.uncertainty,
        }
        for q, r in res.estimates.iterrows():
            row[str(q)] = r["value"]
            for k in ("se", "lo", "hi"):
                if not math.isnan(float(r[k])):
                    row[f"{q}_{k}"] = r[k]
        row["warnings"] = "; ".join(res.warnings)
        rows.append(row)
    return pd.DataFrame(rows)


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed onto it when the block succeeds."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _safe_name(subject: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", subject).strip("._") or "subject"


def write_outputs(
    results: Mapping[str, DeconvolutionResult],
    out: Path,
    *,
    figures: bool = True,
) -> list[Path]:
    """Write the burst and subject tables (CSV and Parquet) and one figure per subject.

    Parameters
    ----------
    results : mapping of subject to DeconvolutionResult
        Analyses to write.
    out : Path
        Output directory (created if needed). Each file is written to a temporary name
        and renamed into place.
    figures : bool
        Also write ``figures/<subject>.png`` (data, fit, reconstructed secretion).

    Returns
    -------
    list of Path
        Files written.
    """
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, table in (("bursts", burst_table(results)), ("subjects", subject_table(results))):
        csv_path = out / f"{name}.csv"
        pq_path = out / f"{name}.parquet"
        with _atomic(csv_path) as tmp:
            table.to_csv(tmp, index=False)
        with _atomic(pq_path) as tmp:
            table.to_parquet(tmp, index=False)
        written += [csv_path, pq_path]
    if figures and results:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig_dir = out / "figures"
        fig_dir.mkdir(exist_ok=True)
        used: set[str] = set()
        for subject, res in results.items():
            stem = _safe_name(subject)
            while stem in used:
                stem += "_"
            used.add(stem)
            fig = res.plot(title=f"subject {subject}")
            path = fig_dir / f"{stem}.png"
            with _atomic(path) as tmp:
                fig.savefig(tmp, dpi=110, format="png")
            plt.close(fig)
            written.append(path)
    return written
