"""Developer tools run by hand (not part of the installed package, not run in CI)."""
