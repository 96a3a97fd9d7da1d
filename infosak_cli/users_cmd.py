"""``infosak users add|list|remove|remove-demo|passwd``: local accounts for the dashboard."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from infosak_cli.app import app
from infosak_cli.tables import print_rows

console = Console()
err = Console(stderr=True)
users_app = typer.Typer(
    help="Konton för dashboarden (roller och omfattning).", no_args_is_help=True
)
app.add_typer(users_app, name="users")


def _engine():
    from etl.db import make_engine, migrate

    engine = make_engine()
    migrate(engine)
    return engine


def _session(engine):
    from sqlalchemy.orm import Session  # SQLAlchemy: not at every command's start

    return Session(engine)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # First line only, without its newline: `echo "$PW" | infosak users add ...`.
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet")


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(1)


def _audit(engine, action: str, detail: str) -> None:
    import getpass

    from dashboard.auth.audit import record

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "cli"
    record(engine, action, f"cli:{who}", detail)


def _check_role(role: str) -> None:
    """An unknown role ends the command (exit 2, a usage error) before a password is asked for."""
    from dashboard.auth.roles import USER_ROLES, role_label

    if role in USER_ROLES:
        return
    err.print(f"Okänd roll ”{role}”. Giltiga roller:", style="red", markup=False)
    for known in USER_ROLES:
        err.print(f"  {known}  {role_label(known)}", markup=False, soft_wrap=True)
    raise typer.Exit(2)


@users_app.command("add")
def add(
    name: str = typer.Argument(..., help="Användarnamn (a–z, 0–9, . _ @ -)."),
    role: str = typer.Option(
        ...,
        "--role",
        help="ciso, security_officer, admin_head, manager, "
        "committee, dpo, protection_officer eller admin.",
    ),  # fmt: skip
    scope: list[str] = typer.Option(
        [], "--scope", help="Kommun-, förvaltnings- eller enhetskod (kan upprepas)."
    ),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Läs lösenordet från standard in."
    ),
) -> None:
    """Skapa ett konto med roll och omfattning."""
    from dashboard.auth.passwords import PasswordPolicyError
    from dashboard.auth.users import UserError, add_user

    _check_role(role)
    engine = _engine()
    password = _read_password(password_stdin)
    try:
        with _session(engine) as session, session.begin():
            user = add_user(session, name, role, scope, password)
            summary = f"{user.name} ({user.role}; {', '.join(scope) or 'allt'})"
    except (UserError, PasswordPolicyError) as exc:
        raise _fail(str(exc)) from exc
    _audit(engine, "user_add", summary)
    console.print(f"Kontot {summary} är skapat.")


@users_app.command("list")
def list_() -> None:
    """Visa alla konton."""
    from dashboard.auth.roles import role_label
    from dashboard.auth.users import list_users, scope_codes

    engine = _engine()
    with _session(engine) as session:
        rows = [
            (
                u.name,
                role_label(u.role),
                ", ".join(scope_codes(u)) or "allt",
                u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "–",
                "ja" if u.is_demo else "",
            )  # fmt: skip
            for u in list_users(session)
        ]
    if not rows:
        console.print("Inga konton. Skapa ett med 'infosak users add NAMN --role ROLL'.")
        return
    print_rows(console, ("Användare", "Roll", "Omfattning", "Senast inloggad", "Demo"), rows)


@users_app.command("remove")
def remove(name: str = typer.Argument(..., help="Användarnamn.")) -> None:
    """Ta bort ett konto (dess inloggningar upphör direkt)."""
    from dashboard.auth.users import UserError, remove_user

    engine = _engine()
    try:
        with _session(engine) as session, session.begin():
            remove_user(session, name)
    except UserError as exc:
        raise _fail(str(exc)) from exc
    _audit(engine, "user_remove", name)
    console.print(f"Kontot {name} är borttaget.")


@users_app.command("remove-demo")
def remove_demo() -> None:
    """Ta bort alla demokonton (från infosak demo) så att databasen kan användas i drift."""
    from dashboard.auth.users import remove_demo_users

    engine = _engine()
    with _session(engine) as session, session.begin():
        names = remove_demo_users(session)
    if not names:
        console.print("Det finns inga demokonton i databasen.")
        return
    _audit(engine, "user_remove", "demokonton: " + ", ".join(names))
    console.print(f"{len(names)} demokonton är borttagna: {', '.join(names)}.")


@users_app.command("passwd")
def passwd(
    name: str = typer.Argument(..., help="Användarnamn."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Läs lösenordet från standard in."
    ),
) -> None:
    """Byt lösenord (kontots öppna inloggningar upphör)."""
    from dashboard.auth.passwords import PasswordPolicyError
    from dashboard.auth.users import UserError, get_user, set_password

    engine = _engine()
    with _session(engine) as session:
        if get_user(session, name) is None:
            raise _fail(f"Användaren {name} finns inte.")
    password = _read_password(password_stdin)
    try:
        with _session(engine) as session, session.begin():
            set_password(session, name, password)
    except (UserError, PasswordPolicyError) as exc:
        raise _fail(str(exc)) from exc
    _audit(engine, "user_passwd", name)
    console.print(f"Lösenordet för {name} är bytt.")
