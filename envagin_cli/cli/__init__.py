"""The command line: the Typer app, its shared options and one module per command group.

The top layer: may import every other package (mostly inside functions, so `--help`
stays fast). Nothing else imports it.
"""
