"""Accounts: scope resolution, the users CLI, demo accounts, password hashing and OIDC mapping."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.auth.oidc import Grant, OidcConfigError, grant_for_groups, parse_group_role_map
from dashboard.auth.passwords import PasswordPolicyError, hash_password, verify_password
from dashboard.auth.users import UserError, add_user, get_user, list_users, viewer_for
from infosak_cli import app as cli
from tests.kpi_data import build_store
from tests.test_auth_support import SECRET, audit_count, auth_app, login, reset_store


def test_passwords_are_argon2id_and_verify():
    stored = hash_password("korrekt häst")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "korrekt häst")
    assert not verify_password(stored, "korrekt hast")
    assert not verify_password(None, "korrekt häst")
    assert not verify_password("inte-en-hash", "x")


def test_scope_codes_become_viewer_fields(engine):
    build_store(engine)
    with Session(engine) as s, s.begin():
        ciso = add_user(s, "Eva", "ciso", ["1882"], "lösenord-123")
        officer = add_user(s, "so", "security_officer", ["1882-SOC"], "lösenord-123")
        manager = add_user(s, "bo", "manager", ["1882-SOC-IFO", "1861-BUF-GR"], "lösenord-123")
        v = viewer_for(s, ciso)
        assert ciso.name == "eva"  # names are case-insensitive
        assert v.role == "ciso" and v.municipality_codes == {"1882"}
        assert v.administration_codes == {"1882-KLF", "1882-SOC"}  # widened downwards
        assert v.unit_codes == {"1882-KLF-IT", "1882-SOC-IFO", "1882-SOC-AO"}
        v = viewer_for(s, officer)
        assert v.municipality_codes == set()  # never upwards
        assert v.administration_codes == {"1882-SOC"}
        assert v.unit_codes == {"1882-SOC-IFO", "1882-SOC-AO"}
        v = viewer_for(s, manager)
        assert v.unit_codes == {"1882-SOC-IFO", "1861-BUF-GR"} and not v.administration_codes


def test_add_user_refuses_bad_input(engine):
    build_store(engine)
    with Session(engine) as s, s.begin():
        with pytest.raises(UserError, match="Okänd roll"):
            add_user(s, "x", "kung", ["1882"], "lösenord-123")
        with pytest.raises(UserError, match="kräver minst en --scope"):
            add_user(s, "x", "manager", [], "lösenord-123")
        with pytest.raises(UserError, match="Okänd kod: 9999"):
            add_user(s, "x", "ciso", ["1882", "9999"], "lösenord-123")
        with pytest.raises(UserError, match="Ogiltigt användarnamn"):
            add_user(s, "../x", "admin", [], "lösenord-123")
        with pytest.raises(PasswordPolicyError, match="minst 10 tecken"):
            add_user(s, "x", "admin", [], "kort")
        add_user(s, "x", "admin", [], "lösenord-123")
        with pytest.raises(UserError, match="finns redan"):
            add_user(s, "X", "admin", [], "lösenord-123")


@pytest.fixture
def cli_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("INFOSAK_DATABASE_URL", url)
    from etl.db import make_engine, migrate

    engine = make_engine(url)
    migrate(engine)
    build_store(engine)
    yield engine
    engine.dispose()


def test_users_cli_add_list_passwd_remove(cli_db):
    runner = CliRunner()
    result = runner.invoke(
        cli, ["users", "add", "eva", "--role", "ciso", "--scope", "1882", "--password-stdin"],
        input="ett-bra-lösenord\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Kontot eva (ciso; 1882) är skapat." in result.output
    result = runner.invoke(cli, ["users", "add", "bo", "--role", "manager",
                                 "--scope", "1882-SOC-IFO"], input="andra-lösenordet\nandra-lösenordet\n")  # fmt: skip
    assert result.exit_code == 0, result.output  # prompted twice
    result = runner.invoke(cli, ["users", "list"])
    assert result.exit_code == 0
    assert "eva" in result.output and "1882-SOC-IFO" in result.output
    assert "Chef (informationsägare)" in result.output
    with Session(cli_db) as s:
        old_hash = get_user(s, "eva").password_hash
    result = runner.invoke(
        cli, ["users", "passwd", "eva", "--password-stdin"], input="nytt-lösenord-9\n"
    )
    assert result.exit_code == 0, result.output
    with Session(cli_db) as s:
        assert get_user(s, "eva").password_hash != old_hash
        assert verify_password(get_user(s, "eva").password_hash, "nytt-lösenord-9")
    result = runner.invoke(cli, ["users", "remove", "bo"])
    assert result.exit_code == 0
    with Session(cli_db) as s:
        assert [u.name for u in list_users(s)] == ["eva"]
    assert audit_count(cli_db, "user_add") == 2
    assert audit_count(cli_db, "user_passwd") == 1
    assert audit_count(cli_db, "user_remove") == 1


def test_users_cli_errors_are_one_line(cli_db):
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "x", "--role", "ciso", "--scope", "0000",
                                 "--password-stdin"], input="ett-bra-lösenord\n")  # fmt: skip
    assert result.exit_code == 1
    assert "Okänd kod: 0000" in result.output and "Traceback" not in result.output
    result = runner.invoke(cli, ["users", "remove", "ingen"])
    assert result.exit_code == 1 and "finns inte" in result.output
    result = runner.invoke(cli, ["users", "passwd", "ingen", "--password-stdin"], input="x\n")
    assert result.exit_code == 1 and "finns inte" in result.output


def test_demo_mode_creates_accounts_and_key(engine, monkeypatch, tmp_path):
    build_store(engine)
    monkeypatch.delenv("INFOSAK_SECRET_KEY", raising=False)
    monkeypatch.setenv("INFOSAK_DATA_DIR", str(tmp_path))
    from dashboard.app import create_app

    app = create_app(engine, demo=True)  # demo always has login, and needs no key from env
    key_file = tmp_path / ".secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert app.server.secret_key == key_file.read_text()
    create_app(engine, demo=True)  # restart: same key, same accounts
    assert key_file.read_text() == app.server.secret_key
    with Session(engine) as s:
        users = {u.name: u for u in list_users(s)}
    assert sorted(u.role for u in users.values()) == sorted(
        ["ciso", "security_officer", "admin_head", "manager", "committee", "dpo",
         "protection_officer", "admin"]
    )  # fmt: skip
    with Session(engine) as s:
        assert viewer_for(s, users["ciso"]).municipality_codes == {"1882"}
        assert viewer_for(s, users["handlaggare"]).administration_codes == {"1882-SOC"}
        assert viewer_for(s, users["chef"]).unit_codes == {"1882-SOC-AO"}
    client = app.server.test_client()
    page = client.get("/login")
    assert "Demoläge" in page.text and "Demokonton" in page.text
    assert "handlaggare" in page.text and "Socialförvaltningen" in page.text
    assert login(client, "chef", "demo").status_code == 302
    reset_store()


def test_without_demo_no_default_accounts(engine, monkeypatch):
    build_store(engine)
    app = auth_app(engine, monkeypatch)
    with Session(engine) as s:
        assert list_users(s) == []
    assert app.server.secret_key == SECRET
    reset_store()


def test_group_role_mapping():
    mapping = parse_group_role_map(
        '{"isak-ciso": {"role": "ciso", "scope": ["1882"]},'
        ' "chefer-ifo": "manager:1882-SOC-IFO", "chefer-ao": "manager:1882-SOC-AO,1882-SOC-IFO",'
        ' "it-admin": "admin"}'
    )
    assert mapping["chefer-ifo"] == Grant("manager", ("1882-SOC-IFO",))
    assert grant_for_groups(["alla-anställda"], mapping) is None
    assert grant_for_groups([], mapping) is None
    assert grant_for_groups(["chefer-ifo", "chefer-ao"], mapping) == Grant(
        "manager", ("1882-SOC-AO", "1882-SOC-IFO")
    )
    # Several roles: the most privileged wins, and only its own scope comes along.
    assert grant_for_groups(["chefer-ifo", "isak-ciso"], mapping) == Grant("ciso", ("1882",))
    assert grant_for_groups(["isak-ciso", "it-admin"], mapping) == Grant("admin", ())
    with pytest.raises(OidcConfigError, match="okänd roll"):
        parse_group_role_map('{"g": "kung"}')
    with pytest.raises(OidcConfigError, match="JSON"):
        parse_group_role_map("{inte json")
