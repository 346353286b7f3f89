"""Braun & Clarke's six phases of thematic analysis, and how far the analysis has got.

The project records the phase it is in (the ``phase`` setting, 1 when never set); the
progress figures are read from the data:

* sources familiarised: sources with at least one memo anchored to them (notes made
  while reading);
* sources coded: sources with at least one coding, leaving out structural coding by
  interview guide (provenance ``guide``, made by the program, not by reading);
* codes in themes: of the codes with at least one such coding, those linked to a theme
  directly or through a linked parent code;
* themes defined: themes and subthemes whose status is ``defined``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import distinct, func, select

from thematica.coding.coders import find_coder
from thematica.errors import InvalidInput
from thematica.store.schema import coding, memo, source, theme
from thematica.themes.tree import CodeNames, ThemeTree

if TYPE_CHECKING:
    from thematica.project import Project

PHASE_SETTING = "phase"
PHASES = (
    "familiarising with the data",
    "generating initial codes",
    "searching for themes",
    "reviewing themes",
    "defining and naming themes",
    "writing up",
)
STRUCTURAL = "guide"  # provenance of codings made by structural coding


def phase_name(phase: int) -> str:
    return PHASES[phase - 1]


def current_phase(project: Project) -> int:
    value = project.setting(PHASE_SETTING)
    return int(value) if value else 1


def set_phase(project: Project, phase: int) -> int:
    """Record the phase the analysis is in; return the phase it was in."""
    from thematica.project import write_setting

    if isinstance(phase, bool) or not isinstance(phase, int) or not 1 <= phase <= len(PHASES):
        listing = "; ".join(f"{n} {name}" for n, name in enumerate(PHASES, start=1))
        raise InvalidInput(f"phase must be 1 to {len(PHASES)}: {listing}")
    was = current_phase(project)
    with project.transaction("set phase", f"{phase}: {phase_name(phase)}") as tx:
        write_setting(tx, PHASE_SETTING, str(phase))
        tx.before = {"phase": was, "name": phase_name(was)}
        tx.after = {"phase": phase, "name": phase_name(phase)}
    return was


@dataclass(frozen=True)
class Progress:
    phase: int
    phase_name: str
    sources: int
    familiarised: int
    coded: int
    codes: int  # codes with codings (not counting structural coding)
    codes_in_themes: int
    themes: int  # themes and subthemes
    reviewed: int
    defined: int
    coder: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def progress(project: Project, coder: str | None = None) -> Progress:
    with project.read() as conn:
        analytic = coding.c.provenance != STRUCTURAL
        where = [analytic]
        if coder is not None:
            where.append(coding.c.coder_id == find_coder(conn, coder))
        sources = conn.execute(select(func.count()).select_from(source)).scalar_one()
        familiarised = conn.execute(
            select(func.count(distinct(memo.c.source_id))).where(
                memo.c.anchor_kind == "source", memo.c.source_id.is_not(None)
            )
        ).scalar_one()
        coded = conn.execute(
            select(func.count(distinct(coding.c.source_id))).where(*where)
        ).scalar_one()
        used = set(conn.execute(select(coding.c.code_id).where(*where).distinct()).scalars())
        tree, names = ThemeTree(conn), CodeNames(conn)
        linked = {c for links in tree.links.values() for _, c in links}
        in_themes = {d for c in linked for d in names.with_descendants(c)}
        statuses = dict(
            conn.execute(select(theme.c.status, func.count()).group_by(theme.c.status)).all()
        )
    phase = current_phase(project)
    return Progress(
        phase=phase,
        phase_name=phase_name(phase),
        sources=sources,
        familiarised=familiarised,
        coded=coded,
        codes=len(used),
        codes_in_themes=len(used & in_themes),
        themes=sum(statuses.values()),
        reviewed=statuses.get("reviewed", 0),
        defined=statuses.get("defined", 0),
        coder=coder,
    )
