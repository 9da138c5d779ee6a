"""somatosim.analysis: pulse deconvolution of GH series, sampling simulator, validation."""

from somatosim.analysis.deconvolution import GH_KINETICS as GH_KINETICS
from somatosim.analysis.deconvolution import LH_KINETICS as LH_KINETICS
from somatosim.analysis.deconvolution import DeconvolutionResult as DeconvolutionResult
from somatosim.analysis.deconvolution import Kinetics as Kinetics
from somatosim.analysis.deconvolution import approximate_entropy as approximate_entropy
from somatosim.analysis.deconvolution import deconvolve as deconvolve
from somatosim.analysis.pulses_io import MeasuredSeries as MeasuredSeries
from somatosim.analysis.pulses_io import read_series as read_series
from somatosim.analysis.pulses_io import write_outputs as write_pulse_outputs
from somatosim.analysis.sampling import SampledSeries as SampledSeries
from somatosim.analysis.sampling import SeriesTruth as SeriesTruth
from somatosim.analysis.sampling import sample_curve as sample_curve
from somatosim.analysis.sampling import sample_result as sample_result
from somatosim.analysis.validation import run_validation as run_validation
from somatosim.analysis.validation import synthetic_truth as synthetic_truth

__all__ = [
    "GH_KINETICS",
    "LH_KINETICS",
    "DeconvolutionResult",
    "Kinetics",
    "MeasuredSeries",
    "SampledSeries",
    "SeriesTruth",
    "approximate_entropy",
    "deconvolve",
    "read_series",
    "run_validation",
    "sample_curve",
    "sample_result",
    "synthetic_truth",
    "write_pulse_outputs",
]
