"""End-to-end tests of the ``somatosim`` command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from somatosim.cli import app
from somatosim.scenario import PRESETS, load_scenario

pytestmark = pytest.mark.e2e

RUN_FILES = {"summary.json", "daily.csv", "timeseries.parquet", "scenario.yaml", "report.html"}


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_errors(code: int, out: str, err: str, *expected: str) -> None:
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), err
    assert len(lines) == max(1, len(expected))
    for line, text in zip(lines, expected):
        assert text in line, (line, text)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "name: small\ndays: 2\nseed: 3\n"
        "subject: {age_years: 40, sex: female}\nsleep: {bedtime: 22:30, hours: 7}\n"
    )
    return path


# --- run -----------------------------------------------------------------------------------------
def test_run_writes_every_file(tmp_path: Path, scenario_file: Path) -> None:
    out = tmp_path / "out"
    code, stdout, err = invoke("run", scenario_file, "--out", out)
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == RUN_FILES
    summary = json.loads((out / "summary.json").read_text())
    for key in (
        "igf1_final_ng_ml",
        "igf1_final_sds",
        "gh_secretion_mg_per_day",
        "gh_pulses_per_day",
        "gh_sleep_fraction",
        "warnings",
    ):
        assert key in summary
    assert summary["scenario"] == "small" and summary["seed"] == 3
    daily = pd.read_csv(out / "daily.csv", index_col="day")
    assert list(daily.index) == [0, 1] and "igf1_mean_ng_ml" in daily
    series = pd.read_parquet(out / "timeseries.parquet")
    assert {"hours", "gh", "igf1_total", "sleep_stage"} <= set(series.columns)
    assert series["hours"].max() < 48
    assert load_scenario(out / "scenario.yaml").name == "small"
    report = (out / "report.html").read_text()
    assert "small" in report and "data:image/png;base64," in report
    assert stdout.strip().splitlines()[-1] == f"Report: {(out / 'report.html').resolve()}"
    assert "IGF-1, mean of the last day" in stdout


def test_run_preset_with_overrides_and_default_out_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("run", "--preset", "older-woman", "--days", "1", "--seed", "9", "-q")
    assert code == 0, err
    out = tmp_path / "somatosim-out" / "older-woman"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 9 and summary["days"] == 1
    code, _, err = invoke("run", "preset:fast-5d-refeed", "--days", "1", "-q", "--out", "x")
    assert code == 0, err
    assert (tmp_path / "x" / "report.html").exists()


def test_same_seed_same_result_other_seed_other_result(tmp_path: Path, scenario_file: Path) -> None:
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert invoke("run", scenario_file, "--seed", seed, "-q", "--out", tmp_path / name)[0] == 0

    def numbers(name: str) -> pd.DataFrame:
        return pd.read_parquet(tmp_path / name / "timeseries.parquet")

    pd.testing.assert_frame_equal(numbers("a"), numbers("b"))
    assert (tmp_path / "a" / "daily.csv").read_text() == (tmp_path / "b" / "daily.csv").read_text()
    assert not numbers("a")["gh"].equals(numbers("c")["gh"])


def test_demo_prints_where_the_report_is(tmp_path: Path) -> None:
    code, stdout, err = invoke("demo", "--out", tmp_path / "demo")
    assert code == 0, err
    report = tmp_path / "demo" / "report.html"
    assert report.exists()
    assert stdout.strip().endswith(f"Report: {report.resolve()}")


# --- errors: one line, exit code 2, no traceback --------------------------------------------------
def test_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("days: 2\nsubject: {agee: 40}\n")
    assert_one_line_errors(
        *invoke("run", path), f"error: {path}: unknown field `subject.agee` (allowed: age_years"
    )


def test_out_of_range(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("days: 2\nsubject: {age_years: 150}\n")
    assert_one_line_errors(
        *invoke("run", path),
        f"error: {path}: subject.age_years = 150 is out of range (allowed 18-90 years)",
    )


def test_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"days": "many"}')
    assert_one_line_errors(
        *invoke("run", path), 'days = "many" has the wrong type (expected a whole number'
    )


def test_several_problems_give_one_line_each(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("days: 0\nsubject: {sex: robot}\ndiet: {protein_g_per_kg: 9}\n")
    assert_one_line_errors(
        *invoke("run", path), "days = 0", "subject.sex", "diet.protein_g_per_kg = 9"
    )


def test_missing_file_and_bad_yaml(tmp_path: Path) -> None:
    assert_one_line_errors(*invoke("run", tmp_path / "nope.yaml"), "not found")
    bad = tmp_path / "bad.yaml"
    bad.write_text("days: [1,\n")
    assert_one_line_errors(*invoke("run", bad), "not valid YAML (line")


def test_bad_options() -> None:
    assert_one_line_errors(*invoke("run", "--preset", "nope"), "unknown preset 'nope'")
    assert_one_line_errors(
        *invoke("run", "--preset", "demo", "--days", "0"),
        "--days: days = 0 is out of range (allowed 1-730 days)",
    )
    assert_one_line_errors(*invoke("run"), "give a scenario file")
    assert_one_line_errors(*invoke("run", "demo"), "use --preset demo")
    assert_one_line_errors(*invoke("run", "x.yaml", "--preset", "demo"), "not both")


def test_failure_leaves_nothing_behind(
    tmp_path: Path, scenario_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import somatosim.report.html

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(somatosim.report.html, "write_report", broken)
    out = tmp_path / "out"
    code, _, err = invoke("run", scenario_file, "--out", out)
    assert code == 2 and "Traceback" not in err
    assert "cannot write report.html (No space left on device); nothing was written" in err
    assert list(tmp_path.iterdir()) == [scenario_file]  # no output dir, no temporary dir


def test_failure_keeps_the_previous_run(
    tmp_path: Path, scenario_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import somatosim.report.html

    out = tmp_path / "out"
    assert invoke("run", scenario_file, "--out", out, "-q")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("figure bug")

    monkeypatch.setattr(somatosim.report.html, "write_report", broken)
    code, _, err = invoke("run", scenario_file, "--out", out, "--seed", "99")
    assert code == 1
    assert err.startswith("error: internal error (RuntimeError: figure bug)")
    assert len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "scenario.yaml"]


def test_out_dir_that_is_a_file(tmp_path: Path, scenario_file: Path) -> None:
    assert_one_line_errors(*invoke("run", scenario_file, "--out", scenario_file), "not a directory")


# --- compare -------------------------------------------------------------------------------------
def test_compare_two_presets(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    code, stdout, err = invoke(
        "compare",
        "--preset-a",
        "deficit-high-protein",
        "--preset-b",
        "deficit-low-protein",
        "--days",
        "4",
        "--out",
        out,
    )
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == {
        "summary.json",
        "daily.csv",
        "scenario_a.yaml",
        "scenario_b.yaml",
        "report.html",
    }
    summary = json.loads((out / "summary.json").read_text())
    diff = summary["difference"]["igf1_final_ng_ml"]
    assert diff == pytest.approx(
        summary["b"]["igf1_final_ng_ml"] - summary["a"]["igf1_final_ng_ml"]
    )
    assert set(pd.read_csv(out / "daily.csv")["run"]) == {"A", "B"}
    assert "B - A" in stdout and "deficit-low-protein" in stdout
    html = (out / "report.html").read_text()
    assert "phases[0].diet.protein_g_per_kg" in html


def test_compare_files_and_preset_syntax(tmp_path: Path, scenario_file: Path) -> None:
    code, _, err = invoke(
        "compare", scenario_file, "preset:young-man", "--days", "2", "-q", "--out", tmp_path / "c"
    )
    assert code == 0, err
    assert (tmp_path / "c" / "report.html").exists()
    assert_one_line_errors(*invoke("compare", scenario_file), "give a scenario B file")


# --- presets, params, sds, check, version --------------------------------------------------------
def test_presets_lists_all_and_prints_one() -> None:
    code, stdout, _ = invoke("presets")
    assert code == 0
    for name in PRESETS:
        assert name in stdout
    code, stdout, _ = invoke("presets", "ghd-somatropin")
    assert code == 0
    assert load_scenario(stdout) == PRESETS["ghd-somatropin"]


def test_params_table_and_csv() -> None:
    from somatosim.model.parameters import PARAMETERS

    code, stdout, _ = invoke("params", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert [r["name"] for r in rows] == [p.name for p in PARAMETERS]
    assert set(rows[0]) == {"name", "value", "unit", "range", "description", "source", "mechanism"}
    code, stdout, _ = invoke("params", "--mechanism", "M4", "--references")
    assert code == 0 and "gh" in stdout.lower()
    assert_one_line_errors(*invoke("params", "--format", "xml"), "--format = 'xml'")


def test_sds() -> None:
    code, stdout, _ = invoke("sds", "174", "--age", "30", "--sex", "male")
    assert code == 0
    assert "SDS +0.00, percentile 50.0" in stdout
    assert "reference: LIFE" in stdout
    code, nmol, _ = invoke(
        "sds", str(174 / 7.649), "--age", "30", "--sex", "male", "--units", "nmol/L"
    )
    assert code == 0 and "SDS +0.00" in nmol
    assert_one_line_errors(*invoke("sds", "174", "--age", "30", "--sex", "x"), "sex")
    assert_one_line_errors(
        *invoke("sds", "174", "--age", "30", "--sex", "male", "--reference", "nope.csv"), "nope.csv"
    )


def test_check(scenario_file: Path, tmp_path: Path) -> None:
    code, stdout, _ = invoke("check", scenario_file)
    assert code == 0 and stdout.startswith("ok:")
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: -3\n")
    assert_one_line_errors(*invoke("check", bad), "seed = -3 is out of range")


def test_version() -> None:
    from somatosim import __version__

    code, stdout, _ = invoke("version")
    assert code == 0 and stdout.startswith(f"somatosim {__version__} (parameter set ")


# --- the installed entry point ------------------------------------------------------------------
def _main(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "somatosim.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def test_usage_errors_are_one_line() -> None:
    for args in (["run", "--bogus"], ["nosuchcommand"], ["run", "--days", "abc"]):
        proc = _main(*args)
        assert proc.returncode == 2, proc
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr


def test_entry_point_runs(tmp_path: Path) -> None:
    proc = _main("run", "--preset", "demo", "--days", "1", "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("Report: ")
    assert {p.name for p in (tmp_path / "o").iterdir()} == RUN_FILES


def test_commands_from_other_modules_are_registered() -> None:
    import inspect
    import pkgutil

    import somatosim

    code, stdout, _ = invoke("--help")
    assert code == 0
    for name in ("run", "demo", "compare", "presets", "params", "sds", "version"):
        assert f"  {name} " in stdout
    for info in pkgutil.iter_modules(somatosim.__path__):
        if info.name.startswith("cli_"):
            module = __import__(f"somatosim.{info.name}", fromlist=["_"])
            for attr, fn in vars(module).items():
                mine = inspect.isfunction(fn) and fn.__module__ == module.__name__
                if attr.endswith("_command") and mine:
                    assert f"  {attr.removesuffix('_command').replace('_', '-')} " in stdout


def test_version_flag() -> None:
    code, stdout, _ = invoke("--version")
    assert code == 0 and stdout.startswith("somatosim ")
