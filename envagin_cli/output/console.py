"""The one console set-up: where tables and messages go, and how wide they may be.

Data goes to stdout, messages to stderr. User-entered text is never read as Rich markup.
At a terminal, tables fit the terminal's width. Piped output (a file, `less`, a script)
takes `COLUMNS` when set; else tables take their natural width, nothing is cut and no
line is padded with trailing spaces. Rich is imported on first use, so `--help` and
writes do not pay for it.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import IO, Any, cast

#: Rich's line width when stdout is not a terminal and COLUMNS is unset: wide enough that
#: nothing wraps (tables set their own natural width).
NATURAL = 10_000


def width() -> int | None:
    """The width to lay tables out in: the terminal's, `COLUMNS`, or None (natural)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


class _Unpadded:
    """A text stream that drops the spaces at the end of each line (piped output)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        for line in lines:
            self.stream.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.stream.write(self.pending.rstrip(" "))
            self.pending = ""
        self.stream.flush()

    def isatty(self) -> bool:
        return False


def console(*, stderr: bool = False) -> Any:
    """A Rich console on stdout (or stderr, for progress): no markup, highlighting, emoji."""
    from rich.console import Console

    if stderr:
        return Console(stderr=True, markup=False, highlight=False, emoji=False)
    room = width()
    if sys.stdout.isatty():
        return Console(markup=False, highlight=False, emoji=False, width=room)
    return Console(
        file=cast(IO[str], _Unpadded(sys.stdout)),
        markup=False,
        highlight=False,
        emoji=False,
        width=room or NATURAL,
    )
