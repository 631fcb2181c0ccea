"""A text capture of the program's screen (for the tests' snapshots and the guide)."""

from __future__ import annotations

from typing import Any


def screen_text(app: Any) -> str:
    """The screen as plain text, one line per row, trailing spaces removed."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips) + "\n"
