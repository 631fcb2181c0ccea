"""The one CSV writer and the one spreadsheet-formula neutraliser.

Files for people are `;`-separated UTF-8 with a BOM, so Swedish Excel opens them with the
right columns and characters. A spreadsheet runs a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return as a formula: such text gets a leading `'` (which
`unneutralise` takes off again when envagin reads its own files). Only text is neutralised:
a number (`Tal`, e.g. "-0,3" or "27 %") is written as it is, with a plain minus.

Every field that holds the separator, a comma, a quote or a line break is quoted, so
LibreOffice's default import (which also splits on commas) keeps the columns.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = re.compile(r'[;,"\r\n]')
_NUMBER = re.compile(r"^-?\d[\d\u202f\u00a0 ]*(,\d+)?(\u00a0?%| %| p\.e\.)?$")


class Tal(str):
    """A number as text ("-0,3", "27 %"): never neutralised."""


def number(text: str) -> Tal | None:
    """The text as a `Tal` (a true minus sign made plain) if it is a number, else None."""
    plain = text.replace("\u2212", "-")
    return Tal(plain) if _NUMBER.match(plain) else None


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
    if isinstance(value, Tal):
        return str(value)
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def field(value: str) -> str:
    """A field quoted if it holds `;`, `,`, `"` or a line break (quotes doubled)."""
    return '"' + value.replace('"', '""') + '"' if _QUOTE.search(value) else value


def text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as `;`-separated CSV text (CRLF line ends), every cell through `cell`."""
    out = io.StringIO()
    for row in rows:
        out.write(";".join(field(cell(v)) for v in row) + "\r\n")
    return out.getvalue()


def encode(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as a file for people: `;`-separated UTF-8 with BOM."""
    return ("\ufeff" + text(rows)).encode("utf-8")
