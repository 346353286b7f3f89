"""Krippendorff's unitizing alpha: hand-computed cases, published examples, a brute-force check.

The brute-force reference below works character by character and applies Krippendorff's
(2004, Quality & Quantity 38:787-800) case definitions of delta^2 to *every* pair of
sections and his expected-disagreement sum over *every* (unit, gap) pair, with none of the
sweep, sorting or prefix sums of the implementation.
"""

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thematica.agreement import AgreementError, unitized_alpha
from thematica.agreement.unitized import _disagreements
from thematica.errors import InvalidInput

# ------------------------------------------------------------------- brute-force reference


def character_sections(begin, end, segments):
    """Sections (start, length, coded) of one coder's segments of one code, per character.

    Each character gets the label of the unit covering it: segments that share a character
    join one unit (union-find); a character no segment covers is a gap. Sections are the
    maximal runs of one label, so touching segments stay separate units.
    """
    parent = list(range(len(segments)))

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    labels = []
    for position in range(begin, end):
        covering = [i for i, (s, e) in enumerate(segments) if s <= position < e]
        for other in covering[1:]:
            parent[find(other)] = find(covering[0])
        labels.append(covering)
    labels = [find(c[0]) if c else None for c in labels]
    sections = []
    start = begin
    for position in range(begin + 1, end + 1):
        if position == end or labels[position - begin] != labels[start - begin]:
            sections.append((start, position - start, labels[start - begin] is not None))
            start = position
    return sections


def delta2(g, h):
    """Krippendorff's (2004) difference of two sections (b, l, v), case by case."""
    (bg, lg, vg), (bh, lh, vh) = g, h
    if vg and vh and -lg < bg - bh < lh:
        return (bg - bh) ** 2 + (bg + lg - bh - lh) ** 2
    if vg and not vh and lh - lg >= bg - bh >= 0:
        return lg**2
    if not vg and vh and lg - lh >= bh - bg >= 0:
        return lh**2
    return 0


def brute_force(begin, end, per_coder_segments):
    """(D_o, D_e) by the literal formulas, every pair enumerated."""
    m = len(per_coder_segments)
    length = end - begin
    sections = [character_sections(begin, end, segs) for segs in per_coder_segments]
    observed = 0
    for i in range(m):
        for j in range(m):
            if i != j:
                observed += sum(delta2(g, h) for g in sections[i] for h in sections[j])
    d_o = Fraction(observed, m * (m - 1) * length**2)
    units = [s for coder in sections for s in coder if s[2]]
    gaps = [s for coder in sections for s in coder if not s[2]]
    n = len(units)
    total = Fraction(0)
    for _, size, _ in units:
        total += Fraction(n - 1, 3) * (2 * size**3 - 3 * size**2 + size)
        total += size**2 * sum(g - size + 1 for _, g, _ in gaps if g >= size)
    squared = sum(size * (size - 1) for _, size, _ in units)
    d_e = Fraction(2, length) * total / (m * length * (m * length - 1) - squared)
    return d_o, d_e


@st.composite
def unitizations(draw):
    begin = draw(st.integers(min_value=-5, max_value=5))
    length = draw(st.integers(min_value=1, max_value=30))
    end = begin + length
    coders = draw(st.integers(min_value=2, max_value=4))
    codes = ["x", "y"]
    codings = {}
    for coder in range(coders):
        segments = []
        for _ in range(draw(st.integers(min_value=0, max_value=5))):
            start = draw(st.integers(min_value=begin, max_value=end - 1))
            stop = draw(st.integers(min_value=start + 1, max_value=end))
            segments.append((start, stop, draw(st.sampled_from(codes))))
        codings[f"coder {coder}"] = segments
    return (begin, end), codings


@settings(max_examples=300, deadline=None)
@given(unitizations())
def test_interval_implementation_matches_per_character_brute_force(case):
    (begin, end), codings = case
    observed = expected = Fraction(0)
    for code in ("x", "y"):
        per_coder = [[(s, e) for s, e, c in segs if c == code] for segs in codings.values()]
        reference = brute_force(begin, end, per_coder)
        merged = [_merge(segs) for segs in per_coder]
        assert _disagreements(begin, end, merged) == reference
        alpha = unitized_alpha((begin, end), codings, code=code)
        if reference[1] == 0:
            assert math.isnan(alpha)
        else:
            assert alpha == pytest.approx(
                float(1 - reference[0] / reference[1]), rel=1e-12, abs=1e-12
            )
        observed += reference[0]
        expected += reference[1]
    pooled = unitized_alpha((begin, end), codings)
    if expected == 0:
        assert math.isnan(pooled)
    else:
        assert pooled == pytest.approx(float(1 - observed / expected), rel=1e-12, abs=1e-12)


def _merge(segments):
    """Sorted, overlap-merged units, as unitized_alpha prepares them."""
    merged = []
    for start, stop in sorted(segments):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


# ------------------------------------------------------------------- hand-computed cases


def test_identical_codings_give_one():
    codings = {
        "Hannah": [(0, 40, "trust"), (60, 90, "trust"), (10, 20, "fear")],
        "Dev": [(10, 20, "fear"), (60, 90, "trust"), (0, 40, "trust")],
        "Consensus": [(0, 40, "trust"), (10, 20, "fear"), (60, 90, "trust")],
    }
    assert unitized_alpha((0, 100), codings) == 1.0
    assert unitized_alpha((0, 100), codings, code="trust") == 1.0
    assert unitized_alpha((0, 100), codings, code="fear") == 1.0


def test_complementary_codings_by_hand():
    # L = 10; A codes [0, 5), B codes [5, 10). Each coded unit lies wholly in the other's
    # gap: delta^2 = 5^2 twice per ordered coder pair, D_o = 2 * 50 / (2 * 1 * 10^2) = 1/2.
    # D_e: N = 2 units of length 5, gaps 5 and 5. Per unit:
    # (N - 1)/3 * (2*125 - 3*25 + 5) = 60, plus 5^2 * [(5 - 5 + 1) + (5 - 5 + 1)] = 50:
    # 110, twice = 220. D_e = (2/10) * 220 / (2*10*(2*10 - 1) - 2*5*4) = 44 / 340.
    # alpha = 1 - (1/2) / (44/340) = 1 - 85/22 = -63/22.
    codings = {"A": [(0, 5, "x")], "B": [(5, 10, "x")]}
    assert _disagreements(0, 10, [[(0, 5)], [(5, 10)]]) == (Fraction(1, 2), Fraction(44, 340))
    assert unitized_alpha((0, 10), codings) == pytest.approx(-63 / 22, rel=1e-15)


def test_one_coder_codes_what_the_other_leaves_uncoded_by_hand():
    # L = 10; A codes [2, 5), B nothing. A's unit lies in B's gap [0, 10): delta^2 = 9 per
    # ordered pair, D_o = 2 * 9 / (2 * 100) = 0.09. D_e: N = 1 (first term 0); gaps 2, 5, 10;
    # l = 3 fits gaps 5 and 10: 3^2 * [(5 - 3 + 1) + (10 - 3 + 1)] = 9 * 11 = 99.
    # D_e = (2/10) * 99 / (2*10*19 - 3*2) = 19.8 / 374. alpha = 1 - 0.09 * 374 / 19.8 = -0.7.
    codings = {"A": [(2, 5, "x")], "B": []}
    assert unitized_alpha((0, 10), codings) == pytest.approx(-0.7, rel=1e-12)


def test_single_unit_among_three_coders_by_hand():
    # L = 20, 3 coders; coder 0 codes [0, 1), the others nothing. D_o: the unit lies in each
    # other coder's gap: 4 ordered pairs * 1 / (3 * 2 * 400) = 1/600. D_e: N = 1, gaps 19, 20,
    # 20 all >= 1: 1 * (19 + 20 + 20) = 59; D_e = (2/20) * 59 / (60 * 59 - 0) = 1/600.
    # D_o == D_e, alpha = 0 (the same case as DKPro's testSingleAnnotationUnit).
    codings = {0: [(0, 1, "X")], 1: [], 2: []}
    assert _disagreements(0, 20, [[(0, 1)], [], []]) == (Fraction(1, 600), Fraction(1, 600))
    assert unitized_alpha((0, 20), codings) == 0.0


def test_delta_cases_from_dkpro_distance_tests():
    # DKPro's UnitizingAgreementTest: r0 codes [1, 9), r1 codes [2, 3), [4, 5), [6, 7) in
    # L = 10: D_o = .9100, D_e = .5351, alpha = -.7003 (hand check of D_o: the three pairs
    # of coded units give (1 + 36) + (9 + 16) + (25 + 4) = 91; 2 * 91 / (2 * 100) = .91).
    codings = {0: [(1, 9, "A")], 1: [(2, 3, "A"), (4, 5, "A"), (6, 7, "A")]}
    d_o, d_e = _disagreements(0, 10, [[(1, 9)], [(2, 3), (4, 5), (6, 7)]])
    assert d_o == Fraction(91, 100)
    assert float(d_e) == pytest.approx(0.5351, abs=1e-4)
    assert unitized_alpha((0, 10), codings) == pytest.approx(-0.7003, abs=1e-4)


# ------------------------------------------------------------------- published examples

# Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed.,
# p. 254: two observers unitize [150, 450) with categories c and k. Coordinates and figures
# as DKPro Statistics' unitizing/Krippendorff2004Test transcribes them (D_o(c) = .0144,
# D_e(c) = .0532, alpha_c = .7286, alpha_k = 1, alpha over both = .8591).
KRIPPENDORFF_2004 = {
    "i": [(225, 295, "c"), (370, 400, "c"), (180, 240, "k"), (300, 350, "k")],
    "j": [(220, 300, "c"), (355, 375, "c"), (400, 420, "c"), (180, 240, "k"), (300, 350, "k")],
}


def test_krippendorff_2004_content_analysis_example():
    # Hand check of D_o(c): the pairs with non-zero delta^2 are c[225,295) vs c[220,300)
    # (5^2 + 5^2 = 50), c[370,400) vs c[355,375) (15^2 + 25^2 = 850), and j's c[400,420)
    # inside i's gap [400,450) (20^2 = 400): 2 * 1300 / (2 * 300^2) = .01444.
    d_o, d_e = _disagreements(
        150, 450, [[(225, 295), (370, 400)], [(220, 300), (355, 375), (400, 420)]]
    )
    assert d_o == Fraction(2 * 1300, 2 * 300**2)
    assert float(d_o) == pytest.approx(0.0144, abs=1e-4)
    assert float(d_e) == pytest.approx(0.0532, abs=1e-4)
    assert unitized_alpha((150, 450), KRIPPENDORFF_2004, code="c") == pytest.approx(
        0.7286, abs=1e-4
    )
    assert unitized_alpha((150, 450), KRIPPENDORFF_2004, code="k") == 1.0
    # Pooled: 1 - D_o(c) / (D_e(c) + D_e(k)).
    assert unitized_alpha((150, 450), KRIPPENDORFF_2004) == pytest.approx(0.8591, abs=5e-4)


# Krippendorff, K. (1995). On the reliability of unitizing continuous data. Sociological
# Methodology 25:47-76, p. 57: four pairs of observers (A-D) unitize a continuum of 24,
# as DKPro's unitizing/Krippendorff1995Test transcribes them (begin, length).
KRIPPENDORFF_1995 = {
    "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
    "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
    "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
    "D": (
        [(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
        [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)],
    ),
}


@pytest.mark.parametrize(
    ("pair", "observed", "alpha"),
    [("A", 0.03125, 0.553), ("B", 2.26736, -0.926), ("C", 0.02777, 0.679), ("D", 0.38715, 0.066)],
)
def test_krippendorff_1995_examples(pair, observed, alpha):
    # The observed disagreements match exactly (they do not depend on the scale). The
    # published alphas came from a continuous form of D_e (in which, DKPro notes, the 1995
    # paper has a sign slip); the discrete D_e approaches it as the continuum is stretched,
    # so with a stretch of 50,000 (continuum 1.2 million) they agree within .02, the
    # tolerance DKPro uses. Hand check for A: pairs [2,10)-[4,8) (4 + 4) and [14,20)-[15,17)
    # (1 + 9): 2 * 18 / (2 * 24^2) = .03125.
    first, second = KRIPPENDORFF_1995[pair]
    codings = {
        "1": [(b, b + n, pair) for b, n in first],
        "2": [(b, b + n, pair) for b, n in second],
    }
    d_o, _ = _disagreements(
        0, 24, [[(b, b + n) for b, n in first], [(b, b + n) for b, n in second]]
    )
    assert float(d_o) == pytest.approx(observed, abs=1e-5)
    stretch = 50_000
    stretched = {
        coder: [(s * stretch, e * stretch, c) for s, e, c in segments]
        for coder, segments in codings.items()
    }
    assert unitized_alpha((0, 24 * stretch), stretched) == pytest.approx(alpha, abs=0.02)


# ------------------------------------------------------------------- behaviour


def test_pooled_is_ratio_of_summed_disagreements():
    codings = {
        "A": [(0, 10, "x"), (20, 30, "y"), (40, 45, "x")],
        "B": [(2, 10, "x"), (18, 30, "y")],
    }
    parts = [
        _disagreements(0, 50, [[(0, 10), (40, 45)], [(2, 10)]]),
        _disagreements(0, 50, [[(20, 30)], [(18, 30)]]),
    ]
    expected = 1 - sum(p[0] for p in parts) / sum(p[1] for p in parts)
    assert unitized_alpha((0, 50), codings) == pytest.approx(float(expected), rel=1e-15)


def test_overlapping_segments_merge_but_touching_ones_do_not():
    other = {"B": [(0, 9, "x")]}
    overlapping = unitized_alpha((0, 20), {"A": [(0, 6, "x"), (4, 9, "x")], **other})
    assert overlapping == 1.0
    touching = unitized_alpha((0, 20), {"A": [(0, 5, "x"), (5, 9, "x")], **other})
    assert touching < 1.0


def test_symmetric_in_coders():
    a = [(0, 10, "x"), (30, 60, "x"), (70, 71, "y")]
    b = [(3, 12, "x"), (30, 50, "x"), (52, 60, "x")]
    c = [(0, 100, "y")]
    first = unitized_alpha((0, 100), {"a": a, "b": b, "c": c})
    assert unitized_alpha((0, 100), {"c": c, "a": a, "b": b}) == pytest.approx(first, rel=1e-15)


def test_unused_code_and_no_codings_are_undefined():
    codings = {"A": [(0, 5, "x")], "B": [(0, 5, "x")]}
    assert math.isnan(unitized_alpha((0, 10), codings, code="never used"))
    assert math.isnan(unitized_alpha((0, 10), {"A": [], "B": []}))


def test_long_continuum_is_not_walked_character_by_character():
    # A trillion-character continuum: only the segment lists are walked.
    codings = {
        "A": [(0, 10**6, "x"), (5 * 10**11, 5 * 10**11 + 10**9, "x")],
        "B": [(10, 10**6, "x"), (5 * 10**11, 5 * 10**11 + 10**9 + 7, "x")],
    }
    value = unitized_alpha((0, 10**12), codings)
    assert 0.99 < value < 1.0


# ------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("continuum", "codings", "message"),
    [
        ((0, 10), {"A": [(0, 5, "x")]}, "at least two coders, got 1"),
        ((0, 10), [[(0, 5, "x")], []], "codings must map each coder"),
        (
            (0, 10),
            {"A": [(0, 12, "x")], "B": []},
            r"coder 'A': segment \(0, 12, 'x'\) lies outside the continuum \[0, 10\)",
        ),
        ((0, 10), {"A": [(5, 5, "x")], "B": []}, "is empty or reversed"),
        ((0, 10), {"A": [(6, 5, "x")], "B": []}, "is empty or reversed"),
        (
            (0, 10),
            {"A": [(0, 5)], "B": []},
            r"segment \(0, 5\) is not a \(start, end, code\) triple",
        ),
        ((0, 10), {"A": [(0.5, 5, "x")], "B": []}, "must be an integer character offset"),
        ((0, 10), {"A": [(0, 5, None)], "B": []}, "has no code"),
        ((0, 10), {"A": [(0, 5, ["x"])], "B": []}, "is not hashable"),
        ((0, 10), {"A": "0-5", "B": []}, "expected a list of"),
        ((10, 10), {"A": [], "B": []}, r"continuum \(10, 10\) is empty"),
        ((0,), {"A": [], "B": []}, "continuum must be a \\(start, end\\) pair"),
    ],
)
def test_bad_input(continuum, codings, message):
    with pytest.raises(AgreementError, match=message) as caught:
        unitized_alpha(continuum, codings)
    assert isinstance(caught.value, InvalidInput)
