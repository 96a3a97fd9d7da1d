"""The ``infosak`` Typer application; each command lives in a module of its own."""

import typer

app = typer.Typer(
    name="infosak",
    help="Infosäk: informationssäkerhetsarbetet i en kommun, från arbetsböcker till dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
