"""Scoped, aggregated reads of the store: every function takes the viewer and an as-of date."""
