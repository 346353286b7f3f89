"""Agreement between coders: the kappa family, Krippendorff's alpha, unitizing alpha.

Reliability data come as rows, one per coder, with one value per unit and ``None`` where a
coder did not code a unit (see :mod:`thematica.agreement.statistics` for how each statistic
treats missing values and undefined cases).

>>> from thematica.agreement import cohen_kappa, krippendorff_alpha
>>> data = [["warmth", "trust", "trust", "warmth"], ["warmth", "trust", "warmth", "warmth"]]
>>> round(cohen_kappa(data), 3), round(krippendorff_alpha(data), 3)
(0.5, 0.533)
"""

from thematica.agreement.bootstrap import BootstrapInterval, bootstrap_interval
from thematica.agreement.statistics import (
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
from thematica.agreement.unitized import Segment, unitized_alpha, unitized_alpha_by_code

__all__ = [
    "LEVELS",
    "AgreementError",
    "BootstrapInterval",
    "Segment",
    "TooManyCoders",
    "bootstrap_interval",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "percent_agreement",
    "scott_pi",
    "unitized_alpha",
    "unitized_alpha_by_code",
]
