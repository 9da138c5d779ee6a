"""HTML report and figures (somatosim.report), on synthetic and on simulated results."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from somatosim._version import __version__
from somatosim.engine.result import Result
from somatosim.report import plots
from somatosim.report.html import (
    compare_rows,
    provenance,
    render_compare_report,
    render_report,
    scenario_differences,
    summary_rows,
    write_compare_report,
    write_report,
)
from somatosim.scenario import get_preset, load_scenario

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def fake_result(scenario: dict[str, Any] | None = None, warnings: tuple[str, ...] = ()) -> Result:
    """A small, fully synthetic result with the documented shape (no engine involved)."""
    sc = load_scenario(scenario or {"name": "fake", "days": 3})
    hours = np.arange(0.0, 24.0 * sc.days, 5.0 / 60.0)
    clock = hours % 24.0
    asleep = (clock >= 23.0) | (clock < 7.0)
    since_onset = (clock - 23.0) % 24.0
    stage = np.where(asleep, np.where(since_onset < 1.5, 3, 2), 0).astype(np.int8)
    gh = 0.1 + 8.0 * np.exp(-((since_onset - 0.7) ** 2) / 0.05) * asleep
    igf1 = 180.0 - 0.1 * hours
    ds = xr.Dataset(
        {
            "gh": ("hours", gh, {"units": "ng/mL", "long_name": "plasma GH"}),
            "igf1_total": ("hours", igf1, {"units": "ng/mL", "long_name": "total IGF-1"}),
            "sleep_stage": ("hours", stage, {"units": "1", "long_name": "sleep stage"}),
        },
        coords={"hours": hours},
    )
    days = np.arange(sc.days)
    daily = pd.DataFrame(
        {
            "gh_secretion_mg": 0.4 + 0.01 * days,
            "gh_pulses": np.full(sc.days, 12),
            "gh_sleep_fraction": np.full(sc.days, 0.55),
            "igf1_mean_ng_ml": [igf1[(hours // 24) == d].mean() for d in days],
            "igf1_sds": np.linspace(0.2, -0.3, sc.days),
        },
        index=pd.Index(days, name="day"),
    )
    summary = {
        "igf1_final_ng_ml": float(daily["igf1_mean_ng_ml"].iloc[-1]),
        "igf1_final_sds": -0.3,
        "gh_secretion_mg_per_day": 0.41,
        "gh_pulses_per_day": 12.0,
        "gh_sleep_fraction": 0.55,
        "warnings": list(warnings),
        "igf1_reference": "test reference",
    }
    bursts = pd.DataFrame({"start_hours": [23.5], "mass_ug": [30.0]})
    return Result(
        scenario=sc, timeseries=ds, daily=daily, summary=summary, bursts=bursts, warnings=warnings
    )


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


# --- 24-hour windows ---------------------------------------------------------------------------
def test_one_day_gives_one_midnight_window() -> None:
    (window,) = plots.day_windows(fake_result({"days": 1}))
    assert (window.start_hours, window.end_hours) == (0.0, 24.0)


def test_windows_are_centred_on_the_night_first_and_last() -> None:
    windows = plots.day_windows(fake_result({"days": 7}))
    assert [w.start_hours for w in windows] == [12.0, 12.0 + 5 * 24.0]  # noon to noon
    assert [w.label for w in windows] == ["first day", "last day"]
    assert windows[0].title == "first day: day 0 12:00 to day 1 12:00"


def test_windows_follow_the_bedtime() -> None:
    windows = plots.day_windows(fake_result({"days": 4, "sleep": {"bedtime": "01:30"}}))
    assert windows[0].start_hours == 14.0


def test_each_phase_adds_its_last_night() -> None:
    result = fake_result(
        {
            "days": 14,
            "phases": [
                {"start_day": 2, "end_day": 7, "label": "fast", "diet": {"energy_kcal_per_day": 0}}
            ],
        }
    )
    windows = plots.day_windows(result)
    assert [w.label for w in windows] == ["first day", "last night of 'fast'", "last day"]
    assert windows[1].start_hours == 6 * 24 + 12


# --- figures ------------------------------------------------------------------------------------
def test_figures_render_to_png() -> None:
    result = fake_result({"days": 3})
    for fig in (
        plots.gh_day_figure(result),
        plots.igf1_figure(result),
        plots.gh_secretion_figure(result),
        plots.compare_gh_day_figure(result, result),
        plots.compare_igf1_figure(result, result),
        plots.compare_gh_secretion_figure(result, result),
    ):
        png = plots.figure_to_png(fig, dpi=40)
        assert png.startswith(PNG_MAGIC) and len(png) > 1000


def test_gh_day_figure_has_the_hypnogram_and_shades_sleep() -> None:
    fig = plots.gh_day_figure(fake_result({"days": 2}))
    gh_ax, hyp_ax = fig.axes
    assert [t.get_text() for t in hyp_ax.get_yticklabels()] == [
        "slow-wave",
        "light NREM",
        "REM",
        "wake",
    ]
    assert any(p.get_label() == "asleep" for p in gh_ax.patches)


# --- single report --------------------------------------------------------------------------
def test_report_has_every_part() -> None:
    result = fake_result({"name": "my run", "days": 3, "seed": 11})
    html = render_report(result)
    assert "<title>my run" in html
    assert "No warnings" in html
    assert "IGF-1, mean of the last day" in html and "ng/mL" in html
    assert "IGF-1 SDS reference: test reference" in html
    assert "name: my run" in html and "seed: 11" in html  # the scenario as YAML
    assert f"somatosim {__version__}" in html
    assert provenance(result)["parameter_set_id"] in html
    images = _images(html)
    assert len(images) >= 4  # two 24-h windows, IGF-1, secretion
    assert all(img.startswith(PNG_MAGIC) for img in images)


def test_report_is_self_contained() -> None:
    html = render_report(fake_result())
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html


def test_warnings_are_shown_prominently() -> None:
    html = render_report(fake_result(warnings=("IGF-1 above +2 SDS on day 2",)))
    assert 'class="warnings" role="alert"' in html
    assert "IGF-1 above +2 SDS on day 2" in html
    assert html.index("IGF-1 above +2 SDS") < html.index("<h2>Summary</h2>")


def test_user_text_is_escaped() -> None:
    html = render_report(fake_result({"name": "<script>alert(1)</script>", "days": 1}))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_summary_rows_format_units() -> None:
    rows = {key: (value, unit) for key, _, value, unit in summary_rows(fake_result().summary)}
    assert rows["gh_sleep_fraction"] == ("55", "%")
    assert rows["igf1_final_sds"] == ("-0.30", "SDS")
    assert "warnings" not in rows and "igf1_reference" not in rows


def test_write_report_is_atomic(tmp_path: Path) -> None:
    out = write_report(fake_result(), tmp_path / "sub" / "report.html")
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]


# --- comparison -----------------------------------------------------------------------------
def test_compare_report_shows_both_and_the_differences(tmp_path: Path) -> None:
    a = fake_result({"name": "short", "days": 2})
    b = fake_result({"name": "long", "days": 3, "subject": {"age_years": 70}}, ("b warns",))
    diffs = dict((k, (va, vb)) for k, va, vb in scenario_differences(a, b))
    assert diffs["days"] == ("2", "3")
    assert diffs["subject.age_years"] == ("30.0", "70.0")
    assert "name" not in diffs
    rows = {r[0]: r for r in compare_rows(a, b)}
    igf = rows["IGF-1, mean of the last day"]
    assert igf[3].startswith("-") and igf[4].endswith("%")
    html = render_compare_report(a, b)
    assert "short" in html and "long" in html and "b warns" in html
    assert "subject.age_years" in html
    assert len(_images(html)) == 3
    path = write_compare_report(a, b, tmp_path / "c.html", labels=("A1", "B1"))
    assert "A1" in path.read_text()


def test_identical_scenarios_say_so() -> None:
    a = fake_result()
    assert "identical apart from their names" in render_compare_report(a, a)


# --- with the engine ------------------------------------------------------------------------
def test_report_of_a_simulated_result() -> None:
    from somatosim import simulate

    result = simulate(get_preset("ghd-somatropin").replace(days=9), save_every_min=10)
    html = render_report(result)
    assert "ghd-somatropin" in html
    assert len(_images(html)) >= 4
    for _, _, value, _ in summary_rows(result.summary):
        assert value not in ("nan", "n/a")
