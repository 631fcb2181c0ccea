"""Reading interchange files: the bytes, decoding, columns, rows; and writing a rejects file.

CSV (`,`, `;` or TAB, detected from the header) or JSON Lines; UTF-8 with or without BOM,
UTF-16 with BOM (Excel's "Unicode-text") or Windows-1252, detected unless given. A byte
that is not text in the file's encoding (a stray byte in UTF-8, 0x81 in Windows-1252) is
refused with its line and field, never read as U+FFFD. Field names are matched
case-insensitively with `_` = `-` and å/ä/ö = a/a/o; unknown columns are refused before
any row is read. A rejects file holds the bad rows as they were written plus `rad` and
`fel`, so it can be corrected and read again.

Hostile files get a refusal naming the line (and the field where one can be named), never
an internal error: a cell over the CSV module's 128 KiB, a JSON number of thousands of
digits, JSON nested thousands deep, a lone surrogate (`\ud800`). JSON Lines are split at
`\n` only, so text holding U+2028 (which `str.splitlines` would split at) reads back as
written. A source that is not a regular file (stdin, a pipe, a FIFO) is read up to
`MOST_FROM_STREAM` bytes, a device not at all: `import /dev/zero` never reads forever.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envagin_cli.interchange.export import fold_field
from envagin_cli.output import csvfile, jsonout
from envagin_cli.rules import event_kinds
from envagin_cli.rules.errors import Databasfel, Valideringsfel, kort, os_fel
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


#: The most read from a source that is not a regular file (stdin, a pipe, a FIFO).
MOST_FROM_STREAM = 256 * 1024 * 1024


def read_source(fil: str) -> bytes:
    """The bytes of FIL (`-`: stdin). A regular file is read whole; a pipe, a FIFO or stdin
    at most `MOST_FROM_STREAM` bytes (more is refused); a device (`/dev/zero`) or a folder
    is refused. A FIFO nobody writes to is read as empty, not waited for."""
    shown = kort(fil)
    if fil == "-":
        return _bounded(sys.stdin.buffer.read, "stdin")
    try:
        # O_NONBLOCK: opening a FIFO without a writer does not wait for one
        fd = os.open(fil, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Databasfel(f"Kan inte läsa {shown}: {os_fel(exc)}.") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise Databasfel(f"Kan inte läsa {shown}: det är en mapp.")
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            raise Databasfel(
                f"Kan inte läsa {shown}: det är en enhet, ingen fil; spara det som ska "
                "läsas in som en fil (eller skicka det på stdin med -)."
            )
        os.set_blocking(fd, True)
        with open(fd, "rb", buffering=0, closefd=False) as handle:
            if stat.S_ISREG(mode):
                return handle.readall()
            return _bounded(handle.read, shown)
    except OSError as exc:
        raise Databasfel(f"Kan inte läsa {shown}: {os_fel(exc)}.") from None
    finally:
        os.close(fd)


def _bounded(read: Any, name: str) -> bytes:
    """Read a stream to its end, but refuse one longer than `MOST_FROM_STREAM` bytes."""
    parts: list[bytes] = []
    size = 0
    while size <= MOST_FROM_STREAM:
        chunk = read(min(1 << 20, MOST_FROM_STREAM + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
    raise Valideringsfel(
        f"{name}: mer än {MOST_FROM_STREAM // (1024 * 1024)} MiB från en ström (stdin, rör "
        "eller FIFO); inget har lästs in. Spara filen och läs in den som en vanlig fil."
    )


#: The encodings `--encoding` takes (by Python's name for them) and what to call them.
ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "cp1252": "windows-1252",
    "iso8859-1": "latin-1",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16-le",
    "utf-16-be": "utf-16-be",
}
_ALIASES = {"ansi": "cp1252", "windows-1252": "cp1252", "unicode": "utf-16"}
#: Byte order marks, the longest first (UTF-32's begins like UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALLOWED = "utf-8, utf-8-sig, windows-1252, latin-1, utf-16 (med BOM), utf-16-le, utf-16-be"


def _codec(encoding: str) -> str:
    """`--encoding` as Python's codec name; anything but a text encoding listed is refused."""
    name = encoding.strip().lower().replace("_", "-")
    try:
        codec = codecs.lookup(_ALIASES.get(name, name)).name
    except LookupError:
        codec = ""
    if codec not in ENCODINGS:
        raise Valideringsfel(
            f"encoding: '{kort(encoding, 40)}' är ingen teckenkodning envagin läser. "
            f"Tillåtna: {_ALLOWED}."
        )
    return codec


def decode(data: bytes, encoding: str | None, fmt: str = "csv") -> str:
    """The file's text: in `encoding`, else UTF-8/UTF-16/UTF-32 by its BOM, else UTF-8,
    else Windows-1252. A byte that is not text in it is refused by line and field."""
    if encoding:
        codec = _codec(encoding)
        if codec == "utf-16" and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            codec = "utf-16-le"  # Windows writes little-endian; a BOM decides otherwise
        return _strict(data, codec, fmt).lstrip("\ufeff")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], codec, fmt)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise Valideringsfel(
            f"rad {line}: filen har NUL-tecken (byte 0x00): den är troligen UTF-16 utan BOM. "
            "Spara den som 'CSV UTF-8' eller 'Unicode-text', eller ange --encoding utf-16."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not data[: exc.start].isascii():
            # UTF-8 up to here (å, ä, ö read as UTF-8): one bad byte, not another encoding
            raise _undecodable(data, "utf-8", exc, fmt) from None
    return _strict(data, "cp1252", fmt)


def _strict(data: bytes, codec: str, fmt: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _undecodable(data, codec, exc, fmt) from None


def _undecodable(data: bytes, codec: str, exc: UnicodeDecodeError, fmt: str) -> Valideringsfel:
    """A refusal naming the line and, where it can be read, the field of the first byte
    that is not text in `codec` (and that byte)."""
    before = data[: exc.start].decode(codec, errors="replace")
    line = before.count("\n") + 1
    bad = data[exc.start : min(exc.end, exc.start + 4)]
    where = f"rad {line}{_field_at(data.decode(codec, errors='replace'), line, fmt)}"
    name = "Windows-1252" if codec == "cp1252" else ENCODINGS.get(codec, codec).upper()
    return Valideringsfel(
        f"{where}: byten 0x{bad.hex().upper()} är inget tecken i {name}; filen kan inte läsas "
        "in. Spara den som UTF-8 (CSV UTF-8) eller ange rätt --encoding."
    )


def _field_at(text: str, line: int, fmt: str) -> str:
    """Where on `line` of `text` (a file decoded with replacement) U+FFFD stands:
    ", fält NAMN" (", kolumn N" in the header), or '' when it cannot be told."""
    lines = text.split("\n")
    if line > len(lines):
        return ""
    try:
        if fmt == "jsonl":
            obj = json.loads(lines[line - 1], parse_int=str)
            for key, value in obj.items():
                if "\ufffd" in f"{key}{value}":
                    return f", fält {_shown(str(key))}"
            return ""
        header = lines[0]
        delimiter = _delimiter(header)
        names = next(csv.reader([header], delimiter=delimiter))
        cells = next(csv.reader([lines[line - 1]], delimiter=delimiter))
    except (ValueError, RecursionError, StopIteration, AttributeError, csv.Error):
        return ""
    for i, value in enumerate(cells):
        if "\ufffd" in value:
            if line == 1 or i >= len(names):  # the header itself: its column by number
                return f", kolumn {i + 1}"
            return f", fält {_shown(names[i].lstrip(chr(0xFEFF)))}"
    return ""


def _shown(name: str, most: int = 40) -> str:
    """A column name or value for a message: control characters and surrogates as \\xNN
    escapes (no raw NUL in a message), at most `most` characters."""
    text = "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in name[: most + 1]
    )
    return text if len(name) <= most else text[:most] + "…"


def _delimiter(header: str) -> str:
    """The separator the header line uses most: `,`, `;` or TAB (`,` when none)."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts.values())
    return next(d for d in (",", ";", "\t") if counts[d] == best) if best else ","


def _cell(value: Any, *, nested: bool = False) -> str:
    """A JSON value as a field's text (numbers are read as their text, see `_read`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list) and not nested:
        return ",".join(_cell(v, nested=True) for v in value)
    if isinstance(value, list | dict):
        raise ValueError("nested")
    return str(value)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _json_row(number: int, line: str) -> dict[str, str]:
    """One JSON Lines record as field texts, or a refusal naming the line (and field)."""
    try:
        # integers as their text: no int() of thousands of digits (Python refuses those)
        obj = json.loads(line, parse_int=str)
    except RecursionError:
        raise Valideringsfel(f"rad {number}: JSON-värdet är nästlat för djupt.") from None
    except ValueError as exc:
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else "ogiltigt värde"
        raise Valideringsfel(f"rad {number}: ingen giltig JSON ({why}).") from None
    if not isinstance(obj, dict):
        raise Valideringsfel(f"rad {number}: varje rad ska vara ett JSON-objekt.")
    row: dict[str, str] = {}
    for key, value in obj.items():
        try:
            text = _cell(value)
        except ValueError:
            raise Valideringsfel(
                f"rad {number}, fält {_shown(key)}: ett värde ska vara text, ett tal, true/false "
                "eller en lista av sådana."
            ) from None
        row[key] = text
    if "\\u" in line:  # only an escape makes a lone surrogate (the text itself is decoded)
        for key, text in row.items():
            if _SURROGATE.search(key) or _SURROGATE.search(text):
                raise Valideringsfel(
                    f"rad {number}, fält {_shown(key)}: ogiltig Unicode (ett ensamt "
                    "surrogattecken, t.ex. \\ud800); filen kan inte läsas in."
                )
    return row


def read(data: bytes, *, fmt: str, encoding: str | None = None) -> tuple[list[str], list[Rad]]:
    """Parse CSV (`,` or `;`, detected) or JSON Lines into rows; check the columns first."""
    with without_gc():
        return _read(data, fmt=fmt, encoding=encoding)


def _read(data: bytes, *, fmt: str, encoding: str | None) -> tuple[list[str], list[Rad]]:
    text = decode(data, encoding, fmt)
    rows: list[Rad] = []
    if fmt == "jsonl":
        parsed: list[tuple[int, dict[str, str]]] = []
        columns: list[str] = []
        # lines end at \n (or \r\n) only: U+2028, U+0085 and the like are text in a value
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            obj = _json_row(number, line)
            for key in obj:
                if key not in columns:
                    columns.append(key)
            parsed.append((number, obj))
        mapping = check_columns(columns)
        for number, obj in parsed:
            keys = list(obj)
            fields = {mapping[k]: v.strip() for k, v in obj.items() if mapping[k] and v.strip()}
            rows.append(Rad(number, fields, keys, [obj[k] for k in keys]))
        return columns, rows
    delimiter = _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise Valideringsfel("Filen är tom; den ska börja med en rubrikrad.") from None
    except csv.Error as exc:
        raise _csv_error(text, delimiter, 1, exc) from None
    try:
        return header, _csv_rows(reader, header)
    except csv.Error as exc:
        raise _csv_error(text, delimiter, reader.line_num, exc) from None


def _csv_error(text: str, delimiter: str, line: int, exc: csv.Error) -> Valideringsfel:
    """The CSV module's refusal in Swedish, by line and, for a cell over its limit
    (128 KiB), by field."""
    limit = csv.field_size_limit()
    if "field larger than field limit" not in str(exc):
        return Valideringsfel(f"rad {line}: raden kan inte läsas som CSV.")
    # read the file again without the limit, to name the field and its length
    csv.field_size_limit(max(len(text), limit) + 1)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(reader)
        for values in [header, *reader]:
            for i, value in enumerate(values):
                if len(value) > limit:
                    name = _shown(header[i]) if i < len(header) else f"kolumn {i + 1}"
                    return Valideringsfel(
                        f"rad {reader.line_num}, fält {name}: {len(value)} tecken; ett fält "
                        f"får ha högst {limit} tecken."
                    )
    except csv.Error:
        pass
    finally:
        csv.field_size_limit(limit)
    return Valideringsfel(f"rad {line}: ett fält har fler än {limit} tecken.")


def _csv_rows(reader: Any, header: list[str]) -> list[Rad]:
    rows: list[Rad] = []
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
    return rows


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
            + ", ".join(f"'{_shown(c)}'" for c in unknown)
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
