"""Rows for the terminal: a table where it fits, else one whole line per row.

Rich fits a table to the terminal by cutting cells ("ellipsis") or breaking them across lines;
either way a user name or role code can no longer be read or copied. A table that does not fit
at its natural width is printed as plain lines instead, which the terminal folds visually but
never cuts.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table


def print_rows(
    console: Console, headings: Sequence[str], rows: Sequence[Sequence[str]], title: str = ""
) -> None:
    table = Table(title=title or None, title_justify="left")
    for heading in headings:
        table.add_column(heading, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    # The natural width: measured as if the terminal were unbounded (rich clamps to its width).
    natural = console.measure(table, options=console.options.update_width(10**6)).maximum
    if natural <= console.width:
        console.print(table)
        return
    if title:
        console.print(title, markup=False, highlight=False, soft_wrap=True)
    for row in [headings, *rows]:
        line = " | ".join(value or "–" for value in row)
        console.print(line, markup=False, highlight=False, soft_wrap=True)
