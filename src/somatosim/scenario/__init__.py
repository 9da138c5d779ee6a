"""Scenarios: frozen, validated descriptions of a person and a plan; loading; presets.

Examples
--------
>>> from somatosim.scenario import get_preset, load_scenario
>>> load_scenario({"days": 3}).days
3
>>> get_preset("demo").subject.age_years
25.0
"""

from somatosim.scenario.io import dump_scenario, format_validation_error, load_scenario
from somatosim.scenario.presets import PRESETS, get_preset, list_presets
from somatosim.scenario.schema import (
    WEEKDAYS,
    Diet,
    ExerciseSession,
    Micronutrients,
    NightOverride,
    Phase,
    Scenario,
    Sleep,
    Subject,
    Therapy,
    clock_to_hours,
)

__all__ = [
    "PRESETS",
    "WEEKDAYS",
    "Diet",
    "ExerciseSession",
    "Micronutrients",
    "NightOverride",
    "Phase",
    "Scenario",
    "Sleep",
    "Subject",
    "Therapy",
    "clock_to_hours",
    "dump_scenario",
    "format_validation_error",
    "get_preset",
    "list_presets",
    "load_scenario",
]
