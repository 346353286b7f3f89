"""Double coding: choose the sources a second coder codes, and keep coders blind.

>>> double_coding.pick(project, random=3, seed=7, stratify="location")
['interview-02.txt', 'interview-08.txt', 'interview-14.txt']
>>> double_coding.set_blind(project, "Dev")

A draw is reproducible: its method and seed are recorded with each source picked (and
in the audit log), so a methods section can say how the sources were chosen. While a
coder is blind, the API, the CLI and the browser hide other coders' codings of the
picked sources from them (see :func:`thematica.coding.coders.hide_from_blind`).
"""

from __future__ import annotations

import random as random_module
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from thematica.errors import InvalidInput
from thematica.store.schema import attribute, case_value, double_coded, source, source_case
from thematica.store.schema import coder as coder_table

if TYPE_CHECKING:
    from thematica.project import Project


@dataclass(frozen=True)
class Picked:
    source: str
    method: str
    picked: str


def pick(
    project: Project,
    sources: list[str] | None = None,
    random: int | None = None,
    seed: int | None = None,
    stratify: str | None = None,
) -> list[str]:
    """Pick sources for double coding: named ones, or ``random`` of them drawn with
    ``seed`` (a fresh seed is chosen and recorded when none is given), spread over the
    values of a case attribute when ``stratify`` names one. Returns the names picked."""
    from thematica.ingest.refs import find_source
    from thematica.project import now

    if (sources is None) == (random is None):
        raise InvalidInput("name the sources, or ask for a random draw (--random N)")
    with project.transaction("pick for double coding") as tx:
        already = set(tx.conn.execute(select(double_coded.c.source_id)).scalars())
        every = dict(tx.conn.execute(select(source.c.id, source.c.name)).all())
        if sources is not None:
            chosen = [find_source(tx.conn, name).id for name in sources]
            method = "by hand"
        else:
            if seed is None:
                seed = random_module.SystemRandom().randrange(1, 1_000_000)
            pool = sorted((i for i in every if i not in already), key=every.get)
            if not 0 < random <= len(pool):
                raise InvalidInput(
                    f"cannot draw {random} of the {len(pool)} sources not yet picked"
                )
            rng = random_module.Random(seed)
            if stratify:
                strata = _strata(tx.conn, stratify, pool)
                chosen = _stratified(rng, strata, random)
                method = f"stratified by {stratify}: {random} of {len(pool)}, seed {seed}"
            else:
                chosen = rng.sample(pool, random)
                method = f"random: {random} of {len(pool)}, seed {seed}"
        new = [i for i in dict.fromkeys(chosen) if i not in already]
        if not new:  # only by hand: a draw takes from the sources not yet picked
            named = sorted({every[i] for i in chosen})
            verb = "is" if len(named) == 1 else "are"
            raise InvalidInput(f"{', '.join(named)} {verb} already picked for double coding")
        stamp = now()
        tx.insert_many(
            double_coded, [{"source_id": i, "method": method, "picked": stamp} for i in new]
        )
        names = sorted(every[i] for i in new)
        tx.target = f"{len(names)} sources"
        tx.after = {"sources": names, "method": method}
    return names


def _strata(conn, name: str, pool: list[int]) -> dict[str, list[int]]:
    from thematica.errors import not_found

    attributes = dict(conn.execute(select(attribute.c.name, attribute.c.id)).all())
    if name not in attributes:
        raise not_found("attribute", name, list(attributes), "thematica cases list")
    attribute_id = attributes[name]
    values = dict(
        conn.execute(
            select(source_case.c.source_id, case_value.c.value)
            .join(case_value, case_value.c.case_id == source_case.c.case_id)
            .where(case_value.c.attribute_id == attribute_id)
        ).all()
    )
    strata: dict[str, list[int]] = defaultdict(list)
    for source_id in pool:
        value = values.get(source_id)
        strata["(none)" if value is None else str(value)].append(source_id)
    return dict(sorted(strata.items()))


def _stratified(rng: random_module.Random, strata: dict[str, list[int]], n: int) -> list[int]:
    """``n`` sources spread over the strata in proportion to their size (largest
    remainders get the leftover places), drawn at random within each."""
    total = sum(len(members) for members in strata.values())
    shares = {key: n * len(members) / total for key, members in strata.items()}
    places = {key: int(share) for key, share in shares.items()}
    leftover = n - sum(places.values())
    for key in sorted(shares, key=lambda k: (-(shares[k] - places[k]), k))[:leftover]:
        places[key] += 1
    return [i for key, members in strata.items() for i in rng.sample(members, places[key])]


def picked(project: Project) -> list[Picked]:
    """The sources picked for double coding, with how and when."""
    with project.read() as conn:
        rows = conn.execute(
            select(source.c.name, double_coded.c.method, double_coded.c.picked)
            .join(source, source.c.id == double_coded.c.source_id)
            .order_by(source.c.name)
        ).all()
    return [Picked(*row) for row in rows]


def set_blind(project: Project, coder: str, blind: bool = True) -> None:
    """Hide (or show again) other coders' codings of double-coded sources from ``coder``."""
    from thematica.coding.coders import ensure_coder

    with project.transaction("blind coder" if blind else "unblind coder", coder) as tx:
        coder_id = ensure_coder(tx, coder)
        tx.update(coder_table, coder_id, {"blind": blind})
