"""The store: the SQLite file, its migrations and schema, transactions, the hash chain and
the read queries. Every SQL statement that is not a use case's own write lives here.

May import: `envagin_cli.rules` (errors, code lists, event kinds, dates) and SQLite.
Never the domain or anything above it.
"""
