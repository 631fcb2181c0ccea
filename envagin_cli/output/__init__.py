"""Output: one console set-up, one JSON writer, one CSV writer, tables and report formats."""
