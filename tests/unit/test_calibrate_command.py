"""`somatosim calibrate` is reproducible and refines a previous calibration (issue 3 point 2)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from somatosim.calibration.cases import get_case
from somatosim.calibration.fit import (
    DEFAULT_FREE,
    RUN_RECORD_FILE,
    START_FILE,
    calibrate,
    read_parameter_file,
    values_digest,
)
from somatosim.cli import main
from somatosim.errors import InputError
from somatosim.model.parameters import (
    CALIBRATION_ENV,
    CALIBRATION_FILE,
    PARAMETERS,
    default_parameters,
    literature_parameters,
)

_DATA = files("somatosim") / "data"
_PK_CASES = ("8.4-cmax", "8.4-tmax", "8.8-tmax", "8.8-peak-gh-0.2mg")


def _shipped_informs() -> dict[str, list[str]]:
    return {s.name: list(s.informed_by) for s in PARAMETERS if s.literature is not None}


def test_default_free_set_is_what_the_shipped_file_calibrates() -> None:
    shipped = json.loads((_DATA / CALIBRATION_FILE).read_text(encoding="utf-8"))
    assert set(DEFAULT_FREE) == {name for name, entry in shipped.items() if entry["free"]}


def test_shipped_calibration_is_the_output_of_its_recorded_command() -> None:
    run = json.loads((_DATA / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    start, _ = read_parameter_file(Path(str(_DATA / START_FILE)))
    assert run["command"].startswith("somatosim calibrate --start ")
    assert run["start"].endswith(START_FILE)
    assert run["start_digest"] == values_digest(start)
    assert run["calibrated_digest"] == values_digest(default_parameters())
    assert run["calibrated_digest"] != run["start_digest"]
    assert set(run["free"]) <= set(DEFAULT_FREE)


def test_a_rerun_writes_the_same_file_and_keeps_the_start_calibration(tmp_path: Path) -> None:
    cases = [get_case(c) for c in _PK_CASES]
    start = default_parameters().replace(sc_ka=0.5)
    outputs = []
    for k in range(2):
        out = tmp_path / str(k) / "calibrated.json"
        res = calibrate(
            cases,
            ("sc_ka",),
            n_starts=1,
            max_nfev=3,
            start=start,
            start_informs=_shipped_informs(),
            out=out,
            record={"command": "test"},
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert res.cost < res.cost_initial
    data = json.loads(outputs[0])
    assert data["sc_ka"]["free"] and data["sc_ka"]["calibrated"] != 0.5
    assert data["sc_ka"]["literature"] == literature_parameters()["sc_ka"]
    assert "8.4-tmax" in data["sc_ka"]["cases"]
    # A parameter calibrated before and not fitted now keeps its value, flag and cases.
    shipped = default_parameters()
    assert data["lagh_halflife_h"]["calibrated"] == shipped["lagh_halflife_h"]
    assert data["lagh_halflife_h"]["free"]
    assert data["igf_emax"]["cases"] == _shipped_informs()["igf_emax"]
    run = json.loads((tmp_path / "1" / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    written, _ = read_parameter_file(tmp_path / "1" / "calibrated.json")
    assert run["calibrated_digest"] == values_digest(written) == values_digest(res.params)
    assert run["start_digest"] == values_digest(start)
    assert run["evaluations"] == res.evaluations >= 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"no_such_parameter": {"calibrated": 1.0}}', "unknown parameter 'no_such_parameter'"),
        ('{"sc_ka": {"calibrated": 7.0}}', "sc_ka.calibrated = 7.0 is outside"),
    ],
)
def test_a_bad_start_file_names_the_problem(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "start.json"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_parameter_file(bad)


def test_cli_reports_a_missing_start_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "calibrated.json"
    with pytest.raises(SystemExit) as exc:
        main(["calibrate", "--start", str(tmp_path / "nope.json"), "--out", str(out)])
    assert exc.value.code != 0
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err
    assert not out.exists()


def test_the_guard_never_writes_fewer_passing_cases_than_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fit that lowers the cost by losing a case is replaced by the best set that keeps it.

    The case misses are a synthetic function of ``sc_ka`` (no simulation): the start passes
    both cases, and a heavy prior pulls ``sc_ka`` to its literature value, where one fails.
    """
    import somatosim.calibration.fit as fit

    lit = literature_parameters()["sc_ka"]

    def misses(cases: object, params: object) -> np.ndarray:
        x = float(params["sc_ka"])  # type: ignore[index]
        return np.array([(x - 0.5) / 0.1, (x - 0.45) / 0.3])

    monkeypatch.setattr(fit, "case_residuals", misses)
    cases = [get_case(c) for c in _PK_CASES[:2]]
    start = default_parameters().replace(sc_ka=0.5)
    kw = dict(n_starts=1, max_nfev=6, prior_weight=20.0, start=start)
    loose = calibrate(cases, ("sc_ka",), keep_passes=False, **kw)  # type: ignore[arg-type]
    assert loose.passed_initial == 2 and loose.passed == 1
    assert abs(loose.params["sc_ka"] - lit) < abs(0.5 - lit)
    out = tmp_path / "calibrated.json"
    kept = calibrate(cases, ("sc_ka",), out=out, **kw)  # type: ignore[arg-type]
    assert kept.guard_used and kept.passed == 2
    assert loose.cost < kept.cost <= kept.cost_initial
    assert abs(kept.params["sc_ka"] - 0.5) <= 0.1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["sc_ka"]["calibrated"] == kept.params["sc_ka"]
    assert data["sc_ka"]["cases"] == [c.id for c in cases]  # from the probes at that point
    run = json.loads((tmp_path / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["keep_passes"] and run["guard_used"] and run["passed"] == 2


def _run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True
    )


def test_the_calibration_file_can_be_named_by_the_environment(tmp_path: Path) -> None:
    data = json.loads((_DATA / CALIBRATION_FILE).read_text(encoding="utf-8"))
    data["sc_ka"]["calibrated"] = 0.5
    data["sc_ka"]["free"] = True
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code = "from somatosim import default_parameters as d; print(d()['sc_ka'])"
    done = _run_python(code, {CALIBRATION_ENV: str(path)})
    assert done.returncode == 0 and float(done.stdout) == 0.5
    missing = _run_python(code, {CALIBRATION_ENV: str(tmp_path / "nope.json")})
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: {CALIBRATION_ENV}={str(tmp_path / 'nope.json')!r}: no such file"
    ]


def test_checks_reject_a_fit_that_breaks_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check command that the fit's result fails makes the run write a set that passes it.

    Synthetic case misses as above; the check stands for a behaviour test and accepts the
    model only with ``sc_ka`` at least 0.45, which the pull to the literature value breaks.
    """
    import somatosim.calibration.fit as fit

    def misses(cases: object, params: object) -> np.ndarray:
        x = float(params["sc_ka"])  # type: ignore[index]
        return np.array([(x - 0.5) / 0.1, (x - 0.45) / 0.3])

    monkeypatch.setattr(fit, "case_residuals", misses)
    check = (
        f'{shlex.quote(sys.executable)} -c "import sys; from somatosim import '
        "default_parameters as d; ok = d()['sc_ka'] >= 0.45; print('noise'); "
        "print('' if ok else 'FAILED sc_ka too low'); sys.exit(0 if ok else 1)\""
    )
    cases = [get_case(c) for c in _PK_CASES[:2]]
    kw = dict(n_starts=1, max_nfev=2, prior_weight=20.0, keep_passes=False)
    start = default_parameters().replace(sc_ka=0.5)
    res = calibrate(cases, ("sc_ka",), start=start, checks=(check,), out=tmp_path / "c.json", **kw)  # type: ignore[arg-type]
    assert res.guard_used and res.params["sc_ka"] >= 0.45
    run = json.loads((tmp_path / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["checks"] == [check]
    assert run["candidates_checked"][0]["failed_checks"] == [check]
    assert run["candidates_checked"][0]["check_output"] == ["FAILED sc_ka too low"]
    assert run["candidates_checked"][0]["x"]["sc_ka"] < 0.45
    # The candidates that failed were skipped; the run fell back at worst to the start.
    assert all(c["failed_checks"] in ([], [check]) for c in run["candidates_checked"])
    # A start that fails a check stops the run before any fitting.
    with pytest.raises(InputError, match="the start fails the check"):
        calibrate(cases, ("sc_ka",), start=start.replace(sc_ka=0.4), checks=(check,), **kw)  # type: ignore[arg-type]


def test_validation_report_names_the_calibration_it_ran_under(tmp_path: Path) -> None:
    from somatosim.calibration.validate import run_validation, write_report

    report = run_validation([get_case(c) for c in _PK_CASES[:2]])
    assert report.calibration["source"] == "shipped"
    assert report.calibration["matches_record"] is True
    paths = write_report(report, tmp_path, figures=False)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["calibration"]["command"].startswith("somatosim calibrate --start ")
    assert "written by <code>somatosim calibrate" in paths["html"].read_text(encoding="utf-8")
    code = (
        "from somatosim.calibration.validate import run_validation; "
        "from somatosim.calibration.cases import get_case; "
        "print(run_validation([get_case('8.4-cmax')]).calibration)"
    )
    shipped = str(_DATA / CALIBRATION_FILE)
    done = _run_python(code, {CALIBRATION_ENV: shipped})
    assert done.returncode == 0 and "'source': 'environment'" in done.stdout
    assert repr(shipped) in done.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sc_ka": {"literature": 0.33, "calibrated": 5.0}}, "sc_ka.calibrated = 5.0 is outside"),
        ({"no_such": {"literature": 1.0, "calibrated": 1.0}}, "no_such: unknown parameter"),
        ({"sc_ka": "x"}, "sc_ka: needs numeric 'literature' and 'calibrated' entries"),
    ],
)
def test_a_bad_calibration_file_in_the_environment_stops_with_one_line(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    data = json.loads((_DATA / CALIBRATION_FILE).read_text(encoding="utf-8"))
    data.update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = _run_python("import somatosim", {CALIBRATION_ENV: str(path)})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and lines[0].startswith(f"error: {CALIBRATION_ENV}=")
        and message in lines[0]
    )


@pytest.mark.parametrize(
    ("r", "margin", "expected"),
    [(0.3, 0.5, 0.0), (-0.5, 0.5, 0.0), (0.75, 0.5, 0.5), (-1.0, 0.5, -1.0), (2.0, 0.5, 3.0)],
)
def test_case_margin_is_a_dead_zone_that_reads_one_at_the_tolerance(
    r: float, margin: float, expected: float
) -> None:
    from somatosim.calibration.fit import margin_miss

    assert margin_miss(np.array([r]), margin)[0] == pytest.approx(expected)
    assert margin_miss(np.array([r]), 0.0)[0] == r


def test_a_case_margin_lets_the_prior_draw_a_parameter_back_to_the_edge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one case wants ``sc_ka`` at 0.6 ± 0.2; its literature value is 0.33.

    Synthetic case miss (no simulation). Without a margin the fit centres the case; with a
    margin of half the tolerance the prior draws ``sc_ka`` back until the case is half its
    tolerance away, still inside it. The run record keeps the margin, and the written file
    still names the case as informing ``sc_ka`` (from the raw misses, not the dead zone).
    """
    import somatosim.calibration.fit as fit

    def misses(cases: object, params: object) -> np.ndarray:
        return np.array([(float(params["sc_ka"]) - 0.6) / 0.2])  # type: ignore[index]

    monkeypatch.setattr(fit, "case_residuals", misses)
    cases = [get_case("8.4-cmax")]
    kw: dict[str, Any] = dict(n_starts=1, max_nfev=30, keep_passes=False)
    centred = calibrate(cases, ("sc_ka",), **kw)
    assert centred.params["sc_ka"] > 0.55
    edge = calibrate(cases, ("sc_ka",), case_margin=0.5, out=tmp_path / "m.json", **kw)
    assert 0.45 < edge.params["sc_ka"] < 0.51 and edge.passed == 1
    run = json.loads((tmp_path / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["case_margin"] == 0.5
    written = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert written["sc_ka"]["cases"] == ["8.4-cmax"]
    with pytest.raises(InputError, match=r"case margin = 1\.0"):
        calibrate(cases, ("sc_ka",), case_margin=1.0, **kw)


def test_a_range_step_jacobian_sees_a_quantised_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case that moves in steps of 0.01 (like a count of pulses) wants the parameter at 0.2.

    Synthetic case miss (no simulation). scipy's default step, 2 % of the value (0.002 at
    0.101), falls inside one step of the case, so the fit sees no slope and stays; a step of
    4 % of the range (0.02) sees it, and the fit reaches 0.2.
    """
    import somatosim.calibration.fit as fit

    def misses(cases: object, params: object) -> np.ndarray:
        x = float(params["sst_age_rise_per_decade"])  # type: ignore[index]
        return np.array([(round(x, 2) - 0.2) / 0.1])

    monkeypatch.setattr(fit, "case_residuals", misses)
    kw: dict[str, Any] = dict(
        n_starts=1,
        max_nfev=20,
        keep_passes=False,
        prior_weight=0.0,
        start=default_parameters().replace(sst_age_rise_per_decade=0.101),
    )
    cases, free = [get_case("8.4-cmax")], ("sst_age_rise_per_decade",)
    assert calibrate(cases, free, **kw).params["sst_age_rise_per_decade"] == 0.101
    moved = calibrate(cases, free, fd_step=0.04, **kw).params["sst_age_rise_per_decade"]
    assert moved == pytest.approx(0.2, abs=0.01)
    with pytest.raises(InputError, match=r"finite-difference step = 0\.5"):
        calibrate(cases, free, fd_step=0.5, **kw)


def test_a_budget_stops_the_fit_and_keeps_its_best_evaluated_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one case wants ``sc_ka`` at 0.6 ± 0.2 (synthetic miss, no simulation).

    With a budget of 6 evaluations the fit stops after its first steps: exactly 6
    evaluations, the written set is the lowest-cost one it evaluated (on the way from the
    start to 0.6), the record says the budget stopped it, the informing case comes from the
    last Jacobian, and a rerun writes the same bytes. With no budget the same run reaches 0.6.
    """
    import somatosim.calibration.fit as fit

    def misses(cases: object, params: object) -> np.ndarray:
        return np.array([(float(params["sc_ka"]) - 0.6) / 0.2])  # type: ignore[index]

    monkeypatch.setattr(fit, "case_residuals", misses)
    cases = [get_case("8.4-cmax")]
    kw: dict[str, Any] = dict(n_starts=2, max_nfev=30, keep_passes=False, prior_weight=0.0)
    start = literature_parameters()["sc_ka"]
    full = calibrate(cases, ("sc_ka",), **kw)
    assert full.params["sc_ka"] == pytest.approx(0.6, abs=0.01) and full.evaluations > 6
    assert [s["stopped_by"] for s in full.starts] == ["fit", "fit"]
    cut = calibrate(cases, ("sc_ka",), budget=6, out=tmp_path / "a" / "c.json", **kw)
    assert cut.evaluations == 6 and len(cut.starts) == 1
    assert cut.starts[0]["stopped_by"] == "budget"
    assert abs(cut.params["sc_ka"] - 0.6) < abs(start - 0.6)
    run = json.loads((tmp_path / "a" / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["budget"] == 6 and run["evaluations"] == 6
    written = json.loads((tmp_path / "a" / "c.json").read_text(encoding="utf-8"))
    assert written["sc_ka"]["cases"] == ["8.4-cmax"]
    calibrate(cases, ("sc_ka",), budget=6, out=tmp_path / "b" / "c.json", **kw)
    assert (tmp_path / "b" / "c.json").read_bytes() == (tmp_path / "a" / "c.json").read_bytes()
    with pytest.raises(InputError, match=r"--budget = 1 "):
        calibrate(cases, ("sc_ka",), budget=1, **kw)


def test_the_evolution_strategy_crosses_a_rough_objective_that_stalls_least_squares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two synthetic cases (no simulation) count in steps of 0.01 and wiggle at a fine scale.

    Like the real cases, which count discrete events on simulated series, the misses are
    rough at small scales: the trust-region fit from the literature values stalls with a
    case failing, while CMA-ES, sampling at 5 % of the ranges, brings both within
    tolerance. The ES run is reproducible byte for byte, records its method, stays within
    its evaluations (plus one Jacobian for the informing cases) and names those cases.
    """
    import somatosim.calibration.fit as fit

    def misses(cases: object, params: object) -> np.ndarray:
        a = float(params["sc_ka"])  # type: ignore[index]
        b = float(params["sst_age_rise_per_decade"])  # type: ignore[index]
        return np.array(
            [
                (round(a, 2) - 0.6) / 0.2 + 0.3 * np.sin(4000 * a),
                (round(b, 2) - 0.2) / 0.1 + 0.3 * np.sin(3000 * b),
            ]
        )

    monkeypatch.setattr(fit, "case_residuals", misses)
    cases = [get_case("8.4-cmax"), get_case("8.4-tmax")]
    free = ("sc_ka", "sst_age_rise_per_decade")
    kw: dict[str, Any] = dict(n_starts=1, max_nfev=60, keep_passes=False, prior_weight=0.0)
    stalled = calibrate(cases, free, **kw)
    es = calibrate(cases, free, method="cmaes", out=tmp_path / "a" / "c.json", **kw)
    assert stalled.passed < es.passed == 2 and es.cost < stalled.cost / 10
    assert es.evaluations <= 1 + 60 + len(free)
    run = json.loads((tmp_path / "a" / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["method"] == "cmaes" and run["es_step"] == 0.05
    written = json.loads((tmp_path / "a" / "c.json").read_text(encoding="utf-8"))
    assert written["sc_ka"]["cases"] == ["8.4-cmax"]
    assert written["sst_age_rise_per_decade"]["cases"] == ["8.4-tmax"]
    calibrate(cases, free, method="cmaes", out=tmp_path / "b" / "c.json", **kw)
    assert (tmp_path / "b" / "c.json").read_bytes() == (tmp_path / "a" / "c.json").read_bytes()
    # one wide generation from a start that passes both: no sample beats it, so it is kept
    at = es.params.replace(sc_ka=0.6, sst_age_rise_per_decade=0.2)
    one = dict(kw, max_nfev=6, start=at)
    kept = calibrate(cases, free, method="cmaes", es_step=0.5, **one)
    assert kept.params == at and kept.evaluations == 1 + 6 + len(free)
    cut = calibrate(cases, free, method="cmaes", budget=20, **kw)
    assert cut.evaluations == 20 + len(free) and cut.starts[0]["stopped_by"] == "budget"
    with pytest.raises(InputError, match=r"method = 'newton'"):
        calibrate(cases, free, method="newton", **kw)


def test_cli_records_the_search_options_and_refuses_an_unknown_method(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import somatosim.calibration.fit as fit

    def misses(cases: Any, params: Any) -> np.ndarray:
        return np.full(len(cases), (float(params["sc_ka"]) - 0.6) / 0.2)

    monkeypatch.setattr(fit, "case_residuals", misses)
    out = tmp_path / "c.json"
    args = ["calibrate", "--free", "sc_ka", "--starts", "1", "--max-evals", "12", "--out"]
    with pytest.raises(SystemExit) as done:
        main([*args, str(out), "--method", "cmaes", "--es-step", "0.1", "--budget", "9"])
    assert done.value.code == 0
    run = json.loads((tmp_path / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["command"].endswith("--budget 9 --method cmaes --es-step 0.1")
    assert run["budget"] == 9 and run["evaluations"] == 9 + 1  # the informing Jacobian
    bad = tmp_path / "bad.json"
    with pytest.raises(SystemExit) as exc:
        main([*args, str(bad), "--method", "newton"])
    err = capsys.readouterr().err
    assert exc.value.code != 0 and "method = 'newton'" in err and "Traceback" not in err
    assert not bad.exists()


def test_workers_evaluate_in_parallel_and_write_the_same_file(tmp_path: Path) -> None:
    """Two Dask workers evaluate the ES's generations (cut by the budget mid-generation) and
    the columns of a ``fd_step`` Jacobian; every evaluation is booked in the serial order, so
    the written file is byte for byte that of the serial run, as is the evaluation count."""
    cases = [get_case(c) for c in _PK_CASES]
    free = ("sc_ka", "sc_bioavailability")
    start = default_parameters().replace(sc_ka=0.5, sc_bioavailability=0.9)
    runs: list[dict[str, Any]] = [
        dict(method="cmaes", max_nfev=40, budget=11),
        dict(fd_step=0.02, max_nfev=2),
    ]
    for k, kw in enumerate(runs):
        written: list[tuple[bytes, int, float]] = []
        said: list[str] = []
        for workers in (1, 2):
            out = tmp_path / f"{k}-{workers}" / "c.json"
            res = calibrate(
                cases,
                free,
                n_starts=1,
                start=start,
                workers=workers,
                out=out,
                **kw,
                progress=said.append,
            )
            written.append((out.read_bytes(), res.evaluations, res.cost))
        assert written[0] == written[1]
        assert "evaluating on 2 worker processes" in said
        assert res.cost < res.cost_initial
    run = json.loads((tmp_path / "0-2" / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["workers"] == 2 and run["fits"][0]["stopped_by"] == "budget"
    with pytest.raises(InputError, match="workers = 0"):
        calibrate(cases, free, workers=0)
