"""The one JSON writer: UTF-8 as it is (å, ä, ö); a document indented on stdout, or one
object per line for JSON Lines files."""

from __future__ import annotations

import json
import sys
from typing import Any


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def write(value: Any) -> None:
    sys.stdout.write(dumps(value) + "\n")


def line(value: Any) -> str:
    """One JSON Lines record (no newline)."""
    return json.dumps(value, ensure_ascii=False)
