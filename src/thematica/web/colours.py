"""The stylesheet of the codes' colours (``/codes.css``) and the stamp pages link it by.

Pages carry no inline style (the Content-Security-Policy forbids it): each code's colour
is one rule of this sheet, which the browser keeps for a year under its stamp. The stamp
is a digest of the sheet itself, so it changes when a code is added or recoloured and
at no other time: a link that changed with every change to the project would tell a
blind coder that others are at work.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thematica.project import Project


def stylesheet(project: Project) -> str:
    """One rule per code, its colour as ``--c``: ``.code-7{--c:#4e79a7}``."""
    return "".join(f".code-{i}{{--c:{colour}}}\n" for i, colour in project.codes.colours().items())


def stamp(project: Project) -> str:
    """What ``/codes.css?v=`` carries: a short digest of :func:`stylesheet`."""
    return hashlib.blake2b(stylesheet(project).encode(), digest_size=6).hexdigest()
