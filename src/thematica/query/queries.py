"""``project.query``: every kind of query, and the saved ones.

>>> only = Filter(where='primary_diagnosis = "Postnatal depression"', coder="Hannah")
>>> project.query.coding('"Getting referred" AND NOT "Waiting"', only).passages
>>> project.query.matrix(count="participants").to_frame()
>>> project.query.search('"health visitor"', only).hits
>>> project.query.save("Referral, depressed", "coding", '"Getting referred"', only)
>>> project.query.run("Referral, depressed")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from thematica.query.filters import Filter

if TYPE_CHECKING:
    from thematica.project import Project
    from thematica.query.coding import CodingResult
    from thematica.query.matrix import Matrix
    from thematica.query.saved import SavedQuery
    from thematica.query.search import Frequencies, SearchResult


class Queries:
    """Reached as ``project.query``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def cases(self, where: str) -> list[str]:
        """The labels of the participants whose attributes satisfy ``where``.

        >>> project.query.cases('diagnosis = "Depression" and age <= 25')
        ['Mother 1', 'Mother 12']
        """
        from sqlalchemy import select

        from thematica.query.filters import cases_where
        from thematica.store.schema import case

        with self.project.read() as conn:
            ids = cases_where(conn, where)
            rows = conn.execute(select(case.c.id, case.c.label).order_by(case.c.id))
            return [label for case_id, label in rows if case_id in ids]

    def coding(
        self,
        query: str,
        where: Filter | None = None,
        children: bool = False,
        context: int = 120,
    ) -> CodingResult:
        """Passages where codes meet (see :mod:`thematica.query.coding` for the operators).

        ``children`` lets each code stand for itself and its sub-codes; ``context`` is
        the characters of text kept on each side of a passage.
        """
        from thematica.query.coding import run_coding_query

        return run_coding_query(self.project, query, where, children, context)

    def matrix(
        self,
        codes: Sequence[str] | None = None,
        by: str = "case",
        count: str = "codings",
        where: Filter | None = None,
        children: bool = False,
    ) -> Matrix:
        """Codes (rows) by cases, or by the values of an attribute (``by="attribute:NAME"``),
        or by codes again (``by="overlap"`` or ``by="turn"``: co-occurrence).

        ``count`` is ``codings``, ``sources``, ``participants`` or ``segments`` (the
        passages themselves); see :mod:`thematica.query.matrix`.
        """
        from thematica.query.matrix import build_matrix

        return build_matrix(self.project, codes, by, count, where, children)

    def search(self, query: str, where: Filter | None = None, context: int = 60) -> SearchResult:
        """Find words, phrases and prefixes in the text (see :mod:`thematica.query.search`)."""
        from thematica.query.search import search

        return search(self.project, query, where, context)

    def code_hits(
        self,
        query: str,
        code: str,
        unit: str = "words",
        where: Filter | None = None,
        coder: str | None = None,
    ) -> int:
        """Code every hit of a search with ``code``, as the matched ``words``, their
        ``sentence`` or their speaker ``turn``, in one transaction; returns how many
        codings were new."""
        from thematica.query.search import code_hits

        return code_hits(self.project, query, code, unit, where, coder)

    def words(
        self,
        where: Filter | None = None,
        top: int = 50,
        stop_words: bool = True,
        min_length: int = 2,
        ignore: Sequence[str] = (),
    ) -> Frequencies:
        """The most frequent words in the filtered text, English stop words (and the
        words in ``ignore``) left out."""
        from thematica.query.search import word_frequencies

        return word_frequencies(self.project, where, top, stop_words, min_length, ignore)

    def ask(self, kind: str, query: str = "", where: Filter | None = None, **options: Any) -> Any:
        """A query of any ``kind`` (``coding``, ``search``, ``matrix`` or ``words``), with
        the options that kind's method takes: what :meth:`save` keeps and :meth:`run` runs.

        >>> project.query.ask("search", '"health visitor"', only, context=30).hits
        """
        from thematica.query.saved import ask

        return ask(self.project, kind, query, where, options)

    # -- saved queries ------------------------------------------------------------------

    def save(
        self,
        name: str,
        kind: str,
        query: str = "",
        where: Filter | None = None,
        description: str = "",
        **options: Any,
    ) -> SavedQuery:
        """Save a query under ``name`` to run again later; one audit event."""
        from thematica.query.saved import save

        return save(self.project, name, kind, query, where, description, options)

    def saved(self) -> list[SavedQuery]:
        from thematica.query.saved import saved

        return saved(self.project)

    def run(self, name: str) -> Any:
        """Run a saved query again, on the project as it is now; the run is logged."""
        from thematica.query.saved import run_saved

        return run_saved(self.project, name)

    def forget(self, name: str) -> SavedQuery:
        """Delete a saved query (undoable)."""
        from thematica.query.saved import forget

        return forget(self.project, name)
