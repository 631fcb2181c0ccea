"""The Textual program of `envagin tui`: screens over `model.Session`.

Screens: Att göra (the due list and one's open cases), all cases, the caseload per
handläggare, the insats catalogue, a case, a search, a form, a question, the help. Every
state a colour shows is also a word or a symbol; the terminal cursor follows the
selected row and field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Offset
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widgets import Checkbox, DataTable, Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from envagin_cli.rules import event_kinds
from envagin_cli.rules.errors import EnvaginError
from envagin_cli.tui import model

MIN_W, MIN_H = 80, 24

KONTRAST = Theme(
    name="kontrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FFFF00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#000000",
    success="#00FF00",
    warning="#FFFF00",
    error="#FF5555",
    dark=True,
)


def _messages(exc: EnvaginError) -> list[str]:
    return list(exc.messages or [str(exc)])


class Tabell(DataTable[Any]):
    """A table moved with arrows and j/k; the terminal cursor follows the selected row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Ner", show=False, id="ner"),
        Binding("k", "cursor_up", "Upp", show=False, id="upp"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)

    def fill(
        self, headers: list[str], rows: list[list[Any]], keys: list[str] | None = None
    ) -> None:
        """Columns as wide as their widest value (nothing cut); the first column marks the
        selected row with ▶ (not by colour alone)."""
        self.clear(columns=True)
        widths = [len(h) for h in headers]
        for row in rows:
            for i, cell in enumerate(row):
                widths[i] = max(widths[i], len(cell.plain if isinstance(cell, Text) else cell))
        self.add_column("", width=1, key="markor")
        for h, w in zip(headers, widths, strict=True):
            self.add_column(h, width=w)
        for i, row in enumerate(rows):
            self.add_row("", *row, key=keys[i] if keys else None)
        self._mark(None, self.cursor_row)

    def _mark(self, old: int | None, new: int) -> None:
        from textual.coordinate import Coordinate

        if not self.row_count or not self.columns:
            return
        if old is not None and 0 <= old < self.row_count:
            self.update_cell_at(Coordinate(old, 0), "")
        if 0 <= new < self.row_count:
            self.update_cell_at(Coordinate(new, 0), "▶" if self.has_focus else "")

    def watch_cursor_coordinate(self, old: Any, new: Any) -> None:
        super().watch_cursor_coordinate(old, new)
        if old.row != new.row:
            self._mark(old.row, new.row)
        self._follow()

    def on_focus(self) -> None:
        self._mark(None, self.cursor_row)
        self._follow()
        self.call_after_refresh(self._follow)  # once laid out, where the row really is

    def on_blur(self) -> None:
        self._mark(self.cursor_row, -1)

    def _follow(self) -> None:
        if self.has_focus and self.row_count:
            y = self.region.y + 1 + self.cursor_row - round(self.scroll_y)
            self.app.cursor_position = Offset(self.region.x, max(self.region.y, y))


_NAMN = {
    "slash": "/",
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "ctrl+s": "Ctrl+S",
    "tab": "Tab",
}


def key_label(keys: str) -> str:
    """A key map's keys as a person reads them (`f1,question_mark` → `F1, ?`)."""
    return ", ".join(
        _NAMN.get(k, k.upper() if k.startswith("f") and k[1:].isdigit() else k)
        for k in keys.split(",")
    )


class Huvud(Static):
    """The header: the register file, who is logged in and the login mode."""


class Hjalp(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "dismiss", "Stäng")
    ]

    def compose(self) -> ComposeResult:
        keys = self.app.keys  # type: ignore[attr-defined]
        rows = [
            ("Pilar j/k", "flytta i listan"),
            (keys["oppna"], "öppna det valda ärendet"),
            (keys["tillbaka"], "tillbaka; i ett formulär: lämna utan att spara"),
            (keys["sok"], "sök personnummer, ärendenummer, pseudonym"),
            (keys["nytt"], "nytt intag"),
            (keys["nasta"], "i ett ärende: registrera det som får ske nu"),
            (keys["ratta"], "i ett ärende: rätta den valda händelsen"),
            (keys["makulera"], "i ett ärende: makulera den valda händelsen"),
            ("Tab", "nästa fält; i ett listfält: fyller i koden du börjat på"),
            (keys["spara"], "spara formuläret (en transaktion)"),
            (keys["uppdatera"], "uppdatera (visar andras registreringar)"),
            ("1 2 3 4", "Att göra · Alla ärenden · Belastning · Insatser"),
            (keys["hjalp"], "den här hjälpen"),
            (keys["avsluta"], "avsluta programmet"),
        ]
        text = "\n".join(f"{key_label(k):<14} {v}" for k, v in rows)
        home = str(__import__("pathlib").Path.home())
        yield Static(
            "Hjälp – tangenter (Esc stänger)\n\n"
            + text
            + "\n\nAllt går också med kommandona, med --json (envagin --help)."
            + "\nTangenterna ändras i "
            + str(model.config_path()).replace(home, "~"),
            id="hjalptext",
        )


class Fraga(ModalScreen[bool]):
    """A yes/no question, as the commands ask it ([j/N]: j yes; n or Esc no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "svar(True)", "Ja"),
        Binding("n,escape", "svar(False)", "Nej"),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text + " [j/N]", id="fraga")
        yield Footer(compact=True)

    def action_svar(self, answer: bool) -> None:
        self.dismiss(answer)


class ForLitet(ModalScreen[None]):
    """Below 80×24: a request for a larger window."""

    def compose(self) -> ComposeResult:
        yield Static("", id="litet")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        w, h = self.app.size
        self.query_one("#litet", Static).update(
            f"Fönstret är för litet ({w} × {h}).\nGör det minst {MIN_W} × {MIN_H} tecken."
        )


class Val(ModalScreen[str | None]):
    """A list of choices (the events allowed next)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Tillbaka")]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_ = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(id="valruta"):
            yield Static(self.title_)
            yield OptionList(*(Option(text, id=code) for code, text in self.options))
            yield Footer(compact=True)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The highlighted choice marked with ▶ (not by colour alone)."""
        options = event.option_list
        for i, (_, text) in enumerate(self.options):
            mark = "▶ " if i == event.option_index else "  "
            options.replace_option_prompt_at_index(i, mark + text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class Formularvy(Screen[Any]):
    """A form: nothing is written until ctrl+s; then one domain call (one transaction).
    A refusal is shown beside its field, in the commands' words."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "spara", "Spara", id="spara", priority=True),
        Binding("escape", "tillbaka", "Lämna utan att spara", id="tillbaka"),
    ]

    def __init__(self, form: model.Formular) -> None:
        super().__init__()
        self.form = form

    def compose(self) -> ComposeResult:
        yield Huvud(self.app.session.header(), classes="huvud")  # type: ignore[attr-defined]
        yield Static(self.form.titel, classes="rubrik")
        with VerticalScroll(id="falt", can_focus=False):
            for f in self.form.falt:
                label = f.etikett
                if f.namn in self.form.nu:
                    label += f" (nu: {self.form.nu[f.namn]})"
                with Horizontal(classes="rad"):
                    yield Static(label, classes="etikett")
                    yield self._widget(f)
                hint = model.shown_date(str(f.standard)) if f.slag == model.DATE else f.hjalp
                if f.slag == model.DATE and f.standard == "":
                    hint = f.hjalp
                if f.slag == model.MULTI:
                    hint = (hint + "; " if hint else "") + ", ".join(c for c, _ in f.val)
                if f.slag == model.TEXT:
                    hint = ""
                yield Static(hint, id=f"hint-{f.namn}", classes="hint" if hint else "hint tom")
                yield Static("", id=f"fel-{f.namn}", classes="fel tom")
        yield Static("", id="allmant", classes="fel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.form.falt:  # typing starts in the first field
            self.query_one(f"#v-{self.form.falt[0].namn}").focus()

    def _widget(self, f: model.Falt) -> Any:
        wid = f"v-{f.namn}"
        if f.slag == model.FLAG:
            return Checkbox("ja" if f.standard else "nej", bool(f.standard), id=wid, compact=True)
        if f.slag == model.CHOICE:
            options = [(label, code) for code, label in f.val]
            start = f.standard if f.standard in {c for c, _ in f.val} else Select.NULL
            return Select(
                options, prompt="(välj)", value=start, id=wid, allow_blank=True, compact=True
            )
        if f.slag == model.MULTI:
            return _ListInput(
                str(f.standard or ""),
                id=wid,
                suggester=_ListSuggester([c for c, _ in f.val]),
                compact=True,
            )
        return Input(
            str(f.standard or ""),
            placeholder=f.hjalp if f.slag == model.TEXT else "",
            id=wid,
            compact=True,
        )

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for f in self.form.falt:
            w = self.query_one(f"#v-{f.namn}")
            if isinstance(w, Checkbox):
                result[f.namn] = w.value
            elif isinstance(w, Select):
                result[f.namn] = None if w.value is Select.NULL else w.value
            elif isinstance(w, Input):
                result[f.namn] = w.value.strip()
        return result

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = "ja" if event.value else "nej"  # the state in a word too

    def on_input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "")[2:]
        for f in self.form.falt:
            if f.namn == name and f.slag == model.DATE:
                text = event.value or ("idag" if f.standard else "")
                hint = model.shown_date(text) if text else f.hjalp
                self.query_one(f"#hint-{name}", Static).update(hint)

    def show_errors(self, messages: list[str]) -> None:
        for f in self.form.falt:
            self.query_one(f"#fel-{f.namn}", Static).update("")
            self.query_one(f"#fel-{f.namn}", Static).add_class("tom")
        general = []
        for m in messages:
            name = self.form.field_of(m)
            if name is None:
                general.append(m)
            else:
                box = self.query_one(f"#fel-{name}", Static)
                box.update(Text(f"✗ {m}"))
                box.remove_class("tom")
        self.query_one("#allmant", Static).update(Text("\n".join(f"✗ Fel: {m}" for m in general)))
        self.app.bell()

    def action_tillbaka(self) -> None:
        self.dismiss(None)

    def action_spara(self) -> None:
        app: EnvaginTui = self.app  # type: ignore[assignment]
        values = self.values()
        session = app.session
        try:
            if self.form.kod == "void":
                question: str | None = session.void_preview(self.form, values)
            elif self.form.kod == "correct":
                question = session.correct_preview(self.form, values)
            else:
                question = session.consent_question(self.form, values)
        except EnvaginError as exc:
            self.show_errors(_messages(exc))
            return
        if question is None:
            self._write(values)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(values)
            else:
                self.query_one("#allmant", Static).update("Avbrutet; inget har skrivits.")

        app.push_screen(Fraga(question), answered)

    def _write(self, values: dict[str, Any]) -> None:
        app: EnvaginTui = self.app  # type: ignore[assignment]
        session = app.session
        try:
            if self.form.kod == "void":
                result = session.void(self.form, values)
                what = "makulering"
            elif self.form.kod == "correct":
                result = session.correct(self.form, values)
                what = f"rättelse av händelse {self.form.handelse_id}"
            else:
                result = session.save(self.form, values)
                what = event_kinds.label(self.form.kod)
        except EnvaginError as exc:
            self.show_errors(_messages(exc))
            return
        if result.ny:
            text = f"Registrerat: {what} i {result.arende} (händelse {result.handelse_id})."
        else:
            text = f"Händelsen finns redan (händelse {result.handelse_id}); inget har lagts till."
        step = session.next_step(result.arende)
        self.dismiss((result, text + (" " + step if step else "")))


class _ListInput(Input):
    """A list field (codes, comma-separated): Tab completes the code being typed from the
    field's choices (the same lists as the commands' Tab completion), else moves on."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("tab", "komplettera", show=False)]

    def action_komplettera(self) -> None:
        suggestion = self._suggestion
        if suggestion and len(suggestion) > len(self.value) and self.cursor_at_end:
            self.value = suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()


class _ListSuggester:
    """Completes the last comma-separated part of a list field from its choices."""

    def __new__(cls, choices: list[str]) -> Any:
        from textual.suggester import Suggester

        class Lista(Suggester):
            async def get_suggestion(self, value: str) -> str | None:
                head, _, last = value.rpartition(",")
                last = last.lstrip()
                if not last:
                    return None
                for c in choices:
                    if c.startswith(last) and c != last:
                        return (head + "," if head else "") + c
                return None

        return Lista(use_cache=False, case_sensitive=True)


class Arendevy(Screen[None]):
    """One case, as `envagin show` shows it, with its due items."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "tillbaka", "Tillbaka", id="tillbaka"),
        Binding("h", "nasta", "Ny händelse", id="nasta"),
        Binding("r", "ratta", "Rätta", id="ratta"),
        Binding("m", "makulera", "Makulera", id="makulera"),
        Binding("f5", "uppdatera", "Uppdatera", id="uppdatera"),
    ]

    def __init__(self, nr: str) -> None:
        super().__init__()
        self.nr = nr
        self.view: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Huvud("", classes="huvud")
        yield Static("", id="sammanfattning")
        yield Tabell(id="tidslinje")
        yield Static("", id="detalj")
        yield Static("", id="status", classes="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self.query_one(Tabell).focus()

    def load(self) -> None:
        app: EnvaginTui = self.app  # type: ignore[assignment]
        self.query_one(Huvud).update(app.session.header())
        try:
            self.view = v = app.session.open_case(self.nr)
        except EnvaginError as exc:
            self.query_one("#status", Static).update("✗ Fel: " + " ".join(_messages(exc)))
            return
        from envagin_cli.rules import codes

        lines = [
            f"Ärende {v['arende']} · {v['person']} · {v['kon']} {v['fodelsear']}",
            f"Remittent: {codes.label(codes.REMITTENTER, v['remittent'])} · "
            f"Ansvarig: {v['ansvarig'] or '–'} · Fas: {v['fas']}",
            f"Intag {v['intag']} · Inskriven {v['inskriven'] or '–'}"
            + (f" · Avslutad {v['avslutad']} ({v['slutorsak']})" if v["avslutad"] else ""),
        ]
        if v["att_gora"]:
            due = []
            for a in v["att_gora"]:
                when = f"{a['fran']} – {a['senast']}" if a["fran"] else f"senast {a['senast']}"
                due.append(f"{a['vad']} {when}")
            lines.append("Att göra: " + "; ".join(due))
        else:
            lines.append("Att göra: inget")
        self.query_one("#sammanfattning", Static).update(Text("\n".join(lines)))
        table = self.query_one(Tabell)
        row = table.cursor_row
        rows = []
        for h in v["handelser"]:
            style = "strike" if h["makulerad"] else ""
            text = h["beskrivning"]
            if h["makulerad"]:
                text = f"MAKULERAD av {h['makulerad_av']}: {h['makuleringsorsak']} · " + text
            rows.append(
                [
                    Text(("✗ " if h["makulerad"] else "") + str(h["id"]), justify="right"),
                    Text(h["datum"], style=style),
                    Text(h["handelse"], style=style),
                    Text(h["som"]),
                    Text(text, style=style),
                ]
            )
        table.fill(
            ["Id", "Datum", "Händelse", "Av", "Innehåll"],
            rows,
            [str(h["id"]) for h in v["handelser"]],
        )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self.show_detail()

    def selected(self) -> dict[str, Any] | None:
        table = self.query_one(Tabell)
        if not table.row_count or not self.view:
            return None
        return dict(self.view["handelser"][table.cursor_row])

    def show_detail(self) -> None:
        h = self.selected()
        if h is None:
            return
        text = f"Händelse {h['id']}: {h['datum']} {h['handelse']}"
        if h["beskrivning"]:
            text += f" – {h['beskrivning']}"
        if h["makulerad"]:
            text += f"  [MAKULERAD av {h['makulerad_av']}: {h['makuleringsorsak']}]"
        self.query_one("#detalj", Static).update(Text(text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    def action_tillbaka(self) -> None:
        self.app.pop_screen()

    def action_uppdatera(self) -> None:
        self.load()

    def saved(self, outcome: Any) -> None:
        if outcome:
            _, text = outcome
            self.query_one("#status", Static).update(Text(text))
        self.load()

    def action_nasta(self) -> None:
        if not self.view:
            return
        allowed = self.view["mojliga"]
        if not allowed:
            self.query_one("#status", Static).update("Inga fler händelser kan registreras nu.")
            return
        options = [(code, model.title(code)) for code in allowed]
        app: EnvaginTui = self.app  # type: ignore[assignment]

        def chosen(code: str | None) -> None:
            if code:
                app.push_screen(Formularvy(app.session.form(code, self.view["arende"])), self.saved)

        app.push_screen(Val(f"Registrera i {self.view['arende']}:", options), chosen)

    def _event_form(self, correct: bool) -> None:
        h = self.selected()
        app: EnvaginTui = self.app  # type: ignore[assignment]
        if h is None:
            return
        if h["makulerad"]:
            self.query_one("#status", Static).update(
                f"✗ Händelse {h['id']} är makulerad och kan inte "
                + ("rättas." if correct else "makuleras igen.")
            )
            return
        try:
            form = (
                app.session.correct_form(h["id"], self.nr)
                if correct
                else app.session.void_form(h["id"], self.nr)
            )
        except EnvaginError as exc:
            self.query_one("#status", Static).update("✗ Fel: " + " ".join(_messages(exc)))
            return
        app.push_screen(Formularvy(form), self.saved)

    def action_ratta(self) -> None:
        self._event_form(True)

    def action_makulera(self) -> None:
        self._event_form(False)


VIEWS = {
    "attgora": "Att göra",
    "alla": "Alla ärenden",
    "belastning": "Arbetsbelastning per handläggare",
    "katalog": "Insatskatalogen",
}


class Huvudvy(Screen[None]):
    """Att göra (and the other lists): what the program opens on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "sok", "Sök", id="sok"),
        Binding("n", "nytt", "Intag", id="nytt"),
        Binding("1", "visa('attgora')", "Att göra", id="attgora", show=False),
        Binding("2", "visa('alla')", "Alla", id="alla"),
        Binding("3", "visa('belastning')", "Belastning", id="belastning"),
        Binding("4", "visa('katalog')", "Insatser", id="katalog"),
        Binding("f5", "uppdatera", "Uppdatera", id="uppdatera"),
        Binding("escape", "tillbaka", "Tillbaka", show=False, id="tillbaka"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.vy = "attgora"
        self.sokning = ""
        #: The cases a search found (a look-up is audited once, when it is made).
        self.funna: list[dict[str, Any]] = []
        #: A case row's whole text (what its cut columns hold), shown when it is selected.
        self.detaljer: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Huvud("", classes="huvud")
        yield Static("", id="rubrik1", classes="rubrik")
        yield Tabell(id="lista1")
        yield Static("", id="rubrik2", classes="rubrik")
        yield Tabell(id="lista2")
        yield Static("", id="status", classes="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()
        self.app._check_size()  # type: ignore[attr-defined]

    def load(self) -> None:
        from envagin_cli.rules.dates import today

        app: EnvaginTui = self.app  # type: ignore[assignment]
        s = app.session
        self.query_one(Huvud).update(s.header())
        t1, t2 = self.query_one("#lista1", Tabell), self.query_one("#lista2", Tabell)
        r1, r2 = self.query_one("#rubrik1", Static), self.query_one("#rubrik2", Static)
        rows1 = t1.cursor_row
        for t in (t1, t2):
            t.clear(columns=True)
        who, why = s.who()
        whose = who or "alla handläggare"
        t2.display = r2.display = self.vy == "attgora"
        if self.vy == "attgora":
            due = s.due()
            r1.update(f"Att göra för {whose} {today()} (försenat och inom 7 dagar)")
            heads = ["Ärende", "Att göra", "Senast", "Dagar kvar"] + ([] if who else ["Ansv."])
            rows = []
            for r in due:
                left = r["dagar_kvar"]
                mark = f"{left} försenad" if left < 0 else str(left)
                row = [r["arende"], r["vad"], r["senast"], Text(mark, justify="right")]
                rows.append(row if who else [*row, r["ansvarig"] or "–"])
            if not due:
                rows = [["–", "inget att göra", "", "", *([] if who else [""])]]
            t1.fill(heads, rows, [f"d{i}:{r['arende']}" for i, r in enumerate(due)] or ["tom"])
            cases = s.my_cases()
            r2.update(f"Öppna ärenden, ansvarig {whose}: {len(cases)}")
            self._cases(t2, cases)
        elif self.vy == "alla":
            cases = self.funna if self.sokning else s.all_cases()
            what = f"Sökning '{self.sokning}'" if self.sokning else "Alla ärenden"
            r1.update(f"{what}: {len(cases)} · Esc: tillbaka till Att göra")
            self._cases(t1, cases)
        elif self.vy == "belastning":
            r1.update(f"Arbetsbelastning {today()} (öppna ärenden per ansvarig)")
            rows = []
            for r in s.summary():
                per = r["arenden_per_heltid"]
                rows.append(
                    [
                        f"{r['handlaggare']} {r['namn']}",
                        r["part"],
                        f"{r['tjanstgoringsgrad']} %",
                        Text(str(r["aktiva_arenden"]), justify="right"),
                        "–" if per is None else f"{per:.1f}".replace(".", ","),
                        f"{r['kartlaggning_forsenad']}/{r['uppfoljning_att_gora']}"
                        f"/{r['samtycke_aterkallat']}",
                    ]
                )
            t1.fill(
                ["Handläggare", "Part", "Grad", "Ärenden", "Per heltid", "Sen/Uppf/Återk"],
                rows,
            )
            r2.update("Sen/Uppf/Återk: kartläggning försenad / uppföljning att göra / "
                      "samtycke återkallat")  # fmt: skip
            r2.display = True
        else:
            r1.update("Insatskatalogen (ändras av projektledare med 'envagin insats')")
            t1.fill(
                ["Kod", "Part", "Aktiv", "Pågående", "Namn"],
                [
                    [
                        str(r["kod"]),
                        str(r["part"]),
                        "ja" if r["aktiv"] else "nej",
                        Text(str(r["pagaende"]), justify="right"),
                        str(r["namn"]),
                    ]
                    for r in s.catalogue()
                ],
            )
        status = self.query_one("#status", Static)
        if who is None and why:
            status.update(Text(f"Ingen inloggad handläggare: {why}"))
        if t1.row_count:
            t1.move_cursor(row=min(rows1, t1.row_count - 1))
        if not (t1.has_focus or t2.has_focus):
            t1.focus()

    def _cases(self, table: Tabell, rows: list[dict[str, Any]]) -> None:
        for i, r in enumerate(rows):
            due = "; ".join(
                f"{a['vad']} " + (f"{a['fran']} – {a['senast']}" if a["fran"] else a["senast"])
                for a in r["att_gora"]
            )
            self.detaljer[f"c{i}:{r['arende']}"] = (
                f"{r['arende']}: {r['fas']}, insatser {', '.join(r['insatser']) or '–'}; "
                f"flaggor {', '.join(r['flaggor']) or '–'}" + (f"; att göra: {due}" if due else "")
            )
        table.fill(
            ["Ärende", "Person", "Fas", "Ansv.", "Intag", "Flaggor"],
            [
                [
                    r["arende"],
                    r["person"],
                    r["fas"] + (f" {r['avslutad']}" if r["avslutad"] else ""),
                    r["ansvarig"] or "–",
                    r["intag"],
                    ", ".join(r["flaggor"]) or "–",
                ]
                for r in rows
            ],
            [f"c{i}:{r['arende']}" for i, r in enumerate(rows)],
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        text = self.detaljer.get(event.row_key.value or "")
        if text and event.data_table.has_focus:
            self.query_one("#status", Static).update(Text(text))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if ":" in key:
            self.app.push_screen(Arendevy(key.split(":", 1)[1]))

    def action_visa(self, vy: str) -> None:
        self.vy = vy
        self.sokning = ""
        self.load()

    def action_uppdatera(self) -> None:
        if self.sokning:  # a new look-up: audited again, as a new `sök` is
            app: EnvaginTui = self.app  # type: ignore[assignment]
            self.funna = app.session.search(self.sokning)
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_sok(self) -> None:
        def found(text: str | None) -> None:
            if text:
                app: EnvaginTui = self.app  # type: ignore[assignment]
                try:
                    self.funna = app.session.search(text)
                except EnvaginError as exc:
                    self.query_one("#status", Static).update(
                        Text("✗ Fel: " + " ".join(_messages(exc)))
                    )
                    return
                self.sokning = text
                self.vy = "alla"
                self.load()

        self.app.push_screen(Sok(), found)

    def action_tillbaka(self) -> None:
        if self.vy != "attgora":
            self.action_visa("attgora")

    def action_nytt(self) -> None:
        app: EnvaginTui = self.app  # type: ignore[assignment]

        def saved(outcome: Any) -> None:
            if outcome:
                _, text = outcome
                self.query_one("#status", Static).update(Text(text))
                self.load()

        app.push_screen(Formularvy(app.session.form("intake")), saved)


class Sok(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Tillbaka")]

    def compose(self) -> ComposeResult:
        with Vertical(id="sokruta"):
            yield Static("Sök: personnummer (alla former), del av ärendenummer eller pseudonym")
            yield Input(id="soktext")
            yield Static("Enter söker · Esc tillbaka")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class EnvaginTui(App[None]):
    TITLE = "envagin"
    CSS = """
    Screen { background: $background; }
    .huvud { background: $panel; color: $foreground; text-style: bold; height: auto;
        max-height: 3; }
    .rubrik { text-style: bold; height: 1; }
    .status { height: auto; max-height: 3; }
    #lista1, #lista2, #tidslinje { height: 1fr; scrollbar-size-vertical: 1; }
    #sammanfattning { height: auto; }
    #detalj { height: auto; max-height: 3; }
    .rad { height: auto; }
    .etikett { width: 26; padding: 0 1 0 0; }
    .rad Input, .rad Select { width: 1fr; }
    .rad Checkbox { width: 12; }
    .rad Input { background: $boost; }
    .hint.tom { display: none; }
    .hint { padding-left: 26; color: $text-muted; height: auto; }
    .fel { color: $error; height: auto; }
    .fel.tom { display: none; }
    #falt { height: 1fr; }
    #fraga, #hjalptext, #litet { background: $panel; border: solid $accent; padding: 0 1;
        width: 78; height: auto; }
    Fraga, Hjalp, ForLitet, Val, Sok { align: center middle; }
    #litet { width: 100%; }
    #valruta, #sokruta { width: 60; height: auto; max-height: 20; border: solid $accent;
        background: $panel; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "avsluta", "Avsluta", id="avsluta"),
        Binding("f1,question_mark", "hjalp", "Hjälp", id="hjalp"),
        Binding("ctrl+c", "quit", "Avsluta", show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, session: model.Session, *, kontrast: bool = False) -> None:
        super().__init__()
        self.session = session
        self.keys = model.keymap()
        self.kontrast = kontrast
        self._litet: ForLitet | None = None

    def on_mount(self) -> None:
        self.register_theme(KONTRAST)
        self.theme = "kontrast" if self.kontrast else "textual-dark"
        self.set_keymap({k: v for k, v in self.keys.items() if v != model.TANGENTER[k]})
        self.push_screen(Huvudvy())
        # Textual hides the terminal's cursor; it is shown again (Textual still moves it to
        # the selected row or field at every update), so screen readers and braille
        # displays that follow the cursor follow the selection.
        if self._driver is not None and not self.is_headless:
            self._driver.write("\x1b[?25h")

    def on_resize(self) -> None:
        # the app's own size follows the terminal's a moment after the event
        self.set_timer(0.05, self._check_size)

    def _check_size(self) -> None:
        small = self.size.width < MIN_W or self.size.height < MIN_H
        if small and self._litet is not None and self.screen is not self._litet:
            self._litet = None  # a screen came above it: ask again, on top
        if small and self._litet is None:
            self._litet = ForLitet()
            self.push_screen(self._litet)
        elif small and self._litet is not None:
            self._litet.show()
        elif not small and self._litet is not None:
            if self.screen is self._litet:
                self.pop_screen()
            self._litet = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`q` does not end the program from a form (Esc leaves it; Ctrl-C still ends)."""
        return not (action == "avsluta" and isinstance(self.screen, Formularvy))

    def action_avsluta(self) -> None:
        self.exit()

    def action_hjalp(self) -> None:
        if not isinstance(self.screen, Hjalp | Formularvy):
            self.push_screen(Hjalp())
