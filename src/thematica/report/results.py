"""The Results draft: everything a paper's Results section needs, gathered from a project.

>>> report = build_report(project, coder="Hannah")
>>> report.methods
'Twelve interview transcripts (30,142 words) were analysed ...'
>>> write_report(report, "results.docx")      # .md, .html or .docx

What it holds: the demographics table; a methods paragraph written from what the
project records (sources, coders, double coding and its agreement, consensus,
anonymisation, software and version); each theme with its definition, its prevalence
sentence, its subthemes and exemplar quotes; an appendix with the codebook and the
thematic map; and two charts (code frequency by a case attribute, code co-occurrence).

Every quote carries where it comes from (:class:`ReportQuote`: source, span, coder,
time in the recording), and the report names the audit event it was drawn after. The
same project gives the same report, byte for byte: everything is in a fixed order, and
the one time a file records (Word's document properties, its zip entries, the figures'
metadata) is ``SOURCE_DATE_EPOCH`` when set, else the time of that audit event.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import count
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from thematica.report import charts
from thematica.report.table1 import Table1, demographics
from thematica.store.schema import coder as coder_table
from thematica.store.schema import coding, source, time_anchor
from thematica.text.clock import clock

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from thematica.project import Project
    from thematica.themes.quotes import Quote

NUMBER_WORDS = (
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip


@dataclass(frozen=True)
class ReportQuote:
    """An exemplar quote as the report prints it, and where its words come from."""

    number: int  # Q1, Q2, ... in the order the report prints them
    text: str  # the words with their attribution: "Like she was my mum. [Mother 1]"
    theme: str  # the theme's path
    attribution: str  # "Mother 1"
    source: str
    start: int  # the printed words' span in the source, from the first kept word
    end: int  # to the last
    coder: str | None  # whose coding the quote was chosen from; None: that coding is gone
    time: float | None  # seconds into the recording, where the source has times

    @property
    def label(self) -> str:
        return f"Quote {self.number}"

    @property
    def span(self) -> str:
        return f"[{self.start}, {self.end})"

    @property
    def clock(self) -> str | None:
        """The time as ``m:ss`` (``h:mm:ss`` past an hour), or None."""
        return clock(self.time) if self.time is not None else None

    def provenance(self) -> str:
        """``Quote 1: interview-01.txt [6038, 6058), coded by Hannah, at 12:41``."""
        parts = [f"{self.label}: {self.source} {self.span}"]
        parts.append(f"coded by {self.coder}" if self.coder else "its coding since removed")
        if self.clock:
            parts.append(f"at {self.clock} in the recording")
        return ", ".join(parts)


@dataclass
class ThemeSection:
    name: str
    definition: str
    status: str
    contextual: bool
    prevalence: str  # the sentence a paper prints
    quotes: list[ReportQuote] = field(default_factory=list)
    subthemes: list[ThemeSection] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


@dataclass
class CodeEntry:
    path: str
    description: str
    codings: int
    depth: int


@dataclass
class Chart:
    title: str
    figure: Figure


@dataclass
class Report:
    title: str
    methods: str
    table1: Table1 | None
    themes: list[ThemeSection]
    codebook: list[CodeEntry]
    figures: list[Chart]  # the thematic map first, then the charts
    notes: list[str] = field(default_factory=list)
    as_of: str = ""  # the audit event the report was drawn after, in words
    stamp: datetime = datetime(1980, 1, 1, tzinfo=UTC)  # the time files record

    @property
    def quotes(self) -> list[ReportQuote]:
        """Every quote, in the order printed."""
        return [q for section in _sections(self.themes) for q in section.quotes]


def _sections(themes: list[ThemeSection]):
    for theme in themes:
        yield theme
        yield from _sections(theme.subthemes)


def _number(n: int, capital: bool = False) -> str:
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"
    return word.capitalize() if capital else word


def build_report(
    project: Project,
    coder: str | None = None,
    attribute: str | None = None,
    title: str | None = None,
    spec: Any = None,
) -> Report:
    """Gather the Results draft. ``coder`` is the layer prevalence and quotes count (by
    default every layer together); ``attribute`` the case attribute the frequency chart
    groups by (default: the first categorical one)."""
    notes: list[str] = []
    title = title or project.setting("name") or "Results"
    cases = project.cases.list()
    table1 = demographics(project, spec) if cases else None
    if table1 is None:
        notes.append("no participants: the demographics table is left out")
    sections = _themes(project, coder)
    if not sections:
        notes.append("no themes yet: add them with `thematica themes add`")
    codebook = [
        CodeEntry(code.path, code.description, code.codings, code.depth)
        for code in project.codes.list()
    ]
    figures = []
    if sections:
        figures.append(Chart("Thematic map", map_of(project, title)))
    if cases and any(c.codings for c in codebook):
        grouping = attribute or _first_grouping(project)
        if grouping:
            figures.append(
                Chart(f"Codes by {grouping}", charts.code_frequency(project, grouping, coder=coder))
            )
        figures.append(Chart("Code co-occurrence", charts.cooccurrence(project, coder=coder)))
    as_of, stamp = _state(project)
    return Report(title, methods(project), table1, sections, codebook, figures, notes, as_of, stamp)


def _state(project: Project) -> tuple[str, datetime]:
    """The report's place in the audit log in words, and the time its files record:
    ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention) if set, else the time of
    the last audit event, so the same project always gives the same bytes."""
    (last,) = project.log(1)
    at = datetime.fromisoformat(last.at)
    as_of = (
        f"Drawn from the project as it stood after audit event {last.id} ({at:%Y-%m-%d %H:%M} UTC)."
    )
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            at = datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            from thematica.errors import InvalidInput

            raise InvalidInput(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {epoch!r}"
            ) from None
    return as_of, at


def _first_grouping(project: Project) -> str | None:
    """The first attribute that groups participants: categorical, ordinal or yes/no, else
    text with a few distinct values."""
    attributes = project.cases.attributes()
    for attribute in attributes:
        if attribute.type in ("categorical", "ordinal", "boolean"):
            return attribute.name
    cases = project.cases.list()
    for attribute in attributes:
        values = {c.attributes.get(attribute.name) for c in cases} - {None}
        if attribute.type == "text" and 1 < len(values) <= 12:
            return attribute.name
    return None


def _themes(project: Project, coder: str | None) -> list[ThemeSection]:
    themes = project.themes.list()
    if not themes:
        return []
    prevalence = project.themes.prevalence(coder)
    total = prevalence.participants
    counts = {(row.kind, row.theme): row for row in prevalence.rows if row.kind != "code"}
    quotes: dict[str, list[ReportQuote]] = {}
    for quote in _with_provenance(project, project.themes.quotes()):
        quotes.setdefault(quote.theme, []).append(quote)
    by_path = {t.path: t for t in themes}

    def section(theme) -> ThemeSection:
        row = counts.get((theme.kind, theme.path))
        if row is None or not total:
            sentence = "Not yet drawn from any coded segment."
        else:
            sentence = (
                f"Drawn on by {row.words} ({row.participants} of {total} "
                f"{prevalence.wording.plural}; {row.sources} "
                f"{'source' if row.sources == 1 else 'sources'}, "
                f"{row.codings} coded {'segment' if row.codings == 1 else 'segments'})."
            )
        children = [by_path[f"{theme.path}/{name}"] for name in theme.subthemes]
        return ThemeSection(
            theme.name, theme.definition, theme.status, theme.contextual, sentence,
            quotes.get(theme.path, []), [section(c) for c in children], list(theme.codes),
        )  # fmt: skip

    top = [t for t in themes if t.depth == 0]
    # A contextual theme frames the others: papers present it first.
    top.sort(key=lambda t: not t.contextual)
    sections = [section(t) for t in top]
    numbers = count(1)
    for each in _sections(sections):
        each.quotes = [replace(q, number=next(numbers)) for q in each.quotes]
    return sections


def _with_provenance(project: Project, quotes: list[Quote]) -> list[ReportQuote]:
    """The quotes with their coder and time in the recording (numbered later)."""
    found = []
    with project.read() as conn:
        coders = dict(
            conn.execute(
                select(coding.c.id, coder_table.c.name)
                .join(coder_table, coder_table.c.id == coding.c.coder_id)
                .where(coding.c.id.in_([q.coding for q in quotes if q.coding is not None]))
            ).all()
        )
        for quote in quotes:
            start, end = quote.start, quote.end
            if quote.keep:
                start, end = quote.start + quote.keep[0][0], quote.start + quote.keep[-1][1]
            ms = conn.execute(
                select(time_anchor.c.ms)
                .join(source, source.c.id == time_anchor.c.source_id)
                .where(source.c.name == quote.source, time_anchor.c.start <= start)
                .order_by(time_anchor.c.start.desc())
                .limit(1)
            ).scalar()
            found.append(
                ReportQuote(
                    0, quote.render(), quote.theme, quote.attribution, quote.source, start, end,
                    coders.get(quote.coding), None if ms is None else ms / 1000,
                )
            )  # fmt: skip
    return found


def map_of(project: Project, title: str | None = None) -> Figure:
    """The project's thematic map (see :func:`thematica.report.charts.thematic_map`)."""
    title = title or project.setting("name") or "Themes"
    return charts.thematic_map(title, _map_themes(project))


def _map_themes(project: Project) -> list[charts.MapTheme]:
    themes = project.themes.list()
    by_path = {t.path: t for t in themes}

    def node(theme) -> charts.MapTheme:
        subs = [node(by_path[f"{theme.path}/{name}"]) for name in theme.subthemes]
        return charts.MapTheme(theme.name, theme.contextual, subs, list(theme.codes))

    return [node(t) for t in themes if t.depth == 0]


def methods(project: Project) -> str:
    """A methods paragraph from what the project records, with every figure in it."""
    from thematica import __version__
    from thematica.agreement import consensus as consensus_queue
    from thematica.agreement.compare import compare
    from thematica.agreement.double_coding import picked
    from thematica.errors import ThematicaError

    sources = project.sources.list()
    words = sum(s.words for s in sources)
    layers: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    with project.read() as conn:
        per_source = conn.execute(
            select(coder_table.c.name, coding.c.source_id, func.count())
            .join(coder_table, coder_table.c.id == coding.c.coder_id)
            .group_by(coder_table.c.name, coding.c.source_id)
        ).all()
    for name, source_id, n in per_source:
        layers.setdefault(name, set()).add(source_id)
        counts[name] = counts.get(name, 0) + n
    people = {
        name: found for name, found in layers.items() if name not in ("consensus", "structural")
    }
    parts = [
        f"{_number(len(sources), capital=True)} interview "
        f"{'transcript' if len(sources) == 1 else 'transcripts'} ({words:,} words) "
        f"were analysed in Thematica {__version__}."
    ]
    ranked = sorted(people, key=lambda name: (-len(people[name]), name))
    if ranked:
        lead = ranked[0]
        share = (
            f"all {_number(len(sources))}"
            if len(people[lead]) == len(sources)
            else f"{_number(len(people[lead]))} of them"
        )
        parts.append(f"{lead} coded {share} ({counts[lead]:,} codings).")
    doubled = picked(project)
    if len(ranked) >= 2:
        second = ranked[1]
        how = f", picked {doubled[0].method}" if doubled else ""
        parts.append(
            f"{second} coded {_number(len(people[second]))} independently "
            f"({counts[second]:,} codings{how})."
        )
        try:
            result = compare(project, [lead, second], unit="turn")
        except ThematicaError:
            result = None
        if result is not None and result.codes:
            o = result.overall
            parts.append(
                f"On the {_number(len(result.sources))} double-coded transcripts, with speaker "
                "turns "
                f"as units and all codes pooled, agreement was {o.percent:.1%}, "
                f"{result.kappa_name} {o.kappa:.2f} and Krippendorff's alpha {o.alpha:.2f} "
                f"(prevalence {o.prevalence:.3f}: the share of turns coded)."
            )
        try:
            state = consensus_queue.progress(project)
        except ThematicaError:
            state = None
        if state is not None and state.total:
            parts.append(
                f"The {state.total} disagreements were discussed against the transcripts; "
                + (
                    "all were resolved into a consensus layer."
                    if state.resolved == state.total
                    else f"{state.resolved} have been resolved into a consensus layer so far."
                )
            )
    anonymised = [e for e in project.log(None) if e.action == "anonymise"]
    if anonymised:
        replaced = sum((e.after or {}).get("replaced", 0) for e in anonymised)
        parts.append(
            f"Identifying details ({replaced:,} in all) were replaced with bracketed "
            "placeholders, and the originals kept in an encrypted key outside the project."
        )
    return " ".join(parts)
