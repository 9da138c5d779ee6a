"""Calibration and validation against published human data (issue 3).

- :mod:`~somatosim.calibration.cases`: the validation cases (published value, tolerance and
  its source, protocol, observable);
- :mod:`~somatosim.calibration.validate`: run them and write the HTML/JSON report;
- :mod:`~somatosim.calibration.fit`: fit free parameters to the cases;
- :mod:`~somatosim.calibration.population`: a virtual population of healthy adults;
- :mod:`~somatosim.calibration.sensitivity`: global sensitivity analysis (SALib).
"""

from somatosim.calibration.cases import CASES as CASES
from somatosim.calibration.cases import ValidationCase as ValidationCase
from somatosim.calibration.cases import get_case as get_case
from somatosim.calibration.fit import calibrate as calibrate
from somatosim.calibration.population import (
    sample_reference_population as sample_reference_population,
)
from somatosim.calibration.population import simulate_population as simulate_population
from somatosim.calibration.validate import run_validation as run_validation
from somatosim.calibration.validate import write_report as write_report

__all__ = [
    "CASES",
    "ValidationCase",
    "calibrate",
    "get_case",
    "run_validation",
    "sample_reference_population",
    "simulate_population",
    "write_report",
]
