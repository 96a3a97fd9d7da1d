"""Reminder digests: recipients and content counted by hand, sent to a real local SMTP server.

Store: tests/kpi_data.py as of 2026-11-28, plus responsible persons and manager addresses:
- Anna Ek <anna@ex.se>: responsible for AC1 (moved to 2026-12-10: due within 14 days) and manager
  of IT-enheten, whose X1 is due for review 2027-01-10 and X2 expired 2025-06-01 (+36 months).
- Bo Berg <bo@ex.se>: responsible for AC7 (44 days overdue) and AC3 (8 days), manager of Individ
  och familj (X4: the latest classification on or before the date expired 2026-10-01).
- Cia <cia@ex.se>: manager of Grundskola, whose X7 (säkerhetsskydd) is due 2026-12-01: counted,
  never named.
- Not reachable: "Sydnärke IT support" (AC5, no address) and Dan (Förskola, X9 due 2026-11-28).
AC6 names nobody and goes to nobody.
"""

from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from etl import models as m
from etl.reminders import build_digests, build_message, digest_text, parse_smtp_url
from infosak_cli import app
from tests import kpi_data

runner = CliRunner()
AS_OF = kpi_data.AS_OF


def _prepare(engine) -> None:
    kpi_data.build_store(engine)
    with Session(engine) as s, s.begin():
        s.execute(
            update(m.Action)
            .where(m.Action.code == "AC1")
            .values(
                responsible="Anna Ek", responsible_email="anna@ex.se", due_on=dt.date(2026, 12, 10)
            )
        )
        s.execute(
            update(m.Action)
            .where(m.Action.code.in_(["AC7", "AC3"]))
            .values(responsible="Bo Berg", responsible_email="BO@ex.se")
        )
        s.execute(
            update(m.Action).where(m.Action.code == "AC5").values(responsible="Sydnärke IT support")
        )
        for code, address in (("1882-KLF-IT", "anna@ex.se"), ("1882-SOC-IFO", "bo@ex.se"),
                              ("1861-BUF-GR", "cia@ex.se")):  # fmt: skip
            s.execute(update(m.Unit).where(m.Unit.code == code).values(manager_email=address))
        x7 = s.query(m.Asset).filter_by(code="X7").one()
        s.execute(
            update(m.Classification)
            .where(m.Classification.asset_id == x7.id)
            .values(next_review_on=dt.date(2026, 12, 1))
        )


@pytest.fixture
def prepared(sqlite_engine):
    _prepare(sqlite_engine)
    return sqlite_engine


def test_recipients_and_content(prepared):
    with Session(prepared) as session:
        digests = build_digests(session, AS_OF)
    assert [(d.name, d.email) for d in digests] == [
        ("Anna Ek", "anna@ex.se"),
        ("Bo Berg", "BO@ex.se"),
        ("Cia", "cia@ex.se"),
        ("Dan", None),
        ("Sydnärke IT support", None),
    ]
    anna, bo, cia, dan, sit = digests
    assert [i.code for i in anna.due_soon] == ["AC1"] and anna.overdue == []
    assert [(r.asset_code, r.expired) for r in anna.reviews] == [("X1", False), ("X2", True)]
    assert [(i.code, i.days_overdue) for i in bo.overdue] == [("AC7", 44), ("AC3", 8)]
    assert [(r.asset_code, r.review_on, r.expired) for r in bo.reviews] == [
        ("X4", dt.date(2026, 10, 1), True)
    ]
    assert cia.reviews == [] and cia.protected_reviews == 1
    assert [r.asset_code for r in dan.reviews] == ["X9"]
    assert [i.code for i in sit.overdue] == ["AC5"]
    text = digest_text(bo, AS_OF)
    assert "Hej Bo Berg," in text and "per 28 nov. 2026" in text
    assert "- AC7 AC7 (Ej påbörjad; skulle vara klar 15 okt. 2026, 44 dagar försenad)" in text
    assert "klassningen förfallen sedan 1 okt. 2026" in text
    cia_text = digest_text(cia, AS_OF)
    assert "X7" not in cia_text and "1 tillgång(ar) med säkerhetsskydd" in cia_text


def test_message_has_plain_and_html_parts(prepared):
    with Session(prepared) as session:
        anna = build_digests(session, AS_OF)[0]
    message = build_message(anna, AS_OF, "infosak@kommun.se")
    assert message["To"] == "Anna Ek <anna@ex.se>"
    assert message["Subject"] == "Infosäk: 3 att följa upp per 2026-11-28"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "text/html"]
    assert "<li>" in message.get_body(("html",)).get_content()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collect(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def test_sent_to_a_local_smtp_server(prepared, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    handler = Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = runner.invoke(
            app,
            ["remind", "--as-of", "2026-11-28", "--smtp", f"smtp://127.0.0.1:{port}",
             "--from", "infosak@kommun.se", "--database-url", url],
        )  # fmt: skip
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert "3 påminnelser skickade." in result.output
    assert "Når inte Dan: ingen e-postadress" in result.output
    assert "Når inte Sydnärke IT support" in result.output
    recipients = sorted(msg["X-RcptTo"] for msg in handler.messages)
    assert recipients == ["BO@ex.se", "anna@ex.se", "cia@ex.se"]
    bo = next(msg for msg in handler.messages if msg["X-RcptTo"] == "BO@ex.se")
    parsed = email.message_from_bytes(bo.as_bytes(), policy=policy.default)
    assert "44 dagar försenad" in parsed.get_body(("plain",)).get_content()


def test_eml_output_and_dry_run(prepared, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    out = tmp_path / "eml"
    result = runner.invoke(
        app, ["remind", "--as-of", "2026-11-28", "--out", str(out), "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["anna_ex.se.eml", "bo_ex.se.eml", "cia_ex.se.eml"]
    parsed = email.message_from_bytes((out / "anna_ex.se.eml").read_bytes(), policy=policy.default)
    assert "AC1" in parsed.get_body(("plain",)).get_content()
    dry = runner.invoke(
        app, ["remind", "--as-of", "2026-11-28", "--dry-run", "--database-url", url]
    )
    assert dry.exit_code == 0, dry.output
    assert "Bo Berg <BO@ex.se>: 2 försenade åtgärder, 0 inom 14 dagar, 1 klassningar" in dry.output
    assert "Torrkörning: 3 sammanställningar skulle skickas." in dry.output
    neither = runner.invoke(app, ["remind", "--database-url", url])
    assert neither.exit_code == 2


def test_smtp_url_parsing():
    assert parse_smtp_url("smtp://mail.kommun.se").port == 25
    secure = parse_smtp_url("smtps://u%40x:p@mail.kommun.se")
    assert (secure.port, secure.use_ssl, secure.username, secure.password) == (
        465,
        True,
        "u@x",
        "p",
    )
    assert parse_smtp_url("smtp://h:2525?starttls=1").starttls is True
    with pytest.raises(ValueError):
        parse_smtp_url("http://h")
