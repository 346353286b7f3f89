"""Opening REFI-QDA files safely: a ``.qdpx`` archive, a bare ``.qde`` or a ``.qdc``.

A ``.qdpx`` is a zip of one ``*.qde`` and a ``sources/`` folder (``Sources/`` from some
tools), holding plain text files named by GUID. Files come from other people, so every
one is opened through :mod:`thematica.ingest.archives` (zip bombs by size and ratio,
members outside the archive, encrypted members) and, on top of that, refused when it
holds symbolic links, declares a DTD or entities, or is in a namespace that is not
REFI-QDA's. Nothing from an archive is ever written to disk, and no path in a file is
read from the disk except inside the sources folder next to a bare ``.qde``.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from thematica.errors import InvalidInput
from thematica.ingest.archives import (
    MAX_MEMBER_BYTES,
    open_archive,
    parse_xml,
    read_member,
)
from thematica.ingest.files import check_size

PROJECT_NS = re.compile(r"urn:QDA-XML:project:\d+[.:]\d+")
CODEBOOK_NS = re.compile(r"urn:QDA-XML:codebook:\d+[.:]\d+")
PROJECT_URN = "urn:QDA-XML:project:1.0"
CODEBOOK_URN = "urn:QDA-XML:codebook:1.0"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)")


@dataclass
class Package:
    """A REFI-QDA file opened for reading: its XML root and a way to read its sources."""

    path: Path
    kind: str  # "project" | "codebook"
    root: object  # lxml element
    _archive: zipfile.ZipFile | None = None
    _members: dict[str, str] = field(default_factory=dict)  # lower-case name -> member
    _folder: Path | None = None  # the sources folder next to a bare .qde

    @property
    def bare(self) -> bool:
        """True for a .qde or .qdc read from the disk, not from a .qdpx archive."""
        return self._archive is None

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, reference: str) -> bytes | None:
        """The bytes of an internal file (``internal://name.txt``, or a bare name as some
        tools write); None when the file is not in the package."""
        name = internal_name(reference)
        if name is None:
            return None
        if self._archive is not None:
            member = self._members.get(name.lower())
            if member is None:
                return None
            return read_member(self._archive, member, self.path)
        if self._folder is None:
            return None
        for candidate in self._folder.iterdir():
            if candidate.name.lower() == name.lower():
                if candidate.is_symlink() or not candidate.is_file():
                    raise InvalidInput(f"{candidate} is not a plain file; refused")
                check_size(candidate, MAX_MEMBER_BYTES, "source files")
                return candidate.read_bytes()
        return None


def internal_name(reference: str) -> str | None:
    """The file name an internal path names, or None for external paths
    (``relative://``, ``absolute://``) and anything with folders in it."""
    reference = reference.strip()
    if re.match(r"(?i)(relative|absolute)://", reference):
        return None
    name = re.sub(r"(?i)^internal:/*", "", reference).replace("\\", "/")
    parts = [p for p in name.split("/") if p]
    if len(parts) == 2 and parts[0].lower() == "sources":
        parts = parts[1:]
    if len(parts) != 1 or parts[0] in (".", ".."):
        return None
    return parts[0]


def open_package(path: str | Path, expect: str | None = None) -> Package:
    """Open a ``.qdpx``, ``.qde`` or ``.qdc`` (``expect``: "project" or "codebook")."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    if zipfile.is_zipfile(path):
        package = _open_archive(path)
    else:
        check_size(path, MAX_MEMBER_BYTES, "REFI-QDA files")
        root = _parse(path.read_bytes(), path)
        folder = None
        for candidate in path.parent.iterdir():
            if candidate.name.lower() == "sources" and candidate.is_dir():
                folder = candidate
        package = Package(path, _kind(root, path), root, _folder=folder)
    if expect is not None and package.kind != expect:
        package.close()
        wanted = "a project (.qdpx or .qde)" if expect == "project" else "a codebook (.qdc)"
        raise InvalidInput(f"{path.name} is a REFI-QDA {package.kind}, not {wanted}")
    return package


def _open_archive(path: Path) -> Package:
    archive = open_archive(path, "REFI-QDA project")
    try:
        members = [m for m in archive.infolist() if not m.is_dir()]
        for member in members:
            if stat.S_ISLNK(member.external_attr >> 16):
                raise InvalidInput(
                    f"{path.name} holds a symbolic link ({member.filename!r}); refused"
                )
            if ".." in PurePosixPath(member.filename.replace("\\", "/")).parts:
                raise InvalidInput(
                    f"{path.name} has a member outside the archive ({member.filename!r})"
                )
        projects = [
            m
            for m in members
            if m.filename.lower().endswith(".qde") and not m.filename.startswith("__MACOSX/")
        ]
        if not projects:
            raise InvalidInput(f"{path.name} holds no .qde project file; it is not a .qdpx")
        if len(projects) > 1:
            top = [m for m in projects if "/" not in m.filename.strip("/")]
            if len(top) != 1:
                names = ", ".join(m.filename for m in projects[:3])
                raise InvalidInput(f"{path.name} holds several .qde files ({names}); refused")
            projects = top
        qde = projects[0]
        root = _parse(read_member(archive, qde.filename, path), path, qde.filename)
        prefix = qde.filename.rsplit("/", 1)[0] + "/" if "/" in qde.filename else ""
        sources: dict[str, str] = {}
        for member in members:
            name = member.filename
            if not name.startswith(prefix):
                continue
            rest = name[len(prefix) :].split("/")
            if len(rest) == 2 and rest[0].lower() == "sources" and rest[1]:
                sources.setdefault(rest[1].lower(), name)
            elif len(rest) == 1 and member is not qde:
                sources.setdefault(rest[0].lower(), name)  # files beside the .qde
        return Package(path, _kind(root, path), root, archive, sources)
    except BaseException:
        archive.close()
        raise


def _parse(data: bytes, path: Path, member: str | None = None):
    where = f"{path.name}!{member}" if member else path.name
    if _DTD.search(data[: 64 * 1024]):
        raise InvalidInput(
            f"{where} declares a DTD or entities, which REFI-QDA files never need; refused"
        )
    root = parse_xml(data, Path(where))
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise InvalidInput(f"{where} declares a DTD; refused")
    return root


def _kind(root, path: Path) -> str:
    tag = root.tag if isinstance(root.tag, str) else ""
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    if local == "Project" and PROJECT_NS.fullmatch(namespace):
        return "project"
    if local == "CodeBook" and CODEBOOK_NS.fullmatch(namespace):
        return "codebook"
    found = f"<{local}> in namespace {namespace!r}" if namespace else f"<{local}> with no namespace"
    raise InvalidInput(
        f"{path.name} is not a REFI-QDA project or codebook: its root is {found}, not "
        f"<Project> in {PROJECT_URN!r} or <CodeBook> in {CODEBOOK_URN!r}"
    )
