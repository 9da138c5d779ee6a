"""Self-contained HTML reports: one file, figures embedded as PNG, no network access needed.

:func:`write_report` documents one run (summary, warnings, 24-hour GH with the hypnogram,
IGF-1 over the days, daily GH secretion, daily values, the scenario as YAML, the somatosim
version and the parameter set). :func:`write_compare_report` puts two runs side by side with
their differences.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from somatosim._version import __version__
from somatosim.report import plots
from somatosim.scenario.io import atomic_write_text, scenario_to_yaml

if TYPE_CHECKING:
    from jinja2 import Environment
    from matplotlib.figure import Figure

    from somatosim.engine.result import Result

__all__ = [
    "compare_rows",
    "default_parameter_set_id",
    "provenance",
    "render_compare_report",
    "render_report",
    "scenario_differences",
    "summary_notes",
    "summary_rows",
    "write_compare_report",
    "write_report",
]

#: Labels and units of the summary keys shown first, in this order. The unit ``fraction``
#: is shown as a percentage.
SUMMARY_LABELS: dict[str, tuple[str, str]] = {
    "igf1_final_ng_ml": ("IGF-1, mean of the last day", "ng/mL"),
    "igf1_final_sds": ("IGF-1 SDS, last day", "SDS"),
    "igf1_free_final_ng_ml": ("Free IGF-1, mean of the last day", "ng/mL"),
    "igf1_change_percent": ("IGF-1 change, first to last day", "%"),
    "gh_secretion_mg_per_day": ("GH secretion (mean of the last 7 days)", "mg/day"),
    "gh_mean_ng_ml": ("Mean plasma GH (last 7 days)", "ng/mL"),
    "gh_pulses_per_day": ("GH secretory bursts (last 7 days)", "per day"),
    "gh_sleep_fraction": ("Share of GH secreted during sleep (last 7 days)", "fraction"),
    "days": ("Days simulated", ""),
}


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    value: str
    unit: str


@dataclass(frozen=True, slots=True)
class _FigureHtml:
    title: str
    caption: str
    src: str


# --- provenance and formatting ----------------------------------------------------------------
def provenance(result: Result) -> dict[str, str]:
    """Where a result comes from: somatosim version and the model parameter set id.

    The parameter set id is taken from the result (``summary["parameter_set_id"]`` or the
    time series attribute of that name) when the engine records it; otherwise it is the id
    of the shipped parameter table (``somatosim.model.parameters``), a hash of its names and
    values.

    Parameters
    ----------
    result : Result
        A simulation result.

    Returns
    -------
    dict
        ``somatosim_version`` and ``parameter_set_id``.
    """
    pid: Any = None
    for source in (result.summary, result.timeseries.attrs):
        for key in ("parameter_set_id", "parameter_set", "parameters_id"):
            if source.get(key):
                pid = source[key]
                break
        if pid:
            break
    if not pid:
        pid = default_parameter_set_id()
    version = str(result.timeseries.attrs.get("somatosim_version", __version__))
    return {"somatosim_version": version, "parameter_set_id": str(pid)}


def default_parameter_set_id() -> str:
    """Id of the shipped parameter table: ``PARAMETER_SET_ID`` if the table defines one,
    else ``default-`` and the first 12 hex digits of a SHA-256 of its names and values."""
    try:
        from somatosim.model import parameters
    except ImportError:  # pragma: no cover - the table ships with the package
        return "unknown"
    explicit = getattr(parameters, "PARAMETER_SET_ID", None)
    if explicit:
        return str(explicit)
    rows = [(p.name, repr(float(p.value))) for p in parameters.PARAMETERS]
    digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:12]
    return f"default-{digest}"


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:d}"
    try:
        x = float(value)
    except (TypeError, ValueError):
        if isinstance(value, list | tuple | dict):
            return json.dumps(value, default=str)
        return str(value)
    if math.isnan(x):
        return "n/a"
    if unit == "SDS":
        return f"{x:+.2f}"
    if unit == "fraction":
        return f"{100.0 * x:.0f}"
    if unit == "%":
        return f"{x:.1f}"
    ax = abs(x)
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax == 0:
        return "0"
    return f"{x:.3g}"


def _label(key: str) -> tuple[str, str]:
    if key in SUMMARY_LABELS:
        return SUMMARY_LABELS[key]
    for suffix, unit in (
        ("_ng_ml", "ng/mL"),
        ("_mg_per_day", "mg/day"),
        ("_mg", "mg"),
        ("_ug", "µg"),
        ("_sds", "SDS"),
        ("_fraction", "fraction"),
        ("_percent", "%"),
        ("_hours", "h"),
        ("_min", "min"),
        ("_per_day", "per day"),
    ):
        if key.endswith(suffix):
            return key.removesuffix(suffix).replace("_", " "), unit
    return key.replace("_", " "), ""


def _unit_text(unit: str) -> str:
    return "%" if unit == "fraction" else unit


def summary_rows(summary: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """The numbers of the summary as table rows ``(key, label, value, unit)``; known keys first.

    Parameters
    ----------
    summary : mapping
        ``Result.summary``.

    Returns
    -------
    list of tuple
        Rows with human labels and formatted values. Text values (see
        :func:`summary_notes`), ``warnings`` and nested values are left out.
    """
    keys = [k for k in SUMMARY_LABELS if k in summary]
    keys += [k for k in summary if k not in SUMMARY_LABELS]
    rows = []
    for key in keys:
        value = summary[key]
        if key == "warnings" or isinstance(value, Mapping | list | tuple | str):
            continue
        label, unit = _label(key)
        rows.append(
            (key, _for_days(label, summary.get("days")), _fmt(value, unit), _unit_text(unit))
        )
    return rows


def _for_days(label: str, days: Any) -> str:
    """'last 7 days' reads 'all 3 days' for shorter runs (the summary averages what there is)."""
    if isinstance(days, int) and 0 < days < 7:
        whole = "the 1 day" if days == 1 else f"all {days} days"
        return label.replace("the last 7 days", whole).replace("last 7 days", whole)
    return label


def summary_notes(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The text values of the summary (such as the IGF-1 reference) as ``(label, text)``."""
    labels = {"igf1_reference": "IGF-1 SDS reference"}
    return [
        (labels.get(k, k.replace("_", " ")), v) for k, v in summary.items() if isinstance(v, str)
    ]


def _img(fig: Figure) -> str:
    png = plots.figure_to_png(fig)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _daily_table(result: Result) -> tuple[list[str], list[list[str]]]:
    daily = result.daily
    header = [str(daily.index.name or "day")]
    columns: list[list[str]] = [[str(i) for i in daily.index]]
    for name in daily.columns:
        unit = _label(str(name))[1]
        header.append(f"{name} [%]" if unit == "fraction" else str(name))
        columns.append(_format_column(list(daily[name]), unit))
    return header, [list(row) for row in zip(*columns, strict=True)]


def _format_column(values: list[Any], unit: str) -> list[str]:
    """Format a column with one number of decimals for all rows, so the digits line up."""
    numbers = [float(v) for v in values if _is_number(v)]
    if len(numbers) != len(values) or unit in ("SDS", "fraction"):
        return [_fmt(v, unit) for v in values]
    if all(float(v).is_integer() for v in numbers):
        return [f"{v:.0f}" for v in numbers]
    biggest = max((abs(v) for v in numbers), default=0.0)
    decimals = 0 if biggest >= 100 else 1 if biggest >= 10 else 2 if biggest >= 1 else 3
    return [f"{v:.{decimals}f}" for v in numbers]


def _warnings(result: Result) -> list[str]:
    seen: dict[str, None] = {}
    for w in (*result.warnings, *(result.summary.get("warnings") or ())):
        seen.setdefault(str(w), None)
    return list(seen)


def _environment() -> Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("somatosim.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# --- single run -------------------------------------------------------------------------------
def _run_figures(result: Result) -> list[_FigureHtml]:
    figs: list[_FigureHtml] = []
    windows = plots.day_windows(result)
    gh_max = plots.gh_peak(result, windows)
    for window in windows:
        figs.append(
            _FigureHtml(
                f"GH over 24 hours: {window.label}",
                "Plasma GH with the time asleep shaded, above the hypnogram "
                "(wake, REM, light NREM, slow-wave sleep). " + window.title + ".",
                _img(plots.gh_day_figure(result, window, gh_max=gh_max)),
            )
        )
    figs.append(
        _FigureHtml(
            "IGF-1 over the days",
            "Total IGF-1 (line), daily means (dots) and the daily IGF-1 SDS against the age- "
            "and sex-specific reference (grey band: -2 to +2 SDS). Phases are shaded.",
            _img(plots.igf1_figure(result)),
        )
    )
    figs.append(
        _FigureHtml(
            "Daily GH secretion",
            "Pituitary GH secreted per day (excluding injected GH).",
            _img(plots.gh_secretion_figure(result)),
        )
    )
    return figs


def render_report(result: Result) -> str:
    """Render the HTML report of one run.

    Parameters
    ----------
    result : Result
        A simulation result.

    Returns
    -------
    str
        A complete, self-contained HTML document.
    """
    sc = result.scenario
    header, rows = _daily_table(result)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            scenario=sc,
            summary=[
                _Row(label, value, unit) for _, label, value, unit in summary_rows(result.summary)
            ],
            notes=summary_notes(result.summary),
            warnings=_warnings(result),
            figures=_run_figures(result),
            daily_header=header,
            daily_rows=rows,
            scenario_yaml=scenario_to_yaml(sc),
            info=provenance(result),
            version=__version__,
        )
    )


def write_report(result: Result, path: str | os.PathLike[str]) -> Path:
    """Write the HTML report of one run (atomically: temporary file, then rename).

    Parameters
    ----------
    result : Result
        A simulation result.
    path : str or path
        The ``.html`` file to write; parent directories are created.

    Returns
    -------
    Path
        The path written.
    """
    out = Path(path)
    atomic_write_text(out, render_report(result))
    return out


# --- comparison -------------------------------------------------------------------------------
def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(data, list | tuple) and data and any(isinstance(v, Mapping) for v in data):
        for i, v in enumerate(data):
            out.update(_flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def scenario_differences(a: Result, b: Result) -> list[tuple[str, str, str]]:
    """Fields whose values differ between the two scenarios (name and description ignored).

    Parameters
    ----------
    a, b : Result
        The two results.

    Returns
    -------
    list of (str, str, str)
        ``(field, value in A, value in B)``; a missing entry is shown as ``-``.
    """
    fa = _flatten(a.scenario.model_dump(mode="json", exclude_none=True))
    fb = _flatten(b.scenario.model_dump(mode="json", exclude_none=True))
    diffs = []
    for key in sorted(set(fa) | set(fb), key=_path_order(fa, fb)):
        if key in ("name", "description"):
            continue
        va, vb = fa.get(key, "-"), fb.get(key, "-")
        if va != vb:
            diffs.append((key, _fmt_plain(va), _fmt_plain(vb)))
    return diffs


def _path_order(fa: Mapping[str, Any], fb: Mapping[str, Any]) -> Any:
    order = {k: i for i, k in enumerate([*fa, *(k for k in fb if k not in fa)])}
    return lambda k: order[k]


def _fmt_plain(v: Any) -> str:
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v) if v else "none"
    return "-" if v is None else str(v)


def compare_rows(a: Result, b: Result) -> list[tuple[str, str, str, str, str, str]]:
    """The two summaries side by side: ``(label, A, B, B - A, relative change, unit)``.

    Parameters
    ----------
    a, b : Result
        The two results.

    Returns
    -------
    list of tuple
        Formatted rows, known summary keys first; fractions are shown in %, their
        differences in percentage points.
    """
    keys = [k for k in SUMMARY_LABELS if k in a.summary or k in b.summary]
    keys += [k for k in a.summary if k not in keys]
    keys += [k for k in b.summary if k not in keys]
    rows = []
    for key in keys:
        va: Any = a.summary.get(key)
        vb: Any = b.summary.get(key)
        if key == "warnings" or any(isinstance(v, Mapping | list | tuple | str) for v in (va, vb)):
            continue  # text such as the reference name: see summary_notes
        label, unit = _label(key)
        diff, rel = "", ""
        if _is_number(va) and _is_number(vb):
            d = float(vb) - float(va)
            if unit == "SDS":
                diff = f"{d:+.2f}"
            elif unit in ("fraction", "%"):
                diff = f"{(100.0 if unit == 'fraction' else 1.0) * d:+.1f} points"
            else:
                text = _fmt(d, unit)
                diff = text if text.startswith("-") or text == "0" else "+" + text
            if unit not in ("SDS", "fraction", "%") and float(va) != 0:
                rel = f"{100.0 * d / abs(float(va)):+.0f} %"
        rows.append((label, _fmt(va, unit), _fmt(vb, unit), diff, rel, _unit_text(unit)))
    return rows


def _is_number(v: Any) -> bool:
    if isinstance(v, bool) or v is None:
        return False
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def render_compare_report(a: Result, b: Result, labels: tuple[str, str] | None = None) -> str:
    """Render the HTML report comparing two runs.

    Parameters
    ----------
    a, b : Result
        The two results (differences are B minus A).
    labels : tuple of str, optional
        Names for A and B; the scenario names by default (``A`` / ``B`` when they are equal).

    Returns
    -------
    str
        A complete, self-contained HTML document.
    """
    la, lb = labels or _default_labels(a, b)
    figures = [
        _FigureHtml(
            "GH over 24 hours (last full day)",
            "Plasma GH of both runs over each run's last full 24 hours, with the hypnograms.",
            _img(plots.compare_gh_day_figure(a, b, (la, lb))),
        ),
        _FigureHtml(
            "IGF-1 over the days",
            "Total IGF-1 with daily means, and the daily IGF-1 SDS (grey band: -2 to +2 SDS).",
            _img(plots.compare_igf1_figure(a, b, (la, lb))),
        ),
        _FigureHtml(
            "Daily GH secretion",
            "Pituitary GH secreted per day (excluding injected GH).",
            _img(plots.compare_gh_secretion_figure(a, b, (la, lb))),
        ),
    ]
    return (
        _environment()
        .get_template("compare.html.j2")
        .render(
            a=a.scenario,
            b=b.scenario,
            label_a=la,
            label_b=lb,
            rows=compare_rows(a, b),
            differences=scenario_differences(a, b),
            warnings_a=_warnings(a),
            warnings_b=_warnings(b),
            figures=figures,
            yaml_a=scenario_to_yaml(a.scenario),
            yaml_b=scenario_to_yaml(b.scenario),
            info_a=provenance(a),
            info_b=provenance(b),
            notes=sorted(set(summary_notes(a.summary)) | set(summary_notes(b.summary))),
            version=__version__,
        )
    )


def _default_labels(a: Result, b: Result) -> tuple[str, str]:
    if a.scenario.name == b.scenario.name:
        return ("A", "B")
    return (a.scenario.name, b.scenario.name)


def write_compare_report(
    a: Result,
    b: Result,
    path: str | os.PathLike[str],
    labels: tuple[str, str] | None = None,
) -> Path:
    """Write the HTML report comparing two runs (atomically).

    Parameters
    ----------
    a, b : Result
        The two results (differences are B minus A).
    path : str or path
        The ``.html`` file to write.
    labels : tuple of str, optional
        Names for A and B.

    Returns
    -------
    Path
        The path written.
    """
    out = Path(path)
    atomic_write_text(out, render_compare_report(a, b, labels))
    return out
