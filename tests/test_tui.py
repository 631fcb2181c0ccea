"""`envagin tui`: Textual's headless pilot drives every screen, key and form on a temporary
register and the rows written are checked; the main screens are pinned at 80×24 as text
captures (tests/snapshots/tui/*.txt; ENVAGIN_SNAPSHOT_UPDATE=1 rewrites them)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from envagin_cli.tui import model
from envagin_cli.tui.app import EnvaginTui, Formularvy
from envagin_cli.tui.capture import screen_text

from conftest import Invoke, dump, enrolled_case, make_pnr, rows

SNAPSHOTS = Path(__file__).parent / "snapshots" / "tui"
PNR = make_pnr("19811218", "987")

Step = str | Callable[[Any, EnvaginTui], Awaitable[None]]


def drive(
    db: Path, steps: list[Step], *, som: str | None = "as", size: tuple[int, int] = (80, 24)
) -> str:
    """Run the program headless on `db`, press the keys (a step "=text" types text; a
    callable gets the pilot and the app) and return the last screen as text."""

    async def run() -> str:
        app = EnvaginTui(model.Session(str(db), som))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for step in steps:
                if callable(step):
                    await step(pilot, app)
                elif step.startswith("=") and len(step) > 1:
                    await pilot.press(*step[1:])
                else:
                    await pilot.press(step)
                await pilot.pause()
            return screen_text(app)

    return asyncio.run(run())


def fill(**values: Any) -> Callable[[Any, EnvaginTui], Awaitable[None]]:
    """Set the open form's fields (a widget's value, as typing or choosing would)."""

    async def step(pilot: Any, app: EnvaginTui) -> None:
        from textual.widgets import Checkbox, Input, Select

        screen = app.screen
        assert isinstance(screen, Formularvy), type(screen)
        for name, value in values.items():
            w = screen.query_one(f"#v-{name}")
            if isinstance(w, Checkbox | Select):
                w.value = value
            else:
                assert isinstance(w, Input)
                w.value = value
        await pilot.pause()

    return step


def focus(name: str) -> Callable[[Any, EnvaginTui], Awaitable[None]]:
    """Move to a form's field (as Tab would), to type into it."""

    async def step(pilot: Any, app: EnvaginTui) -> None:
        app.screen.query_one(f"#v-{name}").focus()
        await pilot.pause()

    return step


def select_row(n: int) -> Callable[[Any, EnvaginTui], Awaitable[None]]:
    async def step(pilot: Any, app: EnvaginTui) -> None:
        from envagin_cli.tui.app import Tabell

        table = app.screen.query_one(Tabell)
        table.focus()
        table.move_cursor(row=n)
        await pilot.pause()

    return step


def choose(title: str) -> Callable[[Any, EnvaginTui], Awaitable[None]]:
    """In the `h` list, move to the event named `title` and press Enter."""

    async def step(pilot: Any, app: EnvaginTui) -> None:
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        labels = [
            str(options.get_option_at_index(i).prompt)[2:] for i in range(options.option_count)
        ]
        assert title in labels, labels
        for _ in range(labels.index(title)):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()

    return step


def events(db: Path, nr: str) -> list[tuple[Any, ...]]:
    return rows(db, "SELECT typ, datum, data FROM handelse WHERE arende = ? ORDER BY id", nr)


@pytest.fixture
def case(register: Invoke) -> str:
    return enrolled_case(register, PNR, intake="2026-10-01", consent="2026-10-02")


def test_opens_on_att_gora_with_header_due_list_and_open_cases(
    register: Invoke, db: Path, case: str
) -> None:
    assert (
        register("map", case, "--start", "--handläggare", "as", "--datum", "2026-11-01").exit_code
        == 0
    )
    screen = drive(db, [])
    assert "register" in screen and str(db) in screen
    assert "inloggad: as" in screen and "inloggning: ingen inloggning kopplad" in screen
    assert "Att göra för as 2026-11-22" in screen
    assert case in screen and "kartläggningen klar" in screen and "2026-11-15" in screen
    assert "-7 försenad" in screen  # overdue: a word, not only a colour
    assert "Öppna ärenden, ansvarig as: 1" in screen
    assert "19811218-****" in screen and PNR not in screen


def test_keys_switch_lists_and_help(register: Invoke, db: Path, case: str) -> None:
    assert "Alla ärenden: 1" in drive(db, ["2"])
    belastning = drive(db, ["3"])
    assert "Arbetsbelastning 2026-11-22" in belastning and "as Amir Said" in belastning
    katalog = drive(db, ["4"])
    assert "Insatskatalogen" in katalog and "arbetstraning" in katalog
    assert "Att göra för as" in drive(db, ["2", "escape"])
    assert "Att göra för as" in drive(db, ["4", "1"])
    for key in ("f1", "question_mark"):
        help_ = drive(db, [key])
        assert "Hjälp – tangenter" in help_ and "Ctrl+S" in help_ and "--json" in help_
    assert "Hjälp – tangenter" not in drive(db, ["f1", "escape"])


def test_enter_opens_the_case_as_show_does_and_is_audited(
    register: Invoke, db: Path, case: str
) -> None:
    before = rows(db, "SELECT count(*) FROM granskning WHERE atgard = 'visa ärende'")[0][0]
    screen = drive(db, ["tab", "enter"])
    assert f"Ärende {case} · 19811218-****" in screen
    assert "Fas: inskriven" in screen and "Att göra: " in screen
    assert "intag" in screen and "samtycke" in screen
    after = rows(db, "SELECT count(*), max(arende) FROM granskning WHERE atgard = 'visa ärende'")
    assert after[0] == (before + 1, case)
    assert "Att göra för as" in drive(db, ["tab", "enter", "escape"])


def test_search_finds_a_person_as_sok_and_is_audited(register: Invoke, db: Path, case: str) -> None:
    screen = drive(db, ["slash", "=" + PNR[2:], "enter"])
    assert f"Sökning '{PNR[2:]}': 1" in screen and case in screen
    assert rows(db, "SELECT arende FROM granskning WHERE atgard = 'sök'") == [(case,)]
    assert f"Ärende {case}" in drive(db, ["slash", "=" + case[-4:], "enter", "enter"])
    none = drive(db, ["slash", "=EVI-1999", "enter"])
    assert "Sökning 'EVI-1999': 0" in none


def test_intake_form_writes_one_case_through_the_domain(register: Invoke, db: Path) -> None:
    screen = drive(
        db,
        [
            "n",
            fill(personnummer=PNR, remittent="af", forsorjning="forsorjningsstod"),
            focus("datum"),
            "ctrl+u",
            "=5 mars 2026",
            "ctrl+s",
        ],
    )
    assert "Registrerat: intag i EVI-2026-0001" in screen
    assert "Nästa steg: registrera samtycket" in " ".join(screen.split())
    assert rows(db, "SELECT nr, intag, remittent, ansvarig FROM arende") == [
        ("EVI-2026-0001", "2026-03-05", "af", "as")
    ]


def test_tab_completes_a_code_in_a_list_field(register: Invoke, db: Path) -> None:
    screen = drive(db, ["n", focus("forsorjning"), "=lon,forsorj", "tab"])
    assert "Försörjning               lon,forsorjningsstod" in screen
    focused: list[str | None] = []

    async def where(pilot: Any, app: EnvaginTui) -> None:
        focused.append(app.focused.id if app.focused else None)

    drive(db, ["n", focus("forsorjning"), "=lon", "tab", where])
    assert focused == ["v-ansvarig"]  # Tab with nothing to complete moves on


def test_form_refusals_stand_beside_their_fields_and_nothing_is_written(
    register: Invoke, db: Path
) -> None:
    before = dump(db)
    screen = drive(db, ["n", "=123", "ctrl+s"])
    assert "Personnummer              123" in screen  # typed into the first field
    assert "Intag\n" in screen
    lines = screen.splitlines()
    pnr_line = next(i for i, line in enumerate(lines) if line.startswith("Personnummer"))
    assert "✗ personnummer:" in lines[pnr_line + 1]
    date_shown = drive(db, ["n", fill(datum="5 mars 2014")])
    assert "= 2014-03-05" in date_shown
    assert "datum: '32 mars'" in drive(db, ["n", fill(datum="32 mars")])
    missing = drive(db, ["n", fill(personnummer=PNR), "ctrl+s"])
    assert "✗ remittent:" in missing
    assert "Registrerat" not in drive(db, ["n", fill(personnummer=PNR, remittent="af"), "escape"])
    assert dump(db) == before


def test_every_case_event_through_its_form(register: Invoke, db: Path, case: str) -> None:
    def h(title: str, *steps: Step) -> list[Step]:
        return ["tab", "enter", "h", choose(title), *steps, "ctrl+s"]

    screen = drive(db, h("Byte av ansvarig", fill(ansvarig="mk", datum="2026-10-03")))
    assert "Registrerat: byte av ansvarig" in screen
    assert register("assign", case, "--ansvarig", "as", "--datum", "2026-10-03").exit_code == 0
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("Påbörjad kartläggning", {"handlaggare": "as,mk", "datum": "2026-10-05"}, "map-start"),
        ("Klar kartläggning", {"datum": "2026-10-10"}, "map-done"),
        (
            "Trepartssamtal",
            {"handlaggare": "as", "remittent_handlaggare": "Karin Ek", "datum": "2026-10-12"},
            "tripartite",
        ),
        ("Insats", {"insats": "arbetstraning", "datum": "2025-12-01"}, ""),
    ]
    for title, values, typ in steps:
        screen = drive(db, h(title, fill(**values)))
        if typ:
            assert f"Registrerat: {title.lower()}" in screen, screen
            assert events(db, case)[-1][0] == typ
    # the insats date before the intake is refused beside nothing: a rule of the case
    assert "✗ Fel:" in screen and "Insats" in screen
    screen = drive(db, h("Insats", fill(insats="arbetstraning", byt=True, datum="2026-10-15")))
    assert events(db, case)[-1][:2] == ("assign", "2026-10-15")
    screen = drive(db, h("Avslutad insats", fill(insats="arbetstraning", datum="2026-10-20")))
    assert events(db, case)[-1][:2] == ("assign-end", "2026-10-20")
    drive(db, h("Återkallat samtycke", fill(omfattning="statistik", datum="2026-10-21")))
    assert events(db, case)[-1][:2] == ("consent-withdrawn", "2026-10-21")
    drive(db, h("Samtycke", fill(omfattning="samverkan,statistik", datum="2026-10-22")))
    assert events(db, case)[-1][:2] == ("consent", "2026-10-22")
    refused = drive(db, h("Avslut", fill(slutorsak="arbete", datum="2026-11-01")))
    assert "Avslutsmötets enkät saknas" in refused or "✗ försörjning" in refused
    drive(
        db,
        h(
            "Avslut",
            fill(
                slutorsak="arbete",
                forsorjning="lon",
                nojd_bemotande="5",
                nojd_insats="4",
                datum="2026-11-01",
            ),
        ),
    )
    assert rows(db, "SELECT avslutad, slutorsak, nojd_bemotande, nojd_insats FROM arende") == [
        ("2026-11-01", "arbete", 5, 4)
    ]
    assert "Ettårsuppföljning" not in drive(db, ["tab", "enter", "h"])  # not before 11 months


def test_close_declined_survey_and_followup(register: Invoke, db: Path) -> None:
    nr = enrolled_case(
        register, make_pnr("19900101", "123"), intake="2025-01-01", consent="2025-01-02"
    )
    for args in (
        ["map", nr, "--start", "--handläggare", "as", "--datum", "2025-01-03"],
        ["assign", nr, "--insats", "arbetstraning", "--datum", "2025-01-10"],
    ):
        assert register(*args).exit_code == 0
    open_case: list[Step] = ["slash", "=" + nr, "enter", "enter"]
    drive(
        db,
        [
            *open_case,
            "h",
            choose("Avslut"),
            fill(slutorsak="arbete", forsorjning="lon", ingen_enkat=True, datum="2025-06-01"),
            "ctrl+s",
        ],
    )
    assert rows(db, "SELECT avslutad, ingen_enkat FROM arende WHERE nr = ?", nr) == [
        ("2025-06-01", 1)
    ]
    screen = drive(
        db,
        [
            *open_case,
            "h",
            choose("Ettårsuppföljning"),
            fill(sysselsattning="arbete", forsorjning="lon", datum="2026-01-15"),
            "ctrl+s",
        ],
    )
    assert "Registrerat: ettårsuppföljning" in screen
    assert rows(db, "SELECT uppfoljd, sysselsattning FROM arende WHERE nr = ?", nr) == [
        ("2026-01-15", "arbete")
    ]


def test_consent_without_statistik_asks_first(register: Invoke, db: Path) -> None:
    out = register(
        "intake", "--personnummer", PNR, "--remittent", "af", "--datum", "2026-11-01",
        "--ansvarig", "as",
    )  # fmt: skip
    nr = out.stdout.strip()
    form = ["tab", "enter", "h", choose("Samtycke"), fill(omfattning="samverkan"), "ctrl+s"]
    before = dump(db)
    asked = drive(db, form)
    assert "tas personnumret bort för gott" in asked
    assert "Registrera samtycket och ta bort personnumret? [j/N]" in asked
    no = drive(db, [*form, "n"])
    assert "Avbrutet; inget har skrivits." in no
    after_no = dump(db)
    assert after_no["handelse"] == before["handelse"]
    drive(db, [*form, "j"])
    assert events(db, nr)[-1][0] == "consent"
    assert rows(db, "SELECT personnummer FROM identitet") == [(None,)]


def test_void_and_correct_ask_with_the_commands_preview(
    register: Invoke, db: Path, case: str
) -> None:
    ids = [r[0] for r in rows(db, "SELECT id FROM handelse WHERE arende = ? ORDER BY id", case)]
    void = ["tab", "enter", select_row(1), "m", fill(orsak="Fel datum"), "ctrl+s"]
    asked = drive(db, void)
    assert f"Makulerar händelse {ids[1]} i {case}: 2026-10-02 samtycke" in asked
    assert "Makulera händelsen? [j/N]" in asked
    assert rows(db, "SELECT count(*) FROM handelse WHERE typ = 'void'") == [(0,)]
    screen = drive(db, [*void, "j"])
    assert f"Registrerat: makulering i {case}" in screen
    assert rows(db, "SELECT makulerar FROM handelse WHERE typ = 'void'") == [(ids[1],)]
    struck = drive(db, ["tab", "enter", select_row(1)])
    assert f"✗ {ids[1]}" in struck, struck
    assert "MAKULERAD av" in struck and "Fel datum" in struck
    again = drive(db, ["tab", "enter", select_row(1), "m"])
    assert "är makulerad och kan inte makuleras igen" in again
    empty_reason = drive(db, ["tab", "enter", select_row(0), "m", "ctrl+s"])
    assert "✗ orsak:" in empty_reason

    correct = [
        "tab",
        "enter",
        select_row(0),
        "r",
        fill(datum="2026-09-30", orsak="Fel datum"),
        "ctrl+s",
    ]
    asked = drive(db, correct)
    assert "Före:  2026-10-01 intag" in asked and "Efter: 2026-09-30 intag" in asked
    assert f"Rätta händelse {ids[0]} i {case}? [j/N]" in asked
    drive(db, [*correct, "j"])
    assert rows(db, "SELECT nr, intag FROM arende") == [(case, "2026-09-30")]


def test_too_small_window_asks_for_a_larger_one(register: Invoke, db: Path) -> None:
    screen = drive(db, [], size=(70, 20))
    assert "Fönstret är för litet (70 × 20)" in screen and "minst 80 × 24" in screen

    def resize(width: int, height: int) -> Step:
        async def step(pilot: Any, app: EnvaginTui) -> None:
            await pilot.resize_terminal(width, height)
            await pilot.pause(0.3)

        return step

    assert "Fönstret är för litet (79 × 24)" in drive(db, [resize(79, 24)])
    back = drive(db, [resize(60, 30), resize(80, 24)])
    assert "för litet" not in back and "Att göra för as" in back


def test_key_map_from_the_config_file(
    register: Invoke, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    config = tmp_path / "conf" / "envagin" / "tangenter.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[tangenter]\nsok = "f3"\n', encoding="utf-8")
    assert "Sök: personnummer" in drive(db, ["f3"])
    assert "Sök: personnummer" not in drive(db, ["slash"])
    config.write_text('[tangenter]\nsokk = "f3"\n', encoding="utf-8")
    result = register("tui")
    assert result.exit_code == 1 and "tangenter: 'sokk'" in result.stderr


def test_two_programs_see_each_others_writes_on_refresh(
    register: Invoke, db: Path, case: str
) -> None:
    one, two = model.Session(str(db), "as"), model.Session(str(db), "mk")
    assert [r["arende"] for r in two.all_cases()] == [case]
    form = one.form("map-start", case)
    one.save(form, {"handlaggare": "as", "datum": "2026-11-20"})
    assert two.open_case(case)["fas"] == "kartläggning"
    # the second program's save is checked against the register as it is now
    with pytest.raises(Exception, match="har redan påbörjad kartläggning"):
        two.save(two.form("map-start", case), {"handlaggare": "mk", "datum": "2026-11-21"})

    async def other_writes(pilot: Any, app: EnvaginTui) -> None:
        assert register("map", case, "--klar", "--datum", "2026-11-21").exit_code == 0

    screen = drive(db, ["tab", "enter", other_writes, "f5"])
    assert "klar kartläggning" in screen


def test_tui_needs_a_terminal(register: Invoke) -> None:
    result = register("tui")
    assert result.exit_code == 2 and "behöver en terminal" in result.stderr


def test_no_command_but_tui_imports_textual(register: Invoke, db: Path, case: str) -> None:
    code = (
        "import sys\n"
        "from envagin_cli.cli.app import app\n"
        "for args in (['--help'], ['idag', '--db', sys.argv[1]], ['visa', sys.argv[2], "
        "'--db', sys.argv[1]], ['ärenden', '--db', sys.argv[1]], ['tui', '--help']):\n"
        "    try:\n"
        "        app(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    env = {**os.environ, "ENVAGIN_USER": "as"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), case],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_no_color_and_high_contrast(
    register: Invoke, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = EnvaginTui(model.Session(str(db), "as"))
    assert app.no_color
    monkeypatch.delenv("NO_COLOR", raising=False)

    async def run() -> str:
        app = EnvaginTui(model.Session(str(db), "as"), kontrast=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            return app.theme

    assert asyncio.run(run()) == "kontrast"


# --- snapshots of the main screens at 80×24 ------------------------------------------------


def _snapshot(name: str, text: str, db: Path) -> None:
    text = text.replace(str(db), "REGISTER")
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("ENVAGIN_SNAPSHOT_UPDATE") or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
    assert all(len(line) <= 80 for line in text.splitlines())
    assert len(text.splitlines()) <= 24


@pytest.fixture
def busy(register: Invoke, case: str) -> str:
    assert (
        register("map", case, "--start", "--handläggare", "as", "--datum", "2026-11-01").exit_code
        == 0
    )
    enrolled_case(register, intake="2026-11-10", consent="2026-11-11")
    return case


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("att-gora", []),
        ("alla", ["2"]),
        ("belastning", ["3"]),
        ("insatser", ["4"]),
        ("arende", ["tab", "enter"]),
        ("nasta", ["tab", "enter", "h"]),
        ("intag", ["n"]),
        ("sok", ["slash"]),
        ("hjalp", ["f1"]),
    ],
)
def test_main_screens_at_80x24(
    db: Path, busy: str, name: str, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(db.parent)  # the header names the register as given: register.db
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent/config")
    _snapshot(name, drive(Path(db.name), list(keys)), db)


@pytest.mark.parametrize("keys", [[], ["tab", "enter"]], ids=["att-gora", "arende"])
def test_main_screens_svg_snapshot(
    db: Path, busy: str, keys: list[str], snap_compare: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same screens pinned by pytest-textual-snapshot (SVG, with colours and styles)."""
    monkeypatch.chdir(db.parent)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent/config")
    app = EnvaginTui(model.Session("register.db", "as"))
    assert snap_compare(app, press=keys, terminal_size=(80, 24))


def test_the_guide_shows_each_main_screen_as_it_is() -> None:
    guide = (Path(__file__).parents[1] / "docs" / "tui.md").read_text(encoding="utf-8")
    for snapshot in sorted(SNAPSHOTS.glob("*.txt")):
        text = snapshot.read_text(encoding="utf-8").rstrip("\n")
        assert f"```text\n{text}\n```" in guide, snapshot.name


def test_strict_login_holds_as_in_the_commands(register: Invoke, db: Path, case: str) -> None:
    import pwd

    me = pwd.getpwuid(os.getuid()).pw_name
    assert register("staff", "login", "as", me).exit_code == 0
    screen = drive(db, [], som=None)
    assert "inloggad: as · inloggning: strikt" in screen
    other = model.Session(str(db), "mk")
    who, why = other.who()
    assert who is None and "strikt" in why
    before = dump(db)
    with pytest.raises(Exception, match="strikt"):
        other.save(other.form("map-start", case), {"handlaggare": "mk", "datum": "idag"})
    refused = drive(db, ["2", "enter", "h"], som="mk")  # reading a case is refused too
    assert "✗ Fel:" in refused and "strikt" in " ".join(refused.split())
    assert "Registrera i" not in refused
    assert dump(db)["handelse"] == before["handelse"]


def test_ctrl_c_and_q_end_the_program_with_nothing_half_written(register: Invoke, db: Path) -> None:
    before = dump(db)

    async def run(keys: list[str]) -> bool:
        app = EnvaginTui(model.Session(str(db), "as"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
            return app.is_running

    # Ctrl-C from a half-filled form ends the program; `q` there is only a letter
    assert asyncio.run(run(["n", "=19811", "ctrl+c"])) is False
    assert asyncio.run(run(["n", "tab", "q"])) is True
    assert asyncio.run(run(["q"])) is False
    assert dump(db) == before
