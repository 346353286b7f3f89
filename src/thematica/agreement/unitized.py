"""Krippendorff's alpha for unitizing: agreement on *where* coders put a code in a text.

Coders of qualitative data do not code given units; each marks spans of a continuum (a
transcript's characters) with codes. Krippendorff's unitizing alpha, in its binary per-code
form, compares those markings directly (Krippendorff, K. 1995, "On the reliability of
unitizing continuous data", *Sociological Methodology* 25:47-76; Krippendorff, K. 2004,
"Measuring the reliability of qualitative text analysis data", *Quality & Quantity*
38:787-800; *Content Analysis*, 2nd ed., 2004, ch. 11).

Written by hand: no maintained Python library computes it (DKPro Statistics has it in Java).
It works on interval lists, never on per-character arrays, so its cost grows with the number
of segments, not with the length of the text.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction
from itertools import accumulate, combinations
from numbers import Integral

from thematica.agreement.statistics import AgreementError

Segment = tuple[int, int, Hashable]

__all__ = ["Segment", "unitized_alpha", "unitized_alpha_by_code"]


def _position(value: object, what: str) -> int:
    if type(value) is int:  # the common case, without the slower abstract check below
        return value
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise AgreementError(
            f"{what} must be an integer character offset, got {value!r}; "
            "for time-based media use whole milliseconds"
        )
    return int(value)


def _continuum(continuum: object) -> tuple[int, int]:
    try:
        begin, end = continuum  # type: ignore[misc]
    except (TypeError, ValueError):
        raise AgreementError(
            f"continuum must be a (start, end) pair of offsets, got {continuum!r}"
        ) from None
    begin = _position(begin, "the continuum's start")
    end = _position(end, "the continuum's end")
    if end <= begin:
        raise AgreementError(
            f"continuum ({begin}, {end}) is empty: its start must be before its end"
        )
    return begin, end


def _units_by_code(
    codings: Mapping[Hashable, Iterable[Segment]], begin: int, end: int
) -> list[dict[Hashable, list[tuple[int, int]]]]:
    """Per coder: code -> sorted, non-overlapping (start, end) units.

    Overlapping segments of one coder and code are merged into one unit; touching segments
    (one ends where the next starts) stay separate units, as Krippendorff's data allow.
    """
    if not isinstance(codings, Mapping):
        raise AgreementError("codings must map each coder to a list of (start, end, code) segments")
    if len(codings) < 2:
        raise AgreementError(f"unitized_alpha needs at least two coders, got {len(codings)}")
    coders = []
    for coder, segments in codings.items():
        if isinstance(segments, str | bytes) or not isinstance(segments, Iterable):
            raise AgreementError(
                f"coder {coder!r}: expected a list of (start, end, code) segments, "
                f"got {type(segments).__name__}"
            )
        by_code: dict[Hashable, list[tuple[int, int]]] = {}
        for segment in segments:
            try:
                start, stop, code = segment  # type: ignore[misc]
            except (TypeError, ValueError):
                raise AgreementError(
                    f"coder {coder!r}: segment {segment!r} is not a (start, end, code) triple"
                ) from None
            start = _position(start, f"coder {coder!r}: segment start")
            stop = _position(stop, f"coder {coder!r}: segment end")
            if start >= stop:
                raise AgreementError(
                    f"coder {coder!r}: segment {segment!r} is empty or reversed; "
                    "segments are half-open [start, end) with start < end"
                )
            if start < begin or stop > end:
                raise AgreementError(
                    f"coder {coder!r}: segment {segment!r} lies outside the continuum "
                    f"[{begin}, {end})"
                )
            try:
                hash(code)
            except TypeError:
                raise AgreementError(f"coder {coder!r}: code {code!r} is not hashable") from None
            if code is None:
                raise AgreementError(f"coder {coder!r}: segment {segment!r} has no code")
            by_code.setdefault(code, []).append((start, stop))
        for code, units in by_code.items():
            units.sort()
            merged = [units[0]]
            for start, stop in units[1:]:
                last_start, last_stop = merged[-1]
                if start < last_stop:
                    merged[-1] = (last_start, max(last_stop, stop))
                else:
                    merged.append((start, stop))
            by_code[code] = merged
        coders.append(by_code)
    return coders


def _sections(units: list[tuple[int, int]], begin: int, end: int) -> list[tuple[int, int, bool]]:
    """The partition of the continuum into coded units (True) and the gaps between (False)."""
    sections = []
    position = begin
    for start, stop in units:
        if start > position:
            sections.append((position, start, False))
        sections.append((start, stop, True))
        position = stop
    if position < end:
        sections.append((position, end, False))
    return sections


def _pair_disagreement(
    first: list[tuple[int, int, bool]], second: list[tuple[int, int, bool]]
) -> int:
    """Sum of delta^2 over all pairs of sections of two coders (each unordered pair once).

    Krippendorff (2004) defines, for sections g and h with begins b, lengths l, values v:
    both coded and overlapping: ``(b_g - b_h)**2 + (b_g + l_g - b_h - l_h)**2``; a coded g
    lying wholly inside a gap h: ``l_g**2`` (and the mirror case); otherwise 0. Every
    non-zero case needs the sections to overlap, so one sweep over the two partitions,
    which meets each overlapping pair exactly once, visits them all.
    """
    total = 0
    i = j = 0
    n_first, n_second = len(first), len(second)
    while i < n_first and j < n_second:
        s1, e1, coded1 = first[i]
        s2, e2, coded2 = second[j]
        if coded1:
            if coded2:
                total += (s1 - s2) ** 2 + (e1 - e2) ** 2
            elif s2 <= s1 and e1 <= e2:
                total += (e1 - s1) ** 2
        elif coded2 and s1 <= s2 and e2 <= e1:
            total += (e2 - s2) ** 2
        if e1 < e2:
            i += 1
        elif e2 < e1:
            j += 1
        else:
            i += 1
            j += 1
    return total


def _disagreements(
    begin: int, end: int, units_per_coder: list[list[tuple[int, int]]]
) -> tuple[Fraction, Fraction]:
    """Observed and expected disagreement (D_o, D_e) for one code, exactly.

    With m coders, continuum length L, the coders' coded units u (lengths l_u, N of them in
    all) and the gaps between them (lengths g), Krippendorff (2004, Quality & Quantity 38)::

        D_o = sum_{i != j} sum_{g, h} delta2(s_ig, s_jh) / (m (m - 1) L**2)

        D_e = (2 / L) * sum_u [ (N - 1)/3 * (2 l_u**3 - 3 l_u**2 + l_u)
                                + l_u**2 * sum_{gaps g >= l_u} (g - l_u + 1) ]
              / (m L (m L - 1) - sum_u l_u (l_u - 1))
    """
    m = len(units_per_coder)
    length = end - begin
    sections = [_sections(units, begin, end) for units in units_per_coder]

    observed = sum(_pair_disagreement(a, b) for a, b in combinations(sections, 2))
    d_o = Fraction(2 * observed, m * (m - 1) * length * length)

    unit_lengths = [stop - start for units in units_per_coder for start, stop in units]
    if not unit_lengths:
        return d_o, Fraction(0)
    n_units = len(unit_lengths)
    gaps = sorted(stop - start for coder in sections for start, stop, coded in coder if not coded)
    gap_sums = [0, *accumulate(gaps)]
    total_gaps = gap_sums[-1]
    numerator = 0
    squared = 0
    for size in unit_lengths:
        # (2l^3 - 3l^2 + l) = l (l - 1)(2l - 1) is a multiple of 6, so // 3 is exact.
        numerator += (n_units - 1) * (size * (size - 1) * (2 * size - 1) // 3)
        first_fit = bisect_left(gaps, size)
        fitting = len(gaps) - first_fit
        numerator += size * size * (total_gaps - gap_sums[first_fit] - (size - 1) * fitting)
        squared += size * (size - 1)
    denominator = length * (m * length * (m * length - 1) - squared)
    return d_o, Fraction(2 * numerator, denominator)


def unitized_alpha(
    continuum: tuple[int, int],
    codings: Mapping[Hashable, Iterable[Segment]],
    code: Hashable | None = None,
) -> float:
    """Krippendorff's unitizing alpha (binary, per code) for coders' segments of a text.

    ``continuum`` is the ``(start, end)`` of the coded stretch (a transcript: ``(0,
    len(text))``). ``codings`` maps each coder to a list of half-open ``(start, end, code)``
    segments in it; a coder with an empty list coded nothing, which counts (as
    disagreement wherever others coded). Offsets are integers (characters; whole
    milliseconds for media).

    For one code, each coder's segments of that code partition the continuum into coded
    units and uncoded gaps, and ``alpha = 1 - D_o / D_e`` (Krippendorff 2004, Quality &
    Quantity 38:787-800; Krippendorff 1995). D_o sums, over all pairs of coders and all
    pairs of their sections, the squared differences of overlapping units' begins and ends,
    plus the squared length of a unit that falls wholly within the other coder's gap; D_e is
    the same disagreement expected when all coders' units and gaps are placed independently.
    With m coders, continuum length L, N coded units (all coders) of lengths l_u, and the
    gaps between them of lengths g (Krippendorff 2004, Quality & Quantity 38)::

        D_o = sum_{i != j} sum_{g, h} delta2(s_ig, s_jh) / (m (m - 1) L**2)

        D_e = (2 / L) * sum_u [ (N - 1)/3 * (2 l_u**3 - 3 l_u**2 + l_u)
                                + l_u**2 * sum_{gaps g >= l_u} (g - l_u + 1) ]
              / (m L (m L - 1) - sum_u l_u (l_u - 1))

    where, for sections with begins b and lengths l, ``delta2`` is
    ``(b_g - b_h)**2 + (b_g + l_g - b_h - l_h)**2`` for two overlapping coded units,
    ``l_g**2`` for a coded unit g lying wholly inside a gap h (and the mirror case), and 0
    otherwise. Computed exactly (integers and fractions), in O(S log S) for S segments.

    * ``code`` given: alpha for that code. No coder used it: NaN (nothing to agree on).
    * ``code`` omitted: pooled over every code any coder used, as
      ``1 - sum_c D_o(c) / sum_c D_e(c)`` (each code's disagreements computed separately, then
      added; DKPro Statistics pools the same way). Codes with many long units weigh more.

    Overlapping segments of one coder and code are merged into one unit (a coder's units of
    a code may not overlap in Krippendorff's model); touching segments stay separate units,
    so coding ``[0, 5)`` and ``[5, 9)`` differs from coding ``[0, 9)``.

    Returns 1.0 for identical codings, about 0 for codings no better than chance, negative
    below that, and NaN when the expected disagreement is 0 (no code used). With more than
    two coders this 2004 definition is known to behave unexpectedly; Krippendorff, Mathet,
    Bouvry and Widlöcher (2016, "On the reliability of unitizing textual continua:
    further developments", Quality & Quantity) revised it.

    >>> codings = {
    ...     "Hannah": [(0, 40, "trust"), (60, 90, "trust")],
    ...     "Dev": [(0, 40, "trust"), (65, 90, "trust")],
    ... }
    >>> round(unitized_alpha((0, 100), codings, code="trust"), 4)
    0.9866
    """
    begin, end = _continuum(continuum)
    coders = _units_by_code(codings, begin, end)
    if code is not None:
        try:
            hash(code)
        except TypeError:
            raise AgreementError(f"code {code!r} is not hashable") from None
        codes: list[Hashable] = [code]
    else:
        codes = list(dict.fromkeys(c for coder in coders for c in coder))
    observed = expected = Fraction(0)
    for each in codes:
        d_o, d_e = _disagreements(begin, end, [coder.get(each, []) for coder in coders])
        observed += d_o
        expected += d_e
    if expected == 0:
        return math.nan
    return float(1 - observed / expected)


def unitized_alpha_by_code(
    continuum: tuple[int, int], codings: Mapping[Hashable, Iterable[Segment]]
) -> tuple[dict[Hashable, float], float]:
    """Unitizing alpha for every code any coder used, and pooled over them, in one pass:
    the same figures as :func:`unitized_alpha` with and without ``code``.

    >>> codings = {"Hannah": [(0, 40, "trust")], "Dev": [(0, 40, "trust")]}
    >>> unitized_alpha_by_code((0, 100), codings)
    ({'trust': 1.0}, 1.0)
    """
    begin, end = _continuum(continuum)
    coders = _units_by_code(codings, begin, end)
    per_code: dict[Hashable, float] = {}
    observed = expected = Fraction(0)
    for each in dict.fromkeys(c for coder in coders for c in coder):
        d_o, d_e = _disagreements(begin, end, [coder.get(each, []) for coder in coders])
        per_code[each] = float(1 - d_o / d_e) if d_e else math.nan
        observed += d_o
        expected += d_e
    return per_code, (float(1 - observed / expected) if expected else math.nan)
