"""SBML export (issue 6 point 5): validity, the formula table against ``rates()``, and
libRoadRunner on the export against the fast engine.

A drift between :data:`somatosim.interop.sbml.FORMULAS` and
:func:`somatosim.model.equations.rates` is a bug; three guards catch it: the table evaluated
in Python, roadrunner's rates of change at random states, and roadrunner's simulation of the
export compared with the fast engine (IGF-1 daily mean ≤ 0.5 %, 24-h GH area ≤ 2 %).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import libsbml
import numpy as np
import pytest

from somatosim.engine.reference import (
    _inputs_read_by_rates,
    fast_drive,
    verification_schedule,
)
from somatosim.interop import sbml as X
from somatosim.model.equations import N_AUX, rates
from somatosim.model.parameters import PARAMETER_INDEX, default_parameters
from somatosim.model.references import REFERENCES
from somatosim.model.states import (
    INPUTS,
    N_INPUTS,
    N_STATES,
    QCONST,
    STATES,
    U_ASLEEP,
    U_NREM,
    U_SST_BLOCK,
)
from somatosim.scenario.drivers import build_schedule
from somatosim.scenario.schema import Scenario

IGF1_BOUND = 0.005
GH_AREA_BOUND = 0.02
RHS_RTOL = 1e-9

YOUNG_1D: dict[str, Any] = {"name": "young adult", "days": 1, "subject": {"age_years": 25}}
SCENARIOS: dict[str, dict[str, Any]] = {
    "young-adult": {"days": 2, "subject": {"age_years": 25, "sex": "male"}},
    "ghd-somatropin": {
        "days": 2,
        "subject": {"age_years": 40, "sex": "male", "gh_reserve": 0.05},
        "therapy": [{"drug": "somatropin", "dose_mg": 0.3, "time": "21:00"}],
    },
    "challenges-exercise": {
        "days": 1,
        "subject": {"age_years": 60, "sex": "female"},
        "exercise": [{"type": "hiit", "time": "17:00", "minutes": 30}],
        "challenges": [
            {"agent": "ghrh", "time": "09:00"},
            {"agent": "arginine", "time": "12:00"},
            {"agent": "octreotide", "time": "20:00"},
        ],
    },
}
SUBJECTS: tuple[dict[str, Any], ...] = (
    {"age_years": 25, "sex": "male"},
    {"age_years": 45, "sex": "female", "weight_kg": 62},
    {"age_years": 78, "sex": "female", "estrogen": "oral"},
    {"age_years": 40, "sex": "male", "gh_reserve": 0.05, "weight_kg": 95},
)
_STATE_NAMES = tuple(s.name for s in STATES)


@pytest.fixture(scope="module")
def young_sbml() -> str:
    return X.export_sbml(YOUNG_1D, seed=1)


@pytest.fixture(scope="module")
def young_doc(young_sbml: str) -> Any:
    return libsbml.readSBMLFromString(young_sbml)


def _random_point(rng: np.random.Generator, y0: np.ndarray[Any, Any]) -> tuple[Any, Any]:
    """A state around ``y0`` (every component positive, some large) and random inputs."""
    y = y0 * np.exp(rng.normal(0.0, 1.0, N_STATES)) + rng.uniform(0.0, 3.0, N_STATES)
    u = rng.uniform(0.0, 2.0, N_INPUTS)
    u[U_ASLEEP] = float(rng.integers(0, 2))
    u[U_NREM] = float(rng.integers(0, 2)) * u[U_ASLEEP]
    u[U_SST_BLOCK] = rng.uniform(0.0, 0.9)
    return y, u


def _rel(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    scale = np.maximum(np.abs(b), 1e-300)
    return float(np.max(np.where(a == b, 0.0, np.abs(a - b) / scale)))


# ---- the formula table ---------------------------------------------------------------------------
def test_every_state_has_production_and_loss() -> None:
    targets = [row.target for row in X.FORMULAS]
    assert len(targets) == len(set(targets)), "duplicate targets in FORMULAS"
    for name in _STATE_NAMES:
        assert f"prod_{name}" in targets
        assert f"loss_{name}" in targets


def test_rows_read_only_known_or_earlier_names() -> None:
    """Rows are in evaluation order (as in rates()) and read no unknown symbol."""
    known = set(_STATE_NAMES) | set(QCONST) | set(INPUTS) | {c[0] for c in X.CONSTANTS}
    for row in X.FORMULAS:
        node = libsbml.parseL3Formula(row.math)
        assert node is not None, row.math
        unknown = X._names(node) - known
        assert not unknown, f"{row.target} reads {sorted(unknown)} before they are defined"
        known.add(row.target)


def test_rows_cite_known_references_and_units() -> None:
    for row in X.FORMULAS:
        assert row.note
        for key in row.sources:
            assert key in REFERENCES, f"{row.target}: unknown reference {key}"
        X._unit_id(row.unit)


def test_formula_inputs_are_the_inputs_rates_reads() -> None:
    read = {INPUTS[i] for i in _inputs_read_by_rates()}
    assert set(X.formula_inputs()) == read


@pytest.mark.parametrize("subject", SUBJECTS, ids=lambda s: f"{s['age_years']}-{s['sex']}")
def test_formula_table_equals_rates(subject: dict[str, Any]) -> None:
    """The table, evaluated in Python, gives rates()'s prod and loss to 1e-9 relative."""
    p = default_parameters()
    sched = build_schedule(Scenario.model_validate({"days": 1, "subject": subject}), p, 3)
    rng = np.random.default_rng(2024)
    prod = np.zeros(N_STATES)
    loss = np.zeros(N_STATES)
    aux = np.zeros(N_AUX)
    worst = 0.0
    for _ in range(150):
        y, u = _random_point(rng, sched.y0)
        rates(y, sched.q, u, prod, loss, aux)
        p_tab, l_tab, values = X.formula_rates(y, sched.q, u)
        worst = max(worst, _rel(p_tab, prod), _rel(l_tab, loss))
        assert math.isclose(values["free_igf"], aux[3], rel_tol=RHS_RTOL)
    assert worst < RHS_RTOL


def test_formula_table_covers_the_branches() -> None:
    """Sleep-pressure switch, clamps of the SWS depth and the max() of ghrelin and strain."""
    p = default_parameters()
    sched = build_schedule(Scenario.model_validate({"days": 1}), p, 1)
    prod = np.zeros(N_STATES)
    loss = np.zeros(N_STATES)
    aux = np.zeros(N_AUX)
    names = {n: i for i, n in enumerate(_STATE_NAMES)}
    for sp in (0.0, 0.3, 0.5, 0.9):
        for ghrelin in (0.5, 1.0, 2.5):
            for asleep in (0.0, 1.0):
                y = sched.y0.copy()
                y[names["sleep_pressure"]] = sp
                y[names["ghrelin"]] = ghrelin
                y[names["fatigue_aerobic"]] = 10.0 * sp
                y[names["fitness_aerobic"]] = 5.0
                u = np.zeros(N_INPUTS)
                u[U_ASLEEP] = asleep
                u[U_NREM] = asleep
                u[INPUTS.index("nutrition_target")] = 1.0
                u[INPUTS.index("micronutrient_factor")] = 1.0
                u[INPUTS.index("hepatic_factor")] = 1.0
                u[INPUTS.index("protein_availability")] = 1.0
                u[INPUTS.index("igfbp3_factor")] = 1.0
                rates(y, sched.q, u, prod, loss, aux)
                p_tab, l_tab, _ = X.formula_rates(y, sched.q, u)
                assert _rel(p_tab, prod) < RHS_RTOL
                assert _rel(l_tab, loss) < RHS_RTOL


# ---- provenance and units of the subject constants --------------------------------------------
def test_every_subject_constant_has_sources_and_a_unit() -> None:
    sources = X.qconst_sources()
    assert set(sources) == set(QCONST)
    for name in QCONST:
        assert sources[name], f"{name}: no parameter-table row found in individualize()"
        for row in sources[name]:
            assert row in PARAMETER_INDEX
        X._unit_id(X.qconst_unit(name))
    # the non-saturable elimination rate: half-life at a pulse concentration, less the
    # saturable route there (through gh_halflife_minutes and gh_saturable_factor)
    assert sources["k_gh"] == ("gh_clearance_km", "gh_clearance_sat_ratio", "gh_halflife_min")
    assert "pool_capacity" in sources["capacity"]
    assert sources["hep_ref"] == ("gh_ec50",)  # through reference_hepatic_signal(p)


# ---- the document ---------------------------------------------------------------------------------
def test_export_is_valid_sbml_level3(young_doc: Any) -> None:
    assert young_doc.getLevel() == 3
    assert young_doc.getNumErrors() == 0
    n_fail = young_doc.checkConsistency()
    log = young_doc.getErrorLog()
    errors = [
        log.getError(i).getMessage()
        for i in range(log.getNumErrors())
        if log.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR
    ]
    assert not errors, errors[:3]
    # units are declared and consistent, so there are not even warnings
    assert n_fail == 0, [log.getError(i).getShortMessage() for i in range(log.getNumErrors())]


def test_export_structure(young_doc: Any) -> None:
    m = young_doc.getModel()
    assert m.getTimeUnits() == "hour"
    assert m.getNumRules() == len(X.FORMULAS) + N_STATES
    for name in _STATE_NAMES:
        rule = m.getRateRuleByVariable(name)
        assert rule is not None
        assert libsbml.formulaToL3String(rule.getMath()) == f"prod_{name} - loss_{name} * {name}"
    for row in X.FORMULAS:
        assert m.getAssignmentRuleByVariable(row.target) is not None
    for name in QCONST:
        par = m.getParameter(name)
        assert par is not None and par.getConstant()
        assert (par.isSetUnits() and m.getUnitDefinition(par.getUnits()) is not None) or (
            par.getUnits() in {"dimensionless", "litre"}
        )
        assert "[" in par.getNotesString()  # a citation


def test_parameters_carry_units_ranges_and_sources(young_doc: Any) -> None:
    m = young_doc.getModel()
    par = m.getParameter("k_sst")
    assert par.getUnits() == "per_hour"
    ann = par.getAnnotationString()
    assert 'table_rows="k_sst"' in ann and 'lower="5"' in ann and 'upper="60"' in ann
    assert "Farhy2007" in ann and "Farhy LS" in par.getNotesString()
    assert any(
        "identifiers.org/doi:10.1152/ajpregu.00584.2006" in par.getCVTerm(i).getResourceURI(j)
        for i in range(par.getNumCVTerms())
        for j in range(par.getCVTerm(i).getNumResources())
    )
    # a derived constant names the table rows it comes from
    k_gh = m.getParameter("k_gh")
    assert "gh_halflife_min" in k_gh.getAnnotationString()
    ud = m.getUnitDefinition("ng_per_mL")
    assert ud is not None and ud.getNumUnits() == 2


def test_subject_constants_and_initial_state_come_from_the_schedule(young_doc: Any) -> None:
    p = default_parameters()
    sched = verification_schedule(build_schedule(Scenario.model_validate(YOUNG_1D), p, 1))
    m = young_doc.getModel()
    # libsbml writes doubles with 15 significant digits
    for i, name in enumerate(QCONST):
        assert math.isclose(m.getParameter(name).getValue(), sched.q[i], rel_tol=1e-14)
    _run, drive = fast_drive(sched, p, record_timeseries=False)
    first_volley = int(drive.minute[0]) if len(drive.minute) else -1
    for i, name in enumerate(_STATE_NAMES):
        if name == "ghrh" and first_volley == 0:
            continue
        assert math.isclose(m.getParameter(name).getValue(), sched.y0[i], rel_tol=1e-14)


def test_events_replay_the_drive_meals_and_doses() -> None:
    sc = Scenario.model_validate(SCENARIOS["ghd-somatropin"])
    p = default_parameters()
    sched = verification_schedule(build_schedule(sc, p, 5))
    _run, drive = fast_drive(sched, p, record_timeseries=False)
    doc = libsbml.readSBMLFromString(X.schedule_to_sbml(sched, drive, p, name=sc.name))
    m = doc.getModel()
    volley, meal, dose = [], [], []
    for i in range(m.getNumEvents()):
        ev = m.getEvent(i)
        trig = libsbml.formulaToL3String(ev.getTrigger().getMath())
        t_h = float(re.search(r">= ([0-9.e+-]+)", trig).group(1))  # type: ignore[union-attr]
        for j in range(ev.getNumEventAssignments()):
            ea = ev.getEventAssignment(j)
            text = libsbml.formulaToL3String(ea.getMath())
            if ea.getVariable() == "ghrh":
                volley.append((round(t_h * 60), float(text.split("+")[1].split()[0])))
            elif ea.getVariable() == "ghrelin":
                meal.append(round(t_h * 60))
            elif ea.getVariable() == "sc_depot":
                dose.append((round(t_h * 60), float(text.split("+")[1].split()[0])))
    expected = [(int(k), float(a)) for k, a in zip(drive.minute, drive.amplitude) if k > 0]
    assert [k for k, _ in volley] == [k for k, _ in expected]
    np.testing.assert_allclose([a for _, a in volley], [a for _, a in expected], rtol=1e-14)
    assert meal == [int(k) for k in sched.meal_t if 0 < k < sched.total_minutes]
    assert [k for k, _ in dose] == [int(k) for k in sched.dose_t]
    np.testing.assert_allclose([a for _, a in dose], sched.dose_ug, rtol=1e-14)
    assert len(dose) == sc.days


def test_write_sbml_is_atomic_and_reads_back(tmp_path: Path) -> None:
    out = X.write_sbml(tmp_path / "sub" / "model.xml", YOUNG_1D, seed=2)
    assert out.exists()
    assert [p.name for p in out.parent.iterdir()] == ["model.xml"]  # no temporary left
    doc = libsbml.readSBMLFromFile(str(out))
    assert doc.getNumErrors() == 0
    assert doc.getModel().getId() == "somatosim_young_adult"
    with pytest.raises(X.InputError, match="is a directory"):
        X.write_sbml(tmp_path, YOUNG_1D)


def test_same_seed_same_document() -> None:
    assert X.export_sbml(YOUNG_1D, seed=4) == X.export_sbml(YOUNG_1D, seed=4)
    assert X.export_sbml(YOUNG_1D, seed=4) != X.export_sbml(YOUNG_1D, seed=5)


# ---- libRoadRunner ----------------------------------------------------------------------------------
def test_roadrunner_rates_of_change_equal_rates(young_sbml: str) -> None:
    """roadrunner evaluates the export's rate rules as rates() at random states and inputs."""
    import roadrunner  # noqa: F401

    p = default_parameters()
    sched = verification_schedule(build_schedule(Scenario.model_validate(YOUNG_1D), p, 1))
    rr = X.load_roadrunner(young_sbml, 1e-8, 1e-10)
    ids = [c.rstrip("'") for c in rr.getRatesOfChangeNamedArray().colnames]
    order = [_STATE_NAMES.index(i) for i in ids]
    used = X.formula_inputs()
    rng = np.random.default_rng(7)
    prod = np.zeros(N_STATES)
    loss = np.zeros(N_STATES)
    aux = np.zeros(N_AUX)
    worst = 0.0
    for _ in range(25):
        y, u = _random_point(rng, sched.y0)
        for i, name in enumerate(_STATE_NAMES):
            rr.setValue(name, float(y[i]))
        for name in used:
            rr.setValue(name, float(u[INPUTS.index(name)]))
        rates(y, sched.q, u, prod, loss, aux)
        expected = (prod - loss * y)[order]
        got = np.asarray(rr.getRatesOfChange(), dtype=np.float64)
        # dy/dt = prod - loss*y cancels; compare against the size of the terms
        scale = np.maximum(np.abs(prod) + np.abs(loss * y), 1e-300)[order]
        worst = max(worst, float(np.max(np.abs(got - expected) / scale)))
    assert worst < RHS_RTOL


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_roadrunner_matches_the_fast_engine(name: str) -> None:
    import roadrunner  # noqa: F401

    cmp = X.compare_roadrunner(SCENARIOS[name], seed=11)
    assert cmp.igf1_mean_roadrunner.shape == cmp.igf1_mean_fast.shape
    assert np.all(cmp.gh_area_roadrunner > 0)
    assert cmp.max_igf1_mean_rel_diff < IGF1_BOUND, cmp.igf1_mean_rel_diff
    assert cmp.max_gh_area_rel_diff < GH_AREA_BOUND, cmp.gh_area_rel_diff
    # the warm-up days (integrated by both from the same initial state) agree as well
    assert float(np.max(cmp.igf1_mean_rel_diff)) < IGF1_BOUND
    assert float(np.max(cmp.gh_area_rel_diff)) < GH_AREA_BOUND


def test_roadrunner_matches_the_fast_engine_over_two_weeks() -> None:
    """Training, long-acting GH and a fasting phase over 14 days (a few seconds)."""
    import roadrunner  # noqa: F401

    scenario = {
        "days": 14,
        "subject": {"age_years": 55, "sex": "female", "gh_reserve": 0.3},
        "exercise": [
            {"type": "resistance", "days": ["mon", "wed", "fri"], "intensity": "high"},
            {"type": "aerobic", "days": ["tue", "sat"], "time": "07:00", "minutes": 45},
        ],
        "therapy": [{"drug": "somapacitan", "dose_mg": 2.0, "every_days": 7, "time": "09:00"}],
        "phases": [
            {
                "start_day": 5,
                "end_day": 7,
                "diet": {"energy_kcal_per_day": 0, "protein_g_per_kg": 0},
            }
        ],
    }
    cmp = X.compare_roadrunner(scenario, seed=3)
    assert cmp.max_igf1_mean_rel_diff < IGF1_BOUND, cmp.igf1_mean_rel_diff
    assert cmp.max_gh_area_rel_diff < GH_AREA_BOUND, cmp.gh_area_rel_diff


# ---- CLI --------------------------------------------------------------------------------------------
def test_cli_exports_a_preset_and_a_file(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from somatosim.cli_sbml import export_sbml_command

    app = typer.Typer()
    app.command()(export_sbml_command)
    runner = CliRunner()
    out = tmp_path / "m.xml"
    res = runner.invoke(app, ["--out", str(out), "--scenario", "demo", "--seed", "3"])
    assert res.exit_code == 0, res.output
    assert "seed 3" in res.output and out.exists()
    spec = tmp_path / "s.yaml"
    spec.write_text("name: one-day\ndays: 1\nsubject: {age_years: 30}\n", encoding="utf-8")
    res = runner.invoke(app, ["--out", str(tmp_path / "f.xml"), "--scenario", str(spec)])
    assert res.exit_code == 0, res.output
    doc = libsbml.readSBMLFromFile(str(tmp_path / "f.xml"))
    assert doc.getModel().getId() == "somatosim_one_day"
    res = runner.invoke(app, ["--out", str(out), "--scenario", "no-such-preset"])
    assert res.exit_code == 2
    assert "neither a scenario file nor a preset" in res.output
