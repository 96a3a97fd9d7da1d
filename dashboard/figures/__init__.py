"""Figures: pure functions DataFrame → plotly Figure, one module per page. No SQL, no I/O."""
