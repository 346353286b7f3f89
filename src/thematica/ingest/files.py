"""Reading text files safely: size limits, encodings, binary detection."""

from pathlib import Path

from thematica.errors import InvalidInput

# A transcript of a three-hour interview is about 200 KB; anything this large is not one.
MAX_TEXT_BYTES = 50 * 1024 * 1024


def check_size(path: Path, limit: int, what: str) -> int:
    """The size of ``path`` in bytes; refuse it, before reading, when over ``limit``."""
    size = path.stat().st_size
    if size > limit:
        raise InvalidInput(
            f"{path.name} is {size / 1024 / 1024:.0f} MB; {what} over "
            f"{limit // 1024 // 1024} MB are refused"
        )
    return size


def read_text(path: Path, encoding: str | None = None) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, or ``encoding``."""
    return decode_text(path, encoding)[0]


def decode_text(
    path: Path, encoding: str | None = None, guess_legacy: bool = False
) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    Without ``encoding``: UTF-8 (with or without BOM) or UTF-16 with a BOM; with
    ``guess_legacy``, a file that is not UTF-8 is read as Windows-1252, the encoding of
    older Word and Notepad files in Western Europe (the caller should say so).
    """
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    check_size(path, MAX_TEXT_BYTES, "text files")
    data = path.read_bytes()
    explicit = encoding is not None
    if encoding is None:
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InvalidInput(f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        if explicit:
            raise InvalidInput(f"{path} is not valid {encoding}: {error.reason}") from None
        not_utf8 = InvalidInput(
            f"{path} is not UTF-8 (byte 0x{data[error.start]:02x} at position {error.start}); "
            "pass its encoding, e.g. --encoding cp1252"
        )
        if not guess_legacy:
            raise not_utf8 from None
        try:
            text, encoding = data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise not_utf8 from None
    if _looks_binary(text):
        raise InvalidInput(f"{path} looks like a binary file, not text")
    return text, encoding


def _looks_binary(text: str) -> bool:
    # Text files hold tabs, line ends and form feeds; other control characters, NUL
    # above all, mean the bytes are not text, whatever they decoded to.
    return any(ch < " " and ch not in "\t\n\r\x0b\x0c" for ch in text[:65536])
