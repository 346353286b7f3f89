"""Agreement about one code, from counts: who coded how much of the units.

Comparing coders over a study means one yes/no decision per coder, code and unit (a
character, a turn, a paragraph). Listing those decisions one by one would take millions
of values; every statistic of :mod:`thematica.agreement.statistics` for binary data
follows from two tallies instead, weighted by unit size where units are characters:

- ``by_count[k]``: the units coded by exactly ``k`` of the ``m`` coders;
- ``by_coder[c]``: the units coded by coder ``c``.

The formulas are those of the statistics module, specialised to two categories and no
missing values (tests check both give the same figures):

- observed agreement ``P_o``, the share of agreeing coder pairs per unit
  (Fleiss 1971, eq. 2): ``sum_k by_count[k] (k(k-1) + (m-k)(m-k-1)) / (m(m-1) N)``;
- Cohen's kappa (Cohen 1960), two coders: ``P_e = p_1 p_2 + (1-p_1)(1-p_2)`` with
  ``p_c = by_coder[c] / N``; Fleiss' kappa (Fleiss 1971), more coders:
  ``P_e = p^2 + (1-p)^2`` with ``p`` the share of all decisions that are "coded";
- Krippendorff's alpha, nominal (Krippendorff 2011): ``1 - (n-1) o_10 / (n_0 n_1)`` with
  the coincidence ``o_10 = sum_k by_count[k] k(m-k)/(m-1)``, ``n = mN`` values;
- Gwet's AC1 (Gwet 2008): ``P_e = 2p(1-p)``;
- prevalence: the share of decisions that are "coded", ``p``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    """The decisions of ``len(by_coder)`` coders about one code over some units."""

    by_count: tuple[float, ...]  # index k: units coded by exactly k coders
    by_coder: tuple[float, ...]  # units coded by each coder

    @classmethod
    def empty(cls, coders: int) -> Tally:
        return cls((0,) * (coders + 1), (0,) * coders)

    @property
    def coders(self) -> int:
        return len(self.by_coder)

    @property
    def units(self) -> float:
        return sum(self.by_count)

    def __add__(self, other: Tally) -> Tally:
        """Pool two tallies (two sources, or two codes) as one set of units."""
        return Tally(
            tuple(a + b for a, b in zip(self.by_count, other.by_count, strict=True)),
            tuple(a + b for a, b in zip(self.by_coder, other.by_coder, strict=True)),
        )

    @property
    def prevalence(self) -> float:
        """The share of decisions that say "coded": low prevalence makes kappa fragile."""
        return _share(sum(self.by_coder), self.coders * self.units)

    @property
    def percent_agreement(self) -> float:
        m, n = self.coders, self.units
        pairs = sum(
            count * (k * (k - 1) + (m - k) * (m - k - 1)) for k, count in enumerate(self.by_count)
        )
        return _share(pairs, m * (m - 1) * n)

    @property
    def kappa(self) -> float:
        """Cohen's kappa for two coders, Fleiss' kappa for more."""
        observed, n = self.percent_agreement, self.units
        if self.coders == 2:
            p1, p2 = (_share(c, n) for c in self.by_coder)
            expected = p1 * p2 + (1 - p1) * (1 - p2)
        else:
            p = self.prevalence
            expected = p * p + (1 - p) * (1 - p)
        return _corrected(observed, expected)

    @property
    def kappa_name(self) -> str:
        return "Cohen's kappa" if self.coders == 2 else "Fleiss' kappa"

    @property
    def alpha(self) -> float:
        """Krippendorff's alpha, nominal."""
        m = self.coders
        values = m * self.units
        ones = sum(self.by_coder)
        zeros = values - ones
        if values <= 1 or ones == 0 or zeros == 0:
            return math.nan
        mixed = sum(count * k * (m - k) for k, count in enumerate(self.by_count)) / (m - 1)
        return 1 - (values - 1) * mixed / (zeros * ones)

    @property
    def ac1(self) -> float:
        p = self.prevalence
        return _corrected(self.percent_agreement, 2 * p * (1 - p))


def _share(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def _corrected(observed: float, expected: float) -> float:
    if math.isnan(observed) or math.isnan(expected) or expected >= 1:
        return math.nan  # every decision the same: chance explains all, kappa is 0/0
    return (observed - expected) / (1 - expected)


def weighted_mean(values: Sequence[float], weights: Sequence[float]) -> float:
    """The mean of ``values`` weighted by ``weights``, leaving out undefined values."""
    pairs = [(v, w) for v, w in zip(values, weights, strict=True) if not math.isnan(v)]
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total else math.nan
