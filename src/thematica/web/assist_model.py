"""The workbench's embedding model: loaded once, in a background thread, on first use.

MiniLM takes 7-16 s to load on two cores, and the first question after that embeds
every participant turn of the study. A request that waited for both would hold a server
thread for a minute and look broken, so the first "More like this" or "Suggest codes"
starts a thread that loads the model and fills the embedding cache, and is answered at
once with "The model is loading…"; the page asks again every second until the model is
ready. Other pages never wait for it. Without the ``assist`` extra nothing is started
and the pages do not offer the actions.

>>> model = BackgroundModel(project, "minilm-static")   # `thematica serve --assist-model`
>>> model.status()               # the first call starts loading
'loading'
>>> model.status(), model.name   # a few seconds later
('ready', 'minilm-static')
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Literal

from thematica.assist import extra
from thematica.errors import ThematicaError

if TYPE_CHECKING:
    from thematica.assist.embedders import Embedder
    from thematica.project import Project

State = Literal["absent", "idle", "loading", "ready", "failed"]
log = logging.getLogger("thematica.web")


class BackgroundModel:
    """The model the workbench's assisted coding uses, and whether it is ready.

    ``requested`` is a registry name or a model folder; None takes the project's
    ``assist.model`` setting, else the registry's default, as the CLI does.
    """

    install = extra.INSTALL  # for the note that pages show without the extra

    def __init__(self, project: Project, requested: str | None = None) -> None:
        self.project = project
        self.requested = requested
        self.installed = extra.installed()
        self.name: str | None = None  # the model chosen, once it is ready
        self.error = ""  # why the last load failed
        self._state: State = "idle" if self.installed else "absent"
        self._reported = False  # whether a failure has been answered once
        self._lock = threading.Lock()

    @property
    def state(self) -> State:
        return self._state

    def status(self) -> State:
        """The model's state, after starting to load it if it is neither loaded nor
        loading. A failed load is answered once ("failed", with :attr:`error`), which
        ends the page's asking again; the next request tries again, since the user may
        have built the model or fixed the registry meanwhile."""
        with self._lock:
            if self._state == "failed" and not self._reported:
                self._reported = True
                return self._state
            if self._state in ("idle", "failed"):
                self._state = "loading"
                self.error = ""
                self._reported = False
                threading.Thread(
                    target=self._load, name="thematica-assist-model", daemon=True
                ).start()
            return self._state

    def _load(self) -> None:
        from thematica.assist.assistant import MODEL_SETTING
        from thematica.assist.registry import default_model_name

        chosen = self.requested or "the default model"
        try:
            chosen = self.requested or default_model_name(self.project.setting(MODEL_SETTING))
            warm(self.project, self.project.assist.model(chosen))
        except ThematicaError as error:
            self._finish("failed", error=str(error))
        except Exception as error:  # a thread that dies says nothing: say why here
            log.exception("loading the assist model %s failed", chosen)
            self._finish(
                "failed",
                error=f"the model {chosen} could not be loaded ({type(error).__name__}); "
                "the server's output says more",
            )
        else:
            self._finish("ready", name=chosen)

    def _finish(self, state: State, name: str | None = None, error: str = "") -> None:
        with self._lock:
            self.name, self.error, self._state = name, error, state


def warm(project: Project, model: Embedder) -> None:
    """Embed what the aids compare with, so that the first question is quick: every
    participant turn (the passages "More like this" ranks) and every coded segment
    (what suggestions are voted on). Each text is embedded once and kept in the
    project's cache; later calls read it from there."""
    from thematica.assist.cache import vectors
    from thematica.assist.similar import build_index

    build_index(project, model)
    vectors(project, model, [c.text for c in project.codings.list()])
