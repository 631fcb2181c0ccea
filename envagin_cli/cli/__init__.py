"""The command line: the Typer app, its shared options and one module per command group."""
