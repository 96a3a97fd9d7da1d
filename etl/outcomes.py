"""A file's outcome in a load, in a module of its own so that the command line can name the outcomes
without importing the store and the KPI code that etl.load brings."""

ACCEPTED, REJECTED, UNCHANGED = "accepted", "rejected", "unchanged"
