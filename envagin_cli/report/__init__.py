"""The half-year report: its figures, diagrams' data and the table model with masking.

May import: `envagin_cli.domain`, `envagin_cli.store` and `envagin_cli.rules`. Never the
output (rendering), the interchange or the command line.
"""
