"""Krippendorff's alpha cross-checked against the ``krippendorff`` package on random data."""

import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from thematica.agreement import LEVELS, krippendorff_alpha

krippendorff = pytest.importorskip(
    "krippendorff", reason="the krippendorff package (dev extra) is not installed"
)
np = pytest.importorskip("numpy")


def reference(data, level):
    """The package's alpha, or None where it cannot give one (no variation, no pairs)."""
    array = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    values = array[~np.isnan(array)]
    if len(np.unique(values)) < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            value = krippendorff.alpha(reliability_data=array, level_of_measurement=level)
        except ValueError:
            return None
    return None if math.isnan(value) else float(value)


def has_pairable_variation(data):
    units = [[v for v in column if v is not None] for column in zip(*data, strict=True)]
    pairable = [v for unit in units if len(unit) >= 2 for v in unit]
    return len(set(pairable)) >= 2


reliability_data = st.integers(min_value=2, max_value=5).flatmap(
    lambda coders: st.integers(min_value=2, max_value=25).flatmap(
        lambda units: st.lists(
            st.lists(
                st.one_of(st.none(), st.integers(min_value=0, max_value=6)),
                min_size=units,
                max_size=units,
            ),
            min_size=coders,
            max_size=coders,
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(data=reliability_data, level=st.sampled_from(LEVELS))
def test_alpha_matches_krippendorff_package(data, level):
    assume(has_pairable_variation(data))
    expected = reference(data, level)
    assume(expected is not None)
    assert krippendorff_alpha(data, level) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_matches_krippendorff_package_seeded(level):
    rng = random.Random(20240611)
    for _ in range(60):
        coders = rng.randint(2, 6)
        units = rng.randint(5, 60)
        values = rng.randint(2, 8)
        missing = rng.random() * 0.5
        data = [
            [None if rng.random() < missing else rng.randint(1, values) for _ in range(units)]
            for _ in range(coders)
        ]
        expected = reference(data, level)
        if expected is None or not has_pairable_variation(data):
            continue
        assert krippendorff_alpha(data, level) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("level", ["interval", "ratio"])
def test_alpha_matches_krippendorff_package_on_real_numbers(level):
    rng = random.Random(7)
    for _ in range(30):
        data = [
            [None if rng.random() < 0.2 else round(rng.uniform(0, 100), 3) for _ in range(30)]
            for _ in range(rng.randint(2, 4))
        ]
        expected = reference(data, level)
        if expected is None:
            continue
        assert krippendorff_alpha(data, level) == pytest.approx(expected, rel=1e-9, abs=1e-9)
