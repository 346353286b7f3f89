"""Bootstrap intervals: reproducible, resampling units, percentiles as numpy computes them."""

import math
import random
from functools import partial

import pytest

from thematica.agreement import (
    AgreementError,
    BootstrapInterval,
    bootstrap_interval,
    cohen_kappa,
    krippendorff_alpha,
)
from thematica.agreement.bootstrap import _quantile

from .test_statistics import COHEN_1960, KRIPPENDORFF_2011

interval_alpha = partial(krippendorff_alpha, level="interval")


def test_same_seed_same_interval_other_seed_other_interval():
    first = bootstrap_interval(interval_alpha, KRIPPENDORFF_2011, n=300, seed=11)
    again = bootstrap_interval(interval_alpha, KRIPPENDORFF_2011, n=300, seed=11)
    other = bootstrap_interval(interval_alpha, KRIPPENDORFF_2011, n=300, seed=12)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)
    assert isinstance(first, BootstrapInterval)
    assert (first.n, first.seed, first.level) == (300, 11, 0.95)


def test_estimate_and_interval_for_alpha():
    ci = bootstrap_interval(interval_alpha, KRIPPENDORFF_2011, seed=3)
    assert ci.estimate == pytest.approx(0.849, abs=5e-4)
    assert -1 <= ci.low < ci.estimate < ci.high <= 1
    assert ci.n == 1000


def test_interval_for_kappa_covers_the_estimate():
    # Cohen's (1960) 200 cases: kappa = .492; a 95% interval from 1000 resamples of 200 units
    # is about +-0.1 wide (its standard error is near .05).
    ci = bootstrap_interval(cohen_kappa, COHEN_1960, seed=1960)
    assert ci.estimate == pytest.approx(0.492, abs=5e-4)
    assert ci.low < ci.estimate < ci.high
    assert 0.1 < ci.high - ci.low < 0.3
    assert ci.undefined == 0


def test_matches_a_direct_resampling_with_numpy_percentiles():
    np = pytest.importorskip("numpy")
    seed, n, level = 99, 400, 0.9
    ci = bootstrap_interval(cohen_kappa, COHEN_1960, n=n, level=level, seed=seed)
    rng = random.Random(seed)
    units = list(zip(*COHEN_1960, strict=True))
    replicates = []
    for _ in range(n):
        picks = rng.choices(range(len(units)), k=len(units))
        replicates.append(cohen_kappa([[units[i][0] for i in picks], [units[i][1] for i in picks]]))
    low, high = np.percentile(replicates, [5, 95])
    assert ci.low == pytest.approx(low, rel=1e-12)
    assert ci.high == pytest.approx(high, rel=1e-12)


def test_quantile_matches_numpy():
    np = pytest.importorskip("numpy")
    rng = random.Random(5)
    for size in (1, 2, 3, 10, 101):
        values = sorted(rng.uniform(-1, 1) for _ in range(size))
        for p in (0.0, 0.025, 0.5, 0.975, 1.0):
            assert _quantile(values, p) == pytest.approx(float(np.percentile(values, 100 * p)))


def test_undefined_replicates_are_counted_and_left_out():
    # Three units, one of which is the only "b": many resamples hold only "a" units, where
    # kappa is undefined (NaN).
    data = [["a", "a", "b"], ["a", "a", "b"]]
    ci = bootstrap_interval(cohen_kappa, data, n=200, seed=4)
    assert 0 < ci.undefined < 200
    assert ci.low == ci.high == 1.0


def test_all_replicates_undefined():
    ci = bootstrap_interval(cohen_kappa, [["a", "a"], ["a", "a"]], n=20, seed=0)
    assert math.isnan(ci.estimate) and math.isnan(ci.low) and math.isnan(ci.high)
    assert ci.undefined == 20


def test_resamples_without_usable_units_count_as_undefined():
    # Only units 0 and 1 are coded by both coders; a resample holding only units 2 and 3
    # makes cohen_kappa raise InvalidInput, which counts as undefined, as do resamples whose
    # pairable units are all "a" or all "b" (NaN).
    data = [["a", "b", "a", None], ["a", "b", None, "b"]]
    ci = bootstrap_interval(cohen_kappa, data, n=200, seed=8)
    assert ci.estimate == 1.0
    assert 0 < ci.undefined < 200
    assert ci.low == ci.high == 1.0


def test_seed_is_drawn_and_reported_when_not_given():
    ci = bootstrap_interval(cohen_kappa, COHEN_1960, n=50)
    assert isinstance(ci.seed, int)
    assert bootstrap_interval(cohen_kappa, COHEN_1960, n=50, seed=ci.seed) == ci


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "positive integer"),
        ({"n": 2.5}, "positive integer"),
        ({"level": 1.0}, "between 0 and 1"),
        ({"level": 95}, "between 0 and 1"),
        ({"seed": "abc"}, "seed must be an integer"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(AgreementError, match=message):
        bootstrap_interval(cohen_kappa, COHEN_1960, **kwargs)


def test_statistic_must_be_callable_and_data_valid():
    with pytest.raises(AgreementError, match="statistic must be a function"):
        bootstrap_interval(0.5, COHEN_1960)
    with pytest.raises(AgreementError, match="ragged"):
        bootstrap_interval(cohen_kappa, [[1, 2], [1]])
