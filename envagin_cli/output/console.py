"""The one console set-up: where tables and messages go, and how wide they may be.

Data goes to stdout, messages to stderr. User-entered text is never read as Rich markup.
Piped output (a file, `less`, a script) is not cut to a terminal's width: it takes
`COLUMNS` when set, else a wide default. Rich is imported on first use, so `--help` and
writes do not pay for it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

PIPED_WIDTH = 200


def width() -> int | None:
    """The width to lay tables out in: the terminal's own, or `COLUMNS` when piped."""
    if sys.stdout.isatty():
        return None
    return int(os.environ.get("COLUMNS", str(PIPED_WIDTH)))


def console(*, stderr: bool = False) -> Any:
    """A Rich console on stdout (or stderr, for progress): no markup, highlighting, emoji."""
    from rich.console import Console

    if stderr:
        return Console(stderr=True, markup=False, highlight=False, emoji=False)
    return Console(markup=False, highlight=False, emoji=False, width=width())
