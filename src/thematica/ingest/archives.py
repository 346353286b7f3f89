"""Opening zip-based documents (.docx, .odt, .xlsx) and parsing their XML safely.

Office files are zip archives of XML. A hostile one can be a zip bomb (a few KB that
inflate to gigabytes), can name members outside the archive, or can carry XML entities
that expand without end or reach the network. Every reader of such a format opens it
through :func:`open_archive` and parses XML with :func:`parse_xml`.
"""

import zipfile
import zlib
from pathlib import Path

from thematica.errors import InvalidInput

MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed; real documents stay far below


def open_archive(path: Path, kind: str) -> zipfile.ZipFile:
    """Open a zip-based document, refusing corrupt archives and zip bombs."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InvalidInput(f"{path.name} is not a valid {kind} file (not a zip archive)") from None
    except (NotImplementedError, UnicodeDecodeError, ValueError, OSError) as error:
        raise InvalidInput(f"{path.name} is a damaged {kind} file ({error})") from None
    total = 0
    for member in archive.infolist():
        if member.flag_bits & 0x1:
            archive.close()
            raise InvalidInput(f"{path.name} is encrypted; save an unprotected copy to import it")
        name = member.filename
        if name.startswith(("/", "\\")) or ".." in Path(name).parts:
            archive.close()
            raise InvalidInput(f"{path.name} has a member outside the archive ({name!r})")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if (
            member.file_size > MAX_MEMBER_BYTES
            or total > MAX_TOTAL_BYTES
            or (member.file_size > 1024 * 1024 and ratio > MAX_RATIO)
        ):
            archive.close()
            raise InvalidInput(
                f"{path.name} would inflate to more than its limits (a zip bomb?); refused"
            )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """Read one member, with the size checked against what actually comes out."""
    try:
        with archive.open(name) as handle:
            data = handle.read(MAX_MEMBER_BYTES + 1)
    except KeyError:
        raise InvalidInput(f"{path.name} has no {name}; it is not a valid document") from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        NotImplementedError,
        UnicodeDecodeError,
    ) as error:  # a damaged archive can fail in any of these ways
        raise InvalidInput(
            f"{path.name} is damaged: its zip archive is corrupt ({error})"
        ) from None
    if len(data) > MAX_MEMBER_BYTES:
        raise InvalidInput(f"{path.name} would inflate to more than its limits; refused")
    return data


def parse_xml(data: bytes, path: Path):
    """Parse XML with no entity expansion, no DTD loading and no network access."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"{path.name} has malformed XML ({error.msg})") from None
