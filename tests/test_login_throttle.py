"""Login throttling: growing delays per account and address, never a lock-out of the owner.

Real store (SQLite and PostgreSQL), real logins through Flask's test client with the client's
address set per request (``REMOTE_ADDR``, or X-Forwarded-For behind a trusted proxy). Long attacks
are put in the store as the attempts they would have left (``login_attempt`` rows), so that the
test does not wait fifteen minutes; short delays are waited out for real.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy.orm import Session

from dashboard.auth.security import (
    ACCOUNT_BACKOFF,
    ADDRESS_BACKOFF,
    PAIR_BACKOFF,
    Backoff,
)
from dashboard.auth.session import ConfigurationError
from etl.models_auth import AuditEvent, LoginAttempt, utcnow
from tests.kpi_data import build_store
from tests.test_auth_support import (
    PASSWORD,
    add_account,
    audit_count,
    auth_app,
    csrf_from_form,
    reset_store,
)

ATTACKER = "203.0.113.66"
OWNER = "10.20.30.40"


@pytest.fixture
def app(engine, monkeypatch):
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    add_account(engine, "bo", "manager", ["1882-SOC-IFO"])
    application = auth_app(engine, monkeypatch)
    yield application
    reset_store()


def attempt(app, name: str, password: str, address: str, headers=None):
    """One login from ``address`` in a fresh browser (its own session and CSRF token)."""
    client = app.server.test_client()
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ, headers=headers)
    form = {"username": name, "password": password, "csrf_token": csrf_from_form(page.text)}
    return client.post("/login", data=form, environ_base=environ, headers=headers)


def put_failures(engine, name: str, addresses, *, ago: dt.timedelta = dt.timedelta(0)) -> None:
    """Failed attempts, one per address in ``addresses``, ``ago`` before now."""
    at = utcnow() - ago
    with Session(engine) as s, s.begin():
        s.add_all(LoginAttempt(at=at, username=name, address=a, success=False) for a in addresses)


def retry_after(response) -> int:
    assert response.status_code == 429, response.status_code
    return int(response.headers["Retry-After"])


# --------------------------------------------------------------------------- the delays


@pytest.mark.parametrize("backoff", [PAIR_BACKOFF, ADDRESS_BACKOFF, ACCOUNT_BACKOFF])
def test_delays_are_free_then_double_up_to_the_cap(backoff: Backoff):
    waits = [backoff.wait(n) for n in range(backoff.free + 40)]
    assert waits[: backoff.free] == [0.0] * backoff.free
    grown = waits[backoff.free :]
    assert grown[0] == backoff.base and grown[1] == 2 * backoff.base and grown[2] == 4 * grown[0]
    assert all(b >= a for a, b in zip(grown, grown[1:], strict=False))
    assert max(grown) == backoff.cap == grown[-1]
    assert backoff.wait(10**9) == backoff.cap  # no overflow on an absurd count


def test_the_limits_are_ordered_pair_tightest():
    assert PAIR_BACKOFF.free < ADDRESS_BACKOFF.free < ACCOUNT_BACKOFF.free


# --------------------------------------------------------------------------- over HTTP


def test_attacker_hammering_from_one_address_does_not_keep_the_owner_out(app, engine):
    # A long attack on eva from one address: 40 failures in the last hour ...
    put_failures(engine, "eva", [ATTACKER] * 40, ago=dt.timedelta(minutes=1))
    # ... and more now, over HTTP.
    response = attempt(app, "eva", "gissning", ATTACKER)
    assert response.status_code == 429
    # The owner, at her own address, gets in at once ...
    started = time.monotonic()
    response = attempt(app, "eva", PASSWORD, OWNER)
    assert response.status_code == 302
    assert time.monotonic() - started < 5
    # ... while even the right password from the attacker's address waits (the cap: 15 min).
    response = attempt(app, "eva", PASSWORD, ATTACKER)
    assert 13 * 60 <= retry_after(response) <= 15 * 60
    assert re.search("Försök igen om 1[345] minuter", response.text)
    assert audit_count(engine, "login", "eva") == 1
    with Session(engine) as s:
        throttled = s.query(AuditEvent).filter_by(action="login_throttled").all()
    assert throttled and {e.address for e in throttled} == {ATTACKER}


def test_same_address_gets_in_after_the_delay_and_delays_grow(app, engine):
    for _ in range(PAIR_BACKOFF.free):
        assert attempt(app, "eva", "fel", OWNER).status_code == 401
    # Five failures cost nothing yet; the sixth attempt, right at once, waits one second.
    first = attempt(app, "eva", "fel", OWNER)
    assert retry_after(first) == 1
    assert "Försök igen om 1 sekund," in first.text
    time.sleep(1.1)
    assert attempt(app, "eva", "fel", OWNER).status_code == 401  # sixth failure
    assert retry_after(attempt(app, "eva", PASSWORD, OWNER)) == 2  # refused unchecked
    time.sleep(2.1)
    assert attempt(app, "eva", "fel", OWNER).status_code == 401  # seventh failure
    assert retry_after(attempt(app, "eva", PASSWORD, OWNER)) == 4
    time.sleep(4.1)
    assert attempt(app, "eva", PASSWORD, OWNER).status_code == 302  # after the delay: in
    # The success starts the pair's count again.
    assert attempt(app, "eva", "fel", OWNER).status_code == 401


def test_throttled_attempts_are_not_counted_as_failures(app, engine):
    for _ in range(PAIR_BACKOFF.free):
        attempt(app, "eva", "fel", ATTACKER)
    for _ in range(5):  # hammering during the delay does not make it grow
        assert retry_after(attempt(app, "eva", "fel", ATTACKER)) == 1
    with Session(engine) as s:
        assert s.query(LoginAttempt).filter_by(address=ATTACKER).count() == PAIR_BACKOFF.free


def test_spraying_many_accounts_from_one_address_slows_that_address(app, engine):
    names = [f"konto{i}" for i in range(ADDRESS_BACKOFF.free - 1)]
    with Session(engine) as s, s.begin():
        s.add_all(
            LoginAttempt(at=utcnow(), username=n, address=ATTACKER, success=False) for n in names
        )
    # One more failure (a new name each time, so no account-and-address pair is slowed) ...
    assert attempt(app, "sista", "fel", ATTACKER).status_code == 401
    # ... and the address waits, whichever account it tries next.
    assert retry_after(attempt(app, "bo", PASSWORD, ATTACKER)) == 1
    assert attempt(app, "bo", PASSWORD, OWNER).status_code == 302


def test_a_success_does_not_reset_the_address_count(app, engine):
    with Session(engine) as s, s.begin():
        s.add_all(
            LoginAttempt(at=utcnow(), username=f"x{i}", address=OWNER, success=False)
            for i in range(ADDRESS_BACKOFF.free - 1)
        )
    assert attempt(app, "eva", PASSWORD, OWNER).status_code == 302
    assert attempt(app, "eva", "fel", OWNER).status_code == 401  # the 30th from this address
    assert retry_after(attempt(app, "eva", PASSWORD, OWNER)) == 1


def test_distributed_guessing_slows_new_addresses_but_not_known_ones(app, engine):
    # eva logged in from her usual address last week.
    with Session(engine) as s, s.begin():
        s.add(
            LoginAttempt(at=utcnow() - dt.timedelta(days=7), username="eva", address=OWNER,
                         success=True)
        )  # fmt: skip
    # A botnet: one failure each from many addresses, within the hour.
    put_failures(
        engine, "eva", [f"198.51.{i // 250}.{i % 250}" for i in range(ACCOUNT_BACKOFF.free)]
    )
    assert retry_after(attempt(app, "eva", PASSWORD, "192.0.2.200")) == 1
    assert attempt(app, "eva", PASSWORD, OWNER).status_code == 302


def test_failures_outside_the_windows_do_not_count(app, engine):
    put_failures(engine, "eva", [OWNER] * 50, ago=PAIR_BACKOFF.window + dt.timedelta(minutes=1))
    assert attempt(app, "eva", PASSWORD, OWNER).status_code == 302


def test_the_state_is_shared_by_every_process(engine, monkeypatch):
    """Two apps on one store stand for two gunicorn workers: failures at one slow the other."""
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    worker_a = auth_app(engine, monkeypatch)
    worker_b = auth_app(engine, monkeypatch)
    for _ in range(PAIR_BACKOFF.free):
        assert attempt(worker_a, "eva", "fel", ATTACKER).status_code == 401
    assert retry_after(attempt(worker_b, "eva", PASSWORD, ATTACKER)) == 1
    reset_store()


def test_success_prunes_old_attempts(app, engine):
    put_failures(engine, "eva", [ATTACKER] * 3, ago=dt.timedelta(days=2))
    put_failures(engine, "eva", [ATTACKER] * 2, ago=dt.timedelta(hours=1))
    assert attempt(app, "eva", PASSWORD, OWNER).status_code == 302
    with Session(engine) as s:
        assert s.query(LoginAttempt).filter_by(address=ATTACKER).count() == 2


# --------------------------------------------------------------------------- behind a proxy


def test_behind_a_trusted_proxy_the_limit_is_per_client(engine, monkeypatch):
    build_store(engine)
    add_account(engine, "eva", "ciso", ["1882"])
    monkeypatch.setenv("INFOSAK_PROXY_HOPS", "1")
    app = auth_app(engine, monkeypatch)
    proxy = "10.0.0.1"  # every request arrives from the proxy
    attacker = {"X-Forwarded-For": ATTACKER}
    for _ in range(PAIR_BACKOFF.free):
        assert attempt(app, "eva", "fel", proxy, attacker).status_code == 401
    assert retry_after(attempt(app, "eva", PASSWORD, proxy, attacker)) == 1
    # The owner behind the same proxy is another client.
    assert attempt(app, "eva", PASSWORD, proxy, {"X-Forwarded-For": OWNER}).status_code == 302
    # A forged entry in front of the proxy's own is ignored: the proxy appended the real one.
    forged = {"X-Forwarded-For": f"{OWNER}, {ATTACKER}"}
    assert retry_after(attempt(app, "eva", PASSWORD, proxy, forged)) == 1
    with Session(engine) as s:
        addresses = {e.address for e in s.query(AuditEvent).all()}
    assert addresses == {ATTACKER, OWNER}
    reset_store()


def test_without_proxy_hops_forwarded_headers_are_ignored(app, engine):
    spoof = {"X-Forwarded-For": OWNER}
    for _ in range(PAIR_BACKOFF.free):
        attempt(app, "eva", "fel", ATTACKER, spoof)
    assert retry_after(attempt(app, "eva", PASSWORD, ATTACKER, {"X-Forwarded-For": "1.2.3.4"})) == 1


@pytest.mark.parametrize("value", ["ett", "-1", "99", "1.5"])
def test_a_bad_proxy_hops_value_refuses_to_start(engine, monkeypatch, value):
    monkeypatch.setenv("INFOSAK_PROXY_HOPS", value)
    with pytest.raises(ConfigurationError, match="INFOSAK_PROXY_HOPS"):
        auth_app(engine, monkeypatch)
    reset_store()
