"""Scoped, aggregated reads of the store: every function takes the viewer and an as-of date."""

# The pages' kept frames join every load's snapshot from the first import of any query module.
from dashboard.queries import page_keepers  # noqa: E402,F401  isort: skip
