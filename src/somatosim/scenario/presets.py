"""Built-in scenarios (``somatosim presets``, ``somatosim run --preset NAME``).

Each preset's ``description`` says what it shows and why its numbers are physiological,
with the source of each number (rows of the project's table of published results). Presets
are ordinary :class:`~somatosim.scenario.schema.Scenario` objects: copy one with
``get_preset(name).replace(...)`` or print it as YAML with ``somatosim presets NAME``.

Day 0 is a Monday; phases run from ``start_day`` (inclusive) to ``end_day`` (exclusive).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from somatosim.errors import InputError
from somatosim.scenario.schema import Scenario

__all__ = ["PRESETS", "get_preset", "list_presets"]


def _scenario(name: str, description: str, **fields: Any) -> Scenario:
    return Scenario.model_validate(
        {"name": name, "description": " ".join(description.split()), **fields}
    )


_YOUNG_MAN = {"age_years": 25, "sex": "male", "weight_kg": 75, "height_cm": 178}
_MAINTENANCE_DIET = {"energy_percent_of_need": 100, "protein_g_per_kg": 1.2}

_PRESET_LIST: tuple[Scenario, ...] = (
    _scenario(
        "demo",
        """Healthy 25-year-old man, one week. He is 75 kg and 178 cm, with habitual sleep
        23:00-07:00,
        a weight-maintaining mixed diet with 1.2 g/kg/day protein, three meals, normal zinc,
        magnesium and vitamin D. Expected: 10-16 GH secretory bursts a day with the largest
        shortly after sleep onset (Hartman 1992, JCEM 74:757; Van Cauter 2000, JAMA), about
        half of the daily GH in the sleep-onset pulse (Brandenberger 2004, J Sleep Res 13:251),
        and IGF-1 near the LIFE median for age 25, which lies between 238 ng/mL at 20 and
        174 ng/mL at 30 years (Hoerenz 2022, JCEM).""",
        days=7,
        seed=1,
        subject=_YOUNG_MAN,
        sleep={"bedtime": "23:00", "hours": 8},
        diet=_MAINTENANCE_DIET,
    ),
    _scenario(
        "young-man",
        """Healthy 25-year-old man, two weeks. As the demo but twice as long: the
        reference for the other presets. Daily GH secretion of roughly 0.2-0.6 mg
        (Hartman 1992: 78 µg/Lv per 24 h; Albertsson-Wikland 1994), 60-70 % of it in early
        sleep (Van Cauter 2000), IGF-1 within the LIFE 2.5-97.5 percentiles for age
        (Hoerenz 2022).""",
        days=14,
        seed=2,
        subject=_YOUNG_MAN,
        sleep={"bedtime": "23:00", "hours": 8},
        diet=_MAINTENANCE_DIET,
    ),
    _scenario(
        "older-woman",
        """Healthy 68-year-old woman, two weeks. A postmenopausal woman (65 kg, 162 cm, no
        estrogen treatment)
        sleeping 7 hours. Ageing lowers GH secretion by about 14 % per decade after 20
        (Iranmanesh 1991, JCEM 73:1081) and shortens slow-wave sleep, and the sex difference
        in GH disappears after 50 (Roelfsema 2016, Neuroendocrinology 103:335). Expected IGF-1
        near the LIFE female median of about 100-114 ng/mL at 60-70 years (Hoerenz 2022).""",
        days=14,
        seed=3,
        subject={"age_years": 68, "sex": "female", "weight_kg": 65, "height_cm": 162},
        sleep={"bedtime": "23:00", "hours": 7},
        diet=_MAINTENANCE_DIET,
    ),
    _scenario(
        "fast-5d-refeed",
        """5-day water fast, then a week of refeeding. A healthy 30-year-old man fasts (water
        only: 0 kcal, 0 g protein) for 5 days, days
        2-6, then eats normally again for a week. Fasting raises GH pulse amplitude (Ho 1988,
        JCI 81:968) while IGF-1 falls by about half in 5 days (Clemmons 1985, Metabolism
        34:391: 1.64 → 0.67 U/mL) and recovers within about a week of refeeding when protein
        is adequate (Clemmons 1985; Clemmons 1981, JCEM 53:1247): GH-IGF-1 decoupling.""",
        days=14,
        seed=4,
        subject={"age_years": 30, "sex": "male", "weight_kg": 78, "height_cm": 178},
        diet=_MAINTENANCE_DIET,
        phases=[
            {
                "start_day": 2,
                "end_day": 7,
                "label": "water fast",
                "diet": {"energy_kcal_per_day": 0, "protein_g_per_kg": 0, "meals": []},
            }
        ],
    ),
    _scenario(
        "protein-restriction",
        """Protein cut to 0.6 g/kg/day at full energy intake, 4 weeks. A healthy 45-year-old
        man keeps his energy intake but lowers protein from 1.2 to
        0.6 g/kg/day (about the minimum requirement) from day 3 for almost four weeks. In
        calorie-restricted adults, cutting protein from 1.67 to 0.95 g/kg/day lowered IGF-1
        by 22 % (194 → 152 ng/mL) in 3 weeks (Fontana 2008, Aging Cell 7:681), about 30 %
        per g/kg/day; vegans eating about 0.76 g/kg/day have lower IGF-1 (Fontana 2008;
        Allen 2002, CEBP 11:1441: -13 %).""",
        days=28,
        seed=5,
        subject={"age_years": 45, "sex": "male", "weight_kg": 80, "height_cm": 178},
        diet=_MAINTENANCE_DIET,
        phases=[
            {
                "start_day": 3,
                "end_day": 28,
                "label": "low protein",
                "diet": {"protein_g_per_kg": 0.6},
            }
        ],
    ),
    _scenario(
        "deficit-high-protein",
        """40 % calorie deficit with high protein (2.0 g/kg/day), 3 weeks. A 35-year-old woman
        (70 kg) eats 40 % fewer calories than she needs from day 3 for
        18 days, with high protein (2.0 g/kg/day). Compare with deficit-low-protein: protein
        blunts the fall of IGF-1 in energy restriction; long-term calorie restriction with
        high protein does not lower IGF-1 (Fontana 2008, Aging Cell 7:681), whereas the fall
        during energy deficit tracks nitrogen balance (Clemmons 1981, JCEM 53:1247).""",
        days=21,
        seed=6,
        subject={"age_years": 35, "sex": "female", "weight_kg": 70, "height_cm": 166},
        diet=_MAINTENANCE_DIET,
        phases=[
            {
                "start_day": 3,
                "end_day": 21,
                "label": "-40 % energy, 2.0 g/kg protein",
                "diet": {"energy_percent_of_need": 60, "protein_g_per_kg": 2.0},
            }
        ],
    ),
    _scenario(
        "deficit-low-protein",
        """40 % calorie deficit with 0.8 g/kg/day protein, 3 weeks. As deficit-high-protein
        (a 35-year-old woman, 40 % energy deficit from day 3) but
        with 0.8 g/kg/day protein, the adult recommended intake. Expected: a larger fall of
        IGF-1 than with 2.0 g/kg/day, since both energy and protein gate hepatic GH
        sensitivity (Fontana 2008, Aging Cell 7:681: -22 % when protein fell by 0.72 g/kg/day;
        Clemmons 1985, Metabolism 34:391).""",
        days=21,
        seed=6,
        subject={"age_years": 35, "sex": "female", "weight_kg": 70, "height_cm": 166},
        diet=_MAINTENANCE_DIET,
        phases=[
            {
                "start_day": 3,
                "end_day": 21,
                "label": "-40 % energy, 0.8 g/kg protein",
                "diet": {"energy_percent_of_need": 60, "protein_g_per_kg": 0.8},
            }
        ],
    ),
    _scenario(
        "short-sleep-week",
        """A week of 4-hour nights, then recovery. A healthy 25-year-old man sleeps normally
        (23:00-07:00) for 3 nights, then only 4
        hours (01:00-05:00) for 7 nights, then recovers. The protocol follows Spiegel 1999
        (Lancet 354:1435) and Spiegel 2000 (Am J Physiol 279:R874): 6 nights of 4 h in bed
        from 01:00 to 05:00. GH secretion becomes biphasic, with a pulse before sleep onset as
        well as after it; the effect on total IGF-1 is small and uncertain, and longer sleep
        raises free IGF-1 (Chennaoui 2016, Appl Physiol Nutr Metab 41:963).""",
        days=14,
        seed=7,
        subject=_YOUNG_MAN,
        sleep={"bedtime": "23:00", "hours": 8},
        diet=_MAINTENANCE_DIET,
        phases=[
            {
                "start_day": 3,
                "end_day": 10,
                "label": "4-h nights",
                "sleep": {"bedtime": "01:00", "hours": 4},
            }
        ],
    ),
    _scenario(
        "resistance-12wk",
        """12 weeks of resistance training, 3 sessions a week, at 55. A healthy, untrained
        55-year-old man starts whole-body resistance training three
        times a week (Monday, Wednesday, Friday at 17:00, 60 min, moderate: about 70 % of 1RM,
        12 sets of 10 with 90 s rest) for 12 weeks, eating 1.2 g/kg/day protein. Resistance
        training raised resting IGF-1 by about 20 % by week 13 in middle-aged adults (Borst
        2001, Med Sci Sports Exerc 33:648); a meta-analysis in older adults found +15 ng/mL
        at up to 12 weeks (Amiri 2021, Hormones 20:247), while one 6-month trial in
        68-year-olds found no change (Borst 2002, JAGS 50:884). Acute GH rises after sessions with
        short rest (Kraemer 1990, J Appl Physiol 69:1442).""",
        days=84,
        seed=8,
        subject={"age_years": 55, "sex": "male", "weight_kg": 82, "height_cm": 176},
        sleep={"bedtime": "23:00", "hours": 7.5},
        diet=_MAINTENANCE_DIET,
        exercise=[
            {
                "type": "resistance",
                "days": ["mon", "wed", "fri"],
                "time": "17:00",
                "minutes": 60,
                "intensity": "moderate",
            }
        ],
    ),
    _scenario(
        "endurance-training",
        """8 weeks of endurance training below the lactate threshold. A healthy 35-year-old
        man runs 60 minutes at 0.8 x his lactate threshold on five
        weekdays for 8 weeks, eating to energy balance. Exercise below the lactate threshold
        gives no significant acute GH rise (Felsing 1992, JCEM 75:157: +1.5 vs +7.7 µg/L
        above it), and aerobic training alone does not change IGF-1 in meta-analysis (Chu
        2025, Front Public Health: SMD 0.01) nor over 8 weeks in women (Nindl 2010, J Appl
        Physiol 109:112); the energy cost can lower it transiently.""",
        days=56,
        seed=9,
        subject={"age_years": 35, "sex": "male", "weight_kg": 75, "height_cm": 180},
        diet=_MAINTENANCE_DIET,
        exercise=[
            {
                "type": "aerobic",
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "time": "07:00",
                "minutes": 60,
                "lt_multiple": 0.8,
            }
        ],
    ),
    _scenario(
        "zinc-deficiency-repletion",
        """Zinc deficiency for 4 weeks, then 8 weeks repleted. A 40-year-old man with zinc
        deficiency (serum zinc 50 µg/dL; deficient below 70)
        for 4 weeks, then repleted to 95 µg/dL from day 28 for 8 weeks. Zinc supplementation
        raises IGF-1 by about 9 ng/mL on average, 10 ng/mL after more than 8 weeks (Guo 2020,
        J King Saud Univ Sci 32:1824, meta-analysis of 10 studies), with the benefit confined
        to the deficient (Brown 2002, AJCN 75:1062).""",
        days=84,
        seed=10,
        subject={"age_years": 40, "sex": "male", "weight_kg": 78, "height_cm": 177},
        diet=_MAINTENANCE_DIET,
        micronutrients={"zinc_ug_dl": 50},
        phases=[
            {
                "start_day": 28,
                "end_day": 84,
                "label": "zinc repleted",
                "micronutrients": {"zinc_ug_dl": 95},
            }
        ],
    ),
    _scenario(
        "ghd-somatropin",
        """Adult GH deficiency on daily somatropin 0.3 mg from day 7. A 45-year-old man with
        severe adult GH deficiency (5 % of normal pituitary GH
        reserve) starts daily subcutaneous somatropin 0.3 mg at 21:00 on day 7. The dose is
        the Endocrine Society starting dose for ages 30-60 (0.2-0.3 mg/day; Molitch 2011,
        JCEM 96:1587); after a dose change IGF-1 settles within 1-2 weeks and the target is
        an IGF-1 SDS between -2 and +2 (Yuen 2019, Endocr Pract 25:1191). Subcutaneous GH
        peaks 3-6 h after injection with an apparent half-life of 2-3 h (somatropin label).""",
        days=56,
        seed=11,
        subject={
            "age_years": 45,
            "sex": "male",
            "weight_kg": 85,
            "height_cm": 178,
            "gh_reserve": 0.05,
        },
        diet=_MAINTENANCE_DIET,
        therapy=[{"drug": "somatropin", "dose_mg": 0.3, "time": "21:00", "start_day": 7}],
    ),
)

#: Built-in scenarios by name (read-only).
PRESETS: Mapping[str, Scenario] = MappingProxyType({s.name: s for s in _PRESET_LIST})


def list_presets() -> list[tuple[str, str]]:
    """Names and one-sentence summaries of the built-in scenarios.

    Returns
    -------
    list of (str, str)
        ``(name, first sentence of the description)`` in a fixed order.

    Examples
    --------
    >>> list_presets()[0][0]
    'demo'
    """
    return [(name, _first_sentence(s.description)) for name, s in PRESETS.items()]


def get_preset(name: str) -> Scenario:
    """Return the built-in scenario ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`list_presets` (``somatosim presets``).

    Returns
    -------
    Scenario
        The scenario (frozen; use ``.replace(...)`` for a variant).

    Raises
    ------
    InputError
        For an unknown name; the message lists the known names.

    Examples
    --------
    >>> get_preset("ghd-somatropin").therapy[0].dose_mg
    0.3
    """
    key = name.strip().lower().replace("_", "-")
    try:
        return PRESETS[key]
    except KeyError:
        raise InputError(
            f"unknown preset {name!r}; the presets are: {', '.join(PRESETS)}"
        ) from None


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]
