"""Distilling a static model from a transformer, once, with model2vec.

model2vec runs every token of the transformer's vocabulary (about 30,000 for MiniLM)
through the transformer, keeps ``pca_dims`` principal components and weights each token
vector by its frequency (SIF). Embedding a text is then a mean of table rows: no torch at
run time, and tens of thousands of sentences a second. Building takes about a minute and
a half on two cores and needs the transformer's extra (torch, sentence-transformers).

>>> built = build_static_model(find_model("minilm-static"))
>>> built.folder.name, built.vocabulary, built.dim
('minilm-static', 29525, 256)
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from thematica.assist.embedders import check_folder, offline, weights_hash
from thematica.assist.extra import require
from thematica.assist.registry import ModelSpec, find_model
from thematica.errors import InvalidInput


@dataclass(frozen=True)
class BuiltModel:
    name: str
    folder: Path
    teacher: str
    vocabulary: int
    dim: int
    hash: str
    seconds: float


def build_static_model(spec: ModelSpec, folder: Path | None = None) -> BuiltModel:
    """Distil ``spec`` from the model it names in ``distil_from`` into ``folder`` (default:
    the folder the registry gives it). The folder is replaced only once the new model is
    complete, so an interrupted build leaves the old model (or none) in place."""
    if not spec.distil_from:
        raise InvalidInput(
            f"model {spec.name!r} is not distilled from another (no distil_from in the "
            "registry): name one that is, e.g. minilm-static"
        )
    teacher = find_model(spec.distil_from)
    if teacher.loader != "sentence-transformers":
        raise InvalidInput(f"cannot distil from {teacher.name!r}: it is not a transformer")
    offline()
    if teacher.package:
        require(teacher.package)
    require("torch")
    require("transformers")
    distill = require("model2vec.distill")
    check_folder(teacher)
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    target = (folder or spec.folder).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model = distill.distill(str(teacher.folder), pca_dims=spec.pca_dims, device="cpu")
    building = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        model.save_pretrained(building)
        building.chmod(0o755)  # mkdtemp's folder is the owner's alone
        if target.exists():
            shutil.rmtree(target)
        building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return BuiltModel(
        name=spec.name,
        folder=target,
        teacher=teacher.name,
        vocabulary=int(model.embedding.shape[0]),
        dim=int(model.dim),
        hash=weights_hash(target),
        seconds=time.perf_counter() - started,
    )
