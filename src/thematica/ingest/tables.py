"""Reading CSV files of user data with one-line errors for every way they go wrong."""

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from thematica.errors import InvalidInput
from thematica.ingest.files import read_text


class Table(NamedTuple):
    columns: list[str]
    rows: list[dict[str, str]]


def read_csv(
    path: str | Path,
    required: Sequence[str],
    encoding: str | None = None,
    unstripped: Sequence[str] = (),
) -> Table:
    """The header and rows of a CSV file; missing cells are empty, and cells are stripped
    of surrounding spaces except in the ``unstripped`` columns (where spaces matter).

    Raises :class:`InvalidInput` when the file cannot be decoded, has no header, or lacks
    one of the ``required`` columns.
    """
    path = Path(path)
    text = read_text(path, encoding)
    # Spreadsheets in some locales save with ";" or tabs; only the delimiter is sniffed,
    # since the sniffer's guesses about quoting are wrong for quotes with "" inside.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.DictReader(io.StringIO(text), dialect=csv.excel, delimiter=delimiter)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        if not header:
            raise InvalidInput(f"{path} is empty: expected a header row")
        missing = [c for c in required if c not in header]
        if missing:
            raise InvalidInput(
                f"{path} has no column {missing[0]!r}; its columns are: {', '.join(header)}"
            )
        reader.fieldnames = header
        rows = [
            {
                k: (v or "") if k in unstripped else (v or "").strip()
                for k, v in row.items()
                if k is not None
            }
            for row in reader
        ]
        return Table(header, rows)
    except csv.Error as error:
        raise InvalidInput(f"{path} is not a readable CSV file: {error}") from None


def read_table(
    path: str | Path,
    required: Sequence[str],
    encoding: str | None = None,
    unstripped: Sequence[str] = (),
) -> Table:
    """A CSV (``.csv``, ``.tsv``, ``.txt``) or Excel (``.xlsx``) table with a header row."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return _read_xlsx(path, required, unstripped)
    return read_csv(path, required, encoding, unstripped)


def _read_xlsx(path: Path, required: Sequence[str], unstripped: Sequence[str]) -> Table:
    """The first worksheet of an Excel workbook: the first row is the header."""
    import datetime

    from openpyxl import load_workbook

    from thematica.ingest.archives import open_archive

    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    open_archive(path, "Excel").close()  # zip bombs and corrupt files, before openpyxl
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a bad workbook
        raise InvalidInput(f"{path} is not a readable Excel workbook ({error})") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        if not any(header):
            raise InvalidInput(f"{path} is empty: expected a header row")
        missing = [c for c in required if c not in header]
        if missing:
            raise InvalidInput(
                f"{path} has no column {missing[0]!r}; its columns are: "
                + ", ".join(h for h in header if h)
            )

        def cell(value: object, column: str) -> str:
            if value is None:
                return ""
            if isinstance(value, datetime.datetime) and value.time() == datetime.time():
                value = value.date()
            if isinstance(value, datetime.date):
                return value.isoformat()
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            text = str(value)
            return text if column in unstripped else text.strip()

        table = [
            {h: cell(v, h) for h, v in zip(header, values, strict=False) if h}
            for values in rows
            if any(v is not None for v in values)
        ]
        for row in table:
            for h in header:
                if h:
                    row.setdefault(h, "")
        return Table([h for h in header if h], table)
    finally:
        book.close()
