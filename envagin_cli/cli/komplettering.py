"""Shell completion (bash, zsh, fish): commands, options, code lists, and from the register
the active staff ids, the active insats codes and the open case numbers.

Completion runs on every Tab, so it reads the register with plain `sqlite3` (read-only,
no migrations, no heavy modules) and builds only the command being completed. The values
come from `complete()`, which Typer's parameters call (installed by `install()`); which
list a parameter gets is decided by its name, so a command added later completes too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

commands = typer.Typer()

SKAL = ("bash", "zsh", "fish")
COMPLETE_VAR = "_ENVAGIN_COMPLETE"

#: Parameter name → the code list it takes (from `rules.codes`).
KODLISTOR = {
    "slutorsak": "SLUTORSAKER",
    "remittent": "REMITTENTER",
    "sysselsattning": "SYSSELSATTNING",
    "forsorjning": "FORSORJNING",
    "utforare": "UTFORARE",
    "part": "PARTER",
    "roll": "ROLLER",
    "kon": "KON",
    "omfattning": "SAMTYCKEN",
    "utbildning": "UTBILDNING",
    "tid_offentlig": "TID_OFFENTLIG",
    "franvaro": "FRANVARO",
}
HANDLAGGARE = {"som", "ansvarig", "handlaggare"}
INSATSER = {"insats", "avsluta", "insatser"}
ARENDEN = {"arende"}


def _db_path(ctx: Any) -> Path:
    """The register the command line names (`--db`), else ENVAGIN_DB, else the default."""
    while ctx is not None:
        value = (ctx.params or {}).get("db")
        if value:
            return Path(value)
        ctx = ctx.parent
    if os.environ.get("ENVAGIN_DB"):
        return Path(os.environ["ENVAGIN_DB"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "envagin" / "envagin.db"


def _read(ctx: Any, sql: str, *params: Any) -> list[str]:
    import sqlite3

    path = _db_path(ctx)
    if not path.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            return [str(r[0]) for r in conn.execute(sql, params)]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def values(ctx: Any, name: str, incomplete: str) -> list[str] | None:
    """The values a parameter may take that begin with `incomplete`; None if unknown."""
    if name == "skal":
        return [s for s in SKAL if s.startswith(incomplete)]
    if name in KODLISTOR:
        from envagin_cli.rules import codes

        listed: list[str] = list(getattr(codes, KODLISTOR[name]))
        head, _, last = incomplete.rpartition(",")  # several codes: a,b,…
        prefix = head + "," if head else ""
        return [prefix + c for c in listed if c.startswith(last)]
    if name in HANDLAGGARE:
        return _read(ctx, "SELECT id FROM staff WHERE aktiv = 1 AND id LIKE ? || '%'", incomplete)
    if name in INSATSER:
        return _read(
            ctx, "SELECT kod FROM insats WHERE aktiv = 1 AND kod LIKE ? || '%'", incomplete
        )
    if name in ARENDEN:
        return _read(
            ctx,
            "SELECT nr FROM arende WHERE avslutad IS NULL AND makulerad = 0 "
            "AND nr LIKE ? || '%' ORDER BY nr LIMIT 500",
            incomplete,
        )
    return None


def install() -> None:
    """Let every Typer parameter complete its values through `values()` (only when the
    shell asks for completions, so that other runs do not pay for it)."""
    if not os.environ.get(COMPLETE_VAR):
        return
    import typer.core
    from typer._click.shell_completion import CompletionItem
    from typer._completion_classes import completion_init

    for cls in (typer.core.TyperOption, typer.core.TyperArgument):
        original = cls.shell_complete

        def shell_complete(self: Any, ctx: Any, incomplete: str, _orig: Any = original) -> Any:
            found = values(ctx, str(self.name), incomplete)
            if found is None:
                return _orig(self, ctx, incomplete)
            return [CompletionItem(v) for v in found]

        cls.shell_complete = shell_complete  # type: ignore[method-assign]

    # Completing only parses the words typed so far: their values are not checked, so
    # Typer's coercion (and the pydantic it imports) is skipped.
    parameter = typer.core._TyperParameter
    process_value = parameter.process_value

    def raw_value(self: Any, ctx: Any, value: Any, _orig: Any = process_value) -> Any:
        return value if ctx.resilient_parsing else _orig(self, ctx, value)

    parameter.process_value = raw_value  # type: ignore[method-assign]
    completion_init()


@commands.command()
def komplettering(
    skal: Annotated[
        str,
        typer.Argument(metavar="SKAL", help="bash, zsh eller fish.", show_default=False),
    ],
    installera: Annotated[
        bool,
        typer.Option(
            "--installera", help="Installera i skalets startfil i stället för att skriva ut."
        ),
    ] = False,
) -> None:
    """Tab-komplettering för bash, zsh och fish: kommandon, flaggor, koder, handläggare,
    insatser och öppna ärenden.

    \b
    Exempel:
      envagin komplettering bash --installera
      eval "$(envagin komplettering bash)"
    """
    from typer._completion_shared import get_completion_script, install

    from envagin_cli.cli.common import say

    shell = skal.strip().lower()
    if shell not in SKAL:
        say(f"Fel: skal: '{skal[:20]}' stöds inte. Tillåtna: {', '.join(SKAL)}.")
        raise typer.Exit(1)
    complete_var = COMPLETE_VAR
    if not installera:
        typer.echo(
            get_completion_script(prog_name="envagin", complete_var=complete_var, shell=shell)
        )
        return
    try:
        _, path = install(shell=shell, prog_name="envagin", complete_var=complete_var)
    except OSError as exc:
        from envagin_cli.rules.errors import os_fel

        say(f"Fel: kan inte installera kompletteringen: {os_fel(exc)}.")
        raise typer.Exit(1) from None
    say(f"Kompletteringen för {shell} är installerad i {path}; starta ett nytt skal.")
