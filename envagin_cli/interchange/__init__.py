"""The interchange format: reading files, importing rows, exporting events.

May import: `envagin_cli.output` (its CSV and JSON writers) and every layer below it
(report, domain, store, rules). Never the command line.
"""
