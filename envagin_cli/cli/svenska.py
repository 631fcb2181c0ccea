"""Swedish for the command-line machinery: help, usage errors, placeholders, Ctrl-C.

Typer 0.29 ships its own Click, whose words are English and mostly not translatable
through gettext. `install()` (called once, by `cli.app`) puts Swedish in its place:

- Typer's own gettext strings (`[krävs]`, `[standard: …]`, `[miljövariabel: …]`, the
  section names, "Avbrutet.") through a translation of its module's `_`;
- the usage line ("Användning: envagin close [FLAGGOR] ÄRENDE") and the help option
  ("Visa den här hjälpen och avsluta");
- every usage error as "Fel i kommandoraden: …" with "Menade du …?" for an unknown flag
  or command, then the usage line and where the help is (exit code 2, as before);
- placeholders that say what is wanted (`--datum DATUM`, `--slutorsak KOD`): from
  `PLATSHALLARE` by the option's name, else by its type (TEXT, ANTAL), so a command added
  later gets one too;
- a missing required value asked for at a terminal (`ask_for`), showing the allowed
  values; without a terminal the usage error stands (exit code 2).

Nothing imports `click`; Typer's own copy is reached only here, in `cli.root` (the lazy
command list) and in `cli.komplettering` (completion).
"""

from __future__ import annotations

import re
from typing import Any

import typer
import typer.core

ORD = {
    "required": "krävs",
    "default: {default}": "standard: {default}",
    "env var: {var}": "miljövariabel: {var}",
    "Arguments": "Argument",
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Missing command.": "Kommando saknas.",
    "No such command {name!r}.": "okänt kommando {name!r}.",
    "Aborted!": "Avbrutet.",
    "(dynamic)": "(beräknas)",
}

#: The placeholder of an option's value, by its long name (without `--`, å/ä/ö as written).
PLATSHALLARE = {
    "datum": "DATUM",
    "från": "DATUM",
    "till": "DATUM",
    "före": "DATUM",
    "deadline": "DATUM",
    "som": "ID",
    "ansvarig": "ID",
    "handläggare": "ID",
    "db": "FIL",
    "avvisade": "FIL",
    "xlsx": "FIL",
    "slutorsak": "KOD",
    "remittent": "KOD",
    "insats": "KOD",
    "avsluta": "KOD",
    "sysselsättning": "KOD",
    "försörjning": "KODER",
    "omfattning": "OMFATTNING",
    "utförare": "PART",
    "part": "PART",
    "roll": "ROLL",
    "kön": "KÖN",
    "födelseår": "ÅR",
    "basår": "ÅR",
    "år": "ÅR",
    "personnummer": "PERSONNUMMER",
    "ärende": "ÄRENDE",
    "nöjd-bemötande": "SVAR",
    "nöjd-insats": "SVAR",
    "tjänstgöringsgrad": "PROCENT",
    "antal": "ANTAL",
    "maskera": "ANTAL",
    "namn": "NAMN",
    "remittent-handläggare": "NAMN",
    "orsak": "TEXT",
    "text": "TEXT",
    "kommentar": "TEXT",
    "format": "FORMAT",
    "encoding": "TECKENKODNING",
    "halvår": "HALVÅR",
    "tertial": "TERTIAL",
    "grupp": "GRUPP",
}

#: An argument's placeholder by its name in the function.
ARGUMENT = {"arende": "ÄRENDE", "fil": "FIL", "id": "ID", "kod": "KOD", "nyckel": "NYCKEL"}

HJALP = "Visa den här hjälpen och avsluta."


def _sv(message: str) -> str:
    return ORD.get(message, message)


def _name(param: Any) -> str:
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    return opts[0][2:] if opts else str(getattr(param, "name", ""))


def placeholder(param: Any) -> str:
    """What an option's value is, in capitals: DATUM, KOD, ID, ANTAL, FIL, TEXT."""
    if param.metavar:
        return str(param.metavar)
    named = PLATSHALLARE.get(_name(param))
    if named:
        return named
    annotation = str(getattr(getattr(param, "type_descriptor", None), "annotation", ""))
    if "int" in annotation:
        return "ANTAL"
    if "float" in annotation:
        return "TAL"
    if "Path" in annotation:
        return "FIL"
    return "TEXT"


def _suggest(word: str, candidates: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, candidates, n=3, cutoff=0.6)
    if not close:
        return ""
    # Only those about as close as the best ('lst': 'list', not 'set' too).
    best = difflib.SequenceMatcher(None, word, close[0]).ratio()
    close = [c for c in close if difflib.SequenceMatcher(None, word, c).ratio() >= best - 0.1]
    return " Menade du " + " eller ".join(f"'{c}'" for c in close) + "?"


def message(exc: Any) -> str:
    """A usage error in Swedish (Typer's Click exception → text after "Fel i kommandoraden: ")."""
    from typer._click import exceptions as ce

    if isinstance(exc, ce.MissingParameter) and exc.param is not None:
        param = exc.param
        if param.param_type_name == "argument":
            return f"argumentet {placeholder_argument(param)} saknas."
        return f"flaggan --{_name(param)} saknas ({placeholder(param)} krävs)."
    if isinstance(exc, ce.NoSuchOption):
        possible = sorted(exc.possibilities or [])
        ctx = exc.ctx
        if not possible and ctx is not None:
            possible = [o for p in ctx.command.params for o in p.opts if o.startswith("--")]
        return f"okänd flagga '{exc.option_name}'.{_suggest(exc.option_name, possible)}"
    if isinstance(exc, ce.BadParameter) and not isinstance(exc, ce.MissingParameter):
        text = _translate(exc.message)
        if exc.param is not None:
            return f"ogiltigt värde för {placeholder_of(exc.param)}: {text}"
        return f"ogiltigt värde: {text}"
    text = _translate(exc.message)
    if text.startswith("okänt kommando") and exc.ctx is not None:
        typo = text.split("'")[1] if "'" in text else ""
        commands = list(getattr(exc.ctx.command, "commands", {}))
        text = text.split(" Did you mean")[0] + _suggest(typo, commands)
    return text


#: Click's English messages (regular expressions) and their Swedish.
_ENGLISH = [
    (r"Option '(.+)' requires an argument\.?", r"flaggan \1 kräver ett värde."),
    (r"Option '(.+)' requires (\d+) arguments\.?", r"flaggan \1 kräver \2 värden."),
    (r"Option '(.+)' does not take a value\.?", r"flaggan \1 tar inget värde."),
    (r"Got unexpected extra argument\(s\) \((.*)\)", r"oväntat argument: \1."),
    (r"Argument '(.+)' takes (\d+) values\.?", r"argumentet \1 tar \2 värden."),
    (r"Value (.+) is not a valid (.+)\.", r"värdet \1 är inte giltigt."),
    (r"(?:File|Path|Directory) '(.+)' does not exist\.?", r"filen \1 finns inte."),
]


def _translate(text: str) -> str:
    for pattern, swedish in _ENGLISH:
        if re.fullmatch(pattern, text):
            return re.sub(pattern, swedish, text)
    return text


def placeholder_argument(param: Any) -> str:
    return str(param.metavar or ARGUMENT.get(param.name, str(param.name).upper()))


def placeholder_of(param: Any) -> str:
    if param.param_type_name == "argument":
        return placeholder_argument(param)
    return f"--{_name(param)}"


def show_usage_error(exc: Any, file: Any = None) -> None:
    """Replaces Click's `UsageError.show`: the message first, then usage and where help is."""
    import sys

    from envagin_cli.rules.errors import redact

    out = file or sys.stderr
    lines = [f"Fel i kommandoraden: {message(exc)}"]
    ctx = exc.ctx
    if ctx is not None:
        lines.append(ctx.get_usage())
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(f"Se '{ctx.command_path} {ctx.help_option_names[-1]}' för hjälp.")
    from envagin_cli.cli.common import fit, message_width

    # the message repeats what was typed: never a personnummer (`envagin 811218-9876`)
    out.write(fit(redact("\n".join(lines)), message_width()) + "\n")


def show_error(exc: Any, file: Any = None) -> None:
    """Replaces Click's `ClickException.show` (an error that is no usage error): in
    Swedish, never with a personnummer."""
    import sys

    from envagin_cli.rules.errors import redact

    (file or sys.stderr).write(redact(f"Fel: {_translate(exc.format_message())}") + "\n")


_installed = False


def install() -> None:
    """Swedish in Typer's Click (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    from typer import _click
    from typer._click import exceptions as ce
    from typer._click import formatting

    typer.core._ = _sv  # type: ignore[attr-defined]

    write_usage = formatting.HelpFormatter.write_usage

    def svensk_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[FLAGGOR]").replace(
            "COMMAND [ARGS]...", "KOMMANDO [ARGUMENT]..."
        )
        write_usage(self, prog, args, "Användning: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = svensk_usage  # type: ignore[method-assign]

    get_help_option = _click.core.Command.get_help_option

    def svensk_hjalp(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = HJALP
        return option

    _click.core.Command.get_help_option = svensk_hjalp  # type: ignore[method-assign]

    def display_type(self: Any, ctx: Any) -> str:
        return placeholder(self)

    typer.core.TyperOption.display_type_rich = display_type  # type: ignore[method-assign]
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]
    typer.core.TyperArgument.display_name_raw = property(  # type: ignore[method-assign,assignment]
        placeholder_argument
    )
    typer.core.TyperArgument._usage_display_name = _usage_name  # type: ignore[method-assign]
    ce.UsageError.show = show_usage_error  # type: ignore[method-assign,assignment]
    ce.ClickException.show = show_error  # type: ignore[method-assign,assignment]
    parameter = typer.core._TyperParameter
    parameter.process_value = _process_value(parameter.process_value)  # type: ignore[method-assign]


def at_terminal() -> bool:
    """Whether a person is there to answer (stdin and stderr are a terminal)."""
    from envagin_cli.cli.common import at_terminal as there

    return there()


def ask_for(param: Any, ctx: Any) -> str | None:
    """At a terminal, ask for a missing required value, showing the allowed values; an
    answer that is not one of them is asked for again."""
    import sys

    from envagin_cli.cli.komplettering import values
    from envagin_cli.rules.codes import fold

    what = placeholder_of(param)
    kind = placeholder(param) if param.param_type_name == "option" else what
    # the allowed values when they are a short list (codes, staff, insatser), else the help
    allowed = values(ctx, str(param.name), "") or []
    listed = bool(allowed) and len(allowed) <= 40 and param.name != "arende"
    if listed:
        sys.stderr.write(f"{what} saknas. Tillåtna: {', '.join(allowed)}.\n")
    elif param.help:
        sys.stderr.write(f"{what} saknas: {param.help}\n")
    while True:
        sys.stderr.write(f"Ange {kind}: ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            sys.stderr.write("\n")
            return None
        answer = line.strip()
        if not answer:
            return None
        wrong = [
            part
            for part in answer.split(",")
            if listed
            and part.strip()
            and part.strip() not in allowed
            and fold(part.strip()) not in allowed
        ]
        if not wrong:
            return answer
        sys.stderr.write(
            f"'{wrong[0][:40]}' är inte tillåtet för {what}. Tillåtna: {', '.join(allowed)}.\n"
        )


def _process_value(original: Any) -> Any:
    def process_value(self: Any, ctx: Any, value: Any) -> Any:
        from typer._click import exceptions as ce

        try:
            return original(self, ctx, value)
        except ce.MissingParameter:
            if ctx.resilient_parsing or not at_terminal():
                raise
            answer = ask_for(self, ctx)
            if answer is None:
                raise
            given = [answer] if (self.multiple or self.nargs != 1) else answer
            return original(self, ctx, given)

    return process_value


def _usage_name(self: Any) -> str:
    name = placeholder_argument(self)
    name = name if self.required else f"[{name}]"
    return name + ("..." if self.nargs != 1 else "")
