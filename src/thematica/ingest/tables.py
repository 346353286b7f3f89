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
