"""Output: one console set-up, one JSON writer, one CSV writer, tables and report formats
(terminal, CSV, XLSX, HTML, diagrams). Every screen is drawn here.

May import: `envagin_cli.report`, `envagin_cli.domain`, `envagin_cli.store` and
`envagin_cli.rules`. Never the interchange or the command line.
"""
