"""The one console set-up: where tables and messages go, and how wide they may be.

Data goes to stdout, messages to stderr. User-entered text is never read as Rich markup.
At a terminal, tables fit the terminal's width. Piped output (a file, `less`, a script)
takes `COLUMNS` when set; else tables take their natural width, nothing is cut and no
line is padded with trailing spaces. Rich is imported on first use, so `--help` and
writes do not pay for it.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


class _TerminalBuffer(io.TextIOWrapper):
    """Collects what a command writes to the terminal, to be shown through a pager."""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise io.UnsupportedOperation("fileno")

    def text(self) -> str:
        self.flush()
        raw = self.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue().decode("utf-8")


def _pager() -> list[str] | None:
    """The pager as git chooses it: `PAGER`, else `less -FRX`; None for none."""
    import shlex

    command = os.environ.get("PAGER", "less")
    if command.strip() in ("", "cat"):
        return None
    return shlex.split(command)


@contextmanager
def paged(enabled: bool = True) -> Iterator[None]:
    """At a terminal, output taller than the screen goes through a pager (as git does:
    `PAGER`, else `less` with `LESS=FRX`); `--no-pager` or a pipe writes straight out."""
    real = sys.stdout
    if not enabled or not real.isatty():
        yield
        return
    buffer = _TerminalBuffer(io.BytesIO(), encoding="utf-8", write_through=True)
    sys.stdout = buffer
    try:
        yield
    finally:
        sys.stdout = real
        text = buffer.text()
        command = _pager()
        if command is None or text.count("\n") < shutil.get_terminal_size().lines:
            real.write(text)
            real.flush()
        else:
            _through(command, text, real)


def _through(command: list[str], text: str, real: IO[str]) -> None:
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:
        real.write(text)
        real.flush()
        return
    assert process.stdin is not None
    try:
        process.stdin.write(text.encode("utf-8"))
        process.stdin.close()
    except BrokenPipeError:  # the reader quit the pager early
        pass
    process.wait()
