"""Reading text files safely: size limits, encodings, binary detection."""

from pathlib import Path

from thematica.errors import InvalidInput

# A transcript of a three-hour interview is about 200 KB; anything this large is not one.
MAX_TEXT_BYTES = 50 * 1024 * 1024


def read_text(path: Path, encoding: str | None = None) -> str:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 with BOM, or ``encoding``."""
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise InvalidInput(
            f"{path} is {size / 1024 / 1024:.0f} MB; files over "
            f"{MAX_TEXT_BYTES // 1024 // 1024} MB are refused"
        )
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
        raise InvalidInput(
            f"{path} is not UTF-8 (byte 0x{data[error.start]:02x} at position {error.start}); "
            "pass its encoding, e.g. --encoding cp1252"
        ) from None
    if "\x00" in text:
        raise InvalidInput(f"{path} looks like a binary file, not text")
    return text
