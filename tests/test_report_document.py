"""The report as a document: `report --html`, `--diagram`, charts in the xlsx, terminal bars.

The hand-worked data set is `data` from test_report.py. For 2014H1 (2014-01-01 – 06-30):

- new participants (enrolled in P, per month): e (kvinna, enrolled 2014-01-20), f (man,
  2014-02-03), ell (man, 2014-03-12); h is a felregistrering, i's consent is voided and k
  enrols in July. So Jan 1 / Feb 1 / Mar 1 / Apr–Jun 0: six bars, n = 3. Goal 200 a year
  in whole months: 200 / 12 = 16,7 a month, 100 for the half-year.
- closed in P: a (kvinna, arbete), e (kvinna, af-insats), g (kvinna, ej-malgrupp, never
  enrolled), ell (man, arbete): slutorsak arbete 1 + 1, af-insats 1 + 0, ej-malgrupp 1 + 0;
  three reasons by two kön = six bars, n = 4.
- försörjning of the enrolled closed in P (a, e, ell): at intake försörjningsstöd 2 (a, ell),
  sjukpenning 1 (e) = two slices, n = 3; at closing lön 2 (a, ell), aktivitetsstöd 1 (e) =
  two slices, n = 3; shares 2/3 = 67 % and 1/3 = 33 %.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import pytest
from test_report import data as data

from conftest import Invoke


@pytest.fixture(autouse=True)
def _small_pies(monkeypatch: pytest.MonkeyPatch) -> None:
    """This module's register is tiny (pies of 2–4 cases): draw them anyway, to test the
    drawing; that a real report leaves out a pie of fewer than five cases is tested in
    test_report_reading.py (issue 26)."""
    from envagin_cli.report import diagram

    monkeypatch.setattr(diagram, "MINST", 1)


NNBSP = "\u202f"
NBSP = "\u00a0"


class _Cells(HTMLParser):
    """{table key: {row key: {column key: text}}} from the document's data-* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, dict[str, str]]] = {}
        self.charts: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self._table = ""
        self._row = ""
        self._col: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("data-tabell"):
            self._table = a["data-tabell"] or ""
            self.tables[self._table] = {}
        elif tag == "tr" and a.get("data-rad"):
            self._row = a["data-rad"] or ""
            self.tables[self._table][self._row] = {}
        elif tag == "td" and a.get("data-kolumn"):
            self._col = a["data-kolumn"]
            self._text = []
        elif tag == "figure":
            self.charts.append(a.get("data-diagram") or "")
        elif tag == "img":
            self.images.append(a.get("src") or "")
        for name in ("href", "src"):
            if a.get(name) and not (a[name] or "").startswith("data:"):
                self.links.append(a[name] or "")

    def handle_data(self, text: str) -> None:
        if self._col is not None:
            self._text.append(text)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._col is not None:
            self.tables[self._table][self._row][self._col] = "".join(self._text)
            self._col = None


def _parse(path: Path) -> _Cells:
    parser = _Cells()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _swedish(value: Any, kind: str) -> str:
    """A JSON value as the document prints it: 1 234 and 12,5, "67 %", "–"."""
    if value is None:
        return "–" if kind in ("procent", "median", "tal") else ""
    if isinstance(value, str):
        return value
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", NNBSP)
    else:
        text = f"{value:.1f}".replace(".", ",")
    return f"{text}{NBSP}%" if kind == "procent" else text


# The rows whose cells are shares though their columns hold counts (or medians).
PROCENT_RADER = {
    ("period", "procent"),
    ("period", "med_insats_procent"),
    ("forsorjning", "offentlig_procent"),
    ("forsorjning", "lamnat_fs_procent"),
    ("forsorjning", "lamnat_sp_procent"),
    ("nojdhet", "bemotande"),
    ("nojdhet", "insats"),
    ("nojdhet", "bada"),
    ("uppfoljning", "procent"),
}


def _kind(key: str, table: dict[str, Any], row: str, col: str) -> str:
    kind = {k["nyckel"]: k["typ"] for k in table["kolumner"]}[col]
    if (key, row) in PROCENT_RADER or ((key, row) == ("ledtider", "inom_14") and kind == "median"):
        return "procent"
    return str(kind)


def _html(run: Invoke, tmp_path: Path, *args: str) -> tuple[dict[str, Any], _Cells, Path]:
    target = tmp_path / "rapport.html"
    result = run("report", "--halvår", "2014H1", *args, "--html", str(target))
    assert result.exit_code == 0, result.stderr
    assert f"Skrev {target}." in result.stderr
    rep = json.loads(run("report", "--halvår", "2014H1", *args, "--json").stdout)
    return rep, _parse(target), target


def test_html_holds_every_figure_of_the_json(data: Invoke, tmp_path: Path) -> None:
    rep, doc, target = _html(data, tmp_path)
    assert target.stat().st_mode & 0o777 == 0o600
    text = target.read_text(encoding="utf-8")
    # The header: unit, the period with its exact dates, the date produced, the masking.
    assert "En väg in</p>" in text and "register.db" not in text  # no file name (issue 26)
    assert "2014H1: 2014-01-01 – 2014-06-30 (halvår, 181 dagar)" in text
    assert "<dt>Framtagen</dt><dd>2026-11-22</dd>" in text
    assert "<dt>Maskering</dt><dd>av " in text
    # Self-contained: no link or source outside the file, print CSS for A4 portrait.
    assert doc.links == []
    assert "@page { size: A4 portrait;" in text
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")
    for key, table in rep["tabeller"].items():
        assert key in doc.tables, key
        for row, cells in table["rader"].items():
            for col in (k["nyckel"] for k in table["kolumner"]):
                expected = _swedish(cells[col], _kind(key, table, row, col))
                assert doc.tables[key][row][col] == expected, (key, row, col)
    goals = doc.tables["mal"]
    assert goals["inflode"] == {
        "mal": "100",
        "utfall": "3",
        "status": "✗ ej uppfyllt",
        "underlag": "200 per år × 6/12 månader",
    }
    assert goals["ettar"]["utfall"] == f"50{NBSP}%" and goals["ettar"]["mal"] == f"40{NBSP}%"
    assert goals["nojda"]["utfall"] == f"67{NBSP}%"
    # The charts' own table: new participants per month against the goal (see the top).
    months = doc.tables["nya_per_manad"]
    assert [months[m]["totalt"] for m in months] == ["1", "1", "1", "0", "0", "0", "3"]
    assert months["2014-01"]["mal"] == "16,7" and months["totalt"]["mal"] == "100"
    # Each chart follows its table.
    assert doc.charts == ["nya-per-manad", "slutorsak", "forsorjning-intag", "forsorjning-avslut"]
    assert all(src.startswith("data:image/svg+xml;base64,") for src in doc.images)


def test_swedish_numbers_and_escaped_text() -> None:
    from envagin_cli.output import html
    from envagin_cli.report.tables import Kolumn, Rad, Tabell

    assert html.tal(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert html.tal(12345.5) == f"12{NNBSP}345,5"
    t = Tabell(
        "x",
        "<b>Rubrik</b> & co",
        [Kolumn("n", "Antal"), Kolumn("p", "Andel", "procent")],
        [Rad("r", "<script>alert(1)</script>", {"n": 2500, "p": 12})],
    )
    out = html._table(t)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "&lt;b&gt;Rubrik&lt;/b&gt; &amp; co" in out
    assert f">2{NNBSP}500<" in out and f">12{NBSP}%<" in out


def _charts(db: Path, *args: str) -> dict[str, Any]:
    """The report's charts for 2014H1 as Diagram objects, through the same calls as the CLI."""
    from envagin_cli.output import report as report_render
    from envagin_cli.report import diagram, figures
    from envagin_cli.report.mask import maskera_tabeller
    from envagin_cli.rules.periods import halvar
    from envagin_cli.store import db as store_db

    conn, _ = store_db.open_db(store_db.resolve_path(str(db)))
    try:
        period = halvar("2014H1", date(2026, 11, 22))
        rapport = figures.build(conn, period, date(2026, 11, 22))
        extra = diagram.chart_tables(conn, period)
        for grans in args:
            maskera_tabeller([*rapport.tabeller, *extra], int(grans), rapport)
        tables = [*report_render.all_tables(rapport), *extra]
        return {d.nyckel: d for d in diagram.diagram(tables)}
    finally:
        conn.close()


def _bars(fig: Any) -> list[Any]:
    from matplotlib.patches import Rectangle

    return [p for ax in fig.axes for c in ax.containers for p in c if isinstance(p, Rectangle)]


def _texts(fig: Any) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text)]


def test_each_chart_has_its_bars_slices_and_n(data: Invoke, db: Path) -> None:
    from matplotlib.patches import Wedge

    from envagin_cli.output import diagram as draw

    charts = _charts(db)
    assert list(charts) == [
        "forsorjning-intag",
        "forsorjning-avslut",
        "nya-per-manad",
        "slutorsak",
    ]
    pie = draw.figure(charts["forsorjning-intag"])
    wedges = [p for p in pie.axes[0].patches if isinstance(p, Wedge)]
    assert len(wedges) == 2
    assert pie.axes[0].get_title(loc="left") == "Försörjning vid intag (n=3)"
    assert f"67{NBSP}%" in _texts(pie) and f"33{NBSP}%" in _texts(pie)
    closing = draw.figure(charts["forsorjning-avslut"])
    assert len([p for p in closing.axes[0].patches if isinstance(p, Wedge)]) == 2
    assert closing.axes[0].get_title(loc="left") == "Försörjning vid avslut (n=3)"
    legend = [t.get_text() for t in closing.axes[0].get_legend().get_texts()]
    assert legend == [
        f"Lön/eget företag (2; 67{NBSP}%)",
        f"Aktivitetsstöd/utvecklingsersättning (1; 33{NBSP}%)",
    ]

    months = draw.figure(charts["nya-per-manad"])
    ax = months.axes[0]
    assert [b.get_height() for b in _bars(months)] == [1, 1, 1, 0, 0, 0]
    assert ax.get_title(loc="left") == "Nya deltagare per månad (n=3)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Månad", "Antal nya deltagare")
    goal = ax.collections[0].get_segments()
    assert len(goal) == 6 and all(abs(s[0][1] - 200 / 12) < 1e-9 for s in goal)

    reasons = draw.figure(charts["slutorsak"])
    ax = reasons.axes[0]
    assert [b.get_width() for b in _bars(reasons)] == [1, 1, 1, 1, 0, 0]  # K then M
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Arbete",
        "Fortsatt insats hos\nArbetsförmedlingen",
        "Ej målgrupp",
    ]
    assert ax.get_title(loc="left") == "Slutorsak för avslutade, per kön (n=4)"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Antal avslutade", "Slutorsak")


def test_a_masked_figure_is_masked_in_its_chart(data: Invoke, db: Path) -> None:

    charts = _charts(db, "3")
    # Every count in the slutorsak chart is 1 or 2: all hidden. Issue 26: a chart whose
    # every value is masked says nothing and is left out (it once had bars of no length).
    assert "slutorsak" not in charts
    # Issue 26: a pie whose every slice is masked (Försörjningsstöd *, Sjukpenning *) says
    # nothing and is left out (it once was an empty pie with the masked values in a note).
    assert "forsorjning-intag" not in charts


def test_a_masked_pie_keeps_true_shares(invoke: Invoke, db: Path) -> None:
    """Issue 23: a pie without its masked slices said "100 %" where the truth was 14 %.
    Now every slice drawn has its true share of all slices, the masked ones are one slice
    "Maskerat", or the pie is not drawn at all."""
    from matplotlib.patches import Wedge

    from envagin_cli.output import diagram as draw
    from envagin_cli.report import diagram, figures
    from envagin_cli.report.mask import maskera_tabeller
    from envagin_cli.rules.periods import tertial
    from envagin_cli.store import db as store_db

    assert invoke("demo", "--datum", "2026-11-22").exit_code == 0
    conn, _ = store_db.open_db(store_db.resolve_path(str(db)))
    drawn = 0
    try:
        for grans in (3, 5):
            period = tertial("2026T1", date(2026, 11, 22))
            rapport = figures.build(conn, period, date(2026, 11, 22))
            extra = diagram.chart_tables(conn, period)
            maskera_tabeller([*rapport.tabeller, *extra], grans, rapport)
            for d in diagram.diagram([*rapport.tabeller, *extra]):
                if d.typ != "paj":
                    continue
                kolumn = d.serier[0][0]
                truth = {r: d.tabell.rad(r).varden[kolumn] for r in d.kategorier}
                total = sum(truth.values())
                fig = draw.figure(d)
                wedges = [p for p in fig.axes[0].patches if isinstance(p, Wedge)]
                if not wedges:
                    continue
                drawn += 1
                legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
                masked = [r for r in d.kategorier if (r, kolumn) in d.tabell.dolda]
                assert masked and legend[-1].startswith("Maskerat (")
                rest = sum(truth[r] for r in masked)
                for text in legend:
                    count, share = re.search(r"\((\d+); (\d+)\u00a0%\)$", text).groups()
                    expected = (200 * int(count) + total) // (2 * total)
                    assert int(share) == expected, (text, total)
                assert int(re.search(r"\((\d+);", legend[-1]).group(1)) == rest
    finally:
        conn.close()
    assert drawn  # at least one pie is drawn with a "Maskerat" slice


def test_diagram_files_png_and_svg_stable_and_private(data: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "diagram"
    result = data("report", "--halvår", "2014H1", "--diagram", str(out))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    stems = ["forsorjning-avslut", "forsorjning-intag", "nya-per-manad", "slutorsak"]
    assert names == sorted(f"{s}.{x}" for s in stems for x in ("png", "svg"))
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in out.iterdir())
    assert all(first[f"{s}.png"].startswith(b"\x89PNG") for s in stems)
    assert all(b"<svg" in first[f"{s}.svg"] for s in stems)
    assert not any(b"Date" in v or b"Matplotlib v" in v for v in first.values())

    refused = data("report", "--halvår", "2014H1", "--diagram", str(out))
    assert refused.exit_code == 1
    assert "finns redan" in refused.stderr and "--skriv-över" in refused.stderr
    again = data("report", "--halvår", "2014H1", "--diagram", str(out), "--skriv-over")
    assert again.exit_code == 0, again.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first  # same bytes


def test_since_start_adds_the_chart_over_time(data: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "d"
    target = tmp_path / "r.html"
    result = data(
        "report",
        "--sedan-start",
        "--till",
        "2014-06-30",
        "--diagram",
        str(out),
        "--html",
        str(target),
    )
    assert result.exit_code == 0, result.stderr
    assert (out / "utveckling.svg").exists() and (out / "utveckling.png").exists()
    doc = _parse(target)
    # Since the first intake (b, 2013-02-01): 2013H1, 2013H2, 2014H1.
    over = doc.tables["utveckling"]
    assert list(over) == ["2013H1", "2013H2", "2014H1"]
    # 2013H1: b (Feb), c (Apr), d (Jun) enrolled = 3, none closed; 2013H2: b, c, d and a
    # (Nov) = 4, c closed in Dec to studier = 1, 100 %; 2014H1 as the half-year report:
    # 6, 3, 67 %.
    assert [over[h]["deltagare"] for h in over] == ["3", "4", "6"]
    assert [over[h]["avslutade"] for h in over] == ["0", "1", "3"]
    assert [over[h]["procent"] for h in over] == ["–", f"100{NBSP}%", f"67{NBSP}%"]
    assert "utveckling" in doc.charts


def test_files_refuse_to_overwrite_and_write_nothing(data: Invoke, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    xlsx = tmp_path / "r.xlsx"
    xlsx.write_bytes(b"old")
    result = data("report", "--halvår", "2014H1", "--html", str(html), "--xlsx", str(xlsx))
    assert result.exit_code == 1 and "r.xlsx finns redan" in result.stderr
    assert not html.exists() and xlsx.read_bytes() == b"old"
    assert "Traceback" not in result.stderr
    ok = data(
        "report", "--halvår", "2014H1", "--html", str(html), "--xlsx", str(xlsx), "--skriv-över"
    )
    assert ok.exit_code == 0, ok.stderr
    assert xlsx.stat().st_mode & 0o777 == 0o600 and html.stat().st_mode & 0o777 == 0o600
    clash = data("report", "--halvår", "2014H1", "--html", str(html), "--json")
    assert clash.exit_code == 2 and "välj ett format" in clash.stderr
    caseload = data("report", "--caseload", "--html", str(tmp_path / "c.html"))
    assert caseload.exit_code == 2 and "--caseload" in caseload.stderr


def test_xlsx_has_native_charts_beside_its_tables(data: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    assert data("report", "--halvår", "2014H1", "--xlsx", str(target)).exit_code == 0
    with ZipFile(target) as book:
        names = book.namelist()
        charts = [n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        xml = {n: book.read(n).decode() for n in charts}
        assert not [n for n in names if n.startswith("xl/media/")]  # no pictures
        workbook = book.read("xl/workbook.xml").decode()
    assert len(charts) == 4
    kinds = sorted(re.search(r"<c:(pieChart|barChart)>", x).group(1) for x in xml.values())  # type: ignore[union-attr]
    assert kinds == ["barChart", "barChart", "pieChart", "pieChart"]
    combined = [x for x in xml.values() if "<c:lineChart>" in x]
    assert len(combined) == 1 and "Nya deltagare per månad (n=3)" in combined[0]
    assert any("Försörjning vid intag (n=3)" in x for x in xml.values())
    # Issue 26: a chosen whole sheet name, not the title cut at 31 characters.
    assert any("Försörjning!$D$" in x or "'Försörjning'!$D$" in x for x in xml.values())
    assert "Deltagare och avslut" in workbook


def test_terminal_bars_for_goals_and_forsorjning(data: Invoke) -> None:
    text = data("report", "--halvår", "2014H1", env={"COLUMNS": "80"}).stdout
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "Mot målet" in text and "Intag" in text and "Avslut" in text
    # Issue 26: at 80 columns too the goals are a table, each bar on its goal's row.
    assert any("█" in line for line in text.splitlines() if line.startswith("I arbete"))
    # Where the goal table fits as a table, the bar is on the goal's own row.
    text = data("report", "--halvår", "2014H1", env={"COLUMNS": "250"}).stdout
    goal_lines = [line for line in text.splitlines() if "uppfyllt" in line]
    assert any("█" in line for line in goal_lines)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "ingen Chromium installerad (apt-get install chromium): webbläsartestet hoppas över"
    )


def test_the_document_prints_on_a4_in_a_real_browser(data: Invoke, tmp_path: Path) -> None:
    browser = _chromium()
    _rep, _doc, target = _html(data, tmp_path)
    pdf = tmp_path / "rapport.pdf"
    subprocess.run(
        [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-pdf-header-footer",
            f"--user-data-dir={tmp_path / 'profil'}",
            f"--print-to-pdf={pdf}",
            target.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    raw = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", raw)
    assert boxes, "no pages"
    # A4 portrait is 595 × 842 points.
    assert all(abs(float(w) - 595) < 1 and abs(float(h) - 842) < 1 for w, h in boxes)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        # Every table is there, and the right-most columns of the widest one are not cut.
        for title in ("Deltagare och avslut", "Insatser under perioden", "Ettårsuppföljning"):
            assert title in text
        assert "Avslutade" in text and "måluppfyllelse mot projektplanen" in text


def test_matplotlib_only_when_a_chart_is_drawn(register: Invoke, db: Path) -> None:
    """`--help`, the terminal report and `--json` never import matplotlib."""
    import os
    import sys

    code = (
        "import sys\n"
        "from envagin_cli.cli.app import app\n"
        "try:\n"
        "    app(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    env = {**os.environ, "ENVAGIN_USER": "ls"}
    for args in (
        ["report", "--help"],
        ["--db", str(db), "report", "--halvår", "2014H1"],
        ["--db", str(db), "report", "--halvår", "2014H1", "--json"],
    ):
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env
        )
        assert out.stdout.strip().splitlines()[-1] == "[]", args
