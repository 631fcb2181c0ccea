"""The interchange format: reading files, importing rows, exporting events."""
