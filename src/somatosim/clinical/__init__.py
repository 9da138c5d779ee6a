"""Clinical layer (M13): IGF-1 reference and SDS, safety rules, stimulation tests, PK
summaries and dose titration.

The public names are re-exported here; the modules themselves are implementation detail.
"""

from somatosim.clinical.interpret import interpret as interpret
from somatosim.clinical.pk import DRUGS as DRUGS
from somatosim.clinical.pk import PK_METHODS as PK_METHODS
from somatosim.clinical.pk import Injection as Injection
from somatosim.clinical.pk import PKSummary as PKSummary
from somatosim.clinical.pk import exogenous_concentration as exogenous_concentration
from somatosim.clinical.pk import injections as injections
from somatosim.clinical.pk import pk_summary as pk_summary
from somatosim.clinical.pk import with_pk_summary as with_pk_summary
from somatosim.clinical.reference import AGE_RANGE_YEARS as AGE_RANGE_YEARS
from somatosim.clinical.reference import DEFAULT_REFERENCE_NAME as DEFAULT_REFERENCE_NAME
from somatosim.clinical.reference import IGF1_NG_ML_PER_NMOL_L as IGF1_NG_ML_PER_NMOL_L
from somatosim.clinical.reference import SEXES as SEXES
from somatosim.clinical.reference import UNITS as UNITS
from somatosim.clinical.reference import IGF1Reference as IGF1Reference
from somatosim.clinical.reference import LMSCurve as LMSCurve
from somatosim.clinical.reference import default_reference as default_reference
from somatosim.clinical.reference import igf1_sds as igf1_sds
from somatosim.clinical.reference import load_reference as load_reference
from somatosim.clinical.reference import to_ng_ml as to_ng_ml
from somatosim.clinical.safety import GHD_RESERVE_THRESHOLD as GHD_RESERVE_THRESHOLD
from somatosim.clinical.safety import IGF1_SDS_UPPER as IGF1_SDS_UPPER
from somatosim.clinical.safety import LABEL_MAX_DOSE as LABEL_MAX_DOSE
from somatosim.clinical.safety import OLDER_ADULT_AGE_YEARS as OLDER_ADULT_AGE_YEARS
from somatosim.clinical.safety import OLDER_ADULT_EVIDENCE as OLDER_ADULT_EVIDENCE
from somatosim.clinical.safety import SAFETY_RULES as SAFETY_RULES
from somatosim.clinical.safety import LabelMax as LabelMax
from somatosim.clinical.safety import SafetyRule as SafetyRule
from somatosim.clinical.safety import evaluate_safety as evaluate_safety
from somatosim.clinical.safety import safety_rule as safety_rule
from somatosim.clinical.stimulation import GHD_SEVERITY as GHD_SEVERITY
from somatosim.clinical.stimulation import STIMULATION_CUTOFFS as STIMULATION_CUTOFFS
from somatosim.clinical.stimulation import STIMULATION_PROTOCOLS as STIMULATION_PROTOCOLS
from somatosim.clinical.stimulation import STIMULATION_TESTS as STIMULATION_TESTS
from somatosim.clinical.stimulation import StimulationCutoff as StimulationCutoff
from somatosim.clinical.stimulation import StimulationProtocol as StimulationProtocol
from somatosim.clinical.stimulation import StimulationResult as StimulationResult
from somatosim.clinical.stimulation import classify_peak as classify_peak
from somatosim.clinical.stimulation import cutoff_for as cutoff_for
from somatosim.clinical.stimulation import gh_deficient as gh_deficient
from somatosim.clinical.stimulation import stimulation_test as stimulation_test
from somatosim.clinical.titration import DEFAULT_TARGET_SDS as DEFAULT_TARGET_SDS
from somatosim.clinical.titration import REGIMENS as REGIMENS
from somatosim.clinical.titration import START_DOSES as START_DOSES
from somatosim.clinical.titration import TITRATION_RULES as TITRATION_RULES
from somatosim.clinical.titration import StartDose as StartDose
from somatosim.clinical.titration import TitrationResult as TitrationResult
from somatosim.clinical.titration import TitrationRule as TitrationRule
from somatosim.clinical.titration import WeeklyProfile as WeeklyProfile
from somatosim.clinical.titration import next_dose as next_dose
from somatosim.clinical.titration import starting_dose as starting_dose
from somatosim.clinical.titration import titrate as titrate
from somatosim.clinical.titration import weekly_sampling_profile as weekly_sampling_profile

__all__ = [
    "AGE_RANGE_YEARS",
    "DEFAULT_REFERENCE_NAME",
    "DEFAULT_TARGET_SDS",
    "DRUGS",
    "GHD_RESERVE_THRESHOLD",
    "GHD_SEVERITY",
    "IGF1_NG_ML_PER_NMOL_L",
    "IGF1_SDS_UPPER",
    "LABEL_MAX_DOSE",
    "OLDER_ADULT_AGE_YEARS",
    "OLDER_ADULT_EVIDENCE",
    "PK_METHODS",
    "REGIMENS",
    "SAFETY_RULES",
    "SEXES",
    "START_DOSES",
    "STIMULATION_CUTOFFS",
    "STIMULATION_PROTOCOLS",
    "STIMULATION_TESTS",
    "TITRATION_RULES",
    "UNITS",
    "IGF1Reference",
    "Injection",
    "LMSCurve",
    "LabelMax",
    "PKSummary",
    "SafetyRule",
    "StartDose",
    "StimulationCutoff",
    "StimulationProtocol",
    "StimulationResult",
    "TitrationResult",
    "TitrationRule",
    "WeeklyProfile",
    "classify_peak",
    "cutoff_for",
    "default_reference",
    "evaluate_safety",
    "exogenous_concentration",
    "gh_deficient",
    "igf1_sds",
    "injections",
    "interpret",
    "load_reference",
    "next_dose",
    "pk_summary",
    "safety_rule",
    "starting_dose",
    "stimulation_test",
    "titrate",
    "to_ng_ml",
    "weekly_sampling_profile",
    "with_pk_summary",
]
