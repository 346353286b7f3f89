"""Bootstrap confidence intervals for agreement statistics, resampling units."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from numbers import Integral

from thematica.agreement.statistics import AgreementError, ReliabilityData, _rows
from thematica.errors import InvalidInput

__all__ = ["BootstrapInterval", "bootstrap_interval"]

Statistic = Callable[[Sequence[Sequence[Hashable | None]]], float]


@dataclass(frozen=True)
class BootstrapInterval:
    """A percentile bootstrap interval around an agreement statistic.

    ``estimate`` is the statistic on the data as given; ``low`` and ``high`` bound the
    ``level`` (e.g. 0.95) percentile interval of ``n - undefined`` bootstrap replicates.
    ``undefined`` counts replicates left out because the statistic was undefined on them
    (NaN, or no usable unit in the resample). ``seed`` reproduces the run.
    """

    estimate: float
    low: float
    high: float
    level: float
    n: int
    seed: int
    undefined: int


def _quantile(ordered: list[float], p: float) -> float:
    """The p-quantile of sorted values, interpolating linearly between order statistics.

    Hyndman and Fan's (1996) definition 7, as ``numpy.percentile`` computes by default.
    """
    h = (len(ordered) - 1) * p
    lower = math.floor(h)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (h - lower) * (ordered[upper] - ordered[lower])


def bootstrap_interval(
    statistic: Statistic,
    data: ReliabilityData,
    n: int = 1000,
    level: float = 0.95,
    seed: int | None = None,
) -> BootstrapInterval:
    """Percentile bootstrap confidence interval for an agreement statistic.

    Draws ``n`` resamples of the units (columns of the reliability data) with replacement,
    each as many units as the data has, with ``random.Random(seed)``; computes
    ``statistic`` on each and returns the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles
    of the replicates (the percentile interval: Efron, B. & Tibshirani, R. J. 1993, *An
    Introduction to the Bootstrap*, ch. 13). Units, not single values, are resampled, so the
    coders' values for one unit stay together. Replicates on which the statistic is undefined
    (NaN, or it raises :class:`~thematica.errors.InvalidInput` because the resample has no
    usable unit) are left out and counted in ``undefined``; if all are, ``low`` and ``high``
    are NaN.

    This is the plain nonparametric bootstrap over units. Hayes & Krippendorff (2007,
    *Communication Methods and Measures* 1(1):77-89) bootstrap alpha differently (from the
    coincidences of pairable values); with few units either interval is rough.

    ``statistic`` is called with the reliability data as a list of rows; give options with
    ``functools.partial`` or a lambda. ``seed=None`` draws a seed and reports it.

    >>> from functools import partial
    >>> from thematica.agreement import krippendorff_alpha
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    >>> ci = bootstrap_interval(partial(krippendorff_alpha, level="interval"), data, seed=7)
    >>> round(ci.estimate, 3), ci.low < ci.estimate < ci.high, ci.n, ci.seed
    (0.849, True, 1000, 7)
    """
    if not callable(statistic):
        raise AgreementError("statistic must be a function of the reliability data")
    if not isinstance(n, Integral) or isinstance(n, bool) or n < 1:
        raise AgreementError(
            f"n (the number of bootstrap resamples) must be a positive integer, got {n!r}"
        )
    if not isinstance(level, int | float) or not 0 < level < 1:
        raise AgreementError(f"level must be a confidence level between 0 and 1, got {level!r}")
    if seed is None:
        seed = random.SystemRandom().randrange(2**32)
    elif not isinstance(seed, Integral) or isinstance(seed, bool):
        raise AgreementError(f"seed must be an integer, got {seed!r}")
    rows = _rows(data)
    estimate = float(statistic(rows))
    rng = random.Random(seed)
    units = range(len(rows[0]))
    replicates: list[float] = []
    undefined = 0
    for _ in range(n):
        picks = rng.choices(units, k=len(units))
        resample = [[row[i] for i in picks] for row in rows]
        try:
            value = float(statistic(resample))
        except InvalidInput:
            undefined += 1
            continue
        if math.isnan(value):
            undefined += 1
        else:
            replicates.append(value)
    if replicates:
        replicates.sort()
        low = _quantile(replicates, (1 - level) / 2)
        high = _quantile(replicates, (1 + level) / 2)
    else:
        low = high = math.nan
    return BootstrapInterval(
        estimate=estimate,
        low=low,
        high=high,
        level=float(level),
        n=int(n),
        seed=int(seed),
        undefined=undefined,
    )
