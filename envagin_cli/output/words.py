"""Swedish numbers and words in text output: "1 ärende", "2 ärenden", "10,5"."""

from __future__ import annotations


def antal(n: int, singular: str, plural: str) -> str:
    """A count with its noun in Swedish: "1 ärende", "2 ärenden"."""
    return f"{n} {singular if n == 1 else plural}"


def decimal(value: float, decimals: int = 1) -> str:
    """A number with the Swedish decimal comma (10,5)."""
    return f"{value:.{decimals}f}".replace(".", ",")


def tal(value: float | int) -> str:
    """A value as short as it goes, with the decimal comma: 200, 0,5, 12,25."""
    return f"{value:g}".replace(".", ",")
