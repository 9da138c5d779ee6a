"""Loading, validating and saving scenarios (somatosim.scenario.io)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from somatosim.errors import InputError
from somatosim.scenario import Scenario, dump_scenario, load_scenario
from somatosim.scenario.io import format_validation_error, scenario_to_yaml


def _error(source: object) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(source)  # type: ignore[arg-type]
    return str(info.value)


# --- the four ways in ---------------------------------------------------------------------
def test_dict_yaml_json_and_object_give_the_same_scenario(tmp_path: Path) -> None:
    data = {
        "name": "x",
        "days": 3,
        "subject": {"age_years": 61, "sex": "female"},
        "exercise": [{"type": "resistance", "days": ["mon", "thu"], "minutes": 40}],
    }
    from_dict = load_scenario(data)
    (tmp_path / "s.yaml").write_text(
        "name: x\ndays: 3\nsubject: {age_years: 61, sex: female}\n"
        "exercise:\n  - {type: resistance, days: [mon, thu], minutes: 40}\n"
    )
    (tmp_path / "s.json").write_text(json.dumps(data))
    assert load_scenario(tmp_path / "s.yaml") == from_dict
    assert load_scenario(str(tmp_path / "s.json")) == from_dict
    assert load_scenario(from_dict) is from_dict
    assert from_dict.subject.age_years == 61.0


def test_yaml_text_is_accepted() -> None:
    assert load_scenario("days: 2\nseed: 5\n").seed == 5
    assert load_scenario('{"days": 4}').days == 4


def test_unquoted_clock_times_stay_clock_times() -> None:
    # plain YAML 1.1 reads 23:30 as the base-60 number 1410 and 12:30 as 750
    sc = load_scenario("sleep: {bedtime: 23:30}\ndiet: {meals: [07:30, 12:30, 19:00]}\n")
    assert sc.sleep.bedtime == "23:30"
    assert sc.diet.meals == ("07:30", "12:30", "19:00")


def test_yaml_numbers_in_exponent_form_are_numbers() -> None:
    sc = load_scenario("days: 2\ntherapy: [{dose_mg: 3e-1}]\n")
    assert sc.therapy[0].dose_mg == pytest.approx(0.3)


def test_preset_names_are_not_scenario_sources() -> None:
    assert "not found" in _error("demo")


# --- messages name the field, the value and what is allowed ---------------------------------
def test_out_of_range_names_field_value_and_range() -> None:
    msg = _error({"subject": {"age_years": 150}})
    assert msg == "scenario: subject.age_years = 150 is out of range (allowed 18-90 years)"


def test_out_of_range_without_unit_gives_the_description() -> None:
    msg = _error({"sleep": {"hours": 20}})
    assert msg == (
        "scenario: sleep.hours = 20 is out of range (allowed 0-16; hours asleep per night)"
    )


def test_nested_list_item_is_named_with_its_index() -> None:
    msg = _error({"exercise": [{"type": "aerobic"}, {"type": "aerobic", "minutes": 0}]})
    assert msg == "scenario: exercise[1].minutes = 0 is out of range (allowed 1-300 minutes)"


def test_unknown_key_lists_the_allowed_fields(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("subject:\n  agee: 40\n")
    msg = _error(path)
    assert msg.startswith(f"{path}: unknown field `subject.agee` (allowed: age_years, sex, ")
    assert "gh_reserve" in msg


def test_unknown_top_level_key() -> None:
    assert "unknown field `dayz`" in _error({"dayz": 3})


def test_wrong_type_names_the_expected_type() -> None:
    msg = _error({"subject": {"age_years": "old"}})
    assert msg == (
        'scenario: subject.age_years = "old" has the wrong type (expected a number; age in years)'
    )
    assert "expected a whole number" in _error({"days": 2.5})
    assert "expected a list" in _error({"exercise": 5})
    assert "expected a mapping" in _error({"subject": "old man"})


def test_choice_lists_the_choices() -> None:
    msg = _error({"subject": {"sex": "m"}})
    assert msg == 'scenario: subject.sex = "m" is not allowed (expected one of: male, female)'


def test_missing_required_field() -> None:
    msg = _error({"therapy": [{"drug": "somatropin"}]})
    assert msg == "scenario: `therapy[0].dose_mg` is required (dose per injection in mg)"


def test_validator_messages_are_passed_on() -> None:
    assert "is not a clock time" in _error({"sleep": {"bedtime": "25:00"}})
    assert "phases[0]: end_day (2) must be after start_day (5)" in _error(
        {"phases": [{"start_day": 5, "end_day": 2}]}
    )


def test_error_in_a_phase_override_names_the_block() -> None:
    msg = _error({"phases": [{"start_day": 1, "end_day": 3, "diet": {"protein_g_per_kg": 9}}]})
    assert msg == (
        "scenario: phases[0].diet.protein_g_per_kg = 9 is out of range "
        "(allowed 0-4 g per kg body weight per day)"
    )
    msg = _error({"phases": [{"start_day": 1, "end_day": 3, "sleep": {"hourz": 4}}]})
    assert msg.startswith("scenario: unknown field `phases[0].sleep.hourz` (allowed: bedtime,")


def test_one_line_per_problem_and_one_line_per_field() -> None:
    msg = _error(
        {
            "subject": {"age_years": 10, "weight_kg": 500},
            "exercise": [{"type": "aerobic", "days": "weekly"}],  # a union: two raw errors
        }
    )
    lines = msg.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("scenario: ") for line in lines)
    assert 'exercise[0].days = "weekly" is not valid (expected weekdays' in lines[2]


def test_format_validation_error_directly() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        Scenario.model_validate({"days": 0})
    text = format_validation_error(info.value, "my.yaml")
    assert text == "my.yaml: days = 0 is out of range (allowed 1-730 days)"


def test_input_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="out of range"):
        load_scenario({"days": -1})


# --- files -----------------------------------------------------------------------------------
def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert (
        _error(tmp_path / "nope.yaml") == f"scenario file {str(tmp_path / 'nope.yaml')!r} not found"
    )
    assert "is a directory" in _error(tmp_path)


def test_bad_yaml_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("days: 3\nsubject: {age_years: 40\n")
    msg = _error(path)
    assert msg.startswith(f"{path}: not valid YAML (line ")
    assert "\n" not in msg


def test_bad_json_gives_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"days": 3,,}')
    assert _error(path).startswith(f"{path}: not valid JSON (line 1, column 12")


def test_empty_file_and_non_mapping(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("  \n")
    assert _error(empty) == f"{empty}: the scenario is empty"
    listing = tmp_path / "list.yaml"
    listing.write_text("- days: 3\n")
    assert "expected a mapping of scenario fields" in _error(listing)
    assert "got a list" in _error(listing)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hacked']\n")
    assert "not valid YAML" in _error(path)


def test_not_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    assert "not a text file" in _error(path)


# --- saving ----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_dump_and_load_round_trip(tmp_path: Path, suffix: str) -> None:
    sc = load_scenario(
        {
            "name": "round trip",
            "days": 9,
            "seed": 4,
            "sleep": {"bedtime": "22:15", "nights": [{"day": 2, "hours": 0}]},
            "diet": {"energy_percent_of_need": 80, "meals": ["08:00", "13:00"]},
            "therapy": [{"drug": "somapacitan", "dose_mg": 1.5, "start_day": 1}],
            "phases": [
                {"start_day": 3, "end_day": 5, "label": "fast", "diet": {"energy_kcal_per_day": 0}}
            ],
        }
    )
    path = dump_scenario(sc, tmp_path / f"out{suffix}")
    assert load_scenario(path) == sc
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out{suffix}"]  # no temporary files


def test_yaml_quotes_clock_times() -> None:
    text = scenario_to_yaml(Scenario())
    assert 'bedtime: "23:00"' in text
    assert 'meals: ["07:30", "12:30", "19:00"]' in text
