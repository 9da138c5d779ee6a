"""somatosim: a mechanistic, validated simulator of the human GH–IGF-1 axis.

>>> import somatosim
>>> result = somatosim.simulate({"days": 2}, seed=3)
>>> sorted(result.summary)[:3]
['days', 'gh_mean_ng_ml', 'gh_pulses_per_day']
"""

from somatosim._api import citation as citation
from somatosim._api import simulate as simulate
from somatosim._api import simulate_many as simulate_many
from somatosim._version import __version__ as __version__
from somatosim.engine.result import Result as Result
from somatosim.errors import InputError as InputError
from somatosim.errors import SimulationError as SimulationError
from somatosim.errors import SomatosimError as SomatosimError
from somatosim.model.parameters import ParameterSet as ParameterSet
from somatosim.model.parameters import default_parameters as default_parameters
from somatosim.scenario.io import load_scenario as load_scenario
from somatosim.scenario.schema import Scenario as Scenario

__all__ = [
    "InputError",
    "ParameterSet",
    "Result",
    "Scenario",
    "SimulationError",
    "SomatosimError",
    "__version__",
    "citation",
    "default_parameters",
    "load_scenario",
    "simulate",
    "simulate_many",
]
