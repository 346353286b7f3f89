"""The counting shortcut gives the same figures as the statistics on unit-by-unit data."""

import math
import random

import pytest

from thematica.agreement import (
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from thematica.agreement.tally import Tally, weighted_mean


def tally_of(rows):
    m = len(rows)
    by_count = [0] * (m + 1)
    for unit in zip(*rows, strict=True):
        by_count[sum(unit)] += 1
    return Tally(tuple(by_count), tuple(sum(row) for row in rows))


@pytest.mark.parametrize("coders", [2, 3, 4])
def test_tally_figures_equal_the_statistics_on_the_units(coders):
    rng = random.Random(coders)
    for _ in range(40):
        units = rng.randint(5, 60)
        share = rng.random()
        rows = [[int(rng.random() < share) for _ in range(units)] for _ in range(coders)]
        tally = tally_of(rows)
        kappa = cohen_kappa(rows) if coders == 2 else fleiss_kappa(rows)
        expected = [
            percent_agreement(rows),
            kappa,
            krippendorff_alpha(rows),
            gwet_ac1(rows, categories=[0, 1]),
        ]
        got = [tally.percent_agreement, tally.kappa, tally.alpha, tally.ac1]
        for want, have in zip(expected, got, strict=True):
            assert (math.isnan(want) and math.isnan(have)) or have == pytest.approx(want)


def test_a_low_kappa_with_high_agreement_is_explained_by_prevalence():
    # 100 units: each coder codes 2, one in common. Agreement is high, kappa middling.
    tally = Tally((97, 2, 1), (2, 2))
    assert tally.percent_agreement == pytest.approx(0.98)
    assert tally.prevalence == pytest.approx(0.02)
    # p_e = 0.02 * 0.02 + 0.98 * 0.98 = 0.9608; kappa = (0.98 - 0.9608) / 0.0392
    assert tally.kappa == pytest.approx(0.4898, abs=1e-4)


def test_nothing_coded_leaves_kappa_and_alpha_undefined():
    tally = Tally((50, 0, 0), (0, 0))
    assert tally.percent_agreement == 1
    assert math.isnan(tally.kappa) and math.isnan(tally.alpha)


def test_weighted_mean_leaves_out_undefined_values():
    assert weighted_mean([1.0, math.nan, 0.0], [3, 100, 1]) == 0.75
    assert math.isnan(weighted_mean([math.nan], [1]))
