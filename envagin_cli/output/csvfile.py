"""The one CSV writer and the one spreadsheet-formula neutraliser.

Files for people are `;`-separated UTF-8 with a BOM, so Swedish Excel opens them with the
right columns and characters. A spreadsheet runs a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return as a formula: such text gets a leading `'` (which
`unneutralise` takes off again when envagin reads its own files).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """`'=SUM(A1)` for `=SUM(A1)`: text a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(_FORMULA) else value


def unneutralise(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def cell(value: object) -> str:
    """A value as a cell: text neutralised, numbers as they are, None empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as `;`-separated CSV text (CRLF line ends), every cell through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return out.getvalue()


def encode(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as a file for people: `;`-separated UTF-8 with BOM."""
    return ("\ufeff" + text(rows)).encode("utf-8")
