"""Issue 27, item 10: every action of the full-screen program is also a command with
`--json`, so no one depends on the full-screen face. The commands that register print what
they registered as one JSON object on stdout; their messages stay on stderr."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Invoke, dump, rows


def _json(result: Any) -> dict[str, Any]:
    assert result.exit_code == 0, result.stderr
    value = json.loads(result.stdout)
    assert isinstance(value, dict)
    return value


def _event(db: Path, event_id: int) -> tuple[Any, ...]:
    return rows(db, "SELECT arende, typ FROM handelse WHERE id = ?", event_id)[0]


def test_each_registration_says_what_it_did_as_json(register: Invoke, db: Path) -> None:
    intake = _json(
        register(
            "intake", "--anonym", "--kön", "man", "--födelseår", "1980", "--remittent", "af",
            "--ansvarig", "as", "--datum", "2014-03-03", "--json",
        )
    )  # fmt: skip
    nr = intake["arende"]
    assert intake["ny"] is True and intake["provkorning"] is False
    assert _event(db, intake["handelse_id"]) == (nr, "intake")
    assert intake["nasta_steg"].startswith("registrera samtycket")
    steps = [
        (["consent", nr, "--omfattning", "samverkan,statistik", "--datum", "2014-03-04"],
         "consent"),
        (["map", nr, "--start", "--handläggare", "as", "--datum", "2014-03-05"], "map-start"),
        (["map", nr, "--klar", "--datum", "2014-03-10"], "map-done"),
        (["tripartite", nr, "--handläggare", "as", "--remittent-handläggare", "Karin Ek",
          "--datum", "2014-03-12"], "tripartite"),
        (["assign", nr, "--insats", "arbetstraning", "--datum", "2014-03-20"], "assign"),
        (["close", nr, "--slutorsak", "arbete", "--försörjning", "lon", "--ingen-enkät",
          "--datum", "2014-06-01"], "close"),
        (["followup", nr, "--sysselsättning", "arbete", "--försörjning", "lon",
          "--datum", "2015-03-01"], "followup"),
    ]  # fmt: skip
    for args, kind in steps:
        done = _json(register(*args, "--json"))
        assert done["arende"] == nr and done["ny"] is True, args
        assert _event(db, done["handelse_id"]) == (nr, kind), args
    # The same event again adds nothing, and says which event is already there.
    again = _json(register(*steps[0][0], "--json"))
    assert again["ny"] is False
    assert _event(db, again["handelse_id"]) == (nr, "consent")


def test_a_dry_run_and_a_void_in_json(register: Invoke, db: Path) -> None:
    result = register(
        "intake", "--anonym", "--kön", "kvinna", "--födelseår", "1990", "--remittent", "fs",
        "--ansvarig", "as", "--datum", "2014-03-03",
    )  # fmt: skip
    nr = result.stdout.strip()
    before = dump(db)
    trial = _json(
        register("--dry-run", "consent", nr, "--omfattning", "samverkan,statistik", "--json")
    )
    assert trial["provkorning"] is True and trial["arende"] == nr
    assert dump(db) == before
    intake_id = rows(db, "SELECT max(id) FROM handelse")[0][0]
    void = _json(register("makulera", str(intake_id), "--orsak", "Fel person", "--ja", "--json"))
    assert _event(db, void["handelse_id"]) == (nr, "void")
