"""``infosak doctor``: check a deployment and say in Swedish what is wrong.

Every check reads only: the store is opened read-only (SQLite) or only queried (PostgreSQL), the
schema is compared with the latest migration but never upgraded, and the data directory's write
access is asked of the operating system without writing a file. Exit 0 when every check passes,
1 otherwise. The CLI is the top layer, so it reads the app's own settings from ``dashboard``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from etl import config
from infosak_cli.app import app

if TYPE_CHECKING:
    from sqlalchemy import Engine

console = Console(highlight=False, soft_wrap=True)

# Above this an upload is no longer a workbook but a way to tie up a worker (and the proxy's
# client_max_body_size must follow it): the largest real workbook of a municipality is ~2 MB.
MAX_SANE_UPLOAD_MB = 100
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
DB_CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class Finding:
    topic: str
    ok: bool
    message: str


def _mark(ok: bool) -> str:
    return "[green]OK [/green]" if ok else "[red]FEL[/red]"


# --------------------------------------------------------------------------- the store


def _store_url(environ: Mapping[str, str]) -> str | None:
    """The URL the app would use; None for a default SQLite file that does not exist yet
    (``config.database_url`` would create its folder, and doctor writes nothing)."""
    url = environ.get(config.DATABASE_URL_ENV, "").strip()
    if url:
        return url
    path = config.default_data_dir(environ) / config.SQLITE_FILE_NAME
    return f"sqlite:///{path}" if path.is_file() else None


def _read_only_engine(url: str) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # mode=ro: opening the store can neither create the file nor change it.
        return create_engine(f"sqlite:///file:{parsed.database}?mode=ro&uri=true")
    connect_args = (
        {"connect_timeout": DB_CONNECT_TIMEOUT_S}
        if parsed.get_backend_name() == "postgresql"
        else {}
    )
    return create_engine(url, connect_args=connect_args)


def check_store(environ: Mapping[str, str], *, demo: bool) -> list[Finding]:
    """Reachable, at the latest migration, and (outside demo mode) without demo accounts."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import select, text
    from sqlalchemy.engine import make_url

    from etl.db import alembic_config, at_head, is_initialised
    from etl.models_auth import User

    url = _store_url(environ)
    if url is None:
        path = config.default_data_dir(environ) / config.SQLITE_FILE_NAME
        return [Finding("Databas", False, f"Databasfilen {path} finns inte och "
                        f"{config.DATABASE_URL_ENV} är inte satt. Sätt {config.DATABASE_URL_ENV} "
                        "(PostgreSQL i drift) eller starta tjänsten en gång så skapas databasen.")]  # fmt: skip
    shown = make_url(url).render_as_string(hide_password=True)
    engine = _read_only_engine(url)
    try:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any driver error means the same to the operator
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return [Finding("Databas", False, f"Når inte databasen {shown}: {reason}")]
        findings = [Finding("Databas", True, f"Når databasen {shown}.")]
        heads = ", ".join(sorted(ScriptDirectory.from_config(alembic_config(None)).get_heads()))
        if not is_initialised(engine):
            findings.append(Finding("Migrering", False, f"Databasen saknar Infosäks tabeller "
                                    f"(senaste migrering: {heads}). De skapas när tjänsten "
                                    "startar eller när ett infosak-kommando öppnar databasen."))  # fmt: skip
            return findings
        if at_head(engine):
            findings.append(
                Finding("Migrering", True, f"Schemat är på senaste migreringen ({heads}).")
            )
        else:
            with engine.connect() as conn:
                current = ", ".join(
                    sorted(conn.scalars(text("SELECT version_num FROM alembic_version")))
                )
            findings.append(Finding("Migrering", False, f"Schemat är på migrering {current or '(ingen)'}, "
                                    f"programmet kräver {heads}. Starta om tjänsten (den uppgraderar "
                                    "schemat) eller kör t.ex. 'infosak kpi' mot samma databas."))  # fmt: skip
        with engine.connect() as conn:
            names = list(conn.scalars(select(User.name).where(User.is_demo.is_(True))))
        if names and not demo:
            findings.append(Finding("Demokonton", False, "Demokonton (lösenord 'demo') finns i en "
                                    f"driftsdatabas: {', '.join(sorted(names))}. Ta bort dem med "
                                    "'infosak users remove NAMN'."))  # fmt: skip
        else:
            findings.append(Finding("Demokonton", True, "Inga demokonton." if not names else
                                    f"{len(names)} demokonton (demoläge)."))  # fmt: skip
        findings.extend(check_mart_is_current(engine, dt.date.today()))
        return findings
    finally:
        engine.dispose()


def check_mart_is_current(engine: Engine, today: dt.date) -> list[Finding]:
    """Whether the KPI mart holds today (``infosak mart`` daily); nothing before a first load."""
    from sqlalchemy import select

    from etl.kpi import mart
    from etl.models import KpiMartDate

    with engine.connect() as conn:
        if not mart.present(conn):
            return []
        held = list(conn.scalars(select(KpiMartDate.as_of)))
        if not held:
            return []
        if mart.holds(conn, today):
            return [
                Finding("Nyckeltal", True, "Nyckeltalen för hela landet är beräknade per i dag.")
            ]
    return [Finding("Nyckeltal", False, f"Nyckeltalen är beräknade per {max(held).isoformat()}, "
                    "inte per i dag: varje sida räknar dem för hela landet vid första besöket. "
                    "Kör 'infosak mart' en gång per dygn (timer i docs/deployment.md).")]  # fmt: skip


# --------------------------------------------------------------------------- settings


def check_secret_key(environ: Mapping[str, str], *, demo: bool) -> list[Finding]:
    from dashboard.auth.session import MIN_SECRET_LENGTH, SECRET_KEY_ENV

    key = environ.get(SECRET_KEY_ENV, "").strip()
    if not key:
        if demo:
            return [Finding("Hemlig nyckel", True, "Demoläget skapar en egen nyckel i datamappen.")]
        return [Finding("Hemlig nyckel", False, f"{SECRET_KEY_ENV} är inte satt: tjänsten startar "
                        f"inte. Sätt den till minst {MIN_SECRET_LENGTH} slumpade tecken, t.ex. "
                        'python -c "import secrets; print(secrets.token_hex(32))".')]  # fmt: skip
    if len(key) < MIN_SECRET_LENGTH:
        return [Finding("Hemlig nyckel", False, f"{SECRET_KEY_ENV} har {len(key)} tecken; minst "
                        f"{MIN_SECRET_LENGTH} krävs (alla servrar ska ha samma nyckel).")]  # fmt: skip
    return [Finding("Hemlig nyckel", True, f"{SECRET_KEY_ENV} är satt ({len(key)} tecken).")]


def _bind_is_loopback(bind: str) -> bool:
    host = bind.rsplit(":", 1)[0] if not bind.startswith("unix:") else "unix"
    return host in (*LOOPBACK_HOSTS, "unix")


def check_tls(environ: Mapping[str, str], *, demo: bool) -> list[Finding]:
    """INFOSAK_BEHIND_TLS against the bind address, gunicorn's trusted proxies and OIDC's
    callback address: the session cookie is Secure (and HSTS sent) only with the flag."""
    from dashboard.auth.oidc import REDIRECT_URI_ENV
    from dashboard.auth.session import BEHIND_TLS_ENV, behind_tls

    raw = environ.get(BEHIND_TLS_ENV, "").strip()
    tls = behind_tls(dict(environ))
    findings = []
    if raw and not tls and raw.lower() not in ("0", "false", "no", "nej"):
        findings.append(Finding("TLS", False, f"{BEHIND_TLS_ENV}={raw!r} förstås inte och räknas "
                                "som av. Använd 1 (bakom TLS) eller 0."))  # fmt: skip
    bind = environ.get("INFOSAK_BIND", "127.0.0.1:8050").strip()
    trusted = environ.get("FORWARDED_ALLOW_IPS", "").strip()
    if trusted == "*" and not _bind_is_loopback(bind):
        findings.append(Finding("TLS", False, f"FORWARDED_ALLOW_IPS='*' och servern lyssnar på "
                                f"{bind}: vem som helst kan påstå att begäran kom över https. Ange "
                                "proxyns adress i FORWARDED_ALLOW_IPS."))  # fmt: skip
    redirect = environ.get(REDIRECT_URI_ENV, "").strip()
    if tls and redirect.startswith("http://"):
        findings.append(Finding("TLS", False, f"{BEHIND_TLS_ENV} är på men {REDIRECT_URI_ENV} "
                                f"är en http-adress ({redirect}): använd https."))  # fmt: skip
    if not tls and not demo:
        findings.append(Finding("TLS", False, f"{BEHIND_TLS_ENV} är inte på: sessionskakan saknar "
                                "Secure-flaggan och HSTS skickas inte. Ställ en TLS-terminerande "
                                f"proxy framför tjänsten och sätt {BEHIND_TLS_ENV}=1."))  # fmt: skip
    if not findings:
        findings.append(Finding("TLS", True, "Bakom TLS: säker sessionskaka och HSTS." if tls
                                else "Demoläge utan TLS."))  # fmt: skip
    return findings


def check_upload_limit(environ: Mapping[str, str]) -> list[Finding]:
    from dashboard.auth.security import (
        DEFAULT_UPLOAD_MAX_MB,
        UPLOAD_MAX_MB_ENV,
        max_content_length,
        upload_max_bytes,
    )

    # A file travels base64-encoded inside a callback's JSON: the proxy must let that through.
    body_mb = math.ceil(max_content_length(upload_max_bytes(dict(environ))) / 1024 / 1024)
    proxy = f"Proxyns client_max_body_size ska vara minst {body_mb}m."
    raw = environ.get(UPLOAD_MAX_MB_ENV, "").strip()
    if not raw:
        return [
            Finding("Uppladdning", True, f"Gräns {DEFAULT_UPLOAD_MAX_MB} MB (standard). {proxy}")
        ]
    try:
        mb = float(raw.replace(",", "."))
    except ValueError:
        mb = None
    if mb is None or mb <= 0:
        return [Finding("Uppladdning", False, f"{UPLOAD_MAX_MB_ENV}={raw!r} är inget positivt tal; "
                        f"appen använder då {DEFAULT_UPLOAD_MAX_MB} MB. Ange ett antal megabyte.")]  # fmt: skip
    if mb > MAX_SANE_UPLOAD_MB:
        return [Finding("Uppladdning", False, f"{UPLOAD_MAX_MB_ENV}={raw} MB är orimligt stort "
                        f"(högst {MAX_SANE_UPLOAD_MB} MB): stora kroppar binder arbetsprocesser.")]  # fmt: skip
    return [Finding("Uppladdning", True, f"Gräns {mb:g} MB ({UPLOAD_MAX_MB_ENV}). {proxy}")]


def check_oidc(environ: Mapping[str, str]) -> list[Finding]:
    """Complete when any INFOSAK_OIDC_* is set; the identity provider itself is not contacted."""
    from dashboard.auth.oidc import ISSUER_ENV, OidcConfigError, oidc_config

    present = sorted(k for k, v in environ.items() if k.startswith("INFOSAK_OIDC_") and v.strip())
    if not present:
        return [Finding("OIDC", True, "Inloggning via OIDC är inte påslagen (lokala konton).")]
    try:
        configured = oidc_config(dict(environ))
    except OidcConfigError as exc:
        return [Finding("OIDC", False, f"OIDC-inställningarna är ofullständiga: {exc}")]
    if configured is None:
        return [Finding("OIDC", False, f"{', '.join(present)} är satt men {ISSUER_ENV} saknas: "
                        "ange identitetsleverantörens adress eller ta bort variablerna.")]  # fmt: skip
    return [Finding("OIDC", True, f"OIDC mot {configured.issuer} med "
                    f"{len(configured.group_map)} mappade grupper.")]  # fmt: skip


def check_data_dir(environ: Mapping[str, str]) -> list[Finding]:
    directory = config.default_data_dir(environ)
    if not directory.exists():
        return [Finding("Datamapp", False, f"Datamappen {directory} finns inte. Skapa den, ägd av "
                        f"tjänstens konto, eller peka {config.DATA_DIR_ENV} dit.")]  # fmt: skip
    if not directory.is_dir():
        return [Finding("Datamapp", False, f"{directory} är ingen mapp ({config.DATA_DIR_ENV}).")]
    if not os.access(directory, os.W_OK | os.X_OK):
        return [Finding("Datamapp", False, f"Tjänsten får inte skriva i datamappen {directory}.")]
    return [Finding("Datamapp", True, f"Skrivbar: {directory}.")]


def run_checks(environ: Mapping[str, str], *, demo: bool = False) -> list[Finding]:
    checks: list[Callable[[], list[Finding]]] = [
        lambda: check_store(environ, demo=demo),
        lambda: check_secret_key(environ, demo=demo),
        lambda: check_tls(environ, demo=demo),
        lambda: check_upload_limit(environ),
        lambda: check_oidc(environ),
        lambda: check_data_dir(environ),
    ]
    return [finding for check in checks for finding in check()]


@app.command()
def doctor(
    demo: bool = typer.Option(
        False, "--demo", help="Granska en demoinstallation (demokonton och egen nyckel tillåtna)."
    ),
) -> None:
    """Granska en installation: databas, migrering, nyckel, demokonton, TLS, uppladdning, OIDC."""
    findings = run_checks(os.environ, demo=demo)
    for finding in findings:
        console.print(f"{_mark(finding.ok)}  {finding.topic}: {escape(finding.message)}")
    faults = sum(1 for f in findings if not f.ok)
    if faults:
        console.print(f"[red]{faults} fel hittades.[/red]")
        raise typer.Exit(1)
    console.print("[green]Allt ser bra ut.[/green]")
