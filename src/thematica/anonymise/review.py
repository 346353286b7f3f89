"""A review in progress: a study's proposals, found once, and the decisions about them,
each saved to the decisions file as it is made.

>>> review = Review(texts, "decisions.csv", names=read_names("names.txt"))
>>> first = review.pending()[0]
>>> review.decide(first, "A")        # these words, everywhere: saved at once
>>> [(i.text, i.status, i.placeholder) for i in review.items("interview-01.txt")]

Both faces decide through it: ``thematica anonymise review`` in a terminal and the
review screen of the browser workbench. What it shows is what ``anonymise apply`` does
with the same texts, names and decisions file: the proposals are those
:func:`~thematica.anonymise.apply.find` gives and the placeholders those of
:func:`~thematica.anonymise.apply.plan`. Only a placeholder that an existing key gave
before (to a transcript anonymised earlier with it) can differ, since reading the key
needs its passphrase.

The recognisers (the names model above all) run once per text. Accepting words
everywhere makes them a name to find wherever they occur, so after such a decision the
cheap rest of detection (the names, one label per string, propagation) runs again, and
the recognisers do not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from thematica.anonymise.apply import plan_found, study_names
from thematica.anonymise.decisions import DECISIONS_FILE, Decision, Decisions
from thematica.anonymise.pipeline import Proposal, combine, find_in
from thematica.anonymise.pseudonyms import chosen_placeholder, words
from thematica.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from thematica.anonymise.findings import Finding
    from thematica.project import Project

# One key an answer, in the terminal and in the browser.
ANSWERS = {
    "a": ("accept", False),
    "r": ("reject", False),
    "A": ("accept", True),
    "R": ("reject", True),
}
PLACEHOLDER = "p"  # accept, with a placeholder of the reviewer's own for the words everywhere
STATUS = {"accept": "accepted", "reject": "rejected"}

_DECISIONS_SETTING = "anonymise.decisions"
_NAMES_SETTING = "anonymise.names"


@dataclass(frozen=True)
class Item:
    """A proposal as the reviewer sees it: where it is, what was decided, and what
    applying the decisions will put there."""

    proposal: Proposal  # recogniser "review": words a reviewer added at one place
    status: str  # pending | accepted | rejected
    label: str  # the label it will carry (a decision may give another)
    placeholder: str  # what replaces the words; "" when they stay (rejected)
    alike: bool  # the decision holds for the same words everywhere
    others: int  # other places in the study with the same words

    @property
    def text(self) -> str:
        return self.proposal.text


@dataclass(frozen=True)
class Progress:
    """How far the review of some proposals is."""

    total: int
    pending: int
    accepted: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.accepted + self.rejected

    @classmethod
    def of(cls, items: Sequence[Item]) -> Progress:
        n = Counter(i.status for i in items)
        return cls(len(items), n["pending"], n["accepted"], n["rejected"])


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells that a file changed: a save replaces it, so its inode changes too."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


class Review:
    """The review of ``texts`` (name to text), its decisions kept in the file ``decisions``.

    ``names`` is the study's gazetteer and ``recognisers`` picks recognisers by name, as
    for ``anonymise apply``. Not safe to share between threads without a lock.
    """

    def __init__(
        self,
        texts: Mapping[str, str],
        decisions: str | Path,
        names: Mapping[str, str] | None = None,
        recognisers: Sequence[str] | None = None,
    ) -> None:
        self.path = Path(decisions)
        self.names = dict(names or {})
        self.recognisers = list(recognisers) if recognisers is not None else None
        self.texts: dict[str, str] = {}
        self.decisions = Decisions(self.path)
        self._stamp: object = None
        self._recognised: dict[str, list[Finding]] = {}  # by source, for its text now
        self._proposals: list[Proposal] = []
        self._found_with: dict[str, str] | None = None  # the names they were found with
        self._items: dict[str, list[Item]] | None = None
        self._stale: list[Decision] = []
        self.refresh(texts)

    def refresh(self, texts: Mapping[str, str] | None = None) -> None:
        """Take up what changed elsewhere: the decisions file (another window, the CLI,
        a spreadsheet) and, given ``texts``, the texts (a source added or edited). The
        recognisers run again only on a text that changed."""
        stamp = _stamp(self.path)
        if stamp != self._stamp:
            self.decisions = Decisions.load(self.path)
            self._stamp = stamp
            self._items = None
        if texts is not None and dict(texts) != self.texts:
            new = dict(texts)
            self._recognised = {
                s: found for s, found in self._recognised.items() if new.get(s) == self.texts[s]
            }
            self.texts = new
            self._found_with = None
            self._items = None

    def use(self, decisions: str | Path, names: Mapping[str, str] | None = None) -> None:
        """Go on with another decisions file and names; what the recognisers found in
        each text is kept, since neither changes it."""
        self.path = Path(decisions)
        self.names = dict(names or {})
        self._stamp = "another file"
        self.refresh()

    def proposals(self) -> list[Proposal]:
        """Every proposal before decisions, as :func:`~thematica.anonymise.apply.find`
        gives them for the same texts, names and decisions."""
        names = study_names(self.names, self.decisions)
        if names != self._found_with:
            for source, text in self.texts.items():
                if source not in self._recognised:
                    self._recognised[source] = find_in(text, self.recognisers)
            found = {s: self._recognised[s] + find_in(t, [], names) for s, t in self.texts.items()}
            self._proposals = combine(self.texts, found)
            self._found_with = names
            self._items = None
        return self._proposals

    def items(self, source: str | None = None) -> list[Item]:
        """The proposals of ``source`` (default: every source) in text order, each with
        its decision and the placeholder it will get."""
        every = self._every_item()
        if source is None:
            return [item for items in every.values() for item in items]
        if source not in every:
            raise NotFound(f"no source {source!r} to review; the list of sources shows them all")
        return every[source]

    def _every_item(self) -> dict[str, list[Item]]:
        proposals = self.proposals()
        if self._items is not None:
            return self._items
        # A decision at a place whose words have changed since would stop the whole
        # review; it is left out here and listed, and apply refuses until it is corrected.
        self._stale = self.decisions.stale(proposals, self.texts)
        decisions = self.decisions
        if self._stale:
            decisions = Decisions(self.path, (d for d in self.decisions if d not in self._stale))
        planned = plan_found(proposals, self.texts, self.names, decisions)
        unplaced = {(p.source, p.start, p.end): p for p in proposals}
        rows: list[tuple[Proposal, str, str]] = []
        for source, replaced in planned.items():
            for r in replaced:
                p = unplaced.pop((source, r.start, r.end), None) or Proposal(
                    source, r.start, r.end, r.original, r.label, 1.0, "review"
                )
                rows.append((p, r.label, r.placeholder))
        # Not replaced: rejected, or inside words a reviewer marked at one place (which
        # are replaced instead, and listed above).
        for p in unplaced.values():
            d = decisions.about(p)
            if d is not None and d.verdict == "reject":
                rows.append((p, d.label or p.label, ""))
        alike = Counter(words(p.text) for p, _, _ in rows)
        items: dict[str, list[Item]] = {source: [] for source in self.texts}
        for p, label, placeholder in sorted(rows, key=lambda row: row[0].start):
            d = decisions.about(p)
            status = "pending" if d is None else STATUS[d.verdict]
            alike_too = d is not None and d.alike
            items[p.source].append(
                Item(p, status, label, placeholder, alike_too, alike[words(p.text)] - 1)
            )
        self._items = items
        return items

    def item_at(self, source: str, start: int, end: int) -> Item:
        """The proposal at exactly ``[start, end)`` of ``source``."""
        for item in self.items(source):
            if (item.proposal.start, item.proposal.end) == (start, end):
                return item
        raise NotFound(
            f"nothing is proposed at [{start}, {end}) of {source}: the page may be out of "
            "date, so it has been drawn again"
        )

    def stale(self) -> list[Decision]:
        """Decisions to replace words at a place where the text no longer has them (it
        changed since): left out of the review, and refused by ``anonymise apply``."""
        self._every_item()
        return self._stale

    def pending(self) -> list[Proposal]:
        """The proposals nobody has decided about yet, in text order."""
        return [i.proposal for i in self.items() if i.status == "pending"]

    def progress(self, source: str | None = None) -> Progress:
        return Progress.of(self.items(source))

    def decide(self, proposal: Proposal, answer: str, placeholder: str = "") -> Decision:
        """Decide with one of the ANSWERS, or PLACEHOLDER with the placeholder typed;
        the decisions file is saved before this returns.

        A decision saved to the file meanwhile (in another window, by the CLI) is read
        first and kept.
        """
        if answer == PLACEHOLDER:
            chosen = chosen_placeholder(placeholder, proposal.text)
            verdict, alike = "accept", True
        elif answer in ANSWERS:
            chosen = ""
            verdict, alike = ANSWERS[answer]
        else:
            raise InvalidInput(
                f"answer a (accept), r (reject), A or R (all alike) or p (placeholder), "
                f"not {answer!r}"
            )
        self.refresh()
        decision = self.decisions.decide(proposal, verdict, alike=alike, placeholder=chosen)
        self._items = None
        try:
            self.decisions.save()
        except OSError as error:
            # What was not saved was not decided: back to what the file holds.
            self._stamp = "unsaved"
            self.refresh()
            raise InvalidInput(
                f"could not save the decision to {self.path} ({error.strerror}); "
                "choose a decisions file in a folder you can write to"
            ) from None
        self._stamp = _stamp(self.path)
        return decision


# -- the files a project's review uses ----------------------------------------------------


@dataclass(frozen=True)
class ReviewFiles:
    """Where a project's review in the browser keeps its decisions, and its names file."""

    decisions: Path
    names: Path | None

    def read_names(self) -> dict[str, str]:
        from thematica.anonymise.gazetteer import read_names

        return read_names(self.names) if self.names else {}


def review_files(project: Project) -> ReviewFiles:
    """The files chosen with :func:`choose_review_files`; by default the decisions file
    ``anonymise review`` uses in the current folder, and no names file."""
    decisions = project.setting(_DECISIONS_SETTING) or DECISIONS_FILE
    names = project.setting(_NAMES_SETTING)
    return ReviewFiles(Path(decisions).resolve(), Path(names) if names else None)


def choose_review_files(project: Project, decisions: str, names: str = "") -> ReviewFiles:
    """Keep the review's decisions in ``decisions`` (a CSV file, made when the first
    decision is saved) and find the names in ``names`` (none if empty). A relative path
    is taken from the current folder; the project stores the paths, never the words."""
    from thematica.anonymise.gazetteer import read_names
    from thematica.project import write_setting

    if not decisions.strip():
        raise InvalidInput("name the CSV file to keep the decisions in")
    chosen = Path(decisions.strip()).expanduser().resolve()
    if chosen.is_dir():
        raise InvalidInput(f"{chosen} is a folder: name a CSV file in it")
    if not chosen.parent.is_dir():
        raise InvalidInput(f"there is no folder {chosen.parent}: make it, or choose another")
    if chosen.exists():
        Decisions.load(chosen, missing_ok=False)  # refuse a file that is not one
    names_path = Path(names.strip()).expanduser().resolve() if names.strip() else None
    if names_path is not None:
        if not names_path.is_file():
            raise InvalidInput(f"there is no names file at {names_path}")
        read_names(names_path)
    was = review_files(project)
    with project.transaction("choose review files", str(chosen)) as tx:
        write_setting(tx, _DECISIONS_SETTING, str(chosen))
        write_setting(tx, _NAMES_SETTING, str(names_path or ""))
        tx.before = {"decisions": str(was.decisions), "names": str(was.names or "")}
        tx.after = {"decisions": str(chosen), "names": str(names_path or "")}
    return ReviewFiles(chosen, names_path)
