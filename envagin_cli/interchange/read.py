"""Reading interchange files: decoding, columns, rows; and writing a rejects file.

CSV (`,` or `;`, detected; UTF-8 with or without BOM, or Windows-1252) or JSON Lines.
Field names are matched case-insensitively with `_` = `-` and å/ä/ö = a/a/o; unknown
columns are refused before any row is read. A rejects file holds the bad rows as they
were written plus `rad` and `fel`, so it can be corrected and read again.
"""

from __future__ import annotations

import csv
import gc
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envagin_cli.interchange.export import fold_field
from envagin_cli.output import csvfile, jsonout
from envagin_cli.rules import event_kinds
from envagin_cli.rules.errors import Valideringsfel
from envagin_cli.rules.event_kinds import FIELD_NAMES
from envagin_cli.store import files


@contextmanager
def without_gc() -> Iterator[None]:
    """An import keeps every row's objects alive until the end, so the cyclic garbage
    collector would only rescan them again and again; reference counting frees the rest."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


IGNORED = frozenset({"rad", "fel"})  # columns of a rejects file, so it can be fixed and re-read


@dataclass(slots=True)
class Rad:
    """One row of the file: its line number, its fields (folded names, text values), and the
    row as written (for a rejects file)."""

    rad: int
    falt: dict[str, str]
    kolumner: list[str]
    varden: list[str]

    @property
    def original(self) -> dict[str, str]:
        return dict(zip(self.kolumner, self.varden, strict=False))


def decode(data: bytes, encoding: str | None) -> str:
    """UTF-8 (with or without BOM) or Windows-1252, detected unless given."""
    if encoding:
        name = encoding.strip().lower().replace("_", "-")
        aliases = {"windows-1252": "cp1252", "ansi": "cp1252", "latin1": "latin-1", "utf8": "utf-8"}
        name = aliases.get(name, name)
        try:
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError) as exc:
            raise Valideringsfel(
                f"encoding: filen kan inte läsas som {encoding} ({exc.__class__.__name__}). "
                "Tillåtna: utf-8, utf-8-sig, windows-1252."
            ) from None
        return text.lstrip("\ufeff")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(_cell(v) for v in value)
    return str(value)


def read(data: bytes, *, fmt: str, encoding: str | None = None) -> tuple[list[str], list[Rad]]:
    """Parse CSV (`,` or `;`, detected) or JSON Lines into rows; check the columns first."""
    with without_gc():
        return _read(data, fmt=fmt, encoding=encoding)


def _read(data: bytes, *, fmt: str, encoding: str | None) -> tuple[list[str], list[Rad]]:
    text = decode(data, encoding)
    rows: list[Rad] = []
    if fmt == "jsonl":
        parsed: list[tuple[int, dict[str, str]]] = []
        columns: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise Valideringsfel(f"rad {number}: ingen giltig JSON ({exc.msg}).") from None
            if not isinstance(obj, dict):
                raise Valideringsfel(f"rad {number}: varje rad ska vara ett JSON-objekt.")
            for key in obj:
                if key not in columns:
                    columns.append(key)
            parsed.append((number, {str(k): _cell(v) for k, v in obj.items()}))
        mapping = check_columns(columns)
        for number, obj in parsed:
            keys = list(obj)
            fields = {mapping[k]: v.strip() for k, v in obj.items() if mapping[k] and v.strip()}
            rows.append(Rad(number, fields, keys, [obj[k] for k in keys]))
        return columns, rows
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise Valideringsfel("Filen är tom; den ska börja med en rubrikrad.") from None
    mapping = check_columns(header)
    wanted = [(i, mapping[c]) for i, c in enumerate(header) if mapping[c]]
    width = len(header)
    # A row fills only its kind's fields, a handful of a file's many columns: read those,
    # and read every column only when some other cell is filled (or only spaces).
    kind_at = next(i for i, name in wanted if name == "handelse")
    plans = {
        code: [(i, name) for i, name in wanted if name in allowed]
        for code, allowed in event_kinds.ALLOWED.items()
    }
    for values in reader:
        if len(values) > width:
            raise Valideringsfel(
                f"rad {reader.line_num}: {len(values)} fält men rubrikraden har {width}."
            )
        falt: dict[str, str] = {}
        plan = plans.get(values[kind_at]) if len(values) == width else None
        if plan is not None:
            for i, name in plan:
                value = values[i]
                if value and (value := value.strip()):
                    falt[name] = csvfile.unneutralise(value) if value[0] == "'" else value
            if len(falt) == width - values.count(""):
                rows.append(Rad(reader.line_num, falt, header, values))
                continue
            falt = {}
        if len(values) == width:
            for i, name in wanted:
                value = values[i]
                if value and (value := value.strip()):
                    falt[name] = csvfile.unneutralise(value) if value[0] == "'" else value
        else:
            for i, name in wanted:
                if i < len(values) and (value := values[i].strip()):
                    falt[name] = csvfile.unneutralise(value) if value[0] == "'" else value
        if falt or any(v.strip() for v in values):
            rows.append(Rad(reader.line_num, falt, header, values))
    return header, rows


def check_columns(columns: list[str]) -> dict[str, str]:
    """Original column -> folded field; refuses unknown columns and a file without händelse."""
    mapping: dict[str, str] = {}
    unknown = []
    for column in columns:
        folded = fold_field(column)
        if folded in FIELD_NAMES:
            mapping[column] = folded
        elif folded in IGNORED:
            mapping[column] = ""
        else:
            unknown.append(column)
    if unknown:
        raise Valideringsfel(
            "Okända kolumner: "
            + ", ".join(f"'{c[:40]}'" for c in unknown)
            + ". Tillåtna: "
            + ", ".join(FIELD_NAMES.values())
            + "."
        )
    if "handelse" not in mapping.values():
        raise Valideringsfel("Filen saknar kolumnen 'händelse'; inget har lästs in.")
    return mapping


def write_rejects(
    path: Path, kind: str, rows: list[Rad], errors: dict[int, str], *, overwrite: bool = False
) -> None:
    """The bad rows as written, with their line number (`rad`) and reasons (`fel`); an
    existing file only with `overwrite` (`--skriv-över`)."""
    bad = [r for r in rows if r.rad in errors]
    if kind == "jsonl":
        data = "".join(
            jsonout.line({**r.original, "rad": r.rad, "fel": errors[r.rad]}) + "\n" for r in bad
        ).encode("utf-8")
    else:
        columns: list[str] = []
        for r in bad:
            columns += [c for c in r.original if c not in columns]
        data = csvfile.encode(
            [
                [*columns, "rad", "fel"],
                *([r.original.get(c, "") for c in columns] + [r.rad, errors[r.rad]] for r in bad),
            ]
        )
    files.write_private(path, data, overwrite)
