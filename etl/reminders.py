"""Reminder digests: one e-mail per person with what needs their attention (issue 5).

- Responsible persons (Action.responsible / responsible_email): their overdue open actions and
  open actions due within 14 days.
- Unit managers (Unit.manager_email): classifications of their unit's assets that are expired or
  due for review within 90 days.
Säkerhetsskydd (etl.visibility): a digest goes to whoever a workbook names, a person the store does
not know as the protection officer, so it is written for a reader who may not see protected
assets. Their classifications and the actions on their risks are counted, never named (no code,
title or asset name): "2 åtgärder och 1 tillgång med säkerhetsskydd – uppgifterna finns hos
säkerhetsskyddschefen". Mail is no place for them.
A person who appears in both roles gets one digest. People without an e-mail address cannot be
reached and are listed as such. Messages go out over SMTP or are written as .eml files.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from sqlalchemy import false, not_, select
from sqlalchemy.orm import Session

from etl import vocab
from etl.formatting import format_long_date
from etl.kpi.rules import (
    action_is_overdue,
    action_open_sql,
    classification_status,
    days_overdue,
    latest_classification_sql,
)
from etl.models import Action, Asset, Classification, Unit
from etl.visibility import shown_action, shown_asset

log = logging.getLogger(__name__)

ACTION_WINDOW_DAYS = 14
REVIEW_WINDOW_DAYS = 90
DEFAULT_SENDER = "infosak@localhost"
# The role a digest is written for (see the module doc): one that may not see säkerhetsskydd.
READER_ROLE = "recipient"


@dataclass(frozen=True)
class ActionItem:
    code: str
    title: str
    due_on: dt.date
    status: str
    days_overdue: int  # 0 when not yet due


@dataclass(frozen=True)
class ReviewItem:
    unit: str
    asset_code: str
    asset_name: str
    review_on: dt.date
    expired: bool


@dataclass
class Digest:
    name: str
    email: str | None
    overdue: list[ActionItem] = field(default_factory=list)
    due_soon: list[ActionItem] = field(default_factory=list)
    reviews: list[ReviewItem] = field(default_factory=list)
    protected_reviews: int = 0  # säkerhetsskydd assets: counted only
    protected_actions: int = 0  # actions on risks of säkerhetsskydd assets: counted only

    @property
    def reachable(self) -> bool:
        return bool(self.email)

    @property
    def item_count(self) -> int:
        listed = len(self.overdue) + len(self.due_soon) + len(self.reviews)
        return listed + self.protected_reviews + self.protected_actions


def _clean_email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if "@" in value else None


def _key(name: str | None, email: str | None) -> str:
    return f"mail:{email.casefold()}" if email else f"name:{(name or '').strip().casefold()}"


def _digest(digests: dict[str, Digest], name: str | None, email: str | None) -> Digest:
    email = _clean_email(email)
    key = _key(name, email)
    if key not in digests:
        digests[key] = Digest(name=(name or "").strip() or (email or "Okänd"), email=email)
    return digests[key]


def _hidden(shown) -> object:
    """A column that is true for the rows the digest's reader may not see named."""
    return false() if shown is None else not_(shown)


def _action_digests(session: Session, as_of: dt.date, digests: dict[str, Digest]) -> None:
    horizon = as_of + dt.timedelta(days=ACTION_WINDOW_DAYS)
    query = (
        select(Action, _hidden(shown_action(READER_ROLE)).label("protected"))
        .where(
            action_open_sql(),
            Action.due_on <= horizon,
        )
        .order_by(Action.due_on, Action.code)
    )
    for action, protected in session.execute(query).all():
        if not (action.responsible or "").strip() and not _clean_email(action.responsible_email):
            continue  # nobody named: the CISO's overview shows these
        digest = _digest(digests, action.responsible, action.responsible_email)
        if protected:
            digest.protected_actions += 1
            continue
        item = ActionItem(
            code=action.code,
            title=action.title,
            due_on=action.due_on,
            status=vocab.ACTION_STATUSES.get(action.status, action.status),
            days_overdue=days_overdue(action.due_on, as_of),
        )
        overdue = action_is_overdue(action.status, action.due_on, as_of)
        (digest.overdue if overdue else digest.due_soon).append(item)


def _review_digests(session: Session, as_of: dt.date, digests: dict[str, Digest]) -> None:
    latest = latest_classification_sql(as_of)
    query = (
        select(Asset, Unit, Classification, _hidden(shown_asset(READER_ROLE)).label("protected"))
        .join(Unit, Asset.primary_unit_id == Unit.id)
        .join(latest, latest.c.asset_id == Asset.id)
        .join(Classification, Classification.id == latest.c.classification_id)
        .order_by(Unit.code, Asset.code)
    )
    horizon = as_of + dt.timedelta(days=REVIEW_WINDOW_DAYS)
    for asset, unit, c, protected in session.execute(query).all():
        status, review = classification_status(c.classified_on, c.next_review_on, as_of)
        if review > horizon:
            continue
        if not (unit.manager_name or "").strip() and not _clean_email(unit.manager_email):
            continue
        digest = _digest(digests, unit.manager_name, unit.manager_email)
        if protected:
            digest.protected_reviews += 1
            continue
        digest.reviews.append(
            ReviewItem(unit.name, asset.code, asset.name, review, expired=status == "expired")
        )


def build_digests(session: Session, as_of: dt.date) -> list[Digest]:
    """Every person with something to do as of ``as_of``, reachable ones first, by name."""
    digests: dict[str, Digest] = {}
    _action_digests(session, as_of, digests)
    _review_digests(session, as_of, digests)
    result = [d for d in digests.values() if d.item_count]
    return sorted(result, key=lambda d: (not d.reachable, d.name.casefold(), d.email or ""))


# --------------------------------------------------------------------------- message text


def _action_line(item: ActionItem) -> str:
    when = f"skulle vara klar {format_long_date(item.due_on)}"
    if item.days_overdue:
        when += f", {item.days_overdue} dagar försenad"
    return f"{item.code} {item.title} ({item.status}; {when})"


def _review_line(item: ReviewItem) -> str:
    state = "förfallen sedan" if item.expired else "ska ses över senast"
    return f"{item.asset_name} ({item.asset_code}, {item.unit}): klassningen {state} " + (
        format_long_date(item.review_on)
    )


def _protected_line(digest: Digest) -> str | None:
    """What the digest may say about säkerhetsskydd: how many, nothing more."""
    parts = []
    if digest.protected_actions:
        parts.append(f"{digest.protected_actions} åtgärd(er)")
    if digest.protected_reviews:
        parts.append(f"{digest.protected_reviews} tillgång(ar)")
    if not parts:
        return None
    return (
        f"{' och '.join(parts)} med säkerhetsskydd – uppgifterna finns hos säkerhetsskyddschefen."
    )


def digest_sections(digest: Digest) -> list[tuple[str, list[str]]]:
    sections = []
    if digest.overdue:
        sections.append(("Försenade åtgärder", [_action_line(i) for i in digest.overdue]))
    if digest.due_soon:
        sections.append(
            (
                f"Åtgärder som ska vara klara inom {ACTION_WINDOW_DAYS} dagar",
                [_action_line(i) for i in digest.due_soon],
            )
        )
    reviews = [_review_line(i) for i in digest.reviews]
    if reviews:
        sections.append(
            (
                f"Klassningar som har förfallit eller ska ses över inom {REVIEW_WINDOW_DAYS} dagar",
                reviews,
            )
        )
    protected = _protected_line(digest)
    if protected:
        sections.append(("Säkerhetsskydd", [protected]))
    return sections


def digest_text(digest: Digest, as_of: dt.date) -> str:
    lines = [
        f"Hej {digest.name},",
        "",
        f"Här är din sammanställning från Infosäk per {format_long_date(as_of)}.",
    ]
    for title, items in digest_sections(digest):
        lines += ["", f"{title}:"] + [f"- {item}" for item in items]
    lines += [
        "",
        "Uppdatera status i er arbetsbok och lämna den till informationssäkerhetshandläggaren.",
        "",
        "Detta är ett automatiskt meddelande från Infosäk.",
    ]
    return "\n".join(lines) + "\n"


def digest_html(digest: Digest, as_of: dt.date) -> str:
    parts = [
        f"<p>Hej {html.escape(digest.name)},</p>",
        f"<p>Här är din sammanställning från Infosäk per {format_long_date(as_of)}.</p>",
    ]
    for title, items in digest_sections(digest):
        parts.append(f"<h3>{html.escape(title)}</h3><ul>")
        parts += [f"<li>{html.escape(item)}</li>" for item in items]
        parts.append("</ul>")
    parts.append(
        "<p>Uppdatera status i er arbetsbok och lämna den till "
        "informationssäkerhetshandläggaren.</p><p><small>Detta är ett automatiskt meddelande "
        "från Infosäk.</small></p>"
    )
    return '<html><body lang="sv">' + "".join(parts) + "</body></html>"


def build_message(digest: Digest, as_of: dt.date, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The digest as a multipart/alternative message (plain text + simple HTML)."""
    if not digest.email:
        raise ValueError(f"{digest.name} har ingen e-postadress")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((digest.name, digest.email))
    message["Subject"] = f"Infosäk: {digest.item_count} att följa upp per {as_of.isoformat()}"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(digest_text(digest, as_of))
    message.add_alternative(digest_html(digest, as_of), subtype="html")
    return message


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str, *, starttls: bool = False, use_ssl: bool = False) -> SmtpTarget:
    """smtp://host:port (plain), smtps://host:port (SSL); ``?starttls=1`` or the flag upgrades
    a plain connection. Optional user:password@ in the URL."""
    parsed = urlparse(url)
    if parsed.scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ValueError(f"Ogiltig SMTP-adress: {url!r}. Ange t.ex. smtp://localhost:25.")
    query = parse_qs(parsed.query)
    use_ssl = use_ssl or parsed.scheme == "smtps"
    starttls = starttls or query.get("starttls", ["0"])[0] in ("1", "true", "yes")
    port = parsed.port or (465 if use_ssl else (587 if starttls else 25))
    return SmtpTarget(
        host=parsed.hostname,
        port=port,
        use_ssl=use_ssl,
        starttls=starttls,
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
    )


def send_messages(messages: Iterable[EmailMessage], target: SmtpTarget, timeout: float = 30) -> int:
    """Send over one SMTP connection; returns the number of messages sent."""
    context = ssl.create_default_context()
    if target.use_ssl:
        client = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=timeout)
    sent = 0
    with client:
        if target.starttls:
            client.starttls(context=context)
        if target.username:
            client.login(target.username, target.password or "")
        for message in messages:
            client.send_message(message)
            sent += 1
    log.info("sent %d reminder(s) via %s:%s", sent, target.host, target.port)
    return sent


def _file_name(email: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", email.casefold()) + ".eml"


def write_eml(messages: Iterable[EmailMessage], directory: Path) -> list[Path]:
    """One .eml file per message (named after the recipient's address)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for message in messages:
        address = message["To"].addresses[0].addr_spec
        path = directory / _file_name(address)
        path.write_bytes(message.as_bytes())
        paths.append(path)
    return paths


__all__ = [
    "ActionItem",
    "Digest",
    "ReviewItem",
    "SmtpTarget",
    "build_digests",
    "build_message",
    "digest_text",
    "parse_smtp_url",
    "send_messages",
    "write_eml",
]
