"""Assisted coding on one project, reached as ``project.assist``.

>>> assist = project.assist
>>> found = assist.similar(code="Feeling mothered", limit=5)
>>> best = found.passages[0]
>>> assist.accept(best.source, best.start, best.end, "Feeling mothered")
>>> assist.suggest("interview-03.txt", 1200, 1264)
>>> assist.clusters(coder="Hannah")
>>> assist.accepted()                                   # codings that began as suggestions
1

Each call names its model (``model="minilm"``) or uses the project's setting
``assist.model`` (``project.set_setting("assist.model", "minilm")``), else the registry's
default (see :mod:`thematica.assist.registry`). ``similar`` ranks as asked
(``ranking="model"``), else by the project's ``assist.ranking``, else by the registry's
``ranking`` ("hybrid": the model's ranking fused with keyword search's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thematica.assist.clusters import Cluster, clusters
from thematica.assist.embedders import Embedder, load_model
from thematica.assist.provenance import Accepted, accept, count_accepted
from thematica.assist.registry import ModelSpec, default_model_name, default_ranking, find_model
from thematica.assist.similar import Similar, similar
from thematica.assist.suggest import CodeSuggestion, suggest

if TYPE_CHECKING:
    from thematica.project import Project

MODEL_SETTING = "assist.model"
RANKING_SETTING = "assist.ranking"
PARTICIPANTS = ("participant",)


class Assist:
    """Find similar passages, suggest codes, group uncoded turns; accept a suggestion."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def spec(self, name: str | None = None) -> ModelSpec:
        """The registry entry of the model named (a registry name or a folder), else of
        the project's, else of the registry's default."""
        return find_model(name or default_model_name(self.project.setting(MODEL_SETTING)))

    def model(self, name: str | None = None) -> Embedder:
        """The model :meth:`spec` names, loaded once per process."""
        return load_model(self.spec(name))

    def similar(
        self,
        code: str | None = None,
        coding: int | None = None,
        *,
        model: str | None = None,
        coder: str | None = None,
        unit: str = "turn",
        roles: tuple[str, ...] = PARTICIPANTS,
        limit: int = 10,
        context: int = 80,
        ranking: str | None = None,
    ) -> Similar:
        """Passages like a code's segments (``coder``'s, else everyone's) or like one
        coding, not yet coded with that code, ranked by ``ranking`` ("hybrid" or
        "model"; default: :meth:`ranking`). See :mod:`thematica.assist.similar`."""
        return similar(
            self.project, self.model(model), code, coding, coder, unit, roles, limit, context,
            ranking=self.ranking(ranking),
        )  # fmt: skip

    def ranking(self, name: str | None = None) -> str:
        """The ranking named, else the project's ``assist.ranking``, else the registry's."""
        return default_ranking(name or self.project.setting(RANKING_SETTING))

    def suggest(
        self,
        source: str,
        start: int,
        end: int,
        *,
        model: str | None = None,
        coder: str | None = None,
        limit: int = 3,
    ) -> list[CodeSuggestion]:
        """The codes a selection is most like. See :mod:`thematica.assist.suggest`."""
        return suggest(self.project, self.model(model), source, start, end, coder, limit)

    def clusters(
        self,
        *,
        model: str | None = None,
        coder: str | None = None,
        groups: int | None = None,
        unit: str = "turn",
        roles: tuple[str, ...] = PARTICIPANTS,
    ) -> list[Cluster]:
        """Uncoded passages in groups with keywords. See :mod:`thematica.assist.clusters`."""
        return clusters(self.project, self.model(model), coder, groups, unit, roles)

    def accept(
        self,
        source: str,
        start: int,
        end: int,
        code: str,
        *,
        like: int | None = None,
        model: str | None = None,
        coder: str | None = None,
        layer: str | None = None,
    ) -> Accepted:
        """Code a suggested passage, as ``coder`` (default: you), with its provenance.
        See :mod:`thematica.assist.provenance`."""
        return accept(self.project, self.model(model), source, start, end, code, like, coder, layer)

    def accepted(self, code: str | None = None, coder: str | None = None) -> int:
        """How many codings began as accepted suggestions."""
        return count_accepted(self.project, code, coder)
