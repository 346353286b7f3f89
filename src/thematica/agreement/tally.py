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

    def summary(self) -> tuple[float, float, float, float, float, float]:
        """``(units, prevalence, agreement, kappa, alpha, ac1)``, computed together: a
        comparison makes thousands of these."""
        m, by_count = self.coders, self.by_count
        n = sum(by_count)
        values, ones = m * n, sum(self.by_coder)
        p = _share(ones, values)
        if m == 2:  # pairs agree on units both or neither coded
            observed = _share(by_count[0] + by_count[2], n)
            p1, p2 = (_share(c, n) for c in self.by_coder)
            expected = p1 * p2 + (1 - p1) * (1 - p2)
            mixed = by_count[1]
        else:
            pairs = sum(c * (k * (k - 1) + (m - k) * (m - k - 1)) for k, c in enumerate(by_count))
            observed = _share(pairs, m * (m - 1) * n)
            expected = p * p + (1 - p) * (1 - p)
            mixed = sum(c * k * (m - k) for k, c in enumerate(by_count)) / (m - 1)
        zeros = values - ones
        alpha = (
            1 - (values - 1) * mixed / (zeros * ones) if values > 1 and ones and zeros else math.nan
        )
        return (
            n, p, observed, _corrected(observed, expected), alpha,
            _corrected(observed, 2 * p * (1 - p)),
        )  # fmt: skip

    @property
    def prevalence(self) -> float:
        """The share of decisions that say "coded": low prevalence makes kappa fragile."""
        return self.summary()[1]

    @property
    def percent_agreement(self) -> float:
        return self.summary()[2]

    @property
    def kappa(self) -> float:
        """Cohen's kappa for two coders, Fleiss' kappa for more."""
        return self.summary()[3]

    @property
    def alpha(self) -> float:
        """Krippendorff's alpha, nominal."""
        return self.summary()[4]

    @property
    def ac1(self) -> float:
        return self.summary()[5]

    @property
    def kappa_name(self) -> str:
        return "Cohen's kappa" if self.coders == 2 else "Fleiss' kappa"


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
