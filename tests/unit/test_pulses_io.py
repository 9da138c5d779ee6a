"""Unit tests of reading/writing pulse-analysis files, the sampling simulator and the
``somatosim pulses`` command (issue 5.3, 5.5, 5.6)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from typer.testing import CliRunner

from somatosim.analysis.deconvolution import deconvolve
from somatosim.analysis.pulses_io import (
    PULSE_FILES,
    burst_table,
    read_series,
    subject_table,
    write_outputs,
)
from somatosim.analysis.sampling import effective_gh_halflife, sample_curve, sample_result
from somatosim.analysis.validation import synthetic_truth
from somatosim.errors import InputError
from somatosim.model.covariates import gh_halflife_minutes, gh_saturable_factor
from somatosim.model.parameters import default_parameters


def _write(tmp_path: Path, text: str, name: str = "series.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _long_csv(tmp_path: Path, n_subjects: int = 2) -> Path:
    frames = []
    for i in range(n_subjects):
        s, _ = synthetic_truth(seed=10 + i, window_hours=(0.0, 8.0))
        f = s.to_frame().rename(columns={"concentration": "gh"})
        f["subject"] = f"S{i}"
        frames.append(f)
    p = tmp_path / "long.csv"
    pd.concat(frames).to_csv(p, index=False)
    return p


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------


def test_read_single_series_with_declared_units(tmp_path: Path) -> None:
    p = _write(tmp_path, "# units: ng/mL\n# a note\ntime_min,gh\n0,1.0\n10,2.5\n20,1.5\n")
    (s,) = read_series(p)
    assert s.subject == "1" and s.units == "ng/mL"
    np.testing.assert_allclose(s.times_min, [0, 10, 20])
    np.testing.assert_allclose(s.concentration, [1.0, 2.5, 1.5])
    np.testing.assert_array_equal(s.lines, [4, 5, 6])


def test_read_long_format_units_column_and_conversions(tmp_path: Path) -> None:
    text = (
        "subject,time_h,concentration,units,below_lod\n"
        "a,0,3.0,mU/L,false\n"
        "a,0.5,6.0,mIU/L,false\n"
        "b,0,1.0,µg/L,true\n"
        "b,1,2.0,ug/l,no\n"
    )
    a, b = read_series(_write(tmp_path, text))
    assert (a.subject, b.subject) == ("a", "b")
    np.testing.assert_allclose(a.times_min, [0, 30])
    np.testing.assert_allclose(a.concentration, [1.0, 2.0])  # 3 mIU per µg
    np.testing.assert_array_equal(b.below_lod, [True, False])
    assert a.units == b.units == "ng/mL"


def test_read_plain_time_column_needs_a_unit(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,lh\n0,5\n10,6\n")
    with pytest.raises(InputError, match="column 'time' has no unit"):
        read_series(p, units="IU/L")
    (s,) = read_series(p, units="IU/L", time_unit="min")
    assert s.units == "IU/L"


@pytest.mark.parametrize(
    "body,match",
    [
        ("time_min,gh\n0,1\n10,\n", "line 3, column 'gh': value is missing"),
        ("time_min,gh\n0,1\n10,abc\n", "line 3, column 'gh': 'abc' is not a number"),
        ("time_min,gh\n0,1\n10,-0.2\n", "line 3, column 'gh': concentration -0.2 is negative"),
        ("time_min,gh\n0,1\n20,1\n10,1\n", "line 4: time 10 of subject 1 comes before 20"),
        ("time_min,gh\n0,1\n10,1\n10,2\n", "line 4: time 10 of subject 1 repeats line 3"),
        ("time_min,gh\n0,1\nNA,1\n", "line 3, column 'time_min': value is missing"),
        ("time_min,gh,units\n0,1,ng/mL\n10,1,mg/dL\n", "line 3, column 'units': unknown"),
        ("time_min,gh,units\n0,1,ng/mL\n10,1,IU/L\n", "rows mix units"),
        ("time_min,gh,below_lod\n0,1,maybe\n", "line 2, column 'below_lod'"),
        ("minutes,gh\n0,1\n", "no time column"),
        ("time_min,insulin\n0,1\n", "no concentration column"),
        ("time_min,gh\n", "no data rows"),
    ],
)
def test_read_errors_name_the_line(tmp_path: Path, body: str, match: str) -> None:
    p = _write(tmp_path, body)
    with pytest.raises(InputError, match=match):
        read_series(p, units="ng/mL")


def test_read_requires_declared_units(tmp_path: Path) -> None:
    p = _write(tmp_path, "time_min,gh\n0,1\n10,2\n")
    with pytest.raises(InputError, match="unit not declared"):
        read_series(p)
    with pytest.raises(InputError, match="unknown concentration unit 'furlongs'"):
        read_series(p, units="furlongs")


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_series(tmp_path / "nope.csv", units="ng/mL")


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------


def test_write_outputs_tables_and_figures(tmp_path: Path) -> None:
    series = read_series(_long_csv(tmp_path), units="ng/mL")
    results = {
        s.subject: deconvolve(s.times_min, s.concentration, lod=0.01, profile_halflife=False)
        for s in series
    }
    out = tmp_path / "out"
    written = write_outputs(results, out)
    for name in PULSE_FILES:
        assert (out / name).is_file()
    assert (out / "figures" / "S0.png").stat().st_size > 1000
    assert len(written) == len(PULSE_FILES) + 2
    bursts_csv = pd.read_csv(out / "bursts.csv")
    bursts_pq = pd.read_parquet(out / "bursts.parquet")
    assert len(bursts_csv) == len(bursts_pq) == sum(r.n_bursts for r in results.values())
    np.testing.assert_allclose(bursts_csv["mass"], bursts_pq["mass"])
    subjects = pd.read_parquet(out / "subjects.parquet")
    assert list(subjects["subject"]) == ["S0", "S1"]
    assert {"halflife", "halflife_se", "total_secretion_per_day", "n_bursts"} <= set(
        subjects.columns
    )
    assert not list(out.glob(".*.tmp"))
    assert burst_table({}).empty and subject_table({}).empty


# ---------------------------------------------------------------------------------------------
# sampling simulator
# ---------------------------------------------------------------------------------------------


def test_sample_curve_design() -> None:
    t = np.arange(0.0, 1441.0)
    c = 0.5 + 0.4 * np.sin(t / 100.0)
    s = sample_curve(t, c, interval_min=10, cv=0.05, lod=0.2, seed=3)
    assert s.times_min.size == 144  # 24 h at 10 min
    assert s.below_lod.any()
    assert np.all(s.concentration[s.below_lod] == 0.1)
    assert np.all(s.concentration >= 0)
    precise = sample_curve(t, c, interval_min=10, cv=0.05, lod=0.001, seed=3)
    rel = precise.concentration / np.interp(precise.times_min, t, c) - 1
    assert 0.035 < float(np.std(rel)) < 0.065
    j = sample_curve(t, c, interval_min=20, jitter_min=4, seed=3)
    assert np.all(np.abs(j.times_min - np.arange(0, 1440, 20)) <= 4)
    assert list(s.to_frame().columns) == ["subject", "time_min", "concentration", "below_lod"]


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"interval_min": 0}, "interval_min"),
        ({"cv": 1.2}, "cv"),
        ({"lod": -1}, "lod"),
        ({"jitter_min": 6}, "jitter_min"),
        ({"window_min": (100.0, 5000.0)}, "window"),
    ],
)
def test_sample_curve_errors(kwargs: dict[str, object], match: str) -> None:
    t = np.arange(0.0, 600.0)
    with pytest.raises(InputError, match=match):
        sample_curve(t, np.ones_like(t), **kwargs)  # type: ignore[arg-type]


class _Subject:
    weight = 70.0
    height = 175.0


class _Scenario:
    name = "fake"
    subject = _Subject()


class _FakeResult:
    """The parts of a Result that :func:`sample_result` reads (one burst at 10:00)."""

    def __init__(self) -> None:
        minutes = np.arange(0.0, 2 * 1440.0)
        rate = np.full(minutes.size, 60.0 * 0.01)  # µg/h basal
        on = (minutes >= 600) & (minutes < 610)
        rate[on] += 60.0 * 2.0  # 20 µg over 10 minutes
        self.timeseries = xr.Dataset(
            {
                "gh": ("hours", 0.1 + np.exp(-np.abs(minutes - 615) / 20.0)),
                "gh_secretion_rate": ("hours", rate, {"units": "µg/h"}),
            },
            coords={"hours": minutes / 60.0},
        )
        self.bursts = pd.DataFrame({"start_hours": [10.0, 10.05], "mass_ug": [15.0, 5.0]})
        self.scenario = _Scenario()


def test_sample_result_truth() -> None:
    series, truth = sample_result(_FakeResult(), window_hours=(0, 24), seed=1)  # type: ignore[arg-type]
    assert series.times_min.size == 144
    # the two volleys 3 min apart are one event; its input to plasma peaks after the start
    assert truth.burst_times_min.size == 1
    assert 605.0 < truth.burst_times_min[0] < 625.0
    volume = 0.07 * 70.0
    assert truth.burst_masses[0] == pytest.approx(20.0 / volume)
    assert truth.distribution_volume_l == pytest.approx(volume)
    assert truth.total_secretion is not None
    expected = (0.01 * 1430 + 20.0) / volume
    assert truth.total_secretion == pytest.approx(expected, rel=0.01)
    assert truth.kinetics is not None and truth.kinetics.rapid_fraction == 0.0
    assert truth.halflife_min is not None and math.isfinite(truth.halflife_min)
    gh = _FakeResult().timeseries["gh"].values
    assert truth.halflife_min == pytest.approx(
        effective_gh_halflife(
            default_parameters(), 70.0, 175.0, np.arange(2 * 1440.0), gh, (0.0, 1430.0)
        )
    )
    with pytest.raises(InputError, match="window_hours"):
        sample_result(_FakeResult(), window_hours=(40, 60))  # type: ignore[arg-type]


def test_effective_gh_halflife_is_mass_consistent() -> None:
    """At a constant concentration it is the steady-state half-life there; for a pulsatile
    curve it is the one constant rate that balances secretion and elimination."""
    p = default_parameters()
    hl5 = gh_halflife_minutes(p, 70.0, 175.0)
    t = np.arange(0.0, 600.0, 0.05)
    assert effective_gh_halflife(p, 70.0, 175.0, t, np.full(t.size, 5.0)) == pytest.approx(hl5)
    low = effective_gh_halflife(p, 70.0, 175.0, t, np.full(t.size, 0.5))
    ratio = gh_saturable_factor(p, 0.5) / gh_saturable_factor(p, 5.0)
    assert low == pytest.approx(hl5 / ratio) and low < hl5
    # a pulse train on a basal input, elimination k(C) integrated explicitly
    secretion = 0.004 + 0.4 * sum(np.exp(-0.5 * ((t - c) / 4.0) ** 2) for c in (60, 250, 420))
    k_ref = math.log(2.0) / hl5 / gh_saturable_factor(p, 5.0)
    conc = np.empty(t.size)
    conc[0] = 0.1
    for i in range(t.size - 1):
        k = k_ref * gh_saturable_factor(p, float(conc[i]))
        conc[i + 1] = conc[i] + 0.05 * (secretion[i] - k * conc[i])
    hl = effective_gh_halflife(p, 70.0, 175.0, t, conc)
    assert hl5 / ratio < hl < hl5
    balance = math.log(2.0) / hl * np.trapezoid(conc, t) + conc[-1] - conc[0]
    assert balance == pytest.approx(np.trapezoid(secretion, t), rel=0.01)


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------


def _cli(args: list[str]) -> tuple[int, str]:
    import typer

    from somatosim.cli_pulses import pulses_command

    app = typer.Typer()
    app.command()(pulses_command)
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


def test_cli_analyses_a_long_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    csv = str(_long_csv(tmp_path))
    code, text = _cli([csv, "--out", str(out), "--units", "ng/mL", "--weight-kg", "70"])
    assert code == 0, text
    assert "subject S0:" in text and "µg/24h" in text
    assert (out / "subjects.parquet").is_file() and (out / "figures" / "S1.png").is_file()
    args = [csv, "--out", str(out), "--units", "ng/mL", "--min-mass-ug", "3", "--no-figures"]
    code, text = _cli(args)
    assert code == 2 and "--min-mass-ug needs --weight-kg" in text
    code, text = _cli([*args, "--weight-kg", "70"])
    assert code == 0, text
    bursts = pd.read_csv(out / "bursts.csv")
    assert (bursts.loc[bursts["counted"], "mass_ug"] >= 3.0).all()


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    p = _write(tmp_path, "time_min,gh\n0,1\n10,-3\n")
    code, text = _cli([str(p), "--out", str(tmp_path / "o"), "--units", "ng/mL"])
    assert code == 2
    assert "error: series.csv line 3, column 'gh': concentration -3 is negative" in text
    code, text = _cli(["--out", str(tmp_path / "o")])
    assert code == 2 and "give a CSV FILE" in text


def test_cli_validate_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "val"
    code, text = _cli(["--validate", "--subjects", "1", "--source", "synthetic", "--out", str(out)])
    assert code == 0, text
    html = (out / "validation_report.html").read_text(encoding="utf-8")
    assert "AutoDecon" in html and "10 min, CV 5 %" in html
    settings = pd.read_csv(out / "validation_synthetic_settings.csv")
    assert {"sensitivity", "false_positive_rate", "halflife_abs_error_median"} <= set(
        settings.columns
    )
    assert len(settings) == 5
