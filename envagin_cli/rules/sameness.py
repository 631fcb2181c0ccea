"""The rule of sameness (DOMAIN.md): two rows are the same event when every field they
both give is equal. An import that meets an event already there adds nothing, and so does
a command repeated with the same values ("Händelsen finns redan").

Fields are compared as the interchange writes them (`event_kinds.event_row`), each in a
form where two spellings of the same thing are equal: codes folded (å = a, any case), lists
as sets, flags as booleans, free text with its whitespace folded.
"""

from __future__ import annotations

from typing import Any

from envagin_cli.rules import codes, event_kinds

#: What a file or a flag may write for yes and for no.
TRUE = frozenset({"ja", "j", "yes", "true", "1", "x"})
FALSE = frozenset({"nej", "n", "no", "false", "0", ""})


def norm(name: str, value: str) -> Any:
    """A field's value in a form where two spellings of the same thing compare equal."""
    text = value.strip()
    kind = event_kinds.FIELD_TYPES.get(name)
    if kind == event_kinds.CODES:
        return frozenset(codes.fold(v) for v in text.split(",") if v.strip())
    if kind == event_kinds.FLAG:
        return text.lower() in TRUE
    if kind == event_kinds.TEXT:
        return " ".join(text.split())
    if name == "som":
        return text.lower()
    return codes.fold(text)


def normalised(row: dict[str, str]) -> dict[str, Any]:
    return {k: norm(k, v) for k, v in row.items()}


def same(given: dict[str, Any], existing: dict[str, Any]) -> bool:
    """Every field both give is equal (both normalised); and of the fields that say what
    kind of record it is (`event_kinds.EITHER_OR`: a day's hours or its absence), both
    give the same one."""
    if any((name in given) != (name in existing) for name in event_kinds.EITHER_OR):
        return False
    return all(existing.get(name, value) == value for name, value in given.items())


def same_data(typ: str, new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Two events' stored data are the same event of kind `typ`."""
    return same(
        normalised(event_kinds.event_row(typ, new)), normalised(event_kinds.event_row(typ, old))
    )
