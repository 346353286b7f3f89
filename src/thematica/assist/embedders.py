"""Loading an embedding model from its folder, offline, and checking its weights.

Two kinds of model load here (``loader`` in the registry):

* ``sentence-transformers``: a transformer such as all-MiniLM-L6-v2, run by
  sentence-transformers on the CPU build of torch. Accurate, about 10 s to import and a
  few hundred sentences a second on two cores.
* ``model2vec``: a static model (a token-vector table distilled from a transformer, see
  :mod:`thematica.assist.distil`). No torch: it loads in a fraction of a second and
  embeds tens of thousands of sentences a second.

Nothing is ever downloaded (DESIGN principle 1): the Hugging Face libraries are put in
offline mode before they are imported, and a model is read from a folder only. Each
model is known by its name and the SHA-256 of its weights (``model.safetensors``), which
keys the embedding cache; a registry entry that pins a hash refuses any other file.

>>> model = load_model(find_model("minilm-static"))
>>> model.encode(["She made me tea."]).shape
(1, 256)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thematica.assist.extra import require
from thematica.assist.registry import ModelSpec
from thematica.errors import InvalidInput

if TYPE_CHECKING:
    import numpy as np

WEIGHTS = "model.safetensors"
# Turns are long and the models are small: big batches for the static model (a table
# lookup), sentence-transformers' usual 32 for the transformer.
_STATIC_BATCH = 4096
_TRANSFORMER_BATCH = 32


@dataclass(frozen=True)
class Embedder:
    """A loaded model: ``encode`` gives one L2-normalised float32 row per text."""

    name: str
    hash: str
    dim: int
    loader: str
    model: Any

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        np = require("numpy")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.loader == "model2vec":
            # No truncation: a static model has no sequence limit, and a long answer's
            # last words count as much as its first.
            rows = self.model.encode(
                list(texts), max_length=None, batch_size=_STATIC_BATCH, show_progress_bar=False
            )
        else:
            rows = self.model.encode(
                list(texts),
                batch_size=_TRANSFORMER_BATCH,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return normalise(np.asarray(rows, dtype=np.float32))


def normalise(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (rows of zeros, from text of unknown tokens, stay zero)."""
    np = require("numpy")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1, norms)


def offline() -> None:
    """Keep the Hugging Face libraries off the network; called before they are imported
    (they read these variables once, at import)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def weights_hash(folder: Path) -> str:
    """SHA-256 of a model's weights file, as hex."""
    digest = hashlib.sha256()
    with (folder / WEIGHTS).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_folder(spec: ModelSpec) -> str:
    """The hash of ``spec``'s weights, after checking they are there and the ones pinned."""
    if not (spec.folder / WEIGHTS).is_file():
        if spec.distil_from:
            raise InvalidInput(
                f"model {spec.name!r} is not built yet: run `thematica assist build-model "
                f"--name {spec.name}` once (about a minute and a half), or use --model "
                f"{spec.distil_from}"
            )
        raise InvalidInput(f"model {spec.name!r} has no {WEIGHTS} in {spec.folder}")
    found = weights_hash(spec.folder)
    if spec.sha256 and found != spec.sha256:
        raise InvalidInput(
            f"model {spec.name!r}: {spec.folder / WEIGHTS} has SHA-256 {found[:12]}..., not "
            f"the {spec.sha256[:12]}... the registry pins; reinstall the package that ships it"
        )
    return found


@cache
def load_model(spec: ModelSpec) -> Embedder:
    """The model of a registry entry, loaded once per process."""
    offline()
    if spec.package:
        require(spec.package)
    if spec.loader == "model2vec":
        static = require("model2vec")
        digest = check_folder(spec)
        model = static.StaticModel.from_pretrained(str(spec.folder), normalize=True)
        dim = int(model.dim)
    else:
        require("torch")
        sentence_transformers = require("sentence_transformers")
        digest = check_folder(spec)
        _quiet_transformers()
        model = sentence_transformers.SentenceTransformer(
            str(spec.folder), device="cpu", local_files_only=True
        )
        dim = int(model.get_embedding_dimension())
    return Embedder(name=spec.name, hash=digest, dim=dim, loader=spec.loader, model=model)


def _quiet_transformers() -> None:
    # transformers prints a loading report and a progress bar for every model it loads;
    # a command's output is for the researcher, so only its errors are let through.
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
