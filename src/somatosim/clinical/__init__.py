"""Clinical layer (M13): IGF-1 reference and SDS, safety rules.

The public names are re-exported here; the modules themselves are implementation detail.
"""

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

__all__ = [
    "AGE_RANGE_YEARS",
    "DEFAULT_REFERENCE_NAME",
    "GHD_RESERVE_THRESHOLD",
    "IGF1_NG_ML_PER_NMOL_L",
    "IGF1_SDS_UPPER",
    "LABEL_MAX_DOSE",
    "OLDER_ADULT_AGE_YEARS",
    "OLDER_ADULT_EVIDENCE",
    "SAFETY_RULES",
    "SEXES",
    "UNITS",
    "IGF1Reference",
    "LMSCurve",
    "LabelMax",
    "SafetyRule",
    "default_reference",
    "evaluate_safety",
    "igf1_sds",
    "load_reference",
    "safety_rule",
    "to_ng_ml",
]
