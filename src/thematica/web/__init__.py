"""The browser workbench: a local web app over the same core as the CLI.

Start it with ``thematica serve``; build the app yourself with :func:`create_app`.
Needs the ``web`` extra (FastAPI, Uvicorn, Jinja2); see docs/browser.md.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from thematica.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from thematica.web.app import create_app

        return create_app
    raise AttributeError(f"module 'thematica.web' has no attribute {name!r}")
