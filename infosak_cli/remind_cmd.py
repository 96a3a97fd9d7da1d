"""``infosak remind``: one reminder digest per responsible person, by SMTP or as .eml files."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import typer

from infosak_cli.app import app

log = logging.getLogger(__name__)
# etl.reminders's sender, here so that every other command (``infosak load``) does not import
# the reminders (smtplib, babel's dates); a test pins it to theirs.
DEFAULT_SENDER = "infosak@localhost"


def _as_of(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()  # the CLI's default; build_digests always takes the date
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        typer.echo(f"Ogiltigt datum: {text!r}. Ange ÅÅÅÅ-MM-DD. (Invalid date.)", err=True)
        raise typer.Exit(2) from None


@app.command()
def remind(
    as_of: str = typer.Option(None, "--as-of", help="Datum ÅÅÅÅ-MM-DD (standard: i dag)."),
    smtp: str = typer.Option(None, "--smtp", help="SMTP-server, t.ex. smtp://localhost:25."),
    out: Path = typer.Option(None, "--out", help="Katalog för .eml-filer i stället för SMTP."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Visa bara vem som skulle få vad."),
    sender: str = typer.Option(DEFAULT_SENDER, "--from", help="Avsändaradress."),
    starttls: bool = typer.Option(False, "--starttls", help="Uppgradera med STARTTLS."),
    use_ssl: bool = typer.Option(False, "--ssl", help="SMTP över SSL (smtps)."),
    database_url: str = typer.Option(None, "--database-url", help="Databasens URL."),
) -> None:
    """Påminnelser: försenade åtgärder, åtgärder inom 14 dagar och klassningar att se över."""
    import smtplib

    from etl.reminders import (
        build_digests,
        build_message,
        parse_smtp_url,
        send_messages,
        write_eml,
    )

    if (smtp is None) == (out is None) and not dry_run:
        typer.echo("Ange antingen --smtp URL eller --out KATALOG (eller --dry-run).", err=True)
        raise typer.Exit(2)
    day = _as_of(as_of)
    target = None
    if smtp and not dry_run:
        try:
            target = parse_smtp_url(smtp, starttls=starttls, use_ssl=use_ssl)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
    from sqlalchemy.exc import SQLAlchemyError  # the store: not at every command's start
    from sqlalchemy.orm import Session

    from etl.db import is_initialised, make_engine

    engine = make_engine(database_url)
    try:
        if not is_initialised(engine):
            typer.echo("Databasen innehåller inga uppgifter ännu. (The store is empty.)")
            return
        with Session(engine) as session:
            digests = build_digests(session, day)
    except SQLAlchemyError as exc:
        log.debug("remind failed", exc_info=True)
        typer.echo(f"Kunde inte läsa databasen: {exc.__class__.__name__}.", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    reachable = [d for d in digests if d.reachable]
    unreachable = [d for d in digests if not d.reachable]
    if dry_run:
        for d in reachable:
            typer.echo(
                f"{d.name} <{d.email}>: {len(d.overdue)} försenade åtgärder, "
                f"{len(d.due_soon)} inom 14 dagar, "
                f"{len(d.reviews) + d.protected_reviews} klassningar att se över"
                # Actions on risks of säkerhetsskydd assets: counted, never named.
                + (
                    f", {d.protected_actions} åtgärder med säkerhetsskydd"
                    if d.protected_actions
                    else ""
                )
            )
    _report_unreachable(unreachable)
    if dry_run:
        typer.echo(f"Torrkörning: {len(reachable)} sammanställningar skulle skickas.")
        return
    messages = [build_message(d, day, sender) for d in reachable]
    if out is not None:
        try:
            paths = write_eml(messages, out)
        except OSError as exc:
            typer.echo(f"Kunde inte skriva i {out}: {exc.strerror}.", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"{len(paths)} meddelanden sparade i {out}.")
        return
    try:
        sent = send_messages(messages, target)
    except (OSError, smtplib.SMTPException) as exc:
        log.debug("smtp failed", exc_info=True)
        typer.echo(f"Kunde inte skicka via {smtp}: {exc}. (SMTP failed.)", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{sent} påminnelser skickade.")


def _report_unreachable(unreachable) -> None:
    for d in unreachable:
        typer.echo(f"Når inte {d.name}: ingen e-postadress ({d.item_count} att följa upp).")
