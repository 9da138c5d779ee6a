"""Behaviour constraints in the calibration objective (issue 3 point 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from somatosim.calibration.cases import get_case
from somatosim.calibration.constraints import CONSTRAINTS, Constraint, constraint_residuals
from somatosim.calibration.fit import RUN_RECORD_FILE, calibrate
from somatosim.model.parameters import ParameterSet, default_parameters

ROOT = Path(__file__).resolve().parents[2]


def _sc_ka(params: ParameterSet | None) -> float:
    return (params or default_parameters())["sc_ka"]


def _at_least(bound: float, margin: float = 0.02) -> Constraint:
    return Constraint("sc-ka", "sc_ka above a bound", "none", _sc_ka, bound, margin=margin)


@pytest.mark.parametrize(
    ("value", "residual"),
    [(0.60, 0.0), (0.47, 0.0), (0.46, -0.5), (0.45, -1.0), (0.43, -2.0)],
)
def test_residual_is_zero_inside_the_margin_one_at_the_bound_and_grows_past_it(
    value: float, residual: float
) -> None:
    c = _at_least(0.45)
    assert c.residual(value) == pytest.approx(residual)
    assert c.met(value) == (value > 0.45)


def test_two_sided_constraint_and_failed_measurement() -> None:
    c = Constraint("share", "0.5-0.8", "none", lambda p: 0.0, lower=0.5, upper=0.8)
    assert c.residual(0.65) == 0.0
    assert c.residual(0.79) == pytest.approx(0.5)
    assert c.residual(0.51) == pytest.approx(-0.5)
    assert c.residual(0.85) > 1 and not c.met(0.85)
    assert c.residual(math.nan) == math.inf and not c.met(math.nan)


def test_each_constraint_names_a_test_that_exists() -> None:
    assert len({c.id for c in CONSTRAINTS}) == len(CONSTRAINTS)
    for c in CONSTRAINTS:
        path, name = c.test.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), c.test
        assert c.lower < c.upper and c.margin > 0


def test_shipped_model_meets_every_constraint() -> None:
    values, residuals = constraint_residuals(CONSTRAINTS)
    assert all(c.met(v) for c, v in zip(CONSTRAINTS, values, strict=True))
    assert np.all(np.abs(residuals) <= 1.0)


def test_a_constraint_pulls_the_fit_back_inside_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one case wants ``sc_ka`` at 0.3; the constraint holds it above 0.45.

    Synthetic case miss (no simulation); the start, 0.4, breaks the constraint. Without the
    constraint the fit goes to the case; with it, it stops just inside the bound, and the
    run record says so.
    """
    import somatosim.calibration.fit as fit

    def misses(cases: object, params: object) -> np.ndarray:
        return np.array([(float(params["sc_ka"]) - 0.3) / 0.1])  # type: ignore[index]

    monkeypatch.setattr(fit, "case_residuals", misses)
    cases = [get_case("8.4-cmax")]
    start = default_parameters().replace(sc_ka=0.4)
    kw: dict[str, Any] = dict(
        n_starts=1, max_nfev=20, prior_weight=0.0, start=start, keep_passes=False
    )
    free = calibrate(cases, ("sc_ka",), **kw)
    assert free.params["sc_ka"] < 0.35
    held = calibrate(
        cases, ("sc_ka",), constraints=(_at_least(0.45),), out=tmp_path / "c.json", **kw
    )
    assert 0.45 < held.params["sc_ka"] < 0.5
    assert held.constraints_met_initial == 0 and held.constraints_met == 1
    run = json.loads((tmp_path / RUN_RECORD_FILE).read_text(encoding="utf-8"))
    assert run["constraints"] == ["sc-ka"] and run["constraints_met"] == 1
    assert run["constraint_values"]["sc-ka"] == {"value": held.params["sc_ka"], "met": True}
    assert run["constraint_values_initial"]["sc-ka"] == {"value": 0.4, "met": False}


def test_the_guard_keeps_the_constraints_the_start_met(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fit that trades a met constraint for a lower cost is not written (guard on).

    The case passes everywhere; a heavy prior pulls ``sc_ka`` to its literature value (0.33),
    past a weak constraint (wide margin) that the start, 0.6, meets.
    """
    import somatosim.calibration.fit as fit

    def misses(cases: object, params: object) -> np.ndarray:
        return np.array([(float(params["sc_ka"]) - 0.4) / 1.0])  # type: ignore[index]

    monkeypatch.setattr(fit, "case_residuals", misses)
    cases = [get_case("8.4-cmax")]
    start = default_parameters().replace(sc_ka=0.6)
    weak = _at_least(0.45, margin=0.3)
    kw: dict[str, Any] = dict(n_starts=1, max_nfev=20, prior_weight=20.0, start=start)
    loose = calibrate(cases, ("sc_ka",), constraints=(weak,), keep_passes=False, **kw)
    assert loose.constraints_met == 0
    kept = calibrate(cases, ("sc_ka",), constraints=(weak,), **kw)
    assert kept.guard_used and kept.constraints_met == 1 and kept.params["sc_ka"] > 0.45


def test_validation_report_lists_each_constraint_with_its_verdict(tmp_path: Path) -> None:
    from somatosim.calibration.validate import run_validation, write_report

    met, broken = _at_least(0.1), _at_least(0.9)  # the shipped sc_ka lies between
    report = run_validation([get_case("8.4-cmax")], constraints=(met, broken))
    paths = write_report(report, tmp_path, figures=False)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    sc_ka = default_parameters()["sc_ka"]
    assert [(c["lower"], c["upper"], c["model"], c["met"]) for c in data["constraints"]] == [
        (0.1, None, sc_ka, True),
        (0.9, None, sc_ka, False),
    ]
    page = paths["html"].read_text(encoding="utf-8")
    assert "1 of 2 met" in page and "above 0.9" in page
    assert page.count("class='off'") == 1
