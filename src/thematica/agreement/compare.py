"""Compare coder layers over a study's sources, per code and overall, on a named unit.

>>> result = compare(project, ["Hannah", "Dev"], unit="turn")
>>> [(c.code, round(c.kappa, 2), round(c.prevalence, 2)) for c in result.codes][:1]
[('Feeling mothered', 0.71, 0.08)]

Units, each named in the output so nobody has to guess what a figure counts:

- ``char``: every character is a decision (NVivo's coding comparison). Agreement and
  kappa are computed per code per source, and a code's figure is their mean weighted by
  source length, labelled as such; alpha is computed over all characters pooled.
- ``turn`` / ``paragraph``: a unit counts as coded by a coder if any of it is.
- ``segment``: each coder's coded segments, matched with the other coder's segments of
  the same code when they overlap by at least ``threshold`` of their joint extent
  (MAXQDA's segment comparison); two coders only.

Alongside agreement, each row gives prevalence (the share of decisions that are "coded"),
which explains a low kappa with high agreement instead of hiding it. Everything works on
sorted interval lists, never per-character arrays, so 100,000 codings a coder compare in
seconds. Unitizing alpha (Krippendorff 2004) is computed per code over the sources laid
end to end.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.agreement.tally import Tally, weighted_mean
from thematica.errors import InvalidInput
from thematica.store.raw import fetch, mark
from thematica.store.schema import coding, double_coded, source, turn

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from thematica.project import Project

UNITS = ("char", "turn", "paragraph", "segment")
UNIT_NAMES = {
    "char": "characters",
    "turn": "speaker turns",
    "paragraph": "paragraphs",
    "segment": "coded segments",
}
Intervals = list[tuple[int, int]]
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")


@dataclass
class Figures:
    """Agreement about one code (or all codes pooled) on the chosen unit."""

    units: float  # decisions per coder: characters, turns, paragraphs, or segments
    prevalence: float  # share of decisions that are "coded"
    percent: float  # observed agreement, 0-1
    kappa: float  # Cohen's (2 coders) or Fleiss' (more); Brennan-Prediger for segments
    alpha: float  # Krippendorff's alpha, nominal
    ac1: float  # Gwet's AC1
    kappa_low: float | None = None  # bootstrap interval, when asked for
    kappa_high: float | None = None
    alpha_low: float | None = None
    alpha_high: float | None = None

    @classmethod
    def of(cls, tally: Tally) -> Figures:
        return cls(*tally.summary())


@dataclass
class SourceRow:
    source: str
    length: int
    figures: Figures


@dataclass
class CodeRow:
    code: str
    figures: Figures
    unitized_alpha: float
    sources: list[SourceRow] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:  # row.kappa, row.percent, ...
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.figures, name)


@dataclass
class Comparison:
    """The figures of one comparison, with the unit and statistics they were computed on."""

    coders: list[str]
    unit: str
    sources: list[str]
    kappa_name: str
    codes: list[CodeRow]
    overall: Figures
    unitized_alpha: float
    threshold: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def unit_name(self) -> str:
        return UNIT_NAMES[self.unit]

    @property
    def method(self) -> str:
        """One sentence saying what was compared and how, for a table's caption."""
        if self.unit == "char":
            per = (
                f"per character; each code's agreement and {self.kappa_name} are means over "
                "sources weighted by source length, alpha is pooled over all characters"
            )
        elif self.unit == "segment":
            per = (
                f"per coded segment; segments match when they overlap by at least "
                f"{self.threshold:.0%} of their joint extent; overall kappa is "
                "Brennan-Prediger with one category per code"
            )
        else:
            per = f"per {self.unit}; a {self.unit} counts as coded if any of it is"
        sources = f"{len(self.sources)} source{'' if len(self.sources) == 1 else 's'}"
        return (
            f"{' and '.join(self.coders)} on {sources}, {per}. "
            "Overall figures pool every code's decisions."
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["unit_name"] = self.unit_name
        data["method"] = self.method
        return _json_safe(data)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


# -- loading ---------------------------------------------------------------------------


@dataclass
class Layers:
    """Coders' codings of the compared sources, one interval list per coder."""

    coders: list[str]
    sources: dict[int, tuple[str, int]]  # id -> (name, length)
    codes: dict[int, str]  # id -> path
    # (source id, code id) -> one interval list per coder, as coded (not merged)
    spans: dict[tuple[int, int], list[Intervals]]

    @cached_property
    def joined(self) -> dict[tuple[int, int], list[Intervals]]:
        """The same, each coder's intervals merged."""
        return {key: [merged(layer) for layer in layers] for key, layers in self.spans.items()}


def load_layers(
    project: Project,
    coders: Sequence[str],
    sources: Sequence[str] | None,
    codes: Sequence[str] | None,
) -> Layers:
    from thematica.coding.codebook import _Tree
    from thematica.coding.coders import find_coder, visible_coders
    from thematica.ingest.refs import find_source

    names = [c.strip() for c in coders]
    if len(names) < 2 or len(set(names)) < len(names):
        raise InvalidInput("compare at least two different coders, e.g. --coders Hannah,Dev")
    with project.read() as conn:
        if visible_coders(conn, project.actor) is not None:
            raise InvalidInput(
                f"{project.actor} is coding blind: agreement shows other coders' codings; "
                "ask for the blind to be lifted (thematica double-coding blind NAME --off)"
            )
        coder_ids = [find_coder(conn, name) for name in names]
        if sources:
            source_ids = [find_source(conn, name).id for name in sources]
        else:
            source_ids = _default_sources(conn, coder_ids)
        rows = conn.execute(
            select(source.c.id, source.c.name, source.c.length).where(source.c.id.in_(source_ids))
        ).all()
        tree = _Tree(conn)
        wanted_codes = None
        if codes:
            wanted_codes = set()
            for name in codes:
                found = tree.find(name)
                wanted_codes.update([found, *tree.descendants(found)])
        position = {coder_id: i for i, coder_id in enumerate(coder_ids)}
        spans: dict[tuple[int, int], list[Intervals]] = defaultdict(lambda: [[] for _ in names])
        # Straight from the driver: wrapping 200,000 rows costs SQLAlchemy longer than
        # the comparison itself takes.
        rows_found = fetch(
            conn,
            'SELECT source_id, code_id, coder_id, start, "end" FROM coding '
            f"WHERE coder_id IN ({', '.join(mark(conn) for _ in coder_ids)})",
            tuple(coder_ids),
        )
        wanted_sources = set(source_ids)
        for source_id, code_id, coder_id, start, end in rows_found:
            if source_id in wanted_sources and (wanted_codes is None or code_id in wanted_codes):
                spans[source_id, code_id][position[coder_id]].append((start, end))
        paths = {code_id: tree.path(code_id) for _, code_id in spans}
    return Layers(names, {r[0]: (r[1], r[2]) for r in rows}, paths, dict(spans))


def _default_sources(conn: Connection, coder_ids: list[int]) -> list[int]:
    """The sources picked for double coding, else every source all the coders coded."""
    picked = list(conn.execute(select(double_coded.c.source_id)).scalars())
    if picked:
        return picked
    coded = [
        set(conn.execute(select(coding.c.source_id).where(coding.c.coder_id == c)).scalars())
        for c in coder_ids
    ]
    common = set.intersection(*coded)
    if not common:
        raise InvalidInput(
            "no source is coded by all these coders: name sources with --sources, or pick "
            "sources for double coding (thematica double-coding pick)"
        )
    return sorted(common)


def merged(spans: Intervals) -> Intervals:
    """Sorted, disjoint intervals covering the same characters (touching ones joined).

    :func:`thematica.text.span.union` on plain tuples: a comparison merges hundreds of
    thousands of intervals, and a ``Span`` checks itself as it is made.
    """
    out: Intervals = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


# -- units -----------------------------------------------------------------------------


def char_tally(layers: Sequence[Intervals], length: int) -> Tally:
    """Characters coded by exactly k coders, and by each coder, for merged layers."""
    events: list[tuple[int, int]] = []
    for layer in layers:
        for start, end in layer:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    by_count = [0] * (len(layers) + 1)
    depth, at = 0, 0
    for position, step in events:
        by_count[depth] += position - at
        depth += step
        at = position
    by_count[0] += length - at
    by_coder = tuple(sum(end - start for start, end in layer) for layer in layers)
    return Tally(tuple(by_count), by_coder)


def unit_tally(layers: Sequence[Intervals], units: Intervals) -> Tally:
    """Units (turns, paragraphs) coded by exactly k coders: coded if any of it is."""
    starts = [start for start, _ in units]
    hits = [_units_hit(layer, units, starts) for layer in layers]
    per_unit = Counter(u for hit in hits for u in hit)
    by_count = [0] * (len(layers) + 1)
    for count in per_unit.values():
        by_count[count] += 1
    by_count[0] = len(units) - len(per_unit)
    return Tally(tuple(by_count), tuple(len(hit) for hit in hits))


def _units_hit(layer: Intervals, units: Intervals, starts: list[int]) -> set[int]:
    hit: set[int] = set()
    for start, end in layer:
        index = max(0, bisect_left(starts, start) - 1)
        while index < len(units) and units[index][0] < end:
            if units[index][1] > start:
                hit.add(index)
            index += 1
    return hit


def paragraphs(text: str) -> Intervals:
    """The paragraphs of a text: stretches between blank lines."""
    spans, at = [], 0
    for found in _PARAGRAPH_BREAK.finditer(text):
        if found.start() > at:
            spans.append((at, found.start()))
        at = found.end()
    if at < len(text.rstrip()):
        spans.append((at, len(text.rstrip())))
    return spans


def segment_matches(a: Intervals, b: Intervals, threshold: float) -> int:
    """How many of ``a``'s segments pair with one of ``b``'s, each used once, where their
    overlap is at least ``threshold`` of their joint extent (best overlaps first)."""
    candidates = []
    for i, (a_start, a_end) in enumerate(a):
        for j, (b_start, b_end) in enumerate(b):
            shared = min(a_end, b_end) - max(a_start, b_start)
            if shared > 0:
                joint = max(a_end, b_end) - min(a_start, b_start)
                if shared / joint >= threshold:
                    candidates.append((shared / joint, i, j))
    used_a, used_b, matched = set(), set(), 0
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched += 1
    return matched


# -- comparison ------------------------------------------------------------------------


def compare(
    project: Project,
    coders: Sequence[str],
    sources: Sequence[str] | None = None,
    unit: str = "char",
    codes: Sequence[str] | None = None,
    threshold: float = 0.9,
    confidence: int = 0,
    seed: int = 1,
) -> Comparison:
    """Agreement of ``coders`` per code and overall on ``unit`` (see the module notes).

    ``sources`` default to those picked for double coding, else those all coders coded;
    ``codes`` limit the comparison to these codes and their children. ``confidence``
    asks for that many bootstrap resamples of the units (turns or paragraphs) for
    intervals around kappa and alpha, drawn with ``seed``.
    """
    if unit not in UNITS:
        raise InvalidInput(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    if not 0 < threshold <= 1:
        raise InvalidInput("the overlap threshold is a share between 0 and 1, e.g. 0.9")
    if unit == "segment" and len(coders) != 2:
        raise InvalidInput("segment comparison pairs two coders' segments: name two coders")
    study = load_layers(project, coders, sources, codes)
    m = len(study.coders)
    if unit == "segment":
        return _compare_segments(study, threshold)
    notes: list[str] = []
    units_of = _units(project, study, unit, notes) if unit in ("turn", "paragraph") else {}
    per_code: dict[int, list[tuple[int, Tally]]] = defaultdict(list)
    for (source_id, code_id), joined in study.joined.items():
        if unit == "char":
            tally = char_tally(joined, study.sources[source_id][1])
        else:
            tally = unit_tally(joined, units_of[source_id])
        per_code[code_id].append((source_id, tally))
    size = {
        source_id: length if unit == "char" else len(units_of[source_id])
        for source_id, (_, length) in study.sources.items()
    }
    rows, pooled = [], Tally.empty(m)
    for code_id, tallies in per_code.items():
        # Sources where no compared coder used the code still count their units, as
        # agreement about not coding (kappa there is 0/0, and left out of its mean).
        unused = sum(size.values()) - sum(size[source_id] for source_id, _ in tallies)
        empty = Tally.empty(m)
        total = sum((t for _, t in tallies), Tally((unused, *empty.by_count[1:]), empty.by_coder))
        pooled = pooled + total
        figures = Figures.of(total)
        source_rows = [
            SourceRow(study.sources[s][0], study.sources[s][1], Figures.of(t))
            for s, t in sorted(tallies, key=lambda item: study.sources[item[0]][0])
        ]
        if unit == "char":
            lengths = [r.length for r in source_rows] + [unused]
            figures.percent = weighted_mean(
                [r.figures.percent for r in source_rows] + [1.0], lengths
            )
            figures.kappa = weighted_mean([r.figures.kappa for r in source_rows], lengths[:-1])
        if confidence and unit != "char":
            _bootstrap(figures, units_of, study, code_id, confidence, seed)
        rows.append(CodeRow(study.codes[code_id], figures, math.nan, source_rows))
    unitized = _unitized(rows, study)
    rows.sort(key=lambda r: r.code)
    overall = Figures.of(pooled) if rows else Figures.of(Tally.empty(m))
    return Comparison(
        coders=study.coders,
        unit=unit,
        sources=sorted(name for name, _ in study.sources.values()),
        kappa_name=Tally.empty(m).kappa_name,
        codes=rows,
        overall=overall,
        unitized_alpha=unitized,
        notes=notes,
    )


def _units(project: Project, study: Layers, unit: str, notes: list[str]) -> dict[int, Intervals]:
    found: dict[int, Intervals] = {}
    with project.read() as conn:
        for source_id, (name, _) in study.sources.items():
            if unit == "turn":
                spans = conn.execute(
                    select(turn.c.start, turn.c.end)
                    .where(turn.c.source_id == source_id)
                    .order_by(turn.c.start)
                ).all()
                if spans:
                    found[source_id] = [tuple(s) for s in spans]
                    continue
                notes.append(f"{name} has no speaker turns: its paragraphs are the units")
            found[source_id] = paragraphs(project.sources.text(name))
    return found


def _bootstrap(
    figures: Figures,
    units_of: dict[int, Intervals],
    study: Layers,
    code_id: int,
    resamples: int,
    seed: int,
) -> None:
    from thematica.agreement import (
        bootstrap_interval,
        cohen_kappa,
        fleiss_kappa,
        krippendorff_alpha,
    )

    m = len(study.coders)
    rows: list[list[int]] = [[] for _ in range(m)]
    for source_id in study.sources:
        units = units_of[source_id]
        starts = [start for start, _ in units]
        layers = study.joined.get((source_id, code_id), [[] for _ in range(m)])
        hits = [_units_hit(layer, units, starts) for layer in layers]
        for c in range(m):
            rows[c] += [int(u in hits[c]) for u in range(len(units))]
    kappa = cohen_kappa if m == 2 else fleiss_kappa
    for name, statistic in (("kappa", kappa), ("alpha", krippendorff_alpha)):
        interval = bootstrap_interval(statistic, rows, n=resamples, seed=seed)
        setattr(figures, f"{name}_low", interval.low)
        setattr(figures, f"{name}_high", interval.high)


def _laid_end_to_end(study: Layers) -> tuple[dict[int, int], int]:
    offsets, at = {}, 0
    for source_id in sorted(study.sources, key=lambda s: study.sources[s][0]):
        offsets[source_id] = at
        at += study.sources[source_id][1]
    return offsets, at


def _unitized(rows: list[CodeRow], study: Layers) -> float:
    """Set each row's unitizing alpha, over the sources laid end to end; return the
    pooled figure."""
    from thematica.agreement import unitized_alpha_by_code

    if not study.spans:
        return math.nan
    offsets, length = _laid_end_to_end(study)
    segments: dict[str, list] = {name: [] for name in study.coders}
    for (source_id, code_id), layers in study.joined.items():
        shift = offsets[source_id]
        for name, layer in zip(study.coders, layers, strict=True):
            segments[name] += [(s + shift, e + shift, code_id) for s, e in layer]
    per_code, pooled = unitized_alpha_by_code((0, max(length, 1)), segments)
    ids = {path: code_id for code_id, path in study.codes.items()}
    for row in rows:
        row.unitized_alpha = per_code.get(ids[row.code], math.nan)
    return pooled


def _compare_segments(study: Layers, threshold: float) -> Comparison:
    rows = []
    matched_all = total_all = 0
    per_code: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for (source_id, code_id), (a, b) in study.spans.items():
        matched = segment_matches(sorted(a), sorted(b), threshold)
        per_code[code_id].append((source_id, matched, len(a) + len(b)))
    for code_id, items in per_code.items():
        matched = sum(2 * m for _, m, _ in items)
        total = sum(n for _, _, n in items)
        matched_all += matched
        total_all += total
        figures = Figures(total, math.nan, matched / total, math.nan, math.nan, math.nan)
        source_rows = [
            SourceRow(
                study.sources[s][0],
                study.sources[s][1],
                Figures(n, math.nan, 2 * m / n, math.nan, math.nan, math.nan),
            )
            for s, m, n in sorted(items, key=lambda item: study.sources[item[0]][0])
        ]
        rows.append(CodeRow(study.codes[code_id], figures, math.nan, source_rows))
    unitized = _unitized(rows, study)
    rows.sort(key=lambda r: r.code)
    observed = matched_all / total_all if total_all else math.nan
    chance = 1 / len(rows) if rows else math.nan
    kappa = (observed - chance) / (1 - chance) if rows and chance < 1 else math.nan
    overall = Figures(total_all, math.nan, observed, kappa, math.nan, math.nan)
    return Comparison(
        coders=study.coders,
        unit="segment",
        sources=sorted(name for name, _ in study.sources.values()),
        kappa_name="Brennan-Prediger kappa",
        codes=rows,
        overall=overall,
        unitized_alpha=unitized,
        threshold=threshold,
    )


# -- disagreements ---------------------------------------------------------------------


@dataclass
class Disagreement:
    """A stretch of a source where coders coded one code differently."""

    source: str
    code: str
    start: int
    end: int
    differing: int  # characters not coded by every coder alike
    spans: dict[str, list[tuple[int, int]]]  # each coder's coded parts in the stretch
    text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def components(layers: Sequence[Intervals]) -> list[tuple[int, int, list[Intervals]]]:
    """Connected stretches of everything the layers coded, with each layer's part."""
    joined = merged([span for layer in layers for span in layer])
    found = []
    for start, end in joined:
        parts = [
            [(max(s, start), min(e, end)) for s, e in layer if s < end and e > start]
            for layer in layers
        ]
        found.append((start, end, parts))
    return found


def disagreements(
    project: Project,
    coders: Sequence[str],
    sources: Sequence[str] | None = None,
    codes: Sequence[str] | None = None,
) -> list[Disagreement]:
    """Every stretch where the coders differ, per code and source, largest first."""
    from thematica.store.texts import span_texts

    study = load_layers(project, coders, sources, codes)
    found: list[tuple[int, Disagreement]] = []
    for (source_id, code_id), layers in study.joined.items():
        for start, end, parts in components(layers):
            if all(part == parts[0] for part in parts):
                continue
            tally = char_tally(parts, end)
            differing = (end - start) - tally.by_count[len(layers)]
            found.append(
                (
                    source_id,
                    Disagreement(
                        study.sources[source_id][0], study.codes[code_id], start, end,
                        differing, dict(zip(study.coders, parts, strict=True)),
                    ),
                )
            )  # fmt: skip
    with project.read() as conn:
        texts = span_texts(conn, [(s, d.start, d.end) for s, d in found])
    for (_, item), (_, words, _) in zip(found, texts, strict=True):
        item.text = words
    return sorted((d for _, d in found), key=lambda d: (-d.differing, d.source, d.start))


def export_disagreements(found: Sequence[Disagreement], coders: Sequence[str], path) -> int:
    """Write disagreements to ``.csv`` or ``.html`` (one self-contained page); return
    how many were written."""
    import csv
    import html
    from pathlib import Path

    path = Path(path)

    def spans(d: Disagreement, name: str) -> str:
        return "; ".join(f"[{s}, {e})" for s, e in d.spans[name]) or "(not coded)"

    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source", "code", "start", "end", "differing", *coders, "text"])
            for d in found:
                writer.writerow(
                    [d.source, d.code, d.start, d.end, d.differing,
                     *(spans(d, name) for name in coders), d.text]
                )  # fmt: skip
        return len(found)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InvalidInput(f"write disagreements to a .csv or .html file, not {path.name}")

    def marked(d: Disagreement, name: str) -> str:
        pieces, at = [], d.start
        for s, e in d.spans[name]:
            pieces.append(html.escape(d.text[at - d.start : s - d.start]))
            pieces.append(f"<mark>{html.escape(d.text[s - d.start : e - d.start])}</mark>")
            at = e
        pieces.append(html.escape(d.text[at - d.start :]))
        return "".join(pieces)

    rows = "\n".join(
        f"<tr><td>{html.escape(d.source)}</td><td>{html.escape(d.code)}</td>"
        f"<td>[{d.start}, {d.end})</td><td>{d.differing}</td>"
        + "".join(f"<td>{marked(d, name)}</td>" for name in coders)
        + "</tr>"
        for d in found
    )
    heads = "".join(f"<th>{html.escape(name)} (coded parts marked)</th>" for name in coders)
    path.write_text(
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Disagreements: {html.escape(' and '.join(coders))}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}"
        "mark{background:#ffe08a}</style></head><body>"
        f"<h1>Disagreements between {html.escape(' and '.join(coders))}</h1>"
        f"<p>{len(found)} stretches where the coders coded a code differently, "
        "largest first.</p>"
        f"<table><thead><tr><th>source</th><th>code</th><th>span</th>"
        f"<th>characters differing</th>{heads}</tr></thead><tbody>\n{rows}\n"
        "</tbody></table></body></html>\n",
        encoding="utf-8",
    )
    return len(found)
