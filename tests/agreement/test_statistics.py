"""Agreement statistics against published worked examples, degenerate cases and bad input.

Where a figure below is quoted from a publication, the test says where it comes from. Some
tables were taken from the transcriptions in DKPro Statistics' test suite (Meyer et al.,
github.com/dkpro/dkpro-statistics, ``src/test/java/org/dkpro/statistics/agreement/coding``),
which cite the page of the original; those tests say so and also derive the figure by hand
in a comment, so they do not rest on the transcription alone. Figures marked "derived by
hand" are not quoted from any publication.
"""

import math
from collections import Counter

import pytest

from thematica.agreement import (
    LEVELS,
    AgreementError,
    TooManyCoders,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from thematica.errors import InvalidInput


def two_coders(table):
    """Reliability data (two rows) from a contingency table {(value_A, value_B): count}."""
    first, second = [], []
    for (a, b), count in table.items():
        first += [a] * count
        second += [b] * count
    return [first, second]


def from_units(units):
    """Reliability data from a list of units, each the tuple of the coders' values."""
    return [list(row) for row in zip(*units, strict=True)]


def from_counts(rows_of_counts):
    """Reliability data from Fleiss-style counts: per subject, raters per category 1..k."""
    units = []
    for counts in rows_of_counts:
        unit = []
        for category, count in enumerate(counts, start=1):
            unit += [category] * count
        units.append(unit)
    return from_units(units)


# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School for
# Communication, departmental paper 43: the worked example with 4 observers, 12 units, values
# 1-5 and missing data ("*" there, None here).
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]

# Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
# Psychological Measurement 20(1):37-46: the worked example, 200 cases sorted into three
# categories by two judges (DKPro's Cohen1960Test transcribes it from p. 45).
COHEN_1960 = two_coders(
    {
        (1, 1): 88, (1, 2): 14, (1, 3): 18,
        (2, 1): 10, (2, 2): 40, (2, 3): 10,
        (3, 1): 2, (3, 2): 6, (3, 3): 12,
    }
)  # fmt: skip

# Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological
# Bulletin 76(5):378-382, Table 1 (p. 379): 30 patients, 6 psychiatrists each, 5 diagnoses
# (1 depression, 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other). The rating
# lists are DKPro's Fleiss1971Test transcription of the table.
FLEISS_1971 = from_units(
    [
        (4, 4, 4, 4, 4, 4), (2, 2, 2, 5, 5, 5), (2, 3, 3, 3, 3, 5), (5, 5, 5, 5, 5, 5),
        (2, 2, 2, 4, 4, 4), (1, 1, 3, 3, 3, 3), (3, 3, 3, 3, 5, 5), (1, 1, 3, 3, 3, 4),
        (1, 1, 4, 4, 4, 4), (5, 5, 5, 5, 5, 5), (1, 4, 4, 4, 4, 4), (1, 2, 4, 4, 4, 4),
        (2, 2, 2, 3, 3, 3), (1, 4, 4, 4, 4, 4), (2, 2, 4, 4, 4, 5), (3, 3, 3, 3, 3, 5),
        (1, 1, 1, 4, 5, 5), (1, 1, 1, 1, 1, 2), (2, 2, 4, 4, 4, 4), (1, 3, 3, 5, 5, 5),
        (5, 5, 5, 5, 5, 5), (2, 4, 4, 4, 4, 4), (2, 2, 4, 5, 5, 5), (1, 1, 4, 4, 4, 4),
        (1, 4, 4, 4, 4, 5), (2, 2, 2, 2, 2, 4), (1, 1, 1, 1, 5, 5), (2, 2, 4, 4, 4, 4),
        (1, 3, 3, 3, 3, 3), (5, 5, 5, 5, 5, 5),
    ]
)  # fmt: skip

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories; the
# table gives, per subject, how many raters chose each category.
WIKIPEDIA_FLEISS = from_counts(
    [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]
)  # fmt: skip

# Artstein, R. & Poesio, M. (2008). Inter-coder agreement for computational linguistics.
# Computational Linguistics 34(4):555-596: the two-coder tables on p. 558 (100 utterances,
# STAT/IReq) and p. 568 (STAT/IReq/Chck), as DKPro's ArtsteinPoesio2008Test transcribes them.
ARTSTEIN_POESIO_558 = two_coders(
    {("STAT", "STAT"): 20, ("IReq", "STAT"): 20, ("STAT", "IReq"): 10, ("IReq", "IReq"): 50}
)
ARTSTEIN_POESIO_568 = two_coders(
    {
        ("STAT", "STAT"): 46,
        ("IReq", "STAT"): 6,
        ("IReq", "IReq"): 32,
        ("IReq", "Chck"): 6,
        ("Chck", "Chck"): 10,
    }
)

# Brennan, R. L. & Prediger, D. J. (1981). Coefficient kappa: some uses, misuses, and
# alternatives. Educational and Psychological Measurement 41(3):687-699: the two examples on
# pp. 689 and 691 (proportions x 100), as DKPro's BrennanPrediger1981Test transcribes them.
BRENNAN_PREDIGER_689 = two_coders({(1, 1): 50, (2, 1): 10, (2, 2): 10, (2, 3): 10, (3, 1): 20})
BRENNAN_PREDIGER_691 = two_coders(
    {(1, 1): 50, (1, 3): 10, (2, 2): 10, (2, 3): 10, (3, 1): 10, (3, 2): 10}
)


# ------------------------------------------------------------------- Krippendorff's alpha


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_krippendorff_2011_four_observers_missing_data(level, published):
    # Krippendorff (2011), the 4 observers x 12 units example with missing values; the paper
    # reports alpha = .743 (nominal), .815 (ordinal), .849 (interval), .797 (ratio).
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=5e-4)


def test_alpha_krippendorff_2011_nominal_exact():
    # The nominal case by hand: n = 40 pairable values (unit 12 has one value and is
    # dropped), marginals n_1..n_5 = 9, 13, 10, 5, 3. Only units 2 (2,2,3,2), 6 (1,2,3,4)
    # and 8 (1,1,2,1) hold differing values; their mismatching ordered pairs, each weighted
    # 1/(m_u - 1) = 1/3, give sum_c!=k o_ck = 6/3 + 12/3 + 6/3 = 8. Expected:
    # sum_c!=k n_c n_k = 40^2 - (81 + 169 + 100 + 25 + 9) = 1216.
    # alpha = 1 - (n - 1) * 8 / 1216 = 1 - 39 * 8 / 1216 = 0.74342.
    assert krippendorff_alpha(KRIPPENDORFF_2011) == pytest.approx(1 - 39 * 8 / 1216, rel=1e-12)


def test_alpha_ordinal_labels_with_ordered_categories():
    # The same example with the values 1-5 written as labels; an ordered category list gives
    # the ordinal alpha of the numbers (.815) and the interval alpha of positions 1-5 (.849).
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    labelled = [[None if v is None else names[v] for v in row] for row in KRIPPENDORFF_2011]
    order = list(names.values())
    assert krippendorff_alpha(labelled, "ordinal", categories=order) == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "ordinal"), rel=1e-12
    )
    assert krippendorff_alpha(labelled, "interval", categories=order) == pytest.approx(
        krippendorff_alpha(KRIPPENDORFF_2011, "interval"), rel=1e-12
    )
    assert krippendorff_alpha(labelled) == pytest.approx(0.743, abs=5e-4)


def test_alpha_krippendorff_2011_binary_two_observers():
    # Krippendorff (2011), first example: binary data, two observers, ten units, no missing
    # values; alpha = .095. By hand: n = 20 values, n_0 = 14, n_1 = 6, four disagreeing units
    # give o_01 = 4, alpha = 1 - (n - 1) o_01 / (n_0 n_1) = 1 - 19 * 4 / 84 = 0.0952.
    data = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
    assert krippendorff_alpha(data) == pytest.approx(0.095, abs=5e-4)
    assert krippendorff_alpha(data) == pytest.approx(1 - 19 * 4 / 84, rel=1e-12)


def test_alpha_krippendorff_1980_three_coders():
    # Krippendorff, K. (1980). Content Analysis, p. 139: 3 coders x 9 units, values 1-4, as
    # DKPro's Krippendorff1980Test transcribes it with percent agreement .740 and alpha
    # .642 (nominal), .547 (interval), .483 (ratio).
    data = from_units(
        [(1, 1, 1), (1, 2, 2), (2, 2, 2), (4, 4, 4), (1, 4, 4), (2, 2, 2), (1, 2, 3),
         (3, 3, 3), (2, 2, 2)]
    )  # fmt: skip
    # Percent agreement by hand: 6 units agree fully, (1,2,2) and (1,4,4) have one of three
    # coder pairs agreeing, (1,2,3) none: (6 + 1/3 + 1/3 + 0) / 9 = 20/27 = .7407.
    assert percent_agreement(data) == pytest.approx(0.740, abs=1e-3)
    assert percent_agreement(data) == pytest.approx(20 / 27)
    assert krippendorff_alpha(data) == pytest.approx(0.642, abs=5e-4)
    assert krippendorff_alpha(data, "interval") == pytest.approx(0.547, abs=5e-4)
    assert krippendorff_alpha(data, "ratio") == pytest.approx(0.483, abs=5e-4)


def test_alpha_artstein_poesio_568():
    # Artstein & Poesio (2008) p. 568 table; DKPro's transcription asserts alpha = .800 with
    # D_o = .120 and D_e = .601. By hand: n = 200 values, marginals STAT 98, IReq 76, Chck 26;
    # sum_c!=k n_c n_k = 200^2 - (98^2 + 76^2 + 26^2) = 23944; 12 disagreeing units give
    # sum_c!=k o_ck = 24, so alpha = 1 - 199 * 24 / 23944 = .8005.
    assert krippendorff_alpha(ARTSTEIN_POESIO_568) == pytest.approx(1 - 199 * 24 / 23944)
    assert krippendorff_alpha(ARTSTEIN_POESIO_568) == pytest.approx(0.800, abs=1e-3)


def test_alpha_ignores_units_with_one_value():
    base = [[1, 2, 2, 3], [1, 2, 3, 3]]
    extended = [[*base[0], 9, None], [*base[1], None, 7]]
    assert krippendorff_alpha(extended) == krippendorff_alpha(base)


def test_alpha_treats_nan_as_missing():
    with_none = [[1, 2, None, 3], [1, 3, 2, 3], [None, 2, 2, 3]]
    with_nan = [[1, 2, float("nan"), 3], [1, 3, 2, 3], [float("nan"), 2, 2, 3]]
    for level in LEVELS:
        assert krippendorff_alpha(with_nan, level) == krippendorff_alpha(with_none, level)


# ------------------------------------------------------------------- Cohen, Scott, BP, AC1


def test_cohen_kappa_cohen_1960():
    # Cohen (1960), the worked example: p_o = .70, p_c = .41, kappa = .492. By hand: judge A's
    # marginals .60/.30/.10, judge B's .50/.30/.20, p_c = .30 + .09 + .02 = .41,
    # kappa = (.70 - .41) / (1 - .41) = .29 / .59.
    assert percent_agreement(COHEN_1960) == pytest.approx(0.70)
    assert cohen_kappa(COHEN_1960) == pytest.approx(0.492, abs=5e-4)
    assert cohen_kappa(COHEN_1960) == pytest.approx(0.29 / 0.59)


def test_brennan_prediger_1981_examples():
    # Brennan & Prediger (1981) pp. 689 and 691: p_o = .60 in both; kappa = .27 and .29;
    # kappa_n = (p_o - 1/q) / (1 - 1/q) = (.60 - 1/3) / (2/3) = .40 with q = 3 (DKPro's
    # transcription). By hand, p. 689: marginals A .5/.3/.2, B .8/.1/.1, p_c = .45,
    # kappa = .15 / .55 = .2727; p. 691: marginals A and B both .6/.2/.2, p_c = .44,
    # kappa = .16 / .56 = .2857.
    for data, kappa in [(BRENNAN_PREDIGER_689, 0.27), (BRENNAN_PREDIGER_691, 0.29)]:
        assert percent_agreement(data) == pytest.approx(0.60)
        assert cohen_kappa(data) == pytest.approx(kappa, abs=5e-3)
        assert brennan_prediger(data) == pytest.approx(0.40)
    assert cohen_kappa(BRENNAN_PREDIGER_689) == pytest.approx(0.15 / 0.55)
    assert cohen_kappa(BRENNAN_PREDIGER_691) == pytest.approx(0.16 / 0.56)


def test_artstein_poesio_558_two_coder_family():
    # Artstein & Poesio (2008) p. 558 table (DKPro's transcription asserts A_o = .7, S = .4,
    # pi = .341, kappa = .348). By hand: A's marginals STAT .3 / IReq .7, B's .4 / .6.
    # S (= Brennan-Prediger with q = 2): (.7 - .5) / .5 = .4.
    # pi: pooled .35 / .65, P_e = .35^2 + .65^2 = .545, pi = .155 / .455 = .3407.
    # kappa: p_c = .3 * .4 + .7 * .6 = .54, kappa = .16 / .46 = .3478.
    data = ARTSTEIN_POESIO_558
    assert percent_agreement(data) == pytest.approx(0.7)
    assert brennan_prediger(data) == pytest.approx(0.4)
    assert scott_pi(data) == pytest.approx(0.155 / 0.455)
    assert scott_pi(data) == pytest.approx(0.341, abs=1e-3)
    assert cohen_kappa(data) == pytest.approx(0.16 / 0.46)
    assert cohen_kappa(data) == pytest.approx(0.348, abs=1e-3)


def test_artstein_poesio_568_two_coder_family():
    # Artstein & Poesio (2008) p. 568 table (DKPro's transcription: A_o = .88, S = .82,
    # pi = .7995, kappa = .8013). By hand: A's marginals .46/.44/.10, B's .52/.32/.16 (STAT,
    # IReq, Chck). S = (.88 - 1/3) / (2/3) = .82. pi: pooled .49/.38/.13,
    # P_e = .2401 + .1444 + .0169 = .4014, pi = .4786 / .5986. kappa: p_c = .2392 + .1408
    # + .016 = .396, kappa = .484 / .604.
    data = ARTSTEIN_POESIO_568
    assert percent_agreement(data) == pytest.approx(0.88)
    assert brennan_prediger(data) == pytest.approx(0.82)
    assert scott_pi(data) == pytest.approx(0.4786 / 0.5986)
    assert cohen_kappa(data) == pytest.approx(0.484 / 0.604)
    assert cohen_kappa(data) == pytest.approx(0.8013, abs=1e-4)


def test_gwet_ac1_on_cohen_1960_table():
    # Derived by hand (not a published figure) from Cohen's (1960) table with Gwet's (2008)
    # formula p_e = 1/(q - 1) sum_k pi_k (1 - pi_k): pi_k = mean of the two judges' marginals
    # = (.60 + .50)/2, (.30 + .30)/2, (.10 + .20)/2 = .55, .30, .15;
    # p_e = (.2475 + .21 + .1275) / 2 = .2925; AC1 = (.70 - .2925) / (1 - .2925) = .5760.
    assert gwet_ac1(COHEN_1960) == pytest.approx(0.4075 / 0.7075)


def test_gwet_ac1_high_prevalence_paradox():
    # Derived by hand: 10 units, 8 both "y", 1 both "n", 1 split. p_a = .9; pi_y = .85,
    # pi_n = .15. AC1: p_e = 2 * .85 * .15 = .255, AC1 = .645 / .745 = .8658; Scott's pi:
    # P_e = .85^2 + .15^2 = .745, pi = .155 / .255 = .6078 (the paradox AC1 was made for:
    # Gwet 2008).
    data = two_coders({("y", "y"): 8, ("n", "n"): 1, ("y", "n"): 1})
    assert gwet_ac1(data) == pytest.approx(0.645 / 0.745)
    assert scott_pi(data) == pytest.approx(0.155 / 0.255)


def test_brennan_prediger_and_ac1_take_the_category_count():
    data = two_coders({("a", "a"): 6, ("b", "b"): 2, ("a", "b"): 2})
    # q = 2 observed: (.8 - .5) / .5 = .6. With q = 4 given: (.8 - .25) / .75 = .7333.
    assert brennan_prediger(data) == pytest.approx(0.6)
    assert brennan_prediger(data, categories=["a", "b", "c", "d"]) == pytest.approx(0.55 / 0.75)
    # AC1 with q = 4: pi = .7/.3/0/0, p_e = (.21 + .21) / 3 = .14, AC1 = .66 / .86.
    assert gwet_ac1(data, categories=["a", "b", "c", "d"]) == pytest.approx(0.66 / 0.86)


# ------------------------------------------------------------------- Fleiss


def test_fleiss_kappa_fleiss_1971_table_1():
    # Fleiss (1971), Table 1 (p. 379 per DKPro's transcription): kappa = .430. By hand:
    # P-bar = 5/9 (100 agreeing ordered pairs of 30 * 6 * 5); category totals 26, 26, 30,
    # 55, 43 of 180 ratings give P_e = sum (n_k / 180)^2 = .21994.
    assert percent_agreement(FLEISS_1971) == pytest.approx(5 / 9)
    assert fleiss_kappa(FLEISS_1971) == pytest.approx(0.430, abs=5e-4)
    p_e = sum((n / 180) ** 2 for n in (26, 26, 30, 55, 43))
    assert fleiss_kappa(FLEISS_1971) == pytest.approx((5 / 9 - p_e) / (1 - p_e))


def test_fleiss_kappa_wikipedia_example():
    # Wikipedia "Fleiss' kappa" worked example: P-bar = 0.378, P_e = 0.213, kappa = 0.210.
    assert percent_agreement(WIKIPEDIA_FLEISS) == pytest.approx(0.378, abs=5e-4)
    assert fleiss_kappa(WIKIPEDIA_FLEISS) == pytest.approx(0.210, abs=5e-4)


def test_gwet_ac1_and_brennan_prediger_many_raters_fleiss_1971():
    # Derived by hand from Fleiss's Table 1 (not published figures), multi-rater forms (Gwet
    # 2014): p_a = 5/9; AC1: p_e = (1 - .21994) / 4 = .19502, AC1 = (5/9 - p_e) / (1 - p_e)
    # = .4479; Brennan-Prediger: (5/9 - 1/5) / (4/5) = 4/9.
    p_e = (1 - sum((n / 180) ** 2 for n in (26, 26, 30, 55, 43))) / 4
    assert gwet_ac1(FLEISS_1971) == pytest.approx((5 / 9 - p_e) / (1 - p_e))
    assert brennan_prediger(FLEISS_1971) == pytest.approx(4 / 9)


def test_fleiss_equals_scott_for_two_coders():
    for data in (COHEN_1960, ARTSTEIN_POESIO_558, ARTSTEIN_POESIO_568, BRENNAN_PREDIGER_689):
        assert fleiss_kappa(data) == pytest.approx(scott_pi(data), rel=1e-12)


def test_multi_coder_statistics_use_units_coded_by_all():
    complete = [[1, 2, 2, 1], [1, 2, 1, 1], [1, 1, 2, 1]]
    with_gaps = [[*complete[0], 2, None], [*complete[1], None, 1], [*complete[2], 2, 2]]
    for statistic in (percent_agreement, fleiss_kappa, brennan_prediger, gwet_ac1):
        assert statistic(with_gaps) == statistic(complete)


def test_two_coder_statistics_use_units_coded_by_both():
    both = [["a", "b", "b", "a"], ["a", "b", "a", "a"]]
    with_gaps = [[*both[0], "a", None, None], [*both[1], None, "b", None]]
    for statistic in (cohen_kappa, scott_pi, percent_agreement):
        assert statistic(with_gaps) == statistic(both)


def test_percent_agreement_many_coders_is_mean_pairwise_agreement():
    # Unit (a, a, b): 1 of 3 coder pairs agree; unit (a, a, a): 3 of 3. Mean: (1/3 + 1) / 2.
    assert percent_agreement([["a", "a"], ["a", "a"], ["b", "a"]]) == pytest.approx(2 / 3)


# ------------------------------------------------------------------- degenerate cases


ONE_CATEGORY = [["x", "x", "x"], ["x", "x", "x"]]


@pytest.mark.parametrize(
    "statistic", [cohen_kappa, scott_pi, fleiss_kappa, brennan_prediger, gwet_ac1]
)
def test_one_category_is_undefined(statistic):
    # Expected agreement is 1 (or q = 1): kappa-type coefficients are 0/0, returned as NaN.
    assert math.isnan(statistic(ONE_CATEGORY))


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_without_variation_is_undefined(level):
    assert math.isnan(krippendorff_alpha([[3, 3, None], [3, 3, 3]], level))


def test_one_category_percent_agreement_and_known_category_list():
    assert percent_agreement(ONE_CATEGORY) == 1.0
    # With the full category list, chance agreement is below 1 and both are defined: 1.0.
    assert brennan_prediger(ONE_CATEGORY, categories=["x", "y"]) == 1.0
    assert gwet_ac1(ONE_CATEGORY, categories=["x", "y"]) == 1.0
    # Kappa-type coefficients stay undefined: their chance agreement uses the marginals.
    assert math.isnan(cohen_kappa(ONE_CATEGORY))


def test_perfect_agreement_is_one():
    data = [["a", "b", "c", "a"], ["a", "b", "c", "a"], ["a", "b", "c", "a"]]
    for statistic in (percent_agreement, fleiss_kappa, brennan_prediger, gwet_ac1):
        assert statistic(data) == 1.0
    for level in ("nominal",):
        assert krippendorff_alpha(data, level) == 1.0
    assert cohen_kappa(data[:2]) == 1.0
    assert scott_pi(data[:2]) == 1.0


# ------------------------------------------------------------------- properties


def test_nominal_statistics_ignore_labels_and_unit_order():
    data = [list("aabbcacb"), list("abbbcacc"), list("aabbccca")]
    relabel = {"a": 10, "b": "second", "c": (3,)}
    relabelled = [[relabel[v] for v in row] for row in data]
    order = [5, 2, 7, 0, 1, 6, 3, 4]
    shuffled = [[row[i] for i in order] for row in data]
    for statistic in (percent_agreement, fleiss_kappa, brennan_prediger, gwet_ac1,
                      krippendorff_alpha):  # fmt: skip
        assert statistic(relabelled) == pytest.approx(statistic(data), rel=1e-12)
        assert statistic(shuffled) == pytest.approx(statistic(data), rel=1e-12)
        assert statistic(data[::-1]) == pytest.approx(statistic(data), rel=1e-12)
    for statistic in (cohen_kappa, scott_pi):
        assert statistic(relabelled[:2]) == pytest.approx(statistic(data[:2]), rel=1e-12)


def test_interval_labels_are_equally_spaced_positions():
    labels = [["low", "mid", "high", None], ["low", "high", "high", "mid"]]
    numbers = [[1, 2, 3, None], [1, 3, 3, 2]]
    assert krippendorff_alpha(
        labels, "interval", categories=["low", "mid", "high"]
    ) == pytest.approx(krippendorff_alpha(numbers, "interval"))


def test_ordinal_order_comes_from_categories_when_given():
    # Reversing the order of the categories does not change ordinal alpha (distances are
    # symmetric), but a different order does.
    data = [[1, 2, 3, 4, 2], [1, 3, 3, 4, 1]]
    natural = krippendorff_alpha(data, "ordinal")
    assert krippendorff_alpha(data, "ordinal", categories=[4, 3, 2, 1]) == pytest.approx(natural)
    assert krippendorff_alpha(data, "ordinal", categories=[1, 4, 2, 3]) != pytest.approx(natural)


def test_accepts_tuples_and_generators():
    data = (tuple("aab"), (v for v in "abb"))
    assert cohen_kappa(data) == cohen_kappa([list("aab"), list("abb")])


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("statistic", "instead"),
    [(cohen_kappa, "fleiss_kappa"), (scott_pi, "fleiss_kappa")],
)
def test_two_coder_statistics_refuse_more_coders(statistic, instead):
    data = [[1, 2], [1, 2], [2, 2]]
    with pytest.raises(TooManyCoders) as caught:
        statistic(data)
    message = str(caught.value)
    assert f"{statistic.__name__} compares exactly two coders" in message
    assert "3 rows" in message
    assert instead in message and "krippendorff_alpha" in message
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidInput)


def test_ragged_rows():
    with pytest.raises(
        InvalidInput, match="ragged reliability data: row 0 has 3 values but row 1 has 2"
    ):
        krippendorff_alpha([[1, 2, 3], [1, 2]])
    with pytest.raises(ValueError, match="ragged"):
        fleiss_kappa([[1, 2], [1, 2], [1]])


def test_unknown_level():
    with pytest.raises(
        InvalidInput, match="unknown level of measurement 'nominl'; use one of 'nominal'"
    ):
        krippendorff_alpha([[1, 2], [1, 2]], "nominl")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: krippendorff_alpha([[1, None], [None, 2]]), "no pairable values"),
        (lambda: cohen_kappa([[1, None], [None, 2]]), "no unit was coded by both coders"),
        (lambda: fleiss_kappa([[1, 1], [1, None], [None, 1]]), "no unit was coded by all 3 coders"),
        (lambda: percent_agreement([[1, 2, 3]]), "at least two coders"),
        (lambda: percent_agreement([[], []]), "no units"),
        (lambda: percent_agreement("ab"), "sequence of rows"),
        (lambda: percent_agreement(["ab", "ab"]), "row 0 of the reliability data is a str"),
        (
            lambda: percent_agreement([[[1], 2], [1, 2]]),
            r"value \[1\] \(row 0, unit 0\) is not hashable",
        ),
        (
            lambda: krippendorff_alpha([["a", "b"], ["a", "a"]], "ordinal"),
            "ordinal alpha ranks values by their order",
        ),
        (
            lambda: krippendorff_alpha([["a", "b"], ["a", "a"]], "interval"),
            "interval alpha needs numbers",
        ),
        (
            lambda: krippendorff_alpha([["a", "b"], ["a", "a"]], "ratio", categories=["a", "b"]),
            "ratio alpha needs numbers",
        ),
        (lambda: krippendorff_alpha([[-1, 2], [1, 2]], "ratio"), "non-negative"),
        (
            lambda: krippendorff_alpha([["a", "z"], ["a", "a"]], categories=["a", "b"]),
            "'z' in the reliability data is not among the categories",
        ),
        (lambda: gwet_ac1([["a", "b"], ["a", "a"]], categories=["a", "b", "a"]), "more than once"),
    ],
)
def test_bad_input_messages(call, message):
    with pytest.raises(AgreementError, match=message):
        call()


def test_counter_sanity_of_fixtures():
    # Guards the transcriptions: Fleiss's Table 1 has 6 ratings for each of 30 patients and
    # the Wikipedia table 14 for each of 10 subjects, with the category totals they print.
    assert len(FLEISS_1971) == 6 and len(FLEISS_1971[0]) == 30
    assert Counter(v for row in FLEISS_1971 for v in row) == {1: 26, 2: 26, 3: 30, 4: 55, 5: 43}
    assert len(WIKIPEDIA_FLEISS) == 14 and len(WIKIPEDIA_FLEISS[0]) == 10
    totals = Counter(v for row in WIKIPEDIA_FLEISS for v in row)
    assert [totals[k] for k in range(1, 6)] == [20, 28, 39, 21, 32]  # p_j .143 .200 .279 .150 .229


# Gwet's own package irrCAC (R, version 1.0, the "overview" vignette, which follows Gwet
# 2014, Handbook of Inter-Rater Reliability): the contingency table cont3x3abstractors,
# 100 abstracts classified Ectopic / AIU / NIU by two abstractors. irrCAC reports Cohen's
# kappa 0.7964094, Scott's pi 0.7962397 and Gwet's AC1 0.8493305 (percent agreement 0.89).
ABSTRACTORS = (
    [("Ectopic", "Ectopic")] * 13
    + [("AIU", "AIU")] * 20
    + [("AIU", "NIU")] * 7
    + [("NIU", "AIU")] * 4
    + [("NIU", "NIU")] * 56
)


def test_gwet_ac1_and_the_kappas_match_irrcac_on_the_abstractors_table():
    from thematica.agreement import cohen_kappa, gwet_ac1, percent_agreement, scott_pi

    data = [[a for a, _ in ABSTRACTORS], [b for _, b in ABSTRACTORS]]
    assert percent_agreement(data) == pytest.approx(0.89)
    assert cohen_kappa(data) == pytest.approx(0.7964094, abs=1e-7)
    assert scott_pi(data) == pytest.approx(0.7962397, abs=1e-7)
    assert gwet_ac1(data) == pytest.approx(0.8493305, abs=1e-7)
