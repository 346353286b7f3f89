"""Figures for the report: where people would rather look than read.

>>> figure = code_frequency(project, "location", coder="Hannah")
>>> save(figure, "frequency.svg")      # or .png; svg_markup(figure) for a web page

- :func:`code_frequency`: for the most used codes, the share of participants in each
  group of a case attribute who have at least one coded segment;
- :func:`cooccurrence`: how often two codes overlap on the same passage;
- :func:`thematic_map`: themes, subthemes and their codes as a figure.

Drawn with Matplotlib's Agg backend: a Python wheel, no system package, no display.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.errors import InvalidInput
from thematica.store.schema import case as case_table
from thematica.store.schema import coder as coder_table
from thematica.store.schema import coding, source_case, turn

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from thematica.project import Project

INK = "#2b2b2b"
PALE = "#f3f1ec"


def _figure(width: float, height: float) -> Figure:
    # The object interface, not pyplot: no global state, no display, safe in a server.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=150)
    figure.patch.set_facecolor("white")
    return figure


def _savefig(figure: Figure, target: Any, format: str, date: datetime | None) -> None:
    """Save with nothing that changes from one run to the next: SVG ids come from a
    fixed salt (not a random one), and the file records ``date`` as its time (SVG: none
    if not given; PNG records none of its own)."""
    import matplotlib

    when = date.isoformat() if date else None
    metadata = {"Date": when} if format == "svg" else {"Creation Time": when}
    with matplotlib.rc_context({"svg.hashsalt": "thematica"}):
        figure.savefig(target, format=format, bbox_inches="tight", metadata=metadata)


def save(figure: Figure, path: str | Path, date: datetime | None = None) -> Path:
    """Write the figure as SVG or PNG, chosen by the file's suffix."""
    path = Path(path)
    if path.suffix.lower() not in (".svg", ".png"):
        raise InvalidInput(f"write a figure to a .svg or .png file, not {path.name}")
    _savefig(figure, path, path.suffix.lower().lstrip("."), date)
    return path


def svg_markup(figure: Figure, date: datetime | None = None) -> str:
    """The figure as an inline ``<svg>`` element, for a self-contained HTML page."""
    buffer = io.StringIO()
    _savefig(figure, buffer, "svg", date)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def png_bytes(figure: Figure, date: datetime | None = None) -> bytes:
    buffer = io.BytesIO()
    _savefig(figure, buffer, "png", date)
    return buffer.getvalue()


def _coded_cases(project: Project, coder: str | None) -> dict[int, set[int]]:
    """Code id -> the cases with at least one segment of it: the turn's participant where
    turns are linked to one, else the source's participants."""
    with project.read() as conn:
        query = select(
            coding.c.code_id, coding.c.source_id, coding.c.start, coding.c.end
        ).select_from(coding.join(coder_table, coder_table.c.id == coding.c.coder_id))
        if coder is not None:
            query = query.where(coder_table.c.name == coder)
        rows = conn.execute(query).all()
        linked: dict[int, set[int]] = defaultdict(set)
        for source_id, case_id in conn.execute(
            select(source_case.c.source_id, source_case.c.case_id)
        ):
            linked[source_id].add(case_id)
        speakers: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        for source_id, start, end, case_id in conn.execute(
            select(turn.c.source_id, turn.c.start, turn.c.end, turn.c.case_id).where(
                turn.c.case_id.is_not(None)
            )
        ):
            speakers[source_id].append((start, end, case_id))
    found: dict[int, set[int]] = defaultdict(set)
    for code_id, source_id, start, end in rows:
        voiced = {c for s, e, c in speakers.get(source_id, ()) if s < end and start < e}
        found[code_id] |= voiced or linked.get(source_id, set())
    return found


def code_frequency(
    project: Project, attribute: str, coder: str | None = None, top: int = 8
) -> Figure:
    """Bars: for the ``top`` codes that differ most between the groups of ``attribute``
    (e.g. location), the share of each group with at least one coded segment."""
    cases = project.cases.list()
    if not any(attribute in c.attributes for c in cases):
        from thematica.errors import not_found

        names = sorted({name for c in cases for name in c.attributes})
        raise not_found("attribute", attribute, names, "thematica cases list")
    with project.read() as conn:
        case_ids = dict(conn.execute(select(case_table.c.label, case_table.c.id)).all())
    group_of = {case_ids[c.label]: str(c.attributes.get(attribute, "(none)")) for c in cases}
    sizes = Counter(group_of.values())
    groups = sorted(sizes)
    coded = _coded_cases(project, coder)
    by_id = _code_paths(project)

    def share(code_id: int, group: str) -> float:
        return 100 * sum(1 for c in coded[code_id] if group_of.get(c) == group) / sizes[group]

    # The codes whose share differs most between the groups: a code every participant
    # has tells nothing about the attribute.
    def spread(code_id: int) -> float:
        shares = [share(code_id, g) for g in groups]
        return max(shares) - min(shares)

    ranked = sorted(coded, key=lambda c: (-spread(c), -len(coded[c]), by_id[c]))[:top]
    figure = _figure(7, 0.55 * len(ranked) + 1.2)
    axes = figure.add_subplot()
    height = 0.8 / max(1, len(groups))
    colours = _palette(len(groups))
    for g, group in enumerate(groups):
        shares = [share(code_id, group) for code_id in ranked]
        axes.barh(
            [i + g * height for i in range(len(ranked))], shares, height=height,
            color=colours[g], label=f"{group} (n = {sizes[group]})",
        )  # fmt: skip
    axes.set_yticks([i + height * (len(groups) - 1) / 2 for i in range(len(ranked))])
    axes.set_yticklabels([_short(by_id[code_id]) for code_id in ranked], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("participants with the code (%)", fontsize=8)
    axes.set_title(f"Codes by {attribute}", fontsize=10, loc="left", color=INK)
    axes.legend(fontsize=7, frameon=False, loc="lower right")
    _tidy(axes)
    return figure


def cooccurrence(project: Project, coder: str | None = None, top: int = 12) -> Figure:
    """Heatmap: how many segments of one code overlap a segment of another, for the
    ``top`` most used codes (the diagonal counts each code's segments)."""
    with project.read() as conn:
        query = select(coding.c.source_id, coding.c.start, coding.c.end, coding.c.code_id).join(
            coder_table, coder_table.c.id == coding.c.coder_id
        )
        if coder is not None:
            query = query.where(coder_table.c.name == coder)
        rows = conn.execute(
            query.order_by(coding.c.source_id, coding.c.start, coding.c.end, coding.c.id)
        ).all()
    by_id = _code_paths(project)
    used = Counter(row.code_id for row in rows)
    ranked = [code_id for code_id, _ in sorted(used.items(), key=lambda i: (-i[1], by_id[i[0]]))][
        :top
    ]
    index = {code_id: i for i, code_id in enumerate(ranked)}
    counts = [[0] * len(ranked) for _ in ranked]
    by_source: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        if row.code_id in index:
            by_source[row.source_id].append(row)
    for found in by_source.values():
        for i, a in enumerate(found):
            counts[index[a.code_id]][index[a.code_id]] += 1
            for b in found[i + 1 :]:
                if b.start >= a.end:
                    break
                if b.code_id != a.code_id:
                    counts[index[a.code_id]][index[b.code_id]] += 1
                    counts[index[b.code_id]][index[a.code_id]] += 1
    size = 0.45 * len(ranked) + 2
    figure = _figure(size + 1, size)
    axes = figure.add_subplot()
    image = axes.imshow(counts, cmap="YlOrBr")
    labels = [_short(by_id[code_id], 28) for code_id in ranked]
    axes.set_xticks(range(len(ranked)), labels, rotation=60, ha="right", fontsize=7)
    axes.set_yticks(range(len(ranked)), labels, fontsize=7)
    for i, row in enumerate(counts):
        for j, value in enumerate(row):
            if value:
                axes.text(j, i, str(value), ha="center", va="center", fontsize=6, color=INK)
    axes.set_title("Codes on the same passage", fontsize=10, loc="left", color=INK)
    figure.colorbar(image, ax=axes, shrink=0.7).ax.tick_params(labelsize=7)
    return figure


@dataclass
class MapTheme:
    """A theme as the map draws it."""

    name: str
    contextual: bool = False
    subthemes: list[MapTheme] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def thematic_map(title: str, themes: Sequence[MapTheme]) -> Figure:
    """Themes as columns under the study, each with its subthemes and their codes; a
    contextual theme is drawn dashed, as the frame of the others."""
    if not themes:
        raise InvalidInput("the project has no themes to draw: add them first")
    columns = len(themes)
    depth = max(1 + sum(1 + len(s.codes) for s in t.subthemes) + len(t.codes) for t in themes)
    figure = _figure(max(7.0, 2.6 * columns), 1.2 + 0.32 * depth)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, columns)
    axes.set_ylim(-depth - 1.5, 1.2)
    axes.axis("off")
    box = {"boxstyle": "round,pad=0.4", "linewidth": 1}
    axes.text(columns / 2, 0.6, _wrap(title, 60), ha="center", va="center", fontsize=11,
              color=INK, bbox={**box, "facecolor": PALE, "edgecolor": INK})  # fmt: skip
    colours = _palette(columns)
    lowest = -2.0
    for x, theme in enumerate(themes):
        centre = x + 0.5
        style = "--" if theme.contextual else "-"
        line = {"arrowstyle": "-", "color": "#999999", "linestyle": style}
        axes.annotate("", (centre, -0.55), (columns / 2, 0.3), arrowprops=line)
        label = theme.name + ("\n(contextual)" if theme.contextual else "")
        axes.text(centre, -1, _wrap(label, 24), ha="center", va="center", fontsize=8.5,
                  color=INK, bbox={**box, "facecolor": colours[x], "edgecolor": INK,
                                   "linestyle": style})  # fmt: skip
        y = -1.6 - 0.3 * len(_wrap(label, 24).splitlines())
        for code in theme.codes:
            axes.text(centre, y, _short(code.split("/")[-1], 30), ha="center", fontsize=6.5,
                      color="#555555")  # fmt: skip
            y -= 0.45
        for sub in theme.subthemes:
            frame = {**box, "facecolor": "white", "edgecolor": colours[x]}
            axes.text(centre, y, _wrap(sub.name, 28), ha="center", va="center", fontsize=7.5,
                      color=INK, bbox=frame)  # fmt: skip
            y -= 0.75
            for code in sub.codes:
                axes.text(centre, y, _short(code.split("/")[-1], 30), ha="center",
                          fontsize=6.5, color="#555555")  # fmt: skip
                y -= 0.4
            y -= 0.2
        lowest = min(lowest, y)
    axes.set_ylim(lowest, 1.2)
    figure.set_figheight(0.45 * (1.2 - lowest))
    return figure


def _code_paths(project: Project) -> dict[int, str]:
    from thematica.coding.codebook import _Tree

    with project.read() as conn:
        tree = _Tree(conn)
        return {code_id: tree.path(code_id) for code_id in tree.rows}


def _palette(n: int) -> list[str]:
    colours = ["#f4c7a1", "#b9d7c4", "#c9c3e6", "#f2e2a0", "#a9cfe6", "#e8b7c8", "#d5d0c4"]
    return [colours[i % len(colours)] for i in range(n)]


def _short(text: str, width: int = 40) -> str:
    text = text.split("/")[-1]
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def _tidy(axes: Any) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=7, colors=INK)
