"""The half-year report: its figures and the table model with masking."""
