"""Review decisions: what a person said about each proposed identifier, kept and re-used.

>>> decisions = Decisions.load("decisions.csv")
>>> decisions.decide(proposal, "reject", alike=True)   # "Grace" is a word here
>>> decisions.save()

A decision covers either every occurrence of the same words ("mark all alike") or one
occurrence (a source and its span). Accepting words that no recogniser proposed adds
them: they are then found everywhere, like a name in the study's gazetteer. A chosen
placeholder (``[my baby]``) holds for every occurrence of the words.

The file is CSV so that it opens in a spreadsheet: ``text, decision, label, placeholder,
source, start, end``. It holds the identifiers themselves, so keep it with the raw
transcripts and the key, never with the anonymised project.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from thematica.anonymise.findings import LABELS
from thematica.anonymise.pipeline import Proposal
from thematica.anonymise.pseudonyms import words
from thematica.errors import InvalidInput
from thematica.ingest.files import read_text

COLUMNS = ("text", "decision", "label", "placeholder", "source", "start", "end")
DECISIONS_FILE = "anonymisation-decisions.csv"  # where `anonymise review` keeps them by default
VERDICTS = ("accept", "reject")


@dataclass(frozen=True)
class Decision:
    """One reviewer's decision about some words, everywhere or at one place."""

    text: str
    verdict: str  # accept | reject
    label: str = ""  # accept: the label to use (default: the proposal's)
    placeholder: str = ""  # accept: the placeholder to use for these words everywhere
    source: str = ""  # with start and end: this occurrence only
    start: int | None = None
    end: int | None = None

    @property
    def alike(self) -> bool:
        return not self.source


class Decisions:
    """The decisions of a study's review, read from and saved to one CSV file."""

    def __init__(self, path: str | Path | None = None, decisions: Iterable[Decision] = ()):
        self.path = Path(path) if path is not None else None
        self._alike: dict[str, Decision] = {}
        self._at: dict[tuple[str, int, int], Decision] = {}
        for decision in decisions:
            self.add(decision)

    @classmethod
    def load(cls, path: str | Path, missing_ok: bool = True) -> Decisions:
        """Read a decisions file; a file not there yet is an empty review."""
        path = Path(path)
        if not path.exists():
            if missing_ok:
                return cls(path)
            raise InvalidInput(f"no decisions file at {path}")
        rows = csv.DictReader(io.StringIO(read_text(path)))
        absent = [c for c in ("text", "decision") if c not in (rows.fieldnames or [])]
        if absent:
            raise InvalidInput(
                f"{path} has no {absent[0]!r} column; a decisions file has the columns "
                + ", ".join(COLUMNS)
            )
        decisions = cls(path)
        for line, row in enumerate(rows, start=2):
            decisions.add(_parse(path, line, row))
        return decisions

    def __len__(self) -> int:
        return len(self._alike) + len(self._at)

    def __iter__(self):
        yield from self._alike.values()
        yield from self._at.values()

    def add(self, decision: Decision) -> None:
        """Record a decision, replacing any earlier one about the same words or place."""
        if decision.alike:
            self._alike[words(decision.text)] = decision
        else:
            self._at[decision.source, decision.start, decision.end] = decision

    def decide(
        self,
        proposal: Proposal,
        verdict: str,
        *,
        alike: bool = False,
        label: str = "",
        placeholder: str = "",
    ) -> Decision:
        """Decide about a proposal: here only, or (``alike``) wherever its words occur."""
        if verdict not in VERDICTS:
            raise InvalidInput(f"a decision is 'accept' or 'reject', not {verdict!r}")
        if placeholder and verdict != "accept":
            raise InvalidInput("only accepted words get a placeholder")
        label = label or proposal.label
        # A placeholder belongs to the words, so that they read the same everywhere.
        decision = (
            Decision(proposal.text, verdict, label, placeholder)
            if alike or placeholder
            else Decision(proposal.text, verdict, label, "", proposal.source,
                          proposal.start, proposal.end)
        )  # fmt: skip
        if decision.alike:
            # Deciding for the words everywhere is deciding here too: a decision about
            # this one place would otherwise still win over it.
            self._at.pop((proposal.source, proposal.start, proposal.end), None)
        self.add(decision)
        return decision

    def about(self, proposal: Proposal) -> Decision | None:
        """The decision that covers a proposal: one about its place, else about its words."""
        return self._at.get((proposal.source, proposal.start, proposal.end)) or self._alike.get(
            words(proposal.text)
        )

    def pending(self, proposals: Sequence[Proposal]) -> list[Proposal]:
        """The proposals no decision covers yet."""
        return [p for p in proposals if self.about(p) is None]

    def apply(
        self, proposals: Sequence[Proposal], texts: Mapping[str, str] | None = None
    ) -> list[Proposal]:
        """The proposals to carry out: rejected ones dropped, relabelled ones relabelled.
        Proposals nobody decided about are kept: an unreviewed identifier is replaced.

        Given the ``texts``, words a reviewer accepted at one place that no recogniser
        proposed are added too (a missed date, say), once checked against the text.
        """
        kept = []
        for proposal in proposals:
            decision = self.about(proposal)
            if decision is None:
                kept.append(proposal)
            elif decision.verdict == "accept":
                kept.append(replace(proposal, label=decision.label or proposal.label))
        if texts is None:
            return kept
        stale = self.stale(proposals, texts)
        if stale:
            d = stale[0]
            raise InvalidInput(
                f"the decision to replace {d.text!r} at [{d.start}, {d.end}) of {d.source} no "
                f"longer fits its text (it reads {texts[d.source][d.start : d.end]!r} there); "
                f"correct {self.path}"
            )
        proposed = {(p.source, p.start, p.end) for p in proposals}
        for (source, start, end), d in self._at.items():
            if d.verdict != "accept" or (source, start, end) in proposed or source not in texts:
                continue
            # The reviewer's span wins over any proposal it overlaps.
            kept = [p for p in kept if not (p.source == source and p.start < end and start < p.end)]
            found = texts[source][start:end]
            kept.append(Proposal(source, start, end, found, d.label or "NAME", 1.0, "review"))
        return sorted(kept, key=lambda p: (p.source, p.start))

    def stale(self, proposals: Sequence[Proposal], texts: Mapping[str, str]) -> list[Decision]:
        """Decisions to replace words at one place that no recogniser proposed, where the
        text no longer has those words (it was changed since)."""
        proposed = {(p.source, p.start, p.end) for p in proposals}
        return [
            d
            for (source, start, end), d in self._at.items()
            if d.verdict == "accept"
            and (source, start, end) not in proposed
            and source in texts
            and words(texts[source][start:end]) != words(d.text)
        ]

    def names(self) -> dict[str, str]:
        """Words accepted everywhere, with their labels: a gazetteer, so that words no
        recogniser found are found too."""
        return {d.text: d.label or "NAME" for d in self._alike.values() if d.verdict == "accept"}

    def placeholders(self) -> dict[str, str]:
        """Words given a placeholder of their own, to that placeholder."""
        return {d.text: d.placeholder for d in self._alike.values() if d.placeholder}

    def save(self, path: str | Path | None = None) -> Path:
        """Write every decision, replacing the file in one step (a crash leaves the old)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise InvalidInput("these decisions have no file: give a path to save them to")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        ordered = sorted(self._alike.values(), key=lambda d: words(d.text)) + sorted(
            self._at.values(), key=lambda d: (d.source, d.start, d.end)
        )
        for d in ordered:
            writer.writerow(
                [d.text, d.verdict, d.label, d.placeholder, d.source,
                 "" if d.start is None else d.start, "" if d.end is None else d.end]
            )  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(buffer.getvalue())
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.path = target
        return target


def _parse(path: Path, line: int, row: Mapping[str, str | None]) -> Decision:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    where = f"{path}, line {line}"
    text, verdict, label = cell("text"), cell("decision").lower(), cell("label").upper()
    if not text:
        raise InvalidInput(f"{where}: the text is empty")
    if verdict not in VERDICTS:
        raise InvalidInput(f"{where}: decision must be accept or reject, not {verdict!r}")
    if label and label not in LABELS:
        raise InvalidInput(f"{where}: unknown label {label!r}; use one of {', '.join(LABELS)}")
    source, start, end = cell("source"), cell("start"), cell("end")
    if not source:
        if start or end:
            raise InvalidInput(f"{where}: a start and end need the source they are in")
        return Decision(text, verdict, label, cell("placeholder"))
    try:
        first, last = int(start), int(end)
    except ValueError:
        raise InvalidInput(f"{where}: start and end must be whole numbers") from None
    if not 0 <= first < last:
        raise InvalidInput(f"{where}: the span [{first}, {last}) is empty or negative")
    return Decision(text, verdict, label, cell("placeholder"), source, first, last)
