"""IGF-1 reference model and SDS (M13; published_results.md rows 1.4-1.5, unit notes)."""

from __future__ import annotations

import dataclasses
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtri

import somatosim.clinical as clinical
from somatosim.clinical import (
    DEFAULT_REFERENCE_NAME,
    IGF1_NG_ML_PER_NMOL_L,
    IGF1Reference,
    LMSCurve,
    default_reference,
    igf1_sds,
    load_reference,
    to_ng_ml,
)
from somatosim.errors import InputError

Z975 = float(ndtri(0.975))


def _life_rows() -> list[tuple[str, float, float, float, float]]:
    text = resources.files("somatosim").joinpath("data/igf1_reference_life.csv").read_text()
    rows = []
    for line in text.splitlines():
        if line.startswith(("#", "sex")) or not line.strip():
            continue
        sex, age, lo, mid, hi = line.split(",")
        rows.append((sex, float(age), float(lo), float(mid), float(hi)))
    return rows


LIFE = _life_rows()


def _write(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _lms_value(L: float, M: float, S: float, z: float) -> float:
    return float(M * (1 + L * S * z) ** (1 / L))


# --- the shipped data and the default reference ---------------------------------------------
def test_shipped_table_has_source_header_and_all_rows() -> None:
    text = resources.files("somatosim").joinpath("data/igf1_reference_life.csv").read_text()
    assert text.startswith("# Serum total IGF-1")
    assert "Hoerenz" in text
    assert len(LIFE) == 14
    assert {r[0] for r in LIFE} == {"male", "female"}
    assert sorted({r[1] for r in LIFE}) == [20, 30, 40, 50, 60, 70, 80]


def test_default_reference_is_named_and_cached() -> None:
    ref = default_reference()
    assert ref is default_reference()
    assert ref.name == DEFAULT_REFERENCE_NAME
    assert "LIFE" in ref.name and "somatosim" in ref.name
    assert "Hoerenz" in ref.source
    assert "PCHIP" in ref.method and "20-80 y" in ref.method
    assert ref.age_range_years == (20.0, 80.0)


@pytest.mark.parametrize(("sex", "age", "p2_5", "p50", "p97_5"), LIFE)
def test_published_percentiles_round_trip(
    sex: str, age: float, p2_5: float, p50: float, p97_5: float
) -> None:
    z = default_reference().sds(np.array([p2_5, p50, p97_5]), age, sex)
    assert np.all(np.abs(z - np.array([-Z975, 0.0, Z975])) < 0.05)
    assert default_reference().percentile(p50, age, sex) == pytest.approx(50.0, abs=0.5)
    assert default_reference().centile(97.5, age, sex) == pytest.approx(p97_5, rel=0.005)


def test_value_for_sds_inverts_sds_between_and_beyond_knots() -> None:
    ref = default_reference()
    ages = np.array([18.0, 24.0, 37.5, 55.0, 66.0, 79.0, 95.0])
    for sex in ("male", "female"):
        values = np.array([60.0, 90.0, 140.0, 200.0, 250.0, 300.0, 400.0])
        z = ref.sds(values, ages, sex)
        back = ref.value_for_sds(z, ages, sex)
        np.testing.assert_allclose(back, values, rtol=1e-10)


def test_median_declines_smoothly_with_age_without_overshoot() -> None:
    # LIFE medians fall at every step (rows 1.4-1.5); PCHIP keeps that monotone in between.
    ref = default_reference()
    grid = np.linspace(20.0, 80.0, 241)
    for sex in ("male", "female"):
        _, M, _ = ref.lms(grid, sex)
        assert np.all(np.diff(M) < 0)
        assert M[0] == pytest.approx(238 if sex == "male" else 237)
        assert M[-1] == pytest.approx(98 if sex == "male" else 91)


def test_flat_extrapolation_outside_tabulated_ages() -> None:
    ref = default_reference()
    assert ref.sds(150.0, 18, "male") == pytest.approx(ref.sds(150.0, 20, "male"), abs=1e-12)
    assert ref.sds(150.0, 100, "female") == pytest.approx(ref.sds(150.0, 80, "female"), abs=1e-12)
    assert ref.sds(150.0, 19, "male") != ref.sds(150.0, 21, "male")


def test_sds_is_vectorised_and_matches_scalar_calls() -> None:
    ref = default_reference()
    values = np.array([80.0, 150.0, 260.0])
    ages = np.array([25.0, 52.0, 71.0])
    sexes = ["male", "female", "female"]
    got = ref.sds(values, ages, sexes)
    assert isinstance(got, np.ndarray) and got.shape == (3,)
    expected = [ref.sds(float(v), float(a), s) for v, a, s in zip(values, ages, sexes)]
    assert all(isinstance(e, float) for e in expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    grid = ref.sds(np.array([[100.0], [200.0]]), np.array([30.0, 60.0]), "male")
    assert grid.shape == (2, 2)
    assert grid[1, 0] > grid[0, 0]


def test_sds_increases_with_igf1_and_older_people_score_higher() -> None:
    ref = default_reference()
    z = ref.sds(np.linspace(40.0, 450.0, 50), 45, "female")
    assert np.all(np.diff(z) > 0)
    assert ref.sds(150.0, 75, "male") > ref.sds(150.0, 25, "male") + 1.0


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"igf1_ng_ml": 150.0, "age_years": 17.0, "sex": "male"}, ["age_years", "17", "18-100"]),
        ({"igf1_ng_ml": 150.0, "age_years": 101.0, "sex": "male"}, ["age_years", "101"]),
        ({"igf1_ng_ml": 150.0, "age_years": math.nan, "sex": "male"}, ["age_years", "18-100"]),
        ({"igf1_ng_ml": 150.0, "age_years": 40.0, "sex": "x"}, ["sex", "'x'", "male, female"]),
        ({"igf1_ng_ml": 0.0, "age_years": 40.0, "sex": "male"}, ["igf1_ng_ml", "> 0"]),
        ({"igf1_ng_ml": -3.0, "age_years": 40.0, "sex": "female"}, ["igf1_ng_ml", "-3"]),
        (
            {"igf1_ng_ml": [150.0, 160.0], "age_years": [40.0, 50.0, 60.0], "sex": "male"},
            ["broadcast"],
        ),
    ],
)
def test_bad_inputs_name_field_value_and_range(kwargs: dict[str, object], words: list[str]) -> None:
    with pytest.raises(InputError) as info:
        default_reference().sds(**kwargs)  # type: ignore[call-overload]
    for word in words:
        assert word in str(info.value)


def test_sex_is_case_insensitive_and_array_ages_are_checked() -> None:
    ref = default_reference()
    assert ref.sds(150.0, 40, " Female ") == ref.sds(150.0, 40, "female")
    with pytest.raises(InputError, match="age_years = 12"):
        ref.sds(150.0, np.array([40.0, 12.0]), "male")


def test_value_for_sds_and_centile_reject_unrepresentable_targets() -> None:
    ref = default_reference()
    # Female 20 y: L ~ 0.88, S ~ 0.26, so Box-Cox cannot represent z below about -4.3.
    with pytest.raises(InputError, match="below the range"):
        ref.value_for_sds(-5.0, 20, "female")
    assert ref.value_for_sds(-3.0, 20, "female") > 0
    for p in (0.0, 100.0, -1.0, math.nan):
        with pytest.raises(InputError, match="0 < p < 100"):
            ref.centile(p, 40, "male")
    with pytest.raises(InputError, match="finite"):
        ref.value_for_sds(math.inf, 40, "male")


# --- units and igf1_sds ---------------------------------------------------------------------
def test_unit_conversion_follows_published_unit_note() -> None:
    # published_results.md unit notes: 1 ng/mL = 0.131 nmol/L (3 significant figures, so the
    # factor lies in 1/0.1315-1/0.1305); the molar mass of IGF-1 gives 7.649 ng/mL per nmol/L.
    assert 1 / 0.1315 < to_ng_ml(1.0, "nmol/L") < 1 / 0.1305
    assert to_ng_ml(1.0, "nmol/L") == IGF1_NG_ML_PER_NMOL_L
    assert to_ng_ml(150.0, "ng/mL") == 150.0
    assert to_ng_ml(150.0, "NG/ML") == 150.0
    np.testing.assert_allclose(to_ng_ml([10.0, 20.0], "nmol/L"), [76.49, 152.98])
    with pytest.raises(InputError, match=r"'mg/L' is not allowed; allowed: ng/mL, nmol/L"):
        to_ng_ml(1.0, "mg/L")


def test_igf1_sds_convenience() -> None:
    assert igf1_sds(174.0, 30, "male") == pytest.approx(0.0, abs=1e-9)
    nmol = 174.0 / IGF1_NG_ML_PER_NMOL_L
    assert igf1_sds(nmol, 30, "male", units="nmol/L") == pytest.approx(0.0, abs=1e-9)
    assert isinstance(igf1_sds(300.0, 30, "male"), float)
    with pytest.raises(InputError, match="allowed: ng/mL, nmol/L"):
        igf1_sds(174.0, 30, "male", units="U/mL")
    with pytest.raises(InputError, match="age_years"):
        igf1_sds(174.0, 10, "male")
    with pytest.raises(InputError, match="one measurement"):
        igf1_sds([174.0, 180.0], 30, "male")  # type: ignore[arg-type]


def test_igf1_sds_uses_the_given_reference(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "# name: assay X\nsex,age_years,L,M,S\n"
        "male,20,1,200,0.2\nmale,80,1,200,0.2\nfemale,20,1,100,0.2\nfemale,80,1,100,0.2\n",
    )
    ref = load_reference(path)
    # L = 1: z = (y/M - 1)/S, so 240 ng/mL in a man is +1 SDS exactly.
    assert igf1_sds(240.0, 50, "male", reference=ref) == pytest.approx(1.0, abs=1e-12)
    assert igf1_sds(240.0, 50, "male") != pytest.approx(1.0, abs=0.1)


# --- user tables ----------------------------------------------------------------------------
def test_load_life_csv_reproduces_default(tmp_path: Path) -> None:
    text = resources.files("somatosim").joinpath("data/igf1_reference_life.csv").read_text()
    ref = load_reference(_write(tmp_path, text, "life.csv"))
    assert ref.name == "life (percentile table, LMS fit by somatosim)"
    assert "Hoerenz" in ref.source
    values = np.array([90.0, 180.0, 270.0])
    np.testing.assert_allclose(
        ref.sds(values, 47, "female"), default_reference().sds(values, 47, "female")
    )


def test_load_percentile_table_with_extra_columns_recovers_lms(tmp_path: Path) -> None:
    L, M, S = 0.3, 150.0, 0.25
    pcts = {"p2_5": 2.5, "p10": 10.0, "p50": 50.0, "p90": 90.0, "p97_5": 97.5}
    lines = [
        "# name: Lab Y IGF-1 (assay Z)",
        "# source: in-house, 2024",
        "sex,age_years," + ",".join(pcts),
    ]
    for sex in ("male", "female"):
        for age, m in ((20, M), (60, M * 0.6)):
            vals = [_lms_value(L, m, S, float(ndtri(p / 100))) for p in pcts.values()]
            lines.append(f"{sex},{age}," + ",".join(f"{v:.6f}" for v in vals))
    ref = load_reference(_write(tmp_path, "\n".join(lines) + "\n"))
    assert ref.name == "Lab Y IGF-1 (assay Z)"
    assert ref.source == "in-house, 2024"
    assert "least squares" in ref.method
    got = ref.lms(20, "female")
    assert got[0] == pytest.approx(L, abs=1e-4)
    assert got[1] == pytest.approx(M, rel=1e-6)
    assert got[2] == pytest.approx(S, rel=1e-5)
    assert ref.percentile(_lms_value(L, M * 0.6, S, 1.0), 60, "male") == pytest.approx(
        84.134, abs=0.01
    )


def test_load_lms_table(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "sex,age_years,L,M,S\n"
        "male,30,0.5,180,0.25\nmale,60,0.5,120,0.25\n"
        "female,60,0.0,110,0.3\nfemale,30,0.0,170,0.3\n",
        name="kit.csv",
    )
    ref = load_reference(path)
    assert ref.name == "kit (LMS table)"
    assert ref.source == str(path)
    assert ref.sds(_lms_value(0.5, 180, 0.25, 1.5), 30, "male") == pytest.approx(1.5)
    # L = 0 (log-normal): z = ln(y/M)/S; rows given out of age order are sorted.
    assert ref.sds(170 * math.exp(0.3), 30, "female") == pytest.approx(1.0)
    assert ref.curve("female").age_years == (30.0, 60.0)


GOOD_HEADER = "sex,age_years,p2_5,p50,p97_5\n"
FEMALE_ROWS = "female,20,119,237,363\nfemale,30,106,174,270\n"
GOOD_ROWS = (
    "male,20,149,238,351\nmale,30,106,174,267\nfemale,20,119,237,363\nfemale,30,106,174,270\n"
)


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("sex,age_years,p2_5,p97_5\nmale,20,149,351\n", 1, "missing column(s): p50"),
        ("sex,p2_5,p50,p97_5\nmale,149,238,351\n", 1, "missing column(s): age_years"),
        ("sex,age_years,L,M\nmale,20,0.1,200\n", 1, "missing column(s): s"),
        ("sex,age_years,p50,foo,p97_5,p2_5\n", 1, "unknown column(s): foo"),
        ("sex,age_years,p2_5,p50,p97_5,L,M,S\n", 1, "mixes percentile columns"),
        (GOOD_HEADER + "male,20,abc,238,351\n" + GOOD_ROWS, 2, "p2_5 = 'abc' is not a number"),
        (GOOD_HEADER + "male,20,149,,351\n", 2, "p50 = '' is not a number"),
        (GOOD_HEADER + "male,20,149,238,inf\n", 2, "not a finite number"),
        ("# c\n" + GOOD_HEADER + "male,20,250,238,351\n", 3, "not increasing: p2_5 = 250"),
        (GOOD_HEADER + GOOD_ROWS + "male,40,-5,151,228\n", 6, "p2_5 = -5 is negative"),
        (GOOD_HEADER + "male,-20,149,238,351\n", 2, "age_years = -20 is out of range"),
        (GOOD_HEADER + "other,20,149,238,351\n", 2, "sex 'other' is not allowed"),
        (GOOD_HEADER + GOOD_ROWS + "female,30,100,170,260\n", 6, "age 30 is duplicated for female"),
        (GOOD_HEADER + "male,20,149,238,351\n" + FEMALE_ROWS, 2, "male has 1 age(s)"),
        (GOOD_HEADER + "male,20,149,238\n", 2, "has 4 cells, the header has 5"),
        (GOOD_HEADER, 1, "no data rows"),
        ("sex,age_years,L,M,S\nmale,20,0.5,200,0\n", 2, "S = 0 must be > 0"),
        ("sex,age_years,L,M,S\nmale,20,0.5,-1,0.2\n", 2, "M = -1 must be > 0"),
    ],
)
def test_invalid_tables_raise_one_line_errors(
    tmp_path: Path, text: str, line: int, problem: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_reference(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}, line {line}: ")
    assert problem in message


def test_table_without_a_sex_or_header_or_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="female has 0 age"):
        load_reference(_write(tmp_path, GOOD_HEADER + "male,20,149,238,351\nmale,30,106,174,267\n"))
    with pytest.raises(InputError, match="no header row"):
        load_reference(_write(tmp_path, "# only a comment\n\n"))
    with pytest.raises(InputError, match="cannot read"):
        load_reference(tmp_path / "absent.csv")


# --- the model objects ----------------------------------------------------------------------
def test_reference_objects_are_frozen_and_validated() -> None:
    ref = default_reference()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ref.name = "other"  # type: ignore[misc]
    male = ref.curve("male")
    with pytest.raises(InputError, match="one LMS curve per sex"):
        IGF1Reference(name="x", source="y", curves=(male,))
    with pytest.raises(InputError, match="strictly increasing"):
        LMSCurve("male", (30.0, 20.0), (0.1, 0.1), (100.0, 90.0), (0.2, 0.2))
    with pytest.raises(InputError, match="M and S must be > 0"):
        LMSCurve("female", (20.0, 30.0), (0.1, 0.1), (100.0, 90.0), (0.2, 0.0))
    renamed = dataclasses.replace(ref, name="copy")
    assert renamed.sds(150.0, 40, "male") == ref.sds(150.0, 40, "male")


def test_clinical_package_exports_exactly_the_public_names() -> None:
    import importlib

    modules = [
        importlib.import_module(f"somatosim.clinical.{m}")
        for m in ("reference", "safety", "interpret", "pk", "stimulation", "titration")
    ]
    expected = set().union(*(set(m.__all__) for m in modules))
    assert set(clinical.__all__) == expected
    for name in clinical.__all__:
        owner = next(m for m in modules if name in m.__all__)
        assert getattr(clinical, name) is getattr(owner, name)
