"""``infosak doctor``: a sound deployment passes; each fault is named, in Swedish, with exit 1.

Real stores (SQLite and PostgreSQL), real environment variables, the real command line.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from etl.db import _head_revisions, make_engine, migrate
from infosak_cli import app

runner = CliRunner()

GOOD_OIDC = {
    "INFOSAK_OIDC_ISSUER": "https://login.example.se/tenant/v2.0",
    "INFOSAK_OIDC_CLIENT_ID": "infosak",
    "INFOSAK_OIDC_CLIENT_SECRET": "hemligt",
    "INFOSAK_OIDC_GROUP_ROLE_MAP": '{"ciso-grupp": "ciso:1882"}',
}


def _sound_configuration(monkeypatch, tmp_path, store_url):
    """A sound production configuration on a migrated store; the test then breaks one thing."""
    for name in list(os.environ):
        if name.startswith("INFOSAK_") or name in ("FORWARDED_ALLOW_IPS",):
            monkeypatch.delenv(name)
    engine = make_engine(store_url)
    migrate(engine)
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("INFOSAK_DATABASE_URL", store_url)
    monkeypatch.setenv("INFOSAK_DATA_DIR", str(data))
    monkeypatch.setenv("INFOSAK_SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("INFOSAK_BEHIND_TLS", "1")
    return engine


@pytest.fixture
def deployment(monkeypatch, tmp_path, store_url):
    """On each back end: for the checks that read the store."""
    engine = _sound_configuration(monkeypatch, tmp_path, store_url)
    yield engine
    engine.dispose()


@pytest.fixture
def configured(monkeypatch, tmp_path):
    """On SQLite only: for the checks of settings, which never depend on the back end."""
    engine = _sound_configuration(monkeypatch, tmp_path, f"sqlite:///{tmp_path / 'store.db'}")
    yield engine
    engine.dispose()


def doctor(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["doctor", *args])
    return result.exit_code, " ".join(result.output.split())


def test_a_sound_deployment_passes(deployment, monkeypatch):
    for name, value in GOOD_OIDC.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("INFOSAK_UPLOAD_MAX_MB", "20")
    code, output = doctor()
    assert code == 0, output
    assert "FEL" not in output
    assert f"Schemat är på senaste migreringen ({next(iter(_head_revisions()))})" in output
    assert "client_max_body_size ska vara minst 27m" in output  # 20 MB base64 plus the JSON
    assert output.endswith("Allt ser bra ut.")


FAULTS = [
    ({"INFOSAK_SECRET_KEY": None}, "INFOSAK_SECRET_KEY är inte satt"),
    ({"INFOSAK_SECRET_KEY": "kort-nyckel"}, "INFOSAK_SECRET_KEY har 11 tecken; minst 32 krävs"),
    ({"INFOSAK_BEHIND_TLS": None}, "INFOSAK_BEHIND_TLS är inte på"),
    ({"INFOSAK_BEHIND_TLS": "on"}, "INFOSAK_BEHIND_TLS='on' förstås inte"),
    ({"FORWARDED_ALLOW_IPS": "*", "INFOSAK_BIND": "0.0.0.0:8050"},
     "vem som helst kan påstå att begäran kom över https"),
    ({**GOOD_OIDC, "INFOSAK_OIDC_REDIRECT_URI": "http://infosak.kommun.se/auth/oidc/callback"},
     "INFOSAK_OIDC_REDIRECT_URI är en http-adress"),
    ({"INFOSAK_UPLOAD_MAX_MB": "tio"}, "INFOSAK_UPLOAD_MAX_MB='tio' är inget positivt tal"),
    ({"INFOSAK_UPLOAD_MAX_MB": "0"}, "INFOSAK_UPLOAD_MAX_MB='0' är inget positivt tal"),
    ({"INFOSAK_UPLOAD_MAX_MB": "500"}, "INFOSAK_UPLOAD_MAX_MB=500 MB är orimligt stort"),
    ({"INFOSAK_OIDC_CLIENT_ID": "infosak"},
     "INFOSAK_OIDC_CLIENT_ID är satt men INFOSAK_OIDC_ISSUER saknas"),
    ({**GOOD_OIDC, "INFOSAK_OIDC_CLIENT_SECRET": None},
     "OIDC-inställningarna är ofullständiga: INFOSAK_OIDC_ISSUER är satt men"),
    ({**GOOD_OIDC, "INFOSAK_OIDC_GROUP_ROLE_MAP": None},
     "INFOSAK_OIDC_GROUP_ROLE_MAP saknas eller är tom"),
    ({**GOOD_OIDC, "INFOSAK_OIDC_ISSUER": "http://login.example.se"}, "ska vara en https-adress"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "expected"), FAULTS)
def test_each_fault_of_the_settings_is_reported(configured, monkeypatch, change, expected):
    for name, value in change.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    code, output = doctor()
    assert code == 1, output
    assert expected in output, output
    assert output.endswith("fel hittades.")


def test_a_missing_or_unwritable_data_directory_is_reported(configured, monkeypatch, tmp_path):
    monkeypatch.setenv("INFOSAK_DATA_DIR", str(tmp_path / "saknas"))
    code, output = doctor()
    assert code == 1 and f"Datamappen {tmp_path / 'saknas'} finns inte" in output, output
    assert not (tmp_path / "saknas").exists()  # reported, not created

    a_file = tmp_path / "fil"
    a_file.write_text("x")
    monkeypatch.setenv("INFOSAK_DATA_DIR", str(a_file))
    code, output = doctor()
    assert code == 1 and f"{a_file} är ingen mapp" in output, output


def test_demo_accounts_outside_demo_mode_are_reported(deployment):
    from dashboard.auth.users import ensure_demo_users

    ensure_demo_users(deployment)
    code, output = doctor()
    assert code == 1
    assert "Demokonton (lösenord 'demo') finns i en driftsdatabas" in output, output
    assert "driftsdatabas: admin." in output and "infosak users remove" in output
    # In demo mode they belong there.
    code, output = doctor("--demo")
    assert code == 0, output


def test_an_unreachable_database_is_reported(configured, monkeypatch):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv("INFOSAK_DATABASE_URL", f"postgresql+psycopg://infosak@127.0.0.1:{port}/x")
    code, output = doctor()
    assert code == 1
    assert f"Når inte databasen postgresql+psycopg://infosak@127.0.0.1:{port}/x" in output, output


def test_a_missing_default_sqlite_store_is_reported_and_not_created(configured, monkeypatch):
    monkeypatch.delenv("INFOSAK_DATABASE_URL")
    code, output = doctor()
    assert code == 1
    assert "infosak.db finns inte och INFOSAK_DATABASE_URL är inte satt" in output, output
    assert list(Path(os.environ["INFOSAK_DATA_DIR"]).iterdir()) == []  # no store created


@pytest.fixture
def old_store(deployment):
    """The deployment's store taken back to an earlier migration (as before an upgrade)."""
    from alembic import command

    from etl.db import alembic_config

    command.downgrade(alembic_config(deployment), "0004")
    return deployment


def test_a_store_behind_the_latest_migration_is_reported_and_left_as_it_is(old_store):
    code, output = doctor()
    assert code == 1
    assert (
        f"Schemat är på migrering 0004, programmet kräver {next(iter(_head_revisions()))}" in output
    ), output
    with old_store.connect() as conn:  # doctor never migrates
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0004"


def test_a_store_without_tables_is_reported(configured, monkeypatch, tmp_path):
    empty = tmp_path / "tom.db"
    sqlite3.connect(empty).close()  # the file exists, without any table
    monkeypatch.setenv("INFOSAK_DATABASE_URL", f"sqlite:///{empty}")
    code, output = doctor()
    assert code == 1 and "Databasen saknar Infosäks tabeller" in output, output
    assert empty.stat().st_size == 0  # nothing created


def test_doctor_writes_nothing_to_a_sqlite_store(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("INFOSAK_"):
            monkeypatch.delenv(name)
    store = tmp_path / "data" / "infosak.db"
    store.parent.mkdir()
    engine = make_engine(f"sqlite:///{store}")
    migrate(engine)
    engine.dispose()
    before = {p.name: p.read_bytes() for p in store.parent.iterdir()}
    monkeypatch.setenv("INFOSAK_DATA_DIR", str(store.parent))  # the default store in data/
    monkeypatch.setenv("INFOSAK_SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("INFOSAK_BEHIND_TLS", "1")
    code, output = doctor()
    assert code == 0, output
    after = {p.name: p.read_bytes() for p in store.parent.iterdir()}
    assert after["infosak.db"] == before["infosak.db"]
    # A reader of a WAL-mode store opens SQLite's shared-memory index and an empty log beside it.
    assert set(after) - set(before) <= {"infosak.db-shm", "infosak.db-wal"}
    assert after.get("infosak.db-wal", b"") == before.get("infosak.db-wal", b"")


def test_a_mart_not_on_today_is_reported_until_it_is_refreshed(configured):
    import datetime as dt

    from etl.kpi.mart import store_version
    from etl.models import KpiMartDate

    today = dt.date.today()
    with configured.begin() as conn:
        version = store_version(conn)
        conn.execute(
            KpiMartDate.__table__.insert(),
            [{"as_of": today - dt.timedelta(days=3), "store_version": version}],
        )
    code, output = doctor()
    assert code == 1
    expected = (today - dt.timedelta(days=3)).isoformat()
    assert f"Nyckeltalen är beräknade per {expected}, inte per i dag" in output
    assert "Kör 'infosak mart' en gång per dygn" in output

    with configured.begin() as conn:
        conn.execute(KpiMartDate.__table__.insert(), [{"as_of": today, "store_version": version}])
    code, output = doctor()
    assert "Nyckeltalen för hela landet är beräknade per i dag." in output
    assert "inte per i dag" not in output


def test_a_store_never_loaded_says_nothing_of_the_mart(configured):
    code, output = doctor()
    assert "Nyckeltal" not in output
