"""The root command: commands built when used, flags that stand anywhere, pager, Ctrl-C.

Typer builds a command by reading its function's signature and annotations, which costs
more than importing Typer when done for every command. The root builds only the command
that runs (and none for `envagin --help`, whose list reads each command's docstring), so
start-up does not grow with the number of commands. A module's commands are registered
with `Rot.add(...)` exactly as `app.add_typer` would.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import typer
import typer.core
import typer.main
from typer.models import CommandInfo, TyperInfo

# (name, Typer instance, hidden): name None merges the instance's commands into the root.
Source = tuple[str | None, typer.Typer, bool]


_GRUPPER = {
    "staff",
    "insats",
    "mål",
    "mal",
    "enhet",
    "inställning",
    "installning",
    "närvaro",
    "narvaro",
}


def command_names(instance: typer.Typer) -> list[str]:
    """The names of a Typer instance's own commands, as the command line spells them."""
    names = []
    for info in instance.registered_commands:
        assert info.callback is not None
        names.append(info.name or typer.main.get_command_name(info.callback.__name__))
    return names


def normalize(name: str) -> str:
    from envagin_cli.cli.common import normalize_token

    return normalize_token(name)


def command_name(instance: typer.Typer, callback: Any) -> str:
    """The name a Typer instance gives the command of `callback` (`map_` is `map`)."""
    for info in instance.registered_commands:
        if info.callback is callback:
            return info.name or typer.main.get_command_name(info.callback.__name__)
    raise KeyError(callback.__name__)


def _command_of(args: list[str]) -> str | None:
    """The command in the root's arguments (skipping `--db FIL`): `close`, `staff add`."""
    from envagin_cli.cli.common import normalize_token

    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("-"):
            words.append(normalize_token(arg) if not words else arg)
            if words[0] not in _GRUPPER or len(words) == 2:
                break
    if not words:
        return None
    words[0] = {"mal": "mål", "installning": "inställning", "narvaro": "närvaro"}.get(
        words[0], words[0]
    )
    if words[0] == "närvaro" and len(words) == 2 and words[1] != "lista":
        words[1] = "registrera"  # `närvaro ÄRENDE …` is `närvaro registrera ÄRENDE …`
    return " ".join(words)


class Lazy(Mapping[str, Any]):
    """The root's commands: known by name at once, built by Typer on first use. A Swedish
    name (`aliases`) is the same command; spelled with a/a/o it is hidden from lists."""

    def __init__(
        self,
        sources: list[Source],
        built: Mapping[str, Any] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.infos: dict[str, CommandInfo | TyperInfo | None] = {}
        self.built: dict[str, Any] = {}
        #: alias -> the command's own name; `folded`: the aliases spelled with a/a/o
        self.aliases: dict[str, str] = {}
        self.folded: set[str] = set()
        for name, instance, hidden in sources:
            if name is None:
                for info in instance.registered_commands:
                    assert info.callback is not None
                    key = info.name or typer.main.get_command_name(info.callback.__name__)
                    self.infos[key] = info
            else:
                self.infos[name] = TyperInfo(instance, name=name, hidden=hidden)
        for alias, name in (aliases or {}).items():
            for spelling in dict.fromkeys((alias, normalize(alias))):
                self.infos[spelling] = self.infos[name]
                self.aliases[spelling] = name
                if spelling != alias or normalize(alias) == normalize(name):
                    self.folded.add(spelling)
        # commands Typer built already (registered with `app.command`/`app.add_typer`)
        for name, command in (built or {}).items():
            if name not in self.infos:
                self.infos[name] = None
                self.built[name] = command

    def __getitem__(self, key: str) -> Any:
        if key not in self.built:
            info = self.infos[key]
            if info is None:
                raise KeyError(key)
            if isinstance(info, CommandInfo):
                self.built[key] = typer.main.get_command_from_info(
                    info, pretty_exceptions_short=False, rich_markup_mode=None
                )
            else:
                self.built[key] = typer.main.get_group_from_info(
                    info, pretty_exceptions_short=False, suggest_commands=True,
                    rich_markup_mode=None,
                )  # fmt: skip
            if key in self.folded:  # `kartlagg` runs as `kartlägg` but is not offered
                self.built[key].hidden = True
        return self.built[key]

    def __contains__(self, key: object) -> bool:
        return key in self.infos

    def __iter__(self) -> Iterator[str]:
        return iter(self.infos)

    def __len__(self) -> int:
        return len(self.infos)

    def hidden(self, key: str) -> bool:
        if key in self.folded:
            return True
        info = self.infos[key]
        if info is None:
            return bool(self.built[key].hidden)
        return bool(info.hidden)

    def help(self, key: str) -> str:
        """A command's help text without building it (its docstring, as Typer reads it)."""
        info = self.infos[key]
        if info is None:
            return str(self.built[key].help or "")
        if isinstance(info, CommandInfo):
            return info.help or inspect.getdoc(info.callback) or ""
        instance = info.typer_instance
        assert instance is not None
        text = instance.info.help
        if isinstance(text, str):
            return text
        callback = instance.registered_callback
        return inspect.getdoc(callback.callback) or "" if callback else ""


def _undecodable(text: str) -> bool:
    """Bytes that were not UTF-8 on the command line (Python keeps them as lone surrogates)."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


#: The settings read from the environment, checked like the command line.
_MILJO = ("ENVAGIN_DB", "ENVAGIN_USER", "ENVAGIN_IDAG", "ENVAGIN_TIMEOUT_MS")


def _refuse_undecodable(ctx: Any, args: list[str]) -> None:
    """An argument or setting that is not valid UTF-8 is refused by the option it belongs
    to (exit code 2), before anything reads it: it could neither be stored nor shown."""
    import os

    for i, arg in enumerate(args):
        if not _undecodable(arg):
            continue
        if arg.startswith("--") and "=" in arg:
            where = f"värdet till {arg.split('=', 1)[0]}"
        elif i > 0 and args[i - 1].startswith("--") and not _undecodable(args[i - 1]):
            where = f"värdet till {args[i - 1]}"
        else:
            where = f"argument {i + 1}"
        ctx.fail(
            f"{where} är ingen giltig UTF-8 (ställ in terminalen på UTF-8, t.ex. "
            "LANG=sv_SE.UTF-8, och skriv det igen)."
        )
    for name in _MILJO:
        if _undecodable(os.environ.get(name, "")):
            ctx.fail(f"miljövariabeln {name} är ingen giltig UTF-8.")


class Rot(typer.core.TyperGroup):
    """The root command: long output through a pager at a terminal (unless --no-pager);
    Ctrl-C anywhere says "Avbrutet." and exits 130."""

    sources: list[Source] = []  # noqa: RUF012 - set once by cli.app
    #: Swedish command names (`intag`) → the command (`intake`); set once by cli.app.
    aliases: dict[str, str] = {}  # noqa: RUF012
    #: The commands that write to the register and so take `--dry-run` (a reading
    #: command writes only the audit log, which a dry run must never roll back; `import`
    #: has its own). Set once by cli.app.
    provkorbara: set[str] = set()  # noqa: RUF012

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the lazy sources first (their order is the order in --help), then anything
        # registered on the app directly, which Typer has built already
        self.commands = Lazy(  # type: ignore[assignment]
            self.sources, dict(self.commands), self.aliases
        )

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """Every command with its Swedish name beside it (`intake (intag)`) and the first
        sentence of its help, wrapped to the width, never cut."""
        from typer._click.utils import make_default_short_help

        lazy = self.commands
        assert isinstance(lazy, Lazy)
        swedish: dict[str, str] = {}
        for alias, name in lazy.aliases.items():
            if alias not in lazy.folded:
                swedish.setdefault(name, alias)
        names = [n for n in lazy if not lazy.hidden(n) and n not in lazy.aliases]
        rows = [
            (
                f"{n} ({swedish[n]})" if n in swedish else n,
                make_default_short_help(lazy.help(n), 10_000),
            )
            for n in names
        ]
        with formatter.section("Kommandon"):
            formatter.write_dl(rows, col_max=22)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _refuse_undecodable(ctx, args)
        # `--no-pager` and `--dry-run` may stand before or after the command, like `--db`
        # (`import` has a `--dry-run` of its own)
        end = args.index("--") if "--" in args else len(args)
        command = _command_of(args[:end])
        for flag in ("--no-pager", "--dry-run"):
            if flag in args[:end] and not (flag == "--dry-run" and command == "import"):
                if flag == "--dry-run" and command not in self.provkorbara and "--help" not in args:
                    ctx.fail(
                        "--dry-run gäller kommandon som skriver i registret: "
                        + ", ".join(sorted(self.provkorbara))
                        + " (och import)."
                    )
                ctx.meta[flag] = True
                args = [a for i, a in enumerate(args) if i >= end or a != flag]
                end = args.index("--") if "--" in args else len(args)
        return super().parse_args(ctx, args)

    def main(self, args: Any = None, *rest: Any, **kwargs: Any) -> Any:
        # `envagin --help` (or bare `envagin`) through the pager at a terminal, as the
        # commands' own output is (the help is written while the arguments are parsed)
        words = sys.argv[1:] if args is None else list(args)
        if not words or (
            (set(words) & {"--help", "-h"} and _command_of(words) is None)
            and "--no-pager" not in words
        ):
            from envagin_cli.output.console import paged

            with paged():
                return super().main(args, *rest, **kwargs)
        return super().main(args, *rest, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        from envagin_cli.output.console import paged

        try:
            with paged(not (ctx.params.get("no_pager") or ctx.meta.get("--no-pager"))):
                return super().invoke(ctx)
        except KeyboardInterrupt:
            sys.stderr.write("\nAvbrutet.\n")
            raise typer.Exit(130) from None
        except Exception as exc:
            # A database error met outside a command's `handled()` (rows read while the
            # output is written): the same message and exit code, never an answer from
            # a damaged file or "Internt fel". sqlite3 is imported only if a command used it.
            sqlite3 = sys.modules.get("sqlite3")
            if sqlite3 is None or not isinstance(exc, sqlite3.DatabaseError):
                raise
            from envagin_cli.cli.common import handled

            with handled():
                raise
