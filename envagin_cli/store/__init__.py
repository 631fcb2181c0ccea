"""The store: the SQLite file, its migrations and schema, and the read queries."""
