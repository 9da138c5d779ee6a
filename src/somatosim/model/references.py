"""Citation registry: every source key used by a parameter or an equation maps to a reference.

Keys are ``FirstauthorYEAR`` (with a suffix letter when one author has several). The
``status`` field says how the number was checked (see ``published_results.md`` codes):
``verified`` (read in the primary text), ``secondary`` (quoted by a review or label),
``derived`` (computed from verified data by the stated method) or ``calibrated`` (set by
somatosim's calibration against the validation cases, with the literature value as prior).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["REFERENCES", "Reference", "cite"]


@dataclass(frozen=True, slots=True)
class Reference:
    """One bibliographic source."""

    key: str
    citation: str
    doi: str = ""
    note: str = ""


def _r(key: str, citation: str, doi: str = "", note: str = "") -> tuple[str, Reference]:
    return key, Reference(key, citation, doi, note)


REFERENCES: dict[str, Reference] = dict(
    [
        _r(
            "Farhy2007",
            "Farhy LS, Bowers CY, Veldhuis JD. Model-projected mechanistic bases for sex "
            "differences in growth hormone regulation in humans. Am J Physiol Regul Integr Comp "
            "Physiol 2007;292:R1577.",
            "10.1152/ajpregu.00584.2006",
        ),
        _r(
            "Farhy2001",
            "Farhy LS, Straume M, Johnson ML, Kovatchev B, Veldhuis JD. A construct of "
            "interactive feedback control of the GH axis in the male. Am J Physiol Regul Integr "
            "Comp Physiol 2001;281:R38-R51.",
        ),
        _r(
            "Farhy2002",
            "Farhy LS et al. Unequal autonegative feedback by GH models the sexual dimorphism in "
            "GH secretory dynamics. Am J Physiol Regul Integr Comp Physiol 2002;282:R753.",
        ),
        _r(
            "MacGregor2005",
            "MacGregor DJ, Leng G. Modelling the hypothalamic control of growth hormone "
            "secretion. J Neuroendocrinol 2005;17:788-803.",
        ),
        _r(
            "AlbaRoth1988",
            "Alba-Roth J, Müller OA, Schopohl J, von Werder K. Arginine stimulates growth "
            "hormone secretion by suppressing endogenous somatostatin secretion. J Clin "
            "Endocrinol Metab 1988;67:1186-1189.",
        ),
        _r(
            "Ghigo1990",
            "Ghigo E, Goffi S, Nicolosi M et al. Growth hormone (GH) responsiveness to combined "
            "administration of arginine and GH-releasing hormone does not vary with age in man. "
            "J Clin Endocrinol Metab 1990;71:1481-1485.",
        ),
        _r(
            "Keenan1998",
            "Keenan DM, Veldhuis JD, Yang R. Joint recovery of pulsatile and basal hormone "
            "secretion by stochastic nonlinear random-effects analysis. Am J Physiol "
            "1998;275:R1939-R1949.",
        ),
        _r(
            "Keenan2001",
            "Keenan DM, Veldhuis JD. Am J Physiol Regul Integr Comp Physiol 2001;281:R1917-R1924 "
            "(Weibull renewal process for interpulse intervals).",
        ),
        _r(
            "Klerman2003",
            "Klerman EB, Adler GK, Jin M, Maliszewski AM, Brown EN. A statistical model of "
            "diurnal variation in human growth hormone. Am J Physiol Endocrinol Metab "
            "2003;285:E1118.",
        ),
        _r(
            "Hartman1992",
            "Hartman ML et al. Augmented growth hormone (GH) secretory burst frequency and "
            "amplitude mediate enhanced GH secretion during a two-day fast in normal men. JCEM "
            "1992;74:757-765.",
        ),
        _r(
            "Hartman1993",
            "Hartman ML et al. Insulin-like growth factor-I (IGF-I) feedback on GH secretion. "
            "J Clin Invest 1993;91:2453.",
        ),
        _r(
            "Bermann1994",
            "Bermann M et al. Negative feedback regulation of pulsatile growth hormone secretion "
            "by insulin-like growth factor I. J Clin Invest 1994;94:138.",
        ),
        _r(
            "Ho1988",
            "Ho KY et al. Fasting enhances growth hormone secretion and amplifies the complex "
            "rhythms of growth hormone secretion in man. J Clin Invest 1988;81:968-975.",
        ),
        _r(
            "Holl1993",
            "Holl RW et al. Morning and evening GH half-life. JCEM 1993;77:216-220.",
        ),
        _r(
            "Shah1999",
            "Shah N et al. GH kinetics after iv rhGH during octreotide. JCEM 1999;84:2862.",
        ),
        _r(
            "vanEsdonk2020",
            "van Esdonk MJ, Burggraaf J, van der Graaf PH, Stevens J. Model informed "
            "quantification of the feed-forward stimulation of growth hormone by growth "
            "hormone-releasing hormone. Br J Clin Pharmacol 2020 (PMID 32087619).",
        ),
        _r(
            "Iranmanesh1991",
            "Iranmanesh A, Lizarralde G, Veldhuis JD. Age and relative adiposity are specific "
            "negative determinants of the frequency and amplitude of GH secretory bursts and the "
            "half-life of endogenous GH in healthy men. JCEM 1991;73:1081.",
            note="14 %/decade decline quoted by a review (secondary)",
        ),
        _r(
            "Veldhuis1995",
            "Veldhuis JD, Liem AY, South S et al. Differential impact of age, sex steroid "
            "hormones, and obesity on basal versus pulsatile growth hormone secretion in men as "
            "assessed in an ultrasensitive chemiluminescence assay. JCEM 1995;80:3209-3222.",
        ),
        _r(
            "Khosla1998",
            "Khosla S, Melton LJ 3rd, Atkinson EJ, O'Fallon WM, Klee GG, Riggs BL. Relationship "
            "of serum sex steroid levels and bone turnover markers with bone mineral density in "
            "men and women: a key role for bioavailable estrogen. J Clin Endocrinol Metab "
            "1998;83:2266-2274.",
        ),
        _r(
            "Harman2001",
            "Harman SM, Metter EJ, Tobin JD, Pearson J, Blackman MR. Longitudinal effects of "
            "aging on serum total and free testosterone levels in healthy men. J Clin Endocrinol "
            "Metab 2001;86:724-731.",
        ),
        _r(
            "Roelfsema2016",
            "Roelfsema F, Veldhuis JD et al. Neuroendocrinology 2016;103:335 (pulsatile GH by "
            "age, sex and BMI in 130 adults).",
        ),
        _r(
            "AlbertssonWikland1994",
            "Albertsson-Wikland K, Rosberg S, Karlberg J, Groth T. Analysis of 24-hour growth "
            "hormone profiles in healthy boys and girls of normal stature: relation to puberty. "
            "JCEM 1994;78:1195-1201.",
        ),
        _r(
            "Weltman1994",
            "Weltman A et al. Relationship between age, percentage body fat, fitness, and 24-hour "
            "growth hormone release in healthy young adults: effects of gender. JCEM "
            "1994;78:543-548.",
        ),
        _r(
            "VanCauter2000",
            "Van Cauter E, Leproult R, Plat L. Age-related changes in slow wave sleep and REM "
            "sleep and relationship with growth hormone and cortisol levels in healthy men. JAMA "
            "2000;284:861-868.",
        ),
        _r(
            "Walsleben2004",
            "Walsleben JA, Kapur VK, Newman AB, et al. Sleep and reported daytime sleepiness in "
            "normal subjects: the Sleep Heart Health Study. Sleep 2004;27:293-298.",
        ),
        _r(
            "Redline2004",
            "Redline S, Kirchner HL, Quan SF, et al. The effects of age, sex, ethnicity, and "
            "sleep-disordered breathing on sleep architecture. Arch Intern Med 2004;164:406-418.",
        ),
        _r(
            "Brandenberger2004",
            "Brandenberger G, Weibel L. The 24-h growth hormone rhythm in men: sleep and "
            "circadian influences questioned. J Sleep Res 2004;13:251-255.",
        ),
        _r(
            "Borbely1982",
            "Borbély AA. A two process model of sleep regulation. Hum Neurobiol 1982;1:195-204; "
            "Daan S, Beersma DG, Borbély AA. Am J Physiol 1984;246:R161 (time constants).",
        ),
        _r(
            "Davidson1991",
            "Davidson JR, Moldofsky H, Lue FA. Growth hormone and cortisol secretion in relation "
            "to sleep and wakefulness. J Psychiatry Neurosci 1991;16:96-102.",
        ),
        _r(
            "Spiegel2000",
            "Spiegel K, Leproult R, Colecchia EF, et al. Adaptation of the 24-h growth hormone "
            "profile to a state of sleep debt. Am J Physiol Regul Integr Comp Physiol "
            "2000;279:R874-R883.",
        ),
        _r(
            "Papathanasiou2021",
            "Papathanasiou T, Agersø H, Damholt BB, Højby Rasmussen M, Kildemoes RJ. Population "
            "pharmacokinetics and pharmacodynamics of once-daily growth hormone Norditropin in "
            "children and adults. Clin Pharmacokinet 2021;60:1217-1226.",
        ),
        _r(
            "Juul2019",
            "Juul RV, Rasmussen MH, Agersø H, Overgaard RV. Pharmacokinetics and "
            "pharmacodynamics of once-weekly somapacitan in children and adults. Clin "
            "Pharmacokinet 2019;58:63-75.",
        ),
        _r(
            "Kildemoes2021",
            "Juul Kildemoes R et al. Model-based evaluation of IGF-I sampling for weekly "
            "somapacitan. JCEM 2021;106:567-576.",
        ),
        _r(
            "SomatropinLabel",
            "Somatropin product information: Swiss SmPC (sc 0.035 mg/kg: about 80 % absorbed, "
            "Cmax 13-35 ng/mL at 3-6 h, sc apparent t1/2 2-3 h); US FDA label (iv t1/2 19.5 min); "
            "Saizen monograph (F 70-90 %, adult maximum 1 mg/day); Norditropin label (V 67.7 "
            "mL/kg).",
        ),
        _r(
            "SogroyaLabel",
            "Sogroya (somapacitan) product information: tmax 8-25.5 h, terminal t1/2 about 34 h "
            "(children), V/F 1.7 L, >99 % albumin bound; adult dose up to 8 mg/week. The adult "
            "terminal half-life is quoted as about 2-3 days (secondary, not verified).",
        ),
        _r(
            "Janssen1999",
            "Absorption profile and availability of a physiological subcutaneous dose of rhGH in "
            "adults with GH deficiency (Eur J Endocrinol ~1999): Tmax 261 min, F 63 %.",
            note="authors unverified",
        ),
        _r(
            "Grahnen1993",
            "Grahnén A et al. Pharmacokinetics of recombinant human IGF-I given subcutaneously "
            "to healthy volunteers and to patients with GH receptor deficiency. Acta Paediatr "
            "1993;82(s392):9.",
        ),
        _r(
            "Frystyk1994",
            "Frystyk J et al. Free insulin-like growth factors (IGF-I and IGF-II) in human "
            "serum. FEBS Lett 1994;348:185 (free IGF-1 about 0.4-1 % of total; t1/2 14 min).",
        ),
        _r(
            "Baxter1989",
            "Baxter RC. Circulating levels and molecular distribution of the acid-labile "
            "subunit of the high molecular weight IGF binding protein complex. JCEM 1990;70:1347.",
            note="ALS 24 mg/L adults; journal/year unverified",
        ),
        _r(
            "Jorgensen1994",
            "Jørgensen JOL et al. (acromegaly pre/post adenomectomy; IGFBP-3 3.4-3.9 mg/L in "
            "controls; molar IGF:IGFBP-3 ratio preserved).",
            note="journal unverified",
        ),
        _r(
            "Sun1999",
            "Sun YN et al. Pharmacokinetic/pharmacodynamic modeling of GH and IGF-1 in rhesus "
            "monkeys. J Pharmacol Exp Ther 1999;289:1523-1532 (continuous GH more IGF-1-genic).",
        ),
        _r(
            "Clemmons1981",
            "Clemmons DR, Klibanski A, Underwood LE, et al. Reduction of plasma immunoreactive "
            "somatomedin C during fasting in humans. JCEM 1981;53:1247-1250.",
        ),
        _r(
            "Clemmons1985",
            "Clemmons DR, Seek MM, Underwood LE. Supplemental essential amino acids augment the "
            "somatomedin-C/insulin-like growth factor I response to refeeding after fasting. "
            "Metabolism 1985;34:391-395.",
        ),
        _r(
            "Peng2004",
            "Peng L, Malloy PJ, Feldman D. Identification of a functional vitamin D response "
            "element in the human insulin-like growth factor binding protein-3 promoter. Mol "
            "Endocrinol 2004;18:1109-1119.",
        ),
        _r(
            "Isley1983",
            "Isley WL, Underwood LE, Clemmons DR. Dietary components that regulate serum "
            "somatomedin-C concentrations in humans. J Clin Invest 1983;71:175-182 (after a 5-day "
            "fast, an isocaloric diet with 32 % of the control protein restored about 40 % of the "
            "rise given by the control diet; energy intake may be of greater importance).",
        ),
        _r(
            "Beasley2014",
            "Beasley JM et al. Associations of serum insulin-like growth factor-I and insulin-like "
            "growth factor-binding protein 3 levels with biomarker-calibrated protein, dairy "
            "product and milk intake in the Women's Health Initiative. Br J Nutr "
            "2014;111:847-853.",
        ),
        _r(
            "Fontana2008",
            "Fontana L, Weiss EP, Villareal DT, Klein S, Holloszy JO. Long-term effects of "
            "calorie or protein restriction on serum IGF-1 and IGFBP-3 concentration in humans. "
            "Aging Cell 2008;7:681-687.",
        ),
        _r(
            "Holmes2002",
            "Holmes MD et al. Dietary correlates of plasma insulin-like growth factor I. Cancer "
            "Epidemiol Biomarkers Prev 2002;11:852-861.",
        ),
        _r(
            "Allen2002",
            "Allen NE et al. The associations of diet with serum IGF-I in 292 women meat-eaters, "
            "vegetarians and vegans. CEBP 2002;11:1441-1448.",
        ),
        _r(
            "Maggio2011",
            "Maggio M et al. Magnesium and anabolic hormones in older men. Int J Androl "
            "2011;34:e594-e600.",
        ),
        _r(
            "Guo2020",
            "Guo J et al. Zinc supplementation and plasma IGF-1: a meta-analysis. J King Saud "
            "Univ Sci 2020;32:1824-1830.",
        ),
        _r(
            "Ameri2013",
            "Ameri P et al. Vitamin D increases circulating IGF1 in adults: potential "
            "implication for the treatment of GH deficiency. Eur J Endocrinol 2013;169:767-772.",
        ),
        _r(
            "Trummer2017",
            "Trummer C et al. Effects of vitamin D supplementation on IGF-1 and calcitriol: a "
            "randomised-controlled trial. Nutrients 2017;9:623.",
        ),
        _r(
            "Kamycheva2013",
            "Kamycheva E, Berg V, Jorde R. Insulin-like growth factor I, growth hormone, and "
            "insulin sensitivity: the effects of a one-year cholecalciferol supplementation in "
            "middle-aged overweight and obese subjects. Endocrine 2013;43:412-418.",
        ),
        _r(
            "Felsing1992",
            "Felsing NE, Brasel JA, Cooper DM. Effect of low and high intensity exercise on "
            "circulating growth hormone in men. JCEM 1992;75:157-162.",
        ),
        _r(
            "Weltman1997",
            "Weltman A et al. Endurance training amplifies the pulsatile release of growth "
            "hormone: effects of training intensity. / Training attenuates the GH response to a "
            "constant load. Med Sci Sports Exerc 1997;29:669-676.",
        ),
        _r(
            "Kraemer1990",
            "Kraemer WJ et al. Hormonal and growth factor responses to heavy resistance exercise "
            "protocols. J Appl Physiol 1990;69:1442-1450; Int J Sports Med 1991;12:228-235.",
        ),
        _r(
            "McCall1999",
            "McCall GE et al. Acute and chronic hormonal responses to resistance training "
            "designed to promote muscle hypertrophy. Can J Appl Physiol 1999;24:96-107.",
        ),
        _r(
            "Borst2001",
            "Borst SE et al. Growth hormone, IGF-I, and IGFBP-3 responses to 1 versus 3 sets of "
            "resistance training. Med Sci Sports Exerc 2001;33:648-653.",
        ),
        _r(
            "Amiri2021",
            "Amiri N et al. Resistance training and IGF-1 in the elderly: a meta-analysis. "
            "Hormones 2021;20:247-257.",
        ),
        _r(
            "Hameed2004",
            "Hameed M et al. The effect of recombinant human growth hormone and resistance "
            "training on IGF-I mRNA expression in the muscles of elderly men. J Physiol "
            "2004;555:231-240.",
        ),
        _r(
            "Banister1975",
            "Banister EW, Calvert TW, Savage MV, Bach T. A systems model of training for athletic "
            "performance. Aust J Sports Med 1975;7:57-61 (fitness-fatigue time constants 42 d / "
            "7 d).",
        ),
        _r(
            "Kelly1993",
            "Kelly JJ et al. Effects of different oral oestrogen formulations on insulin-like "
            "growth factor-I, growth hormone and growth hormone binding protein in post-"
            "menopausal women. Clin Endocrinol 1993.",
        ),
        _r(
            "Wolthers2001",
            "Wolthers T et al. Oral estrogen antagonizes the metabolic actions of growth hormone "
            "in growth hormone-deficient women. Am J Physiol Endocrinol Metab 2001.",
        ),
        _r(
            "Ho1987",
            "Ho KY et al. Effects of sex and age on the 24-hour profile of growth hormone "
            "secretion in man: importance of endogenous estradiol concentrations. JCEM "
            "1987;64:51-58.",
        ),
        _r(
            "Hoerenz2022",
            "Hoerenz C, Vogel M, Wirkner K, et al. BMI and contraceptives affect new age-, sex-, "
            "and puberty-adjusted IGF-I and IGFBP-3 reference ranges across life span. JCEM "
            "2022.",
        ),
        _r(
            "Mifflin1990",
            "Mifflin MD, St Jeor ST, et al. A new predictive equation for resting energy "
            "expenditure in healthy individuals. Am J Clin Nutr 1990;51:241-247.",
        ),
        _r(
            "Deurenberg1991",
            "Deurenberg P, Weststrate JA, Seidell JC. Body mass index as a measure of body "
            "fatness: age- and sex-specific prediction formulas. Br J Nutr 1991;65:105-114.",
        ),
        _r(
            "Ainsworth2011",
            "Ainsworth BE et al. 2011 Compendium of Physical Activities. Med Sci Sports Exerc "
            "2011;43:1575-1581 (MET values).",
        ),
        _r(
            "somatosim",
            "somatosim calibration: value chosen so that the model reproduces the validation "
            "cases named in the parameter's description (see docs/model.md).",
        ),
    ]
)


def cite(keys: list[str] | tuple[str, ...] | set[str]) -> list[Reference]:
    """Return the references for ``keys``, sorted by key (unknown keys raise ``KeyError``)."""
    return [REFERENCES[k] for k in sorted(set(keys))]
