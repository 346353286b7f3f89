"""Embedding models by name: which models exist is configuration, not code.

The built-in models are listed in ``models.toml`` beside this module; a file of your own
(``$THEMATICA_MODELS``, else ``~/.config/thematica/models.toml``) adds models or replaces
them by name, as spaCy's registry lets a config swap one component for another:

.. code-block:: toml

    default = "minilm"
    ranking = "hybrid"          # how `similar` ranks passages: hybrid, or model alone

    [models.my-static]
    loader = "model2vec"
    path = "/srv/models/my-static"

>>> spec = find_model("minilm-static")
>>> spec.loader, spec.distil_from
('model2vec', 'minilm')
>>> find_model("/srv/models/my-static").name     # a folder is a model too
'my-static'
"""

from __future__ import annotations

import importlib.util
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from thematica.errors import InvalidInput, not_found

BUILT_IN = Path(__file__).with_name("models.toml")
LOADERS = ("sentence-transformers", "model2vec")
# How `similar` ranks passages: the model's ranking fused with keyword search's, or the
# model's alone (see thematica.assist.similar).
RANKINGS = ("hybrid", "model")


@dataclass(frozen=True)
class ModelSpec:
    """A model's entry in the registry: where its files are and how to load them."""

    name: str
    loader: str
    folder: Path
    package: str | None = None  # the Python package that ships it
    sha256: str | None = None
    distil_from: str | None = None
    pca_dims: int = 256
    description: str = ""


def models_folder() -> Path:
    """Where built models go: ``$THEMATICA_MODELS_DIR``, else the user's data folder."""
    if os.environ.get("THEMATICA_MODELS_DIR"):
        return Path(os.environ["THEMATICA_MODELS_DIR"]).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "thematica" / "models"


def user_file() -> Path | None:
    """The user's registry file, if there is one."""
    if os.environ.get("THEMATICA_MODELS"):
        return Path(os.environ["THEMATICA_MODELS"]).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    path = Path(config) / "thematica" / "models.toml"
    return path if path.exists() else None


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"model registry {path} does not exist: fix THEMATICA_MODELS") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput(f"model registry {path} is not valid TOML: {error}") from None


def _files() -> list[tuple[Path, dict[str, Any]]]:
    """The registry files, built-in first, each with what it says."""
    return [(path, _read(path)) for path in (BUILT_IN, user_file()) if path is not None]


def registry() -> tuple[dict[str, ModelSpec], str]:
    """Every model by name, and the name of the default one."""
    entries: dict[str, ModelSpec] = {}
    default = ""
    for path, data in _files():
        default = data.get("default", default)
        for name, entry in data.get("models", {}).items():
            entries[name] = _spec(name, entry, path)
    return entries, default


def _spec(name: str, entry: Any, where: Path) -> ModelSpec:
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where}: model {name!r} must be a table of settings")
    loader = entry.get("loader")
    if loader not in LOADERS:
        raise InvalidInput(
            f"{where}: model {name!r} has loader {loader!r}; use one of {', '.join(LOADERS)}"
        )
    if "package" in entry:
        found = importlib.util.find_spec(entry["package"])
        if found is None or not found.submodule_search_locations:
            # Not installed: the folder will not exist, and loading says which extra.
            base = Path(entry["package"])
        else:
            base = Path(next(iter(found.submodule_search_locations)))
        folder = base / entry.get("folder", "")
    elif "path" in entry:
        folder = Path(str(entry["path"]).replace("{models}", str(models_folder()))).expanduser()
    else:
        raise InvalidInput(f"{where}: model {name!r} needs a 'package' or a 'path'")
    return ModelSpec(
        name=name,
        loader=loader,
        folder=folder,
        package=entry.get("package"),
        sha256=entry.get("sha256"),
        distil_from=entry.get("distil_from"),
        pca_dims=int(entry.get("pca_dims", 256)),
        description=entry.get("description", ""),
    )


def find_model(name_or_folder: str) -> ModelSpec:
    """The registry's model of that name, or the model in that folder."""
    models, _ = registry()
    if name_or_folder in models:
        return models[name_or_folder]
    folder = Path(name_or_folder).expanduser()
    if os.sep in name_or_folder or folder.is_dir():
        return folder_model(folder)
    raise not_found("model", name_or_folder, list(models), "thematica assist models")


def folder_model(folder: Path) -> ModelSpec:
    """A model saved in ``folder``: a model2vec static model or a sentence-transformers
    model, told apart by their config files."""
    if not folder.is_dir():
        raise InvalidInput(f"no model folder at {folder}")
    config = folder / "config.json"
    try:
        static = json.loads(config.read_text(encoding="utf-8")).get("model_type") == "model2vec"
    except (OSError, ValueError):
        static = False
    if static:
        return ModelSpec(name=folder.name, loader="model2vec", folder=folder)
    if (folder / "modules.json").exists():
        return ModelSpec(name=folder.name, loader="sentence-transformers", folder=folder)
    raise InvalidInput(
        f"{folder} holds neither a model2vec static model nor a sentence-transformers model"
    )


def default_model_name(setting: str | None) -> str:
    """The model used when none is named: the project's setting, else the registry's."""
    return setting or registry()[1]


def default_ranking(setting: str | None) -> str:
    """How ``similar`` ranks when not told: the project's setting, else the registry's
    ``ranking`` (the user's file over the built-in one).

    >>> default_ranking(None), default_ranking("model")
    ('hybrid', 'model')
    """
    chosen = setting
    if not chosen:
        for _, data in _files():
            chosen = data.get("ranking", chosen)
    return check_ranking(str(chosen))


def check_ranking(ranking: str) -> str:
    if ranking not in RANKINGS:
        raise InvalidInput(
            f"ranking {ranking!r} is not one of {', '.join(RANKINGS)}: fix the project's "
            "assist.ranking setting or the model registry's ranking"
        )
    return ranking
