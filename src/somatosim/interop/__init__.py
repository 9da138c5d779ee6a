"""Interoperability: SBML export of the model and the cross-check against libRoadRunner.

libsbml and libroadrunner are imported only when a function here needs them.
"""

from somatosim.interop.sbml import (
    FORMULAS,
    Formula,
    RoadRunnerComparison,
    compare_roadrunner,
    export_sbml,
    formula_rates,
    load_roadrunner,
    roadrunner_timecourse,
    schedule_to_sbml,
    write_sbml,
)

__all__ = [
    "FORMULAS",
    "Formula",
    "RoadRunnerComparison",
    "compare_roadrunner",
    "export_sbml",
    "formula_rates",
    "load_roadrunner",
    "roadrunner_timecourse",
    "schedule_to_sbml",
    "write_sbml",
]
