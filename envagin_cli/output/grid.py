"""Tables that fit the width they are given, and never cut a value.

A `Grid` is a title, headers, rows of cells and notes. `show()` lays it out in the first
of these that fits, with every column at least as wide as its longest word (so an
identifier, a date or a code is never cut, and a label wraps only between words):

1. the framed Rich table (piped at natural width, `plain_table` draws the same characters
   without importing Rich);
2. the same columns without frame (one space between columns, a line under the head);
3. the grid's own narrow form, if it has one (`smal`: e.g. two values stacked in a cell);
4. one block per row, `Rubrik: värde` on each line (never wider than the longest word).

The width is the terminal's; `COLUMNS` when set; else, when stdout is not a terminal,
none at all: the table takes its natural width and nothing is padded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from envagin_cli.output.console import console, width

Cell = Any  # str, int, None or a rich.text.Text


@dataclass
class Grid:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    right: set[int] = field(default_factory=set)
    #: row indexes drawn in bold (a total row).
    bold: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    #: a narrower form of the same table, tried before one block per row.
    smal: Grid | None = None
    #: what an empty table says instead of a frame.
    tom: str | None = None
    #: columns whose cells never wrap (a report's row labels).
    hel: set[int] = field(default_factory=set)


def _plain(cell: Cell) -> str:
    if cell is None:
        return ""
    return cell.plain if hasattr(cell, "plain") else str(cell)


def _words(text: str) -> int:
    return max((len(w) for line in text.split("\n") for w in line.split(" ")), default=0)


def _lines(text: str) -> int:
    return max((len(line) for line in text.split("\n")), default=0)


def _measure(grid: Grid) -> tuple[list[int], list[int], list[int]]:
    """Per column: the least width (the longest word; a right-aligned value is one word),
    the longest line of the cells, and the longest line of cells and header."""
    least = [_words(h) for h in grid.headers]
    body = [0] * len(grid.headers)
    for row in grid.rows:
        for i, cell in enumerate(row):
            text = _plain(cell)
            body[i] = max(body[i], _lines(text))
            whole = i in grid.right or i in grid.hel
            least[i] = max(least[i], body[i] if whole else _words(text))
    most = [max(b, _lines(h)) for b, h in zip(body, grid.headers, strict=True)]
    return least, [max(a, b) for a, b in zip(least, body, strict=True)], most


def _grow(widths: list[int], target: list[int], spare: int) -> int:
    """Widen columns towards `target`, evenly, within `spare`; returns what is left."""
    while spare > 0:
        wanting = [i for i, (w, t) in enumerate(zip(widths, target, strict=True)) if w < t]
        if not wanting:
            break
        for i in wanting:
            if spare == 0:
                break
            widths[i] += 1
            spare -= 1
    return spare


def _fit(
    sizes: tuple[list[int], list[int], list[int]], overhead: int, room: int | None
) -> list[int] | None:
    """Column widths within `room` (None: natural), or None when the least will not fit.
    Spare room goes first to the cells, so that they need not wrap, then to the headers."""
    least, body, most = sizes
    if room is None:
        return list(most)
    spare = room - overhead - sum(least)
    if spare < 0:
        return None
    widths = list(least)
    spare = _grow(widths, body, spare)
    _grow(widths, most, spare)
    return widths


def _rich_table(grid: Grid, widths: list[int], framed: bool, wraps: bool = False) -> Any:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        box=box.HEAVY_HEAD if framed else box.SIMPLE_HEAD,
        show_edge=framed,
        pad_edge=framed,
        # a line between rows when a row takes more than one line
        show_lines=wraps or any("\n" in _plain(c) for r in grid.rows for c in r),
    )
    for i, header in enumerate(grid.headers):
        table.add_column(
            header,
            justify="right" if i in grid.right else "left",
            width=widths[i],
            overflow="fold",
        )
    for n, row in enumerate(grid.rows):
        style = "bold" if n in grid.bold else ""
        table.add_row(
            *[cell if isinstance(cell, Text) else Text(_plain(cell), style=style) for cell in row]
        )
    return table


def _records(grid: Grid, out: Any) -> None:
    from rich.text import Text

    if grid.title:
        out.print(Text(grid.title, style="bold"))
    pad = max(len(h.replace("\n", " ")) for h in grid.headers) + 1
    for row in grid.rows:
        out.print()
        for header, cell in zip(grid.headers, row, strict=True):
            text = _plain(cell).replace("\n", " ")
            if text and not header:
                out.print(Text(text, style="bold"))
            elif text:
                out.print(Text(f"{header.replace(chr(10), ' ') + ':':<{pad}} {text}"))


#: Characters one cell wide in Rich as in `len()`, beyond Latin-1 (dashes, quotes, bullets).
_NARROW = frozenset("–—‘’“”…•€")
#: What makes Rich colour piped output, where `plain_table` would not.
_FORCING = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


def one_cell_wide(text: str) -> bool:
    return all((" " <= ch < "\x7f") or ("\xa0" <= ch < "\u0300") or ch in _NARROW for ch in text)


def plain_table(grid: Grid) -> list[str] | None:
    """The framed table's lines, drawn without Rich, when Rich would draw exactly these:
    piped output at natural width (no `COLUMNS`, nothing wraps, no colour), every value
    on one line and one cell per character. None otherwise (then `show` draws it)."""
    import os
    import sys

    if width() is not None or sys.stdout.isatty() or not grid.rows or grid.smal or grid.hel:
        return None
    if any(os.environ.get(name) for name in _FORCING):
        return None
    texts = [[_plain(c) for c in row] for row in grid.rows]
    cells = [*grid.headers, *(t for row in texts for t in row), grid.title, *grid.notes]
    if not all(one_cell_wide(t) for t in cells):
        return None
    widths = _measure(grid)[2]

    def line(values: list[str], bar: str) -> str:
        parts = [
            v.rjust(w) if i in grid.right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return f"{bar} " + f" {bar} ".join(parts) + f" {bar}"

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + right

    lines = [grid.title] if grid.title else []
    lines += [rule("┏", "━", "┳", "┓"), line(grid.headers, "┃"), rule("┡", "━", "╇", "┩")]
    lines += [line(row, "│") for row in texts]
    lines += [rule("└", "─", "┴", "┘"), *grid.notes]
    return [text.rstrip(" ") for text in lines]


def fits(grid: Grid) -> bool:
    """Whether the grid fits the width as a table (framed or not), without its narrow form."""
    n = len(grid.headers)
    room = width()
    return _fit(_measure(grid), 3 * n - 3, room) is not None


def show(grid: Grid, out: Any = None) -> None:
    """Print the grid on stdout in the first layout that fits (see the module docstring)."""
    from rich.text import Text

    out = out or console()
    if not grid.rows and grid.tom is not None:
        out.print(Text(grid.tom))
        return
    room = width()
    n = len(grid.headers)
    candidate: Grid | None = grid
    while candidate is not None:
        sizes = _measure(candidate)
        for framed, overhead in ((True, 3 * n + 1), (False, 3 * n - 3)):
            widths = _fit(sizes, overhead, room)
            if widths is not None:
                if candidate.title:
                    out.print(Text(candidate.title, style="bold"))
                wraps = any(w < b for w, b in zip(widths, sizes[1], strict=True))
                out.print(_rich_table(candidate, widths, framed, wraps))
                for note in candidate.notes:
                    out.print(Text(note))
                return
        candidate = candidate.smal
        n = len(candidate.headers) if candidate else n
    _records(grid, out)
    for note in grid.notes:
        out.print(Text(note))


def stack(*cells: Cell) -> str:
    """Several values in one cell, one per line (a narrow form's stacked column)."""
    return "\n".join(_plain(c) for c in cells if _plain(c))


def headers(*names: str) -> str:
    return "\n".join(names)


def grids(items: Sequence[Grid]) -> None:
    out = console()
    for i, grid in enumerate(items):
        if i:
            out.print()
        show(grid, out)
