"""Agreement statistics for coded units: the kappa family and Krippendorff's alpha.

Every function takes *reliability data* the same way as the ``krippendorff`` package's
``reliability_data``: a sequence of rows, one per coder, each with one value per unit (the
same units in the same order in every row). ``None`` (or a float NaN) marks a unit the coder
did not code. Values are categories: any hashable (``str``, ``int``, ...). The ordinal,
interval and ratio levels of :func:`krippendorff_alpha` also need an order or numbers, see
there.

>>> data = [
...     ["warmth", "trust", "trust", "warmth", None],   # coder A
...     ["warmth", "trust", "warmth", "warmth", "fear"],  # coder B
... ]
>>> percent_agreement(data)
0.75
>>> round(cohen_kappa(data), 3)
0.5

How units with missing values are used
--------------------------------------

* :func:`cohen_kappa` and :func:`scott_pi` compare exactly two coders, on the units both
  coded. Given more than two rows they raise :class:`TooManyCoders`.
* :func:`percent_agreement`, :func:`fleiss_kappa`, :func:`brennan_prediger` and
  :func:`gwet_ac1` take two or more coders and use only the units coded by *every* coder
  (listwise deletion); with two coders those are the units both coded. Their observed
  agreement is the mean, over those units, of the share of coder pairs that agree on the
  unit (Fleiss 1971), which for two coders is the plain proportion of agreeing units.
* :func:`krippendorff_alpha` uses every *pairable* value: all values of every unit coded by
  at least two coders, whoever they are (Krippendorff 2011). Values in units coded by only
  one coder are ignored. It is the statistic made for incomplete data.

Undefined values
----------------

When the coders' values leave no room for chance-corrected agreement (all the values used
are one category, so that the expected agreement is 1 or the expected disagreement is 0), the
coefficients are 0/0: mathematically undefined. They then return ``float('nan')`` rather than
1.0 or 0.0: the data hold no information about how reliably coders tell categories apart,
and a number would suggest otherwise. :func:`percent_agreement` is always defined.
:func:`brennan_prediger` and :func:`gwet_ac1` depend on the number of categories ``q``; with
``q == 1`` they are undefined too (pass ``categories`` to give the full category list).

Bad input (ragged rows, no usable unit, unknown level, unhashable values, ...) raises
:class:`AgreementError`, which is both a :class:`thematica.errors.InvalidInput` and a
:class:`ValueError`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable
from fractions import Fraction
from numbers import Real
from typing import Literal

from thematica.errors import InvalidInput

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")

ReliabilityData = Iterable[Iterable[Hashable | None]]

__all__ = [
    "LEVELS",
    "AgreementError",
    "TooManyCoders",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
]


class AgreementError(InvalidInput, ValueError):
    """Reliability data that an agreement statistic cannot use as given."""


class TooManyCoders(AgreementError):
    """A two-coder statistic was given data from more than two coders."""


# --------------------------------------------------------------------------- input handling


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _rows(data: ReliabilityData) -> list[list[Hashable | None]]:
    """Validate reliability data; return it as lists with ``None`` for every missing value."""
    if isinstance(data, str | bytes) or not isinstance(data, Iterable):
        raise AgreementError(
            "reliability data must be a sequence of rows, one per coder, each with one value "
            f"per unit; got {type(data).__name__}"
        )
    rows: list[list[Hashable | None]] = []
    for i, row in enumerate(data):
        if isinstance(row, str | bytes) or not isinstance(row, Iterable):
            raise AgreementError(
                f"row {i} of the reliability data is a {type(row).__name__}, not a sequence "
                "of values (one per unit)"
            )
        values: list[Hashable | None] = []
        for j, value in enumerate(row):
            if _is_missing(value):
                values.append(None)
                continue
            try:
                hash(value)
            except TypeError:
                raise AgreementError(
                    f"value {value!r} (row {i}, unit {j}) is not hashable; categories must be "
                    "hashable values such as str or int"
                ) from None
            values.append(value)
        rows.append(values)
    if len(rows) < 2:
        raise AgreementError(f"reliability data needs at least two coders (rows); got {len(rows)}")
    width = len(rows[0])
    for i, row in enumerate(rows[1:], start=1):
        if len(row) != width:
            raise AgreementError(
                f"ragged reliability data: row 0 has {width} values but row {i} has {len(row)}; "
                "give every coder one value per unit, None where the coder did not code it"
            )
    if width == 0:
        raise AgreementError("reliability data has no units (the rows are empty)")
    return rows


def _check_categories(
    rows: list[list[Hashable | None]], categories: Iterable[Hashable] | None
) -> list[Hashable] | None:
    """The category list as given, after checking that every value in the data is in it."""
    if categories is None:
        return None
    if isinstance(categories, str | bytes):
        raise AgreementError("categories must be a sequence of category values, not a string")
    listed = list(categories)
    try:
        known = set(listed)
    except TypeError:
        raise AgreementError("categories must be hashable values such as str or int") from None
    if len(known) != len(listed):
        raise AgreementError("categories lists a value more than once")
    for row in rows:
        for value in row:
            if value is not None and value not in known:
                raise AgreementError(
                    f"value {value!r} in the reliability data is not among the categories given"
                )
    return listed


def _complete_units(
    rows: list[list[Hashable | None]], statistic: str
) -> list[tuple[Hashable, ...]]:
    units = [unit for unit in zip(*rows, strict=True) if None not in unit]
    if not units:
        raise AgreementError(
            f"{statistic}: no unit was coded by all {len(rows)} coders; it uses only units "
            "every coder coded (krippendorff_alpha uses incomplete units too)"
        )
    return units


def _two_coder_units(
    data: ReliabilityData, statistic: str, instead: str
) -> list[tuple[Hashable, Hashable]]:
    rows = _rows(data)
    if len(rows) != 2:
        raise TooManyCoders(
            f"{statistic} compares exactly two coders, but the data has {len(rows)} rows "
            f"(coders); for {len(rows)} coders use {instead}"
        )
    pairs = [
        (a, b) for a, b in zip(rows[0], rows[1], strict=True) if a is not None and b is not None
    ]
    if not pairs:
        raise AgreementError(f"{statistic}: no unit was coded by both coders")
    return pairs


def _corrected(observed: Fraction, expected: Fraction) -> float:
    """(p_o - p_e) / (1 - p_e), or NaN where p_e == 1 (0/0: undefined)."""
    if expected == 1:
        return math.nan
    return float((observed - expected) / (1 - expected))


# --------------------------------------------------------------------------- shared parts


def _pairwise_agreement(units: list[tuple[Hashable, ...]]) -> Fraction:
    """Fleiss's (1971) mean share of agreeing coder pairs per unit, P-bar.

    For unit i with m ratings of which n_ik fell in category k,
    P_i = sum_k n_ik (n_ik - 1) / (m (m - 1)), and P-bar is the mean of P_i over the units.
    """
    m = len(units[0])
    agreeing = 0
    for unit in units:
        agreeing += sum(c * (c - 1) for c in Counter(unit).values())
    return Fraction(agreeing, len(units) * m * (m - 1))


def _pooled_proportions(units: list[tuple[Hashable, ...]]) -> dict[Hashable, Fraction]:
    """pi_k: the share of all ratings (all coders, all units) that fell in category k."""
    counts: Counter[Hashable] = Counter()
    for unit in units:
        counts.update(unit)
    total = sum(counts.values())
    return {k: Fraction(c, total) for k, c in counts.items()}


def _category_count(
    rows: list[list[Hashable | None]], categories: Iterable[Hashable] | None
) -> int:
    listed = _check_categories(rows, categories)
    if listed is not None:
        return len(listed)
    return len({v for row in rows for v in row if v is not None})


# --------------------------------------------------------------------------- statistics


def percent_agreement(data: ReliabilityData) -> float:
    """Observed agreement: the share of agreeing coder pairs, averaged over units.

    Uses the units coded by every coder. With two coders it is the proportion of those units
    on which both gave the same value. With m > 2 coders it is Fleiss's (1971) P-bar: for
    each unit the proportion of the m(m-1)/2 coder pairs that agree,
    ``P_i = sum_k n_ik (n_ik - 1) / (m (m - 1))``, averaged over the units. This is the
    observed agreement ``p_a`` that :func:`fleiss_kappa`, :func:`brennan_prediger` and
    :func:`gwet_ac1` correct for chance (Gwet 2014, *Handbook of Inter-Rater Reliability*,
    4th ed., ch. 2).

    Not corrected for chance: report it beside a chance-corrected coefficient, not instead.

    >>> percent_agreement([[1, 1, 2, 2], [1, 2, 2, 2]])
    0.75
    >>> percent_agreement([["a", "a"], ["a", "b"], ["a", None]])  # 3 coders; unit 2 dropped
    1.0
    """
    rows = _rows(data)
    units = _complete_units(rows, "percent_agreement")
    return float(_pairwise_agreement(units))


def cohen_kappa(data: ReliabilityData) -> float:
    """Cohen's kappa for two coders (Cohen 1960).

    ``kappa = (p_o - p_c) / (1 - p_c)``, where p_o is the proportion of units on which the
    two coders agree and ``p_c = sum_k p_Ak * p_Bk`` the agreement expected by chance from
    each coder's own marginal proportions p_Ak, p_Bk (Cohen, J. 1960, "A coefficient of
    agreement for nominal scales", *Educational and Psychological Measurement* 20(1):37-46).

    Two coders only, on the units both coded. More rows raise :class:`TooManyCoders`: for
    more coders use :func:`fleiss_kappa` or :func:`krippendorff_alpha`. Returns NaN where
    p_c == 1 (both coders used one and the same category throughout: undefined).

    >>> round(cohen_kappa([["a", "a", "b", "b", "a"], ["a", "b", "b", "b", "a"]]), 4)
    0.6154
    """
    pairs = _two_coder_units(
        data, "cohen_kappa", "fleiss_kappa (Fleiss 1971) or krippendorff_alpha"
    )
    n = len(pairs)
    observed = Fraction(sum(a == b for a, b in pairs), n)
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = Fraction(sum(c * second[k] for k, c in first.items()), n * n)
    return _corrected(observed, expected)


def scott_pi(data: ReliabilityData) -> float:
    """Scott's pi for two coders (Scott 1955).

    ``pi = (P_o - P_e) / (1 - P_e)``, where P_o is the proportion of units on which the two
    coders agree and ``P_e = sum_k p_k**2`` uses the proportion p_k of *both* coders' values
    in category k (Scott, W. A. 1955, "Reliability of content analysis: the case of nominal
    scale coding", *Public Opinion Quarterly* 19(3):321-325).

    Two coders only, on the units both coded. More rows raise :class:`TooManyCoders`: its
    multi-coder generalisation is :func:`fleiss_kappa` (equal to Scott's pi for two coders);
    :func:`krippendorff_alpha` also takes incomplete data. Returns NaN where P_e == 1.

    >>> round(scott_pi([["a", "a", "b", "b", "a"], ["a", "b", "b", "b", "a"]]), 4)
    0.6
    """
    pairs = _two_coder_units(
        data, "scott_pi", "fleiss_kappa (its multi-coder generalisation) or krippendorff_alpha"
    )
    n = len(pairs)
    observed = Fraction(sum(a == b for a, b in pairs), n)
    expected = sum(p * p for p in _pooled_proportions(pairs).values())
    return _corrected(observed, Fraction(expected))


def fleiss_kappa(data: ReliabilityData) -> float:
    """Fleiss's kappa for two or more coders (Fleiss 1971).

    ``kappa = (P_bar - P_e) / (1 - P_e)``, with ``P_bar`` the mean over units of
    ``P_i = sum_k n_ik (n_ik - 1) / (m (m - 1))`` (see :func:`percent_agreement`) and
    ``P_e = sum_k p_k**2``, p_k the share of all ratings in category k (Fleiss, J. L. 1971,
    "Measuring nominal scale agreement among many raters", *Psychological Bulletin*
    76(5):378-382). For two coders it equals Scott's pi.

    Fleiss's formulas assume the same number m of ratings per unit, so only the units coded
    by every coder are used. Returns NaN where P_e == 1.

    >>> round(fleiss_kappa([[1, 1, 2, 2], [1, 2, 2, 2], [1, 2, 2, 1]]), 4)
    0.3143
    """
    rows = _rows(data)
    units = _complete_units(rows, "fleiss_kappa")
    observed = _pairwise_agreement(units)
    expected = Fraction(sum(p * p for p in _pooled_proportions(units).values()))
    return _corrected(observed, expected)


def brennan_prediger(
    data: ReliabilityData, *, categories: Iterable[Hashable] | None = None
) -> float:
    """Brennan and Prediger's kappa_n (Bennett et al.'s S) for two or more coders.

    ``kappa_n = (p_o - 1/q) / (1 - 1/q)``: chance agreement is taken to be 1/q for q
    categories used with equal probability (Brennan, R. L. & Prediger, D. J. 1981,
    "Coefficient kappa: some uses, misuses, and alternatives", *Educational and
    Psychological Measurement* 41(3):687-699). p_o is :func:`percent_agreement`, over the
    units every coder coded; for more than two coders this is the multi-rater form given by
    Gwet (2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 2).

    q is ``len(categories)`` when given (every value must be in it), otherwise the number of
    distinct values anywhere in the data. The value depends strongly on q: give the full
    category list where coders could have chosen categories they did not use. Returns NaN
    for q == 1.

    >>> round(brennan_prediger([["a", "a", "b", "b", "a"], ["a", "b", "b", "b", "a"]]), 4)
    0.6
    >>> brennan_prediger([["a", "a", "b"], ["a", "b", "b"]], categories=["a", "b", "c", "d"])
    0.5555555555555556
    """
    rows = _rows(data)
    q = _category_count(rows, categories)
    units = _complete_units(rows, "brennan_prediger")
    if q < 2:
        return math.nan
    return _corrected(_pairwise_agreement(units), Fraction(1, q))


def gwet_ac1(data: ReliabilityData, *, categories: Iterable[Hashable] | None = None) -> float:
    """Gwet's AC1 for two or more coders (Gwet 2008).

    ``AC1 = (p_a - p_e) / (1 - p_e)`` with chance agreement
    ``p_e = 1/(q - 1) * sum_k pi_k (1 - pi_k)``, where pi_k is the share of all ratings in
    category k (for two coders the mean of the coders' two marginal proportions) and q the
    number of categories (Gwet, K. L. 2008, "Computing inter-rater reliability and its
    variance in the presence of high agreement", *British Journal of Mathematical and
    Statistical Psychology* 61(1):29-48; multi-rater form in Gwet 2014, *Handbook of
    Inter-Rater Reliability*, 4th ed., ch. 2). p_a is :func:`percent_agreement` over the
    units every coder coded.

    q is ``len(categories)`` when given, otherwise the number of distinct values anywhere in
    the data. Returns NaN for q == 1 (1/(q-1) is undefined); with the full category list
    given, data in which every coder always chose the same single category give 1.0.

    >>> round(gwet_ac1([["a", "a", "b", "b", "a"], ["a", "b", "b", "b", "a"]]), 4)
    0.6
    >>> gwet_ac1([["a", "a"], ["a", "a"]], categories=["a", "b"])
    1.0
    """
    rows = _rows(data)
    q = _category_count(rows, categories)
    units = _complete_units(rows, "gwet_ac1")
    if q < 2:
        return math.nan
    spread = sum(p * (1 - p) for p in _pooled_proportions(units).values())
    return _corrected(_pairwise_agreement(units), Fraction(spread) / (q - 1))


# --------------------------------------------------------------------------- Krippendorff


def _numeric_positions(
    values: Iterable[Hashable], level: str, categories: list[Hashable] | None
) -> dict[Hashable, float]:
    """Map each distinct value to the number the interval or ratio metric works on."""
    distinct = set(values)
    if all(_is_number(v) for v in distinct):
        if level == "ratio" and any(v < 0 for v in distinct):  # type: ignore[operator]
            raise AgreementError(
                "ratio alpha needs non-negative numbers (a ratio scale starts at a true zero)"
            )
        return {v: float(v) for v in distinct}  # type: ignore[arg-type]
    if level == "interval" and categories is not None:
        place = {c: float(i) for i, c in enumerate(categories, start=1)}
        return {v: place[v] for v in distinct}
    if level == "ratio":
        raise AgreementError(
            "ratio alpha needs numbers: a list of labels has no true zero; "
            "give the values as numbers"
        )
    raise AgreementError(
        "interval alpha needs numbers, or categories=[...] listing labels lowest first "
        "(taken as equally spaced)"
    )


def _mid_ranks(
    counts: Counter[Hashable], categories: list[Hashable] | None
) -> dict[Hashable, float]:
    """Krippendorff's ordinal metric as distances between mid-ranks.

    The ordinal difference ``(sum_{g=c..k} n_g - (n_c + n_k)/2)**2`` (Krippendorff 2011)
    equals ``(M_k - M_c)**2`` for the mid-rank ``M_c = sum_{g<c} n_g + n_c/2`` of each
    value among all pairable values, so ordinal alpha is interval alpha on mid-ranks.
    """
    if categories is not None:
        order = [c for c in categories if c in counts]
    elif all(_is_number(v) for v in counts):
        order = sorted(counts)  # type: ignore[type-var]
    else:
        raise AgreementError(
            "ordinal alpha ranks values by their order: give numbers, or categories=[...] "
            "listing the values lowest first"
        )
    ranks: dict[Hashable, float] = {}
    below = 0
    for value in order:
        ranks[value] = below + counts[value] / 2
        below += counts[value]
    return ranks


def krippendorff_alpha(
    data: ReliabilityData,
    level: Level = "nominal",
    *,
    categories: Iterable[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha for any number of coders, with missing values.

    ``alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck``
    (Krippendorff, K. 2011, "Computing Krippendorff's Alpha-Reliability", Annenberg School for
    Communication, departmental paper 43; also *Content Analysis*, 2nd ed., 2004, ch. 11).
    Only pairable values count: those of units coded by at least two coders. ``o_ck`` is the
    coincidence matrix, in which a unit with m_u values adds ``1/(m_u - 1)`` for each ordered
    pair of its values, ``n_c`` its marginals and ``n`` the number of pairable values. The
    difference function ``d2_ck`` depends on ``level``:

    * ``"nominal"``: 0 when c == k, else 1. Any hashable values.
    * ``"ordinal"``: ``(sum_{g=c..k} n_g - (n_c + n_k)/2)**2``, ranks by the order of the
      values: ``categories`` when given (lowest first), otherwise the sorted numbers.
      Labels without ``categories`` are refused.
    * ``"interval"``: ``(c - k)**2`` on numbers. With labels and ``categories``, each label
      stands for its 1-based position in ``categories`` (equally spaced).
    * ``"ratio"``: ``((c - k) / (c + k))**2`` on non-negative numbers (0 when c = k = 0).

    ``categories``, when given, must contain every value; for nominal and ratio data it only
    checks the values. Returns NaN when ``D_e == 0``: all pairable values are equal, there is
    no variation and alpha is undefined (0/0).

    >>> data = [
    ...     [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...     [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...     [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...     [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ... ]
    >>> round(krippendorff_alpha(data), 3), round(krippendorff_alpha(data, "interval"), 3)
    (0.743, 0.849)
    """
    if level not in LEVELS:
        raise AgreementError(
            f"unknown level of measurement {level!r}; use one of "
            + ", ".join(repr(name) for name in LEVELS)
        )
    rows = _rows(data)
    listed = _check_categories(rows, categories)
    units = [Counter(v for v in column if v is not None) for column in zip(*rows, strict=True)]
    units = [unit for unit in units if unit.total() >= 2]
    if not units:
        raise AgreementError(
            "krippendorff_alpha: no unit was coded by two or more coders (no pairable values)"
        )
    counts: Counter[Hashable] = Counter()
    for unit in units:
        counts.update(unit)
    n = counts.total()
    if level == "ordinal":
        position = _mid_ranks(counts, listed)
    elif level != "nominal":
        position = _numeric_positions(counts, level, listed)
    if len(counts) < 2:
        return math.nan

    if level == "nominal":
        # Sum over c != k of o_ck, and of n_c n_k: the nominal metric counts mismatches.
        # Mismatching ordered pairs are added up per unit size m_u, then weighted 1/(m_u - 1).
        mismatches: Counter[int] = Counter()
        for unit in units:
            size = unit.total()
            mismatches[size] += size * size - sum(c * c for c in unit.values())
        observed = sum(Fraction(pairs, size - 1) for size, pairs in mismatches.items())
        expected = n * n - sum(c * c for c in counts.values())
        return float(1 - (n - 1) * observed / expected)

    def d2(a: Hashable, b: Hashable) -> float:
        x, y = position[a], position[b]
        if level == "ratio":
            return ((x - y) / (x + y)) ** 2 if x + y else 0.0
        return (x - y) ** 2

    # Observed: each unit adds 2/(m_u - 1) * sum over its distinct value pairs c < k.
    parts = []
    for unit in units:
        values = list(unit.items())
        pair_sum = math.fsum(
            ca * cb * d2(a, b) for i, (a, ca) in enumerate(values) for b, cb in values[i + 1 :]
        )
        parts.append(2 * pair_sum / (unit.total() - 1))
    observed_sum = math.fsum(parts)

    # Expected: sum over c != k of n_c n_k d2_ck.
    if level == "ratio":
        values = list(counts.items())
        expected_sum = 2 * math.fsum(
            ca * cb * d2(a, b) for i, (a, ca) in enumerate(values) for b, cb in values[i + 1 :]
        )
    else:
        # sum_{c,k} n_c n_k (x_c - x_k)^2 == 2 n sum_c n_c (x_c - mean)^2, computed centred.
        mean = math.fsum(c * position[v] for v, c in counts.items()) / n
        expected_sum = 2 * n * math.fsum(c * (position[v] - mean) ** 2 for v, c in counts.items())
    if expected_sum == 0:
        return math.nan
    return 1 - (n - 1) * observed_sum / expected_sum
