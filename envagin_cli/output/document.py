"""The report's files: `--xlsx`, `--html` and `--diagram` from one set of tables and charts.

Every target is checked before anything is written, so a refused command leaves no file
behind; each file is written 0600, never over an existing one without `overwrite`.
"""

from __future__ import annotations

from pathlib import Path

from envagin_cli.report.figures import Rapport
from envagin_cli.report.tables import Tabell


def write_files(
    rapport: Rapport | None,
    tables: list[Tabell],
    extra: list[Tabell],
    lines: list[str],
    *,
    xlsx: str | None,
    html: str | None,
    katalog: str | None,
    enhet: str,
    overwrite: bool,
) -> list[str]:
    """Write the files asked for; returns a message per file (or chart directory)."""
    from envagin_cli.output import diagram as draw
    from envagin_cli.output import report as report_render
    from envagin_cli.report import diagram
    from envagin_cli.store import files

    charts = diagram.diagram([*tables, *extra]) if rapport is not None else []
    targets = [Path(f) for f in (xlsx, html) if f is not None]
    if katalog is not None:
        folder = Path(katalog)
        files.check_folder(folder)  # its parent: a missing one is never created
        if folder.is_dir():
            targets += draw.paths(folder, charts)
    for target in targets:
        files.check_free(target, overwrite)
    done = []
    if xlsx is not None:
        report_render.write_xlsx(Path(xlsx), tables, lines, charts, extra, overwrite=overwrite)
        done.append(f"Skrev {xlsx}.")
    if rapport is not None and html is not None:
        from envagin_cli.output import html as html_render

        text = html_render.document(
            rapport, tables, extra, charts, enhet=enhet, draw=lambda d: draw.render(d, "svg")
        )
        files.write_private(Path(html), text.encode("utf-8"), overwrite)
        done.append(f"Skrev {html}.")
    if katalog is not None:
        written = draw.write_all(Path(katalog), charts, overwrite=overwrite)
        done.append(f"Skrev {len(written)} diagramfiler i {katalog}.")
    return done
