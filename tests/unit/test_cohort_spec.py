"""Cohort spec: YAML loading, validation messages, arm resolution and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from somatosim.cohort.spec import apply_overrides, load_spec, resolve_arms
from somatosim.errors import InputError
from somatosim.scenario.presets import get_preset
from somatosim.scenario.schema import Scenario


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_spec_with_preset_file_and_inline_arms(tmp_path: Path) -> None:
    (tmp_path / "sc").mkdir()
    write(tmp_path / "sc" / "older.yaml", "days: 9\nsubject: {age_years: 70}\n")
    spec_file = write(
        tmp_path / "spec.yaml",
        """
name: trial
seed: 4
days: 6
chunk_size: 50
population: {sampler: {n: 120, age_range: [30, 50], sexes: [female]}}
arms:
  - {name: control}
  - {name: preset, scenario: young-man}
  - {name: file, scenario: sc/older.yaml}
  - name: inline
    scenario: {sleep: {bedtime: "00:30", hours: 6}}
    overrides: {diet: {protein_g_per_kg: 0.7}}
trajectories: {every_hours: 2, variables: [gh, igf1_total]}
""",
    )
    spec = load_spec(spec_file)
    assert spec.population.sampler is not None
    assert spec.population.sampler.sexes == ("female",)
    assert spec.base_dir == str(tmp_path.resolve())
    assert spec.trajectories is not None and spec.trajectories.every_minutes == 120
    arms = {a.name: a for a in resolve_arms(spec)}
    assert all(a.days == 6 for a in arms.values())
    assert arms["control"].scenario == Scenario(days=6)
    assert arms["preset"].scenario == get_preset("young-man").replace(days=6)
    assert arms["file"].scenario.subject.age_years == 70
    assert arms["inline"].scenario.sleep.bedtime == "00:30"  # clock text, not base-60
    assert arms["inline"].overrides == {"diet": {"protein_g_per_kg": 0.7}, "days": 6}


def test_arm_days_default_to_the_scenario() -> None:
    spec = load_spec({"arms": [{"name": "a", "scenario": {"days": 4}}]})
    assert resolve_arms(spec)[0].days == 4
    assert spec.population.sampler is not None  # the default population


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"arms": [{"name": "a"}], "colour": 1}, "unknown field `colour`"),
        ({"arms": [{"name": "a"}, {"name": "a"}]}, "repeated: a"),
        ({"arms": []}, "arms"),
        ({"arms": [{"name": "a/b"}]}, r"arms\.0\.name"),
        ({"days": 0}, "days"),
        ({"population": {}}, "exactly one of population.sampler and population.table"),
        ({"population": {"sampler": {"n": 1, "age_range": [10, 30]}}}, "18 <= low"),
        ({"trajectories": {"every_hours": 0.7}}, "divides 24 h"),
        ({"trajectories": {"variables": ["bogus"]}}, "unknown trajectory variables"),
        ({"arms": [{"name": "a", "scenario": "no-such-preset"}]}, "neither a scenario file"),
        (
            {"arms": [{"name": "a", "overrides": {"diet": {"protein_g_per_kg": 9}}}]},
            r"arm 'a'.*protein_g_per_kg",
        ),
        ({"arms": [{"name": "a", "scenario": {"days": -1}}]}, r"arm 'a'.*days"),
    ],
)
def test_invalid_specs_name_the_field(data: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        load_spec(data)


def test_missing_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_spec(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="not valid YAML"):
        load_spec(write(tmp_path / "bad.yaml", "arms: [\n"))
    with pytest.raises(InputError, match="mapping"):
        load_spec(write(tmp_path / "list.yaml", "- 1\n"))


def test_apply_overrides_merges_nested_and_switches_energy_unit() -> None:
    base = Scenario.model_validate(
        {
            "diet": {"energy_percent_of_need": 90, "meals": ["09:00"]},
            "exercise": [{"type": "aerobic"}],
        }
    )
    sc = apply_overrides(base, {"diet": {"energy_kcal_per_day": 1500}, "exercise": []})
    assert sc.diet.energy_kcal_per_day == 1500 and sc.diet.energy_percent_of_need is None
    assert sc.diet.meals == ("09:00",) and sc.exercise == ()
    assert apply_overrides(base, {}) is base


def test_with_n(tmp_path: Path) -> None:
    spec = load_spec({"population": {"sampler": {"n": 10}}})
    assert spec.with_n(3).population.sampler.n == 3  # type: ignore[union-attr]
    assert spec.with_n(None) is spec
    table = load_spec({"population": {"table": "x.csv"}}, base_dir=tmp_path)
    assert table.with_n(4).population.max_rows == 4
    with pytest.raises(InputError):
        spec.with_n(0)
